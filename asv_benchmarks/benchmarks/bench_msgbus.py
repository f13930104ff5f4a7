"""MessageBus publish speed and TestClock timer-event cost (asv).

Each ``time_*`` call performs ``N`` publishes of one message on a topic matched by a wildcard
subscription (so the route cache is exercised), to 1 or 10 subscribers:

* ``time_publish_from_python``: ``bus.publish(topic, msg)`` in a Python loop (user code path);
* ``time_publish_from_c``: the cdef ``publish_c`` in a C loop (``bench_msgbus.publish_loop``, the
  engine's path);
* ``time_publish_route_from_c``: ``publish_route_c`` on a pre-resolved route (no dict lookup).

Parameters: number of subscribers and handler kind (``python``: a plain function; ``cdef``: a
Cython ``Handler`` subclass called through the vtable). Divide by ``N`` for ns per publish, or run
``python scripts/bench_msgbus.py`` for ns/op with baselines.
"""

from alphaforge._core.bench_msgbus import CountingHandler, publish_loop, publish_route_loop, timer_pop_loop
from alphaforge.common import MessageBus, TestClock

N = 100_000
TOPIC = "data.trades.BINANCE.BTCUSDT"


def _py_handler(msg):
    return None


class MessageBusPublish:
    params = ([1, 10], ["python", "cdef"])
    param_names = ["subscribers", "handler"]

    def setup(self, subscribers, handler):
        self.bus = MessageBus()
        for i in range(subscribers):
            h = CountingHandler() if handler == "cdef" else (lambda m, _i=i: None)
            self.bus.subscribe("data.trades.*", h, priority=i % 3)
        self.bus.publish(TOPIC, 0)  # warm the route cache
        self.msg = object()

    def time_publish_from_python(self, subscribers, handler):
        publish = self.bus.publish
        msg = self.msg
        for _ in range(N):
            publish(TOPIC, msg)

    def time_publish_from_c(self, subscribers, handler):
        publish_loop(self.bus, TOPIC, self.msg, N)

    def time_publish_route_from_c(self, subscribers, handler):
        publish_route_loop(self.bus, TOPIC, self.msg, N)


class MessageBusSubscribe:
    """Cost of (un)subscribing with 100 cached topic routes (cache updated in place)."""

    def setup(self):
        self.bus = MessageBus()
        self.bus.subscribe("data.*", _py_handler)
        for i in range(100):
            self.bus.publish(f"data.trades.SYM{i}.VENUE", 0)

    def time_subscribe_unsubscribe(self):
        bus = self.bus
        for i in range(100):
            h = CountingHandler()
            bus.subscribe("data.trades.*", h, priority=i % 5)
            bus.unsubscribe("data.trades.*", h)


class TestClockTimerEvents:
    """Backtest-loop timer path: ``N`` timer events popped from C (``next_event_ns`` +
    ``pop_next_event_c``, one ``TimeEvent`` built per event) with 1 or 100 active timers."""

    params = [1, 100]
    param_names = ["timers"]

    def setup(self, timers):
        self.timers = timers

    def time_pop_timer_events(self, timers):
        clock = TestClock(0)
        for i in range(timers):
            clock.set_timer(f"timer{i:03d}", 1_000 + i)
        timer_pop_loop(clock, (N // timers) * 1_000)
