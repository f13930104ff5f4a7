# ExecutionEngine: the client side of order execution (OMS).
#
# Routes commands to the SimulatedExchange of the order's venue (commands normally come through the
# RiskEngine), applies every venue event to its Order, assigns position ids (NETTING: one position
# per instrument and strategy, id "{instrument_id}-{strategy_id}"; HEDGING: one per opening order),
# applies fills to Positions (a fill flipping a netting position through zero is split into a close
# of the position and the open of a new cycle, with PositionClosed then PositionOpened) and to the
# venue's Account, keeps the Cache indices current and delivers order events, then position events,
# to the strategy that owns the order (registered handler).
from libc.stdint cimport int64_t

from alphaforge._core.exchange cimport SimulatedExchange
from alphaforge._core.identifiers cimport InstrumentId, PositionId, StrategyId
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.matching_engine cimport VenueEventSink
from alphaforge._core.order_events cimport OrderEvent, OrderFilled
from alphaforge._core.orders cimport Order
from alphaforge._core.msgbus cimport MessageBus, _Route
from alphaforge._core.portfolio cimport Portfolio
from alphaforge._core.position cimport Position
from alphaforge._core.strategy cimport Strategy
from alphaforge._core.trading_cache cimport Cache


cdef class _EventTarget:
    # Where a strategy's order and position events go (ExecutionEngine.register_strategy).
    cdef object handler               # the registered handler
    cdef Strategy strategy            # the handler when it is a Strategy (typed dispatch), else None
    cdef str order_topic              # msgbus topics of its order / position events
    cdef str position_topic
    cdef _Route order_route           # their routes on an alphaforge MessageBus, else None
    cdef _Route position_route


cdef class ExecutionEngine(VenueEventSink):
    cdef readonly object clock
    cdef readonly object cache
    cdef readonly object portfolio
    cdef readonly object msgbus
    cdef MessageBus _cmsgbus          # the msgbus when it is an alphaforge MessageBus (publish_c)
    cdef Portfolio _cportfolio        # the portfolio when it is an alphaforge Portfolio (C fast path)
    cdef Cache _ccache                # the cache when it is an alphaforge Cache (typed order updates)
    cdef dict _venues                 # Venue -> SimulatedExchange
    cdef dict _instruments            # InstrumentId -> Instrument
    cdef dict _handlers               # StrategyId -> _EventTarget
    cdef dict _oms                    # StrategyId -> OmsType override
    cdef dict _positions              # PositionId -> open (or netting, reusable) Position
    cdef dict _netting                # (InstrumentId, StrategyId) -> PositionId
    cdef dict _order_pos              # ClientOrderId -> PositionId requested at submit (open orders only)
    cdef dict _factories              # StrategyId -> OrderFactory used by close_position(s)
    # one-entry lookup caches (the last key seen, compared by identity; cleared on (re)registration)
    cdef object _last_venue           # Venue -> _last_exchange
    cdef SimulatedExchange _last_exchange
    cdef object _last_iid             # InstrumentId -> _last_instrument
    cdef Instrument _last_instrument
    cdef object _last_sid             # StrategyId -> _last_handler
    cdef _EventTarget _last_handler
    cdef object _last_net_iid         # (InstrumentId, StrategyId) -> _last_net_pid (netting)
    cdef object _last_net_sid
    cdef PositionId _last_net_pid
    cdef object _last_pos_pid         # PositionId -> _last_pos (dropped with the position)
    cdef Position _last_pos
    cdef readonly list closed_position_events   # every PositionClosed of the run, in order
    cdef int64_t _pos_seq
    cdef readonly int64_t event_count
    cdef readonly int64_t fill_count
    cdef readonly int64_t command_count

    cdef int64_t now_c(self) except? -1
    cdef SimulatedExchange _exchange(self, Order order)
    cdef _EventTarget _handler_of(self, StrategyId strategy_id)
    cdef void _forget_lookups(self) noexcept
    cdef Instrument _instrument(self, InstrumentId instrument_id)
    cdef int oms_for_c(self, StrategyId strategy_id, SimulatedExchange ex) except -1
    cdef Position position_for_order_c(self, Order order)
    cdef int _publish(self, str topic, object event) except -1
    cdef int _cache_add(self, Order order, object position_id) except -1
    cdef int _cache_update(self, Order order) except -1
    cdef bint _event_wanted(self, _EventTarget h, int kind) except -1
    cdef bint _bus_or_foreign(self, _EventTarget h, bint positions) except -1
    cdef int _unsent(self, _EventTarget h, bint positions) except -1
    cdef object _position_event_for(self, _EventTarget h, type cls, Position p, int64_t qty, int64_t px,
                                   OrderFilled fill)
    cdef int _dispatch_pos_event(self, _EventTarget h, StrategyId strategy_id, object event) except -1
    cdef int dispatch_order_c(self, Order order, object event) except -1
    cdef int dispatch_position_c(self, StrategyId strategy_id, object event) except -1
    cdef int submit_order_c(self, Order order, PositionId position_id) except -1
    cdef int submit_order_list_c(self, list orders) except -1
    cdef int modify_order_c(self, Order order, int64_t qty_raw, bint has_price, int64_t price_raw,
                            bint has_trigger, int64_t trigger_raw) except -1
    cdef int cancel_order_c(self, Order order) except -1
    cdef int deny_c(self, Order order, str reason) except -1
    cdef int _handle_fill(self, Order order, OrderFilled fill) except -1
    cdef PositionId _position_id_for(self, Order order, int oms, SimulatedExchange ex)
