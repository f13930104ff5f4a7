"""OrderFactory: builds validated orders with deterministic ids, and contingent OrderLists.

Client order ids are ``"O-{strategy_id}-{n}"`` and order list ids ``"OL-{strategy_id}-{n}"`` with
``n`` counting from 1 per factory (no clock text, no randomness: the same run gives the same ids).
``ts_init`` of every order is ``clock.timestamp_ns()`` (UNIX ns).

Inputs: sides accept ``"BUY"``/``"SELL"``/``OrderSide``; quantities accept ``Quantity``, numbers or
decimal strings; prices accept ``Price``, numbers or strings. Numbers need a precision: it comes
from the instrument (``register_instrument(instrument)`` or a ``cache`` with ``.instrument(id)``);
with a registered instrument, ``Quantity``/``Price``/string inputs must also fit its precision and
are re-expressed at it. Without an instrument, ``Quantity``/``Price``/strings keep their own
precision and plain numbers raise ValueError.
"""
from decimal import Decimal

from cpython.long cimport PyLong_AsLongLongAndOverflow
from libc.stdint cimport int64_t, uint8_t

from alphaforge._core.clock cimport clock_now_ns
from alphaforge._core.fixed cimport (
    AF_POW10,
    Price,
    Quantity,
    f64_to_raw_checked,
    raw_to_str,
    str_to_raw,
)
from alphaforge._core.identifiers cimport (
    ClientOrderId,
    InstrumentId,
    OrderListId,
    StrategyId,
    SeqPrefix,
    TraderId,
    id_value,
    seq_id,
)
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.trading_cache cimport Cache
from alphaforge._core.order_events cimport (
    CONT_NONE,
    CONT_OCO,
    CONT_OTO,
    CONT_OUO,
    EVK_INITIALIZED,
    OS_INITIALIZED,
    OT_LIMIT,
    OT_LIMIT_IF_TOUCHED,
    OT_MARKET,
    OT_MARKET_IF_TOUCHED,
    OT_MARKET_TO_LIMIT,
    OT_STOP_LIMIT,
    OT_STOP_MARKET,
    OT_TRAILING_STOP_LIMIT,
    OT_TRAILING_STOP_MARKET,
    TIF_GTC,
    TOFF_NONE,
    OrderInitialized,
    enum_value,
    next_event_id,
    validate_initialized,
)
from alphaforge._core.orders cimport Order

from alphaforge.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)


cdef object _BUY = OrderSide.BUY, _SELL = OrderSide.SELL
cdef object _GTC = TIF_GTC       # the int object of the time_in_force defaults (tested by identity first)


cdef int _side_arg(object side) except -1:
    if side is _BUY:
        return 1
    if side is _SELL:
        return 2
    cdef int s = enum_value(OrderSide, side, "side")
    if s != 1 and s != 2:
        raise ValueError(f"invalid side {side!r}: expected BUY or SELL")
    return s


cdef inline int _enum_arg(object cls, object value, str field) except -1:
    return enum_value(cls, value, field)


cdef int64_t _dec_to_raw(object value, str field) except? -1:
    cdef object d
    try:
        d = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    except Exception:
        raise ValueError(f"invalid {field} {value!r}: expected a number") from None
    if not d.is_finite():
        raise ValueError(f"invalid {field} {value!r}: must be finite")
    d = d.scaleb(9)
    if d != d.to_integral_value():
        raise ValueError(f"invalid {field} {value!r}: more than 9 decimals")
    if abs(d) > Decimal(9_000_000_000_000_000_000):
        raise ValueError(f"invalid {field} {value!r}: out of range")
    return int(d)


cdef int64_t _fixed_arg(object value, bint is_price, int inst_prec, str field, int* prec_out) except? -1:
    """Quantity/Price/number/str -> raw; prec_out = precision to store. inst_prec < 0: no instrument."""
    cdef int64_t raw
    cdef int prec = 0
    cdef str kind
    cdef int overflow = 0
    cdef long long whole
    if type(value) is int and inst_prec >= 0:
        whole = PyLong_AsLongLongAndOverflow(value, &overflow)
        # (C bounds: a literal past 32 bits would make Cython compare Python ints here)
        if overflow == 0 and -9_200 * <long long>1_000_000 <= whole <= 9_200 * <long long>1_000_000:
            prec_out[0] = inst_prec              # a whole number in range: exact at any precision
            return <int64_t>whole * 1000000000
    kind = "Price" if is_price else "Quantity"
    if is_price and isinstance(value, Price):
        raw = (<Price>value).raw
        prec = (<Price>value).precision
    elif (not is_price) and isinstance(value, Quantity):
        raw = (<Quantity>value).raw
        prec = (<Quantity>value).precision
    elif isinstance(value, (Price, Quantity)):
        raise TypeError(f"{field} must be a {kind}, number or str, got {type(value).__name__}")
    elif isinstance(value, str):
        raw = str_to_raw(<str>value, &prec, field)
    elif isinstance(value, bool) or value is None:
        raise TypeError(f"{field} must be a {kind}, number or str, got {value!r}")
    elif isinstance(value, (int, float, Decimal)):
        if inst_prec < 0:
            raise ValueError(f"{field} {value!r} is a plain number but no precision is known: register the "
                             f"instrument with factory.register_instrument(...), pass a cache, or pass a {kind}")
        if isinstance(value, float):
            raw = f64_to_raw_checked(<double>value, inst_prec, field)
        elif type(value) is int:
            if value > 9_200_000_000 or value < -9_200_000_000:
                raise ValueError(f"invalid {field} {value!r}: out of range")
            raw = <int64_t>value * 1000000000
        else:
            raw = _dec_to_raw(value, field)
            if raw % AF_POW10[9 - inst_prec] != 0:
                raise ValueError(f"invalid {field} {value!r}: more decimals than the instrument precision {inst_prec}")
        prec_out[0] = inst_prec
        return raw
    else:
        raise TypeError(f"{field} must be a {kind}, number or str, got {type(value).__name__}")
    if inst_prec >= 0:
        if raw % AF_POW10[9 - inst_prec] != 0:
            raise ValueError(f"invalid {field} {raw_to_str(raw, prec)}: more decimals than the instrument "
                             f"precision {inst_prec}")
        prec = inst_prec
    prec_out[0] = prec
    return raw


cdef int _raw_decimals(int64_t raw) noexcept:
    # number of decimals needed to show a raw (1e9-scale) value exactly (0-9)
    cdef int p = 0
    while p < 9 and raw % AF_POW10[9 - p] != 0:
        p += 1
    return p


cdef tuple _tags_arg(object tags):
    if tags is None:
        return None
    if isinstance(tags, str):
        return (tags,)
    cdef tuple t = tuple(str(x) for x in tags)
    return t if t else None


cdef class OrderList:
    """Orders submitted together (``orders[0]`` is the first; a bracket is [entry, take_profit,
    stop_loss]). ``contingency_type`` is the list's relation (OTO for a bracket)."""

    def __init__(self, OrderListId order_list_id not None, orders):
        cdef list lst = list(orders)
        if not lst:
            raise ValueError(f"order list {order_list_id}: needs at least one order")
        for o in lst:
            if not isinstance(o, Order):
                raise TypeError(f"order list {order_list_id}: items must be Order, got {type(o).__name__}")
        self._setup(order_list_id, lst, CONT_NONE, (<Order>lst[0]).ts_init)

    cdef int _setup(self, OrderListId list_id, list orders, int contingency_type, int64_t ts_init) except -1:
        cdef Order first = <Order>orders[0]
        for o in orders:
            if (<Order>o).instrument_id != first.instrument_id:
                raise ValueError(f"order list {list_id}: orders for different instruments "
                                 f"({first.instrument_id}, {(<Order>o).instrument_id})")
            if (<Order>o).strategy_id != first.strategy_id:
                raise ValueError(f"order list {list_id}: orders from different strategies")
        if len({(<Order>o).client_order_id for o in orders}) != len(orders):
            raise ValueError(f"order list {list_id}: the same order appears twice")
        self.id = list_id
        self.instrument_id = first.instrument_id
        self.strategy_id = first.strategy_id
        self.contingency_type_c = contingency_type
        self.ts_init = ts_init
        self._orders = orders
        return 0

    @staticmethod
    cdef OrderList create_c(OrderListId list_id, list orders, int contingency_type, int64_t ts_init):
        cdef OrderList ol = OrderList.__new__(OrderList)
        ol._setup(list_id, orders, contingency_type, ts_init)
        return ol

    @property
    def orders(self):
        """The orders (a copy of the list)."""
        return list(self._orders)

    @property
    def first(self):
        """The first order (the entry of a bracket)."""
        return self._orders[0]

    @property
    def contingency_type(self):
        return ContingencyType(self.contingency_type_c)

    def __len__(self):
        return len(self._orders)

    def __iter__(self):
        return iter(self._orders)

    def __getitem__(self, i):
        return self._orders[i]

    def __repr__(self):
        return (f"OrderList({self.id}, {self.instrument_id}, {self.contingency_type.name}, "
                f"[{', '.join(o.client_order_id.value for o in self._orders)}])")


cdef class OrderFactory:
    """Creates orders for one strategy: ``OrderFactory(trader_id, strategy_id, clock, cache=None)``.

    ``clock`` is any object with ``timestamp_ns()`` (an alphaforge Clock uses a C fast path);
    ``cache`` is optional and only needs ``.instrument(instrument_id)`` returning an Instrument or
    None. Every method validates and raises ValueError naming the field.
    """

    def __init__(self, trader_id, strategy_id, clock not None, cache=None, *, int initial_count=0,
                 int initial_list_count=0):
        self.trader_id = trader_id if isinstance(trader_id, TraderId) else TraderId(trader_id)
        self.strategy_id = strategy_id if isinstance(strategy_id, StrategyId) else StrategyId(strategy_id)
        if not hasattr(clock, "timestamp_ns"):
            raise TypeError("clock must have a timestamp_ns() method")
        self._clock = clock
        if cache is not None and not hasattr(cache, "instrument"):
            raise TypeError("cache must have an instrument(instrument_id) method")
        self._cache = cache
        self._instruments = {}
        self._coid_prefix = SeqPrefix(f"O-{id_value(self.strategy_id)}-")
        self._olid_prefix = f"OL-{id_value(self.strategy_id)}-"
        if initial_count < 0 or initial_list_count < 0:
            raise ValueError("initial_count / initial_list_count must be >= 0")
        self._order_count = initial_count
        self._list_count = initial_list_count

    # ------------------------------------------------------------------ ids, clock, instruments

    cdef int64_t now_c(self) except? -1:
        return clock_now_ns(self._clock)

    cdef ClientOrderId next_client_order_id_c(self):
        self._order_count += 1
        return self._coid_for(self._order_count)

    cdef ClientOrderId _coid_for(self, int64_t n):
        return <ClientOrderId>seq_id(ClientOrderId.__new__(ClientOrderId), self._coid_prefix, n)

    cdef OrderListId next_order_list_id_c(self):
        self._list_count += 1
        return OrderListId(self._olid_prefix + str(self._list_count))

    def generate_client_order_id(self) -> ClientOrderId:
        """Next ClientOrderId ("O-{strategy_id}-{n}"); advances the counter."""
        return self.next_client_order_id_c()

    def generate_order_list_id(self) -> OrderListId:
        """Next OrderListId ("OL-{strategy_id}-{n}"); advances the counter."""
        return self.next_order_list_id_c()

    @property
    def count(self) -> int:
        """Number of client order ids generated so far."""
        return self._order_count

    def set_count(self, int count) -> None:
        """Set the order counter (e.g. after restoring state): the next id ends in count + 1."""
        if count < 0:
            raise ValueError(f"invalid count {count}: must be >= 0")
        self._order_count = count

    def reset(self) -> None:
        """Restart both id counters at zero."""
        self._order_count = 0
        self._list_count = 0

    def register_instrument(self, Instrument instrument not None) -> None:
        """Make an instrument's price/size precision known for number/str inputs."""
        self._instruments[instrument.id] = instrument
        self._last_iid = None

    cdef Instrument _instrument(self, InstrumentId instrument_id):
        cdef int64_t version = -1                # the answer is kept only with no cache or a Cache
        if self._cache is None:
            version = 0
        elif type(self._cache) is Cache:
            version = (<Cache>self._cache).instruments_version
        if instrument_id is self._last_iid and version == self._last_inst_version and version >= 0:
            return self._last_inst
        cdef object inst = self._instruments.get(instrument_id) if self._instruments else None
        if inst is None and self._cache is not None:
            if type(self._cache) is Cache:
                inst = (<Cache>self._cache)._instruments.get(instrument_id)
            else:
                inst = self._cache.instrument(instrument_id)
        cdef Instrument found = <Instrument>inst if isinstance(inst, Instrument) else None
        self._last_iid = instrument_id
        self._last_inst = found
        self._last_inst_version = version
        return found

    # ------------------------------------------------------------------ C paths

    cdef Order market_c(self, InstrumentId instrument_id, int side, int64_t qty_raw, uint8_t qty_prec,
                        int time_in_force, bint reduce_only, uint8_t px_prec=0):
        if qty_raw <= 0:
            raise ValueError(f"market order on {instrument_id}: quantity must be positive")
        if side != 1 and side != 2:
            raise ValueError(f"market order on {instrument_id}: invalid side {side}")
        cdef int64_t now = self.now_c()
        # create_implicit_c copies the event's fields and keeps no reference to it: one scratch
        # event serves every market order (the fields not set here keep their defaults)
        cdef OrderInitialized e = self._market_init
        if e is None:
            e = OrderInitialized.__new__(OrderInitialized)
            e.kind = EVK_INITIALIZED
            e.order_type_c = OT_MARKET
            e.display_qty_raw = -1
            self._market_init = e
        e.trader_id = self.trader_id
        e.strategy_id = self.strategy_id
        e.instrument_id = instrument_id
        e.client_order_id = self.next_client_order_id_c()
        e.event_id = next_event_id()
        e.ts_event = now
        e.ts_init = now
        e.side_c = side
        e.time_in_force_c = time_in_force
        e.quantity_raw = qty_raw
        e.qty_prec = qty_prec
        e.px_prec = px_prec
        e.reduce_only = reduce_only
        return Order.create_implicit_c(e)

    cdef Order create_c(self, InstrumentId instrument_id, int side, int order_type,
                        int64_t qty_raw, uint8_t qty_prec, bint has_price, int64_t price_raw,
                        bint has_trigger, int64_t trigger_price_raw, uint8_t px_prec,
                        int time_in_force, int64_t expire_time_ns, bint post_only,
                        bint reduce_only, bint quote_quantity, int64_t display_qty_raw,
                        int trigger_type, int trailing_offset_type, int64_t trailing_offset_raw,
                        int64_t limit_offset_raw, bint has_activation,
                        int64_t activation_price_raw, tuple tags):
        cdef int64_t now = self.now_c()
        cdef OrderInitialized e = OrderInitialized.__new__(OrderInitialized)
        e.kind = EVK_INITIALIZED
        e.trader_id = self.trader_id
        e.strategy_id = self.strategy_id
        e.instrument_id = instrument_id
        e.client_order_id = self._coid_for(self._order_count + 1)
        e.ts_event = now
        e.ts_init = now
        e.side_c = side
        e.order_type_c = order_type
        e.time_in_force_c = time_in_force
        e.quantity_raw = qty_raw
        e.qty_prec = qty_prec
        e.has_price = has_price
        e.price_raw = price_raw
        e.has_trigger = has_trigger
        e.trigger_price_raw = trigger_price_raw
        e.px_prec = px_prec
        e.expire_time_ns = expire_time_ns
        e.post_only = post_only
        e.reduce_only = reduce_only
        e.quote_quantity = quote_quantity
        e.display_qty_raw = display_qty_raw
        e.trigger_type_c = trigger_type
        e.trailing_offset_type_c = trailing_offset_type
        e.trailing_offset_raw = trailing_offset_raw
        e.limit_offset_raw = limit_offset_raw
        e.has_activation = has_activation
        e.activation_price_raw = activation_price_raw
        e.tags = tags
        validate_initialized(e)          # raises before any counter moves
        self._order_count += 1
        e.event_id = next_event_id()
        return Order.create_implicit_c(e)

    cdef Order _build(self, object instrument_id, object side, int order_type, object quantity,
                      object price, object trigger_price, object time_in_force, int64_t expire_time_ns,
                      bint post_only, bint reduce_only, bint quote_quantity, object display_qty,
                      object trigger_type, object trailing_offset_type, object trailing_offset,
                      object limit_offset, object activation_price, object tags):
        cdef InstrumentId iid = (instrument_id if isinstance(instrument_id, InstrumentId)
                                 else InstrumentId.from_str(instrument_id))
        cdef Instrument inst = self._instrument(iid)
        cdef int size_prec = inst.size_precision if inst is not None else -1
        cdef int price_prec = inst.price_precision if inst is not None else -1
        cdef int qprec = 0, pprec = 0, px_prec = -1, tmp = 0
        cdef int64_t qty_raw, price_raw = 0, trig_raw = 0, act_raw = 0, disp_raw = -1
        cdef int s = _side_arg(side)
        cdef int tif = _enum_arg(TimeInForce, time_in_force, "time_in_force")
        cdef int trig_type = _enum_arg(TriggerType, trigger_type, "trigger_type")
        cdef int toff_type = _enum_arg(TrailingOffsetType, trailing_offset_type, "trailing_offset_type")
        cdef int64_t toff_raw = 0, loff_raw = 0
        qty_raw = _fixed_arg(quantity, False, size_prec, "quantity", &qprec)
        if display_qty is not None:
            disp_raw = _fixed_arg(display_qty, False, size_prec, "display_qty", &tmp)
            if tmp > qprec:
                qprec = tmp
        if price is not None:
            price_raw = _fixed_arg(price, True, price_prec, "price", &pprec)
            px_prec = pprec
        if trigger_price is not None:
            trig_raw = _fixed_arg(trigger_price, True, price_prec, "trigger_price", &pprec)
            if pprec > px_prec:
                px_prec = pprec
        if activation_price is not None:
            act_raw = _fixed_arg(activation_price, True, price_prec, "activation_price", &pprec)
            if pprec > px_prec:
                px_prec = pprec
        if trailing_offset is not None:
            toff_raw = (<Price>trailing_offset).raw if isinstance(trailing_offset, Price) \
                else _dec_to_raw(trailing_offset, "trailing_offset")
        if limit_offset is not None:
            loff_raw = (<Price>limit_offset).raw if isinstance(limit_offset, Price) \
                else _dec_to_raw(limit_offset, "limit_offset")
        if px_prec < 0:
            if price_prec >= 0:
                px_prec = price_prec
            elif toff_type == 1:
                # no instrument and no price: PRICE offsets set the precision
                px_prec = max(_raw_decimals(toff_raw), _raw_decimals(loff_raw))
            else:
                px_prec = 0
        if expire_time_ns < 0:
            raise ValueError(f"invalid expire_time_ns {expire_time_ns}: must be >= 0 (UNIX ns)")
        return self.create_c(iid, s, order_type, qty_raw, <uint8_t>qprec, price is not None, price_raw,
                             trigger_price is not None, trig_raw, <uint8_t>px_prec, tif, expire_time_ns,
                             post_only, reduce_only, quote_quantity, disp_raw, trig_type, toff_type,
                             toff_raw, loff_raw, activation_price is not None, act_raw, _tags_arg(tags))

    # ------------------------------------------------------------------ order types

    def market(self, instrument_id, side, quantity, time_in_force=TIF_GTC, bint reduce_only=False,
               bint quote_quantity=False, tags=None) -> Order:
        """MARKET order (``time_in_force`` GTC/IOC/FOK/DAY/AT_THE_OPEN/AT_THE_CLOSE; not GTD)."""
        cdef InstrumentId iid
        cdef Instrument inst
        cdef int qprec = 0, s
        cdef int64_t qty_raw
        if (isinstance(instrument_id, InstrumentId) and (time_in_force is _GTC or time_in_force == TIF_GTC)
                and tags is None and not quote_quantity):
            # the common case (GTC, no tags): the quantity and side checks of _build, and none of the
            # fields a market order leaves unset; anything invalid goes to _build for its error
            iid = <InstrumentId>instrument_id
            inst = self._instrument(iid)
            s = _side_arg(side)
            qty_raw = _fixed_arg(quantity, False, inst.size_precision if inst is not None else -1, "quantity",
                                 &qprec)
            if qty_raw > 0:
                return self.market_c(iid, s, qty_raw, <uint8_t>qprec, TIF_GTC, reduce_only,
                                     inst.price_precision if inst is not None else 0)
        return self._build(instrument_id, side, OT_MARKET, quantity, None, None, time_in_force, 0,
                           False, reduce_only, quote_quantity, None, 0, 0, None, None, None, tags)

    def limit(self, instrument_id, side, quantity, price, time_in_force=TIF_GTC,
              int64_t expire_time_ns=0, bint post_only=False, bint reduce_only=False,
              bint quote_quantity=False, display_qty=None, tags=None) -> Order:
        """LIMIT order at ``price``; ``expire_time_ns`` (UNIX ns) only with GTD; ``display_qty``
        makes it an iceberg (<= quantity)."""
        if price is None:
            raise ValueError("price is required for a LIMIT order")
        return self._build(instrument_id, side, OT_LIMIT, quantity, price, None, time_in_force,
                           expire_time_ns, post_only, reduce_only, quote_quantity, display_qty, 0, 0,
                           None, None, None, tags)

    def stop_market(self, instrument_id, side, quantity, trigger_price, trigger_type=0,
                    time_in_force=TIF_GTC, int64_t expire_time_ns=0, bint reduce_only=False,
                    bint quote_quantity=False, tags=None) -> Order:
        """STOP_MARKET order: becomes a market order when ``trigger_price`` is reached
        (``trigger_type`` DEFAULT/LAST_PRICE/BID_ASK/MID_POINT/MARK_PRICE)."""
        if trigger_price is None:
            raise ValueError("trigger_price is required for a STOP_MARKET order")
        return self._build(instrument_id, side, OT_STOP_MARKET, quantity, None, trigger_price,
                           time_in_force, expire_time_ns, False, reduce_only, quote_quantity, None,
                           trigger_type, 0, None, None, None, tags)

    def stop_limit(self, instrument_id, side, quantity, price, trigger_price, trigger_type=0,
                   time_in_force=TIF_GTC, int64_t expire_time_ns=0, bint post_only=False,
                   bint reduce_only=False, bint quote_quantity=False, display_qty=None,
                   tags=None) -> Order:
        """STOP_LIMIT order: a limit at ``price`` released when ``trigger_price`` is reached."""
        if price is None:
            raise ValueError("price is required for a STOP_LIMIT order")
        if trigger_price is None:
            raise ValueError("trigger_price is required for a STOP_LIMIT order")
        return self._build(instrument_id, side, OT_STOP_LIMIT, quantity, price, trigger_price,
                           time_in_force, expire_time_ns, post_only, reduce_only, quote_quantity,
                           display_qty, trigger_type, 0, None, None, None, tags)

    def market_to_limit(self, instrument_id, side, quantity, time_in_force=TIF_GTC,
                        int64_t expire_time_ns=0, bint reduce_only=False, bint quote_quantity=False,
                        display_qty=None, tags=None) -> Order:
        """MARKET_TO_LIMIT order: takes at the market, any remainder rests as a limit at the first
        fill's price."""
        return self._build(instrument_id, side, OT_MARKET_TO_LIMIT, quantity, None, None,
                           time_in_force, expire_time_ns, False, reduce_only, quote_quantity,
                           display_qty, 0, 0, None, None, None, tags)

    def market_if_touched(self, instrument_id, side, quantity, trigger_price, trigger_type=0,
                          time_in_force=TIF_GTC, int64_t expire_time_ns=0, bint reduce_only=False,
                          bint quote_quantity=False, tags=None) -> Order:
        """MARKET_IF_TOUCHED order: a market order once ``trigger_price`` is touched."""
        if trigger_price is None:
            raise ValueError("trigger_price is required for a MARKET_IF_TOUCHED order")
        return self._build(instrument_id, side, OT_MARKET_IF_TOUCHED, quantity, None, trigger_price,
                           time_in_force, expire_time_ns, False, reduce_only, quote_quantity, None,
                           trigger_type, 0, None, None, None, tags)

    def limit_if_touched(self, instrument_id, side, quantity, price, trigger_price, trigger_type=0,
                         time_in_force=TIF_GTC, int64_t expire_time_ns=0, bint post_only=False,
                         bint reduce_only=False, bint quote_quantity=False, display_qty=None,
                         tags=None) -> Order:
        """LIMIT_IF_TOUCHED order: a limit at ``price`` once ``trigger_price`` is touched."""
        if price is None:
            raise ValueError("price is required for a LIMIT_IF_TOUCHED order")
        if trigger_price is None:
            raise ValueError("trigger_price is required for a LIMIT_IF_TOUCHED order")
        return self._build(instrument_id, side, OT_LIMIT_IF_TOUCHED, quantity, price, trigger_price,
                           time_in_force, expire_time_ns, post_only, reduce_only, quote_quantity,
                           display_qty, trigger_type, 0, None, None, None, tags)

    def trailing_stop_market(self, instrument_id, side, quantity, trailing_offset,
                             trailing_offset_type=1, activation_price=None, trigger_price=None,
                             trigger_type=0, time_in_force=TIF_GTC, int64_t expire_time_ns=0,
                             bint reduce_only=False, bint quote_quantity=False, tags=None) -> Order:
        """TRAILING_STOP_MARKET: the trigger trails the market by ``trailing_offset`` in
        ``trailing_offset_type`` units (PRICE, BASIS_POINTS or TICKS); it starts trailing once
        ``activation_price`` is reached (immediately when None). ``trigger_price`` optionally sets
        the initial trigger."""
        if trailing_offset is None:
            raise ValueError("trailing_offset is required for a TRAILING_STOP_MARKET order")
        return self._build(instrument_id, side, OT_TRAILING_STOP_MARKET, quantity, None, trigger_price,
                           time_in_force, expire_time_ns, False, reduce_only, quote_quantity, None,
                           trigger_type, trailing_offset_type, trailing_offset, None, activation_price,
                           tags)

    def trailing_stop_limit(self, instrument_id, side, quantity, limit_offset, trailing_offset,
                            trailing_offset_type=1, price=None, trigger_price=None,
                            activation_price=None, trigger_type=0, time_in_force=TIF_GTC,
                            int64_t expire_time_ns=0, bint post_only=False, bint reduce_only=False,
                            bint quote_quantity=False, display_qty=None, tags=None) -> Order:
        """TRAILING_STOP_LIMIT: like TRAILING_STOP_MARKET, releasing a limit ``limit_offset`` (same
        unit) beyond the trigger; ``price``/``trigger_price`` optionally set the initial values."""
        if trailing_offset is None:
            raise ValueError("trailing_offset is required for a TRAILING_STOP_LIMIT order")
        if limit_offset is None:
            raise ValueError("limit_offset is required for a TRAILING_STOP_LIMIT order")
        return self._build(instrument_id, side, OT_TRAILING_STOP_LIMIT, quantity, price, trigger_price,
                           time_in_force, expire_time_ns, post_only, reduce_only, quote_quantity,
                           display_qty, trigger_type, trailing_offset_type, trailing_offset,
                           limit_offset, activation_price, tags)

    # ------------------------------------------------------------------ lists and contingencies

    cdef list _check_fresh(self, object orders, int min_len, str what):
        cdef list lst = list(orders)
        if len(lst) < min_len:
            raise ValueError(f"{what} needs at least {min_len} orders, got {len(lst)}")
        for o in lst:
            if not isinstance(o, Order):
                raise TypeError(f"{what}: items must be Order, got {type(o).__name__}")
            if (<Order>o).status_c != OS_INITIALIZED:
                raise ValueError(f"{what}: order {(<Order>o).client_order_id} is {o.status.name}, "
                                 "only INITIALIZED orders can be grouped")
        return lst

    def create_list(self, orders, contingency_type=0) -> OrderList:
        """Group INITIALIZED orders (same instrument and strategy) into an OrderList.

        NO_CONTINGENCY: just a list. OCO / OUO: every order is linked to all the others. OTO: the
        first order is the parent of the rest (children keep any OCO/OUO links among themselves).
        """
        cdef int ct = _enum_arg(ContingencyType, contingency_type, "contingency_type")
        cdef list lst = self._check_fresh(orders, 2 if ct != CONT_NONE else 1, ContingencyType(ct).name + " list")
        cdef OrderListId lid = self.next_order_list_id_c()
        cdef Order o, parent
        cdef tuple ids = tuple((<Order>x).client_order_id for x in lst)
        # validate the grouping first (no order is touched if it fails)
        OrderList.create_c(lid, lst, ct, self.now_c())
        if ct == CONT_OCO or ct == CONT_OUO:
            for o in lst:
                o.set_contingency_c(lid, ct, tuple(i for i in ids if i != o.client_order_id),
                                    o.parent_order_id)
        elif ct == CONT_OTO:
            parent = <Order>lst[0]
            parent.set_contingency_c(lid, CONT_OTO, ids[1:], parent.parent_order_id)
            for o in lst[1:]:
                o.set_contingency_c(lid, o.contingency_type_c, o._linked_order_ids, parent.client_order_id)
        else:
            for o in lst:
                o.set_contingency_c(lid, o.contingency_type_c, o._linked_order_ids, o.parent_order_id)
        return OrderList.create_c(lid, lst, ct, self.now_c())

    def oco(self, orders) -> OrderList:
        """One-cancels-other: a fill of any order cancels the rest."""
        return self.create_list(orders, CONT_OCO)

    def ouo(self, orders) -> OrderList:
        """One-updates-other: a (partial) fill of one reduces the others' quantity by as much."""
        return self.create_list(orders, CONT_OUO)

    def oto(self, parent, children) -> OrderList:
        """One-triggers-other: ``children`` are released when ``parent`` fills."""
        return self.create_list([parent] + list(children), CONT_OTO)

    def bracket(self, instrument_id, side, quantity, tp_price=None, sl_trigger_price=None,
                entry_price=None, entry_order_type=None, entry_trigger_price=None,
                time_in_force=TIF_GTC, int64_t expire_time_ns=0, bint entry_post_only=False,
                tp_order_type=OT_LIMIT, tp_trigger_price=None, tp_trigger_type=0,
                bint tp_post_only=False, tp_time_in_force=TIF_GTC, sl_order_type=OT_STOP_MARKET,
                sl_price=None, sl_trigger_type=0, sl_time_in_force=TIF_GTC,
                contingency_type=CONT_OCO, entry_tags=None, tp_tags=None, sl_tags=None) -> OrderList:
        """Entry + take-profit + stop-loss as an OrderList ``[entry, tp, sl]``.

        The entry is MARKET when ``entry_price`` is None, else LIMIT (override with
        ``entry_order_type``: MARKET, LIMIT, MARKET_IF_TOUCHED, LIMIT_IF_TOUCHED, STOP_MARKET,
        STOP_LIMIT; trigger types need ``entry_trigger_price``). The entry is the OTO parent of
        both exits; TP and SL are linked OCO (or OUO via ``contingency_type``), reduce-only, on the
        opposite side, with ``parent_order_id`` = entry. TP is a LIMIT at ``tp_price`` (or
        LIMIT_IF_TOUCHED / MARKET_IF_TOUCHED with ``tp_trigger_price``); SL is a STOP_MARKET at
        ``sl_trigger_price`` (or STOP_LIMIT with ``sl_price``). ``tp_post_only`` defaults to False
        (NautilusTrader defaults True) so a take-profit already marketable when released fills
        instead of being rejected. Prices must be ordered: for a BUY sl < entry < tp, for a SELL
        sl > entry > tp (ValueError naming the fields otherwise).
        """
        cdef InstrumentId iid = (instrument_id if isinstance(instrument_id, InstrumentId)
                                 else InstrumentId.from_str(instrument_id))
        cdef int s = _side_arg(side)
        cdef int exit_side = 2 if s == 1 else 1
        cdef int et
        cdef int tpt = _enum_arg(OrderType, tp_order_type, "tp_order_type")
        cdef int slt = _enum_arg(OrderType, sl_order_type, "sl_order_type")
        cdef int ct = _enum_arg(ContingencyType, contingency_type, "contingency_type")
        if entry_order_type is None:
            et = OT_MARKET if entry_price is None else OT_LIMIT
        else:
            et = _enum_arg(OrderType, entry_order_type, "entry_order_type")
        if et not in (OT_MARKET, OT_LIMIT, OT_MARKET_IF_TOUCHED, OT_LIMIT_IF_TOUCHED, OT_STOP_MARKET,
                      OT_STOP_LIMIT):
            raise ValueError(f"bracket: entry_order_type {OrderType(et).name} not supported")
        if tpt not in (OT_LIMIT, OT_LIMIT_IF_TOUCHED, OT_MARKET_IF_TOUCHED):
            raise ValueError(f"bracket: tp_order_type must be LIMIT, LIMIT_IF_TOUCHED or MARKET_IF_TOUCHED, "
                             f"got {OrderType(tpt).name}")
        if slt not in (OT_STOP_MARKET, OT_STOP_LIMIT):
            raise ValueError(f"bracket: sl_order_type must be STOP_MARKET or STOP_LIMIT, got {OrderType(slt).name}")
        if ct != CONT_OCO and ct != CONT_OUO:
            raise ValueError("bracket: contingency_type must be OCO or OUO")
        if tpt != OT_MARKET_IF_TOUCHED and tp_price is None:
            raise ValueError("bracket: tp_price is required")
        if tpt != OT_LIMIT and tp_trigger_price is None:
            raise ValueError(f"bracket: tp_trigger_price is required for a {OrderType(tpt).name} take-profit")
        if sl_trigger_price is None:
            raise ValueError("bracket: sl_trigger_price is required")
        if slt == OT_STOP_LIMIT and sl_price is None:
            raise ValueError("bracket: sl_price is required for a STOP_LIMIT stop-loss")
        if et in (OT_MARKET_IF_TOUCHED, OT_LIMIT_IF_TOUCHED, OT_STOP_MARKET, OT_STOP_LIMIT) \
                and entry_trigger_price is None:
            raise ValueError(f"bracket: entry_trigger_price is required for a {OrderType(et).name} entry")
        if et in (OT_LIMIT, OT_LIMIT_IF_TOUCHED, OT_STOP_LIMIT) and entry_price is None:
            raise ValueError(f"bracket: entry_price is required for a {OrderType(et).name} entry")
        if et in (OT_MARKET, OT_MARKET_IF_TOUCHED, OT_STOP_MARKET) and entry_price is not None:
            raise ValueError(f"bracket: entry_price is not valid for a {OrderType(et).name} entry")

        cdef int64_t saved_count = self._order_count
        cdef Order entry = self._build(iid, s, et, quantity, entry_price, entry_trigger_price,
                                       time_in_force, expire_time_ns, entry_post_only, False, False,
                                       None, 0, 0, None, None, None, entry_tags)
        cdef Order tp, sl
        try:
            tp = self._build(iid, exit_side, tpt, quantity, tp_price if tpt != OT_MARKET_IF_TOUCHED else None,
                             tp_trigger_price, tp_time_in_force, 0, tp_post_only, True, False, None,
                             tp_trigger_type, 0, None, None, None, tp_tags)
            sl = self._build(iid, exit_side, slt, quantity, sl_price, sl_trigger_price, sl_time_in_force,
                             0, False, True, False, None, sl_trigger_type, 0, None, None, None, sl_tags)
            _check_bracket_prices(entry, tp, sl, s)
        except BaseException:
            self._order_count = saved_count
            raise
        cdef OrderListId lid = self.next_order_list_id_c()
        entry.set_contingency_c(lid, CONT_OTO, (tp.client_order_id, sl.client_order_id), None)
        tp.set_contingency_c(lid, ct, (sl.client_order_id,), entry.client_order_id)
        sl.set_contingency_c(lid, ct, (tp.client_order_id,), entry.client_order_id)
        return OrderList.create_c(lid, [entry, tp, sl], CONT_OTO, entry.ts_init)


cdef int _check_bracket_prices(Order entry, Order tp, Order sl, int side) except -1:
    # the price that decides each leg: limit price, else trigger
    cdef int64_t tp_px = tp.price_raw if tp.has_price else tp.trigger_price_raw
    cdef int64_t sl_px = sl.trigger_price_raw
    cdef int64_t en_px
    cdef bint has_entry = entry.has_price or entry.has_trigger
    en_px = entry.price_raw if entry.has_price else entry.trigger_price_raw
    if side == 1:
        if not sl_px < tp_px:
            raise ValueError(f"bracket BUY: sl_trigger_price {raw_to_str(sl_px, sl.px_prec)} must be below "
                             f"the take-profit {raw_to_str(tp_px, tp.px_prec)}")
        if has_entry and not (sl_px < en_px < tp_px):
            raise ValueError(f"bracket BUY: need sl_trigger_price < entry price < tp_price, got "
                             f"{raw_to_str(sl_px, sl.px_prec)}, {raw_to_str(en_px, entry.px_prec)}, "
                             f"{raw_to_str(tp_px, tp.px_prec)}")
    else:
        if not sl_px > tp_px:
            raise ValueError(f"bracket SELL: sl_trigger_price {raw_to_str(sl_px, sl.px_prec)} must be above "
                             f"the take-profit {raw_to_str(tp_px, tp.px_prec)}")
        if has_entry and not (sl_px > en_px > tp_px):
            raise ValueError(f"bracket SELL: need sl_trigger_price > entry price > tp_price, got "
                             f"{raw_to_str(sl_px, sl.px_prec)}, {raw_to_str(en_px, entry.px_prec)}, "
                             f"{raw_to_str(tp_px, tp.px_prec)}")
    return 0
