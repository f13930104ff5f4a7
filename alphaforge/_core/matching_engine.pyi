"""Type stubs for alphaforge._core.matching_engine (re-exported by alphaforge.execution)."""
from typing import Any

from alphaforge._core.book import OrderBook
from alphaforge._core.identifiers import AccountId, InstrumentId, StrategyId, Venue
from alphaforge._core.instruments import Instrument
from alphaforge._core.orders import Order

class VenueEventSink:
    """Default sink: applies venue events to their orders and records them."""
    events: list[Any]
    def __init__(self) -> None: ...
    def net_qty_raw(self, instrument_id: InstrumentId, strategy_id: StrategyId) -> int: ...
    def clear(self) -> None: ...

class VenueState:
    venue: Venue
    account_id: AccountId
    account: Any
    sink: VenueEventSink
    bar_execution: bool
    same_bar_fill: bool
    reject_stop_orders: bool
    support_contingent_orders: bool
    bar_path: int
    fill_model: Any
    queue_model: Any
    fee_model: Any
    def __init__(self, venue: Venue, account_id: AccountId) -> None: ...
    def reset(self) -> None: ...

class OrderMatchingEngine:
    """Per-instrument matching engine (see the module docstring for the rules)."""
    instrument: Instrument
    instrument_id: InstrumentId
    book_type: int
    book: OrderBook | None
    bid_raw: int
    ask_raw: int
    last_raw: int
    bid_size_raw: int
    ask_size_raw: int
    has_bid: bool
    has_ask: bool
    has_last: bool
    next_expiry_ns: int
    def __init__(self, instrument: Instrument, state: VenueState, book_type: int = 1) -> None: ...
    def reset(self) -> None: ...
    def working_orders(self) -> list[Order]: ...
    def held_orders(self) -> list[Order]: ...
    @property
    def best_bid_raw(self) -> int | None: ...
    @property
    def best_ask_raw(self) -> int | None: ...
