"""Strategy: the base class users subclass in Python (``alphaforge.Strategy``).

Lifecycle (``state``): INITIALIZED -register-> READY -start-> STARTING -> RUNNING -stop-> STOPPING
-> STOPPED (-resume-> RESUMING -> RUNNING; -reset-> READY); RUNNING -degrade-> DEGRADED; any live
state -fault-> FAULTED; READY/STOPPED/FAULTED -dispose-> DISPOSED. An invalid transition raises
``InvalidStateTransition``. Hooks: ``on_start``, ``on_stop``, ``on_resume``, ``on_reset``,
``on_dispose``, ``on_degrade``, ``on_fault``, ``on_save``/``on_load``.

Market data arrives through cdef handlers subscribed on the message bus: the handler first updates
the indicators registered for that stream from the C record (no Python call), then calls the Python
handler (``on_bar``, ``on_trade_tick``, ``on_quote_tick``, ``on_order_book_deltas``) only when the
subclass overrides it. Order and position events are dispatched to the specific handler
(``on_order_filled``, ...), then ``on_order_event`` / ``on_position_event``, then ``on_event``.

Isolation: an exception escaping any handler moves THIS strategy to FAULTED, is recorded in
``faults`` and logged, and by ``config.on_fault`` its open orders are canceled ("cancel_orders",
default), its positions also closed ("close_positions"), or nothing is done ("leave"); other
strategies go on. ``statistics()`` gives events handled and handler time p50/p99 (ns, wall time
measured with CLOCK_MONOTONIC; not part of the deterministic results).
"""
import re
import traceback

import numpy as np

from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from libc.stdint cimport int64_t, uint64_t
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec

from alphaforge._core.data cimport Bar, QuoteTick, TradeTick
from alphaforge._core.identifiers cimport StrategyId, TraderId
from alphaforge._core.indicators cimport Indicator
from alphaforge._core.msgbus cimport Handler
from alphaforge._core.order_events cimport EVK_ACCEPTED, EVK_SUBMITTED
from alphaforge._core.orders cimport Order
from alphaforge._core.position cimport PositionChanged, PositionOpened
from alphaforge._core.python_subclass cimport inline_values_for_subclasses, readonly_members, use_combined_dict
from alphaforge._core.risk_engine cimport RiskEngine

from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId


class InvalidStateTransition(RuntimeError):
    """A lifecycle command is not allowed in the strategy's current state."""


STATE_NAMES = {
    ST_INITIALIZED: "INITIALIZED", ST_READY: "READY", ST_STARTING: "STARTING", ST_RUNNING: "RUNNING",
    ST_STOPPING: "STOPPING", ST_STOPPED: "STOPPED", ST_RESUMING: "RESUMING", ST_DEGRADED: "DEGRADED",
    ST_FAULTED: "FAULTED", ST_DISPOSED: "DISPOSED",
}

cdef dict _TRANSITIONS = {
    ST_INITIALIZED: (ST_READY, ST_DISPOSED, ST_FAULTED),
    ST_READY: (ST_STARTING, ST_READY, ST_DISPOSED, ST_FAULTED),
    ST_STARTING: (ST_RUNNING, ST_STOPPING, ST_FAULTED),
    ST_RUNNING: (ST_STOPPING, ST_DEGRADED, ST_FAULTED),
    ST_DEGRADED: (ST_RUNNING, ST_STOPPING, ST_FAULTED),
    ST_STOPPING: (ST_STOPPED, ST_FAULTED),
    ST_STOPPED: (ST_RESUMING, ST_READY, ST_DISPOSED, ST_FAULTED),
    ST_RESUMING: (ST_RUNNING, ST_STOPPING, ST_FAULTED),
    ST_FAULTED: (ST_READY, ST_DISPOSED),
    ST_DISPOSED: (),
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


cdef inline int64_t _mono_ns() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return <int64_t>ts.tv_sec * 1_000_000_000 + ts.tv_nsec


cdef inline bint _live(int state) noexcept:
    return state == ST_RUNNING or state == ST_DEGRADED


TIME_EVERY = 8


cdef class HandlerStats:
    """Events handled and handler wall time: count, mean, p50, p99 (ns). ``count`` is every call;
    durations are measured on every ``TIME_EVERY``-th call (8; a systematic sample that keeps two
    clock reads off the other calls), and percentiles come from a uniform reservoir of up to
    65,536 measured durations (deterministic xorshift sampling)."""

    def __init__(self, Py_ssize_t capacity=65_536):
        self._cap = capacity
        self._samples = np.zeros(capacity, dtype=np.int64)
        self._view = self._samples
        self._n = 0
        self.count = 0
        self.timed = 0
        self._total_ns = 0
        self._rng = 0x9E3779B97F4A7C15

    cdef void record(self, int64_t ns) noexcept:
        """Count one call that took ``ns``."""
        cdef uint64_t j
        self.count += 1
        self.timed += 1
        self._total_ns += ns
        if self._n < self._cap:
            self._view[self._n] = ns
            self._n += 1
            return
        self._rng ^= self._rng << 13
        self._rng ^= self._rng >> 7
        self._rng ^= self._rng << 17
        j = self._rng % <uint64_t>self.timed
        if j < <uint64_t>self._cap:
            self._view[j] = ns

    def summary(self) -> dict:
        """``{"events": n, "timed": m, "mean_ns": ..., "p50_ns": ..., "p99_ns": ...}`` (times over
        the measured calls)."""
        if self.timed == 0:
            return {"events": int(self.count), "timed": 0, "mean_ns": 0.0, "p50_ns": 0.0, "p99_ns": 0.0}
        s = self._samples[: self._n]
        return {
            "events": int(self.count),
            "timed": int(self.timed),
            "mean_ns": self._total_ns / self.timed,
            "p50_ns": float(np.percentile(s, 50)),
            "p99_ns": float(np.percentile(s, 99)),
        }

    def reset(self) -> None:
        self._n = 0
        self.count = 0
        self.timed = 0
        self._total_ns = 0


cdef class Strategy:
    """Base class of user strategies. Subclass it in Python, take a ``StrategyConfig`` subclass in
    ``__init__`` and call ``super().__init__(config)``; override the ``on_*`` handlers you need.

    Inside handlers: ``self.clock`` (``timestamp_ns()``, ``set_timer``), ``self.cache``,
    ``self.portfolio``, ``self.log``, ``self.order_factory``, and the commands ``submit_order``,
    ``submit_order_list``, ``modify_order``, ``cancel_order``, ``cancel_all_orders``,
    ``close_position``, ``close_all_positions``.
    """

    def __cinit__(self, *args, **kwargs):
        use_combined_dict(self)   # fast self.x in Python subclasses (see python_subclass.pxd)

    def __init__(self, config=None):
        from alphaforge.config import StrategyConfig

        if config is None:
            config = StrategyConfig()
        if not isinstance(config, StrategyConfig):
            raise TypeError(f"{type(self).__name__} config must be a StrategyConfig, got {type(config).__name__}")
        self.config = config
        self.id = StrategyId(config.strategy_id or f"{type(self).__name__}-{config.order_id_tag}")
        self.state_c = ST_INITIALIZED
        self.faults = []
        self.stats = HandlerStats()
        self._bar_handlers = {}
        self._trade_handlers = {}
        self._quote_handlers = {}
        self._delta_handlers = {}
        self._book_timers = {}
        self._event_dispatch = {}

    # -- wiring (called by the engine) -------------------------------------------------------

    def register(self, trader_id, clock, msgbus, cache, portfolio, data_engine, risk_engine, exec_engine,
                 logger=None) -> None:
        """Attach the strategy to an engine. INITIALIZED (or READY, re-registration) -> READY."""
        from alphaforge._core.order_factory import OrderFactory
        from alphaforge.common import Logger

        if self.state_c not in (ST_INITIALIZED, ST_READY):
            raise InvalidStateTransition(f"{self.id}: cannot register in state {self.state}")
        self.trader_id = trader_id if isinstance(trader_id, TraderId) else TraderId(str(trader_id))
        self.clock = clock
        self.msgbus = msgbus
        self.cache = cache
        self.portfolio = portfolio
        self._data_engine = data_engine
        self._risk = risk_engine
        self._exec = exec_engine
        self.log = logger if logger is not None else Logger(self.id.value, clock=clock)
        self.order_factory = OrderFactory(self.trader_id, self.id, clock, cache)
        if hasattr(clock, "register_default_handler"):
            clock.register_default_handler(self._handle_time_event)
        self._bind_handlers()
        if self.state_c == ST_INITIALIZED:
            self._transition(ST_READY)

    def _bind_handlers(self) -> None:
        cls = type(self)
        base = Strategy

        def overridden(name):
            return getattr(cls, name, None) is not getattr(base, name, None)

        self._on_bar = self.on_bar if overridden("on_bar") else None
        self._on_trade = self.on_trade_tick if overridden("on_trade_tick") else None
        self._on_quote = self.on_quote_tick if overridden("on_quote_tick") else None
        self._on_deltas = self.on_order_book_deltas if overridden("on_order_book_deltas") else None
        self._on_order_event = self.on_order_event if overridden("on_order_event") else None
        self._on_position_event = self.on_position_event if overridden("on_position_event") else None
        self._event_dispatch = {}
        self._last_order_event_type = None
        self._last_order_handler = None
        from alphaforge._core import order_events, position

        for module in (order_events, position):
            for name in dir(module):
                klass = getattr(module, name)
                if not isinstance(klass, type) or not (name.startswith("Order") or name.startswith("Position")):
                    continue
                if name in ("OrderEvent", "PositionEvent", "OrderInitialized"):
                    continue
                meth = "on_" + _CAMEL.sub("_", name).lower()
                if overridden(meth):
                    self._event_dispatch[klass] = (getattr(self, meth), meth)
        self._on_event = self.on_event if overridden("on_event") else None
        anything = self._on_order_event is not None or self._on_event is not None
        self._wants_submitted = anything or order_events.OrderSubmitted in self._event_dispatch
        self._wants_accepted = anything or order_events.OrderAccepted in self._event_dispatch
        anything = self._on_position_event is not None or self._on_event is not None
        self._wants_pos_opened = anything or position.PositionOpened in self._event_dispatch
        self._wants_pos_changed = anything or position.PositionChanged in self._event_dispatch
        self._wants_pos_closed = anything or position.PositionClosed in self._event_dispatch

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """Lifecycle state name, e.g. ``"RUNNING"``."""
        return STATE_NAMES[self.state_c]

    @property
    def is_running(self) -> bool:
        return self.state_c == ST_RUNNING

    @property
    def is_faulted(self) -> bool:
        return self.state_c == ST_FAULTED

    cdef int _transition(self, int to_state) except -1:
        if to_state not in _TRANSITIONS[self.state_c]:
            raise InvalidStateTransition(
                f"{self.id}: invalid transition {STATE_NAMES[self.state_c]} -> {STATE_NAMES[to_state]}"
            )
        self.state_c = to_state
        return 0

    def start(self) -> None:
        """READY -> STARTING -> on_start() -> RUNNING."""
        self._transition(ST_STARTING)
        if self._hook("on_start"):
            self._transition(ST_RUNNING)

    def stop(self) -> None:
        """RUNNING/DEGRADED/RESUMING -> STOPPING -> on_stop() -> STOPPED."""
        self._transition(ST_STOPPING)
        if self._hook("on_stop"):
            self._transition(ST_STOPPED)

    def resume(self) -> None:
        """STOPPED -> RESUMING -> on_resume() -> RUNNING."""
        self._transition(ST_RESUMING)
        if self._hook("on_resume"):
            self._transition(ST_RUNNING)

    def reset(self) -> None:
        """STOPPED/FAULTED/READY -> on_reset() -> READY; registered indicators are reset too."""
        self._transition(ST_READY) if self.state_c != ST_READY else None
        for handlers in (self._bar_handlers, self._trade_handlers, self._quote_handlers):
            for h in handlers.values():
                for ind in h.indicators:
                    ind.reset()
        self.faults = []
        self.stats.reset()
        self.on_reset()

    def degrade(self) -> None:
        """RUNNING -> DEGRADED (still receives data; on_degrade hook)."""
        self._transition(ST_DEGRADED)
        self._hook("on_degrade")

    def dispose(self) -> None:
        """READY/STOPPED/FAULTED -> on_dispose() -> DISPOSED (unsubscribes everything)."""
        self._unsubscribe_all()
        self._transition(ST_DISPOSED)
        self.on_dispose()

    def save(self) -> dict:
        """State for a live restart: the dict returned by on_save() (str -> bytes)."""
        state = self.on_save()
        if not isinstance(state, dict):
            raise TypeError(f"{self.id}.on_save must return a dict of str -> bytes, got {type(state).__name__}")
        return state

    def load(self, dict state) -> None:
        """Restore state saved by save(): calls on_load(state)."""
        self.on_load(state)

    def _hook(self, str name) -> bool:
        """Run a lifecycle hook with fault isolation; False if it faulted the strategy."""
        self._call(getattr(self, name), None, name)
        return self.state_c != ST_FAULTED

    # -- handler invocation and faults -------------------------------------------------------

    cdef int _call(self, object fn, object arg, str name) except -1:
        cdef HandlerStats stats = self.stats
        cdef bint timed = stats.due()
        cdef int64_t t0 = _mono_ns() if timed else 0
        try:
            if arg is None:
                fn()
            else:
                fn(arg)
        except Exception as exc:
            self._fault(name, exc)
        if timed:
            stats.record(_mono_ns() - t0)
        else:
            stats.count += 1
        return 0

    cdef int _fault(self, str name, object exc) except -1:
        ts = self.clock.timestamp_ns() if self.clock is not None else 0
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.faults.append((ts, name, repr(exc), tb))
        if self.log is not None:
            self.log.error("%s faulted in %s: %r", self.id.value, name, exc)
        if self.state_c in (ST_FAULTED, ST_DISPOSED):
            return 0
        self.state_c = ST_FAULTED
        policy = self.config.on_fault
        try:
            if policy in ("cancel_orders", "close_positions") and self._risk is not None:
                self._risk.cancel_all_orders(None, self.id)
            if policy == "close_positions" and self._risk is not None:
                self._risk.close_all_positions(self.id, None)
        except Exception as cleanup_exc:  # never let cleanup take the engine down
            self.faults.append((ts, "fault-cleanup", repr(cleanup_exc), traceback.format_exc()))
        try:
            self.on_fault(exc)
        except Exception:
            pass
        return 0

    def record_fault(self, str name, exc) -> None:
        """Mark the strategy FAULTED because of ``exc`` raised in ``name`` (used by the engine)."""
        self._fault(name, exc)

    def statistics(self) -> dict:
        """Per-strategy statistics: events handled, handler time mean/p50/p99 (ns), faults."""
        out = self.stats.summary()
        out["strategy_id"] = self.id.value
        out["state"] = self.state
        out["faults"] = len(self.faults)
        return out

    # -- event dispatch from the execution engine ------------------------------------------

    cdef int dispatch_order_event_c(self, object event) except -1:
        if not (_live(self.state_c) or self.state_c == ST_STOPPING):
            return 0
        cdef tuple h
        if type(event) is self._last_order_event_type:   # a run's order events are mostly fills
            h = self._last_order_handler
        else:
            h = self._event_dispatch.get(type(event))
            self._last_order_event_type = type(event)
            self._last_order_handler = h
        if h is not None:
            self._call(h[0], event, h[1])
        if self._on_order_event is not None and self.state_c != ST_FAULTED:
            self._call(self._on_order_event, event, "on_order_event")
        if self._on_event is not None and self.state_c != ST_FAULTED:
            self._call(self._on_event, event, "on_event")
        return 0

    cdef bint wants_position_event_c(self, type cls) noexcept:
        if cls is PositionOpened:
            return self._wants_pos_opened
        return self._wants_pos_changed if cls is PositionChanged else self._wants_pos_closed

    cdef bint wants_order_event_c(self, int kind) noexcept:
        if kind == EVK_SUBMITTED:
            return self._wants_submitted
        if kind == EVK_ACCEPTED:
            return self._wants_accepted
        return True

    cdef int dispatch_position_event_c(self, object event) except -1:
        if not (_live(self.state_c) or self.state_c == ST_STOPPING):
            return 0
        cdef tuple h = self._event_dispatch.get(type(event))
        if h is not None:
            self._call(h[0], event, h[1])
        if self._on_position_event is not None and self.state_c != ST_FAULTED:
            self._call(self._on_position_event, event, "on_position_event")
        if self._on_event is not None and self.state_c != ST_FAULTED:
            self._call(self._on_event, event, "on_event")
        return 0

    def handle_order_event(self, event) -> None:
        """Deliver an order event (engine entry point; dispatches to the on_* handlers)."""
        self.dispatch_order_event_c(event)

    def handle_position_event(self, event) -> None:
        """Deliver a position event (engine entry point; dispatches to the on_* handlers)."""
        self.dispatch_position_event_c(event)

    def _handle_time_event(self, event) -> None:
        iid = self._book_timers.get(event.name)
        if iid is not None:
            if _live(self.state_c) and self._data_engine is not None:
                book = self._data_engine.book(iid)
                self._call(self.on_order_book, book, "on_order_book")
            return
        if _live(self.state_c):
            self._call(self.on_timer, event, "on_timer")

    # -- subscriptions ------------------------------------------------------------------------

    def _bar_handler(self, bar_type):
        bt = bar_type if isinstance(bar_type, BarType) else BarType.from_str(str(bar_type))
        h = self._bar_handlers.get(bt)
        if h is None:
            h = _BarHandler.__new__(_BarHandler)
            (<_BarHandler>h).strategy = self
            (<_BarHandler>h).indicators = []
            self._bar_handlers[bt] = h
        return bt, h

    def _tick_handler(self, dict handlers, instrument_id, klass):
        iid = instrument_id if isinstance(instrument_id, InstrumentId) else InstrumentId.from_str(str(instrument_id))
        h = handlers.get(iid)
        if h is None:
            h = klass.__new__(klass)
            h.init(self)
            handlers[iid] = h
        return iid, h

    def subscribe_bars(self, bar_type, **kwargs) -> None:
        """Receive ``on_bar`` for ``bar_type`` (BarType or str). INTERNAL bar types are aggregated by
        the data engine from ticks (keyword options such as ``fill_empty`` go to it)."""
        bt, h = self._bar_handler(bar_type)
        self._data_engine.subscribe_bars(bt, h, **kwargs)

    def unsubscribe_bars(self, bar_type) -> None:
        bt, h = self._bar_handler(bar_type)
        self._data_engine.unsubscribe_bars(bt, h)

    def subscribe_trade_ticks(self, instrument_id) -> None:
        """Receive ``on_trade_tick`` for the instrument."""
        iid, h = self._tick_handler(self._trade_handlers, instrument_id, _TradeHandler)
        self._data_engine.subscribe_trades(iid, h)

    def unsubscribe_trade_ticks(self, instrument_id) -> None:
        iid, h = self._tick_handler(self._trade_handlers, instrument_id, _TradeHandler)
        self._data_engine.unsubscribe_trades(iid, h)

    def subscribe_quote_ticks(self, instrument_id) -> None:
        """Receive ``on_quote_tick`` for the instrument."""
        iid, h = self._tick_handler(self._quote_handlers, instrument_id, _QuoteHandler)
        self._data_engine.subscribe_quotes(iid, h)

    def unsubscribe_quote_ticks(self, instrument_id) -> None:
        iid, h = self._tick_handler(self._quote_handlers, instrument_id, _QuoteHandler)
        self._data_engine.unsubscribe_quotes(iid, h)

    def subscribe_order_book_deltas(self, instrument_id, book_type="L2", **book_options) -> None:
        """Receive ``on_order_book_deltas`` (each OrderBookDelta) and keep the book up to date.
        ``book_options`` go to the data engine's ``OrderBook`` when it creates it (e.g.
        ``gap_policy="ignore"`` for feeds whose sequence is an update-id range, like Binance's)."""
        iid, h = self._tick_handler(self._delta_handlers, instrument_id, _DeltaHandler)
        self._data_engine.subscribe_book_deltas(iid, h, book_type=book_type, **book_options)

    def unsubscribe_order_book_deltas(self, instrument_id) -> None:
        iid, h = self._tick_handler(self._delta_handlers, instrument_id, _DeltaHandler)
        self._data_engine.unsubscribe_book_deltas(iid, h)

    def subscribe_order_book_at_interval(self, instrument_id, int64_t interval_ms=1000, book_type="L2",
                                         **book_options) -> None:
        """Receive ``on_order_book(book)`` every ``interval_ms`` of simulated (or live) time."""
        iid = instrument_id if isinstance(instrument_id, InstrumentId) else InstrumentId.from_str(str(instrument_id))
        self._data_engine.subscribe_book_deltas(iid, None, book_type=book_type, **book_options)
        name = f"{self.id.value}:book:{iid.value}"
        self._book_timers[name] = iid
        self.clock.set_timer(name, interval_ms * 1_000_000)

    def unsubscribe_order_book_at_interval(self, instrument_id) -> None:
        iid = instrument_id if isinstance(instrument_id, InstrumentId) else InstrumentId.from_str(str(instrument_id))
        name = f"{self.id.value}:book:{iid.value}"
        if self._book_timers.pop(name, None) is not None:
            self.clock.cancel_timer(name)

    def _unsubscribe_all(self) -> None:
        if self._data_engine is None:
            return
        for bt, h in self._bar_handlers.items():
            try:
                self._data_engine.unsubscribe_bars(bt, h)
            except (KeyError, ValueError):
                pass
        for handlers, unsub in ((self._trade_handlers, self._data_engine.unsubscribe_trades),
                                (self._quote_handlers, self._data_engine.unsubscribe_quotes),
                                (self._delta_handlers, self._data_engine.unsubscribe_book_deltas)):
            for iid, h in handlers.items():
                try:
                    unsub(iid, h)
                except (KeyError, ValueError):
                    pass

    # -- indicators ---------------------------------------------------------------------------

    def register_indicator_for_bars(self, bar_type, Indicator indicator not None) -> None:
        """Update ``indicator`` from each bar of ``bar_type`` before ``on_bar`` runs (in C)."""
        bt, h = self._bar_handler(bar_type)
        if indicator not in (<_BarHandler>h).indicators:
            (<_BarHandler>h).indicators.append(indicator)

    def register_indicator_for_trade_ticks(self, instrument_id, Indicator indicator not None) -> None:
        """Update ``indicator`` from each trade (price, size) before ``on_trade_tick`` runs."""
        iid, h = self._tick_handler(self._trade_handlers, instrument_id, _TradeHandler)
        if indicator not in (<_TradeHandler>h).indicators:
            (<_TradeHandler>h).indicators.append(indicator)

    def register_indicator_for_quote_ticks(self, instrument_id, Indicator indicator not None) -> None:
        """Update ``indicator`` from each quote's mid price before ``on_quote_tick`` runs."""
        iid, h = self._tick_handler(self._quote_handlers, instrument_id, _QuoteHandler)
        if indicator not in (<_QuoteHandler>h).indicators:
            (<_QuoteHandler>h).indicators.append(indicator)

    @property
    def registered_indicators(self) -> list:
        out = []
        for handlers in (self._bar_handlers, self._trade_handlers, self._quote_handlers):
            for h in handlers.values():
                out.extend(h.indicators)
        return out

    @property
    def indicators_initialized(self) -> bool:
        return all(ind.initialized for ind in self.registered_indicators)

    # -- commands (through the risk engine) ----------------------------------------------------

    def submit_order(self, order, position_id=None) -> None:
        """Submit an order built with ``self.order_factory`` (risk checks, then the venue)."""
        if type(self._risk) is RiskEngine and type(order) is Order and position_id is None:
            (<RiskEngine>self._risk).submit_order_c(<Order>order, None)    # the C path, no Python call
        else:
            self._risk.submit_order(order, position_id)

    def submit_order_list(self, order_list) -> None:
        """Submit a contingent order list (e.g. from ``order_factory.bracket(...)``)."""
        self._risk.submit_order_list(order_list)

    def modify_order(self, order, quantity=None, price=None, trigger_price=None) -> None:
        """Modify a working order's quantity, limit price and/or trigger price."""
        self._risk.modify_order(order, quantity, price, trigger_price)

    def cancel_order(self, order) -> None:
        self._risk.cancel_order(order)

    def cancel_all_orders(self, instrument_id=None, side=None) -> None:
        """Cancel this strategy's open orders (for one instrument, or all; optionally one side)."""
        self._risk.cancel_all_orders(instrument_id, self.id, side)

    def close_position(self, position, tags=None) -> None:
        """Flatten ``position`` with a reduce-only market order."""
        self._risk.close_position(position, tags)

    def close_all_positions(self, instrument_id=None, side=None) -> None:
        """Flatten all of this strategy's open positions (for one instrument, or all)."""
        self._risk.close_all_positions(self.id, instrument_id, side)

    # -- handlers users override ---------------------------------------------------------------

    def on_start(self) -> None:
        """Called on start: subscribe to data and register indicators here."""

    def on_stop(self) -> None:
        """Called on stop (e.g. cancel orders, close positions)."""

    def on_resume(self) -> None:
        pass

    def on_reset(self) -> None:
        pass

    def on_dispose(self) -> None:
        pass

    def on_degrade(self) -> None:
        pass

    def on_fault(self, exc) -> None:
        """Called once when the strategy faults (after its orders are handled per on_fault)."""

    def on_save(self) -> dict:
        return {}

    def on_load(self, dict state) -> None:
        pass

    def on_bar(self, bar) -> None:
        pass

    def on_trade_tick(self, tick) -> None:
        pass

    def on_quote_tick(self, tick) -> None:
        pass

    def on_order_book_deltas(self, delta) -> None:
        pass

    def on_order_book(self, book) -> None:
        pass

    def on_timer(self, event) -> None:
        pass

    def on_event(self, event) -> None:
        pass

    def on_order_event(self, event) -> None:
        pass

    def on_position_event(self, event) -> None:
        pass

    def __repr__(self):
        return f"{type(self).__name__}(id={self.id.value}, state={self.state})"


cdef class _BarHandler(Handler):
    cdef int handle(self, object msg) except -1:
        cdef Strategy s = self.strategy
        cdef Bar bar
        cdef Py_ssize_t i
        if not _live(s.state_c):
            return 0
        bar = <Bar>msg
        for i in range(PyList_GET_SIZE(self.indicators)):     # borrowed items (every record)
            (<Indicator>PyList_GET_ITEM(self.indicators, i)).handle_bar_rec(&bar.rec)
        if s._on_bar is not None:
            s._call(s._on_bar, bar, "on_bar")
        return 0


cdef class _TradeHandler(Handler):
    def init(self, Strategy strategy):
        self.strategy = strategy
        self.indicators = []

    cdef int handle(self, object msg) except -1:
        cdef Strategy s = self.strategy
        cdef TradeTick tick
        cdef Py_ssize_t i
        if not _live(s.state_c):
            return 0
        tick = <TradeTick>msg
        for i in range(PyList_GET_SIZE(self.indicators)):     # borrowed items (every record)
            (<Indicator>PyList_GET_ITEM(self.indicators, i)).handle_trade_rec(&tick.rec)
        if s._on_trade is not None:
            s._call(s._on_trade, tick, "on_trade_tick")
        return 0


cdef class _QuoteHandler(Handler):
    def init(self, Strategy strategy):
        self.strategy = strategy
        self.indicators = []

    cdef int handle(self, object msg) except -1:
        cdef Strategy s = self.strategy
        cdef QuoteTick tick
        cdef Py_ssize_t i
        if not _live(s.state_c):
            return 0
        tick = <QuoteTick>msg
        for i in range(PyList_GET_SIZE(self.indicators)):     # borrowed items (every record)
            (<Indicator>PyList_GET_ITEM(self.indicators, i)).handle_quote_rec(&tick.rec)
        if s._on_quote is not None:
            s._call(s._on_quote, tick, "on_quote_tick")
        return 0


cdef class _DeltaHandler(Handler):
    def init(self, Strategy strategy):
        self.strategy = strategy

    cdef int handle(self, object msg) except -1:
        cdef Strategy s = self.strategy
        if _live(s.state_c) and s._on_deltas is not None:
            s._call(s._on_deltas, msg, "on_order_book_deltas")
        return 0


cdef int _install_members() except -1:
    """The public object attributes of Strategy as member descriptors: hooks read ``self.cache``,
    ``self.order_factory``, ``self.clock`` ... per event, and a member load specializes (see
    python_subclass.pxd)."""
    cdef Strategy probe = Strategy.__new__(Strategy)
    marks = {name: object() for name in ("id", "trader_id", "config", "clock", "cache", "portfolio",
                                         "msgbus", "log", "order_factory", "faults", "stats")}
    probe.id = <StrategyId>marks["id"]              # unchecked casts: the probe only carries marks
    probe.trader_id = <TraderId>marks["trader_id"]
    probe.config = marks["config"]
    probe.clock = marks["clock"]
    probe.cache = marks["cache"]
    probe.portfolio = marks["portfolio"]
    probe.msgbus = marks["msgbus"]
    probe.log = marks["log"]
    probe.order_factory = marks["order_factory"]
    probe.faults = <list>marks["faults"]
    probe.stats = <HandlerStats>marks["stats"]
    readonly_members(Strategy, probe, marks, {
        "id": "The strategy id (StrategyId).", "trader_id": "The trader id (TraderId) once registered.",
        "config": "The StrategyConfig.", "clock": "The engine clock (timestamps in UNIX ns).",
        "cache": "The trading cache (instruments, market data, orders, positions).",
        "portfolio": "The portfolio (accounts, equity, exposure, PnL).", "msgbus": "The message bus.",
        "log": "The strategy's logger.", "order_factory": "Makes orders for this strategy.",
        "faults": "Handler faults: (ts_ns, handler name, exception repr, traceback text).",
        "stats": "Handler statistics (HandlerStats)."})
    return 0


_install_members()
inline_values_for_subclasses(Strategy)   # fast self.x and self.method() in Python subclasses
