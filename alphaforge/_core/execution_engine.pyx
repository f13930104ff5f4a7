"""Execution engine (OMS): see execution_engine.pxd for the rules.

Event order for a fill: the OrderFilled (order already updated) to the strategy, then the position
event(s): PositionOpened / PositionChanged / PositionClosed (a netting flip: PositionClosed then
PositionOpened). Before the strategy sees them the Order, Position, Account and Cache are updated.
Strategy handlers: an ``alphaforge`` Strategy (its C dispatch is called) or any object with
``handle_order_event(event)`` / ``handle_position_event(event)`` methods.
"""
from cpython.tuple cimport PyTuple_GET_SIZE
from libc.stdint cimport INT64_MAX, int64_t

from alphaforge._core.accounts cimport Account
from alphaforge._core.clock cimport clock_now_ns
from alphaforge._core.currency cimport Currency
from alphaforge._core.exchange cimport SimulatedExchange
from alphaforge._core.identifiers cimport (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TraderId,
    Venue,
    VenueOrderId,
)
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.matching_engine cimport OrderMatchingEngine, VenueEventSink
from alphaforge._core.order_events cimport (
    EVK_ACCEPTED,
    EVK_SUBMITTED,
    OS_FILLED,
    OS_INITIALIZED,
    OS_PENDING_CANCEL,
    OS_SUBMITTED,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderSubmitted,
)
from alphaforge._core.msgbus cimport MessageBus, _Route
from alphaforge._core.orders cimport Order
from alphaforge._core.portfolio cimport Portfolio
from alphaforge._core.position cimport Position, PositionChanged, PositionClosed, PositionEvent, PositionOpened
from alphaforge._core.strategy cimport Strategy
from alphaforge._core.trading_cache cimport Cache

from alphaforge.model.enums import OmsType


cdef PositionEvent _pos_event(type cls, Position p, int64_t qty, int64_t px, OrderFilled f):
    cdef PositionEvent e = cls.__new__(cls)
    e._fill_from(p, qty, px, f.ts_event, f.ts_init)
    e.trade_id = f.trade_id
    return e


cdef class _EventTarget:
    """Where one strategy's order and position events go: its handler (typed when a Strategy), its
    msgbus topics and, on an alphaforge MessageBus, their routes (see execution_engine.pxd)."""


cdef class ExecutionEngine(VenueEventSink):
    """``ExecutionEngine(clock, cache, portfolio=None, msgbus=None)``.

    ``register_venue(exchange)`` connects a SimulatedExchange (its events come here, its account is
    registered with the portfolio); ``register_strategy(strategy_id, handler, oms_type=None)`` routes
    a strategy's events to ``handler`` (optional per-strategy OMS override). Commands (normally called
    by the RiskEngine): ``submit_order``, ``submit_order_list``, ``modify_order``, ``cancel_order``,
    ``cancel_all_orders``, ``close_position``, ``close_all_positions``. With a msgbus, every event is
    also published on ``events.order.{strategy_id}`` / ``events.position.{strategy_id}``.
    """

    def __init__(self, clock, cache, portfolio=None, msgbus=None):
        VenueEventSink.__init__(self)
        self.events = None          # the engine does not keep a global event list
        if clock is None or not hasattr(clock, "timestamp_ns"):
            raise TypeError("clock must be an alphaforge Clock")
        self.clock = clock
        self.cache = cache
        self.portfolio = portfolio
        self._cportfolio = portfolio if isinstance(portfolio, Portfolio) else None
        self._ccache = cache if type(cache) is Cache else None
        self.msgbus = msgbus
        self._cmsgbus = msgbus if isinstance(msgbus, MessageBus) else None
        self._venues = {}
        self._instruments = {}
        self._handlers = {}
        self._oms = {}
        self._positions = {}
        self._netting = {}
        self._order_pos = {}
        self._factories = {}
        self._forget_lookups()
        self.closed_position_events = []
        self._pos_seq = 0
        self.event_count = 0
        self.fill_count = 0
        self.command_count = 0

    # ------------------------------------------------------------------ wiring

    cdef void _forget_lookups(self) noexcept:
        self._last_venue = None
        self._last_exchange = None
        self._last_iid = None
        self._last_instrument = None
        self._last_sid = None
        self._last_handler = None
        self._last_net_iid = None
        self._last_net_sid = None
        self._last_net_pid = None
        self._last_pos_pid = None
        self._last_pos = None

    def register_venue(self, SimulatedExchange exchange not None) -> None:
        """Connect a venue: its events come to this engine; its account joins the portfolio."""
        self._forget_lookups()
        self._venues[exchange.venue] = exchange
        exchange.set_sink_c(self)
        for inst in exchange.instruments():
            self._instruments[inst.id] = inst
            if self.cache is not None and self.cache.instrument(inst.id) is None:
                self.cache.add_instrument(inst)
            if isinstance(self.portfolio, Portfolio):
                self.portfolio.register_instrument(inst)
        if isinstance(self.portfolio, Portfolio):
            (<Portfolio>self.portfolio)._accounts[exchange.venue] = exchange.account
        elif self.portfolio is not None:
            self.portfolio.register_account(exchange.account, exchange.venue)

    def register_strategy(self, strategy_id, handler, oms_type=None) -> None:
        """Deliver ``strategy_id``'s order/position events to ``handler`` (a Strategy, or any object
        with ``handle_order_event`` / ``handle_position_event``); ``oms_type`` overrides the venue's."""
        cdef StrategyId sid = strategy_id if isinstance(strategy_id, StrategyId) else StrategyId(str(strategy_id))
        self._forget_lookups()
        order_topic, position_topic = f"events.order.{sid.value}", f"events.position.{sid.value}"
        # with an alphaforge MessageBus, the topics' routes (kept current by the bus) are held too,
        # so publishing an event skips the topic lookup
        cdef _EventTarget t = _EventTarget.__new__(_EventTarget)
        t.handler = handler
        t.strategy = handler if isinstance(handler, Strategy) else None
        t.order_topic = order_topic
        t.position_topic = position_topic
        if self._cmsgbus is not None:
            t.order_route = self._cmsgbus.route_c(order_topic)
            t.position_route = self._cmsgbus.route_c(position_topic)
        self._handlers[sid] = t
        if oms_type is not None:
            self._oms[sid] = int(OmsType.parse(oms_type))
        else:
            self._oms.pop(sid, None)
        factory = getattr(handler, "order_factory", None)
        if factory is not None:
            self._factories[sid] = factory

    def reset(self) -> None:
        """Forget positions and counters (a new run); venues and strategies stay registered."""
        self._positions = {}
        self._netting = {}
        self._order_pos = {}
        self._forget_lookups()
        self.closed_position_events = []
        self._pos_seq = 0
        self.event_count = 0
        self.fill_count = 0
        self.command_count = 0
        for ex in self._venues.values():
            if isinstance(self.portfolio, Portfolio):
                (<Portfolio>self.portfolio)._accounts[(<SimulatedExchange>ex).venue] = (<SimulatedExchange>ex).account

    def exchange(self, venue) -> SimulatedExchange:
        return self._venues.get(venue if isinstance(venue, Venue) else Venue(str(venue)))

    cdef int64_t now_c(self) except? -1:
        return clock_now_ns(self.clock)

    cdef SimulatedExchange _exchange(self, Order order):
        cdef object venue = order.instrument_id.venue
        if venue is not self._last_venue:
            self._last_exchange = self._venues.get(venue)
            self._last_venue = venue
        return self._last_exchange

    cdef _EventTarget _handler_of(self, StrategyId strategy_id):
        if strategy_id is not self._last_sid:
            self._last_handler = self._handlers.get(strategy_id)
            self._last_sid = strategy_id
        return self._last_handler

    cdef Instrument _instrument(self, InstrumentId instrument_id):
        if instrument_id is self._last_iid:
            return self._last_instrument
        cdef object inst = self._instruments.get(instrument_id)
        cdef SimulatedExchange ex
        if inst is not None:
            self._last_iid = instrument_id
            self._last_instrument = inst
        else:
            ex = self._venues.get(instrument_id.venue)
            if ex is not None:
                e = ex.engine_c(instrument_id)
                if e is not None:
                    inst = (<OrderMatchingEngine>e).instrument
                    self._instruments[instrument_id] = inst
        return inst

    def instrument(self, instrument_id):
        """The Instrument traded on a registered venue, or None."""
        return self._instrument(instrument_id if isinstance(instrument_id, InstrumentId)
                                else InstrumentId.from_str(str(instrument_id)))

    cdef int oms_for_c(self, StrategyId strategy_id, SimulatedExchange ex) except -1:
        cdef object o = self._oms.get(strategy_id) if self._oms else None
        if o is not None:
            return o
        return ex.oms_type if ex is not None else 1

    # ------------------------------------------------------------------ positions

    cdef Position position_for_order_c(self, Order order):
        """The position an order's fill would apply to (None when it would open a new one)."""
        cdef object pid = order.position_id
        cdef SimulatedExchange ex
        if pid is None and self._order_pos:
            pid = self._order_pos.get(order.client_order_id)
        if pid is None:
            ex = self._exchange(order)
            if self.oms_for_c(order.strategy_id, ex) == 1:
                pid = self._netting.get((order.instrument_id, order.strategy_id))
        if pid is None:
            return None
        return self._positions.get(pid)

    cdef int64_t position_qty_c(self, Order order) except? -1:
        cdef Position p = self.position_for_order_c(order)
        cdef SimulatedExchange ex
        cdef int64_t net = 0
        if p is not None:
            return p.signed_qty_raw
        ex = self._exchange(order)
        if self.oms_for_c(order.strategy_id, ex) == 2:
            # hedging without a position id: the strategy's net over its open positions
            for pos in self._positions.values():
                if (<Position>pos).instrument_id == order.instrument_id and \
                        (<Position>pos).strategy_id == order.strategy_id:
                    net += (<Position>pos).signed_qty_raw
        return net

    def net_position_raw(self, instrument_id, strategy_id) -> int:
        """Signed net quantity (raw) of a strategy's open positions in an instrument."""
        cdef int64_t net = 0
        iid = instrument_id if isinstance(instrument_id, InstrumentId) else InstrumentId.from_str(str(instrument_id))
        sid = strategy_id if isinstance(strategy_id, StrategyId) else StrategyId(str(strategy_id))
        for pos in self._positions.values():
            if (<Position>pos).instrument_id == iid and (<Position>pos).strategy_id == sid:
                net += (<Position>pos).signed_qty_raw
        return net

    def positions_open(self, strategy_id=None, instrument_id=None) -> list:
        """Open positions held by the engine (optionally filtered)."""
        out = []
        for pos in self._positions.values():
            if (<Position>pos).signed_qty_raw == 0:
                continue
            if strategy_id is not None and str((<Position>pos).strategy_id) != str(strategy_id):
                continue
            if instrument_id is not None and str((<Position>pos).instrument_id) != str(instrument_id):
                continue
            out.append(pos)
        return out

    cdef PositionId _position_id_for(self, Order order, int oms, SimulatedExchange ex):
        cdef object pid = order.position_id
        cdef tuple key
        if pid is not None:
            return pid
        if self._order_pos:
            pid = self._order_pos.get(order.client_order_id)
            if pid is not None:
                return pid
        if oms == 1:
            if order.instrument_id is self._last_net_iid and order.strategy_id is self._last_net_sid:
                return self._last_net_pid
            key = (order.instrument_id, order.strategy_id)
            pid = self._netting.get(key)
            if pid is None:
                pid = PositionId(f"{order.instrument_id.value}-{order.strategy_id.value}")
                self._netting[key] = pid
            self._last_net_iid = order.instrument_id
            self._last_net_sid = order.strategy_id
            self._last_net_pid = pid
            return pid
        self._pos_seq += 1
        if ex is not None and ex.use_position_ids:
            return PositionId(f"{ex.venue.value}-P{self._pos_seq}")
        return PositionId(f"{order.instrument_id.value}-{order.strategy_id.value}-{self._pos_seq}")

    # ------------------------------------------------------------------ dispatch

    cdef int _publish(self, str topic, object event) except -1:
        if self._cmsgbus is not None:
            self._cmsgbus.publish_c(topic, event)
        else:
            self.msgbus.publish(topic, event)
        return 0

    cdef int _cache_add(self, Order order, object position_id) except -1:
        if self._ccache is not None:
            self._ccache.add_order_c(order, position_id)
        elif self.cache is not None:
            self.cache.add_order(order, position_id)
        return 0

    cdef int _cache_update(self, Order order) except -1:
        if self._ccache is not None:
            self._ccache.update_order_c(order)
        elif self.cache is not None:
            self.cache.update_order(order)
        return 0

    cdef bint _event_wanted(self, _EventTarget h, int kind) except -1:
        """True when an order event of ``kind`` (EVK_*) for the strategy behind ``h`` has a
        receiver: a subscriber on its msgbus route (or a bus without routes), a handler that is not
        a Strategy, or the Strategy's own handler for it. When it has none the engine applies the
        event without building it (Order.apply_implicit_c): the order rebuilds it from its fields
        when its events are read."""
        return self._bus_or_foreign(h, False) or h.strategy.wants_order_event_c(kind)

    cdef bint _bus_or_foreign(self, _EventTarget h, bint positions) except -1:
        """True when ``h``'s order events (``positions``: its position events) reach something
        besides the Strategy's own handlers: a msgbus subscriber (or a bus without routes), or a
        handler that is not a Strategy."""
        cdef _Route r
        if h is None or h.strategy is None:
            return True
        if self.msgbus is None:
            return False
        r = h.position_route if positions else h.order_route
        return r is None or PyTuple_GET_SIZE(r.handlers) > 0

    cdef int _unsent(self, _EventTarget h, bint positions) except -1:
        """Count an event nobody receives as dispatch_order_c / dispatch_position_c count it (engine
        and bus); ``positions``: a position event (else an order event)."""
        cdef _Route r = h.position_route if positions else h.order_route
        self.event_count += 1
        if self._cmsgbus is not None and r is not None:
            self._cmsgbus.count_publish_c(r)
        return 0

    cdef object _position_event_for(self, _EventTarget h, type cls, Position p, int64_t qty, int64_t px,
                                   OrderFilled fill):
        """The position event of class ``cls`` to dispatch after the fill, or None: a PositionOpened
        or PositionChanged nobody receives (no subscriber on the strategy's position-event route,
        no handler for it in the Strategy) is only counted. A PositionClosed is always made, as the
        run keeps them (closed_position_events); ``_dispatch_pos_event`` sends it where it is received."""
        if cls is PositionClosed or self._bus_or_foreign(h, True) or h.strategy.wants_position_event_c(cls):
            return _pos_event(cls, p, qty, px, fill)
        self._unsent(h, True)
        return None

    cdef int dispatch_order_c(self, Order order, object event) except -1:
        cdef _EventTarget h = self._handler_of(order.strategy_id)
        self.event_count += 1
        if self.msgbus is not None:
            if h is not None and h.order_route is not None:
                self._cmsgbus.publish_route_c(h.order_route, event)
            else:
                self._publish(h.order_topic if h is not None else f"events.order.{order.strategy_id.value}", event)
        if h is None:
            return 0
        if h.strategy is not None:
            h.strategy.dispatch_order_event_c(event)
        else:
            h.handler.handle_order_event(event)
        return 0

    cdef int dispatch_position_c(self, StrategyId strategy_id, object event) except -1:
        cdef _EventTarget h = self._handler_of(strategy_id)
        self.event_count += 1
        if self.msgbus is not None:
            if h is not None and h.position_route is not None:
                self._cmsgbus.publish_route_c(h.position_route, event)
            else:
                self._publish(h.position_topic if h is not None else f"events.position.{strategy_id.value}", event)
        if h is None:
            return 0
        if h.strategy is not None:
            h.strategy.dispatch_position_event_c(event)
        else:
            h.handler.handle_position_event(event)
        return 0

    # ------------------------------------------------------------------ venue events

    cdef int on_accepted_c(self, Order order, VenueOrderId venue_order_id, AccountId account_id,
                           int64_t ts) except -1:
        cdef _EventTarget h = self._handler_of(order.strategy_id)
        if self._event_wanted(h, EVK_ACCEPTED):       # the sink's way: build it, on_venue_event_c
            return VenueEventSink.on_accepted_c(self, order, venue_order_id, account_id, ts)
        order.apply_implicit_c(EVK_ACCEPTED, venue_order_id, account_id, ts)
        self._cache_update(order)
        return self._unsent(h, False)

    cdef int on_venue_event_c(self, Order order, OrderEvent event) except -1:
        if type(event) is OrderFilled:
            return self._handle_fill(order, <OrderFilled>event)
        order.apply_c(event)
        self._cache_update(order)
        if order.is_closed_c() and self._order_pos:
            self._order_pos.pop(order.client_order_id, None)
        return self.dispatch_order_c(order, event)

    cdef int _handle_fill(self, Order order, OrderFilled fill) except -1:
        cdef _EventTarget h = self._handler_of(order.strategy_id)
        cdef SimulatedExchange ex = self._exchange(order)
        cdef int oms = self.oms_for_c(order.strategy_id, ex)
        cdef PositionId pid = self._position_id_for(order, oms, ex)
        cdef Instrument inst = self._instrument(order.instrument_id)
        cdef Account acc = ex.account if ex is not None else None
        cdef Position p
        cdef int64_t cur_abs, close_qty, open_qty, comm_close, comm_open
        cdef object pev1 = None, pev2 = None     # the position events of this fill (a flip: two)
        cdef bint new_position = False
        fill.position_id = pid
        order.apply_c(fill)
        self.fill_count += 1
        if pid is self._last_pos_pid:
            p = self._last_pos
        else:
            p = self._positions.get(pid)
            self._last_pos_pid = pid
            self._last_pos = p
        if p is None:
            p = Position(inst, fill, pid)
            self._positions[pid] = p
            self._last_pos = p
            new_position = True
            if acc is not None:
                acc.apply_fill_c(inst, fill.side, fill.last_qty_raw, fill.last_px_raw, fill.commission_raw,
                                 fill.commission_currency, p, fill.ts_event)
            pev1 = self._position_event_for(h, PositionOpened, p, fill.last_qty_raw, fill.last_px_raw, fill)
        else:
            cur_abs = p.signed_qty_raw if p.signed_qty_raw >= 0 else -p.signed_qty_raw
            if cur_abs > 0 and p.is_opposite_side(fill.side) and fill.last_qty_raw > cur_abs:
                # flip through zero: close the position, then open a new cycle with the remainder
                close_qty = cur_abs
                open_qty = fill.last_qty_raw - cur_abs
                comm_close = <int64_t>((<double>fill.commission_raw) * (<double>close_qty) / (<double>fill.last_qty_raw))
                if fill.commission_currency is not None:
                    comm_close = _round_to(comm_close, fill.commission_currency.precision)
                comm_open = fill.commission_raw - comm_close
                p.apply_raw(fill.side, close_qty, fill.last_px_raw, comm_close, fill.commission_currency,
                            fill.ts_event)
                p.closing_order_id = order.client_order_id
                if acc is not None:
                    acc.apply_fill_c(inst, fill.side, close_qty, fill.last_px_raw, comm_close,
                                     fill.commission_currency, p, fill.ts_event)
                pev1 = self._position_event_for(h, PositionClosed, p, close_qty, fill.last_px_raw, fill)
                p.apply_raw(fill.side, open_qty, fill.last_px_raw, comm_open, fill.commission_currency,
                            fill.ts_event)
                p.opening_order_id = order.client_order_id
                p.record_ids_c(fill.trade_id, order.client_order_id, order.filled_qty_raw == fill.last_qty_raw)
                p._fills.append(fill)
                if acc is not None:
                    acc.apply_fill_c(inst, fill.side, open_qty, fill.last_px_raw, comm_open,
                                     fill.commission_currency, p, fill.ts_event)
                pev2 = self._position_event_for(h, PositionOpened, p, open_qty, fill.last_px_raw, fill)
            else:
                p.apply_order_fill_c(fill, order.filled_qty_raw == fill.last_qty_raw)
                if acc is not None:
                    acc.apply_fill_c(inst, fill.side, fill.last_qty_raw, fill.last_px_raw, fill.commission_raw,
                                     fill.commission_currency, p, fill.ts_event)
                if p.signed_qty_raw == 0:
                    pev1 = self._position_event_for(h, PositionClosed, p, fill.last_qty_raw, fill.last_px_raw, fill)
                elif cur_abs == 0:
                    pev1 = self._position_event_for(h, PositionOpened, p, fill.last_qty_raw, fill.last_px_raw, fill)
                else:
                    pev1 = self._position_event_for(h, PositionChanged, p, fill.last_qty_raw, fill.last_px_raw, fill)
        if self._ccache is not None:
            self._ccache.update_order_c(order)
            if new_position and pid not in self._ccache._positions:
                self._ccache.add_position(p)
            else:
                self._ccache.update_position_c(p)
        elif self.cache is not None:
            self.cache.update_order(order)
            if new_position and not self.cache.position_exists(pid):
                self.cache.add_position(p)
            else:
                self.cache.update_position(p)
        if self._cportfolio is not None:
            self._cportfolio.update_price_c(order.instrument_id.index, fill.last_px_raw)
        if p.signed_qty_raw == 0 and oms == 2:
            del self._positions[pid]          # closed hedging positions live on in the cache only
            self._last_pos_pid = None
            self._last_pos = None
        if order.is_closed_c() and self._order_pos:
            self._order_pos.pop(order.client_order_id, None)
        self.dispatch_order_c(order, fill)
        if pev1 is not None:
            self._dispatch_pos_event(h, order.strategy_id, pev1)
        if pev2 is not None:
            self._dispatch_pos_event(h, order.strategy_id, pev2)
        return 0

    cdef int _dispatch_pos_event(self, _EventTarget h, StrategyId strategy_id, object event) except -1:
        """Send a position event of the strategy ``strategy_id`` (whose event target is ``h``)."""
        if type(event) is PositionClosed:
            self.closed_position_events.append(event)
            if h is not None and not self._bus_or_foreign(h, True) and \
                    not h.strategy.wants_position_event_c(PositionClosed):
                return self._unsent(h, True)     # kept for the run's reports, received by nobody
        return self.dispatch_position_c(strategy_id, event)

    # ------------------------------------------------------------------ commands

    cdef int deny_c(self, Order order, str reason) except -1:
        """Deny an order before it reaches a venue (OrderDenied with ``reason``)."""
        cdef int64_t ts = self.now_c()
        cdef OrderDenied ev = OrderDenied.create_c(order.trader_id, order.strategy_id, order.instrument_id,
                                                   order.client_order_id, reason, ts, ts)
        order.apply_c(ev)
        if self.cache is not None:
            if self.cache.order_exists(order.client_order_id):
                self._cache_update(order)
            else:
                self._cache_add(order, None)
        return self.dispatch_order_c(order, ev)

    cdef int submit_order_c(self, Order order, PositionId position_id) except -1:
        cdef SimulatedExchange ex = self._exchange(order)
        cdef int64_t ts = self.now_c()
        cdef OrderSubmitted ev
        if order.status_c != OS_INITIALIZED:
            raise ValueError(f"order {order.client_order_id} was already submitted (status {order.status.name})")
        if ex is None:
            return self.deny_c(order, f"no venue registered for {order.instrument_id.venue}")
        self.command_count += 1
        cdef _EventTarget h = self._handler_of(order.strategy_id)
        ev = None
        if self._event_wanted(h, EVK_SUBMITTED):
            ev = OrderSubmitted.create_c(order.trader_id, order.strategy_id, order.instrument_id,
                                         order.client_order_id, ex.state.account_id, ts, ts)
            order.apply_c(ev)
        else:
            order.apply_implicit_c(EVK_SUBMITTED, None, ex.state.account_id, ts)
        if position_id is not None:
            self._order_pos[order.client_order_id] = position_id
        self._cache_add(order, position_id)
        if ev is not None:
            self.dispatch_order_c(order, ev)
        else:
            self._unsent(h, False)
        ex.send_submit_c(order, ts)
        return 0

    cdef int submit_order_list_c(self, list orders) except -1:
        cdef Order o = orders[0]
        cdef SimulatedExchange ex = self._exchange(o)
        cdef int64_t ts = self.now_c()
        cdef OrderSubmitted ev
        if ex is None:
            for o in orders:
                self.deny_c(o, f"no venue registered for {o.instrument_id.venue}")
            return 0
        for o in orders:
            if o.status_c != OS_INITIALIZED:
                raise ValueError(f"order {o.client_order_id} was already submitted (status {o.status.name})")
        self.command_count += 1
        for o in orders:
            ev = OrderSubmitted.create_c(o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id,
                                         ex.state.account_id, ts, ts)
            o.apply_c(ev)
            self._cache_add(o, None)
            self.dispatch_order_c(o, ev)
        ex.send_submit_list_c(list(orders), ts)
        return 0

    cdef int modify_order_c(self, Order order, int64_t qty_raw, bint has_price, int64_t price_raw,
                            bint has_trigger, int64_t trigger_raw) except -1:
        cdef SimulatedExchange ex = self._exchange(order)
        cdef int64_t ts = self.now_c()
        cdef OrderPendingUpdate ev
        if ex is None or not (order.is_open_c() or order.status_c == OS_SUBMITTED):
            return 0
        self.command_count += 1
        ev = OrderPendingUpdate.create_c(order.trader_id, order.strategy_id, order.instrument_id,
                                         order.client_order_id, order.venue_order_id, order.account_id, ts, ts)
        order.apply_c(ev)
        self._cache_update(order)
        self.dispatch_order_c(order, ev)
        ex.send_modify_c(order, qty_raw, has_price, price_raw, has_trigger, trigger_raw, ts)
        return 0

    cdef int cancel_order_c(self, Order order) except -1:
        cdef SimulatedExchange ex = self._exchange(order)
        cdef int64_t ts = self.now_c()
        cdef OrderPendingCancel ev
        if ex is None or order.status_c == OS_PENDING_CANCEL or not (order.is_open_c() or order.status_c == OS_SUBMITTED):
            return 0
        self.command_count += 1
        ev = OrderPendingCancel.create_c(order.trader_id, order.strategy_id, order.instrument_id,
                                         order.client_order_id, order.venue_order_id, order.account_id, ts, ts)
        order.apply_c(ev)
        self._cache_update(order)
        self.dispatch_order_c(order, ev)
        ex.send_cancel_c(order, ts)
        return 0

    def submit_order(self, Order order not None, position_id=None) -> None:
        """Submit to the order's venue (no risk checks; strategies go through the RiskEngine)."""
        if position_id is not None and not isinstance(position_id, PositionId):
            position_id = PositionId(str(position_id))
        self.submit_order_c(order, position_id)

    def submit_order_list(self, order_list) -> None:
        self.submit_order_list_c(list(order_list))

    def modify_order(self, Order order not None, quantity=None, price=None, trigger_price=None) -> None:
        self.modify_order_c(order, order.quantity_raw if quantity is None else quantity.raw,
                            price is not None, 0 if price is None else price.raw,
                            trigger_price is not None, 0 if trigger_price is None else trigger_price.raw)

    def cancel_order(self, Order order not None) -> None:
        self.cancel_order_c(order)

    def deny_order(self, Order order not None, str reason) -> None:
        self.deny_c(order, reason)

    def cancel_all_orders(self, instrument_id=None, strategy_id=None, side=None) -> None:
        """Cancel the open and in-flight orders of a strategy (optionally one instrument / side)."""
        orders = self._orders_for(instrument_id, strategy_id)
        cdef int s = 0 if side is None else int(side) if not isinstance(side, str) else (1 if side.upper() == "BUY" else 2)
        for o in orders:
            if s != 0 and (<Order>o).side_c != s:
                continue
            self.cancel_order_c(<Order>o)

    def _orders_for(self, instrument_id, strategy_id) -> list:
        if self.cache is None:
            return []
        out = self.cache.orders_open(strategy_id, instrument_id)
        for o in self.cache.orders_inflight(strategy_id, instrument_id):
            if (<Order>o).status_c == OS_SUBMITTED and o not in out:
                out.append(o)
        return out

    def close_position(self, Position position not None, tags=None) -> None:
        """Flatten ``position`` with a reduce-only MARKET order for its quantity (no-op when flat)."""
        cdef int64_t q = position.signed_qty_raw
        if q == 0:
            return
        factory = self._factory_for(position.strategy_id)
        from alphaforge._core.fixed import Quantity
        order = factory.market(position.instrument_id, "SELL" if q > 0 else "BUY",
                               Quantity.from_raw(q if q > 0 else -q, position.size_precision),
                               reduce_only=True, tags=tags)
        self.submit_order_c(order, position.id)
        return order

    def close_all_positions(self, strategy_id, instrument_id=None, side=None) -> None:
        for p in list(self.positions_open(strategy_id, instrument_id)):
            if side is not None and int(p.side) != int(side):
                continue
            self.close_position(p)

    def _factory_for(self, strategy_id):
        f = self._factories.get(strategy_id)
        if f is None:
            from alphaforge._core.order_factory import OrderFactory
            f = OrderFactory(TraderId("TRADER-000"), strategy_id, self.clock, self.cache,
                             initial_count=1_000_000_000)
            self._factories[strategy_id] = f
        return f


cdef int64_t _round_to(int64_t raw, int precision) noexcept:
    cdef int64_t unit = 1
    cdef int i
    for i in range(9 - precision):
        unit *= 10
    if raw >= 0:
        return ((raw + unit // 2) // unit) * unit
    return -(((-raw + unit // 2) // unit) * unit)
