"""Clocks and timers: ``TestClock`` (engine-driven time) and ``LiveClock`` (UTC wall clock + asyncio).

All times are int64 UNIX nanoseconds (UTC).

Timer rules (both clocks):

* ``set_timer(name, interval_ns, start_ns=None, stop_ns=None, callback=None)`` fires at
  ``start_ns + k * interval_ns`` for k = 1, 2, ... while the fire time is <= ``stop_ns``
  (``start_ns`` defaults to now, ``stop_ns`` to never). If ``start_ns`` lies in the past, fire times
  already in the past are skipped: the first fire is the first grid point >= now. A timer whose
  next fire would pass ``stop_ns`` is removed after its last event.
* ``set_time_alert(name, at_ns, callback=None)`` fires once at ``at_ns`` (>= now) and is removed.
* Names are unique among the active timers and alerts (a duplicate raises ``ValueError``); once a
  timer has finished or was cancelled, its name can be used again.
* An event's callback is the timer's ``callback``, else the clock's default handler
  (``register_default_handler``), else None.

Who invokes callbacks:

* ``TestClock`` never calls callbacks. ``advance_time(to_ns)`` (or ``pop_next_event``) returns the
  due ``TimeEvent`` objects in time order, ties broken by timer name; the engine calls
  ``event.handle()`` (which runs ``callback(event)``) after setting the clock to ``event.ts_event``.
* ``LiveClock`` calls ``event.handle()`` itself from the asyncio event loop at the fire time.
"""
import asyncio
import time
from datetime import datetime, timezone

cimport cython
from cpython.object cimport PyObject
from libc.stdint cimport INT64_MAX, int64_t
from libc.stdlib cimport free, realloc


cdef extern from "Python.h":
    int PyUnicode_Compare(PyObject* left, PyObject* right) noexcept   # names are always str here

_UTC = timezone.utc


@cython.freelist(64)
cdef class TimeEvent:
    """A timer or alert firing: ``name``, ``ts_event`` (scheduled time, ns), ``ts_init`` (ns), ``callback``.

    ``handle()`` runs ``callback(self)`` (does nothing when ``callback`` is None) and returns its result.
    """

    def __init__(self, str name, int64_t ts_event, int64_t ts_init, object callback=None):
        if callback is not None and not callable(callback):
            raise TypeError(f"invalid TimeEvent callback {callback!r}: not callable")
        self.name = name
        self.ts_event = ts_event
        self.ts_init = ts_init
        self.callback = callback

    cpdef object handle(self):
        """Invoke ``callback(self)``; returns the callback's result (None without a callback)."""
        if self.callback is None:
            return None
        return self.callback(self)

    def __eq__(self, other):
        if not isinstance(other, TimeEvent):
            return NotImplemented
        cdef TimeEvent o = <TimeEvent>other
        return self.name == o.name and self.ts_event == o.ts_event and self.ts_init == o.ts_init

    def __hash__(self):
        return hash((self.name, self.ts_event, self.ts_init))

    def __repr__(self):
        return f"TimeEvent(name={self.name!r}, ts_event={self.ts_event}, ts_init={self.ts_init})"


cdef class _Timer:
    """Internal timer state (one per active timer or alert)."""

    cdef bint advance(self) noexcept:
        if self.interval_ns == 0:
            return False
        if self.next_ns > self.stop_ns - self.interval_ns:    # overflow-safe next > stop
            return False
        self.next_ns += self.interval_ns
        return True


cdef inline int64_t _check_ns(object value, str field) except? -1:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"invalid {field} {value!r}: must be an int of UNIX nanoseconds")
    if value < 0 or value > INT64_MAX:
        raise ValueError(f"invalid {field} {value!r}: must be in [0, 2**63 - 1] ns")
    return <int64_t>value


cdef inline str _check_name(object name):
    if not isinstance(name, str) or not name:
        raise ValueError(f"invalid timer name {name!r}: must be a non-empty str")
    return <str>name


cdef inline bint _entry_less(TimerHeapEntry* a, TimerHeapEntry* b) noexcept:
    if a.next_ns != b.next_ns:
        return a.next_ns < b.next_ns
    cdef int c = PyUnicode_Compare(<PyObject*>(<_Timer>a.timer).name, <PyObject*>(<_Timer>b.timer).name)
    if c != 0:
        return c < 0
    return a.seq < b.seq


cdef class Clock:
    """Base class of ``TestClock`` and ``LiveClock`` (not instantiated directly)."""

    def __cinit__(self, *args, **kwargs):
        self._timers = {}
        self._default_handler = None

    def __init__(self, *args, **kwargs):
        if type(self) is Clock:
            raise TypeError("Clock is abstract: use TestClock or LiveClock")

    cpdef int64_t timestamp_ns(self) except? -1:
        """Current time, UNIX ns (int)."""
        raise NotImplementedError("Clock is abstract: use TestClock or LiveClock")

    cpdef double timestamp(self) except? -1.0:
        """Current time, UNIX seconds (float)."""
        return <double>self.timestamp_ns() / 1e9

    def timestamp_ms(self) -> int:
        """Current time, UNIX milliseconds (int, truncated)."""
        return self.timestamp_ns() // 1_000_000

    def utc_now(self) -> datetime:
        """Current time as a timezone-aware UTC ``datetime`` (microsecond resolution)."""
        cdef int64_t ns = self.timestamp_ns()
        return datetime.fromtimestamp(ns // 1000 / 1e6, tz=_UTC)

    def register_default_handler(self, handler) -> None:
        """Set the callback used by timers created without one (``handler(event)``)."""
        if not callable(handler):
            raise TypeError(f"invalid default handler {handler!r}: not callable")
        self._default_handler = handler

    @property
    def timer_names(self) -> list:
        """Names of the active timers and alerts, sorted."""
        return sorted(self._timers)

    @property
    def timer_count(self) -> int:
        """Number of active timers and alerts."""
        return len(self._timers)

    cpdef object next_time_ns(self, str name):
        """Next fire time (UNIX ns) of the active timer ``name``; ``KeyError`` if there is none."""
        cdef _Timer t = self._timers.get(name)
        if t is None:
            raise KeyError(f"no active timer named {name!r}")
        return t.next_ns

    cdef object _resolve_callback(self, object callback):
        if callback is None:
            return None
        if not callable(callback):
            raise TypeError(f"invalid callback {callback!r}: not callable")
        return callback

    cdef _Timer _new_timer(self, str name, int64_t interval_ns, int64_t first_ns, int64_t stop_ns,
                           object callback):
        if name in self._timers:
            raise ValueError(f"invalid timer name {name!r}: a timer with this name is already active")
        cdef _Timer t = _Timer.__new__(_Timer)
        t.name = name
        t.interval_ns = interval_ns
        t.next_ns = first_ns
        t.stop_ns = stop_ns
        t.callback = callback
        t.handle = None
        t.active = True
        return t

    cdef tuple _timer_args(self, object name, object interval_ns, object start_ns, object stop_ns,
                           object callback):
        cdef str n = _check_name(name)
        cdef int64_t now = self.timestamp_ns()
        cdef int64_t interval = _check_ns(interval_ns, "interval_ns")
        if interval <= 0:
            raise ValueError(f"invalid interval_ns {interval_ns!r}: must be > 0")
        cdef int64_t start = now if start_ns is None else _check_ns(start_ns, "start_ns")
        cdef int64_t stop = INT64_MAX if stop_ns is None else _check_ns(stop_ns, "stop_ns")
        if start > INT64_MAX - interval:
            raise ValueError(f"invalid start_ns {start_ns!r}: start_ns + interval_ns overflows int64")
        cdef int64_t first = start + interval
        cdef int64_t k
        if first < now:
            # Skip the grid points already in the past: first fire = first start + k*interval >= now.
            k = (now - start + interval - 1) // interval
            first = start + k * interval
        if stop_ns is not None and stop < first:
            raise ValueError(
                f"invalid stop_ns {stop_ns!r}: before the first fire time {first} "
                f"(start_ns {start} + interval_ns {interval}, now {now})"
            )
        return n, interval, first, stop, self._resolve_callback(callback)

    cdef tuple _alert_args(self, object name, object at_ns, object callback):
        cdef str n = _check_name(name)
        cdef int64_t at = _check_ns(at_ns, "at_ns")
        cdef int64_t now = self.timestamp_ns()
        if at < now:
            raise ValueError(f"invalid at_ns {at_ns!r}: in the past (now is {now})")
        return n, at, self._resolve_callback(callback)

    def __repr__(self):
        return f"{type(self).__name__}(now_ns={self.timestamp_ns()}, timers={sorted(self._timers)!r})"


cdef class TestClock(Clock):
    """Engine-driven clock for backtests and tests: time only moves by ``set_time``/``advance_time``.

    ``advance_time(to_ns)`` returns the events due by ``to_ns`` not returned before, in time order,
    ties by timer name, and leaves the clock at ``to_ns``. Callbacks are
    not invoked by the clock: call ``event.handle()``. Time never goes backwards: ``set_time`` and
    ``advance_time`` raise ``ValueError`` for a target before now.
    """

    __test__ = False    # not a pytest test class despite the name

    def __cinit__(self, *args, **kwargs):
        self._heap = NULL
        self._heap_len = 0
        self._heap_cap = 0
        self._heap_timers = set()

    def __init__(self, start_ns=0):
        self._now_ns = _check_ns(start_ns, "start_ns")
        self._seq = 0
        self._next_ns = INT64_MAX

    def __dealloc__(self):
        free(self._heap)        # the timers themselves are owned by _heap_timers
        self._heap = NULL

    cpdef int64_t timestamp_ns(self) except? -1:
        """Current time, UNIX ns (int)."""
        return self._now_ns

    cpdef double timestamp(self) except? -1.0:
        """Current time, UNIX seconds (float)."""
        return <double>self._now_ns / 1e9

    def set_time(self, to_ns) -> None:
        """Set the current time (UNIX ns) without producing events; ``ValueError`` if before now.
        Timers that fall due meanwhile are returned by the next ``advance_time``/``pop_next_event``."""
        self.set_time_c(_check_ns(to_ns, "to_ns"))

    cdef int set_time_c(self, int64_t to_ns) except -1:
        if to_ns < self._now_ns:
            raise ValueError(f"invalid to_ns {to_ns}: before the current time {self._now_ns} (time never goes backwards)")
        self._now_ns = to_ns
        return 0

    @property
    def next_event_time_ns(self):
        """Earliest pending fire time (UNIX ns), or None when no timer is active."""
        return None if self._next_ns == INT64_MAX else self._next_ns

    def set_timer(self, name, interval_ns, start_ns=None, stop_ns=None, callback=None) -> None:
        """Start a repeating timer firing every ``interval_ns`` ns after ``start_ns`` (default now)
        while the fire time is <= ``stop_ns`` (default never). See the module docstring."""
        n, interval, first, stop, cb = self._timer_args(name, interval_ns, start_ns, stop_ns, callback)
        self._push(self._new_timer(n, interval, first, stop, cb))

    def set_time_alert(self, name, at_ns, callback=None) -> None:
        """Schedule a one-shot event at ``at_ns`` (UNIX ns, >= now)."""
        n, at, cb = self._alert_args(name, at_ns, callback)
        self._push(self._new_timer(n, 0, at, at, cb))

    def cancel_timer(self, str name) -> None:
        """Cancel the active timer or alert ``name``; ``KeyError`` if there is none."""
        cdef _Timer t = self._timers.pop(name, None)
        if t is None:
            raise KeyError(f"no active timer named {name!r}")
        t.active = False
        self._refresh_next()

    def cancel_timers(self) -> None:
        """Cancel every active timer and alert."""
        cdef _Timer t
        for t in self._timers.values():
            t.active = False
        self._timers.clear()
        self._heap_clear()
        self._next_ns = INT64_MAX

    # -- C heap ordered by (next_ns, name, seq) ----------------------------------------------

    cdef int _heap_push(self, _Timer timer) except -1:
        cdef Py_ssize_t cap
        cdef TimerHeapEntry* grown
        if self._heap_len == self._heap_cap:
            cap = 16 if self._heap_cap == 0 else self._heap_cap * 2
            grown = <TimerHeapEntry*>realloc(self._heap, cap * sizeof(TimerHeapEntry))
            if grown == NULL:
                raise MemoryError("TestClock timer heap")
            self._heap = grown
            self._heap_cap = cap
        self._seq += 1
        cdef TimerHeapEntry e
        e.next_ns = timer.next_ns
        e.seq = self._seq
        e.timer = <PyObject*>timer
        self._heap_timers.add(timer)
        # sift up
        cdef TimerHeapEntry* h = self._heap
        cdef Py_ssize_t i = self._heap_len
        cdef Py_ssize_t parent
        self._heap_len += 1
        while i > 0:
            parent = (i - 1) >> 1
            if not _entry_less(&e, &h[parent]):
                break
            h[i] = h[parent]
            i = parent
        h[i] = e
        return 0

    cdef void _sift_down(self, Py_ssize_t i) noexcept:
        cdef TimerHeapEntry* h = self._heap
        cdef Py_ssize_t n = self._heap_len
        cdef TimerHeapEntry e = h[i]
        cdef Py_ssize_t child
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and _entry_less(&h[child + 1], &h[child]):
                child += 1
            if not _entry_less(&h[child], &e):
                break
            h[i] = h[child]
            i = child
        h[i] = e

    cdef int _heap_pop(self) except -1:
        # Remove the top entry and release the clock's ownership of its timer.
        cdef object timer = <object>self._heap[0].timer
        self._heap_len -= 1
        if self._heap_len > 0:
            self._heap[0] = self._heap[self._heap_len]
            self._sift_down(0)
        self._heap_timers.discard(timer)
        return 0

    cdef int _heap_clear(self) except -1:
        self._heap_len = 0
        self._heap_timers.clear()
        return 0

    cdef int _push(self, _Timer timer) except -1:
        self._heap_push(timer)
        self._timers[timer.name] = timer
        if timer.next_ns < self._next_ns:
            self._next_ns = timer.next_ns
        return 0

    cdef int _refresh_next(self) except -1:
        # Drop stale top entries (cancelled timers, or entries superseded by a reschedule).
        cdef _Timer t
        while self._heap_len > 0:
            t = <_Timer>self._heap[0].timer
            if t.active and t.next_ns == self._heap[0].next_ns:
                self._next_ns = t.next_ns
                return 0
            self._heap_pop()
        self._next_ns = INT64_MAX
        return 0

    cdef TimeEvent pop_next_event_c(self, int64_t to_ns):
        if self._next_ns > to_ns:
            return None
        # _refresh_next keeps a live entry on top whenever _next_ns != INT64_MAX.
        cdef _Timer t = <_Timer>self._heap[0].timer
        cdef int64_t ts = t.next_ns
        cdef TimeEvent ev = TimeEvent.__new__(TimeEvent)
        ev.name = t.name
        ev.ts_event = ts
        ev.ts_init = ts
        ev.callback = t.callback if t.callback is not None else self._default_handler
        if ts > self._now_ns:
            self._now_ns = ts
        if t.advance():
            # Reschedule in place: new key on the top entry, then sift down.
            self._seq += 1
            self._heap[0].next_ns = t.next_ns
            self._heap[0].seq = self._seq
            self._sift_down(0)
        else:
            t.active = False
            del self._timers[t.name]
            self._heap_pop()
        self._refresh_next()
        return ev

    def pop_next_event(self, to_ns) -> TimeEvent | None:
        """Pop the earliest event due by ``to_ns`` (UNIX ns), moving the clock to its ``ts_event``
        (never backwards); None when nothing is due. The callback is not invoked."""
        return self.pop_next_event_c(_check_ns(to_ns, "to_ns"))

    def advance_time(self, to_ns) -> list:
        """Move the clock to ``to_ns`` (UNIX ns) and return every event due by then that was not
        returned before, in time order (ties by timer name). Repeating timers yield one event per
        elapsed interval. Raises ``ValueError`` if ``to_ns`` is before now. Callbacks are not
        invoked: call ``event.handle()``."""
        return self.advance_time_c(_check_ns(to_ns, "to_ns"))

    cdef list advance_time_c(self, int64_t to_ns):
        if to_ns < self._now_ns:
            raise ValueError(f"invalid to_ns {to_ns}: before the current time {self._now_ns} (time never goes backwards)")
        cdef list events = []
        while self._next_ns <= to_ns:
            events.append(self.pop_next_event_c(to_ns))
        self._now_ns = to_ns
        return events

    def reset(self, start_ns=0) -> None:
        """Cancel every timer and set the time to ``start_ns`` (may go backwards: a fresh run)."""
        self.cancel_timers()
        self._now_ns = _check_ns(start_ns, "start_ns")


cdef class LiveClock(Clock):
    """Wall-clock UTC time in ns (``time.time_ns`` guarded so it never goes backwards).

    Timers run on an asyncio event loop (the ``loop`` given, else the running loop when the timer
    is set) via ``loop.call_at``; at each fire time the clock builds a ``TimeEvent``
    (``ts_event`` = scheduled time, ``ts_init`` = clock time when it ran) and calls
    ``event.handle()`` itself. A repeating timer is rescheduled before its callback runs, so a
    callback that raises (reported by the loop's exception handler) does not stop the timer.
    Scheduling uses the loop's monotonic time: a wall-clock step does not shift the timers.
    """

    def __init__(self, loop=None):
        self._last_ns = 0
        self._loop = loop

    cdef int64_t now_c(self) except? -1:
        cdef int64_t t = time.time_ns()
        if t < self._last_ns:
            return self._last_ns
        self._last_ns = t
        return t

    cpdef int64_t timestamp_ns(self) except? -1:
        """Current UTC time, UNIX ns (never less than a value returned before)."""
        return self.now_c()

    cpdef double timestamp(self) except? -1.0:
        """Current UTC time, UNIX seconds (float)."""
        return <double>self.now_c() / 1e9

    cdef object _get_loop(self):
        if self._loop is not None:
            return self._loop
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("LiveClock timers need a running asyncio loop (or LiveClock(loop=...))") from None

    def set_timer(self, name, interval_ns, start_ns=None, stop_ns=None, callback=None) -> None:
        """Start a repeating timer on the event loop (see the module docstring)."""
        n, interval, first, stop, cb = self._timer_args(name, interval_ns, start_ns, stop_ns, callback)
        self._get_loop()
        cdef _Timer t = self._new_timer(n, interval, first, stop, cb)
        self._schedule(t)
        self._timers[n] = t

    def set_time_alert(self, name, at_ns, callback=None) -> None:
        """Schedule a one-shot event at ``at_ns`` (UNIX ns, >= now) on the event loop."""
        n, at, cb = self._alert_args(name, at_ns, callback)
        self._get_loop()
        cdef _Timer t = self._new_timer(n, 0, at, at, cb)
        self._schedule(t)
        self._timers[n] = t

    cdef int _schedule(self, _Timer timer) except -1:
        loop = self._get_loop()
        cdef double delay = <double>(timer.next_ns - self.now_c()) / 1e9
        if delay < 0.0:
            delay = 0.0
        timer.handle = loop.call_at(loop.time() + delay, self._fire, timer)
        return 0

    def _fire(self, _Timer timer):
        if not timer.active:
            return
        cdef TimeEvent ev = TimeEvent.__new__(TimeEvent)
        ev.name = timer.name
        ev.ts_event = timer.next_ns
        ev.ts_init = self.now_c()
        ev.callback = timer.callback if timer.callback is not None else self._default_handler
        if timer.advance():
            self._schedule(timer)
        else:
            timer.active = False
            timer.handle = None
            if self._timers.get(timer.name) is timer:
                del self._timers[timer.name]
        ev.handle()

    def cancel_timer(self, str name) -> None:
        """Cancel the active timer or alert ``name``; ``KeyError`` if there is none."""
        cdef _Timer t = self._timers.pop(name, None)
        if t is None:
            raise KeyError(f"no active timer named {name!r}")
        t.active = False
        if t.handle is not None:
            t.handle.cancel()
            t.handle = None

    def cancel_timers(self) -> None:
        """Cancel every active timer and alert."""
        for name in list(self._timers):
            self.cancel_timer(name)
