"""Type stubs for alphaforge._core.exchange (re-exported by alphaforge.execution)."""
from collections.abc import Iterable
from typing import Any

import numpy as np

from alphaforge._core.accounts import Account
from alphaforge._core.currency import Currency, Money
from alphaforge._core.execution_models import FeeModel, FillModel, LatencyModel, QueueModel
from alphaforge._core.identifiers import InstrumentId, Venue
from alphaforge._core.instruments import Instrument
from alphaforge._core.matching_engine import OrderMatchingEngine, VenueState
from alphaforge._core.orders import Order

class SimulatedExchange:
    """A simulated venue: matching engines, account, in-flight commands with latency, models."""
    venue: Venue
    oms_type: int
    account_type: int
    base_currency: Currency | None
    starting_balances: list[Any]
    clock: Any
    account: Account
    state: VenueState
    latency_model: LatencyModel
    book_type: int
    use_position_ids: bool
    allow_cash_borrowing: bool
    default_leverage: float
    commands_processed: int
    def __init__(
        self,
        venue: Venue | str,
        oms_type: Any,
        account_type: Any,
        base_currency: Currency | str | None,
        starting_balances: Iterable[Money | str] | Money | str,
        clock: Any,
        fill_model: FillModel | None = None,
        queue_model: QueueModel | None = None,
        latency_model: LatencyModel | None = None,
        fee_model: FeeModel | None = None,
        book_type: str | int = "L1",
        bar_execution: bool = True,
        bar_path: str = "closest_extreme_first",
        same_bar_fill: bool = False,
        reject_stop_orders: bool = True,
        support_contingent_orders: bool = True,
        use_position_ids: bool = True,
        allow_cash_borrowing: bool = False,
        leverages: dict[Any, float] | None = None,
        default_leverage: float = 1.0,
    ) -> None: ...
    def add_instrument(self, instrument: Instrument) -> None: ...
    def instruments(self) -> list[Instrument]: ...
    def matching_engine(self, instrument_id: InstrumentId | str) -> OrderMatchingEngine: ...
    @property
    def fill_model(self) -> FillModel: ...
    @property
    def queue_model(self) -> QueueModel: ...
    @property
    def fee_model(self) -> FeeModel: ...
    @property
    def events(self) -> list[Any]: ...
    def reset(self) -> None: ...
    def send_submit(self, order: Order, ts_sent: int | None = None) -> None: ...
    def send_cancel(self, order: Order, ts_sent: int | None = None) -> None: ...
    def process_commands_until(self, ts_now: int) -> None: ...
    def next_command_time_ns(self) -> int: ...
    def process(self, data: Any | np.ndarray) -> int: ...
