"""MessageBus: wildcard routing, delivery order, cache updates, re-entrancy, endpoints, request/response.

Routing and ordering are checked against an independent plain-Python reference bus (regex matching,
no cache, sort by (-priority, subscription order)) over randomized operation sequences.
"""

import random
import re

import pytest

from alphaforge._core.bench_msgbus import (
    CountingHandler,
    publish_loop,
    publish_route_loop,
    send_loop,
    timer_pop_loop,
)
from alphaforge.common import Handler, MessageBus, PyHandler, Request, Subscription, TestClock, is_matching

# -- reference implementation ------------------------------------------------------------------


def ref_match(pattern: str, topic: str) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, topic, flags=re.DOTALL) is not None


class RefBus:
    """Plain-Python model: list of (pattern, handler_name, priority, seq); no caching."""

    def __init__(self):
        self.subs = []
        self.seq = 0

    def subscribe(self, pattern, name, priority):
        if any(p == pattern and n == name for p, n, _, _ in self.subs):
            return False
        self.seq += 1
        self.subs.append((pattern, name, priority, self.seq))
        return True

    def unsubscribe(self, pattern, name):
        for s in self.subs:
            if s[0] == pattern and s[1] == name:
                self.subs.remove(s)
                return True
        return False

    def deliver(self, topic):
        matching = [s for s in self.subs if ref_match(s[0], topic)]
        matching.sort(key=lambda s: (-s[2], s[3]))
        return [s[1] for s in matching]


class Recorder:
    """Named handlers appending (name, msg) to a shared log."""

    def __init__(self):
        self.log = []
        self._handlers = {}

    def handler(self, name):
        if name not in self._handlers:

            def h(msg, _name=name):
                self.log.append((_name, msg))

            self._handlers[name] = h
        return self._handlers[name]


# -- matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "topic", "expected"),
    [
        ("data.trades.BINANCE.BTCUSDT", "data.trades.BINANCE.BTCUSDT", True),
        ("data.trades.*", "data.trades.BINANCE.BTCUSDT", True),
        ("data.trades.*", "data.trades.", True),
        ("data.trades.*", "data.trades", False),
        ("data.*.BINANCE.*", "data.quotes.BINANCE.ETHUSDT", True),
        ("data.*.BINANCE.*", "data.quotes.NYSE.ORCL", False),
        ("*", "anything.at.all", True),
        ("*", "x", True),
        ("?", "x", True),
        ("?", "xy", False),
        ("data.???.X", "data.bar.X", True),
        ("data.???.X", "data.bars.X", False),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "aXXbYY", False),
        ("a[1]", "a[1]", True),
        ("a[1]", "a1", False),
        ("**", "", True),
    ],
)
def test_is_matching_examples(pattern, topic, expected):
    assert is_matching(topic, pattern) is expected
    assert ref_match(pattern, topic) is expected


def test_is_matching_random_against_regex_reference():
    rng = random.Random(11)
    alphabet = "ab.c"
    for _ in range(3000):
        topic = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        pattern = "".join(rng.choice(alphabet + "*?") for _ in range(rng.randint(0, 6)))
        assert is_matching(topic, pattern) == ref_match(pattern, topic), (pattern, topic)


# -- publish / subscribe -------------------------------------------------------------------------


def test_publish_exact_and_wildcard_delivery_and_counters():
    bus = MessageBus(trader_id="TRADER-001")
    assert bus.trader_id == "TRADER-001"
    rec = Recorder()
    bus.subscribe("data.trades.BINANCE.BTCUSDT", rec.handler("exact"))
    bus.subscribe("data.trades.*", rec.handler("all_trades"))
    bus.subscribe("data.quotes.*", rec.handler("quotes"))
    bus.publish("data.trades.BINANCE.BTCUSDT", 1)
    bus.publish("data.trades.BINANCE.ETHUSDT", 2)
    bus.publish("data.bars.X", 3)
    assert rec.log == [("exact", 1), ("all_trades", 1), ("all_trades", 2)]
    assert bus.published_count == 3
    assert bus.delivered_count == 3
    assert bus.topic_count("data.trades.BINANCE.BTCUSDT") == 1
    assert bus.topic_count("data.bars.X") == 1
    assert bus.topic_count("never.published") == 0


def test_priority_then_subscription_order():
    bus = MessageBus()
    rec = Recorder()
    bus.subscribe("t.*", rec.handler("p0_first"))
    bus.subscribe("t.x", rec.handler("p5"), priority=5)
    bus.subscribe("t.?", rec.handler("p0_second"))
    bus.subscribe("*", rec.handler("p_neg"), priority=-1)
    bus.subscribe("t.x", rec.handler("p5_second"), priority=5)
    bus.publish("t.x", "m")
    assert [n for n, _ in rec.log] == ["p5", "p5_second", "p0_first", "p0_second", "p_neg"]


def test_subscribe_after_route_cached_updates_in_place():
    bus = MessageBus()
    rec = Recorder()
    bus.subscribe("t.*", rec.handler("a"))
    bus.publish("t.x", 1)  # route for t.x now cached
    bus.subscribe("t.x", rec.handler("hi"), priority=10)
    bus.subscribe("t.*", rec.handler("b"))
    bus.subscribe("u.*", rec.handler("other"))
    bus.publish("t.x", 2)
    assert rec.log == [("a", 1), ("hi", 2), ("a", 2), ("b", 2)]
    assert bus.unsubscribe("t.*", rec.handler("a")) is True
    bus.publish("t.x", 3)
    assert rec.log[-2:] == [("hi", 3), ("b", 3)]
    assert bus.topic_count("t.x") == 3


def test_random_operations_match_reference_bus():
    rng = random.Random(2024)
    patterns = ["a.b", "a.*", "*", "?.b", "a.?", "b.*", "*.c", "a.b.c", "a*c"]
    topics = ["a.b", "a.c", "b.b", "a.b.c", "b.c", "ac", "x"]
    names = [f"h{i}" for i in range(6)]
    for _trial in range(12):
        bus = MessageBus()
        ref = RefBus()
        rec = Recorder()
        for _ in range(300):
            op = rng.random()
            if op < 0.3:
                p, n, pr = rng.choice(patterns), rng.choice(names), rng.randint(-2, 2)
                assert bus.subscribe(p, rec.handler(n), priority=pr) == ref.subscribe(p, n, pr)
            elif op < 0.45:
                p, n = rng.choice(patterns), rng.choice(names)
                assert bus.unsubscribe(p, rec.handler(n)) == ref.unsubscribe(p, n)
            else:
                t = rng.choice(topics)
                start = len(rec.log)
                bus.publish(t, op)
                assert [n for n, _ in rec.log[start:]] == ref.deliver(t), t
                assert bus.has_subscribers(t) == bool(ref.deliver(t))
                assert [s.topic for s in bus.matching_subscriptions(t)] == [
                    s[0] for s in sorted((s for s in ref.subs if ref_match(s[0], t)), key=lambda s: (-s[2], s[3]))
                ]
        assert [(s.topic, s.priority) for s in bus.subscriptions()] == [(p, pr) for p, _, pr, _ in ref.subs]


def test_duplicate_subscribe_ignored_and_bound_methods_match_by_equality():
    class Strategy:
        def __init__(self):
            self.got = []

        def on_bar(self, msg):
            self.got.append(msg)

    bus = MessageBus()
    s = Strategy()
    assert bus.subscribe("bars.*", s.on_bar) is True
    assert bus.subscribe("bars.*", s.on_bar) is False  # a fresh bound method object, equal
    bus.publish("bars.X", 1)
    assert s.got == [1]
    assert bus.is_subscribed("bars.*", s.on_bar)
    assert bus.unsubscribe("bars.*", s.on_bar) is True
    assert bus.unsubscribe("bars.*", s.on_bar) is False
    bus.publish("bars.X", 2)
    assert s.got == [1]
    assert bus.subscription_count == 0


def test_subscriptions_topics_and_has_subscribers():
    bus = MessageBus()
    h1, h2 = (lambda m: None), (lambda m: None)
    bus.subscribe("data.trades.*", h1)
    bus.subscribe("data.quotes.*", h2, priority=3)
    bus.subscribe("events.order.*", h1)
    assert [s.topic for s in bus.subscriptions()] == ["data.trades.*", "data.quotes.*", "events.order.*"]
    assert [s.topic for s in bus.subscriptions("data.*")] == ["data.trades.*", "data.quotes.*"]
    sub = bus.subscriptions("data.quotes.*")[0]
    assert isinstance(sub, Subscription)
    assert (sub.handler, sub.priority, sub.sequence) == (h2, 3, 2)
    assert bus.topics() == ["data.quotes.*", "data.trades.*", "events.order.*"]
    assert bus.has_subscribers("data.trades.X") is True
    assert bus.has_subscribers("data.bars.X") is False
    with pytest.raises(TypeError):
        Subscription()


def test_subscribe_inside_handler_takes_effect_next_publish():
    bus = MessageBus()
    rec = Recorder()
    late = rec.handler("late")

    def first(msg):
        rec.log.append(("first", msg))
        bus.subscribe("t", late)

    bus.subscribe("t", first)
    bus.publish("t", 1)
    assert rec.log == [("first", 1)]
    bus.publish("t", 2)
    assert rec.log == [("first", 1), ("first", 2), ("late", 2)]


def test_unsubscribe_inside_handler_takes_effect_next_publish():
    bus = MessageBus()
    rec = Recorder()
    second = rec.handler("second")

    def first(msg):
        rec.log.append(("first", msg))
        bus.unsubscribe("t", second)
        bus.unsubscribe("t", first)

    bus.subscribe("t", first)
    bus.subscribe("t", second)
    bus.publish("t", 1)  # snapshot taken at publish start: second still gets message 1
    bus.publish("t", 2)
    assert rec.log == [("first", 1), ("second", 1)]
    assert bus.subscription_count == 0


def test_nested_publish_from_handler():
    bus = MessageBus()
    rec = Recorder()

    def relay(msg):
        rec.log.append(("relay", msg))
        bus.publish("out", msg * 10)

    bus.subscribe("in", relay)
    bus.subscribe("out", rec.handler("out"))
    bus.publish("in", 4)
    assert rec.log == [("relay", 4), ("out", 40)]
    assert bus.published_count == 2
    assert bus.delivered_count == 2


def test_handler_exception_propagates_and_stops_that_publish():
    bus = MessageBus()
    rec = Recorder()

    def boom(msg):
        raise RuntimeError("handler failed")

    bus.subscribe("t", boom, priority=1)
    bus.subscribe("t", rec.handler("after"))
    with pytest.raises(RuntimeError, match="handler failed"):
        bus.publish("t", 1)
    assert rec.log == []
    assert bus.published_count == 1
    assert bus.delivered_count == 0


@pytest.mark.parametrize("bad", ["", None, 5, b"t"])
def test_bad_topic_pattern_raises_naming_field(bad):
    bus = MessageBus()
    with pytest.raises(ValueError, match="topic_pattern"):
        bus.subscribe(bad, lambda m: None)
    with pytest.raises(ValueError, match="topic_pattern"):
        bus.unsubscribe(bad, lambda m: None)
    if bad is not None and not isinstance(bad, str):
        with pytest.raises(TypeError):
            bus.publish(bad, 1)


def test_publish_bad_topic():
    bus = MessageBus()
    with pytest.raises(TypeError):
        bus.publish(None, 1)
    with pytest.raises(ValueError, match="topic"):
        bus.publish("", 1)
    with pytest.raises(ValueError, match="topic"):
        bus.has_subscribers("")


def test_bad_handler_and_priority():
    bus = MessageBus()
    with pytest.raises(TypeError, match="handler"):
        bus.subscribe("t", 42)
    for bad in (True, 1.5, "1", 2**40):
        with pytest.raises(ValueError, match="priority"):
            bus.subscribe("t", lambda m: None, priority=bad)
    assert bus.subscription_count == 0
    with pytest.raises(TypeError, match="handler"):
        PyHandler(3)


# -- cdef handlers ---------------------------------------------------------------------------------


def test_cdef_handler_from_python_and_c_publish():
    bus = MessageBus()
    h = CountingHandler()
    rec = Recorder()
    bus.subscribe("data.*", h)
    bus.subscribe("data.*", rec.handler("py"), priority=-1)
    bus.publish("data.x", "m1")
    assert (h.count, h.last) == (1, "m1")
    publish_loop(bus, "data.x", "m2", 1000)
    assert (h.count, h.last) == (1001, "m2")
    publish_route_loop(bus, "data.y", "m3", 10)
    assert (h.count, h.last) == (1011, "m3")
    assert len(rec.log) == 1011
    assert bus.published_count == 1011
    assert bus.delivered_count == 2022
    assert bus.topic_count("data.x") == 1001
    assert bus.topic_count("data.y") == 10
    assert bus.unsubscribe("data.*", h) is True
    bus.publish("data.x", "m4")
    assert h.count == 1011


def test_handler_objects_are_callable_and_base_handler_is_abstract():
    h = CountingHandler()
    h("direct")
    assert (h.count, h.last) == (1, "direct")
    got = []
    PyHandler(got.append)("x")
    assert got == ["x"]
    bus = MessageBus()
    bus.subscribe("t", Handler())
    with pytest.raises(NotImplementedError, match="handle"):
        bus.publish("t", 1)


# -- point-to-point and request/response -----------------------------------------------------------


def test_register_send_deregister():
    bus = MessageBus()
    got = []
    bus.register("ExecEngine.execute", got.append)
    assert bus.is_registered("ExecEngine.execute")
    assert bus.endpoints == ["ExecEngine.execute"]
    bus.send("ExecEngine.execute", "cmd1")
    bus.send("ExecEngine.execute", "cmd2")
    assert got == ["cmd1", "cmd2"]
    assert bus.sent_count == 2
    assert bus.published_count == 0
    with pytest.raises(ValueError, match="already registered"):
        bus.register("ExecEngine.execute", print)
    with pytest.raises(ValueError, match="handler"):
        bus.deregister("ExecEngine.execute", print)
    bus.deregister("ExecEngine.execute", got.append)
    assert not bus.is_registered("ExecEngine.execute")
    with pytest.raises(KeyError, match="ExecEngine.execute"):
        bus.send("ExecEngine.execute", "cmd3")
    with pytest.raises(KeyError, match="ExecEngine.execute"):
        bus.deregister("ExecEngine.execute")
    with pytest.raises(ValueError, match="endpoint"):
        bus.register("", got.append)
    with pytest.raises(TypeError, match="handler"):
        bus.register("ep", None)


def test_send_to_cdef_handler_from_c():
    bus = MessageBus()
    h = CountingHandler()
    bus.register("ep", h)
    send_loop(bus, "ep", 7, 500)
    assert (h.count, h.last, bus.sent_count) == (500, 7, 500)


def test_request_response_synchronous_and_deferred():
    bus = MessageBus()
    inbox = []

    def data_engine(req):
        assert isinstance(req, Request)
        if req.payload == "sync":
            bus.response(req.correlation_id, ("reply", req.payload))
        else:
            inbox.append(req)

    bus.register("DataEngine.request", data_engine)
    replies = []
    cid1 = bus.request("DataEngine.request", "sync", replies.append)
    assert cid1 == 1
    assert replies == [("reply", "sync")]
    assert bus.pending_requests == []
    cid2 = bus.request("DataEngine.request", "later", replies.append)
    cid3 = bus.request("DataEngine.request", "later2", replies.append, correlation_id="abc")
    assert (cid2, cid3) == (2, "abc")
    assert [r.correlation_id for r in inbox] == [2, "abc"]
    assert inbox[0].endpoint == "DataEngine.request"
    assert bus.pending_requests == [2, "abc"]
    bus.response("abc", "part", final=False)
    bus.response("abc", "done")
    bus.response(2, "two")
    assert replies == [("reply", "sync"), "part", "done", "two"]
    assert bus.pending_requests == []
    assert bus.sent_count == 3 + 4  # three requests delivered, four responses
    with pytest.raises(KeyError, match="correlation_id"):
        bus.response(2, "again")
    with pytest.raises(KeyError, match="correlation_id"):
        bus.response(999, "unknown")


def test_request_errors_leave_nothing_pending():
    bus = MessageBus()
    with pytest.raises(KeyError, match="nowhere"):
        bus.request("nowhere", 1, print)
    assert bus.pending_requests == []

    def failing(req):
        raise RuntimeError("endpoint failed")

    bus.register("bad", failing)
    with pytest.raises(RuntimeError, match="endpoint failed"):
        bus.request("bad", 1, print)
    assert bus.pending_requests == []
    with pytest.raises(TypeError, match="callback"):
        bus.request("bad", 1, None)
    bus.register("hold", lambda req: None)
    bus.request("hold", 1, print, correlation_id=5)
    with pytest.raises(ValueError, match="correlation_id"):
        bus.request("hold", 2, print, correlation_id=5)
    # generated ids skip ids already pending
    bus.request("hold", 1, print, correlation_id=1)
    assert bus.request("hold", 3, print) == 2
    assert bus.pending_requests == [5, 1, 2]


def test_timer_pop_loop_driver_counts_events():
    clock = TestClock(0)
    clock.set_timer("a", 10)
    clock.set_timer("b", 25, stop_ns=75)
    events, _ns = timer_pop_loop(clock, 100)
    assert events == 10 + 3  # a: 10..100, b: 25, 50, 75
    assert clock.timestamp_ns() == 100  # moved to the last event's time by pop_next_event_c
    assert clock.timer_names == ["a"]
