"""End-to-end per-order cost: strategy submit -> RiskEngine -> ExecutionEngine -> SimulatedExchange
(latency queue, accept, match on the next quote) -> OrderFilled + position event back to the strategy.

Usage: ``python scripts/bench_execution.py [--n 200000] [--repeat 3]``

Figures are ns per market order in thread CPU time (``time.thread_time_ns``; a shared machine's load
inflates wall time but much less CPU time), best of ``--repeat`` runs; the C driver
(``alphaforge._core.bench_execution.market_round_trips``) creates each order with
``OrderFactory.market_c``, submits it through ``RiskEngine.submit_order_c`` and feeds the next quote
to ``SimulatedExchange.process_quote``; orders alternate BUY/SELL so the netting position opens and
closes (events per order: Submitted, Accepted, Filled, PositionOpened/Closed).

Rows:
* ``create order only``: ``OrderFactory.market_c`` (baseline floor, same run);
* ``submit only``: create + risk checks + OMS submit (OrderSubmitted, queue), no venue;
* ``round trip, no cache, no handler``: the whole path with no strategy registered (engine cost);
* ``round trip, no cache``: the whole path, strategy handler = a Python object counting events;
* ``round trip, with Cache``: the same with the trading Cache updated (add_order / update_order /
  add_position / update_position);
* ``..., gc off``: the same with the cyclic GC paused, as ``BacktestEngine.run`` does;
* ``first vs last fifth``: per-order cost of the first and last 20% of the run (must not grow);
* ``baseline: plain-Python round trip``: a minimal dict-based simulator doing the same steps
  (order dict, risk check, queue, fill at the quote, net position, handler calls) without
  validation, ids, events objects or accounts. Ratio = baseline / ours (> 1: we are faster).
Target (issue): >= 300,000 orders/s round trip, i.e. <= 3,333 ns per order.
"""

import argparse
import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alphaforge._core.bench_execution import create_only, market_round_trips  # noqa: E402
from alphaforge._core.clock import TestClock  # noqa: E402
from alphaforge._core.columnar import quotes_from_arrays  # noqa: E402
from alphaforge._core.identifiers import InstrumentId, StrategyId, TraderId  # noqa: E402
from alphaforge._core.instruments import Equity  # noqa: E402
from alphaforge._core.order_factory import OrderFactory  # noqa: E402
from alphaforge._core.portfolio import Portfolio  # noqa: E402
from alphaforge._core.trading_cache import Cache  # noqa: E402
from alphaforge.execution import ExecutionEngine, SimulatedExchange  # noqa: E402
from alphaforge.risk import RiskEngine  # noqa: E402

IID = InstrumentId.from_str("BENCH.XBEN")
INST = Equity(IID, 2, "USD", taker_fee=0.0001)
TARGET_NS = 1e9 / 300_000


class CountingHandler:
    def __init__(self):
        self.n = 0

    def handle_order_event(self, event):
        self.n += 1

    def handle_position_event(self, event):
        self.n += 1


def build(with_cache, handler=True):
    clock = TestClock(1000)
    cache = Cache() if with_cache else None
    pf = Portfolio(cache)
    ex = SimulatedExchange("XBEN", "NETTING", "MARGIN", None, ["1000000000 USD"], clock)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, cache, pf)
    ee.register_venue(ex)
    h = CountingHandler()
    sid = StrategyId("S-1")
    if handler:
        ee.register_strategy(sid, h)
    risk = RiskEngine(ee, cache, pf, clock, {"max_order_submit_rate": None, "max_order_modify_rate": None})
    fac = OrderFactory(TraderId("T-1"), sid, clock, cache)
    fac.register_instrument(INST)
    q = quotes_from_arrays([1000], [99.99], [100.0], [1e6], [1e6], price_precision=2, instrument_id=IID)
    ex.process(q)
    return clock, ex, risk, fac, q, h


def run(n, with_cache, submit_only=False, handler=True):
    clock, ex, risk, fac, q, h = build(with_cache, handler)
    chunk = max(n // 5, 1)
    r = market_round_trips(risk, ex, fac, IID, clock, q, n, chunk, 1_000_000_000, 0, True, submit_only)
    if not submit_only and handler:
        assert h.n == 4 * n, (h.n, n)
    return r / chunk


def plain_python(n):
    """Minimal dict-based simulator of the same round trip."""
    orders = {}
    queue = []
    net = {}
    events = [0]

    def handler(ev):
        events[0] += 1

    ask, bid = 100.0, 99.99
    t0 = time.thread_time_ns()
    side = 1
    for i in range(n):
        oid = i + 1
        order = {"id": oid, "side": side, "qty": 1.0, "status": "INIT", "inst": "BENCH.XBEN"}
        if order["qty"] <= 0 or order["inst"] not in ("BENCH.XBEN",):
            raise ValueError
        orders[oid] = order
        order["status"] = "SUBMITTED"
        handler(("submitted", oid))
        queue.append((i * 1000, oid))
        # next quote: apply commands, match
        for _, qid in queue:
            o = orders[qid]
            o["status"] = "ACCEPTED"
            handler(("accepted", qid))
            px = ask if o["side"] == 1 else bid
            o["status"] = "FILLED"
            o["px"] = px
            handler(("filled", qid, px))
            key = (o["inst"], "S-1")
            net[key] = net.get(key, 0.0) + (o["qty"] if o["side"] == 1 else -o["qty"])
            handler(("position", key, net[key]))
        queue.clear()
        side = 3 - side
    return (time.thread_time_ns() - t0) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    n = a.n
    gc.collect()
    clock, ex, risk, fac, q, h = build(False)
    create = min(create_only(fac, IID, n, 1_000_000_000, 0) / n for _ in range(a.repeat))
    submit = min(run(n // 4, False, submit_only=True).mean() for _ in range(a.repeat))
    nohandler = min(run(n, False, handler=False).mean() for _ in range(a.repeat))
    gc.disable()                      # as BacktestEngine.run does while its loop runs
    try:
        gcoff = min(run(n, False).mean() for _ in range(a.repeat))
        gcoffc = min(run(n, True).mean() for _ in range(a.repeat))
    finally:
        gc.enable()
    rt = [run(n, False) for _ in range(a.repeat)]
    best = min(rt, key=lambda r: r.mean())
    rtc = [run(n, True) for _ in range(a.repeat)]
    bestc = min(rtc, key=lambda r: r.mean())
    base = min(plain_python(n) for _ in range(a.repeat))
    print(f"orders per run: {n:,}   (thread CPU ns per order, best of {a.repeat})")
    print(f"  create order only                 {create:9.0f} ns")
    print(f"  submit only (risk + OMS)          {submit:9.0f} ns")
    print(f"  round trip, no cache, no handler  {nohandler:9.0f} ns   {1e9 / nohandler:10,.0f} orders/s")
    print(f"  round trip, no cache              {best.mean():9.0f} ns   {1e9 / best.mean():10,.0f} orders/s"
          f"   target {TARGET_NS:.0f} ns: {'met' if best.mean() <= TARGET_NS else 'NOT met'}")
    print(f"  round trip, with Cache            {bestc.mean():9.0f} ns   {1e9 / bestc.mean():10,.0f} orders/s")
    print(f"  round trip, no cache, gc off      {gcoff:9.0f} ns   {1e9 / gcoff:10,.0f} orders/s")
    print(f"  round trip, with Cache, gc off    {gcoffc:9.0f} ns   {1e9 / gcoffc:10,.0f} orders/s")
    print(f"  first vs last fifth (no cache)    {best[0]:9.0f} ns -> {best[-1]:.0f} ns")
    print(f"  first vs last fifth (with Cache)  {bestc[0]:9.0f} ns -> {bestc[-1]:.0f} ns")
    print(f"  baseline: plain-Python round trip {base:9.0f} ns   ratio baseline/ours (no cache): "
          f"{base / best.mean():.2f}")


if __name__ == "__main__":
    main()
