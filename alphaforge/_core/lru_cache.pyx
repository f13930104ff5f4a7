# cython: binding=False
"""Least-recently-used cache with optional time-to-live, statistics and atomic snapshots.

Design (the hot path touches one node and one sequential queue slot)
---------------------------------------------------------------------
* Entries live in a preallocated array of ``capacity + 1`` 64-byte C nodes (key, value, hash,
  recency stamp, deadline). Keys are found through an open-addressing index table (linear
  probing, power-of-two size >= 2 x nodes) of uint64 slots ``(hash >> 32) << 32 | (node + 1)``;
  the high hash bits filter probes without touching nodes. A lookup touches the key (its cached
  hash), one table line and the node -- the same memory traffic as a ``dict`` lookup. Deletions
  leave tombstones; the table is rebuilt from the stored hashes (never touching key objects) when
  live + tombstone slots exceed 3/4, which is O(1) amortized per deletion.
* Recency is an append-only queue of ``(node, stamp)``. Touching an entry writes a new global stamp
  into the node and appends one queue slot. A queue slot is *current* iff its stamp equals its
  node's stamp, so the least recently used entry is the first current slot from the queue head
  and the most recently used the last one. When the queue is full it is compacted in place
  (current slots only, order kept); the queue holds ``2 * (capacity + 1) + 64`` slots, so
  compaction costs O(1) amortized per touch. No neighbour relinking on a hit.
* TTL: every entry with a deadline (int64 ns on the cache clock) has a current slot in a binary
  min-heap of ``(deadline, gen, node)``, due no later than the entry's deadline (``gen`` is bumped
  when a node is freed, which invalidates its slots). Putting a key again with a later deadline
  pushes nothing: when the old slot comes due the entry is re-armed with its real deadline. Expired entries are
  reclaimed (a) when an access finds them (``get``, ``in``, ``peek``, ``pop``, ``del``), (b) by
  popping up to 4 due heap slots on each ``get`` that read the clock, and (c) by popping every due
  slot on each write and before every whole-cache view (``len``, iteration, ``items``, ``stats``,
  ``save``...). Each entry is reclaimed once, at O(log n) heap cost, so the
  work is bounded and amortized; never a full scan. Stale heap slots are dropped by an in-place
  compaction when the heap (``2 * (capacity + 1) + 64`` slots) fills.
* An entry put at time ``t`` with TTL ``d`` is live while ``now < t + d``; reads do not extend it.
  An expired entry is never returned, never counts as a hit, and counts once in ``expirations``.
* Memory is fixed by ``capacity``: ``capacity + 1`` nodes (the spare lets an insert precede the
  eviction), the recency queue and the heap are allocated once (pages are committed as used).

Thread safety
-------------
Under the GIL every method is one C function that never releases the GIL, and every structural
change (index table, nodes, recency queue, heap, counters) is plain C that runs no Python code.
Python code can run only at points where the structure is consistent: (1) ``hash(key)`` and the
clock's ``timestamp_ns()`` (when injected) are called before anything is changed; (2) a key
``__eq__`` runs only while probing (nothing changed yet); the probe records a version counter and
restarts if another thread changed the table meanwhile (as CPython's dict does); (3) references to
removed/replaced keys and values (whose ``__del__`` may run) are dropped after the update is
complete; (4) lists returned by snapshots (``items()``, iteration, ``save``) are allocated before
they are filled, and the fill (no allocation) is redone if the version changed while the GC ran
during allocation. So concurrent calls from several threads never corrupt the structure, lose a
live entry or miscount: each call is atomic with respect to the others (``get_many``/``put_many``
are sequences of such calls, not one atomic step).

Free-threaded CPython (3.13t) removes the GIL guarantee: there every method would need a per-cache
critical section (``Py_BEGIN_CRITICAL_SECTION(self)``, or a ``PyMutex`` held for the whole call).
This module does not declare free-threading support, so importing it on a free-threaded build
re-enables the GIL and the guarantee above holds.

Snapshots
---------
``save(path)`` writes ``MAGIC | version u16 | flags u16 | payload length u64 | blake2b-128(payload)
| payload`` to a temp file in the same directory, fsyncs it, renames it over ``path`` with
``os.replace`` and fsyncs the directory, so readers (and concurrent writers) only ever see a
complete file. The payload is ``serializer.dumps(dict)`` (``pickle`` by default; any object with
``dumps``/``loads``) holding the capacity, default TTL and the entries from least to most recent
with each TTL stored as a wall-clock (``time.time_ns()``) deadline.
"""
import os
import pickle
import struct
import tempfile
import time
from hashlib import blake2b

cimport cython
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.object cimport Py_EQ, PyObject, PyObject_Hash, PyObject_RichCompareBool
from cpython.ref cimport Py_INCREF, Py_DECREF, Py_XDECREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.math cimport isnan, llround
from libc.stdint cimport INT64_MAX, int64_t, uint64_t
from libc.stdint cimport uint32_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memset
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec


cdef extern from "Python.h":
    ctypedef int (*visitproc_t "visitproc")(PyObject*, void*) noexcept
    ctypedef int (*traverseproc_t "traverseproc")(PyObject*, visitproc_t, void*) noexcept
    ctypedef int (*inquiry_t "inquiry")(PyObject*) noexcept
    ctypedef struct PyTypeObjectGC "PyTypeObject":
        traverseproc_t tp_traverse
        inquiry_t tp_clear
    void PyErr_Clear()


cdef enum:
    R_EVICTED = 1
    R_EXPIRED = 2
    R_REMOVED = 3

cdef int64_t NEVER = INT64_MAX
cdef uint32_t TOMB = 0xFFFFFFFF        # index-table tombstone (low 32 bits); 0 = empty

cdef object _MISSING = object()

SNAPSHOT_MAGIC = b"AFLRUSN\x01"
SNAPSHOT_VERSION = 1
_HEADER = struct.Struct("<8sHHQ16s")     # magic, version, flags, payload length, blake2b-128 digest


class CacheSnapshotError(Exception):
    """A cache snapshot file could not be read: truncated, corrupt, foreign or newer-version."""


cdef inline int _propagate() except -1:
    # Returns -1 with the pending C-level exception: the caller's error path re-raises it.
    return -1


cdef inline int64_t _mono_ns() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return <int64_t>ts.tv_sec * 1000000000 + ts.tv_nsec


# ---------------------------------------------------------------------- default clock
# CLOCK_MONOTONIC costs ~30 ns of CPU per read here (vDSO + pvclock); reading the TSC costs ~10.
# When the kernel itself uses the TSC as its clocksource (so it is invariant and synchronized
# across CPUs), the default clock interpolates CLOCK_MONOTONIC with the TSC: an anchor pair
# (TSC, CLOCK_MONOTONIC) is taken at most 2 ms apart, the scale is measured over the longest
# baseline seen (first anchor -> latest), and reads are clamped to never go backwards. The result
# stays within a few microseconds of CLOCK_MONOTONIC. Elsewhere it is CLOCK_MONOTONIC itself.
# The state is process-global and only touched with the GIL held.

cdef extern from *:
    """
    #if (defined(__x86_64__) || defined(__i386__)) && !defined(_MSC_VER)
    #include <x86intrin.h>
    static inline unsigned long long af_rdtsc(void) { return __rdtsc(); }
    #define AF_HAVE_TSC 1
    #elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    #include <intrin.h>
    static inline unsigned long long af_rdtsc(void) { return __rdtsc(); }
    #define AF_HAVE_TSC 1
    #else
    static inline unsigned long long af_rdtsc(void) { return 0; }
    #define AF_HAVE_TSC 0
    #endif
    """
    unsigned long long af_rdtsc() noexcept nogil
    int AF_HAVE_TSC


cdef bint _tsc_enabled = False
cdef unsigned long long _cal_tsc = 0      # first anchor (calibration baseline)
cdef int64_t _cal_ns = 0
cdef unsigned long long _anc_tsc = 0      # latest anchor
cdef int64_t _anc_ns = 0
cdef double _ns_per_tick = 0.0            # 0 until a >= 1 ms baseline has been measured
cdef unsigned long long _reanchor_ticks = 0
cdef int64_t _last_ns = 0


def _detect_tsc() -> bool:
    global _tsc_enabled
    if not AF_HAVE_TSC:
        return False
    try:
        with open("/sys/devices/system/clocksource/clocksource0/current_clocksource") as f:
            _tsc_enabled = f.read().strip() == "tsc"
    except OSError:
        _tsc_enabled = False
    return _tsc_enabled


_detect_tsc()


cdef int64_t _anchor() noexcept:
    global _cal_tsc, _cal_ns, _anc_tsc, _anc_ns, _ns_per_tick, _reanchor_ticks
    cdef unsigned long long t1 = af_rdtsc()
    cdef int64_t ns = _mono_ns()
    cdef unsigned long long t2 = af_rdtsc()
    cdef unsigned long long t
    if t2 >= t1 and t2 - t1 < 50000:          # a tight pair (not preempted in between)
        t = t1 + (t2 - t1) // 2
        if _cal_ns == 0 or t <= _cal_tsc:
            _cal_tsc = t
            _cal_ns = ns
        elif ns - _cal_ns >= 1000000:
            _ns_per_tick = <double>(ns - _cal_ns) / <double>(t - _cal_tsc)
            _reanchor_ticks = <unsigned long long>(2000000.0 / _ns_per_tick)
        _anc_tsc = t
        _anc_ns = ns
    return ns


cdef inline int64_t _clock_ns() noexcept:
    """The default cache clock (ns): TSC-interpolated CLOCK_MONOTONIC, never decreasing."""
    global _last_ns
    cdef int64_t ns
    cdef unsigned long long t
    if _tsc_enabled:
        t = af_rdtsc()
        if _ns_per_tick > 0.0 and t >= _anc_tsc and t - _anc_tsc < _reanchor_ticks:
            ns = _anc_ns + <int64_t>(<double>(t - _anc_tsc) * _ns_per_tick)
        else:
            ns = _anchor()
    else:
        ns = _mono_ns()
    if ns < _last_ns:
        ns = _last_ns
    _last_ns = ns
    return ns


def default_clock_ns() -> int:
    """Current time (ns) of the default cache clock (monotonic; see the module notes)."""
    return _clock_ns()


cdef int64_t _ttl_to_ns(object ttl) except? -2:
    """Seconds (float) -> ns. None -> -1 (use the default); inf -> 0 (never expires)."""
    if ttl is None:
        return -1
    cdef double s = ttl
    if isnan(s) or s <= 0.0:
        raise ValueError(f"ttl must be a positive number of seconds (or math.inf), got {ttl!r}")
    if s == float("inf"):
        return 0
    if s >= 9.2e9:
        raise ValueError(f"ttl {ttl!r} seconds does not fit in int64 nanoseconds")
    cdef int64_t ns = llround(s * 1e9)
    return ns if ns > 0 else 1


@cython.final
cdef class CacheStats:
    """Counters of an :class:`LRUCache` at one moment (``LRUCache.stats()``).

    ``hits``/``misses`` count lookups (``get``, ``[]``, ``get_many``); ``puts`` counts stored
    values (inserts and overwrites); ``evictions`` counts LRU removals at capacity;
    ``expirations`` counts entries removed because their TTL ran out; ``size`` is the number of
    live entries; ``hit_rate`` is ``hits / (hits + misses)`` (0.0 before any lookup).
    """

    def __init__(self, hits=0, misses=0, puts=0, evictions=0, expirations=0, size=0, capacity=0):
        self.hits = hits
        self.misses = misses
        self.puts = puts
        self.evictions = evictions
        self.expirations = expirations
        self.size = size
        self.capacity = capacity

    @property
    def hit_rate(self) -> float:
        """``hits / (hits + misses)``; 0.0 when there was no lookup."""
        cdef unsigned long long n = self.hits + self.misses
        return <double>self.hits / n if n else 0.0

    def as_dict(self) -> dict:
        """All counters (and ``hit_rate``) as a plain dict."""
        return {
            "hits": self.hits, "misses": self.misses, "puts": self.puts,
            "evictions": self.evictions, "expirations": self.expirations,
            "size": self.size, "capacity": self.capacity, "hit_rate": self.hit_rate,
        }

    def __eq__(self, other):
        if not isinstance(other, CacheStats):
            return NotImplemented
        return self.as_dict() == (<CacheStats>other).as_dict()

    def __hash__(self):
        return hash(tuple(self.as_dict().values()))

    def __repr__(self):
        return (
            f"CacheStats(hits={self.hits}, misses={self.misses}, puts={self.puts}, "
            f"evictions={self.evictions}, expirations={self.expirations}, size={self.size}, "
            f"capacity={self.capacity}, hit_rate={self.hit_rate:.4f})"
        )


@cython.final
cdef class LRUCache:
    """Bounded least-recently-used cache with optional TTL, statistics and snapshots.

    Parameters
    ----------
    capacity : int
        Maximum number of live entries (>= 1). Putting a new key into a full cache evicts the
        least recently used entry. Memory is fixed by the capacity.
    ttl : float, optional
        Default time-to-live in **seconds** for entries put without their own ``ttl``; None (the
        default) means entries never expire. Stored internally as int64 nanoseconds.
    clock : object, optional
        Any object with ``timestamp_ns() -> int`` (e.g. ``alphaforge.common.TestClock`` for
        deterministic tests). Default: a monotonic clock read in C (``CLOCK_MONOTONIC``,
        interpolated with the TSC when the kernel uses the TSC; see ``default_clock_ns``).

    Recency: ``get``, ``[]``, ``get_many`` hits and every ``put`` make an entry the most recent;
    ``peek``, ``in``, iteration and ``items()`` do not. Iteration runs from most to least recent
    over a snapshot taken when it starts. See the module docstring for the design, the TTL and
    thread-safety guarantees and the snapshot format.
    """

    def __cinit__(self, Py_ssize_t capacity, ttl=None, clock=None):
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        if capacity > (<Py_ssize_t>1 << 31):
            raise ValueError(f"capacity {capacity} exceeds the maximum 2**31")
        cdef int64_t ttl_ns = _ttl_to_ns(ttl)
        self._ttl_ns = ttl_ns if ttl_ns > 0 else 0
        if clock is not None and not callable(getattr(clock, "timestamp_ns", None)):
            raise TypeError(f"clock must have a timestamp_ns() method, got {type(clock).__name__}")
        self._clock = clock
        self._capacity = capacity
        self._n_nodes = capacity + 1
        cdef Py_ssize_t t = 16
        while t < 2 * self._n_nodes:
            t <<= 1
        self._tab = <uint64_t*>calloc(t, sizeof(uint64_t))
        self._tab_mask = t - 1
        self._nodes = <LruNode*>calloc(self._n_nodes, sizeof(LruNode))
        self._ring_cap = 2 * self._n_nodes + 64
        self._ring = <RecencyEntry*>malloc(self._ring_cap * sizeof(RecencyEntry))
        self._heap_cap = 2 * self._n_nodes + 64
        self._heap = <DeadlineEntry*>malloc(self._heap_cap * sizeof(DeadlineEntry))
        if self._nodes == NULL or self._ring == NULL or self._heap == NULL or self._tab == NULL:
            raise MemoryError(f"cannot allocate an LRUCache of capacity {capacity}")

    def __dealloc__(self):
        cdef Py_ssize_t i
        cdef LruNode* n
        free(self._tab)
        self._tab = NULL
        if self._nodes != NULL:
            for i in range(self._n_used):
                n = &self._nodes[i]
                if n.stamp != 0:
                    Py_XDECREF(n.key)
                    Py_XDECREF(n.value)
                    n.key = NULL
                    n.value = NULL
                    n.stamp = 0
            free(self._nodes)
            self._nodes = NULL
        free(self._ring)
        self._ring = NULL
        free(self._heap)
        self._heap = NULL

    # ------------------------------------------------------------------ properties

    @property
    def capacity(self) -> int:
        """Maximum number of live entries."""
        return self._capacity

    @property
    def ttl(self):
        """Default time-to-live in seconds (None: entries never expire by default)."""
        return self._ttl_ns / 1e9 if self._ttl_ns > 0 else None

    @property
    def clock(self):
        """The injected clock, or None for the built-in monotonic clock."""
        return self._clock

    # ------------------------------------------------------------------ internals

    cdef int64_t now_ns(self) except? -1:
        """Current time on the cache clock, int64 ns."""
        if self._clock is None:
            return _clock_ns()
        return self._clock.timestamp_ns()

    cdef LruNode* _alloc_node(self) noexcept:
        cdef LruNode* n = self._free
        if n != NULL:
            self._free = &self._nodes[n.slot] if n.slot >= 0 else NULL
            return n
        if self._n_used < self._n_nodes:
            n = &self._nodes[self._n_used]
            self._n_used += 1
            n.deadline = NEVER
            n.heap_dl = NEVER
            return n
        return NULL

    cdef void _free_node(self, LruNode* n) noexcept:
        n.slot = (self._free - self._nodes) if self._free != NULL else -1
        self._free = n

    cdef LruNode* _find(self, object key, Py_hash_t h, Py_ssize_t* ins) except? NULL:
        """Live node for ``key`` (hash ``h``) or NULL. With ``ins``, also the table position where
        the key would be inserted (first tombstone on the probe path, else the empty slot)."""
        cdef uint64_t* tab = self._tab
        cdef size_t mask = <size_t>self._tab_mask
        cdef uint32_t tag = <uint32_t>((<uint64_t>h) >> 32)
        cdef size_t i
        cdef uint64_t e
        cdef uint32_t low
        cdef Py_ssize_t first_tomb
        cdef uint64_t version
        cdef LruNode* n
        cdef int r
        cdef object stored
        while True:                                   # restarts if __eq__ let the table change
            version = self._version
            i = <size_t>h & mask
            first_tomb = -1
            while True:
                e = tab[i]
                low = <uint32_t>e
                if low == 0:
                    if ins != NULL:
                        ins[0] = first_tomb if first_tomb >= 0 else <Py_ssize_t>i
                    return NULL
                if low == TOMB:
                    if first_tomb < 0:
                        first_tomb = <Py_ssize_t>i
                elif <uint32_t>(e >> 32) == tag:
                    n = &self._nodes[low - 1]
                    if n.key == <PyObject*>key:
                        return n
                    if n.hash == h:
                        stored = <object>n.key        # own a reference while __eq__ runs
                        r = PyObject_RichCompareBool(stored, key, Py_EQ)
                        stored = None
                        if self._version != version:
                            break                     # table changed under us: probe again
                        if r:
                            return n
                i = (i + 1) & mask
            if self._version == version:
                return NULL

    cdef void _rebuild_table(self) noexcept:
        """Re-insert every live node from its stored hash (drops all tombstones)."""
        cdef uint64_t* tab = self._tab
        cdef size_t mask = <size_t>self._tab_mask
        cdef size_t i
        cdef Py_ssize_t k
        cdef LruNode* n
        memset(tab, 0, (mask + 1) * sizeof(uint64_t))
        for k in range(self._n_used):
            n = &self._nodes[k]
            if n.stamp == 0:
                continue
            i = <size_t>n.hash & mask
            while tab[i] != 0:
                i = (i + 1) & mask
            tab[i] = ((<uint64_t>n.hash >> 32) << 32) | <uint64_t>(k + 1)
            n.slot = <Py_ssize_t>i
        self._tab_used = self._size
        self._version += 1

    cdef void _touch(self, LruNode* n) noexcept:
        cdef RecencyEntry* e
        self._stamp += 1
        n.stamp = self._stamp
        if self._ring_tail == self._ring_cap:
            self._compact_ring()
        e = &self._ring[self._ring_tail]
        e.node = n
        e.stamp = self._stamp
        self._ring_tail += 1

    cdef void _compact_ring(self) noexcept:
        cdef Py_ssize_t r, w = 0
        cdef RecencyEntry* ring = self._ring
        for r in range(self._ring_head, self._ring_tail):
            if ring[r].node.stamp == ring[r].stamp:
                ring[w] = ring[r]
                w += 1
        self._ring_head = 0
        self._ring_tail = w

    cdef LruNode* _pop_lru(self) noexcept:
        # First current queue slot from the head = least recently used live entry (consumed).
        cdef RecencyEntry* e
        while self._ring_head < self._ring_tail:
            e = &self._ring[self._ring_head]
            self._ring_head += 1
            if e.node.stamp == e.stamp:
                return e.node
        return NULL

    cdef int _set_deadline(self, LruNode* n, int64_t deadline) except -1:
        """Set the node's deadline; push a heap entry only when no current entry is due earlier."""
        n.deadline = deadline
        if deadline != NEVER and deadline < n.heap_dl:     # heap_dl == NEVER: no entry yet
            self._heap_push(n, deadline)
        return 0

    cdef int _heap_push(self, LruNode* n, int64_t deadline) except -1:
        cdef Py_ssize_t i, parent
        cdef DeadlineEntry* h
        if self._heap_n == self._heap_cap:
            self._compact_heap()
            if self._heap_n == self._heap_cap:     # cannot happen: current slots <= nodes
                raise RuntimeError("LRUCache deadline heap overflow")
        h = self._heap
        i = self._heap_n
        self._heap_n += 1
        while i > 0:
            parent = (i - 1) >> 1
            if h[parent].deadline <= deadline:
                break
            h[i] = h[parent]
            i = parent
        h[i].deadline = deadline
        h[i].gen = n.gen
        h[i].node = n
        n.heap_dl = deadline
        return 0

    cdef void _heap_pop(self) noexcept:
        cdef DeadlineEntry* h = self._heap
        cdef Py_ssize_t n, i = 0, c
        cdef DeadlineEntry last
        self._heap_n -= 1
        n = self._heap_n
        if n == 0:
            return
        last = h[n]
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and h[c + 1].deadline < h[c].deadline:
                c += 1
            if last.deadline <= h[c].deadline:
                break
            h[i] = h[c]
            i = c
        h[i] = last

    cdef void _compact_heap(self) noexcept:
        cdef DeadlineEntry* h = self._heap
        cdef Py_ssize_t r, w = 0, i, c, n
        cdef DeadlineEntry x
        for r in range(self._heap_n):
            if h[r].node.gen == h[r].gen and h[r].node.heap_dl == h[r].deadline:
                h[w] = h[r]
                w += 1
        self._heap_n = w
        n = w
        r = n // 2 - 1
        while r >= 0:                            # heapify (sift down from each inner slot)
            x = h[r]
            i = r
            while True:
                c = 2 * i + 1
                if c >= n:
                    break
                if c + 1 < n and h[c + 1].deadline < h[c].deadline:
                    c += 1
                if x.deadline <= h[c].deadline:
                    break
                h[i] = h[c]
                i = c
            h[i] = x
            r -= 1

    cdef void _detach(self, LruNode* n, int reason) noexcept:
        """Unlink live node ``n`` from the table, counters and free list (pure C). The caller owns
        the key/value references it read from the node beforehand and drops them afterwards."""
        cdef uint64_t* tab = self._tab
        cdef size_t mask = <size_t>self._tab_mask
        cdef size_t s = <size_t>n.slot
        if tab[(s + 1) & mask] == 0:              # end of a probe run: the slot can be empty
            tab[s] = 0
            self._tab_used -= 1
        else:
            tab[s] = TOMB
        n.stamp = 0
        n.gen += 1
        n.deadline = NEVER
        n.heap_dl = NEVER
        n.key = NULL
        n.value = NULL
        self._size -= 1
        self._version += 1
        if reason == R_EVICTED:
            self._evictions += 1
        elif reason == R_EXPIRED:
            self._expirations += 1
        self._free_node(n)

    cdef int _remove(self, LruNode* n, int reason) except -1:
        """Remove live node ``n``: structure first, references (``__del__``) last."""
        cdef PyObject* key = n.key
        cdef PyObject* value = n.value
        self._detach(n, reason)
        Py_DECREF(<object>key)
        Py_DECREF(<object>value)
        return 0

    cdef int _purge(self, int64_t now) except -1:
        return self._purge_bounded(now, -1)

    cdef int _purge_bounded(self, int64_t now, Py_ssize_t limit) except -1:
        """Pop due heap entries (at most ``limit`` when ``limit`` >= 0), reclaiming expired ones."""
        cdef DeadlineEntry top
        cdef LruNode* n
        while self._heap_n > 0 and self._heap[0].deadline <= now and limit != 0:
            limit -= 1
            top = self._heap[0]
            self._heap_pop()
            n = top.node
            if n.gen != top.gen or n.heap_dl != top.deadline:
                continue                                  # stale entry
            n.heap_dl = NEVER
            if n.deadline <= now:
                self._remove(n, R_EXPIRED)
            elif n.deadline != NEVER:
                self._heap_push(n, n.deadline)            # put again later: re-arm
        return 0

    cdef int _purge_now(self) except -1:
        if self._heap_n > 0:
            self._purge(self.now_ns())
        return 0

    cdef LruNode* _lookup(self, object key, bint* has_now, int64_t* now) except? NULL:
        """Live node for ``key`` or NULL; an expired node found here is reclaimed (NULL)."""
        cdef LruNode* n
        cdef Py_hash_t h
        if self._heap_n > 0 and self._clock is not None:
            now[0] = self._clock.timestamp_ns()          # Python code: before touching anything
            has_now[0] = True
        h = PyObject_Hash(key)
        n = self._find(key, h, NULL)
        if n == NULL:
            return NULL
        if n.deadline != NEVER:
            if not has_now[0]:
                now[0] = _clock_ns()
                has_now[0] = True
            if now[0] >= n.deadline:
                self._remove(n, R_EXPIRED)
                return NULL
        return n

    cdef int _drop_all(self) except -1:
        """Remove every entry without counting it (clear / GC clear)."""
        cdef Py_ssize_t i, k = 0, total
        cdef LruNode* n
        cdef list keep
        cdef uint64_t version
        while True:
            version = self._version
            total = 2 * self._size
            keep = PyList_New(total)                 # allocation first (may run the GC)
            if version == self._version and total == 2 * self._size:
                break
        for i in range(self._n_used):
            n = &self._nodes[i]
            if n.stamp != 0:
                PyList_SET_ITEM(keep, k, <object>n.key)      # transfer the owned references
                PyList_SET_ITEM(keep, k + 1, <object>n.value)
                k += 2
            n.key = NULL
            n.value = NULL
            n.stamp = 0
            n.gen += 1
            n.deadline = NEVER
            n.heap_dl = NEVER
            n.slot = -1
        memset(self._tab, 0, (self._tab_mask + 1) * sizeof(uint64_t))
        self._tab_used = 0
        self._n_used = 0
        self._free = NULL
        self._ring_head = 0
        self._ring_tail = 0
        self._heap_n = 0
        self._size = 0
        self._version += 1
        del keep                                      # references dropped last
        return 0

    cdef list _snapshot(self, int what, int64_t now):
        """Live entries, most recent first. what: 0 keys, 1 values, 2 (key, value),
        3 (key, value, remaining ns or -1)."""
        cdef Py_ssize_t n, i, j
        cdef list out
        cdef object t
        cdef object rem
        cdef uint64_t version
        cdef LruNode* node
        cdef RecencyEntry* e
        while True:
            version = self._version
            n = self._size
            out = PyList_New(n)
            if what >= 2:
                for i in range(n):
                    t = PyTuple_New(2 if what == 2 else 3)
                    Py_INCREF(t)
                    PyList_SET_ITEM(out, i, t)
            if version == self._version and n == self._size:
                break
        # Fill without allocating (no Python code can run from here on).
        i = 0
        j = self._ring_tail - 1
        while j >= self._ring_head and i < n:
            e = &self._ring[j]
            j -= 1
            node = e.node
            if node.stamp != e.stamp:
                continue
            if what == 0:
                Py_INCREF(<object>node.key)
                PyList_SET_ITEM(out, i, <object>node.key)
            elif what == 1:
                Py_INCREF(<object>node.value)
                PyList_SET_ITEM(out, i, <object>node.value)
            else:
                t = out[i]
                Py_INCREF(<object>node.key)
                PyTuple_SET_ITEM(t, 0, <object>node.key)
                Py_INCREF(<object>node.value)
                PyTuple_SET_ITEM(t, 1, <object>node.value)
                if what == 3:
                    rem = (node.deadline - now) if node.deadline != NEVER else -1
                    Py_INCREF(rem)
                    PyTuple_SET_ITEM(t, 2, rem)
            i += 1
        if i != n:
            raise RuntimeError(f"LRUCache internal error: {i} live entries found, size is {n}")
        return out

    # ------------------------------------------------------------------ cdef API

    cdef object get_c(self, object key, object default):
        """Value for ``key`` (counted as hit, made most recent) or ``default`` (a miss)."""
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n = self._lookup(key, &has_now, &now)
        if n == NULL:
            self._misses += 1
            if has_now and self._heap_n > 0 and self._heap[0].deadline <= now:
                self._purge_bounded(now, 4)
            return default
        self._hits += 1
        self._touch(n)
        value = <object>n.value
        if has_now and self._heap_n > 0 and self._heap[0].deadline <= now:
            self._purge_bounded(now, 4)
        return value

    cdef int put_c(self, object key, object value, int64_t ttl_ns) except -1:
        """Store ``value`` under ``key`` as the most recent entry.

        ``ttl_ns``: -1 = the cache's default TTL, 0 = never expires, > 0 = TTL in ns.
        """
        cdef int64_t now = 0
        cdef int64_t ttl = self._ttl_ns if ttl_ns < 0 else ttl_ns
        cdef LruNode* n
        cdef LruNode* victim
        cdef PyObject* old
        cdef PyObject* vkey
        cdef PyObject* vval
        cdef Py_ssize_t ins = 0
        cdef Py_hash_t h
        cdef uint64_t* tab
        # Everything that may run Python code happens first: clock, purge (drops references),
        # hash, and the probe (which restarts if __eq__ let the table change).
        if ttl > 0 or self._heap_n > 0:
            now = self.now_ns()
            if self._heap_n > 0 and self._heap[0].deadline <= now:
                self._purge(now)
        h = PyObject_Hash(key)
        n = self._find(key, h, &ins)
        # From here on: plain C until the old references are dropped at the end.
        if n != NULL:
            old = n.value
            Py_INCREF(value)
            n.value = <PyObject*>value
            self._touch(n)
            self._puts += 1
            self._version += 1
            self._set_deadline(n, (now + ttl if now <= NEVER - ttl else NEVER) if ttl > 0 else NEVER)
            Py_DECREF(<object>old)
            return 0
        n = self._alloc_node()
        if n == NULL:                         # impossible: size <= capacity < nodes on entry
            raise RuntimeError("LRUCache internal error: no free node")
        Py_INCREF(key)
        Py_INCREF(value)
        n.key = <PyObject*>key
        n.value = <PyObject*>value
        n.hash = h
        n.slot = ins
        tab = self._tab
        if tab[ins] == 0:
            self._tab_used += 1
        tab[ins] = ((<uint64_t>h >> 32) << 32) | <uint64_t>((n - self._nodes) + 1)
        self._touch(n)
        self._size += 1
        self._puts += 1
        self._version += 1
        self._set_deadline(n, (now + ttl if now <= NEVER - ttl else NEVER) if ttl > 0 else NEVER)
        victim = NULL
        if self._size > self._capacity:
            victim = self._pop_lru()
            if victim != NULL:
                vkey = victim.key
                vval = victim.value
                self._detach(victim, R_EVICTED)
        if self._tab_used * 4 > (self._tab_mask + 1) * 3:
            self._rebuild_table()
        if victim != NULL:
            Py_DECREF(<object>vkey)
            Py_DECREF(<object>vval)
        return 0

    cdef bint contains_c(self, object key) except -1:
        """True iff ``key`` has a live entry (no recency or statistics change)."""
        cdef bint has_now = False
        cdef int64_t now = 0
        return self._lookup(key, &has_now, &now) != NULL

    cdef Py_ssize_t size_c(self) except -1:
        """Number of live entries (reclaims due entries first)."""
        self._purge_now()
        return self._size

    # ------------------------------------------------------------------ mapping API

    def get(self, key, default=None):
        """Value for ``key`` (a hit; the entry becomes the most recent) or ``default`` (a miss)."""
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n
        if self._heap_n == 0:                    # no deadline anywhere: pure LRU fast path
            n = self._find(key, PyObject_Hash(key), NULL)
            if n != NULL:
                self._hits += 1
                self._touch(n)
                return <object>n.value
            self._misses += 1
            return default
        n = self._lookup(key, &has_now, &now)
        if n == NULL:
            self._misses += 1
            if has_now and self._heap_n > 0 and self._heap[0].deadline <= now:
                self._purge_bounded(now, 4)
            return default
        self._hits += 1
        self._touch(n)
        value = <object>n.value
        if has_now and self._heap_n > 0 and self._heap[0].deadline <= now:
            self._purge_bounded(now, 4)               # reads reclaim expired entries too
        return value

    def __getitem__(self, key):
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n = self._lookup(key, &has_now, &now)
        if n == NULL:
            self._misses += 1
            raise KeyError(key)
        self._hits += 1
        self._touch(n)
        return <object>n.value

    def put(self, key, value, ttl=None):
        """Store ``value`` under ``key`` (most recent). ``ttl`` in seconds overrides the default
        TTL for this entry (``math.inf``: never expires). Evicts the LRU entry when full."""
        self.put_c(key, value, -1 if ttl is None else _ttl_to_ns(ttl))

    def __setitem__(self, key, value):
        self.put_c(key, value, -1)

    def __delitem__(self, key):
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n = self._lookup(key, &has_now, &now)
        if n == NULL:
            raise KeyError(key)
        self._remove(n, R_REMOVED)

    def pop(self, key, default=_MISSING):
        """Remove ``key`` and return its value; ``default`` (or KeyError) when absent/expired.
        Not counted as a hit or miss."""
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n = self._lookup(key, &has_now, &now)
        if n == NULL:
            if default is _MISSING:
                raise KeyError(key)
            return default
        value = <object>n.value
        self._remove(n, R_REMOVED)
        return value

    def peek(self, key, default=None):
        """Value for ``key`` without changing recency or hit/miss counters."""
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n = self._lookup(key, &has_now, &now)
        if n == NULL:
            return default
        return <object>n.value

    def __contains__(self, key):
        cdef bint has_now = False
        cdef int64_t now = 0
        return self._lookup(key, &has_now, &now) != NULL

    def __len__(self):
        self._purge_now()
        return self._size

    def __bool__(self):
        self._purge_now()
        return self._size > 0

    def __iter__(self):
        """Keys from most to least recent (a snapshot taken now)."""
        self._purge_now()
        return iter(self._snapshot(0, 0))

    def keys(self) -> list:
        """Keys, most recent first."""
        self._purge_now()
        return self._snapshot(0, 0)

    def values(self) -> list:
        """Values, most recent first."""
        self._purge_now()
        return self._snapshot(1, 0)

    def items(self) -> list:
        """``(key, value)`` pairs, most recent first."""
        self._purge_now()
        return self._snapshot(2, 0)

    def ttl_remaining(self, key):
        """Seconds until ``key`` expires; None if it never expires; KeyError if absent."""
        cdef bint has_now = False
        cdef int64_t now = 0
        cdef LruNode* n = self._lookup(key, &has_now, &now)
        if n == NULL:
            raise KeyError(key)
        cdef int64_t deadline = n.deadline
        if deadline == NEVER:
            return None
        if not has_now:
            now = self.now_ns()
        return (deadline - now) / 1e9

    def clear(self):
        """Remove every entry (not counted as evictions or expirations; expired entries that
        were still held are counted as expirations first). Statistics are kept."""
        self._purge_now()
        self._drop_all()

    def expire(self):
        """Reclaim every expired entry now; returns how many were removed."""
        cdef uint64_t before = self._expirations
        self._purge_now()
        return self._expirations - before

    def get_many(self, keys, default=None) -> list:
        """``[self.get(k, default) for k in keys]`` in one call (each lookup counted)."""
        cdef list out = []
        for key in keys:
            out.append(self.get_c(key, default))
        return out

    def put_many(self, items, ttl=None):
        """Put every ``(key, value)`` of ``items`` (a mapping or an iterable of pairs) in order."""
        cdef int64_t ttl_ns = -1 if ttl is None else _ttl_to_ns(ttl)
        if hasattr(items, "items"):
            items = items.items()
        for key, value in items:
            self.put_c(key, value, ttl_ns)

    def stats(self) -> CacheStats:
        """Current :class:`CacheStats` (after reclaiming due entries)."""
        self._purge_now()
        cdef CacheStats s = CacheStats.__new__(CacheStats)
        s.hits = self._hits
        s.misses = self._misses
        s.puts = self._puts
        s.evictions = self._evictions
        s.expirations = self._expirations
        s.size = self._size
        s.capacity = self._capacity
        return s

    def reset_stats(self):
        """Zero hits, misses, puts, evictions and expirations (entries are kept)."""
        self._hits = 0
        self._misses = 0
        self._puts = 0
        self._evictions = 0
        self._expirations = 0

    def __repr__(self):
        return f"LRUCache(capacity={self._capacity}, size={self._size}, ttl={self.ttl})"

    # ------------------------------------------------------------------ snapshots

    def save(self, path, serializer=None):
        """Write a snapshot atomically to ``path`` (see the module docstring for the format).

        Entries are stored from least to most recent; each TTL as a wall-clock deadline
        (``time.time_ns()`` ns). ``serializer``: object with ``dumps``/``loads`` (pickle default).
        """
        ser = pickle if serializer is None else serializer
        cdef int64_t now = self.now_ns()
        self._purge(now)
        entries = self._snapshot(3, now)
        wall = time.time_ns()
        entries.reverse()
        records = [(k, v, (wall + rem) if rem >= 0 else None) for k, v, rem in entries]
        payload = ser.dumps({
            "capacity": self._capacity,
            "ttl_ns": self._ttl_ns,
            "entries": records,
        })
        payload = bytes(payload)
        digest = blake2b(payload, digest_size=16).digest()
        header = _HEADER.pack(SNAPSHOT_MAGIC, SNAPSHOT_VERSION, 0, len(payload), digest)
        path = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header)
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        try:
            dfd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)

    @classmethod
    def load(cls, path, clock=None, serializer=None, capacity=None, ttl=_MISSING):
        """Return a new cache restored from the snapshot at ``path``.

        Restores entries, recency order and remaining TTLs (entries whose wall-clock deadline
        has passed are dropped). ``capacity``/``ttl`` default to the saved ones. Statistics start
        at zero. Raises :class:`CacheSnapshotError` naming the file and the problem for a
        truncated, corrupt, foreign or newer-version file; nothing else is modified.
        """
        ser = pickle if serializer is None else serializer
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise CacheSnapshotError(f"{path}: cannot read snapshot: {exc}") from exc
        if len(data) < _HEADER.size:
            if not SNAPSHOT_MAGIC.startswith(data[:len(SNAPSHOT_MAGIC)]):
                raise CacheSnapshotError(f"{path}: not an LRUCache snapshot (bad magic {data[:8]!r})")
            raise CacheSnapshotError(
                f"{path}: truncated header ({len(data)} bytes, need {_HEADER.size})"
            )
        magic, version, _flags, length, digest = _HEADER.unpack_from(data, 0)
        if magic != SNAPSHOT_MAGIC:
            raise CacheSnapshotError(f"{path}: not an LRUCache snapshot (bad magic {magic!r})")
        if version > SNAPSHOT_VERSION:
            raise CacheSnapshotError(
                f"{path}: snapshot format version {version} is newer than the supported "
                f"version {SNAPSHOT_VERSION}"
            )
        if version < 1:
            raise CacheSnapshotError(f"{path}: corrupt header (format version {version})")
        payload = data[_HEADER.size:]
        if len(payload) < length:
            raise CacheSnapshotError(
                f"{path}: truncated payload ({len(payload)} of {length} bytes)"
            )
        if len(payload) > length:
            raise CacheSnapshotError(
                f"{path}: corrupt file ({len(payload) - length} unexpected trailing bytes)"
            )
        if blake2b(payload, digest_size=16).digest() != digest:
            raise CacheSnapshotError(f"{path}: checksum mismatch (corrupt payload)")
        try:
            state = ser.loads(payload)
            saved_capacity = int(state["capacity"])
            saved_ttl_ns = int(state["ttl_ns"])
            records = list(state["entries"])
        except Exception as exc:
            raise CacheSnapshotError(f"{path}: cannot decode payload: {exc!r}") from exc
        cap = saved_capacity if capacity is None else capacity
        if ttl is _MISSING:
            ttl = saved_ttl_ns / 1e9 if saved_ttl_ns > 0 else None
        cdef LRUCache cache = cls(cap, ttl=ttl, clock=clock)
        wall = time.time_ns()
        try:
            for rec in records:
                key, value, deadline = rec
                if deadline is None:
                    cache.put_c(key, value, 0)
                elif deadline > wall:
                    cache.put_c(key, value, deadline - wall)
        except (TypeError, ValueError) as exc:
            raise CacheSnapshotError(f"{path}: malformed entry: {exc!r}") from exc
        cache.reset_stats()
        return cache

    def __reduce__(self):
        raise TypeError("LRUCache is not picklable; use save()/LRUCache.load()")


# ---------------------------------------------------------------------- GC support
# The node array holds owned references the generated tp_traverse cannot see: wrap the generated
# slots so the cyclic GC sees (traverse) and can break (clear) cycles through keys and values.

cdef traverseproc_t _base_traverse = (<PyTypeObjectGC*>LRUCache).tp_traverse


cdef int _lru_traverse(PyObject* o, visitproc_t visit, void* arg) noexcept:
    cdef int r
    cdef Py_ssize_t i
    cdef LruNode* n
    cdef LruNode* nodes = (<LRUCache>o)._nodes
    cdef Py_ssize_t n_used = (<LRUCache>o)._n_used
    if _base_traverse != NULL:
        r = _base_traverse(o, visit, arg)
        if r:
            return r
    if nodes == NULL:
        return 0
    for i in range(n_used):
        n = &nodes[i]
        if n.stamp != 0:
            if n.key != NULL:
                r = visit(n.key, arg)
                if r:
                    return r
            if n.value != NULL:
                r = visit(n.value, arg)
                if r:
                    return r
    return 0


cdef int _lru_clear(PyObject* o) noexcept:
    # Drop every entry and the clock (breaks cycles through keys, values and the clock).
    try:
        (<LRUCache>o)._drop_all()
        (<LRUCache>o)._clock = None
    except BaseException:
        PyErr_Clear()
    return 0


(<PyTypeObjectGC*>LRUCache).tp_traverse = _lru_traverse
(<PyTypeObjectGC*>LRUCache).tp_clear = _lru_clear
