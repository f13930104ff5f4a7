"""Orders, order events, the order state machine and the order factory.

``OrderFactory(trader_id, strategy_id, clock)`` builds validated orders (``market``, ``limit``,
``stop_market``, ``stop_limit``, ``market_to_limit``, ``market_if_touched``, ``limit_if_touched``,
``trailing_stop_market``, ``trailing_stop_limit``) and contingent ``OrderList``s (``bracket``,
``oco``, ``oto``, ``ouo``, ``create_list``). ``Order.apply(event)`` drives the one state machine
(see ``valid_transitions()``); an invalid transition raises ``InvalidStateTrigger``.
"""

from alphaforge._core.order_events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
    peek_next_event_id,
    reset_event_ids,
)
from alphaforge._core.order_factory import OrderFactory, OrderList
from alphaforge._core.orders import InvalidStateTrigger, Order, OrderOverfillError, valid_transitions
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

__all__ = [
    "ContingencyType",
    "InvalidStateTrigger",
    "LiquiditySide",
    "Order",
    "OrderAccepted",
    "OrderCancelRejected",
    "OrderCanceled",
    "OrderDenied",
    "OrderEvent",
    "OrderExpired",
    "OrderFactory",
    "OrderFilled",
    "OrderInitialized",
    "OrderList",
    "OrderModifyRejected",
    "OrderOverfillError",
    "OrderPendingCancel",
    "OrderPendingUpdate",
    "OrderRejected",
    "OrderSide",
    "OrderStatus",
    "OrderSubmitted",
    "OrderTriggered",
    "OrderType",
    "OrderUpdated",
    "TimeInForce",
    "TrailingOffsetType",
    "TriggerType",
    "peek_next_event_id",
    "reset_event_ids",
    "valid_transitions",
]
