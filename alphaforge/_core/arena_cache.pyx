# cython: language_level=3
"""Python small-object arenas for the backtest loop: faulted in ahead by a helper thread, kept
for reuse after they are freed.

CPython's small-object allocator (``obmalloc``) takes memory from the OS in arenas (1 MiB on
64-bit CPython 3.11) and gives an arena back (``munmap``) as soon as its last object dies. A
backtest grows its heap by about 1.2 KB per order (the orders, fills and positions a run keeps), so
100,000 orders take about 100 new arenas, and the thread that runs the loop faults in every 4 KB
page of them on first touch. On a virtual machine a first touch costs 2-13 us (the host backs the
page too; ``python scripts/bench_backtest.py --only pages``): the 26,000 faults of such a run are
15-30% of its wall time. The next run in the same process pays them again, because the previous
run's arenas went back to the OS.

This module puts an arena allocator (``PyObject_SetArenaAllocator``) in front of CPython's own. It
changes where arenas come from, never what is in them:

* **Faulted in ahead.** While a backtest runs (``start_prefault`` .. ``stop_prefault``), a helper
  thread (a POSIX thread that never takes the GIL) keeps ``ahead`` bytes of arenas allocated and
  touched, so the loop's thread takes arenas whose pages are already there. The page faults happen
  on another core.
* **Kept for reuse.** While a run goes, an arena CPython frees is kept, up to ``cap`` bytes of them
  (256 MiB by default), and handed out again before a new one is asked for; beyond ``cap`` it goes
  back to the OS at once. Between runs the cache keeps at most ``ahead`` bytes (8 MiB by default),
  ready for the next run, so the reports and whatever else runs after a backtest get the memory
  back. ``release()`` gives it all back.

Every arena comes from, and goes back to, the allocator installed before (CPython's
``mmap``/``munmap``), so arenas from before and after the install are interchangeable.

``ALPHAFORGE_ARENA_CACHE=0`` in the environment turns it off (``install`` then does nothing); the
engine gives the same results either way, it only faults its memory in on its own thread.
"""

from libc.stdlib cimport malloc


cdef ArenaCache _cache
cdef bint _installed = False


cdef void _touch(void *p, size_t size) noexcept nogil:
    cdef volatile char *c = <volatile char *>p
    cdef size_t off = 0
    while off < size:
        c[off] = 0
        off += PAGE


cdef void *_alloc(void *ctx, size_t size) noexcept nogil:
    cdef void *p = NULL
    pthread_mutex_lock(&_cache.lock)
    if _cache.arena_size == 0:
        _cache.arena_size = size
        pthread_cond_signal(&_cache.wake)      # the helper waits until it knows the size
    if size == _cache.arena_size and _cache.n > 0:
        _cache.n -= 1
        p = _cache.slots[_cache.n]
        _cache.reused += 1
        if _cache.running and <size_t>_cache.n * size < _cache.ahead:
            pthread_cond_signal(&_cache.wake)
        pthread_mutex_unlock(&_cache.lock)
        return p
    _cache.fresh += 1
    if _cache.running:
        pthread_cond_signal(&_cache.wake)
    pthread_mutex_unlock(&_cache.lock)
    return _cache.prev.alloc(_cache.prev.ctx, size)


cdef inline size_t _kept_at_most() noexcept nogil:
    """Bytes of free arenas the cache keeps: ``cap`` while a run goes, ``ahead`` between runs.
    (``users`` changes only under the GIL, which every caller holds.)"""
    return _cache.cap if _cache.users > 0 else _cache.ahead


cdef void _free(void *ctx, void *ptr, size_t size) noexcept nogil:
    pthread_mutex_lock(&_cache.lock)
    if _cache.arena_size == 0:
        _cache.arena_size = size
    if size == _cache.arena_size and _cache.n < MAX_SLOTS and (_cache.n + 1) * size <= _kept_at_most():
        _cache.slots[_cache.n] = ptr
        _cache.n += 1
        pthread_mutex_unlock(&_cache.lock)
        return
    _cache.released += 1
    pthread_mutex_unlock(&_cache.lock)
    _cache.prev.free(_cache.prev.ctx, ptr, size)


cdef void *_helper(void *arg) noexcept nogil:
    """Keep ``ahead`` touched arenas in the cache while ``running``."""
    cdef void *p
    cdef size_t size
    pthread_mutex_lock(&_cache.lock)
    while _cache.running:
        size = _cache.arena_size
        if size == 0 or <size_t>_cache.n * size >= _cache.ahead or _cache.n >= MAX_SLOTS or (_cache.n + 1) * size > _cache.cap:
            pthread_cond_wait(&_cache.wake, &_cache.lock)
            continue
        pthread_mutex_unlock(&_cache.lock)
        p = _cache.prev.alloc(_cache.prev.ctx, size)
        if p != NULL:
            _touch(p, size)
        pthread_mutex_lock(&_cache.lock)
        if p == NULL:
            break                              # out of memory: leave it to the loop's thread
        if _cache.n < MAX_SLOTS:
            _cache.slots[_cache.n] = p
            _cache.n += 1
            _cache.prefaulted += 1
        else:
            pthread_mutex_unlock(&_cache.lock)
            _cache.prev.free(_cache.prev.ctx, p, size)
            pthread_mutex_lock(&_cache.lock)
    pthread_mutex_unlock(&_cache.lock)
    return NULL


cdef void _after_fork_child() noexcept nogil:
    """In a forked child only the forking thread exists: the helper is gone and the lock may have
    been held by it. Start over with a fresh lock, no helper and no run going; the cached arenas
    stay usable."""
    pthread_mutex_init(&_cache.lock, NULL)
    pthread_cond_init(&_cache.wake, NULL)
    _cache.running = False
    _cache.thread_live = False
    _cache.users = 0


DEFAULT_CAP_MB = 256
DEFAULT_AHEAD_MB = 8


def install(cap_mb: int | None = None, ahead_mb: int | None = None) -> bool:
    """Put the arena cache in front of CPython's arena allocator; once per process (the backtest
    engine calls it when a run starts). ``cap_mb``: MiB of free arenas kept at most while a run
    goes; ``ahead_mb``: MiB the helper keeps faulted in while a run goes (0: no helper), and the
    most kept between runs. Beyond these the arenas go back to the OS at once (lowering a size
    gives the excess back now). ``None`` keeps the current size (at the first install: 256 and
    8). Returns False, and installs nothing, when the environment has
    ``ALPHAFORGE_ARENA_CACHE=0``."""
    global _installed
    import os
    if os.environ.get("ALPHAFORGE_ARENA_CACHE", "1") == "0":
        return False
    cdef long long cap = (DEFAULT_CAP_MB if not _installed else <long long>(_cache.cap >> 20)) if cap_mb is None else cap_mb
    cdef long long ahead = (DEFAULT_AHEAD_MB if not _installed else <long long>(_cache.ahead >> 20)) if ahead_mb is None else ahead_mb
    if cap < 0 or ahead < 0 or ahead > cap:
        raise ValueError(f"need 0 <= ahead_mb <= cap_mb, got cap_mb={cap} ahead_mb={ahead}")
    cdef PyObjectArenaAllocator mine
    if not _installed:
        _cache.slots = <void **>malloc(MAX_SLOTS * sizeof(void *))
        if _cache.slots == NULL:
            raise MemoryError()
        _cache.n = 0
        _cache.arena_size = 0
        _cache.running = False
        _cache.thread_live = False
        _cache.users = 0
        _cache.reused = _cache.fresh = _cache.prefaulted = _cache.released = 0
        pthread_mutex_init(&_cache.lock, NULL)
        pthread_cond_init(&_cache.wake, NULL)
        pthread_atfork(NULL, NULL, _after_fork_child)
    pthread_mutex_lock(&_cache.lock)          # the helper never takes the GIL: no deadlock
    _cache.cap = <size_t>cap << 20
    _cache.ahead = <size_t>ahead << 20
    pthread_mutex_unlock(&_cache.lock)
    if not _installed:
        PyObject_GetArenaAllocator(&_cache.prev)
        mine.ctx = NULL
        mine.alloc = _alloc
        mine.free = _free
        PyObject_SetArenaAllocator(&mine)
        _installed = True
    _trim(_kept_at_most())
    return True


cdef void _trim(size_t limit) noexcept:
    """Give cached arenas back to the previous allocator until at most ``limit`` bytes are held."""
    cdef void *p
    cdef size_t size
    with nogil:
        pthread_mutex_lock(&_cache.lock)
        size = _cache.arena_size
        while size > 0 and _cache.n > 0 and <size_t>_cache.n * size > limit:
            _cache.n -= 1
            p = _cache.slots[_cache.n]
            _cache.released += 1
            _cache.prev.free(_cache.prev.ctx, p, size)
        pthread_mutex_unlock(&_cache.lock)


def start_prefault() -> None:
    """A run starts: the cache keeps up to ``cap_mb`` of freed arenas and the helper thread keeps
    ``ahead_mb`` faulted in (no-op when not installed). Runs in several threads share one helper;
    it stops with the last ``stop_prefault``."""
    if not _installed:
        return
    _cache.users += 1
    if _cache.thread_live or _cache.ahead == 0:
        return
    _cache.running = True
    if pthread_create(&_cache.thread, NULL, _helper, NULL) != 0:
        _cache.running = False                # no thread: the loop's thread faults, as without us
        return
    _cache.thread_live = True


def stop_prefault() -> None:
    """A run ends: when no other run goes, stop the helper thread and keep at most ``ahead_mb`` of
    free arenas (the rest goes back to the OS), ready for the next run."""
    if not _installed or _cache.users == 0:
        return
    _cache.users -= 1
    if _cache.users > 0:
        return
    if _cache.thread_live:
        with nogil:
            pthread_mutex_lock(&_cache.lock)
            _cache.running = False
            pthread_cond_signal(&_cache.wake)
            pthread_mutex_unlock(&_cache.lock)
            pthread_join(_cache.thread, NULL)
        _cache.thread_live = False
    _trim(_kept_at_most())


def release() -> int:
    """Give every cached free arena back to the OS now; returns the bytes given back."""
    if not _installed:
        return 0
    cdef Py_ssize_t before = _cache.n
    _trim(0)
    return (before - _cache.n) * _cache.arena_size


def stats() -> dict:
    """Counters since the install: ``reused`` (arenas handed out from the cache), ``fresh`` (asked
    of CPython's allocator by the loop's thread), ``prefaulted`` (by the helper), ``released``
    (given back), ``cached`` (held now), ``arena_size`` (bytes), ``installed``."""
    return {"installed": _installed, "reused": _cache.reused, "fresh": _cache.fresh,
            "prefaulted": _cache.prefaulted, "released": _cache.released,
            "cached": _cache.n if _installed else 0, "arena_size": _cache.arena_size}
