from decimal import Decimal

from alphaforge._core.currency import Currency, Money
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
from alphaforge.model.enums import (
    ContingencyType,
    LiquiditySide,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)

DATA_TYPES: tuple[str, ...]

def reset_event_ids(start: int = 1) -> None: ...
def peek_next_event_id() -> int: ...

class OrderEvent:
    trader_id: TraderId
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    account_id: AccountId | None
    event_id: int
    ts_event: int
    ts_init: int
    @property
    def id(self) -> int: ...
    def __hash__(self) -> int: ...

class OrderInitialized(OrderEvent):
    side_c: int
    order_type_c: int
    time_in_force_c: int
    trigger_type_c: int
    trailing_offset_type_c: int
    contingency_type_c: int
    quantity_raw: int
    qty_prec: int
    price_raw: int
    px_prec: int
    has_price: bool
    trigger_price_raw: int
    has_trigger: bool
    expire_time_ns: int
    post_only: bool
    reduce_only: bool
    quote_quantity: bool
    display_qty_raw: int
    trailing_offset_raw: int
    limit_offset_raw: int
    activation_price_raw: int
    has_activation: bool
    order_list_id: OrderListId | None
    linked_order_ids: tuple[ClientOrderId, ...] | None
    parent_order_id: ClientOrderId | None
    tags: tuple[str, ...] | None
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        side: OrderSide | str | int,
        order_type: OrderType | str | int,
        quantity: Quantity,
        time_in_force: TimeInForce | str | int,
        ts_init: int,
        *,
        price: Price | None = None,
        trigger_price: Price | None = None,
        trigger_type: TriggerType | str | int = 0,
        expire_time_ns: int = 0,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: Quantity | None = None,
        trailing_offset: Decimal | float | int | str | None = None,
        trailing_offset_type: TrailingOffsetType | str | int = 0,
        limit_offset: Decimal | float | int | str | None = None,
        activation_price: Price | None = None,
        order_list_id: OrderListId | None = None,
        contingency_type: ContingencyType | str | int = 0,
        linked_order_ids: list[ClientOrderId] | tuple[ClientOrderId, ...] | None = None,
        parent_order_id: ClientOrderId | None = None,
        tags: list[str] | tuple[str, ...] | None = None,
        event_id: int = 0,
    ) -> None: ...
    @property
    def side(self) -> OrderSide: ...
    @property
    def order_type(self) -> OrderType: ...
    @property
    def time_in_force(self) -> TimeInForce: ...
    @property
    def trigger_type(self) -> TriggerType: ...
    @property
    def trailing_offset_type(self) -> TrailingOffsetType: ...
    @property
    def contingency_type(self) -> ContingencyType: ...
    @property
    def quantity(self) -> Quantity: ...
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

class OrderDenied(OrderEvent):
    reason: str
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        reason: str,
        ts_event: int,
        ts_init: int,
        *,
        event_id: int = 0,
    ) -> None: ...

class OrderSubmitted(OrderEvent):
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        account_id: AccountId | None,
        ts_event: int,
        ts_init: int,
        *,
        event_id: int = 0,
    ) -> None: ...

class OrderRejected(OrderEvent):
    reason: str
    due_post_only: bool
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        account_id: AccountId | None,
        reason: str,
        ts_event: int,
        ts_init: int,
        *,
        due_post_only: bool = False,
        event_id: int = 0,
    ) -> None: ...

class _VenueEvent(OrderEvent):
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        account_id: AccountId | None,
        ts_event: int,
        ts_init: int,
        *,
        event_id: int = 0,
    ) -> None: ...

class OrderAccepted(_VenueEvent): ...
class OrderCanceled(_VenueEvent): ...
class OrderExpired(_VenueEvent): ...
class OrderTriggered(_VenueEvent): ...
class OrderPendingUpdate(_VenueEvent): ...
class OrderPendingCancel(_VenueEvent): ...

class _RequestRejected(OrderEvent):
    reason: str
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        account_id: AccountId | None,
        reason: str,
        ts_event: int,
        ts_init: int,
        *,
        event_id: int = 0,
    ) -> None: ...

class OrderModifyRejected(_RequestRejected): ...
class OrderCancelRejected(_RequestRejected): ...

class OrderUpdated(OrderEvent):
    quantity_raw: int
    qty_prec: int
    price_raw: int
    trigger_price_raw: int
    px_prec: int
    has_price: bool
    has_trigger: bool
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        account_id: AccountId | None,
        quantity: Quantity,
        price: Price | None,
        trigger_price: Price | None,
        ts_event: int,
        ts_init: int,
        *,
        event_id: int = 0,
    ) -> None: ...
    @property
    def quantity(self) -> Quantity: ...
    @property
    def price(self) -> Price | None: ...
    @property
    def trigger_price(self) -> Price | None: ...

class OrderFilled(OrderEvent):
    trade_id: TradeId
    position_id: PositionId | None
    side: int
    order_type_c: int
    last_qty_raw: int
    last_px_raw: int
    qty_prec: int
    px_prec: int
    currency: Currency
    commission_raw: int
    commission_currency: Currency
    liquidity_side_c: int
    data_type: str
    data_ts: int
    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        account_id: AccountId | None,
        trade_id: TradeId,
        order_side: OrderSide | str | int,
        order_type: OrderType | str | int,
        last_qty: Quantity,
        last_px: Price,
        currency: Currency,
        commission: Money,
        liquidity_side: LiquiditySide | str | int,
        ts_event: int,
        ts_init: int,
        *,
        position_id: PositionId | None = None,
        data_type: str = "",
        data_ts: int = 0,
        event_id: int = 0,
    ) -> None: ...
    @property
    def order_side(self) -> OrderSide: ...
    @property
    def order_type(self) -> OrderType: ...
    @property
    def liquidity_side(self) -> LiquiditySide: ...
    @property
    def last_qty(self) -> Quantity: ...
    @property
    def last_px(self) -> Price: ...
    @property
    def commission(self) -> Money: ...
    def to_dict(self) -> dict[str, object]: ...
    @property
    def is_buy(self) -> bool: ...
    @property
    def is_sell(self) -> bool: ...
