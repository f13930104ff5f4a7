from typing import Any

from alphaforge._core.currency import Currency, Money
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TradeId,
)
from alphaforge._core.instruments import Instrument
from alphaforge.model.enums import OrderSide, PositionSide

class Position:
    """A position in one instrument; PnL in ``pnl_currency`` (commissions included)."""

    id: PositionId
    instrument_id: InstrumentId
    strategy_id: StrategyId | None
    account_id: AccountId | None
    opening_order_id: ClientOrderId | None
    closing_order_id: ClientOrderId | None
    instrument_class: str
    quote_currency: Currency
    base_currency: Currency | None
    settlement_currency: Currency
    pnl_currency: Currency
    multiplier: float
    is_inverse: bool
    price_precision: int
    size_precision: int
    signed_qty_raw: int
    peak_qty_raw: int
    buy_qty_raw: int
    sell_qty_raw: int
    avg_px_open: float
    avg_px_close: float
    realized_return: float
    realized_pnl_raw: int
    last_pnl_raw: int
    last_commission_raw: int
    last_fill_flipped: bool
    last_trade_id: TradeId | None
    ts_opened: int
    ts_last: int
    ts_closed: int
    event_count: int
    def __init__(self, instrument: Instrument, fill: Any, position_id: PositionId | None = None) -> None: ...
    def apply(self, fill: Any) -> None: ...
    def split_fill_for_flip(self, fill: Any) -> tuple[Quantity, Quantity, Money | None, Money | None]: ...
    def unrealized_pnl_f64(self, last_price: float) -> float: ...
    def notional_f64(self, last_price: float) -> float: ...
    def is_opposite_side(self, order_side: int) -> bool: ...
    def unrealized_pnl(self, last_price: Price | float) -> Money: ...
    def total_pnl(self, last_price: Price | float) -> Money: ...
    def notional_value(self, last_price: Price | float) -> Money: ...
    @property
    def side(self) -> PositionSide: ...
    @property
    def entry(self) -> OrderSide: ...
    @property
    def quantity(self) -> Quantity: ...
    @property
    def signed_qty(self) -> float: ...
    @property
    def peak_qty(self) -> Quantity: ...
    @property
    def realized_pnl(self) -> Money: ...
    def commissions(self) -> list[Money]: ...
    def commission(self, currency: Currency | str) -> Money: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def is_closed(self) -> bool: ...
    @property
    def is_long(self) -> bool: ...
    @property
    def is_short(self) -> bool: ...
    @property
    def duration_ns(self) -> int: ...
    @property
    def trade_ids(self) -> list[TradeId]: ...
    @property
    def client_order_ids(self) -> list[ClientOrderId]: ...
    @property
    def events(self) -> list[Any]: ...
    @property
    def last_event(self) -> Any: ...
    def make_event(self, fill: Any, ts_init: int = -1) -> PositionEvent: ...

class PositionEvent:
    position_id: PositionId
    instrument_id: InstrumentId
    strategy_id: StrategyId | None
    account_id: AccountId | None
    opening_order_id: ClientOrderId | None
    closing_order_id: ClientOrderId | None
    entry: OrderSide
    side: PositionSide
    signed_qty: float
    quantity_raw: int
    peak_qty_raw: int
    last_qty_raw: int
    last_px_raw: int
    realized_pnl_raw: int
    unrealized_pnl_raw: int
    size_precision: int
    price_precision: int
    currency: Currency
    avg_px_open: float
    avg_px_close: float
    realized_return: float
    trade_id: TradeId | None
    duration_ns: int
    ts_opened: int
    ts_closed: int
    ts_event: int
    ts_init: int
    @property
    def quantity(self) -> Quantity: ...
    @property
    def peak_qty(self) -> Quantity: ...
    @property
    def last_qty(self) -> Quantity: ...
    @property
    def last_px(self) -> Price: ...
    @property
    def realized_pnl(self) -> Money: ...
    @property
    def unrealized_pnl(self) -> Money: ...
    @classmethod
    def create(cls, position: Position, fill: Any, ts_init: int = -1) -> PositionEvent: ...

class PositionOpened(PositionEvent): ...
class PositionChanged(PositionEvent): ...
class PositionClosed(PositionEvent): ...
