# Benchmark drivers for the order book (not part of the public API).
from libc.stdint cimport int64_t


cdef class NoopBook:
    cdef double _bid
    cdef double _ask
