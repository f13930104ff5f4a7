from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Protocol

from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import (
    ClientOrderId,
    InstrumentId,
    OrderListId,
    StrategyId,
    TraderId,
)
from alphaforge._core.instruments import Instrument
from alphaforge._core.orders import Order
from alphaforge.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)

_Side = OrderSide | str | int
_Qty = Quantity | int | float | Decimal | str
_Px = Price | int | float | Decimal | str
_Offset = Decimal | int | float | str | Price
_Tif = TimeInForce | str | int
_Trig = TriggerType | str | int

class _ClockLike(Protocol):
    def timestamp_ns(self) -> int: ...

class _CacheLike(Protocol):
    def instrument(self, instrument_id: InstrumentId) -> Instrument | None: ...

class OrderList:
    id: OrderListId
    instrument_id: InstrumentId
    strategy_id: StrategyId
    contingency_type_c: int
    ts_init: int
    def __init__(self, order_list_id: OrderListId, orders: Iterable[Order]) -> None: ...
    @property
    def orders(self) -> list[Order]: ...
    @property
    def first(self) -> Order: ...
    @property
    def contingency_type(self) -> ContingencyType: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Order]: ...
    def __getitem__(self, i: int) -> Order: ...

class OrderFactory:
    trader_id: TraderId
    strategy_id: StrategyId
    def __init__(
        self,
        trader_id: TraderId | str,
        strategy_id: StrategyId | str,
        clock: _ClockLike,
        cache: _CacheLike | None = None,
        *,
        initial_count: int = 0,
        initial_list_count: int = 0,
    ) -> None: ...
    def generate_client_order_id(self) -> ClientOrderId: ...
    def generate_order_list_id(self) -> OrderListId: ...
    @property
    def count(self) -> int: ...
    def set_count(self, count: int) -> None: ...
    def reset(self) -> None: ...
    def register_instrument(self, instrument: Instrument) -> None: ...
    def market(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        time_in_force: _Tif = ...,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def limit(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        price: _Px,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: _Qty | None = None,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def stop_market(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        trigger_price: _Px,
        trigger_type: _Trig = 0,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def stop_limit(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        price: _Px,
        trigger_price: _Px,
        trigger_type: _Trig = 0,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: _Qty | None = None,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def market_to_limit(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: _Qty | None = None,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def market_if_touched(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        trigger_price: _Px,
        trigger_type: _Trig = 0,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def limit_if_touched(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        price: _Px,
        trigger_price: _Px,
        trigger_type: _Trig = 0,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: _Qty | None = None,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def trailing_stop_market(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        trailing_offset: _Offset,
        trailing_offset_type: TrailingOffsetType | str | int = 1,
        activation_price: _Px | None = None,
        trigger_price: _Px | None = None,
        trigger_type: _Trig = 0,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def trailing_stop_limit(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        limit_offset: _Offset,
        trailing_offset: _Offset,
        trailing_offset_type: TrailingOffsetType | str | int = 1,
        price: _Px | None = None,
        trigger_price: _Px | None = None,
        activation_price: _Px | None = None,
        trigger_type: _Trig = 0,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: _Qty | None = None,
        tags: list[str] | str | None = None,
    ) -> Order: ...
    def create_list(self, orders: Iterable[Order], contingency_type: ContingencyType | str | int = 0) -> OrderList: ...
    def oco(self, orders: Iterable[Order]) -> OrderList: ...
    def ouo(self, orders: Iterable[Order]) -> OrderList: ...
    def oto(self, parent: Order, children: Iterable[Order]) -> OrderList: ...
    def bracket(
        self,
        instrument_id: InstrumentId | str,
        side: _Side,
        quantity: _Qty,
        tp_price: _Px | None = None,
        sl_trigger_price: _Px | None = None,
        entry_price: _Px | None = None,
        entry_order_type: OrderType | str | int | None = None,
        entry_trigger_price: _Px | None = None,
        time_in_force: _Tif = ...,
        expire_time_ns: int = 0,
        entry_post_only: bool = False,
        tp_order_type: OrderType | str | int = ...,
        tp_trigger_price: _Px | None = None,
        tp_trigger_type: _Trig = 0,
        tp_post_only: bool = False,
        tp_time_in_force: _Tif = ...,
        sl_order_type: OrderType | str | int = ...,
        sl_price: _Px | None = None,
        sl_trigger_type: _Trig = 0,
        sl_time_in_force: _Tif = ...,
        contingency_type: ContingencyType | str | int = ...,
        entry_tags: list[str] | str | None = None,
        tp_tags: list[str] | str | None = None,
        sl_tags: list[str] | str | None = None,
    ) -> OrderList: ...
