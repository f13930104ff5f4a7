# Component logging with lazy formatting and a global bypass switch for backtests.
#
# A Logger checks its level with C ints before doing anything: when a level is filtered out (or
# logging is bypassed) the message string is never built. Cython components call enabled_c/log_c.
from libc.stdint cimport int64_t


cdef enum LogLevelC:
    LOG_DEBUG = 10
    LOG_INFO = 20
    LOG_WARNING = 30
    LOG_ERROR = 40
    LOG_OFF = 100


cdef class LogRecord:
    cdef readonly int64_t ts_ns
    """Record time, UNIX ns (from the logger's clock if it has one, else the wall clock)."""
    cdef readonly int level
    """LogLevel value (DEBUG=10, INFO=20, WARNING=30, ERROR=40)."""
    cdef readonly str name
    """Name of the logger (component) that produced the record."""
    cdef readonly str message
    """The formatted message text."""


cdef class Logger:
    cdef readonly str name
    """Component name shown in every record."""
    cdef int _level               # -1: follow the global default level
    cdef object _sink             # None: the global default sink
    cdef object _clock            # object with timestamp_ns(), or None

    cdef bint enabled_c(self, int level) noexcept
    cdef int log_c(self, int level, object msg, tuple args) except -1
