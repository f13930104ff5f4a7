"""Order: one cdef class for every order type, driven by one table-driven state machine.

State machine (NautilusTrader semantics). Valid transitions (from -> to):

* INITIALIZED -> DENIED, SUBMITTED, ACCEPTED, REJECTED, CANCELED, EXPIRED, TRIGGERED (the last four
  cover orders emulated locally or reconciled from a venue)
* SUBMITTED -> ACCEPTED, REJECTED, CANCELED (IOC/FOK), TRIGGERED, PENDING_UPDATE, PENDING_CANCEL,
  PARTIALLY_FILLED, FILLED
* ACCEPTED -> REJECTED (a stop-limit rejected when triggered), TRIGGERED, PENDING_UPDATE,
  PENDING_CANCEL, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED
* TRIGGERED -> REJECTED, PENDING_UPDATE, PENDING_CANCEL, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED
* PENDING_UPDATE -> ACCEPTED, REJECTED, CANCELED, EXPIRED, TRIGGERED, PENDING_UPDATE,
  PENDING_CANCEL, PARTIALLY_FILLED, FILLED
* PENDING_CANCEL -> ACCEPTED (failed cancel), REJECTED, CANCELED, EXPIRED, PENDING_CANCEL,
  PARTIALLY_FILLED, FILLED
* PARTIALLY_FILLED -> PENDING_UPDATE, PENDING_CANCEL, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED
* CANCELED -> PARTIALLY_FILLED, FILLED (a fill racing the cancel at a real venue)
* DENIED, REJECTED, FILLED, EXPIRED: terminal.

Events that are not a status: OrderUpdated (quantity/price/trigger changed; from PENDING_UPDATE it
returns to the status before the pending state, in any other open or in-flight status it keeps the
status; invalid on INITIALIZED-only or closed orders), OrderModifyRejected / OrderCancelRejected
(return from PENDING_UPDATE / PENDING_CANCEL to the prior status; in any other status except
INITIALIZED and DENIED they change nothing but are recorded, e.g. a cancel rejected because the
order already filled). OrderFilled moves to PARTIALLY_FILLED or, when nothing is left, FILLED.
The "prior status" is the last status that was not PENDING_UPDATE/PENDING_CANCEL.

An invalid transition raises ``InvalidStateTrigger`` naming the order, the from-status and the
event, and leaves the order unchanged. A fill beyond the order quantity raises
``OrderOverfillError`` (also unchanged).
"""
cimport cython
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE

from libc.stdint cimport int64_t, uint8_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport Price, Quantity, raw_to_str
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
from alphaforge._core.order_events cimport (
    CONT_NONE,
    CONT_OTO,
    EVK_ACCEPTED,
    EVK_CANCEL_REJECTED,
    EVK_FILLED,
    EVK_INITIALIZED,
    EVK_MODIFY_REJECTED,
    EVK_SUBMITTED,
    EVK_TRIGGERED,
    EVK_UPDATED,
    next_event_id,
    OS_ACCEPTED,
    OS_CANCELED,
    OS_DENIED,
    OS_EXPIRED,
    OS_FILLED,
    OS_INITIALIZED,
    OS_PARTIALLY_FILLED,
    OS_PENDING_CANCEL,
    OS_PENDING_UPDATE,
    OS_REJECTED,
    OS_SUBMITTED,
    OS_TRIGGERED,
    OT_LIMIT,
    OT_LIMIT_IF_TOUCHED,
    OT_MARKET,
    OT_MARKET_IF_TOUCHED,
    OT_MARKET_TO_LIMIT,
    OT_STOP_LIMIT,
    OT_STOP_MARKET,
    OT_TRAILING_STOP_LIMIT,
    OT_TRAILING_STOP_MARKET,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderUpdated,
    offset_to_decimal,
    validate_initialized,
)

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


class InvalidStateTrigger(Exception):
    """An event was applied to an order in a status that does not allow it."""


class OrderOverfillError(ValueError):
    """A fill would take the filled quantity above the order quantity."""


cdef tuple _SIDES = tuple(OrderSide(i) for i in range(3))
cdef tuple _TYPES = (None,) + tuple(OrderType(i) for i in range(1, 10))
cdef tuple _TIFS = (None,) + tuple(TimeInForce(i) for i in range(1, 8))
cdef tuple _STATUS = (None,) + tuple(OrderStatus(i) for i in range(1, 13))
cdef tuple _LIQ = tuple(LiquiditySide(i) for i in range(3))
cdef tuple _CONT = tuple(ContingencyType(i) for i in range(4))
cdef tuple _TRIG = tuple(TriggerType(i) for i in range(5))
cdef tuple _TOFF = tuple(TrailingOffsetType(i) for i in range(4))

# _VALID[from][to] for OrderStatus values 1..12 (index 0 unused).
cdef bint _VALID[13][13]


cdef void _allow(int f, tuple tos) noexcept:
    cdef int t
    for t in tos:
        _VALID[f][t] = True


cdef void _init_table() noexcept:
    cdef int i, j
    for i in range(13):
        for j in range(13):
            _VALID[i][j] = False
    _allow(OS_INITIALIZED, (OS_DENIED, OS_SUBMITTED, OS_ACCEPTED, OS_REJECTED, OS_CANCELED,
                            OS_EXPIRED, OS_TRIGGERED))
    _allow(OS_SUBMITTED, (OS_ACCEPTED, OS_REJECTED, OS_CANCELED, OS_TRIGGERED, OS_PENDING_UPDATE,
                          OS_PENDING_CANCEL, OS_PARTIALLY_FILLED, OS_FILLED))
    _allow(OS_ACCEPTED, (OS_REJECTED, OS_TRIGGERED, OS_PENDING_UPDATE, OS_PENDING_CANCEL,
                         OS_PARTIALLY_FILLED, OS_FILLED, OS_CANCELED, OS_EXPIRED))
    _allow(OS_TRIGGERED, (OS_REJECTED, OS_PENDING_UPDATE, OS_PENDING_CANCEL, OS_PARTIALLY_FILLED,
                          OS_FILLED, OS_CANCELED, OS_EXPIRED))
    _allow(OS_PENDING_UPDATE, (OS_ACCEPTED, OS_REJECTED, OS_CANCELED, OS_EXPIRED, OS_TRIGGERED,
                               OS_PENDING_UPDATE, OS_PENDING_CANCEL, OS_PARTIALLY_FILLED, OS_FILLED))
    _allow(OS_PENDING_CANCEL, (OS_ACCEPTED, OS_REJECTED, OS_CANCELED, OS_EXPIRED, OS_PENDING_CANCEL,
                               OS_PARTIALLY_FILLED, OS_FILLED))
    _allow(OS_PARTIALLY_FILLED, (OS_PENDING_UPDATE, OS_PENDING_CANCEL, OS_PARTIALLY_FILLED,
                                 OS_FILLED, OS_CANCELED, OS_EXPIRED))
    _allow(OS_CANCELED, (OS_PARTIALLY_FILLED, OS_FILLED))


_init_table()


cdef bint transition_valid(int from_status, int to_status) noexcept nogil:
    if from_status < 1 or from_status > 12 or to_status < 1 or to_status > 12:
        return False
    return _VALID[from_status][to_status]


def valid_transitions() -> dict:
    """The transition table as ``{OrderStatus: frozenset[OrderStatus]}`` (for docs and tests)."""
    cdef int i, j
    out = {}
    for i in range(1, 13):
        out[_STATUS[i]] = frozenset(_STATUS[j] for j in range(1, 13) if _VALID[i][j])
    return out


cdef inline object _enum(tuple table, int value):
    if 0 <= value < len(table) and table[value] is not None:
        return table[value]
    return value


cdef inline bint _has_trigger_kind(int t) noexcept:
    return (t == OT_STOP_MARKET or t == OT_STOP_LIMIT or t == OT_MARKET_IF_TOUCHED
            or t == OT_LIMIT_IF_TOUCHED or t == OT_TRAILING_STOP_MARKET
            or t == OT_TRAILING_STOP_LIMIT)


cdef inline bint _has_price_kind(int t) noexcept:
    return (t == OT_LIMIT or t == OT_STOP_LIMIT or t == OT_LIMIT_IF_TOUCHED
            or t == OT_TRAILING_STOP_LIMIT or t == OT_MARKET_TO_LIMIT)


@cython.final
cdef class _ImplicitEvent:
    """A mark among an Order's events for an OrderSubmitted / OrderAccepted applied without its
    event object (Order.apply_implicit_c); _keep_implicit replaces it with the event. Pickled by
    reference (the module attribute ``name``): an unpickled order holds these same marks."""
    cdef readonly str name

    def __init__(self, str name):
        self.name = name

    def __reduce__(self):
        return self.name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_IMPLICIT_SUBMITTED = _ImplicitEvent("_IMPLICIT_SUBMITTED")
_IMPLICIT_ACCEPTED = _ImplicitEvent("_IMPLICIT_ACCEPTED")
cdef object _SUBMITTED_MARK = _IMPLICIT_SUBMITTED
cdef object _ACCEPTED_MARK = _IMPLICIT_ACCEPTED


# An Order's events (see Order._ev0 in orders.pxd): in its four slots, then in a list.

cdef inline Py_ssize_t _ev_count(Order o) noexcept:
    return o._n_ev if o._events is None else PyList_GET_SIZE(o._events)


cdef inline object _ev_at(Order o, Py_ssize_t i):
    """Event ``i`` (0 <= i < _ev_count(o))."""
    if o._events is not None:
        return <object>PyList_GET_ITEM(o._events, i)
    if i == 0:
        return o._ev0
    if i == 1:
        return o._ev1
    return o._ev2 if i == 2 else o._ev3


cdef int _ev_set(Order o, Py_ssize_t i, object event) except -1:
    """Replace event ``i`` (0 <= i < _ev_count(o))."""
    if o._events is not None:
        o._events[i] = event
    elif i == 0:
        o._ev0 = event
    elif i == 1:
        o._ev1 = event
    elif i == 2:
        o._ev2 = event
    else:
        o._ev3 = event
    return 0


cdef int _ev_append(Order o, object event) except -1:
    cdef Py_ssize_t n = o._n_ev
    if o._events is None:
        if n < 4:
            o._n_ev = n + 1
            return _ev_set(o, n, event)
        o._events = [o._ev0, o._ev1, o._ev2, o._ev3]
        o._ev0 = o._ev1 = o._ev2 = o._ev3 = None
        o._n_ev = 0
    o._events.append(event)
    return 0


cdef int _invalid(Order o, OrderEvent event) except -1:
    raise InvalidStateTrigger(
        f"order {o.client_order_id}: invalid state trigger {_STATUS[o.status_c].name} -> "
        f"{type(event).__name__} (event_id={event.event_id})")


# An Order references identifiers, its (acyclic) events and private lists/dicts that never
# point back to it, so it skips the cyclic GC.
@cython.no_gc
cdef class Order:
    """An order of any type (see ``order_type``), built from its ``OrderInitialized`` event:
    ``Order(init)`` / ``Order.create(init)``; usually made by ``OrderFactory``.

    Quantities/prices are exposed as Quantity/Price (``*_raw`` C fields hold int64 at 1e9);
    ``avg_px`` is a float in price units; timestamps are UNIX ns. ``apply(event)`` moves the
    state machine (see module docs) and updates fills.
    """

    def __init__(self, OrderInitialized init not None):
        self._init_from(init, True)

    @staticmethod
    def create(OrderInitialized init not None) -> Order:
        """Build an order from its OrderInitialized event."""
        return Order.create_c(init)

    @staticmethod
    cdef Order create_c(OrderInitialized init):
        cdef Order o = Order.__new__(Order)
        o._init_from(init, True)
        return o

    @staticmethod
    cdef Order create_implicit_c(OrderInitialized init):
        cdef Order o = Order.__new__(Order)
        o._init_from(init, False)
        return o

    cdef OrderInitialized _init_event_c(self):
        """The OrderInitialized: the kept event, or one rebuilt from the order's fields (which
        equal the event's until a modify or a market-to-limit fill, and those keep it first)."""
        cdef OrderInitialized e = _ev_at(self, 0)
        return e if e is not None else self._rebuild_init_c()

    cdef OrderInitialized _rebuild_init_c(self):
        """An OrderInitialized carrying the order's current initial fields."""
        cdef OrderInitialized e = OrderInitialized.__new__(OrderInitialized)
        e.kind = EVK_INITIALIZED
        e.trader_id = self.trader_id
        e.strategy_id = self.strategy_id
        e.instrument_id = self.instrument_id
        e.client_order_id = self.client_order_id
        e.event_id = self.init_id
        e.ts_event = self._init_ts_event
        e.ts_init = self.ts_init
        e.side_c = self.side_c
        e.order_type_c = self.order_type_c
        e.time_in_force_c = self.time_in_force_c
        e.trigger_type_c = self.trigger_type_c
        e.trailing_offset_type_c = self.trailing_offset_type_c
        e.contingency_type_c = self.contingency_type_c
        e.quantity_raw = self.quantity_raw
        e.qty_prec = self.qty_prec
        e.price_raw = self.price_raw
        e.px_prec = self.px_prec
        e.has_price = self.has_price
        e.trigger_price_raw = self.trigger_price_raw
        e.has_trigger = self.has_trigger
        e.expire_time_ns = self.expire_time_ns
        e.post_only = self.post_only
        e.reduce_only = self.reduce_only
        e.quote_quantity = self.quote_quantity
        e.display_qty_raw = self.display_qty_raw
        e.trailing_offset_raw = self.trailing_offset_raw
        e.limit_offset_raw = self.limit_offset_raw
        e.activation_price_raw = self.activation_price_raw
        e.has_activation = self.has_activation
        e.order_list_id = self.order_list_id
        e.linked_order_ids = self._linked_order_ids
        e.parent_order_id = self.parent_order_id
        e.tags = self._tags
        return e

    cdef int _keep_init(self) except -1:
        """Materialize an implicit OrderInitialized before fields it mirrors change."""
        if _ev_at(self, 0) is None:
            _ev_set(self, 0, self._init_event_c())
        return 0

    cdef void _init_from(self, OrderInitialized init, bint keep_init) noexcept:
        """Fields from ``init``; ``keep_init``: keep the event itself as event 0 (else None: implicit)."""
        self.trader_id = init.trader_id
        self.strategy_id = init.strategy_id
        self.instrument_id = init.instrument_id
        self.client_order_id = init.client_order_id
        self.order_list_id = init.order_list_id
        self.parent_order_id = init.parent_order_id
        self.init_id = init.event_id
        self.side_c = init.side_c
        self.order_type_c = init.order_type_c
        self.time_in_force_c = init.time_in_force_c
        self.status_c = OS_INITIALIZED
        self.previous_status_c = OS_INITIALIZED
        self.trigger_type_c = init.trigger_type_c
        self.trailing_offset_type_c = init.trailing_offset_type_c
        self.contingency_type_c = init.contingency_type_c
        self.quantity_raw = init.quantity_raw
        self.filled_qty_raw = 0
        self.leaves_qty_raw = init.quantity_raw
        self.qty_prec = init.qty_prec
        self.price_raw = init.price_raw
        self.trigger_price_raw = init.trigger_price_raw
        self.activation_price_raw = init.activation_price_raw
        self.px_prec = init.px_prec
        self.has_price = init.has_price
        self.has_trigger = init.has_trigger
        self.has_activation = init.has_activation
        self.display_qty_raw = init.display_qty_raw
        self.trailing_offset_raw = init.trailing_offset_raw
        self.limit_offset_raw = init.limit_offset_raw
        self.expire_time_ns = init.expire_time_ns
        self.post_only = init.post_only
        self.reduce_only = init.reduce_only
        self.quote_quantity = init.quote_quantity
        self.is_activated = not init.has_activation
        self.ts_init = init.ts_init
        self.ts_last = init.ts_event
        self._events = None
        self._ev0 = init if keep_init else None
        self._ev1 = self._ev2 = self._ev3 = None
        self._n_ev = 1
        self._init_ts_event = init.ts_event
        self._linked_order_ids = init.linked_order_ids
        self._tags = init.tags

    # ---------------------------------------------------------------- state machine

    cpdef void apply(self, OrderEvent event) except *:
        """Apply an event: validates, moves the status and updates fields (fills: filled_qty,
        leaves_qty, avg_px, commissions, trade ids). Raises InvalidStateTrigger for a transition
        the state machine does not allow, OrderOverfillError for a fill above the quantity,
        ValueError for an event of another order or inconsistent values; the order is then
        unchanged."""
        self.apply_c(event)

    cdef int apply_c(self, OrderEvent event) except -1:
        cdef int kind = event.kind
        cdef int cur = self.status_c
        cdef int target
        cdef OrderFilled fill
        cdef OrderUpdated upd
        cdef int64_t new_filled
        cdef object comm
        if event.client_order_id is not self.client_order_id:
            if event.client_order_id != self.client_order_id:
                raise ValueError(f"order {self.client_order_id}: event for another order "
                                 f"{event.client_order_id} ({type(event).__name__})")
        if kind == EVK_FILLED:
            fill = <OrderFilled>event
            if fill.last_qty_raw <= 0:
                raise ValueError(f"order {self.client_order_id}: fill {fill.trade_id} last_qty must be positive")
            new_filled = self.filled_qty_raw + fill.last_qty_raw
            target = OS_FILLED if new_filled == self.quantity_raw else OS_PARTIALLY_FILLED
            if not _VALID[cur][target]:
                _invalid(self, event)
            if new_filled > self.quantity_raw:
                raise OrderOverfillError(
                    f"order {self.client_order_id}: fill {fill.trade_id} of "
                    f"{raw_to_str(fill.last_qty_raw, fill.qty_prec)} overfills: filled "
                    f"{raw_to_str(self.filled_qty_raw, self.qty_prec)} of "
                    f"{raw_to_str(self.quantity_raw, self.qty_prec)}")
            if (self.last_trade_id is not None
                    and (fill.trade_id is self.last_trade_id or fill.trade_id == self.last_trade_id
                         or (self._trade_ids is not None and fill.trade_id in self._trade_ids))):
                raise ValueError(f"order {self.client_order_id}: duplicate fill, trade_id {fill.trade_id} "
                                 "already applied")
            self._fill(fill, new_filled)
            self.status_c = target
        elif kind == EVK_UPDATED:
            upd = <OrderUpdated>event
            if cur == OS_INITIALIZED or cur == OS_DENIED or cur == OS_REJECTED or cur == OS_FILLED \
                    or cur == OS_CANCELED or cur == OS_EXPIRED:
                _invalid(self, event)
            self._keep_init()
            self._update(upd)
            if cur == OS_PENDING_UPDATE:
                self.status_c = self.previous_status_c
        elif kind == EVK_MODIFY_REJECTED:
            if cur == OS_INITIALIZED or cur == OS_DENIED:
                _invalid(self, event)
            if cur == OS_PENDING_UPDATE:
                self.status_c = self.previous_status_c
        elif kind == EVK_CANCEL_REJECTED:
            if cur == OS_INITIALIZED or cur == OS_DENIED:
                _invalid(self, event)
            if cur == OS_PENDING_CANCEL:
                self.status_c = self.previous_status_c
        elif kind == EVK_INITIALIZED:
            _invalid(self, event)
        else:
            target = kind          # event kinds 2..12 equal their target status
            if not transition_valid(cur, target):
                _invalid(self, event)
            if target == OS_PENDING_UPDATE or target == OS_PENDING_CANCEL:
                if cur != OS_PENDING_UPDATE and cur != OS_PENDING_CANCEL:
                    self.previous_status_c = cur
            elif kind == EVK_TRIGGERED:
                self.is_triggered = True
            self.status_c = target
        self._set_ids(event.venue_order_id, event.account_id)
        self.ts_last = event.ts_event
        _ev_append(self, event)
        return 0

    cdef int _set_ids(self, VenueOrderId venue_order_id, AccountId account_id) except -1:
        """Take an event's venue order id and account id (None: unchanged). Implicit events are
        rebuilt from these fields (an OrderSubmitted from the account id, an OrderAccepted from
        both), so they are made first when a field they carry would change."""
        if venue_order_id is not None:
            if (self._implicit & 2) and venue_order_id is not self.venue_order_id:
                self._keep_implicit()
            self.venue_order_id = venue_order_id
        if account_id is not None:
            if self._implicit and account_id is not self.account_id:
                self._keep_implicit()
            self.account_id = account_id
        return 0

    cdef int apply_implicit_c(self, int kind, VenueOrderId venue_order_id, AccountId account_id,
                              int64_t ts) except -1:
        # EVK_SUBMITTED / EVK_ACCEPTED (kinds equal their target status), see orders.pxd
        cdef bint submitted = kind == EVK_SUBMITTED
        if not transition_valid(self.status_c, kind):     # apply_c raises the state machine's error
            return self.apply_c(
                OrderSubmitted.create_c(self.trader_id, self.strategy_id, self.instrument_id, self.client_order_id,
                                        account_id, ts, ts) if submitted else
                OrderAccepted.create_c(self.trader_id, self.strategy_id, self.instrument_id, self.client_order_id,
                                       venue_order_id, account_id, ts, ts))
        self.status_c = kind
        self._set_ids(venue_order_id, account_id)
        self.ts_last = ts
        if submitted:
            self._ts_submitted = ts
            self._submitted_id = next_event_id()
            self._implicit |= 1
            _ev_append(self, _SUBMITTED_MARK)
        else:
            self._ts_accepted = ts
            self._accepted_id = next_event_id()
            self._implicit |= 2
            _ev_append(self, _ACCEPTED_MARK)
        return 0

    cdef int _keep_implicit(self) except -1:
        """Replace the implicit-event marks among the events with the events: the order's ids, the
        kept timestamps (engine events have ts_event == ts_init) and the event ids taken when they
        were applied, so they equal the events the engine would have built then."""
        cdef Py_ssize_t i
        cdef object e
        if not self._implicit:
            return 0
        for i in range(1, _ev_count(self)):
            e = _ev_at(self, i)
            if e is _SUBMITTED_MARK:
                _ev_set(self, i, OrderSubmitted(self.trader_id, self.strategy_id, self.instrument_id,
                                                self.client_order_id, self.account_id, self._ts_submitted,
                                                self._ts_submitted, event_id=self._submitted_id))
            elif e is _ACCEPTED_MARK:
                _ev_set(self, i, OrderAccepted(self.trader_id, self.strategy_id, self.instrument_id,
                                               self.client_order_id, self.venue_order_id, self.account_id,
                                               self._ts_accepted, self._ts_accepted, event_id=self._accepted_id))
        self._implicit = 0
        return 0

    cdef int _fill(self, OrderFilled fill, int64_t new_filled) except -1:
        cdef double px = <double>fill.last_px_raw / 1e9
        cdef double price
        cdef object cur_raw
        cdef Currency ccy
        self.filled_qty_raw = new_filled
        self.leaves_qty_raw = self.quantity_raw - new_filled
        self._px_qty_sum += px * (<double>fill.last_qty_raw / 1e9)
        self.avg_px = self._px_qty_sum / (<double>new_filled / 1e9)
        self.liquidity_side_c = fill.liquidity_side_c
        if self.last_trade_id is not None:
            # lists only from the second fill: most orders fill once
            if self._trade_ids is None:
                self._trade_ids = [self.last_trade_id, fill.trade_id]
            else:
                self._trade_ids.append(fill.trade_id)
        self.last_trade_id = fill.trade_id
        ccy = fill.commission_currency
        if ccy is not None:
            if self._comm_ccy is None:
                self._comm_ccy = ccy
                self._comm_raw = fill.commission_raw
            elif ccy is self._comm_ccy or ccy == self._comm_ccy:
                self._comm_raw += fill.commission_raw
            elif self._commissions is None:
                self._commissions = {ccy: fill.commission_raw}
            else:
                cur_raw = self._commissions.get(ccy)
                self._commissions[ccy] = fill.commission_raw if cur_raw is None else cur_raw + fill.commission_raw
        if fill.position_id is not None:
            self.position_id = fill.position_id
        if self.order_type_c == OT_MARKET_TO_LIMIT and not self.has_price:
            # the remainder rests as a limit at the first fill's price
            self._keep_init()
            self.price_raw = fill.last_px_raw
            self.px_prec = fill.px_prec
            self.has_price = True
        if self.has_price:
            price = <double>self.price_raw / 1e9
            self.slippage = (self.avg_px - price) if self.side_c == 1 else (price - self.avg_px)
        return 0

    cdef int _update(self, OrderUpdated upd) except -1:
        cdef str who = f"order {self.client_order_id}"
        if upd.quantity_raw <= self.filled_qty_raw:
            raise ValueError(f"{who}: updated quantity {raw_to_str(upd.quantity_raw, upd.qty_prec)} must "
                             f"exceed the filled quantity {raw_to_str(self.filled_qty_raw, self.qty_prec)}")
        if upd.has_price and not _has_price_kind(self.order_type_c):
            raise ValueError(f"{who}: cannot update price of a {_TYPES[self.order_type_c].name} order")
        if upd.has_trigger and not _has_trigger_kind(self.order_type_c):
            raise ValueError(f"{who}: cannot update trigger_price of a {_TYPES[self.order_type_c].name} order")
        if self.display_qty_raw > upd.quantity_raw:
            raise ValueError(f"{who}: updated quantity {raw_to_str(upd.quantity_raw, upd.qty_prec)} is below "
                             f"display_qty {raw_to_str(self.display_qty_raw, self.qty_prec)}")
        self.quantity_raw = upd.quantity_raw
        self.leaves_qty_raw = upd.quantity_raw - self.filled_qty_raw
        if upd.has_price:
            self.price_raw = upd.price_raw
            self.has_price = True
            self.px_prec = upd.px_prec
        if upd.has_trigger:
            self.trigger_price_raw = upd.trigger_price_raw
            self.has_trigger = True
            self.px_prec = upd.px_prec
        return 0

    cdef int set_contingency_c(self, OrderListId order_list_id, int contingency_type,
                               tuple linked_order_ids, ClientOrderId parent_order_id) except -1:
        if self.status_c != OS_INITIALIZED or _ev_count(self) != 1:
            raise InvalidStateTrigger(f"order {self.client_order_id}: contingency can only be set on a "
                                      f"fresh INITIALIZED order (status {_STATUS[self.status_c].name})")
        cdef tuple before = (self.order_list_id, self.contingency_type_c, self._linked_order_ids,
                             self.parent_order_id)
        self.order_list_id = order_list_id
        self.contingency_type_c = contingency_type
        self._linked_order_ids = linked_order_ids if linked_order_ids else None
        self.parent_order_id = parent_order_id
        cdef OrderInitialized new = self._rebuild_init_c()
        try:
            validate_initialized(new)
        except BaseException:
            self.order_list_id, self.contingency_type_c, self._linked_order_ids, self.parent_order_id = before
            raise
        if _ev_at(self, 0) is not None:     # a kept event is replaced; an implicit one follows the fields
            _ev_set(self, 0, new)
        return 0

    cpdef void set_activated(self) except *:
        """Mark a trailing stop as activated (its activation price was reached); the matching
        engine calls this, trailing stops without an activation price start activated."""
        if self.order_type_c != OT_TRAILING_STOP_MARKET and self.order_type_c != OT_TRAILING_STOP_LIMIT:
            raise ValueError(f"order {self.client_order_id}: only trailing stop orders can be activated")
        self.is_activated = True

    cpdef bint would_reduce_only(self, int position_side, int64_t position_qty_raw):
        """True when filling the leaves quantity would only reduce a position of
        ``position_side`` (PositionSide: 0 FLAT, 1 LONG, 2 SHORT) and raw size ``position_qty_raw``."""
        if position_side == 0:
            return False
        if self.side_c == 1:
            if position_side == 1:
                return False
            return self.leaves_qty_raw <= position_qty_raw
        if position_side == 2:
            return False
        return self.leaves_qty_raw <= position_qty_raw

    # ---------------------------------------------------------------- Python views

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
    def status(self):
        """OrderStatus."""
        return _enum(_STATUS, self.status_c)

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
    def liquidity_side(self):
        """LiquiditySide of the last fill (NO_LIQUIDITY_SIDE before any)."""
        return _enum(_LIQ, self.liquidity_side_c)

    @property
    def quantity(self):
        """Order quantity (Quantity)."""
        return Quantity.from_raw_c(self.quantity_raw, self.qty_prec)

    @property
    def filled_qty(self):
        """Filled quantity so far (Quantity)."""
        return Quantity.from_raw_c(self.filled_qty_raw, self.qty_prec)

    @property
    def leaves_qty(self):
        """Quantity left to fill (Quantity)."""
        return Quantity.from_raw_c(self.leaves_qty_raw, self.qty_prec)

    @property
    def price(self):
        """Limit price (Price) or None (market-style orders; MARKET_TO_LIMIT after its first fill)."""
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
        """Limit offset of a TRAILING_STOP_LIMIT (Decimal) or None."""
        return (offset_to_decimal(self.limit_offset_raw)
                if self.order_type_c == OT_TRAILING_STOP_LIMIT else None)

    @property
    def linked_order_ids(self):
        """List of linked ClientOrderIds (contingent orders) or None."""
        return list(self._linked_order_ids) if self._linked_order_ids is not None else None

    @property
    def tags(self):
        """List of tag strings or None."""
        return list(self._tags) if self._tags is not None else None

    @property
    def events(self):
        """All applied events, oldest first (a copy)."""
        self._keep_implicit()
        cdef list out = [_ev_at(self, i) for i in range(_ev_count(self))]
        out[0] = self._init_event_c()
        return out

    @property
    def init_event(self):
        """The OrderInitialized event."""
        return self._init_event_c()

    @property
    def last_event(self):
        """The most recently applied event."""
        if _ev_count(self) == 1:
            return self._init_event_c()
        self._keep_implicit()
        return _ev_at(self, _ev_count(self) - 1)

    @property
    def event_count(self) -> int:
        return _ev_count(self)

    @property
    def fill_events(self):
        """The OrderFilled events applied, oldest first (a new list). Unlike ``events`` it leaves
        the events the engine applied without building them unbuilt (cheap for reports)."""
        cdef Py_ssize_t i
        cdef list out = []
        for i in range(_ev_count(self)):
            e = _ev_at(self, i)
            if type(e) is OrderFilled:
                out.append(e)
        return out

    @property
    def trade_ids(self):
        """TradeIds of the fills, in order (a copy)."""
        if self._trade_ids is not None:
            return list(self._trade_ids)
        return [self.last_trade_id] if self.last_trade_id is not None else []

    def commissions(self) -> list:
        """Total commission per currency as a list of Money (in first-seen currency order)."""
        if self._comm_ccy is None:
            return []
        out = [Money.from_raw_c(self._comm_raw, self._comm_ccy)]
        if self._commissions is not None:
            out += [Money.from_raw_c(<int64_t>v, <Currency>c) for c, v in self._commissions.items()]
        return out

    @property
    def is_open(self) -> bool:
        """ACCEPTED, TRIGGERED, PENDING_UPDATE, PENDING_CANCEL or PARTIALLY_FILLED."""
        return self.is_open_c()

    @property
    def is_working(self) -> bool:
        """Working at the venue: same statuses as ``is_open``."""
        return self.is_open_c()

    @property
    def is_closed(self) -> bool:
        """DENIED, REJECTED, FILLED, CANCELED or EXPIRED."""
        return self.is_closed_c()

    @property
    def is_inflight(self) -> bool:
        """SUBMITTED, PENDING_UPDATE or PENDING_CANCEL (a request awaits the venue's answer)."""
        return self.is_inflight_c()

    @property
    def is_pending_update(self) -> bool:
        return self.status_c == OS_PENDING_UPDATE

    @property
    def is_pending_cancel(self) -> bool:
        return self.status_c == OS_PENDING_CANCEL

    @property
    def is_buy(self) -> bool:
        return self.side_c == 1

    @property
    def is_sell(self) -> bool:
        return self.side_c == 2

    @property
    def is_aggressive(self) -> bool:
        """MARKET orders (they take liquidity by construction)."""
        return self.order_type_c == OT_MARKET

    @property
    def is_passive(self) -> bool:
        """Every order type except MARKET."""
        return self.order_type_c != OT_MARKET

    @property
    def is_contingency(self) -> bool:
        return self.contingency_type_c != CONT_NONE

    @property
    def is_parent_order(self) -> bool:
        """An OTO parent (its fill releases the linked children)."""
        return self.contingency_type_c == CONT_OTO

    @property
    def is_child_order(self) -> bool:
        return self.parent_order_id is not None

    def to_dict(self) -> dict:
        """Plain-Python snapshot (enum names, decimal strings, ns ints) for reports and logs."""
        return {
            "trader_id": self.trader_id.value,
            "strategy_id": self.strategy_id.value,
            "instrument_id": self.instrument_id.value,
            "client_order_id": self.client_order_id.value,
            "venue_order_id": self.venue_order_id.value if self.venue_order_id is not None else None,
            "position_id": self.position_id.value if self.position_id is not None else None,
            "account_id": self.account_id.value if self.account_id is not None else None,
            "order_list_id": self.order_list_id.value if self.order_list_id is not None else None,
            "side": self.side.name,
            "order_type": self.order_type.name,
            "time_in_force": self.time_in_force.name,
            "status": self.status.name,
            "quantity": str(self.quantity),
            "filled_qty": str(self.filled_qty),
            "leaves_qty": str(self.leaves_qty),
            "price": str(self.price) if self.has_price else None,
            "trigger_price": str(self.trigger_price) if self.has_trigger else None,
            "trigger_type": self.trigger_type.name,
            "avg_px": self.avg_px if self.filled_qty_raw > 0 else None,
            "slippage": self.slippage,
            "expire_time_ns": self.expire_time_ns or None,
            "post_only": bool(self.post_only),
            "reduce_only": bool(self.reduce_only),
            "quote_quantity": bool(self.quote_quantity),
            "display_qty": str(self.display_qty) if self.display_qty_raw >= 0 else None,
            "contingency_type": self.contingency_type.name,
            "linked_order_ids": [x.value for x in self._linked_order_ids] if self._linked_order_ids else None,
            "parent_order_id": self.parent_order_id.value if self.parent_order_id is not None else None,
            "tags": list(self._tags) if self._tags else None,
            "ts_init": self.ts_init,
            "ts_last": self.ts_last,
        }

    def __eq__(self, other):
        if not isinstance(other, Order):
            return NotImplemented
        return self.client_order_id == (<Order>other).client_order_id

    def __hash__(self):
        return hash(self.client_order_id)

    def __repr__(self):
        s = (f"Order({self.client_order_id}, {self.instrument_id}, {self.side.name} "
             f"{self.order_type.name} {self.quantity}")
        if self.has_price:
            s += f" @ {self.price}"
        if self.has_trigger:
            s += f" trigger {self.trigger_price}"
        return s + f", {self.time_in_force.name}, status={self.status.name}, filled={self.filled_qty})"
