# Benchmark and test drivers for the message bus's C-level paths (cdef handlers, cdef publish).
from libc.stdint cimport int64_t

from alphaforge._core.msgbus cimport Handler


cdef class CountingHandler(Handler):
    cdef readonly int64_t count
    """Number of messages handled."""
    cdef readonly object last
    """The last message handled (None before the first)."""
