"""Order events: light cdef classes with C fields (see order_events.pxd for the field contract).

Every event carries ``trader_id``, ``strategy_id``, ``instrument_id``, ``client_order_id``,
``venue_order_id`` / ``account_id`` (None where not known), a deterministic ``event_id`` (int from a
process counter; ``reset_event_ids()`` restarts it so a run replays the same ids), ``ts_event`` and
``ts_init`` (UNIX ns). Prices/quantities are stored raw (int64 at 1e9) with a precision; the Python
properties return ``Price`` / ``Quantity`` / ``Money`` and enum properties return the IntEnums of
``alphaforge.model.enums``.
"""
from decimal import Decimal

cimport cython

from cpython.list cimport PyList_GET_ITEM
from libc.stdint cimport int64_t, uint8_t, uint64_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport Price, Quantity, raw_fits_precision, raw_to_str
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

from alphaforge.model.enums import (
    ContingencyType,
    LiquiditySide,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)

cdef int64_t _EVENT_SEQ = 0

cdef tuple _SIDES = tuple(OrderSide(i) for i in range(3))
cdef tuple _TYPES = (None,) + tuple(OrderType(i) for i in range(1, 10))
cdef tuple _TIFS = (None,) + tuple(TimeInForce(i) for i in range(1, 8))
cdef tuple _LIQ = tuple(LiquiditySide(i) for i in range(3))
cdef tuple _CONT = tuple(ContingencyType(i) for i in range(4))
cdef tuple _TRIG = tuple(TriggerType(i) for i in range(5))
cdef tuple _TOFF = tuple(TrailingOffsetType(i) for i in range(4))

DATA_TYPES = ("", "BAR", "QUOTE", "TRADE", "BOOK")


cdef int64_t next_event_id() noexcept:
    global _EVENT_SEQ
    _EVENT_SEQ += 1
    return _EVENT_SEQ


def reset_event_ids(int64_t start=1) -> None:
    """Restart the deterministic event-id counter: the next event gets ``start`` (default 1).

    A backtest engine calls this at the start of a run so the same inputs give the same ids."""
    global _EVENT_SEQ
    if start < 1:
        raise ValueError(f"invalid event id start {start}: must be >= 1")
    _EVENT_SEQ = start - 1


def peek_next_event_id() -> int:
    """The id the next event created without an explicit ``event_id`` will get."""
    return _EVENT_SEQ + 1


cdef class _EnumInfo:
    """What ``enum_value`` checks against for one enum class: member names, and the member
    values as a 64-bit mask (values 0..63) plus a frozenset (all values)."""
    cdef dict names
    cdef frozenset values
    cdef uint64_t mask


cdef dict _ENUM_CACHE = {}     # enum class -> _EnumInfo


# the few enum classes checked on every order, found by identity before the dict lookup
cdef list _ENUM_RECENT_CLS = [None] * 8
cdef list _ENUM_RECENT_INFO = [None] * 8
cdef Py_ssize_t _ENUM_RECENT_NEXT = 0


cdef _EnumInfo _enum_info(object cls):
    global _ENUM_RECENT_NEXT
    cdef Py_ssize_t i
    for i in range(8):
        if <object>PyList_GET_ITEM(_ENUM_RECENT_CLS, i) is cls:
            return <_EnumInfo>PyList_GET_ITEM(_ENUM_RECENT_INFO, i)
    cdef _EnumInfo info = _ENUM_CACHE.get(cls)
    cdef long v
    if info is None:
        info = _EnumInfo.__new__(_EnumInfo)
        info.names = {m.name: int(m) for m in cls}
        info.values = frozenset(info.names.values())
        info.mask = 0
        for v in info.values:
            if 0 <= v < 64:
                info.mask |= (<uint64_t>1) << v
        _ENUM_CACHE[cls] = info
    _ENUM_RECENT_CLS[_ENUM_RECENT_NEXT] = cls
    _ENUM_RECENT_INFO[_ENUM_RECENT_NEXT] = info
    _ENUM_RECENT_NEXT = (_ENUM_RECENT_NEXT + 1) & 7
    return info


cdef int enum_value(object cls, object value, str field) except -1:
    cdef _EnumInfo info = _enum_info(cls)
    cdef object v
    cdef long c
    if isinstance(value, int) and not isinstance(value, bool):
        # test the C integer: an IntEnum member in a frozenset goes through Enum's Python-level
        # equality (~250 ns); its C value does not
        try:
            c = value
        except OverflowError:
            c = -1                       # never a member: reported below
        if 0 <= c < 64:
            if (info.mask >> c) & 1:
                return <int>c
        elif c in info.values:
            return <int>c
    elif isinstance(value, str):
        v = info.names.get(value)
        if v is None:
            v = info.names.get(value.strip().upper())
        if v is not None:
            return <int>v
    raise ValueError(f"invalid {field} {value!r}: expected one of "
                     f"{', '.join(info.names.keys())} ({cls.__name__})")


cdef inline object _enum(tuple table, int value):
    if 0 <= value < len(table) and table[value] is not None:
        return table[value]
    return value


cdef object offset_to_decimal(int64_t raw):
    """Raw 1e9-scale offset -> Decimal with trailing zeros removed (exact)."""
    cdef str s = raw_to_str(raw, 9)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return Decimal(s)


cdef inline void _base(OrderEvent e, int kind, TraderId trader_id, StrategyId strategy_id,
                       InstrumentId instrument_id, ClientOrderId client_order_id,
                       VenueOrderId venue_order_id, AccountId account_id, int64_t ts_event,
                       int64_t ts_init, int64_t event_id) noexcept:
    global _EVENT_SEQ
    e.kind = kind
    e.trader_id = trader_id
    e.strategy_id = strategy_id
    e.instrument_id = instrument_id
    e.client_order_id = client_order_id
    e.venue_order_id = venue_order_id
    e.account_id = account_id
    e.ts_event = ts_event
    e.ts_init = ts_init
    if event_id <= 0:
        _EVENT_SEQ += 1
        e.event_id = _EVENT_SEQ
    else:
        e.event_id = event_id


cdef int _check_py_base(object trader_id, object strategy_id, object instrument_id,
                        object client_order_id, int64_t ts_event, int64_t ts_init) except -1:
    if trader_id is None or strategy_id is None or instrument_id is None or client_order_id is None:
        raise ValueError("order event: trader_id, strategy_id, instrument_id and client_order_id are required")
    if ts_event < 0 or ts_init < 0:
        raise ValueError(f"order event: ts_event ({ts_event}) and ts_init ({ts_init}) must be >= 0 ns")
    return 0


# Events hold only identifiers, strings, tuples and currencies: they cannot form reference
# cycles, so they skip the cyclic GC (cheaper allocation, no GC scans of event lists).
@cython.no_gc
cdef class OrderEvent:
    """Base of every order event (not instantiated directly)."""

    def __init__(self, *args, **kwargs):
        raise TypeError("OrderEvent is abstract: create a concrete event such as OrderAccepted")

    @property
    def id(self) -> int:
        """Alias of ``event_id``."""
        return self.event_id

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return (self.event_id == (<OrderEvent>other).event_id
                and self.client_order_id == (<OrderEvent>other).client_order_id)

    def __hash__(self):
        return hash((self.event_id, self.client_order_id))

    cdef str _extra(self):
        return ""

    def __repr__(self):
        cdef str extra = self._extra()
        return (f"{type(self).__name__}(client_order_id={self.client_order_id}, "
                f"instrument_id={self.instrument_id}{extra}, event_id={self.event_id}, "
                f"ts_event={self.ts_event})")


# ------------------------------------------------------------------------------------------------
# OrderInitialized
# ------------------------------------------------------------------------------------------------

cdef bint _needs_price(int t) noexcept:
    return t == OT_LIMIT or t == OT_STOP_LIMIT or t == OT_LIMIT_IF_TOUCHED


cdef bint _forbids_price(int t) noexcept:
    return (t == OT_MARKET or t == OT_STOP_MARKET or t == OT_MARKET_IF_TOUCHED
            or t == OT_TRAILING_STOP_MARKET or t == OT_MARKET_TO_LIMIT)


cdef bint _needs_trigger(int t) noexcept:
    return (t == OT_STOP_MARKET or t == OT_STOP_LIMIT or t == OT_MARKET_IF_TOUCHED
            or t == OT_LIMIT_IF_TOUCHED)


cdef bint _is_trailing(int t) noexcept:
    return t == OT_TRAILING_STOP_MARKET or t == OT_TRAILING_STOP_LIMIT


cdef bint _is_limit_kind(int t) noexcept:
    # orders that rest with a limit price (post-only and display quantity make sense)
    return (t == OT_LIMIT or t == OT_STOP_LIMIT or t == OT_LIMIT_IF_TOUCHED
            or t == OT_TRAILING_STOP_LIMIT or t == OT_MARKET_TO_LIMIT)


cdef int validate_initialized(OrderInitialized e) except -1:
    # messages are built only when raising (this runs for every order the factory makes)
    cdef int t = e.order_type_c
    if e.side_c != 1 and e.side_c != 2:
        raise ValueError(f"order {e.client_order_id}: invalid side {e.side_c}: expected BUY (1) or SELL (2)")
    if t < 1 or t > 9:
        raise ValueError(f"order {e.client_order_id}: invalid order_type {t}: expected 1-9 (OrderType)")
    if e.time_in_force_c < 1 or e.time_in_force_c > 7:
        raise ValueError(f"order {e.client_order_id}: invalid time_in_force {e.time_in_force_c}: expected 1-7 (TimeInForce)")
    if e.quantity_raw <= 0:
        raise ValueError(f"order {e.client_order_id}: quantity must be positive, got {raw_to_str(e.quantity_raw, e.qty_prec)}")
    if e.qty_prec > 9 or e.px_prec > 9:
        raise ValueError(f"order {e.client_order_id}: precision must be 0-9 (qty_prec={e.qty_prec}, px_prec={e.px_prec})")
    if not raw_fits_precision(e.quantity_raw, e.qty_prec):
        raise ValueError(f"order {e.client_order_id}: quantity raw {e.quantity_raw} has more decimals than qty_prec={e.qty_prec}")
    # time in force
    if e.time_in_force_c == TIF_GTD:
        if e.expire_time_ns <= 0:
            raise ValueError(f"order {e.client_order_id}: time_in_force GTD requires expire_time_ns > 0")
        if e.expire_time_ns <= e.ts_init:
            raise ValueError(f"order {e.client_order_id}: expire_time_ns {e.expire_time_ns} is not after ts_init {e.ts_init}")
        if t == OT_MARKET:
            raise ValueError(f"order {e.client_order_id}: time_in_force GTD is not valid for a MARKET order")
    elif e.expire_time_ns != 0:
        raise ValueError(f"order {e.client_order_id}: expire_time_ns given but time_in_force is "
                         f"{TimeInForce(e.time_in_force_c).name}; use GTD")
    # price / trigger presence
    if _needs_price(t) and not e.has_price:
        raise ValueError(f"order {e.client_order_id}: price is required for a {_TYPES[t].name} order")
    if _forbids_price(t) and e.has_price:
        raise ValueError(f"order {e.client_order_id}: price is not valid for a {_TYPES[t].name} order")
    if _needs_trigger(t) and not e.has_trigger:
        raise ValueError(f"order {e.client_order_id}: trigger_price is required for a {_TYPES[t].name} order")
    if (t == OT_MARKET or t == OT_LIMIT or t == OT_MARKET_TO_LIMIT) and e.has_trigger:
        raise ValueError(f"order {e.client_order_id}: trigger_price is not valid for a {_TYPES[t].name} order")
    if e.trigger_type_c < 0 or e.trigger_type_c > 4:
        raise ValueError(f"order {e.client_order_id}: invalid trigger_type {e.trigger_type_c}: expected 0-4 (TriggerType)")
    if e.has_price and not raw_fits_precision(e.price_raw, e.px_prec):
        raise ValueError(f"order {e.client_order_id}: price raw {e.price_raw} has more decimals than px_prec={e.px_prec}")
    if e.has_trigger and not raw_fits_precision(e.trigger_price_raw, e.px_prec):
        raise ValueError(f"order {e.client_order_id}: trigger_price raw {e.trigger_price_raw} has more decimals than px_prec={e.px_prec}")
    # flags
    if e.post_only and not _is_limit_kind(t):
        raise ValueError(f"order {e.client_order_id}: post_only is not valid for a {_TYPES[t].name} order")
    if e.post_only and (e.time_in_force_c == TIF_IOC or e.time_in_force_c == TIF_FOK):
        raise ValueError(f"order {e.client_order_id}: post_only cannot be combined with time_in_force "
                         f"{TimeInForce(e.time_in_force_c).name}")
    if e.display_qty_raw != -1:
        if e.display_qty_raw < 0:
            raise ValueError(f"order {e.client_order_id}: display_qty must be >= 0")
        if not _is_limit_kind(t):
            raise ValueError(f"order {e.client_order_id}: display_qty is not valid for a {_TYPES[t].name} order")
        if e.display_qty_raw > e.quantity_raw:
            raise ValueError(f"order {e.client_order_id}: display_qty {raw_to_str(e.display_qty_raw, e.qty_prec)} exceeds "
                             f"quantity {raw_to_str(e.quantity_raw, e.qty_prec)}")
    # trailing
    if _is_trailing(t):
        if e.trailing_offset_type_c < TOFF_PRICE or e.trailing_offset_type_c > TOFF_TICKS:
            raise ValueError(f"order {e.client_order_id}: trailing_offset_type must be PRICE, BASIS_POINTS or TICKS for a "
                             f"{_TYPES[t].name} order, got {e.trailing_offset_type_c}")
        if e.trailing_offset_raw <= 0:
            raise ValueError(f"order {e.client_order_id}: trailing_offset must be positive, got "
                             f"{offset_to_decimal(e.trailing_offset_raw)}")
        if t == OT_TRAILING_STOP_LIMIT and e.limit_offset_raw < 0:
            raise ValueError(f"order {e.client_order_id}: limit_offset must be >= 0, got {offset_to_decimal(e.limit_offset_raw)}")
        if t == OT_TRAILING_STOP_MARKET and e.limit_offset_raw != 0:
            raise ValueError(f"order {e.client_order_id}: limit_offset is not valid for a TRAILING_STOP_MARKET order")
        if e.trailing_offset_type_c == TOFF_TICKS:
            if e.trailing_offset_raw % 1000000000 != 0 or e.limit_offset_raw % 1000000000 != 0:
                raise ValueError(f"order {e.client_order_id}: TICKS offsets must be whole numbers of ticks")
        elif e.trailing_offset_type_c == TOFF_PRICE:
            if (not raw_fits_precision(e.trailing_offset_raw, e.px_prec)
                    or not raw_fits_precision(e.limit_offset_raw, e.px_prec)):
                raise ValueError(f"order {e.client_order_id}: PRICE offsets have more decimals than the price precision {e.px_prec}")
        if e.has_activation and not raw_fits_precision(e.activation_price_raw, e.px_prec):
            raise ValueError(f"order {e.client_order_id}: activation_price has more decimals than px_prec={e.px_prec}")
    else:
        if e.trailing_offset_type_c != TOFF_NONE or e.trailing_offset_raw != 0 or e.limit_offset_raw != 0:
            raise ValueError(f"order {e.client_order_id}: trailing_offset/limit_offset are only valid for trailing stop orders")
        if e.has_activation:
            raise ValueError(f"order {e.client_order_id}: activation_price is only valid for trailing stop orders")
    # contingency
    if e.contingency_type_c < 0 or e.contingency_type_c > 3:
        raise ValueError(f"order {e.client_order_id}: invalid contingency_type {e.contingency_type_c}")
    if e.contingency_type_c != CONT_NONE and not e.linked_order_ids:
        raise ValueError(f"order {e.client_order_id}: contingency {ContingencyType(e.contingency_type_c).name} needs linked_order_ids")
    if e.linked_order_ids is not None and e.client_order_id in e.linked_order_ids:
        raise ValueError(f"order {e.client_order_id}: linked_order_ids contains the order itself")
    if e.parent_order_id is not None and e.parent_order_id == e.client_order_id:
        raise ValueError(f"order {e.client_order_id}: parent_order_id is the order itself")
    return 0


cdef object _opt_qty_raw(object v, str field):
    if v is None:
        return None
    if not isinstance(v, Quantity):
        raise TypeError(f"{field} must be a Quantity or None, got {type(v).__name__}")
    return v


cdef int64_t _offset_raw(object v, str field) except? -1:
    """Decimal/int/float/str/Price offset -> raw at 1e9 (exact for Decimal/str/int)."""
    cdef object d
    if v is None:
        return 0
    if isinstance(v, Price):
        return (<Price>v).raw
    if isinstance(v, float):
        d = Decimal(repr(v))
    else:
        try:
            d = Decimal(str(v))
        except Exception:
            raise ValueError(f"invalid {field} {v!r}: expected a number") from None
    if not d.is_finite():
        raise ValueError(f"invalid {field} {v!r}: must be finite")
    d = d.scaleb(9)
    if d != d.to_integral_value():
        raise ValueError(f"invalid {field} {v!r}: more than 9 decimals")
    if abs(d) > Decimal(9_000_000_000_000_000_000):
        raise ValueError(f"invalid {field} {v!r}: out of range")
    return int(d)


@cython.no_gc
cdef class OrderInitialized(OrderEvent):
    """First event of every order: carries every field, so ``Order(init)`` rebuilds the order.

    Quantities/prices are Quantity/Price; offsets (trailing/limit) are numbers in the unit of
    ``trailing_offset_type`` (price units, basis points or ticks). Fields are validated: a
    ValueError names the field (quantity <= 0, missing price on LIMIT, GTD without expire time,
    post_only on MARKET, display_qty > quantity, bad trailing offsets, ...).
    """

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, side, order_type, Quantity quantity not None,
                 time_in_force, int64_t ts_init, *, Price price=None, Price trigger_price=None,
                 trigger_type=0, int64_t expire_time_ns=0, bint post_only=False,
                 bint reduce_only=False, bint quote_quantity=False, Quantity display_qty=None,
                 trailing_offset=None, trailing_offset_type=0, limit_offset=None,
                 Price activation_price=None, OrderListId order_list_id=None,
                 contingency_type=0, linked_order_ids=None, ClientOrderId parent_order_id=None,
                 tags=None, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_init, ts_init)
        _base(self, EVK_INITIALIZED, trader_id, strategy_id, instrument_id, client_order_id,
              None, None, ts_init, ts_init, event_id)
        self.side_c = enum_value(OrderSide, side, "side")
        self.order_type_c = enum_value(OrderType, order_type, "order_type")
        self.time_in_force_c = enum_value(TimeInForce, time_in_force, "time_in_force")
        self.trigger_type_c = enum_value(TriggerType, trigger_type, "trigger_type")
        self.trailing_offset_type_c = enum_value(TrailingOffsetType, trailing_offset_type, "trailing_offset_type")
        self.contingency_type_c = enum_value(ContingencyType, contingency_type, "contingency_type")
        self.quantity_raw = quantity.raw
        self.qty_prec = quantity.precision
        cdef int px_prec = -1
        for p in (price, trigger_price, activation_price):
            if p is not None:
                if px_prec == -1:
                    px_prec = (<Price>p).precision
                elif (<Price>p).precision != px_prec:
                    raise ValueError(f"order {client_order_id}: price, trigger_price and activation_price "
                                     "must share one precision")
        self.px_prec = <uint8_t>(px_prec if px_prec >= 0 else 0)
        self.has_price = price is not None
        self.price_raw = price.raw if price is not None else 0
        self.has_trigger = trigger_price is not None
        self.trigger_price_raw = trigger_price.raw if trigger_price is not None else 0
        self.has_activation = activation_price is not None
        self.activation_price_raw = activation_price.raw if activation_price is not None else 0
        self.expire_time_ns = expire_time_ns
        self.post_only = post_only
        self.reduce_only = reduce_only
        self.quote_quantity = quote_quantity
        self.display_qty_raw = display_qty.raw if display_qty is not None else -1
        self.trailing_offset_raw = _offset_raw(trailing_offset, "trailing_offset")
        self.limit_offset_raw = _offset_raw(limit_offset, "limit_offset")
        self.order_list_id = order_list_id
        if linked_order_ids is not None:
            linked_order_ids = tuple(linked_order_ids)
            for x in linked_order_ids:
                if not isinstance(x, ClientOrderId):
                    raise TypeError(f"linked_order_ids must hold ClientOrderId, got {type(x).__name__}")
            self.linked_order_ids = linked_order_ids if linked_order_ids else None
        self.parent_order_id = parent_order_id
        self.tags = tuple(str(t) for t in tags) if tags else None
        validate_initialized(self)

    @property
    def side(self):
        """OrderSide."""
        return _enum(_SIDES, self.side_c)

    @property
    def order_type(self):
        """OrderType."""
        return _enum(_TYPES, self.order_type_c)

    @property
    def time_in_force(self):
        """TimeInForce."""
        return _enum(_TIFS, self.time_in_force_c)

    @property
    def trigger_type(self):
        """TriggerType."""
        return _enum(_TRIG, self.trigger_type_c)

    @property
    def trailing_offset_type(self):
        """TrailingOffsetType."""
        return _enum(_TOFF, self.trailing_offset_type_c)

    @property
    def contingency_type(self):
        """ContingencyType."""
        return _enum(_CONT, self.contingency_type_c)

    @property
    def quantity(self):
        """Quantity (base units, or quote units when ``quote_quantity``)."""
        return Quantity.from_raw_c(self.quantity_raw, self.qty_prec)

    @property
    def price(self):
        """Limit price (Price) or None."""
        return Price.from_raw_c(self.price_raw, self.px_prec) if self.has_price else None

    @property
    def trigger_price(self):
        """Trigger price (Price) or None."""
        return Price.from_raw_c(self.trigger_price_raw, self.px_prec) if self.has_trigger else None

    @property
    def activation_price(self):
        """Trailing-stop activation price (Price) or None."""
        return Price.from_raw_c(self.activation_price_raw, self.px_prec) if self.has_activation else None

    @property
    def display_qty(self):
        """Iceberg display quantity (Quantity) or None."""
        return Quantity.from_raw_c(self.display_qty_raw, self.qty_prec) if self.display_qty_raw >= 0 else None

    @property
    def trailing_offset(self):
        """Trailing offset (Decimal, unit of ``trailing_offset_type``) or None."""
        return offset_to_decimal(self.trailing_offset_raw) if self.trailing_offset_type_c else None

    @property
    def limit_offset(self):
        """Limit offset of a trailing-stop-limit (Decimal) or None."""
        return offset_to_decimal(self.limit_offset_raw) if self.order_type_c == OT_TRAILING_STOP_LIMIT else None

    cdef str _extra(self):
        return (f", side={self.side.name}, type={self.order_type.name}, quantity={self.quantity}"
                + (f", price={self.price}" if self.has_price else "")
                + (f", trigger_price={self.trigger_price}" if self.has_trigger else "")
                + f", tif={self.time_in_force.name}")


# ------------------------------------------------------------------------------------------------
# Simple state events
# ------------------------------------------------------------------------------------------------

@cython.no_gc
cdef class OrderDenied(OrderEvent):
    """The risk engine (or the strategy) refused the order before it left the system."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, str reason not None, int64_t ts_event,
                 int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_DENIED, trader_id, strategy_id, instrument_id, client_order_id, None, None,
              ts_event, ts_init, event_id)
        self.reason = reason

    @staticmethod
    cdef OrderDenied create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                              ClientOrderId client_order_id, str reason, int64_t ts_event,
                              int64_t ts_init):
        cdef OrderDenied e = OrderDenied.__new__(OrderDenied)
        _base(e, EVK_DENIED, trader_id, strategy_id, instrument_id, client_order_id, None, None,
              ts_event, ts_init, 0)
        e.reason = reason
        return e

    cdef str _extra(self):
        return f", reason={self.reason!r}"


@cython.no_gc
cdef class OrderSubmitted(OrderEvent):
    """The order left the system for the venue (in flight)."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, AccountId account_id, int64_t ts_event,
                 int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_SUBMITTED, trader_id, strategy_id, instrument_id, client_order_id, None,
              account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderSubmitted create_c(TraderId trader_id, StrategyId strategy_id,
                                 InstrumentId instrument_id, ClientOrderId client_order_id,
                                 AccountId account_id, int64_t ts_event, int64_t ts_init):
        cdef OrderSubmitted e = OrderSubmitted.__new__(OrderSubmitted)
        _base(e, EVK_SUBMITTED, trader_id, strategy_id, instrument_id, client_order_id, None,
              account_id, ts_event, ts_init, 0)
        return e


@cython.no_gc
cdef class OrderAccepted(OrderEvent):
    """The venue accepted the order (it now works there under ``venue_order_id``)."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        if venue_order_id is None:
            raise ValueError(f"OrderAccepted for {client_order_id}: venue_order_id is required")
        _base(self, EVK_ACCEPTED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderAccepted create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                ClientOrderId client_order_id, VenueOrderId venue_order_id,
                                AccountId account_id, int64_t ts_event, int64_t ts_init):
        cdef OrderAccepted e = OrderAccepted.__new__(OrderAccepted)
        _base(e, EVK_ACCEPTED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        return e

    cdef str _extra(self):
        return f", venue_order_id={self.venue_order_id}"


@cython.no_gc
cdef class OrderRejected(OrderEvent):
    """The venue rejected the order (``due_post_only``: a post-only order would have taken)."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, AccountId account_id, str reason not None,
                 int64_t ts_event, int64_t ts_init, *, bint due_post_only=False, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_REJECTED, trader_id, strategy_id, instrument_id, client_order_id, None,
              account_id, ts_event, ts_init, event_id)
        self.reason = reason
        self.due_post_only = due_post_only

    @staticmethod
    cdef OrderRejected create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                ClientOrderId client_order_id, AccountId account_id, str reason,
                                bint due_post_only, int64_t ts_event, int64_t ts_init):
        cdef OrderRejected e = OrderRejected.__new__(OrderRejected)
        _base(e, EVK_REJECTED, trader_id, strategy_id, instrument_id, client_order_id, None,
              account_id, ts_event, ts_init, 0)
        e.reason = reason
        e.due_post_only = due_post_only
        return e

    cdef str _extra(self):
        return f", reason={self.reason!r}"


@cython.no_gc
cdef class OrderCanceled(OrderEvent):
    """The order was canceled (by request, IOC/FOK remainder, or a contingency)."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_CANCELED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderCanceled create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                ClientOrderId client_order_id, VenueOrderId venue_order_id,
                                AccountId account_id, int64_t ts_event, int64_t ts_init):
        cdef OrderCanceled e = OrderCanceled.__new__(OrderCanceled)
        _base(e, EVK_CANCELED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        return e


@cython.no_gc
cdef class OrderExpired(OrderEvent):
    """The order expired (GTD expire time, DAY session end)."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_EXPIRED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderExpired create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                               ClientOrderId client_order_id, VenueOrderId venue_order_id,
                               AccountId account_id, int64_t ts_event, int64_t ts_init):
        cdef OrderExpired e = OrderExpired.__new__(OrderExpired)
        _base(e, EVK_EXPIRED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        return e


@cython.no_gc
cdef class OrderTriggered(OrderEvent):
    """A stop / if-touched / trailing order's trigger price was reached."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_TRIGGERED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderTriggered create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                                 ClientOrderId client_order_id, VenueOrderId venue_order_id,
                                 AccountId account_id, int64_t ts_event, int64_t ts_init):
        cdef OrderTriggered e = OrderTriggered.__new__(OrderTriggered)
        _base(e, EVK_TRIGGERED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        return e


@cython.no_gc
cdef class OrderPendingUpdate(OrderEvent):
    """A modify request was sent; the order is in flight until OrderUpdated / OrderModifyRejected."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_PENDING_UPDATE, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderPendingUpdate create_c(TraderId trader_id, StrategyId strategy_id,
                                     InstrumentId instrument_id, ClientOrderId client_order_id,
                                     VenueOrderId venue_order_id, AccountId account_id,
                                     int64_t ts_event, int64_t ts_init):
        cdef OrderPendingUpdate e = OrderPendingUpdate.__new__(OrderPendingUpdate)
        _base(e, EVK_PENDING_UPDATE, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        return e


@cython.no_gc
cdef class OrderPendingCancel(OrderEvent):
    """A cancel request was sent; the order is in flight until OrderCanceled / OrderCancelRejected."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_PENDING_CANCEL, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)

    @staticmethod
    cdef OrderPendingCancel create_c(TraderId trader_id, StrategyId strategy_id,
                                     InstrumentId instrument_id, ClientOrderId client_order_id,
                                     VenueOrderId venue_order_id, AccountId account_id,
                                     int64_t ts_event, int64_t ts_init):
        cdef OrderPendingCancel e = OrderPendingCancel.__new__(OrderPendingCancel)
        _base(e, EVK_PENDING_CANCEL, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        return e


@cython.no_gc
cdef class OrderModifyRejected(OrderEvent):
    """The venue refused a modify request; a PENDING_UPDATE order returns to its prior status."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 str reason not None, int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_MODIFY_REJECTED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)
        self.reason = reason

    @staticmethod
    cdef OrderModifyRejected create_c(TraderId trader_id, StrategyId strategy_id,
                                      InstrumentId instrument_id, ClientOrderId client_order_id,
                                      VenueOrderId venue_order_id, AccountId account_id, str reason,
                                      int64_t ts_event, int64_t ts_init):
        cdef OrderModifyRejected e = OrderModifyRejected.__new__(OrderModifyRejected)
        _base(e, EVK_MODIFY_REJECTED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        e.reason = reason
        return e

    cdef str _extra(self):
        return f", reason={self.reason!r}"


@cython.no_gc
cdef class OrderCancelRejected(OrderEvent):
    """The venue refused a cancel request; a PENDING_CANCEL order returns to its prior status."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 str reason not None, int64_t ts_event, int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        _base(self, EVK_CANCEL_REJECTED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)
        self.reason = reason

    @staticmethod
    cdef OrderCancelRejected create_c(TraderId trader_id, StrategyId strategy_id,
                                      InstrumentId instrument_id, ClientOrderId client_order_id,
                                      VenueOrderId venue_order_id, AccountId account_id, str reason,
                                      int64_t ts_event, int64_t ts_init):
        cdef OrderCancelRejected e = OrderCancelRejected.__new__(OrderCancelRejected)
        _base(e, EVK_CANCEL_REJECTED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        e.reason = reason
        return e

    cdef str _extra(self):
        return f", reason={self.reason!r}"


@cython.no_gc
cdef class OrderUpdated(OrderEvent):
    """The venue applied a modify: ``quantity`` is the new total quantity (always given);
    ``price`` / ``trigger_price`` are the new values or None when unchanged."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 Quantity quantity not None, Price price, Price trigger_price, int64_t ts_event,
                 int64_t ts_init, *, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        if quantity.raw <= 0:
            raise ValueError(f"OrderUpdated for {client_order_id}: quantity must be positive, got {quantity}")
        if price is not None and trigger_price is not None and price.precision != trigger_price.precision:
            raise ValueError(f"OrderUpdated for {client_order_id}: price and trigger_price precisions differ")
        _base(self, EVK_UPDATED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)
        self.quantity_raw = quantity.raw
        self.qty_prec = quantity.precision
        self.has_price = price is not None
        self.price_raw = price.raw if price is not None else 0
        self.has_trigger = trigger_price is not None
        self.trigger_price_raw = trigger_price.raw if trigger_price is not None else 0
        self.px_prec = (price.precision if price is not None
                        else (trigger_price.precision if trigger_price is not None else 0))

    @staticmethod
    cdef OrderUpdated create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                               ClientOrderId client_order_id, VenueOrderId venue_order_id,
                               AccountId account_id, int64_t quantity_raw, uint8_t qty_prec,
                               bint has_price, int64_t price_raw, bint has_trigger,
                               int64_t trigger_price_raw, uint8_t px_prec,
                               int64_t ts_event, int64_t ts_init):
        cdef OrderUpdated e = OrderUpdated.__new__(OrderUpdated)
        _base(e, EVK_UPDATED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        e.quantity_raw = quantity_raw
        e.qty_prec = qty_prec
        e.has_price = has_price
        e.price_raw = price_raw
        e.has_trigger = has_trigger
        e.trigger_price_raw = trigger_price_raw
        e.px_prec = px_prec
        return e

    @property
    def quantity(self):
        """New total quantity (Quantity)."""
        return Quantity.from_raw_c(self.quantity_raw, self.qty_prec)

    @property
    def price(self):
        """New limit price (Price) or None if unchanged."""
        return Price.from_raw_c(self.price_raw, self.px_prec) if self.has_price else None

    @property
    def trigger_price(self):
        """New trigger price (Price) or None if unchanged."""
        return Price.from_raw_c(self.trigger_price_raw, self.px_prec) if self.has_trigger else None

    cdef str _extra(self):
        return (f", quantity={self.quantity}" + (f", price={self.price}" if self.has_price else "")
                + (f", trigger_price={self.trigger_price}" if self.has_trigger else ""))


@cython.no_gc
cdef class OrderFilled(OrderEvent):
    """A (partial) fill: ``last_qty`` at ``last_px`` (in ``currency``), ``commission`` (Money,
    positive = paid), ``liquidity_side`` MAKER/TAKER, and which data produced it (``data_type``
    "BAR"/"QUOTE"/"TRADE"/"BOOK" and ``data_ts``, the ts_event of that data point)."""

    def __init__(self, TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                 ClientOrderId client_order_id, VenueOrderId venue_order_id, AccountId account_id,
                 TradeId trade_id not None, order_side, order_type, Quantity last_qty not None,
                 Price last_px not None, Currency currency not None, Money commission not None,
                 liquidity_side, int64_t ts_event, int64_t ts_init, *, PositionId position_id=None,
                 str data_type="", int64_t data_ts=0, int64_t event_id=0):
        _check_py_base(trader_id, strategy_id, instrument_id, client_order_id, ts_event, ts_init)
        if last_qty.raw <= 0:
            raise ValueError(f"OrderFilled for {client_order_id}: last_qty must be positive, got {last_qty}")
        if data_type not in DATA_TYPES:
            raise ValueError(f"OrderFilled for {client_order_id}: invalid data_type {data_type!r}: "
                             "expected BAR, QUOTE, TRADE, BOOK or ''")
        _base(self, EVK_FILLED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, event_id)
        self.trade_id = trade_id
        self.position_id = position_id
        self.side = enum_value(OrderSide, order_side, "order_side")
        if self.side != 1 and self.side != 2:
            raise ValueError(f"OrderFilled for {client_order_id}: order_side must be BUY or SELL")
        self.order_type_c = enum_value(OrderType, order_type, "order_type")
        self.last_qty_raw = last_qty.raw
        self.qty_prec = last_qty.precision
        self.last_px_raw = last_px.raw
        self.px_prec = last_px.precision
        self.currency = currency
        self.commission_raw = commission.raw
        self.commission_currency = commission.currency
        self.liquidity_side_c = enum_value(LiquiditySide, liquidity_side, "liquidity_side")
        self.data_type = data_type
        self.data_ts = data_ts

    @staticmethod
    cdef OrderFilled create_c(TraderId trader_id, StrategyId strategy_id, InstrumentId instrument_id,
                              ClientOrderId client_order_id, VenueOrderId venue_order_id,
                              AccountId account_id, TradeId trade_id, PositionId position_id,
                              int side, int order_type, int64_t last_qty_raw, uint8_t qty_prec,
                              int64_t last_px_raw, uint8_t px_prec, Currency currency,
                              int64_t commission_raw, Currency commission_currency,
                              int liquidity_side, str data_type, int64_t data_ts,
                              int64_t ts_event, int64_t ts_init):
        cdef OrderFilled e = OrderFilled.__new__(OrderFilled)
        _base(e, EVK_FILLED, trader_id, strategy_id, instrument_id, client_order_id,
              venue_order_id, account_id, ts_event, ts_init, 0)
        e.trade_id = trade_id
        e.position_id = position_id
        e.side = side
        e.order_type_c = order_type
        e.last_qty_raw = last_qty_raw
        e.qty_prec = qty_prec
        e.last_px_raw = last_px_raw
        e.px_prec = px_prec
        e.currency = currency
        e.commission_raw = commission_raw
        e.commission_currency = commission_currency if commission_currency is not None else currency
        e.liquidity_side_c = liquidity_side
        e.data_type = data_type
        e.data_ts = data_ts
        return e

    @property
    def order_side(self):
        """OrderSide of the filled order."""
        return _enum(_SIDES, self.side)

    @property
    def order_type(self):
        """OrderType of the filled order."""
        return _enum(_TYPES, self.order_type_c)

    @property
    def liquidity_side(self):
        """LiquiditySide (MAKER / TAKER)."""
        return _enum(_LIQ, self.liquidity_side_c)

    @property
    def last_qty(self):
        """Filled quantity of this fill (Quantity)."""
        return Quantity.from_raw_c(self.last_qty_raw, self.qty_prec)

    @property
    def last_px(self):
        """Fill price (Price)."""
        return Price.from_raw_c(self.last_px_raw, self.px_prec)

    @property
    def commission(self):
        """Commission (Money in ``commission_currency``; positive = paid, negative = rebate)."""
        return Money.from_raw_c(self.commission_raw, self.commission_currency)

    def to_dict(self) -> dict:
        """Plain-Python row for fill reports: ids as str, ``last_qty``/``last_px``/``commission`` as
        exact decimal strings, enums as names, timestamps as UNIX ns ints."""
        return {
            "event_id": self.event_id,
            "trader_id": self.trader_id.value,
            "strategy_id": self.strategy_id.value,
            "instrument_id": self.instrument_id.value,
            "client_order_id": self.client_order_id.value,
            "venue_order_id": self.venue_order_id.value if self.venue_order_id is not None else None,
            "account_id": self.account_id.value if self.account_id is not None else None,
            "trade_id": self.trade_id.value,
            "position_id": self.position_id.value if self.position_id is not None else None,
            "side": self.order_side.name,
            "order_type": self.order_type.name,
            "last_qty": raw_to_str(self.last_qty_raw, self.qty_prec),
            "last_px": raw_to_str(self.last_px_raw, self.px_prec),
            "currency": self.currency.code,
            "commission": raw_to_str(self.commission_raw, self.commission_currency.precision),
            "commission_currency": self.commission_currency.code,
            "liquidity_side": self.liquidity_side.name,
            "data_type": self.data_type,
            "data_ts": self.data_ts,
            "ts_event": self.ts_event,
            "ts_init": self.ts_init,
        }

    @property
    def is_buy(self) -> bool:
        return self.side == 1

    @property
    def is_sell(self) -> bool:
        return self.side == 2

    cdef str _extra(self):
        return (f", trade_id={self.trade_id}, side={self.order_side.name}, last_qty={self.last_qty}, "
                f"last_px={self.last_px}, commission={self.commission}, "
                f"liquidity={self.liquidity_side.name}, data={self.data_type}@{self.data_ts}")
