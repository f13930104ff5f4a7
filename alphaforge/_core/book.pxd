# Order book (L1 top of book, L2 by price, L3 by order id) - the C contract.
#
# Layout: each side is a sorted C array of price levels (struct of arrays: keys, sizes and, on L3,
# queues) with the BEST level at the END, keyed by `key` = price (bids) or -price (asks), so both
# sides sort ascending by key and "better" means a larger key. Inserts/deletes near the top move
# only the levels above them (a fixed 8-entry block, memmove deeper); lookups count the top 8 and
# next 8 keys branch-free, then binary search. keys/sizes keep a sentinel slot at index -1 (0) so
# the top of an empty side reads as 0/0. L3 orders live in a pool of `BookOrder` slots indexed by
# an open-addressing hash map (order id -> slot); each level holds an intrusive FIFO (head/tail
# slot indices, prev/next links in the pool). Memory is O(levels + resting orders).
#
# Units: every price/size is int64 raw fixed-point at scale 10^9 (fixed.pxd); timestamps int64 ns.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

from alphaforge._core.records cimport OrderBookDeltaRec

# Error codes returned by the nogil core (0 = ok); the Python layer maps them to exceptions.
cdef enum BookErr:
    BOOK_OK = 0
    BOOK_ERR_NOMEM = -1
    BOOK_ERR_NEG_SIZE = -2
    BOOK_ERR_BAD_ACTION = -3
    BOOK_ERR_BAD_SIDE = -4
    BOOK_ERR_DUP_ORDER = -5
    BOOK_ERR_NO_ORDER_ID = -6
    BOOK_ERR_GAP = -7
    BOOK_ERR_CROSSED = -8
    BOOK_ERR_INSTRUMENT = -9

# Policies (the Python API accepts the lower-case names).
cdef enum GapPolicy:
    GAP_RAISE = 0          # raise SequenceGapError, delta not applied
    GAP_FLAG = 1           # set needs_snapshot, keep applying
    GAP_IGNORE = 2         # only track the last sequence

cdef enum CrossedPolicy:
    CROSSED_KEEP = 0       # leave the book crossed/locked, count it
    CROSSED_RESOLVE = 1    # remove the stale opposite levels that cross/lock the updated side
    CROSSED_RAISE = 2      # raise CrossedBookError (the delta stays applied)

cdef enum QueueRule:
    QUEUE_PESSIMISTIC = 0  # L2 size decreases come from behind own orders first
    QUEUE_PROPORTIONAL = 1 # L2 size decreases shrink ahead/behind proportionally

ctypedef struct LevelQueue:     # L3 only: the FIFO of orders resting at a level
    int32_t head           # first order slot (-1 none)
    int32_t tail           # last order slot (-1 none)
    int32_t count          # number of orders at the level
    int32_t _pad

ctypedef struct BookSide:      # struct of arrays, index i = one price level, best at n - 1
    int64_t* keys          # price (bids) or -price (asks), raw, strictly ascending
    int64_t* sizes         # total displayed size, raw (> 0)
    LevelQueue* q          # L3 order queues (NULL for L1/L2 books)
    Py_ssize_t n
    Py_ssize_t cap

ctypedef struct BookOrder:
    uint64_t id
    int64_t price          # raw
    int64_t size           # raw
    uint64_t stamp         # queue-priority stamp (larger = joined later)
    int32_t prev
    int32_t next           # FIFO link; also the free-list link when unused
    uint8_t side           # 1 bid, 2 ask

ctypedef struct IdMap:
    uint64_t* keys         # 0 = empty slot (ids must be != 0)
    int32_t* vals
    size_t cap             # power of two
    size_t n

ctypedef struct OwnOrder:
    uint64_t id
    int64_t price          # raw
    int64_t size           # raw
    int64_t ahead          # L2: estimated displayed size ahead, raw
    int64_t credit         # L2: trade volume already taken off `ahead`, not yet seen as a level decrease
    uint64_t stamp         # L3: orders with a smaller stamp at the same level are ahead
    uint8_t side


cdef class OrderBook:
    cdef BookSide _bids
    cdef BookSide _asks
    cdef readonly int book_type
    """1 = L1_MBP, 2 = L2_MBP, 3 = L3_MBO."""
    cdef readonly object instrument_id
    cdef uint32_t _instrument_index
    cdef readonly int price_precision
    cdef readonly int size_precision
    cdef double _pscale                  # 10^price_precision
    cdef double _sscale                  # 10^size_precision
    cdef int64_t _punit                  # 10^(9 - price_precision)
    cdef int64_t _sunit                  # 10^(9 - size_precision)
    cdef int _gap_policy
    cdef int _crossed_policy
    cdef int _queue_rule
    cdef bint _last_flag_events
    cdef readonly uint64_t last_sequence
    """Last accepted sequence number (0 = none yet)."""
    cdef readonly int64_t ts_last
    """ts_event (ns) of the last applied delta."""
    cdef readonly uint64_t update_count
    """Number of deltas applied."""
    cdef readonly bint needs_snapshot
    """True after a sequence gap under the 'flag' policy, until a snapshot or clear."""
    cdef bint _in_snapshot
    cdef readonly uint64_t missing_deletes
    """DELETEs (L2 level / L3 order id) for something not in the book: counted, ignored."""
    cdef readonly uint64_t crossed_count
    """Completed events after which the book was crossed or locked."""
    cdef readonly uint64_t resolved_levels
    """Levels removed by the 'resolve' crossed policy."""
    cdef int _last_side
    cdef int64_t _err_a
    cdef int64_t _err_b
    # L3
    cdef BookOrder* _orders
    cdef int32_t _orders_cap
    cdef int32_t _free
    cdef IdMap _order_map
    cdef uint64_t _stamp
    # own orders
    cdef OwnOrder* _own
    cdef int32_t _own_n
    cdef int32_t _own_cap
    cdef IdMap _own_map
    cdef int32_t _own_bids
    cdef int32_t _own_asks

    # --- C API (raw ints; side 1 = bid, 2 = ask) -------------------------------------------------
    cdef int apply_raw(self, int action, int side, int64_t price, int64_t size, uint64_t order_id,
                       int64_t ts_event, uint64_t sequence, int flags) except -1
    cdef int _apply_core(self, int action, int side, int64_t price, int64_t size,
                         uint64_t order_id, int flags) noexcept nogil
    cdef int _check_seq(self, uint64_t sequence, int flags) noexcept nogil
    cdef int _after_event(self) noexcept nogil
    cdef int _apply_records(self, const OrderBookDeltaRec* recs, Py_ssize_t n, int64_t* top,
                            Py_ssize_t* failed_at) noexcept nogil
    cdef int _l2_records(self, const OrderBookDeltaRec* recs, Py_ssize_t n, int64_t* top,
                         Py_ssize_t* failed_at) noexcept nogil
    cdef void _clear(self) noexcept nogil
    cdef int _raise_err(self, int code, str where) except -1
    cdef inline int _l2_set(self, int side, int64_t price, int64_t size) noexcept nogil
    cdef int _l3_alloc(self) noexcept nogil
    cdef int _l3_add(self, int side, uint64_t order_id, int64_t price, int64_t size) noexcept nogil
    cdef void _l3_remove(self, int32_t slot) noexcept nogil
    cdef int _l3_reduce(self, int32_t slot, int64_t by) noexcept nogil
    cdef void _drop_top(self, int side) noexcept nogil
    cdef int _fill_side(self, int side, const int64_t[::1] key, const int64_t[::1] size) except -1
    cdef object _levels(self, int side, Py_ssize_t n, bint raw)
    cdef int _integrity(self, Py_ssize_t deep, int* side_out, Py_ssize_t* level_out) noexcept nogil

    cdef inline BookSide* _side_ptr(self, int side) noexcept nogil:
        return &self._bids if side == 1 else &self._asks

    cdef inline bint has_bid(self) noexcept nogil:
        return self._bids.n > 0
    cdef inline bint has_ask(self) noexcept nogil:
        return self._asks.n > 0
    cdef inline int64_t best_bid_price_c(self) noexcept nogil:
        """Best bid price raw; 0 when there is no bid (check has_bid)."""
        return self._bids.keys[self._bids.n - 1] if self._bids.n > 0 else 0
    cdef inline int64_t best_ask_price_c(self) noexcept nogil:
        """Best ask price raw; 0 when there is no ask (check has_ask)."""
        return -self._asks.keys[self._asks.n - 1] if self._asks.n > 0 else 0
    cdef inline int64_t best_bid_size_c(self) noexcept nogil:
        return self._bids.sizes[self._bids.n - 1] if self._bids.n > 0 else 0
    cdef inline int64_t best_ask_size_c(self) noexcept nogil:
        return self._asks.sizes[self._asks.n - 1] if self._asks.n > 0 else 0

    cdef int64_t size_at_raw(self, int side, int64_t price) noexcept nogil
    cdef int64_t qty_up_to_raw(self, int order_side, int64_t limit_price) noexcept nogil
    cdef int64_t walk_raw(self, int order_side, int64_t qty, double* avg_price,
                          int64_t* worst) noexcept nogil

    # own orders (C API for the matching engine)
    cdef int add_own_c(self, uint64_t order_id, int side, int64_t price, int64_t size) except -1
    cdef int remove_own_c(self, uint64_t order_id) except -1
    cdef int64_t queue_ahead_c(self, uint64_t order_id) except? -1
    cdef void on_trade_c(self, int64_t price, int64_t size, int aggressor_side) noexcept nogil
    cdef void _own_level_change(self, int side, int64_t price, int64_t old_size,
                                int64_t new_size) noexcept nogil
