# LRU/TTL cache: the contract other _core modules cimport.
#
# Layout (see lru_cache.pyx for the full design notes):
# * Entries live in a preallocated array of 64-byte C nodes (capacity + 1 of them). Keys are found
#   through an open-addressing index table (linear probing, power-of-two size >= 2 * nodes) whose
#   uint64 slots hold (high 32 bits of the key hash << 32) | (node index + 1); 0 = empty,
#   0xFFFFFFFF = tombstone. The hash is stored in the node, so deletions and table rebuilds never
#   touch the key objects; a lookup touches the key (its cached hash), one table line and the node.
# * Recency is an append-only queue of (node, stamp) entries: a touch writes a fresh stamp into the
#   node and appends one entry (sequential memory, no neighbour relinking). An entry is current iff
#   its stamp equals the node's stamp; the least recently used node is the first current entry from
#   the queue head. The queue is compacted in place when full (amortized O(1) per touch).
# * TTL deadlines (int64 ns on the cache's clock) sit in a binary min-heap of (deadline, gen, node);
#   an entry is current iff its gen and deadline equal the node's gen and heap_dl. A node's current
#   entry is never later than its deadline; when it pops before the deadline (the entry was put
#   again with a later deadline) it is re-pushed with the real deadline, so overwrites cost no push.
from cpython.object cimport PyObject
from libc.stdint cimport int64_t, uint64_t


cdef struct LruNode:                 # 64 bytes
    PyObject* key                    # owned reference while live, NULL while free
    PyObject* value                  # owned reference while live, NULL while free
    Py_hash_t hash                   # hash(key)
    uint64_t stamp                   # stamp of the latest access; 0 = free
    int64_t deadline                 # expiry on the cache clock (ns); INT64_MAX = never
    uint64_t gen                     # bumped when the node is freed (invalidates its heap entries)
    int64_t heap_dl                  # deadline of the node's current heap entry; INT64_MAX = none
    Py_ssize_t slot                  # position in the index table (next free node while free)


cdef struct RecencyEntry:
    LruNode* node
    uint64_t stamp


cdef struct DeadlineEntry:
    int64_t deadline
    uint64_t gen
    LruNode* node


cdef class CacheStats:
    cdef readonly unsigned long long hits
    cdef readonly unsigned long long misses
    cdef readonly unsigned long long puts
    cdef readonly unsigned long long evictions
    cdef readonly unsigned long long expirations
    cdef readonly Py_ssize_t size
    cdef readonly Py_ssize_t capacity


cdef class LRUCache:
    cdef uint64_t* _tab                # index table (see above)
    cdef Py_ssize_t _tab_mask
    cdef Py_ssize_t _tab_used         # live + tombstone slots
    cdef LruNode* _nodes
    cdef Py_ssize_t _n_nodes          # capacity + 1 (one spare for insert-then-evict)
    cdef Py_ssize_t _n_used           # bump allocator position in _nodes
    cdef LruNode* _free
    cdef RecencyEntry* _ring
    cdef Py_ssize_t _ring_cap
    cdef Py_ssize_t _ring_head
    cdef Py_ssize_t _ring_tail
    cdef DeadlineEntry* _heap
    cdef Py_ssize_t _heap_cap
    cdef Py_ssize_t _heap_n
    cdef Py_ssize_t _capacity
    cdef Py_ssize_t _size
    cdef uint64_t _stamp
    cdef uint64_t _version            # bumped on every structural change
    cdef int64_t _ttl_ns              # default TTL in ns; 0 = none
    cdef object _clock                # None = CLOCK_MONOTONIC read in C
    cdef uint64_t _hits
    cdef uint64_t _misses
    cdef uint64_t _puts
    cdef uint64_t _evictions
    cdef uint64_t _expirations

    # --- cdef API for other _core modules (no Python call overhead) ---
    cdef int64_t now_ns(self) except? -1
    cdef object get_c(self, object key, object default)
    cdef int put_c(self, object key, object value, int64_t ttl_ns) except -1
    cdef bint contains_c(self, object key) except -1
    cdef Py_ssize_t size_c(self) except -1

    # --- internals ---
    cdef LruNode* _alloc_node(self) noexcept
    cdef void _free_node(self, LruNode* n) noexcept
    cdef LruNode* _find(self, object key, Py_hash_t h, Py_ssize_t* ins) except? NULL
    cdef void _rebuild_table(self) noexcept
    cdef LruNode* _lookup(self, object key, bint* has_now, int64_t* now) except? NULL
    cdef void _touch(self, LruNode* n) noexcept
    cdef void _compact_ring(self) noexcept
    cdef LruNode* _pop_lru(self) noexcept
    cdef int _heap_push(self, LruNode* n, int64_t deadline) except -1
    cdef int _set_deadline(self, LruNode* n, int64_t deadline) except -1
    cdef void _heap_pop(self) noexcept
    cdef void _compact_heap(self) noexcept
    cdef void _detach(self, LruNode* n, int reason) noexcept
    cdef int _remove(self, LruNode* n, int reason) except -1
    cdef int _purge(self, int64_t now) except -1
    cdef int _purge_bounded(self, int64_t now, Py_ssize_t limit) except -1
    cdef int _purge_now(self) except -1
    cdef int _drop_all(self) except -1
    cdef list _snapshot(self, int what, int64_t now)
