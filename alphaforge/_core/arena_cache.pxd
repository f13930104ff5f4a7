# The arena cache's C contract: CPython's arena allocator hook, the POSIX threads it uses and the
# cache's state. The cache is process-wide; the module's Python functions (install, start_prefault,
# stop_prefault, release, stats) are its whole interface.
from libc.stdint cimport int64_t


cdef extern from "Python.h":
    ctypedef struct PyObjectArenaAllocator:
        void *ctx
        void *(*alloc)(void *ctx, size_t size) noexcept nogil
        void (*free)(void *ctx, void *ptr, size_t size) noexcept nogil
    void PyObject_GetArenaAllocator(PyObjectArenaAllocator *allocator)
    void PyObject_SetArenaAllocator(PyObjectArenaAllocator *allocator)


cdef extern from "<pthread.h>" nogil:
    ctypedef unsigned long pthread_t
    ctypedef struct pthread_mutex_t:
        pass
    ctypedef struct pthread_cond_t:
        pass
    ctypedef struct pthread_attr_t:
        pass
    int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                       void *(*start)(void *) noexcept nogil, void *arg)
    int pthread_join(pthread_t thread, void **retval)
    int pthread_mutex_init(pthread_mutex_t *m, void *attr)
    int pthread_mutex_lock(pthread_mutex_t *m)
    int pthread_mutex_unlock(pthread_mutex_t *m)
    int pthread_cond_init(pthread_cond_t *c, void *attr)
    int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
    int pthread_cond_signal(pthread_cond_t *c)
    int pthread_atfork(void (*prepare)() noexcept nogil, void (*parent)() noexcept nogil,
                       void (*child)() noexcept nogil)


cdef enum:
    MAX_SLOTS = 4096          # arenas the cache can hold (4 GiB of 1 MiB arenas)
    PAGE = 4096               # touch stride: one write per page faults every page in


cdef struct ArenaCache:
    PyObjectArenaAllocator prev   # the allocator installed before us (CPython's mmap/munmap)
    size_t arena_size             # learned from CPython's first call (1 MiB on 3.11, 64-bit)
    void **slots                  # arenas ready to hand out, touched (a stack)
    Py_ssize_t n                  # arenas in slots
    size_t cap                    # bytes of free arenas kept at most while a run goes
    size_t ahead                  # bytes of arenas the helper keeps ready while a run goes
    bint running                  # the helper thread should work
    bint thread_live
    int users                     # runs going (start_prefault calls not yet stopped)
    pthread_t thread
    pthread_mutex_t lock
    pthread_cond_t wake           # the helper waits on it for demand (or the stop)
    int64_t reused                # arenas handed out from the cache
    int64_t fresh                 # arenas asked of the previous allocator by the loop's thread
    int64_t prefaulted            # arenas the helper allocated and touched
    int64_t released              # arenas given back to the previous allocator
