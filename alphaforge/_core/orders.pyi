from decimal import Decimal

from alphaforge._core.currency import Money
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from alphaforge._core.order_events import OrderEvent, OrderInitialized
from alphaforge.model.enums import (
    ContingencyType,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)

class InvalidStateTrigger(Exception): ...
class OrderOverfillError(ValueError): ...

def valid_transitions() -> dict[OrderStatus, frozenset[OrderStatus]]: ...

class Order:
    trader_id: TraderId
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    position_id: PositionId | None
    account_id: AccountId | None
    order_list_id: OrderListId | None
    parent_order_id: ClientOrderId | None
    last_trade_id: TradeId | None
    init_id: int
    side_c: int
    order_type_c: int
    time_in_force_c: int
    status_c: int
    previous_status_c: int
    trigger_type_c: int
    trailing_offset_type_c: int
    contingency_type_c: int
    liquidity_side_c: int
    quantity_raw: int
    filled_qty_raw: int
    leaves_qty_raw: int
    qty_prec: int
    price_raw: int
    trigger_price_raw: int
    activation_price_raw: int
    px_prec: int
    has_price: bool
    has_trigger: bool
    has_activation: bool
    display_qty_raw: int
    trailing_offset_raw: int
    limit_offset_raw: int
    expire_time_ns: int
    post_only: bool
    reduce_only: bool
    quote_quantity: bool
    is_triggered: bool
    is_activated: bool
    avg_px: float
    slippage: float
    ts_init: int
    ts_last: int
    def __init__(self, init: OrderInitialized) -> None: ...
    @staticmethod
    def create(init: OrderInitialized) -> Order: ...
    def apply(self, event: OrderEvent) -> None: ...
    def set_activated(self) -> None: ...
    def would_reduce_only(self, position_side: int, position_qty_raw: int) -> bool: ...
    def commissions(self) -> list[Money]: ...
    def to_dict(self) -> dict[str, object]: ...
    def __hash__(self) -> int: ...
    @property
    def side(self) -> OrderSide: ...
    @property
    def order_type(self) -> OrderType: ...
    @property
    def time_in_force(self) -> TimeInForce: ...
    @property
    def status(self) -> OrderStatus: ...
    @property
    def trigger_type(self) -> TriggerType: ...
    @property
    def trailing_offset_type(self) -> TrailingOffsetType: ...
    @property
    def contingency_type(self) -> ContingencyType: ...
    @property
    def liquidity_side(self) -> LiquiditySide: ...
    @property
    def quantity(self) -> Quantity: ...
    @property
    def filled_qty(self) -> Quantity: ...
    @property
    def leaves_qty(self) -> Quantity: ...
    @property
    def price(self) -> Price | None: ...
    @property
    def trigger_price(self) -> Price | None: ...
    @property
    def activation_price(self) -> Price | None: ...
    @property
    def display_qty(self) -> Quantity | None: ...
    @property
    def trailing_offset(self) -> Decimal | None: ...
    @property
    def limit_offset(self) -> Decimal | None: ...
    @property
    def linked_order_ids(self) -> list[ClientOrderId] | None: ...
    @property
    def tags(self) -> list[str] | None: ...
    @property
    def events(self) -> list[OrderEvent]: ...
    @property
    def init_event(self) -> OrderInitialized: ...
    @property
    def last_event(self) -> OrderEvent: ...
    @property
    def event_count(self) -> int: ...
    @property
    def trade_ids(self) -> list[TradeId]: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def is_working(self) -> bool: ...
    @property
    def is_closed(self) -> bool: ...
    @property
    def is_inflight(self) -> bool: ...
    @property
    def is_pending_update(self) -> bool: ...
    @property
    def is_pending_cancel(self) -> bool: ...
    @property
    def is_buy(self) -> bool: ...
    @property
    def is_sell(self) -> bool: ...
    @property
    def is_aggressive(self) -> bool: ...
    @property
    def is_passive(self) -> bool: ...
    @property
    def is_contingency(self) -> bool: ...
    @property
    def is_parent_order(self) -> bool: ...
    @property
    def is_child_order(self) -> bool: ...
