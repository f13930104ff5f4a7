# Trading cache: instruments, latest market data per instrument / bar type in fixed-capacity ring
# buffers of C records, order books, and the order/position store with its indices.
from libc.stdint cimport int64_t, uint32_t, uint64_t

from alphaforge._core.orders cimport Order
from alphaforge._core.position cimport Position
from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec


cdef class RecordRing:
    cdef readonly object array          # numpy record array of `capacity` rows (owns the memory)
    cdef char* _data
    cdef Py_ssize_t _itemsize
    cdef readonly Py_ssize_t capacity
    cdef Py_ssize_t _count              # rows stored (<= capacity)
    cdef Py_ssize_t _head               # next row to write
    cdef readonly unsigned long long total   # rows ever appended

    cdef void append_c(self, const void* rec) noexcept
    cdef const void* get_c(self, Py_ssize_t index) noexcept     # 0 = latest; NULL if absent


# Orders by one key (strategy, instrument or venue); keeps no member dicts while every order has the
# same key (see trading_cache.pyx).
cdef class _KeyIndex:
    cdef dict by_key               # key -> {ClientOrderId: None}; empty while uniform
    cdef object uniform            # the one key of every indexed order (uniform mode), or None
    cdef dict all                  # the owning cache's _orders
    cdef int add(self, object key, object coid) except -1
    cdef int remove(self, object key, object coid, bint leaving) except -1
    cdef object members(self, object key)
    cdef int _write_out(self, object exclude) except -1


cdef class Cache:
    cdef readonly Py_ssize_t tick_capacity
    cdef readonly Py_ssize_t bar_capacity
    cdef readonly object closed_order_capacity
    cdef readonly object closed_position_capacity
    cdef list _quote_rings              # position = InstrumentId.index -> RecordRing or None
    cdef list _trade_rings
    cdef list _bar_rings                # position = BarType.index
    cdef object _quote_dtype
    cdef object _trade_dtype
    cdef object _bar_dtype
    cdef dict _instruments              # InstrumentId -> instrument (insertion order)
    cdef dict _books                    # InstrumentId -> order book object
    # orders
    cdef dict _orders                   # ClientOrderId -> order
    cdef dict _order_seq                # ClientOrderId -> add sequence, for the orders that do not keep
                                        # it themselves (see Order._seq_owner, _order_seq_of)
    cdef dict _order_keys               # ClientOrderId -> (strategy_id, instrument_id, venue); duck-typed
                                        # orders only (an Order's keys are read from it, see _keys_of)
    cdef _KeyIndex _orders_by_strategy  # key -> {ClientOrderId: None} (see _KeyIndex)
    cdef _KeyIndex _orders_by_instrument
    cdef _KeyIndex _orders_by_venue
    # State sets of ClientOrderIds. A cached order in none of open / inflight / idle is closed: the
    # closed ones are not stored (they are most orders of a run), see _closed_ids / _closed_count.
    cdef set _orders_open
    cdef set _orders_inflight
    cdef set _orders_idle               # neither open, in flight nor closed (INITIALIZED)
    cdef list _state_pending            # Orders whose state changed since the sets were last brought up
                                        # to date (see _set_order_state_c, _sync_states)
    cdef dict _orders_closed            # closed ids in closing order (oldest first), kept only with
                                        # a closed_order_capacity (to drop the oldest)
    cdef dict _order_position           # ClientOrderId -> PositionId (explicit links; an engine Order's
                                        # own position_id is not copied here, see _position_id_of)
    # positions
    cdef dict _positions
    cdef dict _position_seq
    cdef dict _position_keys
    cdef dict _positions_by_strategy
    cdef dict _positions_by_instrument
    cdef dict _positions_by_venue
    cdef dict _positions_open           # {PositionId: the open position} (the portfolio marks these);
                                        # a closed one stays until _sync_open (see _open_closing)
    cdef list _open_closing             # ids closed since _positions_open was last brought up to date
    cdef dict _positions_closed         # closed ids in closing order, kept only with a
                                        # closed_position_capacity (closed: in _positions, not open)
    cdef Py_ssize_t _seq
    # This cache's serial (from a process-wide counter, never reused): an Order whose _cache_owner
    # holds it is the object stored under its client order id here (see update_order_c)
    cdef uint64_t _serial

    # --- cdef API: O(1) appends of C records and record reads (latest = index 0) ---
    cdef int add_quote_rec_c(self, const QuoteTickRec* rec) except -1
    cdef int add_trade_rec_c(self, const TradeTickRec* rec) except -1
    cdef int add_bar_rec_c(self, const BarRec* rec) except -1
    cdef const QuoteTickRec* quote_rec_c(self, uint32_t instrument_index, Py_ssize_t index) noexcept
    cdef const TradeTickRec* trade_rec_c(self, uint32_t instrument_index, Py_ssize_t index) noexcept
    cdef const BarRec* bar_rec_c(self, uint32_t bar_type_index, Py_ssize_t index) noexcept

    cdef RecordRing _ring(self, list rings, uint32_t idx, object dtype, Py_ssize_t capacity)
    cdef object _ring_or_none(self, list rings, uint32_t idx)
    cdef list _order_sets(self, object state, object strategy_id, object instrument_id, object venue)
    cdef list _position_sets(self, object state, object strategy_id, object instrument_id,
                             object venue)
    cdef Py_ssize_t _count(self, dict store, list sets) except -1
    cdef int _drop_order(self, object coid) except -1
    cdef int _drop_position(self, object pid) except -1
    cdef tuple _keys_of(self, object coid)
    cdef int _index_order(self, object order, tuple old) except -1
    cdef int _set_order_state(self, object coid, object order) except -1
    cdef int _set_order_state_c(self, object coid, Order order) except -1
    cdef int _sync_states(self) except -1
    cdef int _apply_order_state(self, object coid, Order order) except -1
    cdef int _track_closed(self, object coid, bint closed) except -1
    cdef set _closed_ids(self)
    cdef set _closed_position_ids(self)
    cdef object _position_id_of(self, object coid)
    cdef Py_ssize_t _closed_count(self) except -1
    cdef int _place_order(self, object coid, bint is_open, bint is_inflight, bint is_closed,
                          object position_id) except -1
    # Typed fast paths for the engine's own Order objects (same effect as add_order/update_order).
    cdef int add_order_c(self, Order order, object position_id) except -1
    cdef int update_order_c(self, Order order) except -1
    cdef int update_position_c(self, Position position) except -1
    cdef int _index_position(self, object position) except -1
    cdef int _set_position_state(self, object pid, object position) except -1
    cdef int _sync_open(self) except -1
    cdef int _link_opening(self, object pid, Position position) except -1
    cdef int _release_order(self, object order, object coid, bint keep_seq) except -1
    cdef int _own_position(self, object position) except -1
    # Open positions, no filter, in the order they (re)opened: O(open positions), no sorting.
    cdef list positions_open_c(self)
    # Bumped whenever the set of open positions may have changed (cheap change detection).
    cdef readonly int64_t positions_version
    cdef readonly int64_t instruments_version   # bumped by every add_instrument
    cdef int64_t _links_version         # bumped when an order's position link may be lost (a drop)
