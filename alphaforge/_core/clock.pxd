# Clocks and timers. Time is int64 UNIX nanoseconds (UTC) everywhere.
#
# TestClock: time is set by the engine. Timers never fire on their own: the engine asks for the
# next due time (next_event_ns, O(1)) and pops due events in order (pop_next_event_c), so the
# backtest loop can merge timers with its data streams in C. Ties at the same time are broken by
# timer name (then never by insertion or hash order): deterministic.
#
# LiveClock: wall-clock UTC ns, never goes backwards; timers run on the asyncio event loop and the
# clock invokes each event's callback itself.
from cpython.object cimport PyObject
from libc.stdint cimport int64_t


cdef class TimeEvent:
    cdef readonly str name
    """Name of the timer or alert that produced the event."""
    cdef readonly int64_t ts_event
    """Scheduled fire time, UNIX ns."""
    cdef readonly int64_t ts_init
    """Time the event object was created, UNIX ns (== ts_event on a TestClock)."""
    cdef readonly object callback
    """Callable invoked as ``callback(event)`` by ``handle()``; None if the timer has none."""

    cpdef object handle(self)


cdef class _Timer:
    cdef str name
    cdef int64_t interval_ns      # 0 for a one-shot alert
    cdef int64_t next_ns          # next fire time
    cdef int64_t stop_ns          # last allowed fire time (INT64_MAX: no stop)
    cdef object callback
    cdef object handle            # asyncio.TimerHandle (LiveClock only)
    cdef bint active
    cdef bint advance(self) noexcept   # move to the next fire time; False when finished


cdef class Clock:
    cdef dict _timers             # name -> _Timer (active timers and alerts)
    cdef object _default_handler

    cpdef int64_t timestamp_ns(self) except? -1
    cpdef double timestamp(self) except? -1.0
    cpdef object next_time_ns(self, str name)
    cdef _Timer _new_timer(self, str name, int64_t interval_ns, int64_t first_ns, int64_t stop_ns,
                           object callback)
    cdef object _resolve_callback(self, object callback)
    cdef tuple _timer_args(self, object name, object interval_ns, object start_ns, object stop_ns,
                           object callback)
    cdef tuple _alert_args(self, object name, object at_ns, object callback)


# Binary min-heap entry of the TestClock, ordered by (next_ns, timer name, seq). `timer` is a borrowed
# pointer: TestClock._heap_timers (a set the garbage collector can see) owns every timer that has an
# entry. Each timer has at most one entry (rescheduled in place); the entry is stale, and skipped,
# once its timer is cancelled.
cdef struct TimerHeapEntry:
    int64_t next_ns
    int64_t seq
    PyObject* timer


cdef class TestClock(Clock):
    cdef int64_t _now_ns
    cdef TimerHeapEntry* _heap    # malloc'd binary heap; stale entries skipped lazily
    cdef set _heap_timers         # owns the timers referenced by heap entries
    cdef Py_ssize_t _heap_len
    cdef Py_ssize_t _heap_cap
    cdef int64_t _seq
    cdef int64_t _next_ns         # cached earliest pending fire time (INT64_MAX when none)

    cdef inline int64_t now_c(self) noexcept:
        return self._now_ns

    # Earliest pending fire time, UNIX ns; INT64_MAX when no timer is set. O(1).
    cdef inline int64_t next_event_ns(self) noexcept:
        return self._next_ns

    cdef int set_time_c(self, int64_t to_ns) except -1
    # Pop the earliest event with ts_event <= to_ns, reschedule its timer, and move the clock to
    # max(now, ts_event). Returns None when nothing is due by to_ns. The callback is NOT invoked.
    cdef TimeEvent pop_next_event_c(self, int64_t to_ns)
    # Move to to_ns and return every event due by then (time order, ties by name); C callers.
    cdef list advance_time_c(self, int64_t to_ns)
    cdef int _push(self, _Timer timer) except -1
    cdef int _heap_push(self, _Timer timer) except -1
    cdef int _heap_pop(self) except -1
    cdef void _sift_down(self, Py_ssize_t i) noexcept
    cdef int _heap_clear(self) except -1
    cdef int _refresh_next(self) except -1


cdef class LiveClock(Clock):
    cdef int64_t _last_ns
    cdef object _loop

    cdef int64_t now_c(self) except? -1
    cdef int _schedule(self, _Timer timer) except -1
    cdef object _get_loop(self)


cdef inline int64_t clock_now_ns(object clock) except? -1:
    """``clock.timestamp_ns()``: read in place from a TestClock (the backtest's clock, several
    reads per order), through the vtable from another Clock, else the Python call."""
    if type(clock) is TestClock:
        return (<TestClock>clock)._now_ns
    if isinstance(clock, Clock):
        return (<Clock>clock).timestamp_ns()
    return clock.timestamp_ns()
