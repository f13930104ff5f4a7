"""Order book: L1 (top of book), L2 (aggregated by price) and L3 (market-by-order) in C.

See book.pxd for the layout. Public entry point: ``alphaforge.book.OrderBook``.

Delta semantics (``apply_delta`` / ``apply_deltas``), prices and sizes raw at scale 10^9:

* L2: ADD and UPDATE set the level's size (a size of 0 removes the level); DELETE removes the
  level; CLEAR empties the book. A DELETE (or a size-0 set) for a level that is not in the book is
  counted in ``missing_deletes`` and otherwise ignored (Binance diffs routinely delete levels
  outside the snapshot's depth).
* L1: one level per side. ADD/UPDATE replace that side's top; DELETE or a size of 0 empties it.
* L3: ADD inserts order ``order_id`` at the back of its price level's FIFO (a duplicate id is an
  error). UPDATE modifies it: a new price, a new side or a larger size sends it to the back of the
  queue; a smaller size keeps its priority; size 0 removes it; an unknown id is added. DELETE
  cancels ``size`` of it (0, or at least its remaining size, removes it; CME partial cancels);
  an unknown id is counted in ``missing_deletes``. ``fill_order`` reduces an order by a fill.
* Snapshots: a delta flagged SNAPSHOT (32) that follows a non-snapshot delta starts a new
  snapshot, which clears the book first; ``apply_snapshot`` replaces the book from arrays.
* Events: with ``events="last_flag"`` a group of deltas ending with the LAST flag (128) is one
  event and the crossed-book policy runs only at its end; with ``events="delta"`` (default) every
  delta is an event.
* Sequence numbers (``sequence`` != 0): equal to the last one (same message) or last + 1 is fine;
  anything else outside a snapshot is a gap, handled per ``gap_policy``: "raise" (SequenceGapError,
  the delta is not applied), "flag" (``needs_snapshot`` = True, the delta is applied) or "ignore".
  Range-numbered feeds (Binance ``U``/``u``) use ``accept_update(first_id, last_id)`` per message.
  A snapshot (``apply_snapshot`` or a SNAPSHOT-flagged group) or a CLEAR resets ``needs_snapshot``.
* Own orders (``add_own_order`` ... ``queue_ahead``, ``on_trade``): the strategy's resting orders,
  not part of the displayed book, with their queue position: exact on L3 (orders that joined the
  level before them), estimated on L2 (the displayed size when they joined, reduced by trades at
  their price and by level decreases per ``queue_rule``; see ``_own_level_change``).
* Memory: O(levels + resting orders); arrays grow by doubling and never hold history.
"""
import numpy as np

from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_CheckExact
from libc.math cimport NAN, fabs, nearbyint
from libc.stdint cimport INT64_MAX, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memmove, memset

from alphaforge._core.fixed cimport AF_POW10, Price, Quantity, f64_to_raw_checked
from alphaforge._core.records cimport OrderBookDeltaRec

from alphaforge._core.records import ORDER_BOOK_DELTA_DTYPE

cdef extern from *:
    """
    typedef __int128 af_i128;
    """
    ctypedef long long af_i128

# Non-temporal stores for the batch top-of-book output: each output line is written once and not
# read back by the loop, so streaming it past the cache avoids a read-for-ownership per line.
cdef extern from *:
    """
    #if defined(__x86_64__) || defined(_M_X64)
    #include <emmintrin.h>
    static inline void af_stream_i64(int64_t* p, int64_t v) { _mm_stream_si64((long long*)p, (long long)v); }
    static inline void af_stream_fence(void) { _mm_sfence(); }
    #else
    static inline void af_stream_i64(int64_t* p, int64_t v) { *p = v; }
    static inline void af_stream_fence(void) { }
    #endif
    """
    void af_stream_i64(int64_t* p, int64_t v) noexcept nogil
    void af_stream_fence() noexcept nogil

cdef int FLAG_LAST_BIT = 128
cdef int FLAG_SNAPSHOT_BIT = 32


class BookIntegrityError(ValueError):
    """The book or an update to it is invalid (negative size, duplicate order id, broken invariant)."""


class SequenceGapError(BookIntegrityError):
    """A sequence number skipped ahead or went backwards (policy ``gap_policy="raise"``)."""


class CrossedBookError(BookIntegrityError):
    """Best bid >= best ask after a complete event (policy ``crossed_policy="raise"``)."""


BOOK_TOP_DTYPE = np.dtype(
    [("bid_price", "<i8"), ("bid_size", "<i8"), ("ask_price", "<i8"), ("ask_size", "<i8")]
)

ctypedef struct TopRec:
    int64_t bid_price
    int64_t bid_size
    int64_t ask_price
    int64_t ask_size

_BOOK_TYPES = {
    "L1": 1, "L1_MBP": 1, "MBP1": 1, "L2": 2, "L2_MBP": 2, "MBP": 2, "L3": 3, "L3_MBO": 3, "MBO": 3,
}
_GAP = {"raise": GAP_RAISE, "flag": GAP_FLAG, "ignore": GAP_IGNORE}
_CROSSED = {"keep": CROSSED_KEEP, "resolve": CROSSED_RESOLVE, "raise": CROSSED_RAISE}
_QUEUE = {"pessimistic": QUEUE_PESSIMISTIC, "proportional": QUEUE_PROPORTIONAL}
_SIDE_NAME = {1: "bid", 2: "ask"}


# ------------------------------------------------------------------------------------------------
# C helpers: sorted level arrays (best at the end)
# ------------------------------------------------------------------------------------------------

cdef inline Py_ssize_t _lower_bound(const BookSide* s, int64_t key) noexcept nogil:
    """First index i with keys[i] >= key (s.n if none).

    Branch-free count over the top 8 levels (one cache line of keys, where almost every update
    lands), then over the next 8, then a branch-free binary search below them.
    """
    cdef const int64_t* k = s.keys
    cdef Py_ssize_t n = s.n
    cdef Py_ssize_t c = 0
    cdef Py_ssize_t j, lo, hi, mid
    if n >= 8:
        c = ((k[n - 1] >= key) + (k[n - 2] >= key) + (k[n - 3] >= key) + (k[n - 4] >= key)
             + (k[n - 5] >= key) + (k[n - 6] >= key) + (k[n - 7] >= key) + (k[n - 8] >= key))
        if c < 8:
            return n - c
        if n >= 16:  # second tier: the next 8 levels (~8% of updates on a typical feed)
            c = ((k[n - 9] >= key) + (k[n - 10] >= key) + (k[n - 11] >= key) + (k[n - 12] >= key)
                 + (k[n - 13] >= key) + (k[n - 14] >= key) + (k[n - 15] >= key) + (k[n - 16] >= key))
            if c < 8:
                return n - 8 - c
            n -= 8
        # branch-free lower bound over k[0 .. n-8] (k[n-8] >= key is known)
        lo = 0
        hi = n - 7
        while hi > 1:
            mid = hi >> 1
            lo += mid * (k[lo + mid] < key)
            hi -= mid
        return lo + (k[lo] < key)
    for j in range(n):
        c += k[j] >= key
    return n - c


cdef int _side_reserve(BookSide* s, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t cap = s.cap if s.cap > 0 else 16
    cdef int64_t* k
    cdef int64_t* z
    cdef LevelQueue* q
    if need <= s.cap:
        return 0
    while cap < need:
        cap *= 2
    # keys/sizes carry one leading sentinel slot (index -1, value 0): the "top" of an empty side
    # reads as price 0 / size 0 without a branch (batch output).
    k = <int64_t*>realloc(s.keys - 1 if s.keys != NULL else NULL, (cap + 1) * sizeof(int64_t))
    if k == NULL:
        return BOOK_ERR_NOMEM
    k[0] = 0
    s.keys = k + 1
    z = <int64_t*>realloc(s.sizes - 1 if s.sizes != NULL else NULL, (cap + 1) * sizeof(int64_t))
    if z == NULL:
        return BOOK_ERR_NOMEM
    z[0] = 0
    s.sizes = z + 1
    if s.q != NULL:
        q = <LevelQueue*>realloc(s.q, cap * sizeof(LevelQueue))
        if q == NULL:
            return BOOK_ERR_NOMEM
        s.q = q
    s.cap = cap
    return 0


cdef int _side_enable_queues(BookSide* s) noexcept nogil:
    if s.q == NULL:
        s.q = <LevelQueue*>malloc(s.cap * sizeof(LevelQueue))
        if s.q == NULL:
            return BOOK_ERR_NOMEM
    return 0


# Levels keep at least _SLACK spare slots past n, so a move near the top copies a fixed block of
# 8 entries (64 bytes per array: inlined vector moves, no length-dependent branches).
cdef enum:
    _SLACK = 9


cdef inline void _shift_up8(int64_t* p) noexcept nogil:
    """p[1..8] = p[0..7] (loads first, then stores: overlap-safe, no libc call)."""
    cdef int64_t a0 = p[0], a1 = p[1], a2 = p[2], a3 = p[3], a4 = p[4], a5 = p[5], a6 = p[6], a7 = p[7]
    p[1] = a0
    p[2] = a1
    p[3] = a2
    p[4] = a3
    p[5] = a4
    p[6] = a5
    p[7] = a6
    p[8] = a7


cdef inline void _shift_down8(int64_t* p) noexcept nogil:
    """p[0..7] = p[1..8]."""
    cdef int64_t a1 = p[1], a2 = p[2], a3 = p[3], a4 = p[4], a5 = p[5], a6 = p[6], a7 = p[7], a8 = p[8]
    p[0] = a1
    p[1] = a2
    p[2] = a3
    p[3] = a4
    p[4] = a5
    p[5] = a6
    p[6] = a7
    p[7] = a8


cdef inline int _side_insert(BookSide* s, Py_ssize_t i, int64_t key, int64_t size) noexcept nogil:
    if s.n + _SLACK > s.cap and _side_reserve(s, s.n + _SLACK) != 0:
        return BOOK_ERR_NOMEM
    if s.n - i <= 8:
        _shift_up8(&s.keys[i])
        _shift_up8(&s.sizes[i])
    else:
        memmove(&s.keys[i + 1], &s.keys[i], (s.n - i) * sizeof(int64_t))
        memmove(&s.sizes[i + 1], &s.sizes[i], (s.n - i) * sizeof(int64_t))
    s.keys[i] = key
    s.sizes[i] = size
    if s.q != NULL:
        memmove(&s.q[i + 1], &s.q[i], (s.n - i) * sizeof(LevelQueue))
        s.q[i].head = -1
        s.q[i].tail = -1
        s.q[i].count = 0
        s.q[i]._pad = 0
    s.n += 1
    return 0


cdef inline void _side_remove(BookSide* s, Py_ssize_t i) noexcept nogil:
    cdef Py_ssize_t last = s.n - 1
    if last - i <= 8:
        _shift_down8(&s.keys[i])
        _shift_down8(&s.sizes[i])
    else:
        memmove(&s.keys[i], &s.keys[i + 1], (last - i) * sizeof(int64_t))
        memmove(&s.sizes[i], &s.sizes[i + 1], (last - i) * sizeof(int64_t))
    if s.q != NULL:
        memmove(&s.q[i], &s.q[i + 1], (last - i) * sizeof(LevelQueue))
    s.n = last


cdef void _side_free(BookSide* s) noexcept nogil:
    if s.keys != NULL:
        free(s.keys - 1)
    if s.sizes != NULL:
        free(s.sizes - 1)
    free(s.q)
    s.keys = NULL
    s.sizes = NULL
    s.q = NULL
    s.n = 0
    s.cap = 0


# ------------------------------------------------------------------------------------------------
# C helpers: id -> slot hash map (open addressing, linear probing, backward-shift deletion)
# ------------------------------------------------------------------------------------------------

cdef inline size_t _mix(uint64_t k) noexcept nogil:
    k ^= k >> 33
    k *= <uint64_t>0xff51afd7ed558ccd
    k ^= k >> 33
    k *= <uint64_t>0xc4ceb9fe1a85ec53
    k ^= k >> 33
    return <size_t>k


cdef int _map_init(IdMap* m, size_t cap) noexcept nogil:
    m.keys = <uint64_t*>malloc(cap * sizeof(uint64_t))
    m.vals = <int32_t*>malloc(cap * sizeof(int32_t))
    if m.keys == NULL or m.vals == NULL:
        free(m.keys)
        free(m.vals)
        m.keys = NULL
        m.vals = NULL
        m.cap = 0
        m.n = 0
        return BOOK_ERR_NOMEM
    memset(m.keys, 0, cap * sizeof(uint64_t))
    m.cap = cap
    m.n = 0
    return 0


cdef void _map_free(IdMap* m) noexcept nogil:
    free(m.keys)
    free(m.vals)
    m.keys = NULL
    m.vals = NULL
    m.cap = 0
    m.n = 0


cdef inline int32_t _map_get(const IdMap* m, uint64_t key) noexcept nogil:
    cdef size_t mask = m.cap - 1
    cdef size_t i = _mix(key) & mask
    while m.keys[i] != 0:
        if m.keys[i] == key:
            return m.vals[i]
        i = (i + 1) & mask
    return -1


cdef int _map_put(IdMap* m, uint64_t key, int32_t val) noexcept nogil:
    """Insert a key that is not present (callers check with _map_get first)."""
    cdef size_t mask, i, j
    cdef IdMap grown
    if (m.n + 1) * 2 > m.cap:
        if _map_init(&grown, m.cap * 2) != 0:
            return BOOK_ERR_NOMEM
        mask = grown.cap - 1
        for j in range(m.cap):
            if m.keys[j] != 0:
                i = _mix(m.keys[j]) & mask
                while grown.keys[i] != 0:
                    i = (i + 1) & mask
                grown.keys[i] = m.keys[j]
                grown.vals[i] = m.vals[j]
        grown.n = m.n
        _map_free(m)
        m[0] = grown
    mask = m.cap - 1
    i = _mix(key) & mask
    while m.keys[i] != 0:
        i = (i + 1) & mask
    m.keys[i] = key
    m.vals[i] = val
    m.n += 1
    return 0


cdef void _map_del(IdMap* m, uint64_t key) noexcept nogil:
    cdef size_t mask = m.cap - 1
    cdef size_t i = _mix(key) & mask
    cdef size_t j, home
    while m.keys[i] != key:
        if m.keys[i] == 0:
            return
        i = (i + 1) & mask
    # backward-shift: pull later entries of the probe run into the hole
    j = i
    while True:
        j = (j + 1) & mask
        if m.keys[j] == 0:
            break
        home = _mix(m.keys[j]) & mask
        # entry at j may move to i if its home is not cyclically in (i, j]
        if (i <= j and (home <= i or home > j)) or (i > j and (home <= i and home > j)):
            m.keys[i] = m.keys[j]
            m.vals[i] = m.vals[j]
            i = j
    m.keys[i] = 0
    m.n -= 1


cdef void _map_clear(IdMap* m) noexcept nogil:
    if m.keys != NULL:
        memset(m.keys, 0, m.cap * sizeof(uint64_t))
    m.n = 0


# ------------------------------------------------------------------------------------------------
# Python-value conversion
# ------------------------------------------------------------------------------------------------

cdef inline int64_t _f2raw(double x, int prec, str what) except? -1:
    """float -> raw at `prec` decimals; fast path for clean values, the checked path raises."""
    cdef double scaled = x * <double>AF_POW10[prec]
    cdef double r = nearbyint(scaled)
    cdef double tol = fabs(scaled) * 1e-12
    if tol < 1e-6:
        tol = 1e-6
    if fabs(scaled - r) <= tol and fabs(x) < 9.2e9:
        return <int64_t>r * AF_POW10[9 - prec]
    return f64_to_raw_checked(x, prec, what)


cdef inline bint _try_f2raw(double x, double scale, int64_t unit, int64_t* out) noexcept nogil:
    """Fast float -> raw for clean values (no libm call); False sends the caller to _to_raw,
    which raises for NaN/inf/out of range/too many decimals."""
    cdef double sc, tol
    cdef int64_t ir
    if not (fabs(x) < 9.2e9):
        return False
    sc = x * scale
    ir = <int64_t>(sc + 0.5) if sc >= 0.0 else <int64_t>(sc - 0.5)
    tol = fabs(sc) * 1e-12
    if tol < 1e-6:
        tol = 1e-6
    if fabs(sc - <double>ir) <= tol:
        out[0] = ir * unit
        return True
    return False


cdef inline int64_t _to_raw(object v, int prec, str what) except? -1:
    if PyFloat_CheckExact(v):
        return _f2raw(PyFloat_AS_DOUBLE(v), prec, what)
    if isinstance(v, Price):
        return (<Price>v).raw
    if isinstance(v, Quantity):
        return (<Quantity>v).raw
    if isinstance(v, int):
        if not (-9_200_000_000 < v < 9_200_000_000):
            raise ValueError(f"invalid {what} value {v!r}: out of range (|value| must be < 9.2e9)")
        return <int64_t>v * 1_000_000_000
    return _f2raw(float(v), prec, what)


cdef inline double _r2f(int64_t raw) noexcept nogil:
    return <double>raw / 1e9


cdef int _parse_side(object side) except -1:
    cdef int s
    if isinstance(side, str):
        s = {"BUY": 1, "BID": 1, "B": 1, "SELL": 2, "ASK": 2, "A": 2}.get(side.upper(), 0)
    else:
        s = int(side)
    if s != 1 and s != 2:
        raise ValueError(f"invalid side {side!r}: expected OrderSide.BUY (1, bids) or OrderSide.SELL (2, asks)")
    return s


# ------------------------------------------------------------------------------------------------
# OrderBook
# ------------------------------------------------------------------------------------------------

cdef class OrderBook:
    """An order book for one instrument: L1 (top of book), L2 (by price) or L3 (by order id).

    Parameters
    ----------
    instrument_id : InstrumentId, str or instrument
        The instrument. An instrument object (with ``.id``, ``.price_precision`` and
        ``.size_precision``) also supplies the precisions. ``InstrumentId.index`` is checked
        against ``instrument_id`` of records given to ``apply_deltas`` (0 = unchecked).
    book_type : BookType, int or str
        ``"L1"``/``L1_MBP`` (1), ``"L2"``/``L2_MBP`` (2, default) or ``"L3"``/``L3_MBO`` (3).
    price_precision, size_precision : int
        Decimals (0-9) used to convert float prices/sizes to raw; a float with more decimals is
        rejected. Default: the instrument's, else 9.
    gap_policy : "raise" | "flag" | "ignore"
        What a sequence gap does (see the module docstring). Default "raise".
    crossed_policy : "keep" | "resolve" | "raise"
        After each complete event, a crossed or locked book (best bid >= best ask) is counted in
        ``crossed_count`` and then kept, resolved by removing the stale levels of the side opposite
        to the last update, or raised as CrossedBookError. Default "keep" (real feeds cross
        transiently).
    events : "delta" | "last_flag"
        Event grouping for the crossed-book policy: every delta, or groups ending with FLAG_LAST.
    queue_rule : "pessimistic" | "proportional"
        L2 own-order queue estimate on level size decreases (see ``add_own_order``).
    """

    def __cinit__(self, *args, **kwargs):
        memset(&self._bids, 0, sizeof(BookSide))
        memset(&self._asks, 0, sizeof(BookSide))
        if (&self._bids) + 1 != &self._asks:
            raise ImportError("OrderBook layout: _asks must directly follow _bids")
        self._orders = NULL
        self._own = NULL
        if _side_reserve(&self._bids, 16) != 0 or _side_reserve(&self._asks, 16) != 0:
            raise MemoryError()
        if _map_init(&self._order_map, 64) != 0 or _map_init(&self._own_map, 16) != 0:
            raise MemoryError()
        self._orders_cap = 0
        self._free = -1

    def __dealloc__(self):
        _side_free(&self._bids)
        _side_free(&self._asks)
        free(self._orders)
        free(self._own)
        _map_free(&self._order_map)
        _map_free(&self._own_map)

    def __init__(self, instrument_id, book_type="L2", *, price_precision=None, size_precision=None,
                 str gap_policy="raise", str crossed_policy="keep", str events="delta",
                 str queue_rule="pessimistic"):
        cdef object inst = instrument_id
        if hasattr(inst, "price_precision") and hasattr(inst, "id"):
            if price_precision is None:
                price_precision = inst.price_precision
            if size_precision is None:
                size_precision = inst.size_precision
            inst = inst.id
        elif isinstance(inst, str):
            from alphaforge._core.identifiers import InstrumentId
            inst = InstrumentId.from_str(inst)
        self.instrument_id = inst
        self._instrument_index = <uint32_t>getattr(inst, "index", 0)
        if isinstance(book_type, str):
            bt = _BOOK_TYPES.get(book_type.upper())
            if bt is None:
                raise ValueError(f"invalid book_type {book_type!r}: expected L1, L2 or L3 (or BookType)")
            self.book_type = bt
        else:
            self.book_type = int(book_type)
            if self.book_type not in (1, 2, 3):
                raise ValueError(f"invalid book_type {book_type!r}: expected 1 (L1), 2 (L2) or 3 (L3)")
        self.price_precision = 9 if price_precision is None else int(price_precision)
        self.size_precision = 9 if size_precision is None else int(size_precision)
        for name, p in (("price_precision", self.price_precision), ("size_precision", self.size_precision)):
            if not 0 <= p <= 9:
                raise ValueError(f"invalid {name} {p!r}: must be 0-9")
        self._pscale = <double>AF_POW10[self.price_precision]
        self._sscale = <double>AF_POW10[self.size_precision]
        self._punit = AF_POW10[9 - self.price_precision]
        self._sunit = AF_POW10[9 - self.size_precision]
        for name, value, table in (("gap_policy", gap_policy, _GAP), ("crossed_policy", crossed_policy, _CROSSED),
                                   ("queue_rule", queue_rule, _QUEUE)):
            if value not in table:
                raise ValueError(f"invalid {name} {value!r}: expected one of {sorted(table)}")
        if events not in ("delta", "last_flag"):
            raise ValueError(f"invalid events {events!r}: expected 'delta' or 'last_flag'")
        self._gap_policy = _GAP[gap_policy]
        self._crossed_policy = _CROSSED[crossed_policy]
        self._queue_rule = _QUEUE[queue_rule]
        self._last_flag_events = events == "last_flag"
        if self.book_type == 3:
            if _side_enable_queues(&self._bids) != 0 or _side_enable_queues(&self._asks) != 0:
                raise MemoryError()

    # --------------------------------------------------------------------------------------------
    # core (C)
    # --------------------------------------------------------------------------------------------

    cdef void _clear(self) noexcept nogil:
        cdef int32_t i
        self._bids.n = 0
        self._asks.n = 0
        if self.book_type == 3 and self._orders_cap > 0:
            _map_clear(&self._order_map)
            self._free = -1
            i = self._orders_cap - 1
            while i >= 0:
                self._orders[i].next = self._free
                self._free = i
                i -= 1

    cdef int _check_seq(self, uint64_t sequence, int flags) noexcept nogil:
        cdef uint64_t last = self.last_sequence
        if sequence == 0:
            return 0
        if (flags & FLAG_SNAPSHOT_BIT) == 0 and last != 0 and (sequence > last + 1 or sequence < last):
            self._err_a = <int64_t>last
            self._err_b = <int64_t>sequence
            if self._gap_policy == GAP_RAISE:
                return BOOK_ERR_GAP
            if self._gap_policy == GAP_FLAG:
                self.needs_snapshot = True
        if sequence > last:
            self.last_sequence = sequence
        return 0

    cdef inline int _l2_set(self, int side, int64_t price, int64_t size) noexcept nogil:
        # branch-free side selection (the side of a feed's next delta is unpredictable):
        # _asks directly follows _bids in the object (checked in __cinit__); m = 0 (bid) or -1
        # (ask) and (price ^ m) - m is price or -price.
        cdef BookSide* s = (&self._bids) + (side - 1)
        cdef int64_t m = -<int64_t>(side - 1)
        cdef int64_t key = (price ^ m) - m
        cdef Py_ssize_t i = _lower_bound(s, key)
        cdef int64_t old = 0
        # keys[n] is inside the allocation (slack), so both tests run without a short-circuit branch
        if (i < s.n) & (s.keys[i] == key):
            old = s.sizes[i]
            if size == 0:
                _side_remove(s, i)
            else:
                s.sizes[i] = size
        elif size > 0:
            if _side_insert(s, i, key, size) != 0:
                return BOOK_ERR_NOMEM
        else:
            self.missing_deletes += 1
            return 0
        if self._own_n > 0 and old != size:
            self._own_level_change(side, price, old, size)
        return 0

    cdef int _l3_alloc(self) noexcept nogil:
        cdef int32_t cap, i
        cdef BookOrder* p
        if self._free < 0:
            cap = self._orders_cap * 2 if self._orders_cap > 0 else 256
            p = <BookOrder*>realloc(self._orders, cap * sizeof(BookOrder))
            if p == NULL:
                return BOOK_ERR_NOMEM
            self._orders = p
            i = cap - 1
            while i >= self._orders_cap:
                p[i].next = self._free
                self._free = i
                i -= 1
            self._orders_cap = cap
        i = self._free
        self._free = self._orders[i].next
        return i

    cdef int _l3_add(self, int side, uint64_t order_id, int64_t price, int64_t size) noexcept nogil:
        cdef BookSide* s = self._side_ptr(side)
        cdef int64_t key = price if side == 1 else -price
        cdef Py_ssize_t i = _lower_bound(s, key)
        cdef int32_t slot
        cdef BookOrder* o
        if not (i < s.n and s.keys[i] == key):
            if _side_insert(s, i, key, 0) != 0:
                return BOOK_ERR_NOMEM
        slot = self._l3_alloc()
        if slot < 0:
            return BOOK_ERR_NOMEM
        if _map_put(&self._order_map, order_id, slot) != 0:
            self._orders[slot].next = self._free
            self._free = slot
            return BOOK_ERR_NOMEM
        self._stamp += 1
        o = &self._orders[slot]
        o.id = order_id
        o.price = price
        o.size = size
        o.side = <uint8_t>side
        o.stamp = self._stamp
        o.next = -1
        o.prev = s.q[i].tail
        if s.q[i].tail >= 0:
            self._orders[s.q[i].tail].next = slot
        else:
            s.q[i].head = slot
        s.q[i].tail = slot
        s.q[i].count += 1
        s.sizes[i] += size
        return 0

    cdef void _l3_remove(self, int32_t slot) noexcept nogil:
        cdef BookOrder* o = &self._orders[slot]
        cdef BookSide* s = self._side_ptr(o.side)
        cdef int64_t key = o.price if o.side == 1 else -o.price
        cdef Py_ssize_t i = _lower_bound(s, key)
        if i < s.n and s.keys[i] == key:
            if o.prev >= 0:
                self._orders[o.prev].next = o.next
            else:
                s.q[i].head = o.next
            if o.next >= 0:
                self._orders[o.next].prev = o.prev
            else:
                s.q[i].tail = o.prev
            s.q[i].count -= 1
            s.sizes[i] -= o.size
            if s.q[i].count == 0:
                _side_remove(s, i)
        _map_del(&self._order_map, o.id)
        o.next = self._free
        self._free = slot

    cdef int _l3_reduce(self, int32_t slot, int64_t by) noexcept nogil:
        """Reduce an order by `by` (> 0) keeping its priority; removes it when nothing is left."""
        cdef BookOrder* o = &self._orders[slot]
        cdef BookSide* s
        cdef int64_t key
        cdef Py_ssize_t i
        if by >= o.size:
            self._l3_remove(slot)
            return 0
        s = self._side_ptr(o.side)
        key = o.price if o.side == 1 else -o.price
        i = _lower_bound(s, key)
        if i < s.n and s.keys[i] == key:
            s.sizes[i] -= by
        o.size -= by
        return 0

    cdef int _apply_core(self, int action, int side, int64_t price, int64_t size,
                         uint64_t order_id, int flags) noexcept nogil:
        cdef int32_t slot
        cdef BookOrder* o
        cdef BookSide* s
        cdef int r
        if size < 0:
            self._err_a = size
            return BOOK_ERR_NEG_SIZE
        if flags & FLAG_SNAPSHOT_BIT:
            if not self._in_snapshot:
                self._clear()
                self._in_snapshot = True
                self.needs_snapshot = False
                self.last_sequence = 0
            if flags & FLAG_LAST_BIT:
                self._in_snapshot = False
        else:
            self._in_snapshot = False
        if action == 4:
            self._clear()
            self.needs_snapshot = False
            return 0
        if side != 1 and side != 2:
            self._err_a = side
            return BOOK_ERR_BAD_SIDE
        if action < 1 or action > 3:
            self._err_a = action
            return BOOK_ERR_BAD_ACTION
        self._last_side = side
        if self.book_type == 2:
            return self._l2_set(side, price, 0 if action == 3 else size)
        if self.book_type == 1:
            s = self._side_ptr(side)
            if action == 3 or size == 0:
                s.n = 0
            else:
                s.keys[0] = price if side == 1 else -price
                s.sizes[0] = size
                s.n = 1
            return 0
        # L3
        if order_id == 0:
            return BOOK_ERR_NO_ORDER_ID
        slot = _map_get(&self._order_map, order_id)
        if action == 1:
            if slot >= 0:
                self._err_a = <int64_t>order_id
                return BOOK_ERR_DUP_ORDER
            if size == 0:
                return 0
            return self._l3_add(side, order_id, price, size)
        if action == 2:
            if slot < 0:
                return self._l3_add(side, order_id, price, size) if size > 0 else 0
            o = &self._orders[slot]
            if o.side != side or o.price != price or size > o.size:
                self._l3_remove(slot)
                return self._l3_add(side, order_id, price, size) if size > 0 else 0
            if size < o.size:
                return self._l3_reduce(slot, o.size - size)
            return 0
        # DELETE
        if slot < 0:
            self.missing_deletes += 1
            return 0
        o = &self._orders[slot]
        return self._l3_reduce(slot, o.size if size == 0 else size)

    cdef int _after_event(self) noexcept nogil:
        cdef int64_t bid, ask
        cdef BookSide* s
        if self._bids.n == 0 or self._asks.n == 0:
            return 0
        bid = self._bids.keys[self._bids.n - 1]
        ask = -self._asks.keys[self._asks.n - 1]
        if bid < ask:
            return 0
        self.crossed_count += 1
        if self._crossed_policy == CROSSED_KEEP:
            return 0
        if self._crossed_policy == CROSSED_RAISE:
            self._err_a = bid
            self._err_b = ask
            return BOOK_ERR_CROSSED
        # resolve: the side updated last is fresh, the opposite levels that cross/lock it are stale
        if self._last_side == 1:
            while self._asks.n > 0 and -self._asks.keys[self._asks.n - 1] <= bid:
                self._drop_top(2)
        else:
            while self._bids.n > 0 and self._bids.keys[self._bids.n - 1] >= ask:
                self._drop_top(1)
        return 0

    cdef void _drop_top(self, int side) noexcept nogil:
        cdef BookSide* s = self._side_ptr(side)
        cdef int64_t price = s.keys[s.n - 1] if side == 1 else -s.keys[s.n - 1]
        cdef int64_t old = s.sizes[s.n - 1]
        cdef int32_t o, nxt
        if self.book_type == 3:
            o = s.q[s.n - 1].head
            while o >= 0:
                nxt = self._orders[o].next
                _map_del(&self._order_map, self._orders[o].id)
                self._orders[o].next = self._free
                self._free = o
                o = nxt
        s.n -= 1
        self.resolved_levels += 1
        if self.book_type != 3 and (self._own_bids if side == 1 else self._own_asks) > 0:
            self._own_level_change(side, price, old, 0)

    cdef int _raise_err(self, int code, str where) except -1:
        if code == BOOK_ERR_NOMEM:
            raise MemoryError(f"{where}: out of memory growing the book")
        if code == BOOK_ERR_NEG_SIZE:
            raise BookIntegrityError(f"{where}: negative size {_r2f(self._err_a)!r} (field 'size', raw {self._err_a})")
        if code == BOOK_ERR_BAD_ACTION:
            raise BookIntegrityError(f"{where}: invalid action {self._err_a} (field 'action'; expected 1-4)")
        if code == BOOK_ERR_BAD_SIDE:
            raise BookIntegrityError(f"{where}: invalid side {self._err_a} (field 'side'; expected 1 bid or 2 ask)")
        if code == BOOK_ERR_DUP_ORDER:
            raise BookIntegrityError(f"{where}: ADD of order_id {<uint64_t>self._err_a} which is already in the book")
        if code == BOOK_ERR_NO_ORDER_ID:
            raise BookIntegrityError(f"{where}: L3 delta without an order_id (field 'order_id' is 0)")
        if code == BOOK_ERR_GAP:
            raise SequenceGapError(
                f"{where}: sequence gap: last sequence {<uint64_t>self._err_a}, got {<uint64_t>self._err_b} "
                f"(field 'sequence'); apply a snapshot to resynchronise"
            )
        if code == BOOK_ERR_CROSSED:
            raise CrossedBookError(
                f"{where}: crossed/locked book: best bid {_r2f(self._err_a)!r} >= best ask {_r2f(self._err_b)!r}"
            )
        if code == BOOK_ERR_INSTRUMENT:
            raise BookIntegrityError(
                f"{where}: instrument_id {self._err_a} does not match this book's {self._instrument_index} "
                f"(field 'instrument_id')"
            )
        raise BookIntegrityError(f"{where}: error code {code}")

    cdef int apply_raw(self, int action, int side, int64_t price, int64_t size, uint64_t order_id,
                       int64_t ts_event, uint64_t sequence, int flags) except -1:
        """Apply one delta with raw price/size (C callers). Raises like apply_delta."""
        cdef int code
        if (self.book_type == 2 and sequence == 0 and (flags & FLAG_SNAPSHOT_BIT) == 0 and size >= 0 and 1 <= action <= 3
                and (side == 1 or side == 2) and not self._last_flag_events):
            # fast path: plain L2 delta (same semantics as the general path below)
            self._in_snapshot = False
            self._last_side = side
            if self._l2_set(side, price, 0 if action == 3 else size) != 0:
                return self._raise_err(BOOK_ERR_NOMEM, "apply_delta")
            self.ts_last = ts_event
            self.update_count += 1
            if (self._bids.n > 0 and self._asks.n > 0
                    and self._bids.keys[self._bids.n - 1] >= -self._asks.keys[self._asks.n - 1]):
                if self._after_event() != 0:
                    return self._raise_err(BOOK_ERR_CROSSED, "apply_delta")
            return 0
        if sequence != 0:
            code = self._check_seq(sequence, flags)
            if code != 0:
                return self._raise_err(code, "apply_delta")
        code = self._apply_core(action, side, price, size, order_id, flags)
        if code != 0:
            return self._raise_err(code, "apply_delta")
        self.ts_last = ts_event
        self.update_count += 1
        if not self._last_flag_events or (flags & FLAG_LAST_BIT):
            code = self._after_event()
            if code != 0:
                return self._raise_err(code, "apply_delta")
        return 0

    cdef int _apply_records(self, const OrderBookDeltaRec* recs, Py_ssize_t n, int64_t* top,
                            Py_ssize_t* failed_at) noexcept nogil:
        cdef Py_ssize_t k
        cdef const OrderBookDeltaRec* r
        cdef int code
        cdef uint32_t inst = self._instrument_index
        cdef bint per_delta = not self._last_flag_events
        cdef TopRec* out = <TopRec*>top
        for k in range(n):
            r = &recs[k]
            if inst != 0 and r.instrument_id != 0 and r.instrument_id != inst:
                self._err_a = r.instrument_id
                failed_at[0] = k
                return BOOK_ERR_INSTRUMENT
            if r.sequence != 0:
                code = self._check_seq(r.sequence, r.flags)
                if code != 0:
                    failed_at[0] = k
                    return code
            if self.book_type == 2 and r.action <= 3 and r.action >= 1 and (r.flags & FLAG_SNAPSHOT_BIT) == 0 and r.size >= 0 \
                    and (r.side == 1 or r.side == 2):
                self._in_snapshot = False
                self._last_side = r.side
                code = self._l2_set(r.side, r.price, 0 if r.action == 3 else r.size)
            else:
                code = self._apply_core(r.action, r.side, r.price, r.size, r.order_id, r.flags)
            if code != 0:
                failed_at[0] = k
                return code
            self.ts_last = r.ts_event
            self.update_count += 1
            if (per_delta or (r.flags & FLAG_LAST_BIT)) and self._bids.n > 0 and self._asks.n > 0 \
                    and self._bids.keys[self._bids.n - 1] >= -self._asks.keys[self._asks.n - 1]:
                code = self._after_event()
                if code != 0:
                    failed_at[0] = k
                    return code
            if out != NULL:
                if self._bids.n > 0:
                    out[k].bid_price = self._bids.keys[self._bids.n - 1]
                    out[k].bid_size = self._bids.sizes[self._bids.n - 1]
                else:
                    out[k].bid_price = 0
                    out[k].bid_size = 0
                if self._asks.n > 0:
                    out[k].ask_price = -self._asks.keys[self._asks.n - 1]
                    out[k].ask_size = self._asks.sizes[self._asks.n - 1]
                else:
                    out[k].ask_price = 0
                    out[k].ask_size = 0
        return 0

    cdef int _l2_records(self, const OrderBookDeltaRec* recs, Py_ssize_t n, int64_t* top,
                         Py_ssize_t* failed_at) noexcept nogil:
        """apply_deltas for L2 books: plain deltas (no SNAPSHOT flag, no sequence, valid action/side,
        size >= 0, matching instrument) go straight to the level update with the per-delta events
        crossed check; any other record takes the general path (_apply_records) for itself."""
        cdef Py_ssize_t k
        cdef const OrderBookDeltaRec* r
        cdef int code = 0
        cdef uint32_t inst = self._instrument_index
        cdef TopRec* out = <TopRec*>top
        cdef BookSide* bids = &self._bids
        cdef BookSide* asks = &self._asks
        cdef bint plain
        cdef bint grouped = self._last_flag_events
        cdef int64_t size
        cdef uint64_t applied = 0
        cdef int64_t ts = self.ts_last
        cdef int last_side = self._last_side
        for k in range(n):
            r = &recs[k]
            plain = ((<unsigned>r.action - 1u <= 2u) & (<unsigned>r.side - 1u <= 1u) & (r.size >= 0)
                     & ((r.flags & FLAG_SNAPSHOT_BIT) == 0) & (r.sequence == 0) & (not grouped)
                     & ((r.instrument_id == 0) | (r.instrument_id == inst) | (inst == 0)))
            if plain:
                size = r.size if r.action != 3 else 0
                last_side = r.side
                code = self._l2_set(r.side, r.price, size)
                if code != 0:
                    failed_at[0] = k
                    break
                ts = r.ts_event
                applied += 1
                if (bids.n > 0) & (asks.n > 0) & (bids.keys[bids.n - 1] >= -asks.keys[asks.n - 1]):
                    self._last_side = last_side
                    code = self._after_event()
                    if code != 0:
                        failed_at[0] = k
                        break
            else:
                if applied > 0:  # plain (non-snapshot) deltas since the last general one
                    self._in_snapshot = False
                    self._last_side = last_side
                    self.ts_last = ts
                    self.update_count += applied
                    applied = 0
                code = self._apply_records(r, 1, NULL, failed_at)
                ts = self.ts_last
                last_side = self._last_side
                if code != 0:
                    failed_at[0] = k
                    break
            if out != NULL:
                af_stream_i64(&out[k].bid_price, bids.keys[bids.n - 1])
                af_stream_i64(&out[k].bid_size, bids.sizes[bids.n - 1])
                af_stream_i64(&out[k].ask_price, -asks.keys[asks.n - 1])
                af_stream_i64(&out[k].ask_size, asks.sizes[asks.n - 1])
        if out != NULL:
            af_stream_fence()
        if applied > 0:
            self._in_snapshot = False
            self._last_side = last_side
            self.ts_last = ts
            self.update_count += applied
        return code

    # --------------------------------------------------------------------------------------------
    # updates (Python)
    # --------------------------------------------------------------------------------------------

    def apply_delta(self, int action, int side, price, size, uint64_t order_id=0, int64_t ts_event=0,
                    uint64_t sequence=0, int flags=0):
        """Apply one delta.

        action: BookAction (ADD=1, UPDATE=2, DELETE=3, CLEAR=4) or int; side: OrderSide (BUY=1 for
        bids, SELL=2 for asks) or int; price/size: float (decimal, at most price_precision /
        size_precision decimals), int (whole units), Price or Quantity; order_id: L3 order id;
        ts_event: ns; sequence: venue sequence (0 = untracked); flags: record flag bits (LAST=128,
        SNAPSHOT=32). Raises BookIntegrityError on a negative size, bad action/side or duplicate
        L3 order id, SequenceGapError / CrossedBookError per policy.
        """
        cdef int64_t p, q
        if not (PyFloat_CheckExact(price) and _try_f2raw(PyFloat_AS_DOUBLE(price), self._pscale, self._punit, &p)):
            p = _to_raw(price, self.price_precision, "price")
        if not (PyFloat_CheckExact(size) and _try_f2raw(PyFloat_AS_DOUBLE(size), self._sscale, self._sunit, &q)):
            q = _to_raw(size, self.size_precision, "size")
        if (self.book_type == 2 and sequence == 0 and (flags & FLAG_SNAPSHOT_BIT) == 0 and q >= 0 and 1 <= action <= 3
                and (side == 1 or side == 2) and not self._last_flag_events):
            # fast path: plain L2 delta (same semantics as apply_raw)
            self._in_snapshot = False
            self._last_side = side
            if self._l2_set(side, p, 0 if action == 3 else q) != 0:
                raise MemoryError("apply_delta: out of memory growing the book")
            self.ts_last = ts_event
            self.update_count += 1
            if (self._bids.n > 0 and self._asks.n > 0
                    and self._bids.keys[self._bids.n - 1] >= -self._asks.keys[self._asks.n - 1]):
                if self._after_event() != 0:
                    self._raise_err(BOOK_ERR_CROSSED, "apply_delta")
            return
        self.apply_raw(action, side, p, q, order_id, ts_event, sequence, flags)

    def apply_delta_raw(self, int action, int side, int64_t price, int64_t size, uint64_t order_id=0,
                        int64_t ts_event=0, uint64_t sequence=0, int flags=0):
        """``apply_delta`` with raw int64 price and size (value * 10^9)."""
        self.apply_raw(action, side, price, size, order_id, ts_event, sequence, flags)

    def apply_deltas(self, records, *, bint record_top=False, out=None):
        """Apply a record array of ORDER_BOOK_DELTA_DTYPE in one nogil loop.

        With ``record_top=True`` (or an ``out`` array of BOOK_TOP_DTYPE and the same length) the raw
        best bid price/size and ask price/size after each delta are written per row (price 0 and
        size 0 for an empty side) and the array is returned; otherwise returns None. On a bad
        record the deltas before it stay applied and the error names the record index.
        """
        if getattr(records, "dtype", None) != ORDER_BOOK_DELTA_DTYPE:
            raise TypeError(
                f"apply_deltas expects a record array of ORDER_BOOK_DELTA_DTYPE, got {getattr(records, 'dtype', type(records))}"
            )
        cdef const OrderBookDeltaRec[::1] recs = records
        cdef Py_ssize_t n = recs.shape[0]
        cdef Py_ssize_t failed = -1
        cdef int64_t[:, ::1] top_view
        cdef int64_t* top = NULL
        cdef int code
        if out is None and record_top:
            out = np.empty(n, dtype=BOOK_TOP_DTYPE)
        if out is not None:
            if out.dtype != BOOK_TOP_DTYPE or out.shape[0] != n:
                raise ValueError(f"out must be a BOOK_TOP_DTYPE array of length {n}")
            top_view = out.view(np.int64).reshape(n, 4)
            if n > 0:
                top = &top_view[0, 0]
        if n == 0:
            return out
        with nogil:
            if self.book_type == 2:
                code = self._l2_records(&recs[0], n, top, &failed)
            else:
                code = self._apply_records(&recs[0], n, top, &failed)
        if code != 0:
            self._raise_err(code, f"apply_deltas record {failed}")
        return out

    def accept_update(self, uint64_t first_id, uint64_t last_id):
        """Sequence check for a message covering update ids ``first_id..last_id`` (Binance U/u).

        Returns False for a stale message (last_id <= last_sequence: drop it), True when it
        continues the book (first_id <= last_sequence + 1 <= last_id, or no sequence yet) and
        records last_id. A gap (first_id > last_sequence + 1) follows ``gap_policy``.
        """
        cdef uint64_t last = self.last_sequence
        if last_id < first_id:
            raise ValueError(f"accept_update: last_id {last_id} < first_id {first_id}")
        if last != 0:
            if last_id <= last:
                return False
            if first_id > last + 1:
                if self._gap_policy == GAP_RAISE:
                    self._err_a = <int64_t>last
                    self._err_b = <int64_t>first_id
                    self._raise_err(BOOK_ERR_GAP, "accept_update")
                if self._gap_policy == GAP_FLAG:
                    self.needs_snapshot = True
        self.last_sequence = last_id
        return True

    def apply_snapshot(self, bid_prices, bid_sizes, ask_prices, ask_sizes, *, uint64_t sequence=0,
                       int64_t ts_event=0):
        """Replace the book (L1/L2) with the given levels (decimal float arrays, any order).

        Zero sizes are skipped; a negative size or a price given twice on one side raises
        BookIntegrityError. Resets ``needs_snapshot`` and sets ``last_sequence`` to ``sequence``.
        """
        conv = []
        for what, prices, sizes in (("bid", bid_prices, bid_sizes), ("ask", ask_prices, ask_sizes)):
            p = np.asarray(prices, dtype=np.float64)
            z = np.asarray(sizes, dtype=np.float64)
            conv.append(np.array([_f2raw(x, self.price_precision, f"{what} price") for x in p], dtype=np.int64))
            conv.append(np.array([_f2raw(x, self.size_precision, f"{what} size") for x in z], dtype=np.int64))
        self.apply_snapshot_raw(conv[0], conv[1], conv[2], conv[3], sequence=sequence, ts_event=ts_event)

    def apply_snapshot_raw(self, bid_prices, bid_sizes, ask_prices, ask_sizes, *, uint64_t sequence=0,
                           int64_t ts_event=0):
        """``apply_snapshot`` with raw int64 arrays (value * 10^9)."""
        if self.book_type == 3:
            raise BookIntegrityError("apply_snapshot: an L3 book takes snapshots as ADD deltas flagged SNAPSHOT")
        sides = []
        for side, prices, sizes in ((1, bid_prices, bid_sizes), (2, ask_prices, ask_sizes)):
            p = np.ascontiguousarray(prices, dtype=np.int64)
            z = np.ascontiguousarray(sizes, dtype=np.int64)
            if p.shape != z.shape or p.ndim != 1:
                raise ValueError(f"apply_snapshot: {_SIDE_NAME[side]} prices and sizes must be 1-D of equal length")
            if (z < 0).any():
                i = int(np.argmax(z < 0))
                raise BookIntegrityError(
                    f"apply_snapshot: negative {_SIDE_NAME[side]} size {z[i] / 1e9!r} at row {i} (field 'size')"
                )
            keep = z > 0
            p = p[keep]
            z = z[keep]
            key = p if side == 1 else -p
            order = np.argsort(key, kind="stable")
            key = np.ascontiguousarray(key[order])
            z = np.ascontiguousarray(z[order])
            if key.shape[0] > 1 and (np.diff(key) == 0).any():
                i = int(np.argmax(np.diff(key) == 0))
                raise BookIntegrityError(
                    f"apply_snapshot: {_SIDE_NAME[side]} price {abs(key[i]) / 1e9!r} appears twice"
                )
            sides.append((side, key, z))
        self._clear()
        for side, key, z in sides:
            self._fill_side(side, key, z)
        self._in_snapshot = False
        self.needs_snapshot = False
        self.last_sequence = sequence
        self.ts_last = ts_event
        self.update_count += 1

    cdef int _fill_side(self, int side, const int64_t[::1] key, const int64_t[::1] size) except -1:
        cdef BookSide* s = self._side_ptr(side)
        cdef Py_ssize_t n = key.shape[0]
        cdef Py_ssize_t i, start = 0
        cdef int64_t price
        if self.book_type == 1 and n > 1:
            start = n - 1
        if _side_reserve(s, n - start + _SLACK) != 0:
            raise MemoryError()
        for i in range(start, n):
            s.keys[i - start] = key[i]
            s.sizes[i - start] = size[i]
        s.n = n - start
        if (self._own_bids if side == 1 else self._own_asks) > 0:
            for i in range(start, n):
                price = key[i] if side == 1 else -key[i]
                self._own_level_change(side, price, 0, size[i])
        return 0

    def clear(self):
        """Empty the book (own orders are kept) and reset ``needs_snapshot``."""
        self._clear()
        self.needs_snapshot = False

    def update_quote(self, bid_price, bid_size, ask_price, ask_size, int64_t ts_event=0):
        """L1 book: set the top of book from a quote (decimal floats, Price/Quantity). A size of 0
        empties that side. Runs the crossed-book policy."""
        if self.book_type != 1:
            raise BookIntegrityError("update_quote is for L1 books; feed L2/L3 books deltas")
        self.update_quote_raw(
            _to_raw(bid_price, self.price_precision, "bid_price"), _to_raw(bid_size, self.size_precision, "bid_size"),
            _to_raw(ask_price, self.price_precision, "ask_price"), _to_raw(ask_size, self.size_precision, "ask_size"),
            ts_event,
        )

    def update_quote_raw(self, int64_t bid_price, int64_t bid_size, int64_t ask_price, int64_t ask_size,
                         int64_t ts_event=0):
        """``update_quote`` with raw int64 values."""
        cdef int code
        if self.book_type != 1:
            raise BookIntegrityError("update_quote is for L1 books; feed L2/L3 books deltas")
        if bid_size < 0 or ask_size < 0:
            self._err_a = bid_size if bid_size < 0 else ask_size
            self._raise_err(BOOK_ERR_NEG_SIZE, "update_quote")
        self._apply_core(2, 1, bid_price, bid_size, 0, 0)
        self._apply_core(2, 2, ask_price, ask_size, 0, 0)
        self.ts_last = ts_event
        self.update_count += 1
        code = self._after_event()
        if code != 0:
            self._raise_err(code, "update_quote")

    def update_trade(self, price, size, int64_t ts_event=0):
        """L1 book built from trades: both sides become the trade price with the trade size (no
        crossed-book check: a trade-derived top is locked by construction)."""
        if self.book_type != 1:
            raise BookIntegrityError("update_trade is for L1 books")
        cdef int64_t p = _to_raw(price, self.price_precision, "price")
        cdef int64_t q = _to_raw(size, self.size_precision, "size")
        if q < 0:
            self._err_a = q
            self._raise_err(BOOK_ERR_NEG_SIZE, "update_trade")
        self._apply_core(2, 1, p, q, 0, 0)
        self._apply_core(2, 2, p, q, 0, 0)
        self.ts_last = ts_event
        self.update_count += 1

    def fill_order(self, uint64_t order_id, size):
        """L3: a resting order was filled by ``size`` (decimal/Quantity); removes it when fully
        filled. Returns False if the order id is not in the book."""
        if self.book_type != 3:
            raise BookIntegrityError("fill_order is for L3 books")
        cdef int64_t q = _to_raw(size, self.size_precision, "size")
        cdef int32_t slot = _map_get(&self._order_map, order_id)
        if q < 0:
            self._err_a = q
            self._raise_err(BOOK_ERR_NEG_SIZE, "fill_order")
        if slot < 0:
            return False
        if q > 0:
            self._l3_reduce(slot, q)
        return True

    # --------------------------------------------------------------------------------------------
    # queries
    # --------------------------------------------------------------------------------------------

    def best_bid_price(self):
        """Best bid price (decimal float); NaN when there is no bid."""
        return <double>self._bids.keys[self._bids.n - 1] / 1e9 if self._bids.n > 0 else NAN

    def best_ask_price(self):
        """Best ask price (decimal float); NaN when there is no ask."""
        return <double>(-self._asks.keys[self._asks.n - 1]) / 1e9 if self._asks.n > 0 else NAN

    def best_bid_size(self):
        """Size at the best bid (decimal float); 0.0 when there is no bid."""
        return <double>self._bids.sizes[self._bids.n - 1] / 1e9 if self._bids.n > 0 else 0.0

    def best_ask_size(self):
        """Size at the best ask (decimal float); 0.0 when there is no ask."""
        return <double>self._asks.sizes[self._asks.n - 1] / 1e9 if self._asks.n > 0 else 0.0

    def best_bid_price_raw(self):
        """Best bid price raw (int, value * 10^9), or None when there is no bid."""
        return self._bids.keys[self._bids.n - 1] if self._bids.n > 0 else None

    def best_ask_price_raw(self):
        """Best ask price raw (int), or None when there is no ask."""
        return -self._asks.keys[self._asks.n - 1] if self._asks.n > 0 else None

    def best_bid_size_raw(self):
        """Size at the best bid raw (int); 0 when there is no bid."""
        return self._bids.sizes[self._bids.n - 1] if self._bids.n > 0 else 0

    def best_ask_size_raw(self):
        """Size at the best ask raw (int); 0 when there is no ask."""
        return self._asks.sizes[self._asks.n - 1] if self._asks.n > 0 else 0

    def spread(self):
        """Best ask - best bid (decimal float, exact raw difference); NaN if a side is empty."""
        if self._bids.n == 0 or self._asks.n == 0:
            return NAN
        return <double>(-self._asks.keys[self._asks.n - 1] - self._bids.keys[self._bids.n - 1]) / 1e9

    def mid(self):
        """(best bid + best ask) / 2 (decimal float); NaN if a side is empty."""
        if self._bids.n == 0 or self._asks.n == 0:
            return NAN
        return (<double>self._bids.keys[self._bids.n - 1] - <double>self._asks.keys[self._asks.n - 1]) / 2e9

    @property
    def bid_levels(self):
        """Number of bid price levels."""
        return self._bids.n

    @property
    def ask_levels(self):
        """Number of ask price levels."""
        return self._asks.n

    @property
    def order_count(self):
        """L3: number of resting orders (0 for L1/L2)."""
        return self._order_map.n if self.book_type == 3 else 0

    def level_count(self, side):
        """Number of price levels on ``side`` (OrderSide.BUY = bids, SELL = asks)."""
        return self._side_ptr(_parse_side(side)).n

    cdef object _levels(self, int side, Py_ssize_t n, bint raw):
        cdef BookSide* s = self._side_ptr(side)
        cdef Py_ssize_t k = n if n < s.n else s.n
        cdef Py_ssize_t i
        cdef int64_t sign = 1 if side == 1 else -1
        if k < 0:
            k = 0
        out = np.empty((k, 2), dtype=np.int64 if raw else np.float64)
        cdef int64_t[:, ::1] ro
        cdef double[:, ::1] fo
        if raw:
            ro = out
            for i in range(k):
                ro[i, 0] = sign * s.keys[s.n - 1 - i]
                ro[i, 1] = s.sizes[s.n - 1 - i]
        else:
            fo = out
            for i in range(k):
                fo[i, 0] = <double>(sign * s.keys[s.n - 1 - i]) / 1e9
                fo[i, 1] = <double>s.sizes[s.n - 1 - i] / 1e9
        return out

    def bids(self, Py_ssize_t n=10):
        """Top ``n`` bid levels, best first: float64 array of shape (k, 2) = [price, size], k <= n."""
        return self._levels(1, n, False)

    def asks(self, Py_ssize_t n=10):
        """Top ``n`` ask levels, best first: float64 array of shape (k, 2) = [price, size], k <= n."""
        return self._levels(2, n, False)

    def bids_raw(self, Py_ssize_t n=10):
        """Top ``n`` bid levels as raw int64 [price, size] rows, best first."""
        return self._levels(1, n, True)

    def asks_raw(self, Py_ssize_t n=10):
        """Top ``n`` ask levels as raw int64 [price, size] rows, best first."""
        return self._levels(2, n, True)

    cdef int64_t size_at_raw(self, int side, int64_t price) noexcept nogil:
        cdef BookSide* s = self._side_ptr(side)
        cdef int64_t key = price if side == 1 else -price
        cdef Py_ssize_t i = _lower_bound(s, key)
        if i < s.n and s.keys[i] == key:
            return s.sizes[i]
        return 0

    def size_at(self, side, price):
        """Displayed size (decimal float) at ``price`` on ``side`` (BUY = bids); 0.0 if no level."""
        return _r2f(self.size_at_raw(_parse_side(side), _to_raw(price, self.price_precision, "price")))

    cdef int64_t qty_up_to_raw(self, int order_side, int64_t limit_price) noexcept nogil:
        """Total size an aggressive order on ``order_side`` can take without passing the limit:
        a BUY takes asks priced <= limit, a SELL takes bids priced >= limit."""
        cdef BookSide* s = &self._asks if order_side == 1 else &self._bids
        cdef int64_t key = -limit_price if order_side == 1 else limit_price
        cdef Py_ssize_t i = s.n - 1
        cdef int64_t total = 0
        while i >= 0 and s.keys[i] >= key:
            total += s.sizes[i]
            i -= 1
        return total

    def cumulative_size(self, side, price):
        """Total displayed size on book ``side`` (BUY = bids) at ``price`` or better (decimal)."""
        cdef int s = _parse_side(side)
        return _r2f(self.qty_up_to_raw(3 - s, _to_raw(price, self.price_precision, "price")))

    def quantity_up_to(self, order_side, price):
        """Quantity (decimal) a marketable ``order_side`` order can fill up to limit ``price``."""
        return _r2f(self.qty_up_to_raw(_parse_side(order_side), _to_raw(price, self.price_precision, "price")))

    cdef int64_t walk_raw(self, int order_side, int64_t qty, double* avg_price,
                          int64_t* worst) noexcept nogil:
        """Walk the opposite side for ``qty`` raw. Returns the filled raw quantity (< qty when the
        book is too thin); avg_price = exact notional (__int128 of raw products) / filled as a
        decimal double (NaN if nothing filled); worst = raw price of the last level touched."""
        cdef BookSide* s = &self._asks if order_side == 1 else &self._bids
        cdef int64_t sign = -1 if order_side == 1 else 1
        cdef Py_ssize_t i = s.n - 1
        cdef int64_t left = qty
        cdef int64_t take, price
        cdef af_i128 notional = 0
        worst[0] = 0
        while i >= 0 and left > 0:
            price = sign * s.keys[i]
            take = s.sizes[i] if s.sizes[i] < left else left
            notional += <af_i128>price * <af_i128>take
            left -= take
            worst[0] = price
            i -= 1
        if qty - left == 0:
            avg_price[0] = NAN
        else:
            avg_price[0] = <double>notional / <double>(qty - left) / 1e9
        return qty - left

    def avg_fill_price(self, order_side, quantity):
        """Average price (decimal float) for a marketable ``order_side`` order of ``quantity``
        walked through the book (a BUY walks the asks). If the book holds less, the average of
        what is there; NaN on an empty side."""
        cdef double avg = NAN
        cdef int64_t worst = 0
        self.walk_raw(_parse_side(order_side), _to_raw(quantity, self.size_precision, "quantity"), &avg, &worst)
        return avg

    def worst_fill_price(self, order_side, quantity):
        """Price of the deepest level touched (decimal float) filling ``quantity``; NaN if none."""
        cdef double avg = NAN
        cdef int64_t worst = 0
        cdef int64_t filled = self.walk_raw(
            _parse_side(order_side), _to_raw(quantity, self.size_precision, "quantity"), &avg, &worst)
        return _r2f(worst) if filled > 0 else NAN

    def imbalance(self, Py_ssize_t depth=1):
        """(bid size - ask size) / (bid size + ask size) over the top ``depth`` levels; NaN if empty."""
        cdef double b = 0.0, a = 0.0
        cdef Py_ssize_t i
        for i in range(min(depth, self._bids.n)):
            b += <double>self._bids.sizes[self._bids.n - 1 - i]
        for i in range(min(depth, self._asks.n)):
            a += <double>self._asks.sizes[self._asks.n - 1 - i]
        if a + b == 0.0:
            return NAN
        return (b - a) / (b + a)

    def to_numpy(self, Py_ssize_t depth=10):
        """Snapshot of the top ``depth`` levels: structured array (bid_price, bid_size, ask_price,
        ask_size) of decimal floats, one row per level, NaN price / 0 size past a side's end."""
        out = np.zeros(depth, dtype=[("bid_price", "f8"), ("bid_size", "f8"), ("ask_price", "f8"), ("ask_size", "f8")])
        out["bid_price"] = np.nan
        out["ask_price"] = np.nan
        b = self._levels(1, depth, False)
        a = self._levels(2, depth, False)
        out["bid_price"][: len(b)] = b[:, 0]
        out["bid_size"][: len(b)] = b[:, 1]
        out["ask_price"][: len(a)] = a[:, 0]
        out["ask_size"][: len(a)] = a[:, 1]
        return out

    def pprint(self, Py_ssize_t n=5):
        """Readable text of the top ``n`` levels: asks (best at the bottom) above bids."""
        bt = {1: "L1_MBP", 2: "L2_MBP", 3: "L3_MBO"}[self.book_type]
        lines = [f"OrderBook {self.instrument_id} {bt} (bids {self._bids.n} levels, asks {self._asks.n} levels)"]
        lines.append(f"{'bid size':>16} | {'price':^16} | {'ask size':<16}")
        lines.append("-" * 54)
        pf = f"{{:.{self.price_precision}f}}"
        sf = f"{{:.{self.size_precision}f}}"
        for price, size in self._levels(2, n, True)[::-1]:
            lines.append(f"{'':>16} | {pf.format(price / 1e9):^16} | {sf.format(size / 1e9):<16}")
        for price, size in self._levels(1, n, True):
            lines.append(f"{sf.format(size / 1e9):>16} | {pf.format(price / 1e9):^16} | {'':<16}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"OrderBook({self.instrument_id}, {('L1', 'L2', 'L3')[self.book_type - 1]}, "
                f"bid={self.best_bid_price()}, ask={self.best_ask_price()}, levels={self._bids.n}/{self._asks.n})")

    def order(self, uint64_t order_id):
        """L3: ``(side, price, size)`` of a resting order (side 1 bid / 2 ask, decimal floats), or None."""
        cdef int32_t slot = _map_get(&self._order_map, order_id) if self.book_type == 3 else -1
        if slot < 0:
            return None
        cdef BookOrder* o = &self._orders[slot]
        return (int(o.side), _r2f(o.price), _r2f(o.size))

    def level_orders(self, side, price):
        """L3: order ids resting at ``price`` on ``side`` in queue (FIFO) order."""
        cdef int s = _parse_side(side)
        cdef BookSide* bs = self._side_ptr(s)
        cdef int64_t p = _to_raw(price, self.price_precision, "price")
        cdef int64_t key = p if s == 1 else -p
        cdef Py_ssize_t i = _lower_bound(bs, key)
        cdef int32_t o
        ids = []
        if self.book_type != 3 or not (i < bs.n and bs.keys[i] == key):
            return ids
        o = bs.q[i].head
        while o >= 0:
            ids.append(self._orders[o].id)
            o = self._orders[o].next
        return ids

    cdef int _integrity(self, Py_ssize_t deep, int* side_out, Py_ssize_t* level_out) noexcept nogil:
        """0 if the invariants hold, else a code (1-9) with the side and level index involved.
        L3 FIFOs are walked for the top ``deep`` levels of each side (all when deep < 0) and the id
        map is scanned only when deep < 0; level counts always sum to the number of orders."""
        cdef BookSide* s
        cdef Py_ssize_t i
        cdef int side
        cdef int32_t o, prev, cnt
        cdef int64_t total, price
        cdef size_t n_orders = 0
        cdef size_t j
        for side in range(1, 3):
            s = self._side_ptr(side)
            side_out[0] = side
            level_out[0] = 0
            if self.book_type == 1 and s.n > 1:
                return 1
            for i in range(s.n):
                level_out[0] = i
                if s.sizes[i] <= 0:
                    return 2
                if i > 0 and s.keys[i - 1] >= s.keys[i]:
                    return 3
                if self.book_type != 3:
                    continue
                n_orders += s.q[i].count
                if deep >= 0 and i < s.n - deep:
                    continue
                price = s.keys[i] if side == 1 else -s.keys[i]
                total = 0
                cnt = 0
                prev = -1
                o = s.q[i].head
                while o >= 0:
                    if self._orders[o].prev != prev:
                        return 4
                    if self._orders[o].side != side or self._orders[o].price != price:
                        return 5
                    if self._orders[o].size <= 0:
                        return 7
                    total += self._orders[o].size
                    cnt += 1
                    prev = o
                    o = self._orders[o].next
                if prev != s.q[i].tail or cnt != s.q[i].count or total != s.sizes[i]:
                    return 8
        if self.book_type == 3:
            if n_orders != self._order_map.n:
                return 9
            if deep >= 0:
                return 0
            for j in range(self._order_map.cap):   # every map entry points at its own order
                if self._order_map.keys[j] != 0:
                    o = self._order_map.vals[j]
                    if o < 0 or o >= self._orders_cap or self._orders[o].id != self._order_map.keys[j]:
                        side_out[0] = 0
                        return 6
        return 0

    def check_integrity(self, Py_ssize_t levels=-1):
        """Verify the invariants; raise BookIntegrityError describing the first violation.

        ``levels`` >= 0 limits the L3 per-order walk to the top ``levels`` levels of each side and
        skips the id-map scan (a cheap check after every event); the default checks everything.

        Each side strictly sorted with positive sizes; L1 at most one level per side; L3: every
        level's size and count equal the sum/number of its FIFO's orders, links are consistent,
        every order is in the id map and queued at the level of its own price/side, and the map
        holds no other orders. Unless crossed_policy is "keep", the book must not be crossed or
        locked (CrossedBookError).
        """
        cdef int side = 0
        cdef Py_ssize_t i = 0
        cdef int code = self._integrity(levels, &side, &i)
        cdef BookSide* s = self._side_ptr(side)
        if code != 0:
            what = {
                1: "an L1 book holds more than one level",
                2: "a level has a non-positive size",
                3: "levels are out of order",
                4: "broken FIFO link",
                5: "an order is queued at the wrong level",
                6: "the id map points at a slot holding another order",
                7: "an order has a non-positive size",
                8: "level size/count differ from the sum of its orders",
                9: f"the id map holds {self._order_map.n} orders, not the number queued at the levels",
            }[code]
            where = ""
            if code not in (6, 9) and i < s.n:
                price = (s.keys[i] if side == 1 else -s.keys[i]) / 1e9
                where = f" ({_SIDE_NAME[side]} level {price!r}, size {s.sizes[i] / 1e9!r}, count {s.q[i].count})"
            raise BookIntegrityError(f"check_integrity: {what}{where}")
        if self._crossed_policy != CROSSED_KEEP and self._bids.n and self._asks.n:
            if self._bids.keys[self._bids.n - 1] >= -self._asks.keys[self._asks.n - 1]:
                raise CrossedBookError(
                    f"crossed/locked book: best bid {self.best_bid_price()!r} >= best ask {self.best_ask_price()!r}"
                )

    def is_crossed(self):
        """True when best bid >= best ask (crossed or locked)."""
        return bool(self._bids.n and self._asks.n
                    and self._bids.keys[self._bids.n - 1] >= -self._asks.keys[self._asks.n - 1])

    # --------------------------------------------------------------------------------------------
    # own orders (queue position)
    # --------------------------------------------------------------------------------------------

    cdef void _own_level_change(self, int side, int64_t price, int64_t old_size,
                                int64_t new_size) noexcept nogil:
        """L2 queue estimate for own orders at a level whose displayed size went old -> new.

        Increases join behind own orders (ahead unchanged). A decrease first consumes the order's
        trade ``credit`` (trade volume already taken off ``ahead`` by on_trade); the rest follows
        the queue rule: pessimistic (cancels come from behind first: ahead = min(ahead, new)) or
        proportional (ahead scaled by new / (old - credit used), in double, rounded). A level that
        disappears leaves ahead = 0.
        """
        cdef Py_ssize_t j
        cdef OwnOrder* o
        cdef int64_t d, c, base
        for j in range(self._own_n):
            o = &self._own[j]
            if o.side != side or o.price != price:
                continue
            if new_size == 0:
                o.ahead = 0
                o.credit = 0
                continue
            if new_size >= old_size:
                continue
            d = old_size - new_size
            c = o.credit if o.credit < d else d
            o.credit -= c
            d -= c
            if d == 0:
                continue
            if self._queue_rule == QUEUE_PESSIMISTIC:
                if o.ahead > new_size:
                    o.ahead = new_size
            else:
                base = old_size - c
                if base > 0:
                    o.ahead = <int64_t>nearbyint(<double>o.ahead * <double>new_size / <double>base)
                if o.ahead > new_size:
                    o.ahead = new_size
            if o.ahead < 0:
                o.ahead = 0

    cdef int add_own_c(self, uint64_t order_id, int side, int64_t price, int64_t size) except -1:
        cdef OwnOrder* p
        cdef int32_t cap
        if order_id == 0:
            raise ValueError("add_own_order: order_id must be != 0")
        if side != 1 and side != 2:
            raise ValueError(f"add_own_order: invalid side {side} (1 buy/bid, 2 sell/ask)")
        if size <= 0:
            raise BookIntegrityError(f"add_own_order: size must be > 0, got raw {size} (field 'size')")
        if _map_get(&self._own_map, order_id) >= 0:
            raise BookIntegrityError(f"add_own_order: own order {order_id} is already tracked")
        if self._own_n == self._own_cap:
            cap = self._own_cap * 2 if self._own_cap else 16
            p = <OwnOrder*>realloc(self._own, cap * sizeof(OwnOrder))
            if p == NULL:
                raise MemoryError()
            self._own = p
            self._own_cap = cap
        if _map_put(&self._own_map, order_id, self._own_n) != 0:
            raise MemoryError()
        p = &self._own[self._own_n]
        p.id = order_id
        p.side = <uint8_t>side
        p.price = price
        p.size = size
        p.credit = 0
        self._stamp += 1
        p.stamp = self._stamp
        p.ahead = self.size_at_raw(side, price) if self.book_type != 3 else 0
        self._own_n += 1
        if side == 1:
            self._own_bids += 1
        else:
            self._own_asks += 1
        return 0

    cdef int remove_own_c(self, uint64_t order_id) except -1:
        cdef int32_t slot = _map_get(&self._own_map, order_id)
        cdef int32_t last = self._own_n - 1
        if slot < 0:
            return 0
        if self._own[slot].side == 1:
            self._own_bids -= 1
        else:
            self._own_asks -= 1
        _map_del(&self._own_map, order_id)
        if slot != last:
            self._own[slot] = self._own[last]
            _map_del(&self._own_map, self._own[slot].id)
            _map_put(&self._own_map, self._own[slot].id, slot)
        self._own_n -= 1
        return 1

    cdef int64_t queue_ahead_c(self, uint64_t order_id) except? -1:
        cdef int32_t slot = _map_get(&self._own_map, order_id)
        cdef OwnOrder* o
        cdef BookSide* s
        cdef int64_t key, total = 0
        cdef Py_ssize_t i
        cdef int32_t b
        if slot < 0:
            raise KeyError(f"own order {order_id} is not tracked")
        o = &self._own[slot]
        if self.book_type != 3:
            return o.ahead
        s = self._side_ptr(o.side)
        key = o.price if o.side == 1 else -o.price
        i = _lower_bound(s, key)
        if not (i < s.n and s.keys[i] == key):
            return 0
        b = s.q[i].head
        while b >= 0 and self._orders[b].stamp < o.stamp:
            total += self._orders[b].size
            b = self._orders[b].next
        return total

    cdef void on_trade_c(self, int64_t price, int64_t size, int aggressor_side) noexcept nogil:
        cdef Py_ssize_t j
        cdef OwnOrder* o
        if self.book_type == 3:
            return
        for j in range(self._own_n):
            o = &self._own[j]
            if aggressor_side == o.side:
                continue
            if (o.side == 1 and price < o.price) or (o.side == 2 and price > o.price):
                o.ahead = 0           # traded through the level: nothing is left ahead
                o.credit = 0
            elif price == o.price:
                o.ahead = o.ahead - size if o.ahead > size else 0
                o.credit += size

    def add_own_order(self, uint64_t order_id, side, int64_t price_raw, int64_t size_raw):
        """Track an own resting order (not part of the displayed book) for queue position.

        L2: the displayed size at its price when it joins is all ahead of it; on_trade at its price
        takes trade size off ``ahead``, a trade through its price zeroes it, and level decreases
        follow ``queue_rule``. L3: exact; orders queued at its level before it joined are ahead.
        """
        self.add_own_c(order_id, _parse_side(side), price_raw, size_raw)

    def remove_own_order(self, uint64_t order_id):
        """Stop tracking an own order (filled or cancelled). Returns False if it was not tracked."""
        return self.remove_own_c(order_id) == 1

    def queue_ahead(self, uint64_t order_id):
        """Raw size (int, value * 10^9) displayed ahead of own order ``order_id`` in its level's queue."""
        return self.queue_ahead_c(order_id)

    def on_trade(self, int64_t price_raw, int64_t size_raw, int aggressor_side=0):
        """A trade printed at ``price_raw`` for ``size_raw`` (raw ints); updates L2 own-order queue
        estimates on the passive side (aggressor BUY=1 hits asks, SELL=2 hits bids, 0 = both)."""
        if size_raw < 0:
            self._err_a = size_raw
            self._raise_err(BOOK_ERR_NEG_SIZE, "on_trade")
        self.on_trade_c(price_raw, size_raw, aggressor_side)

    def own_orders(self):
        """Tracked own orders as dicts (order_id, side, price_raw, size_raw, ahead_raw), in insertion
        order modulo removals."""
        cdef Py_ssize_t j
        cdef OwnOrder* o
        out = []
        for j in range(self._own_n):
            o = &self._own[j]
            out.append({"order_id": o.id, "side": int(o.side), "price_raw": o.price, "size_raw": o.size,
                        "ahead_raw": self.queue_ahead_c(o.id)})
        return out
