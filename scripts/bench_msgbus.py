"""Message bus publish cost in ns/op, with baselines measured in the same run.

Usage: ``python scripts/bench_msgbus.py [--n 1000000] [--repeat 9]``

Every figure is process CPU time (``time.process_time``), the minimum over ``--repeat`` runs of
``--n`` operations (the least-disturbed run; the machine may be shared). Python-loop rows include the interpreter's loop overhead, which is
also printed on its own ("python loop, empty body") so it can be subtracted.

Rows:
* baselines: an empty Python loop; calling the handler directly from Python; a minimal
  plain-Python bus (dict lookup + for loop over handlers); ``blinker.Signal.send`` when installed;
  from C, a direct ``Handler.handle`` call and a dict lookup + direct call (the floor of any
  topic-keyed publish).
* AlphaForge ``MessageBus``: ``publish`` from Python and ``publish_c``/``publish_route_c`` from a
  C loop, to 1 and 10 subscribers, Python and cdef handlers.
* ``TestClock``: cost per timer event of the backtest loop's C path (``next_event_ns`` +
  ``pop_next_event_c``) with 1 and 100 active timers.

Targets (issue 2): publish to one Python handler from Python <= 150 ns; publish to a cdef handler
from C <= 25 ns.
"""

import argparse
import sys
import time
import timeit
from pathlib import Path

# Run from a source checkout without installing: the in-place build (setup.py build_ext --inplace)
# sits next to this folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alphaforge._core.bench_msgbus import (  # noqa: E402
    CountingHandler,
    dict_handle_loop,
    direct_handle_loop,
    publish_loop,
    publish_route_loop,
    send_loop,
    timer_pop_loop,
)
from alphaforge.common import MessageBus, TestClock  # noqa: E402

TOPIC = "data.trades.BINANCE.BTCUSDT"
PATTERN = "data.trades.*"


def py_handler(msg):
    return None


class PlainBus:
    """Minimal pure-Python bus: exact-topic dict of handler lists (no wildcards, no counters)."""

    def __init__(self):
        self.routes = {}

    def subscribe(self, topic, handler):
        self.routes.setdefault(topic, []).append(handler)

    def publish(self, topic, msg):
        for h in self.routes.get(topic, ()):
            h(msg)


def make_bus(k: int, kind: str) -> MessageBus:
    bus = MessageBus()
    for i in range(k):
        h = CountingHandler() if kind == "cdef" else (lambda m, _i=i: None)
        bus.subscribe(PATTERN, h)
    bus.publish(TOPIC, 0)  # warm the route cache
    return bus


def py_ns(stmt: str, env: dict, n: int, repeat: int) -> float:
    return min(timeit.repeat(stmt, globals=env, number=n, repeat=repeat, timer=time.process_time)) / n * 1e9


def c_ns(fn, n: int, repeat: int) -> float:
    return min(fn() for _ in range(repeat)) / n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="operations per timed run")
    ap.add_argument("--repeat", type=int, default=9, help="timed runs per row (minimum reported)")
    args = ap.parse_args()
    n, rep = args.n, args.repeat
    msg = object()
    rows: list[tuple[str, float]] = []

    def row(label: str, ns: float) -> float:
        rows.append((label, ns))
        print(f"{label:<62s} {ns:9.1f} ns/op", flush=True)
        return ns

    print(f"python {sys.version.split()[0]}, n={n:,}, repeat={rep} (min reported)\n")
    print("-- baselines, from Python --")
    loop = row("python loop, empty body", py_ns("pass", {}, n, rep))
    direct = row("python: handler(msg) called directly", py_ns("h(m)", {"h": py_handler, "m": msg}, n, rep))
    plain = PlainBus()
    plain.subscribe(TOPIC, py_handler)
    plain_ns = row("python: plain-Python bus publish -> 1 py handler", py_ns("p(t, m)", {"p": plain.publish, "t": TOPIC, "m": msg}, n, rep))
    try:
        import blinker

        sig = blinker.Signal()

        def blinker_receiver(sender, **kw):
            return None

        sig.connect(blinker_receiver)
        row("python: blinker.Signal.send -> 1 receiver", py_ns("s(m)", {"s": sig.send, "m": msg}, n, rep))
    except ImportError:
        print("(blinker not installed: row skipped)")

    print("\n-- AlphaForge MessageBus.publish, from Python --")
    results = {}
    for kind in ("python", "cdef"):
        for k in (1, 10):
            bus = make_bus(k, kind)
            results[("py", kind, k)] = row(
                f"publish -> {k:>2} {kind} handler(s)", py_ns("p(t, m)", {"p": bus.publish, "t": TOPIC, "m": msg}, n, rep)
            )

    print("\n-- from a C loop (bench_msgbus) --")
    h = CountingHandler()
    c_direct = row("C: handler.handle(msg) direct (floor)", c_ns(lambda: direct_handle_loop(h, msg, n), n, rep))
    c_dict = row("C: dict lookup + handler.handle(msg) (topic-keyed floor)", c_ns(lambda: dict_handle_loop({TOPIC: 1}, TOPIC, h, msg, n), n, rep))
    for kind in ("cdef", "python"):
        for k in (1, 10):
            bus = make_bus(k, kind)
            results[("c", kind, k)] = row(f"C: publish_c -> {k:>2} {kind} handler(s)", c_ns(lambda b=bus: publish_loop(b, TOPIC, msg, n), n, rep))
    bus = make_bus(1, "cdef")
    route1 = row("C: publish_route_c (pre-resolved route) -> 1 cdef handler", c_ns(lambda: publish_route_loop(bus, TOPIC, msg, n), n, rep))
    bus.register("ep", CountingHandler())
    row("C: send_c -> cdef endpoint handler", c_ns(lambda: send_loop(bus, "ep", msg, n), n, rep))

    print("\n-- TestClock timer events, C loop (next_event_ns + pop_next_event_c, builds TimeEvent) --")
    for k in (1, 100):
        best = float("inf")
        for _ in range(max(3, rep // 3)):
            clock = TestClock(0)
            for i in range(k):
                clock.set_timer(f"timer{i:03d}", 1_000 + i)
            events, ns = timer_pop_loop(clock, (n // k) * 1_000)
            best = min(best, ns / events)
        row(f"C: timer event pop, {k:>3} active timer(s)", best)

    py1 = results[("py", "python", 1)]
    c1 = results[("c", "cdef", 1)]
    print("\n-- ratios --")
    print(f"publish->1 py handler (Python) / direct handler call      : {py1 / direct:6.2f}x")
    print(f"publish->1 py handler (Python) / plain-Python bus         : {py1 / plain_ns:6.2f}x")
    print(f"publish->1 py handler net of loop overhead                : {py1 - loop:6.1f} ns")
    print(f"publish_c->1 cdef handler / C dict+handle floor           : {c1 / c_dict:6.2f}x")
    print(f"publish_c->1 cdef handler / direct C handle               : {c1 / c_direct:6.2f}x")
    print(f"publish_route_c->1 cdef / publish_c->1 cdef               : {route1 / c1:6.2f}x")
    print("\n-- targets --")
    ok1 = py1 <= 150
    ok2 = c1 <= 25
    print(f"publish to one Python handler from Python: {py1:6.1f} ns (target <= 150) {'OK' if ok1 else 'MISSED'}")
    print(f"publish to one cdef handler from C       : {c1:6.1f} ns (target <= 25)  {'OK' if ok2 else 'MISSED'}")
    print(f"(CPU time of this run: {time.process_time():.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
