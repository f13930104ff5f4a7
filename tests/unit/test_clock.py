"""TestClock and LiveClock: timer schedules, ordering, validation, callbacks, asyncio timers.

TestClock schedules are checked against hand-worked examples and an independent reference that
enumerates each timer's fire times arithmetically and sorts all of them by (time, name).
"""

import asyncio
import gc
import random
import time
import weakref
from datetime import datetime, timezone

import pytest

from alphaforge.common import LiveClock, TestClock, TimeEvent

# -- reference -------------------------------------------------------------------------------------


def ref_fire_times(now, interval, start, stop, horizon):
    """Fire times of a repeating timer set at `now`, up to `horizon` (plain arithmetic)."""
    start = now if start is None else start
    out = []
    k = 1
    while True:
        t = start + k * interval
        if stop is not None and t > stop:
            break
        if t > horizon:
            break
        if t >= now:
            out.append(t)
        k += 1
    return out


def names_times(events):
    return [(e.name, e.ts_event) for e in events]


# -- TestClock basics ------------------------------------------------------------------------------


def test_test_clock_time_accessors():
    clock = TestClock(start_ns=1_700_000_000_500_000_000)
    assert clock.timestamp_ns() == 1_700_000_000_500_000_000
    assert clock.timestamp() == 1_700_000_000.5
    assert clock.timestamp_ms() == 1_700_000_000_500
    assert clock.utc_now() == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)
    clock.set_time(1_700_000_001_000_000_000)
    assert clock.timestamp_ns() == 1_700_000_001_000_000_000
    assert TestClock().timestamp_ns() == 0


def test_set_time_and_advance_never_go_backwards():
    clock = TestClock(100)
    with pytest.raises(ValueError, match="to_ns"):
        clock.set_time(99)
    with pytest.raises(ValueError, match="to_ns"):
        clock.advance_time(50)
    assert clock.timestamp_ns() == 100
    assert clock.advance_time(100) == []
    with pytest.raises(ValueError, match="start_ns"):
        TestClock(-1)
    with pytest.raises(TypeError, match="start_ns"):
        TestClock(1.5)
    with pytest.raises(TypeError, match="to_ns"):
        clock.advance_time(101.5)
    with pytest.raises(TypeError, match="to_ns"):
        clock.set_time(101.0)


def test_set_time_past_due_timers_returns_them_on_next_advance():
    clock = TestClock(0)
    clock.set_timer("t", 10)
    clock.set_time(25)  # no events produced by set_time
    assert clock.timestamp_ns() == 25
    assert names_times(clock.advance_time(31)) == [("t", 10), ("t", 20), ("t", 30)]
    assert clock.timestamp_ns() == 31


def test_repeating_timer_hand_worked():
    clock = TestClock(0)
    clock.set_timer("t", 10)
    events = clock.advance_time(35)
    assert names_times(events) == [("t", 10), ("t", 20), ("t", 30)]
    assert all(e.ts_init == e.ts_event for e in events)
    assert clock.timestamp_ns() == 35
    assert clock.next_time_ns("t") == 40
    assert clock.timer_names == ["t"]
    assert names_times(clock.advance_time(40)) == [("t", 40)]


def test_timer_start_and_stop():
    clock = TestClock(0)
    clock.set_timer("t", 10, start_ns=5, stop_ns=25)
    assert clock.next_time_ns("t") == 15
    assert names_times(clock.advance_time(100)) == [("t", 15), ("t", 25)]
    assert clock.timer_names == []
    assert clock.next_event_time_ns is None
    clock.set_timer("t", 10, stop_ns=110)  # name free again once finished; fires exactly at stop
    assert names_times(clock.advance_time(200)) == [("t", 110)]


def test_timer_with_start_in_past_skips_missed_grid_points():
    clock = TestClock(100)
    clock.set_timer("grid", 30, start_ns=0)  # grid 30, 60, 90, 120...: first >= now is 120
    assert clock.next_time_ns("grid") == 120
    clock2 = TestClock(90)
    clock2.set_timer("grid", 30, start_ns=0)  # 90 == now: due at the next advance
    assert names_times(clock2.advance_time(90)) == [("grid", 90)]


def test_ties_broken_by_name_then_time_order():
    clock = TestClock(0)
    clock.set_timer("b", 10)
    clock.set_timer("c", 5)
    clock.set_timer("a", 10)
    clock.set_time_alert("aa", 10)
    events = clock.advance_time(20)
    assert names_times(events) == [
        ("c", 5),
        ("a", 10),
        ("aa", 10),
        ("b", 10),
        ("c", 10),
        ("c", 15),
        ("a", 20),
        ("b", 20),
        ("c", 20),
    ]


def test_time_alert_one_shot_and_name_reuse():
    clock = TestClock(50)
    clock.set_time_alert("alert", 50)  # at now is allowed
    clock.set_time_alert("later", 80)
    assert names_times(clock.advance_time(60)) == [("alert", 50)]
    assert clock.timer_names == ["later"]
    clock.set_time_alert("alert", 70)
    assert names_times(clock.advance_time(100)) == [("alert", 70), ("later", 80)]
    assert clock.timer_names == []


def test_random_schedules_match_reference():
    rng = random.Random(7)
    for _ in range(100):
        now = rng.randint(0, 1000)
        clock = TestClock(now)
        horizon = now + rng.randint(0, 2000)
        expected = []
        for i in range(rng.randint(1, 6)):
            name = f"t{rng.randint(0, 99):02d}_{i}"
            if rng.random() < 0.3:
                at = now + rng.randint(0, 1500)
                clock.set_time_alert(name, at)
                if at <= horizon:
                    expected.append((at, name))
            else:
                interval = rng.randint(1, 300)
                start = rng.choice([None, now - rng.randint(0, 500), now + rng.randint(0, 500)])
                start = None if start is not None and start < 0 else start
                # first fire is at or after max(start + interval, now) and before now + interval
                latest_first = max((now if start is None else start) + interval, now + interval)
                stop = rng.choice([None, latest_first + rng.randint(0, 1500)])
                clock.set_timer(name, interval, start_ns=start, stop_ns=stop)
                expected += [(t, name) for t in ref_fire_times(now, interval, start, stop, horizon)]
        expected.sort()
        # advance in random steps: concatenated events equal the reference order
        got = []
        t = now
        while t < horizon:
            t = min(horizon, t + rng.randint(0, 400))
            got += clock.advance_time(t)
            assert clock.timestamp_ns() == t
        assert [(e.ts_event, e.name) for e in got] == expected


class RefClock:
    """Brute-force model: dict of name -> [next, interval, stop]; pick min (next, name) each step."""

    def __init__(self, now):
        self.now = now
        self.timers = {}

    def set_timer(self, name, interval, stop):
        self.timers[name] = [self.now + interval, interval, stop]

    def set_alert(self, name, at):
        self.timers[name] = [at, 0, at]

    def advance(self, to):
        out = []
        while self.timers:
            name = min(self.timers, key=lambda n: (self.timers[n][0], n))
            nxt, interval, stop = self.timers[name]
            if nxt > to:
                break
            out.append((name, nxt))
            if interval and nxt + interval <= stop:
                self.timers[name][0] = nxt + interval
            else:
                del self.timers[name]
        self.now = to
        return out


def test_many_timers_with_cancels_and_reuse_match_brute_force_model():
    rng = random.Random(99)
    clock, ref = TestClock(1_000), RefClock(1_000)
    big = 2**62
    for step in range(400):
        op = rng.random()
        names = sorted(ref.timers)
        if op < 0.25:
            name = f"n{rng.randint(0, 40):02d}"
            if name in ref.timers:
                with pytest.raises(ValueError, match="already active"):
                    clock.set_timer(name, 5)
                continue
            if rng.random() < 0.5:
                interval = rng.randint(1, 50)
                stop = rng.choice([big, ref.now + interval + rng.randint(0, 400)])
                clock.set_timer(name, interval, stop_ns=None if stop == big else stop)
                ref.set_timer(name, interval, stop)
            else:
                at = ref.now + rng.randint(0, 100)
                clock.set_time_alert(name, at)
                ref.set_alert(name, at)
        elif op < 0.4 and names:
            name = rng.choice(names)
            clock.cancel_timer(name)
            del ref.timers[name]
        else:
            to = ref.now + rng.randint(0, 60)
            assert names_times(clock.advance_time(to)) == ref.advance(to), step
        assert clock.timer_names == sorted(ref.timers)
        expected_next = min((v[0] for v in ref.timers.values()), default=None)
        assert clock.next_event_time_ns == expected_next


def test_clock_in_a_reference_cycle_is_collected():
    class Strategy:
        def __init__(self):
            self.clock = TestClock(0)
            self.clock.set_timer("live", 10, callback=self.on_timer)
            self.clock.set_timer("cancelled", 10, callback=self.on_timer)
            self.clock.cancel_timer("cancelled")  # stale heap entry still references its timer

        def on_timer(self, event):
            return None

    s = Strategy()
    ref = weakref.ref(s)
    del s
    gc.collect()
    assert ref() is None


def test_pop_next_event_moves_clock_to_event_time():
    clock = TestClock(0)
    clock.set_timer("a", 10, stop_ns=20)
    clock.set_time_alert("b", 15)
    assert clock.next_event_time_ns == 10
    assert clock.pop_next_event(5) is None
    assert clock.timestamp_ns() == 0
    e = clock.pop_next_event(100)
    assert (e.name, e.ts_event, clock.timestamp_ns()) == ("a", 10, 10)
    assert clock.next_event_time_ns == 15
    e = clock.pop_next_event(100)
    assert (e.name, e.ts_event, clock.timestamp_ns()) == ("b", 15, 15)
    e = clock.pop_next_event(100)
    assert (e.name, e.ts_event, clock.timestamp_ns()) == ("a", 20, 20)
    assert clock.pop_next_event(100) is None
    assert clock.timestamp_ns() == 20
    assert clock.next_event_time_ns is None


def test_cancel_timer():
    clock = TestClock(0)
    clock.set_timer("a", 10)
    clock.set_timer("b", 15)
    clock.cancel_timer("a")
    assert clock.timer_names == ["b"]
    assert clock.next_event_time_ns == 15
    assert names_times(clock.advance_time(30)) == [("b", 15), ("b", 30)]
    with pytest.raises(KeyError, match="a"):
        clock.cancel_timer("a")
    clock.set_timer("a", 7)  # name reusable after cancel
    assert clock.next_time_ns("a") == 37
    clock.cancel_timers()
    assert clock.timer_names == []
    assert clock.advance_time(1000) == []


def test_callbacks_invoked_only_by_event_handle():
    clock = TestClock(0)
    calls = []
    clock.set_timer("a", 10, callback=lambda e: calls.append(("a", e.ts_event)))
    clock.set_time_alert("b", 25)  # no callback: uses the default handler registered later
    clock.register_default_handler(lambda e: calls.append(("default", e.ts_event)))
    events = clock.advance_time(25)
    assert calls == []
    for e in events:
        e.handle()
    assert calls == [("a", 10), ("a", 20), ("default", 25)]
    assert TimeEvent("x", 1, 2).handle() is None


def test_callback_can_set_timers_during_event_loop():
    clock = TestClock(0)
    fired = []

    def on_a(event):
        fired.append((event.name, event.ts_event))
        clock.set_time_alert(f"follow_{event.ts_event}", event.ts_event + 3, callback=on_follow)

    def on_follow(event):
        fired.append((event.name, event.ts_event))

    clock.set_timer("a", 10, stop_ns=20, callback=on_a)
    # engine-style loop: pop one event at a time, handle at the event's time
    while (e := clock.pop_next_event(50)) is not None:
        assert clock.timestamp_ns() == e.ts_event
        e.handle()
    assert fired == [("a", 10), ("follow_10", 13), ("a", 20), ("follow_20", 23)]


def test_timer_validation_errors_name_the_field():
    clock = TestClock(100)
    for bad in (0, -5):
        with pytest.raises(ValueError, match="interval_ns"):
            clock.set_timer("t", bad)
    for bad in (1.5, "10", True, None):
        with pytest.raises(TypeError, match="interval_ns"):
            clock.set_timer("t", bad)
    with pytest.raises(ValueError, match="stop_ns"):
        clock.set_timer("t", 10, stop_ns=105)
    with pytest.raises(ValueError, match="start_ns"):
        clock.set_timer("t", 10, start_ns=-1)
    with pytest.raises(ValueError, match="start_ns"):
        clock.set_timer("t", 10, start_ns=2**63 - 5)
    with pytest.raises(ValueError, match="at_ns"):
        clock.set_time_alert("t", 99)
    for bad in ("", None, 3):
        with pytest.raises(ValueError, match="name"):
            clock.set_timer(bad, 10)
    with pytest.raises(TypeError, match="callback"):
        clock.set_timer("t", 10, callback=42)
    with pytest.raises(TypeError, match="handler"):
        clock.register_default_handler(None)
    clock.set_timer("t", 10)
    with pytest.raises(ValueError, match="already active"):
        clock.set_timer("t", 20)
    with pytest.raises(ValueError, match="already active"):
        clock.set_time_alert("t", 200)
    with pytest.raises(KeyError, match="nope"):
        clock.next_time_ns("nope")
    assert clock.timer_names == ["t"]


def test_reset_and_event_value_semantics():
    clock = TestClock(500)
    clock.set_timer("a", 10)
    clock.reset(0)
    assert (clock.timestamp_ns(), clock.timer_names) == (0, [])
    e1, e2 = TimeEvent("a", 10, 10), TimeEvent("a", 10, 10)
    assert e1 == e2 and hash(e1) == hash(e2)
    assert e1 != TimeEvent("a", 10, 11)
    assert repr(e1) == "TimeEvent(name='a', ts_event=10, ts_init=10)"
    with pytest.raises(TypeError, match="callback"):
        TimeEvent("a", 1, 1, callback=5)


# -- LiveClock -------------------------------------------------------------------------------------


def test_live_clock_time_is_utc_ns_and_non_decreasing():
    clock = LiveClock()
    before = time.time_ns()
    t = clock.timestamp_ns()
    after = time.time_ns()
    assert before <= t <= after
    values = [clock.timestamp_ns() for _ in range(10_000)]
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))
    assert abs(clock.timestamp() - time.time()) < 1.0


def test_live_clock_guards_against_wall_clock_stepping_back(monkeypatch):
    fake = iter([1_000, 900, 950, 1_200, 1_100])
    monkeypatch.setattr(time, "time_ns", lambda: next(fake))
    clock = LiveClock()
    assert [clock.timestamp_ns() for _ in range(5)] == [1_000, 1_000, 1_000, 1_200, 1_200]


def test_live_clock_timers_need_a_loop():
    clock = LiveClock()
    with pytest.raises(RuntimeError, match="asyncio"):
        clock.set_time_alert("a", clock.timestamp_ns() + 10**9)
    assert clock.timer_names == []


MS = 1_000_000


async def _until(condition, timeout=5.0):
    """Poll the loop until condition() holds (bounded: fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for timer events"
        await asyncio.sleep(0.002)


def test_live_clock_timer_and_alert_on_asyncio_loop():
    async def scenario():
        clock = LiveClock()
        events = []
        start = clock.timestamp_ns()
        clock.set_timer("rep", 10 * MS, start_ns=start, stop_ns=start + 50 * MS, callback=events.append)
        clock.set_time_alert("alert", start + 25 * MS, callback=events.append)
        assert clock.timer_names == ["alert", "rep"]
        await _until(lambda: len(events) >= 6)
        await asyncio.sleep(0.02)  # a finished timer must not fire again
        return clock, start, events

    clock, start, events = asyncio.run(scenario())
    reps = [e for e in events if e.name == "rep"]
    assert [e.ts_event for e in reps] == [start + k * 10 * MS for k in range(1, 6)]
    alerts = [e for e in events if e.name == "alert"]
    assert [e.ts_event for e in alerts] == [start + 25 * MS]
    for e in events:
        assert e.ts_init >= e.ts_event - 5 * MS  # fired no earlier than scheduled (loop timer slack)
    assert clock.timer_names == []


def test_live_clock_cancel_and_failing_callback_keeps_timer():
    async def scenario():
        loop = asyncio.get_running_loop()
        errors = []
        loop.set_exception_handler(lambda _loop, ctx: errors.append(ctx.get("exception")))
        clock = LiveClock()
        fired = []

        def flaky(event):
            fired.append(event.ts_event)
            raise RuntimeError("callback failed")

        cancelled = []
        start = clock.timestamp_ns()
        clock.set_timer("flaky", 5 * MS, start_ns=start, stop_ns=start + 15 * MS, callback=flaky)
        clock.set_time_alert("cancel_me", start + 10 * MS, callback=cancelled.append)
        clock.cancel_timer("cancel_me")
        with pytest.raises(KeyError):
            clock.cancel_timer("cancel_me")
        await _until(lambda: len(fired) >= 3)
        await asyncio.sleep(0.02)
        return start, fired, cancelled, errors, clock

    start, fired, cancelled, errors, clock = asyncio.run(scenario())
    assert fired == [start + 5 * MS, start + 10 * MS, start + 15 * MS]
    assert cancelled == []
    assert len(errors) == 3 and all(isinstance(e, RuntimeError) for e in errors)
    assert clock.timer_names == []


def test_live_clock_default_handler_and_explicit_loop():
    loop = asyncio.new_event_loop()
    try:
        clock = LiveClock(loop=loop)
        got = []
        clock.register_default_handler(got.append)
        at = clock.timestamp_ns() + 5 * MS
        clock.set_time_alert("a", at)  # scheduled without a running loop: uses the given one
        loop.run_until_complete(_until(lambda: len(got) >= 1))
        assert [(e.name, e.ts_event) for e in got] == [("a", at)]
    finally:
        loop.close()


def test_clock_base_is_abstract():
    from alphaforge.common import Clock

    with pytest.raises(TypeError, match="Clock is abstract: use TestClock or LiveClock"):
        Clock()
