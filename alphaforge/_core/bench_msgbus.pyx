"""Drivers that exercise the message bus (and the TestClock's timer pop) from C, for benchmarks and tests.

``CountingHandler`` is a minimal cdef ``Handler`` (counts messages, keeps the last one). The
``*_loop`` functions run ``n`` iterations in a C loop and return the elapsed CPU time in ns
(``time.process_time_ns`` around the loop: CPU time, so a busy shared machine inflates it less), so a script can print ns per operation.
"""
import time

from libc.stdint cimport int64_t

from alphaforge._core.clock cimport TestClock, TimeEvent
from alphaforge._core.msgbus cimport Handler, MessageBus, _Route


cdef class CountingHandler(Handler):
    """cdef handler that counts the messages it receives and keeps the last one."""

    def __init__(self):
        self.count = 0
        self.last = None

    cdef int handle(self, object msg) except -1:
        self.count += 1
        self.last = msg
        return 0


def publish_loop(MessageBus bus not None, str topic not None, object msg, Py_ssize_t n) -> int:
    """Call the cdef ``MessageBus.publish_c(topic, msg)`` ``n`` times from C; return elapsed CPU ns."""
    cdef Py_ssize_t i
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        bus.publish_c(topic, msg)
    return time.process_time_ns() - t0


def publish_route_loop(MessageBus bus not None, str topic not None, object msg, Py_ssize_t n) -> int:
    """Resolve ``topic`` once (``route_c``), then ``publish_route_c`` ``n`` times; return elapsed CPU ns."""
    cdef _Route route = bus.route_c(topic)
    cdef Py_ssize_t i
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        bus.publish_route_c(route, msg)
    return time.process_time_ns() - t0


def send_loop(MessageBus bus not None, str endpoint not None, object msg, Py_ssize_t n) -> int:
    """Call the cdef ``MessageBus.send_c(endpoint, msg)`` ``n`` times from C; return elapsed CPU ns."""
    cdef Py_ssize_t i
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        bus.send_c(endpoint, msg)
    return time.process_time_ns() - t0


def direct_handle_loop(Handler handler not None, object msg, Py_ssize_t n) -> int:
    """Baseline: call ``handler.handle(msg)`` directly ``n`` times from C; return elapsed CPU ns."""
    cdef Py_ssize_t i
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        handler.handle(msg)
    return time.process_time_ns() - t0


def dict_handle_loop(dict routes not None, str topic not None, Handler handler not None, object msg,
                     Py_ssize_t n) -> int:
    """Baseline: one ``routes.get(topic)`` dict lookup plus a direct ``handler.handle(msg)`` per
    iteration (the minimum a topic-keyed publish can cost); return elapsed CPU ns."""
    cdef Py_ssize_t i
    cdef object r
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        r = routes.get(topic)
        if r is not None:
            handler.handle(msg)
    return time.process_time_ns() - t0


def timer_pop_loop(TestClock clock not None, int64_t to_ns) -> tuple:
    """Pop every timer event due by ``to_ns`` with the cdef ``pop_next_event_c`` (the backtest
    loop's path: ``next_event_ns`` check, then pop); return ``(events, elapsed CPU ns)``."""
    cdef int64_t count = 0
    cdef TimeEvent ev
    cdef int64_t t0 = time.process_time_ns()
    while clock.next_event_ns() <= to_ns:
        ev = clock.pop_next_event_c(to_ns)
        count += 1
    return count, time.process_time_ns() - t0
