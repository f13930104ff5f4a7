# Order events: light cdef classes carrying C fields. Every event has trader_id, strategy_id,
# instrument_id, client_order_id, a deterministic event_id (a process counter the engine resets at
# the start of a run with reset_event_ids(); never a random uuid), ts_event and ts_init (UNIX ns).
#
# Naming convention shared with orders.pxd: enum-valued C fields end in `_c` (plain ints, values of
# alphaforge.model.enums) and the Python property without the suffix returns the IntEnum; prices and
# quantities are `*_raw` int64 at scale 1e9 plus `px_prec`/`qty_prec`, the Python property without
# `_raw` returns Price/Quantity. Exception (fixed contract for positions/accounts): OrderFilled.side
# is the C int and OrderFilled.order_side the OrderSide enum.
from libc.stdint cimport int64_t, uint8_t

from alphaforge._core.currency cimport Currency
from alphaforge._core.identifiers cimport (
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

# ---- C mirrors of alphaforge.model.enums (same values; prefixed to avoid clashes) ----
cdef enum OrderTypeC:
    OT_MARKET = 1
    OT_LIMIT = 2
    OT_STOP_MARKET = 3
    OT_STOP_LIMIT = 4
    OT_MARKET_TO_LIMIT = 5
    OT_MARKET_IF_TOUCHED = 6
    OT_LIMIT_IF_TOUCHED = 7
    OT_TRAILING_STOP_MARKET = 8
    OT_TRAILING_STOP_LIMIT = 9

cdef enum TimeInForceC:
    TIF_GTC = 1
    TIF_IOC = 2
    TIF_FOK = 3
    TIF_GTD = 4
    TIF_DAY = 5
    TIF_AT_THE_OPEN = 6
    TIF_AT_THE_CLOSE = 7

cdef enum OrderStatusC:
    OS_INITIALIZED = 1
    OS_DENIED = 2
    OS_SUBMITTED = 3
    OS_ACCEPTED = 4
    OS_REJECTED = 5
    OS_TRIGGERED = 6
    OS_PENDING_UPDATE = 7
    OS_PENDING_CANCEL = 8
    OS_PARTIALLY_FILLED = 9
    OS_FILLED = 10
    OS_CANCELED = 11
    OS_EXPIRED = 12

cdef enum LiquiditySideC:
    LIQ_NONE = 0
    LIQ_MAKER = 1
    LIQ_TAKER = 2

cdef enum ContingencyTypeC:
    CONT_NONE = 0
    CONT_OCO = 1
    CONT_OTO = 2
    CONT_OUO = 3

cdef enum TriggerTypeC:
    TRIG_DEFAULT = 0
    TRIG_LAST_PRICE = 1
    TRIG_BID_ASK = 2
    TRIG_MID_POINT = 3
    TRIG_MARK_PRICE = 4

cdef enum TrailingOffsetTypeC:
    TOFF_NONE = 0
    TOFF_PRICE = 1
    TOFF_BASIS_POINTS = 2
    TOFF_TICKS = 3

# Event kinds (OrderEvent.kind). 2..12 equal the OrderStatus they lead to (FILLED covers partial).
cdef enum OrderEventKind:
    EVK_INITIALIZED = 1
    EVK_DENIED = 2
    EVK_SUBMITTED = 3
    EVK_ACCEPTED = 4
    EVK_REJECTED = 5
    EVK_TRIGGERED = 6
    EVK_PENDING_UPDATE = 7
    EVK_PENDING_CANCEL = 8
    EVK_FILLED = 10
    EVK_CANCELED = 11
    EVK_EXPIRED = 12
    EVK_UPDATED = 13
    EVK_MODIFY_REJECTED = 14
    EVK_CANCEL_REJECTED = 15

# Next deterministic event id (process counter; reset_event_ids() restarts it).
cdef int64_t next_event_id() noexcept

# Fast IntEnum argument parsing: member, int value or name (case-insensitive) -> int value;
# ValueError naming `field` and the valid names otherwise.
cdef int enum_value(object cls, object value, str field) except -1

# Raw 1e9-scale offset -> exact Decimal without trailing zeros.
cdef object offset_to_decimal(int64_t raw)

# Field validation for a new order (ValueError naming the field); see OrderInitialized docs.
cdef int validate_initialized(OrderInitialized e) except -1


cdef class OrderEvent:
    cdef readonly TraderId trader_id
    cdef readonly StrategyId strategy_id
    cdef readonly InstrumentId instrument_id
    cdef readonly ClientOrderId client_order_id
    cdef readonly VenueOrderId venue_order_id     # None when not known / not applicable
    cdef readonly AccountId account_id            # None when not known / not applicable
    cdef readonly int64_t event_id
    """Deterministic counter id (int >= 1)."""
    cdef readonly int64_t ts_event
    """When the event happened, UNIX ns."""
    cdef readonly int64_t ts_init
    """When the event object was created, UNIX ns."""
    cdef int kind                                 # OrderEventKind
    cdef str _extra(self)


cdef class OrderInitialized(OrderEvent):
    cdef readonly int side_c
    cdef readonly int order_type_c
    cdef readonly int time_in_force_c
    cdef readonly int trigger_type_c
    cdef readonly int trailing_offset_type_c
    cdef readonly int contingency_type_c
    cdef readonly int64_t quantity_raw
    cdef readonly uint8_t qty_prec
    cdef readonly int64_t price_raw               # valid when has_price
    cdef readonly uint8_t px_prec                 # precision of price/trigger/activation prices
    cdef readonly bint has_price
    cdef readonly int64_t trigger_price_raw       # valid when has_trigger
    cdef readonly bint has_trigger
    cdef readonly int64_t expire_time_ns          # 0 = none (GTD requires > 0)
    cdef readonly bint post_only
    cdef readonly bint reduce_only
    cdef readonly bint quote_quantity
    cdef readonly int64_t display_qty_raw         # -1 = no display quantity (not an iceberg)
    cdef readonly int64_t trailing_offset_raw     # 1e9 scale: price units, basis points or ticks
    cdef readonly int64_t limit_offset_raw        # 1e9 scale, same unit as trailing_offset
    cdef readonly int64_t activation_price_raw    # valid when has_activation
    cdef readonly bint has_activation
    cdef readonly OrderListId order_list_id
    cdef readonly tuple linked_order_ids          # tuple of ClientOrderId or None
    cdef readonly ClientOrderId parent_order_id
    cdef readonly tuple tags                      # tuple of str or None


cdef class OrderDenied(OrderEvent):
    cdef readonly str reason

    @staticmethod
    cdef OrderDenied create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                              ClientOrderId client_order_id, str reason, int64_t ts_event,
                              int64_t ts_init)


cdef class OrderSubmitted(OrderEvent):
    @staticmethod
    cdef OrderSubmitted create_c(TraderId trader_id, StrategyId strategy_id,
                                 InstrumentId instrument_id, ClientOrderId client_order_id,
                                 AccountId account_id, int64_t ts_event, int64_t ts_init)


cdef class OrderAccepted(OrderEvent):
    @staticmethod
    cdef OrderAccepted create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                ClientOrderId client_order_id, VenueOrderId venue_order_id,
                                AccountId account_id, int64_t ts_event, int64_t ts_init)


cdef class OrderRejected(OrderEvent):
    cdef readonly str reason
    cdef readonly bint due_post_only

    @staticmethod
    cdef OrderRejected create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                ClientOrderId client_order_id, AccountId account_id, str reason,
                                bint due_post_only, int64_t ts_event, int64_t ts_init)


# Canceled / Expired / Triggered / PendingUpdate / PendingCancel share one C constructor shape.
cdef class OrderCanceled(OrderEvent):
    @staticmethod
    cdef OrderCanceled create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                ClientOrderId client_order_id, VenueOrderId venue_order_id,
                                AccountId account_id, int64_t ts_event, int64_t ts_init)


cdef class OrderExpired(OrderEvent):
    @staticmethod
    cdef OrderExpired create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                               ClientOrderId client_order_id, VenueOrderId venue_order_id,
                               AccountId account_id, int64_t ts_event, int64_t ts_init)


cdef class OrderTriggered(OrderEvent):
    @staticmethod
    cdef OrderTriggered create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                 ClientOrderId client_order_id, VenueOrderId venue_order_id,
                                 AccountId account_id, int64_t ts_event, int64_t ts_init)


cdef class OrderPendingUpdate(OrderEvent):
    @staticmethod
    cdef OrderPendingUpdate create_c(TraderId trader_id, StrategyId strategy_id,
                                     InstrumentId instrument_id, ClientOrderId client_order_id,
                                     VenueOrderId venue_order_id, AccountId account_id,
                                     int64_t ts_event, int64_t ts_init)


cdef class OrderPendingCancel(OrderEvent):
    @staticmethod
    cdef OrderPendingCancel create_c(TraderId trader_id, StrategyId strategy_id,
                                     InstrumentId instrument_id, ClientOrderId client_order_id,
                                     VenueOrderId venue_order_id, AccountId account_id,
                                     int64_t ts_event, int64_t ts_init)


cdef class OrderModifyRejected(OrderEvent):
    cdef readonly str reason

    @staticmethod
    cdef OrderModifyRejected create_c(TraderId trader_id, StrategyId strategy_id,
                                      InstrumentId instrument_id, ClientOrderId client_order_id,
                                      VenueOrderId venue_order_id, AccountId account_id, str reason,
                                      int64_t ts_event, int64_t ts_init)


cdef class OrderCancelRejected(OrderEvent):
    cdef readonly str reason

    @staticmethod
    cdef OrderCancelRejected create_c(TraderId trader_id, StrategyId strategy_id,
                                      InstrumentId instrument_id, ClientOrderId client_order_id,
                                      VenueOrderId venue_order_id, AccountId account_id, str reason,
                                      int64_t ts_event, int64_t ts_init)


cdef class OrderUpdated(OrderEvent):
    cdef readonly int64_t quantity_raw            # the new total quantity (always present)
    cdef readonly uint8_t qty_prec
    cdef readonly int64_t price_raw               # valid when has_price
    cdef readonly int64_t trigger_price_raw       # valid when has_trigger
    cdef readonly uint8_t px_prec
    cdef readonly bint has_price
    cdef readonly bint has_trigger

    @staticmethod
    cdef OrderUpdated create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                               ClientOrderId client_order_id, VenueOrderId venue_order_id,
                               AccountId account_id, int64_t quantity_raw, uint8_t qty_prec,
                               bint has_price, int64_t price_raw, bint has_trigger,
                               int64_t trigger_price_raw, uint8_t px_prec,
                               int64_t ts_event, int64_t ts_init)


cdef class OrderFilled(OrderEvent):
    cdef readonly TradeId trade_id
    cdef readonly PositionId position_id          # None unless the venue/OMS assigned one
    cdef readonly int side                        # OrderSide value (1 BUY, 2 SELL)
    cdef readonly int order_type_c
    cdef readonly int64_t last_qty_raw
    cdef readonly int64_t last_px_raw
    cdef readonly uint8_t qty_prec
    cdef readonly uint8_t px_prec
    cdef readonly Currency currency               # currency of last_px (quote/settlement)
    cdef readonly int64_t commission_raw          # 1e9 scale, in commission_currency (>0 = paid)
    cdef readonly Currency commission_currency
    cdef readonly int liquidity_side_c
    cdef readonly str data_type                   # "BAR" / "QUOTE" / "TRADE" / "BOOK" ("" unknown)
    cdef readonly int64_t data_ts                 # ts_event of the data point that produced the fill

    @staticmethod
    cdef OrderFilled create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                              ClientOrderId client_order_id, VenueOrderId venue_order_id,
                              AccountId account_id, TradeId trade_id, PositionId position_id,
                              int side, int order_type, int64_t last_qty_raw, uint8_t qty_prec,
                              int64_t last_px_raw, uint8_t px_prec, Currency currency,
                              int64_t commission_raw, Currency commission_currency,
                              int liquidity_side, str data_type, int64_t data_ts,
                              int64_t ts_event, int64_t ts_init)
