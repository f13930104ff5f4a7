# Strategy: the Cython base users subclass in Python. Lifecycle state machine, market-data
# subscriptions through the DataEngine/MessageBus (cdef handlers that update registered indicators
# from the C record and then call the Python handler), order/position event dispatch, timers,
# fault isolation (an exception in a handler moves only this strategy to FAULTED) and per-strategy
# handler statistics.
from libc.stdint cimport int64_t, uint64_t

from alphaforge._core.clock cimport TestClock
from alphaforge._core.identifiers cimport StrategyId, TraderId
from alphaforge._core.msgbus cimport Handler

# Lifecycle states (ComponentState values).
cdef enum StrategyStateC:
    ST_INITIALIZED = 1
    ST_READY = 2
    ST_STARTING = 3
    ST_RUNNING = 4
    ST_STOPPING = 5
    ST_STOPPED = 6
    ST_RESUMING = 7
    ST_DEGRADED = 8
    ST_FAULTED = 9
    ST_DISPOSED = 10


cdef class HandlerStats:
    cdef readonly int64_t count        # handler calls
    cdef readonly int64_t timed        # calls whose duration was measured (every TIME_EVERY-th)
    cdef int64_t _total_ns
    cdef object _samples           # numpy int64 reservoir of handler durations (ns)
    cdef int64_t[::1] _view
    cdef Py_ssize_t _cap
    cdef Py_ssize_t _n
    cdef uint64_t _rng
    cdef void record(self, int64_t ns) noexcept
    cdef inline bint due(self) noexcept:
        return (self.count & 7) == 0       # TIME_EVERY = 8 (a power of two)



cdef class Strategy:
    cdef readonly StrategyId id
    cdef readonly TraderId trader_id
    cdef readonly object config
    cdef readonly int state_c
    cdef readonly object clock
    cdef readonly object cache
    cdef readonly object portfolio
    cdef readonly object msgbus
    cdef readonly object log
    cdef readonly object order_factory
    cdef readonly list faults             # (ts_ns, handler name, exception repr, traceback text)
    cdef readonly HandlerStats stats
    cdef object _data_engine
    cdef object _risk                     # RiskEngine: every order command goes through it
    cdef object _exec                     # ExecutionEngine: queries
    cdef dict _bar_handlers               # BarType -> _BarHandler
    cdef dict _trade_handlers             # InstrumentId -> _TradeHandler
    cdef dict _quote_handlers             # InstrumentId -> _QuoteHandler
    cdef dict _delta_handlers             # InstrumentId -> _DeltaHandler
    cdef dict _book_timers                # timer name -> InstrumentId (on_order_book at an interval)
    cdef dict _event_dispatch             # event class -> (bound method of the subclass, its name)
    cdef object _on_event
    cdef object _on_bar
    cdef object _on_trade
    cdef object _on_quote
    cdef object _on_deltas
    cdef object _on_order_event
    cdef object _on_position_event
    cdef bint _wants_submitted            # something receives OrderSubmitted / OrderAccepted
    cdef bint _wants_accepted             # (its on_* handler, on_order_event or on_event)
    cdef bint _wants_pos_opened           # something receives PositionOpened / PositionChanged /
    cdef bint _wants_pos_changed          # PositionClosed (its on_* handler, on_position_event or
    cdef bint _wants_pos_closed           # on_event)
    cdef object _last_order_event_type    # a one-entry cache of _event_dispatch for order events:
    cdef object _last_order_handler       # the last class looked up and its entry (None: no handler)

    cdef int _transition(self, int to_state) except -1
    cdef int _call(self, object fn, object arg, str name) except -1
    cdef int _fault(self, str name, object exc) except -1
    cdef int dispatch_order_event_c(self, object event) except -1
    # False when the strategy has no handler that would receive an order event of this EVK_* kind.
    cdef bint wants_order_event_c(self, int kind) noexcept
    # False when nothing in the strategy receives position events of class ``cls`` (PositionOpened,
    # PositionChanged or PositionClosed).
    cdef bint wants_position_event_c(self, type cls) noexcept
    cdef int dispatch_position_event_c(self, object event) except -1


cdef class _BarHandler(Handler):
    cdef Strategy strategy
    cdef readonly list indicators


cdef class _TradeHandler(Handler):
    cdef Strategy strategy
    cdef readonly list indicators


cdef class _QuoteHandler(Handler):
    cdef Strategy strategy
    cdef readonly list indicators


cdef class _DeltaHandler(Handler):
    cdef Strategy strategy
