"""Backtest engine speed (issue 7, "Speed"): bars/s, ticks/s, orders/s and peak memory, each with a
baseline measured in the same run.

Usage: ``python scripts/bench_backtest.py [--quick] [--repeat 3] [--only WORKLOAD]``
(``--quick`` shrinks every size 10x; ``--only`` runs one of bars, bars-engine, ticks, orders, memory,
pages; ``bars-engine`` runs only the engine's bar backtest ``--repeat`` times, for profilers;
``pages`` prints what this machine charges to first-touch a fresh 4 KB page of memory, run on its
own because touching memory warms the kernel's free pages for whatever runs next).

Workloads (the deterministic generator ``../shared/bench/gen_data.py``, imported, seed 7):

1. ``bars``: EMA(10)/EMA(20) cross (``alphaforge.strategies.EMACross``, trade size 1, NETTING/MARGIN,
   1,000,000 USD, no fees) on ``make_bars(1_000_000, default_rng(7))`` one-minute bars added as
   ``TEST.SIM-1-MINUTE-LAST-EXTERNAL``. Printed: bars/s over the loop (``BacktestResult.elapsed_s``,
   the wall time of the C loop), and end to end (engine construction + ``add_data`` (float columns
   -> records) + ``run``), in wall time and in process CPU time (``time.process_time``; the machine
   is shared, CPU time is less disturbed by other load); the fills (must be 44,598) and final equity
   (must be 1,000,077.81). Baseline: the tightest plain-Python event loop doing the same strategy
   (per bar: fill the pending order at the open, update both EMAs seeded with the SMA, test the
   cross, set the target) over Python lists; it must give the same fills and equity. Ratio = baseline
   time / engine time (> 1: the engine is faster). Also the engine's loop on the same bars with a
   strategy whose ``on_bar`` only counts (workload 3's strategy, no orders): the bar-delivery floor.
2. ``ticks``: ``rng = default_rng(7); make_bars(1_000_000, rng); make_ticks(5_000_000, rng)`` (the
   ``gen_data.main`` stream) built with ``alphaforge.model.trades_from_arrays`` (price precision 2,
   size precision 0, aggressor side), the same EMACross on ``TICK.SIM-1-MINUTE-LAST-INTERNAL`` bars
   the engine aggregates: ticks/s (loop and end to end). Baseline: a plain-Python loop over the
   ticks aggregating [t, t+1m) minute bars, running the same cross and filling each market order at
   the first trade after the bar close; its fills and final equity are checked against the engine's.
3. ``orders``: 100,000 market orders round trip: a strategy submits one market order (quantity 1,
   alternately BUY and SELL, so a NETTING position opens and closes every two orders) on each of
   100,001 one-minute bars and counts the fills in ``on_order_filled``; orders/s over the loop, the
   cost per order (wall and the loop thread's CPU time, best of the runs) of the first and the last
   10% of the orders (must not grow), and the per-order cost net of bar delivery (baseline 1: the
   same bars with a strategy that only counts bars). Baseline 2: a plain-Python dict simulator of
   the same steps (order dict, queue, fill at the next bar's open, net position, position
   open/close bookkeeping, fill callback).
4. ``memory``: peak RSS (``VmHWM``, see ``peak_rss_mb``) of a fresh subprocess that generates the
   bars and runs workload 1, printed after the run and after the reports (``fills_report()``,
   ``stats()``); the RSS right before the run (psutil) as the baseline.

The engine's runs use the arena cache (``alphaforge.backtest.arena_cache``: a helper thread faults
the loop's memory in ahead on the other core, arenas freed during a run are reused);
``ALPHAFORGE_ARENA_CACHE=0`` measures without it. Workload 3 also prints its first run alone.

Every timed figure is the best of ``--repeat`` runs (engine and baseline runs interleaved so they
share the machine's load). Targets (issue 7): >= 1M bars/s end to end, >= 5M ticks/s, >= 300K
orders/s round trip with a flat per-order cost, peak memory <= 500 MB for the 1M-bar run.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from alphaforge.backtest import BacktestEngine, arena_cache  # noqa: E402
from alphaforge.model import BarType, Equity, InstrumentId, OrderSide, trades_from_arrays  # noqa: E402
from alphaforge.strategies import EMACross, EMACrossConfig  # noqa: E402
from alphaforge.trading import Strategy, StrategyConfig  # noqa: E402

GEN = (ROOT / ".." / "shared" / "bench" / "gen_data.py").resolve()
MIN_NS = 60_000_000_000
TARGET = {"bars": 1_000_000, "ticks": 5_000_000, "orders": 300_000, "memory_mb": 500}
EXPECTED_FILLS, EXPECTED_EQUITY = 44_598, 1_000_077.81


def gen_data():
    """``../shared/bench/gen_data.py`` as a module."""
    spec = importlib.util.spec_from_file_location("alphaforge_gen_data", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_bars(n: int) -> dict:
    return gen_data().make_bars(n, np.random.default_rng(7))


def make_ticks(n: int) -> dict:
    g = gen_data()
    rng = np.random.default_rng(7)
    g.make_bars(1_000_000, rng)  # the gen_data.main stream: bars first, then ticks
    return g.make_ticks(n, rng)


class Timer:
    """Wall (perf_counter) and process CPU (process_time) seconds of a block."""

    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0


def _engine(iid: InstrumentId) -> BacktestEngine:
    engine = BacktestEngine()
    engine.add_venue(iid.venue.value, oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["1000000 USD"])
    engine.add_instrument(Equity(iid, price_precision=2, currency="USD"))
    return engine


# -- 1. EMA cross on bars -----------------------------------------------------------------------

BAR_TYPE = "TEST.SIM-1-MINUTE-LAST-EXTERNAL"


def engine_bars(bars: dict) -> dict:
    """Workload 1 through the engine: construction + add_data + run, timed; then fills/equity."""
    with Timer() as total:
        bt = BarType.from_str(BAR_TYPE)
        engine = _engine(bt.instrument_id)
        engine.add_data(bt, bars)
        engine.add_strategy(EMACross(EMACrossConfig(bar_type=bt, fast=10, slow=20, trade_size=1.0)))
        with Timer() as run:
            result = engine.run(progress=False)
    return {"n": result.events, "loop": result.elapsed_s, "run_wall": run.wall, "run_cpu": run.cpu,
            "wall": total.wall, "cpu": total.cpu, "fills": len(result.fills_report()),
            "equity": result.stats()["final_equity"]}


def python_bars(open_: np.ndarray, close: np.ndarray, fast: int = 10, slow: int = 20, size: float = 1.0,
                cash: float = 1_000_000.0) -> tuple[int, float]:
    """Plain-Python event loop of the same strategy (see the module docstring, workload 1).
    Returns (fills, final equity marked at the last close)."""
    o, c = open_.tolist(), close.tolist()
    af, a_s = 2.0 / (fast + 1), 2.0 / (slow + 1)
    ef = es = pf = ps = 0.0
    seed_f, seed_s = [], []
    count, has_prev = 0, False
    pos, fills, pending = 0.0, 0, None
    for i in range(len(c)):
        if pending is not None:  # the market order decided on the previous close fills at this open
            cash -= (pending - pos) * o[i]
            pos = pending
            fills += 1
            pending = None
        x = c[i]
        count += 1
        if count <= fast:
            seed_f.append(x)
            if count == fast:
                ef = math.fsum(seed_f) / fast
        else:
            ef = ef * (1 - af) + x * af
        if count <= slow:
            seed_s.append(x)
            if count < slow:
                continue
            es = math.fsum(seed_s) / slow
        else:
            es = es * (1 - a_s) + x * a_s
        if has_prev:
            if pf <= ps and ef > es and pos != size:
                pending = size
            elif pf >= ps and ef < es and pos != -size:
                pending = -size
        pf, ps, has_prev = ef, es, True
    return fills, cash + pos * c[-1]


def bench_bars(n: int, repeat: int) -> None:
    bars = make_bars(n)
    eng, base, idle = [], [], []
    for _ in range(repeat):
        gc.collect()
        eng.append(engine_bars(bars))
        gc.collect()
        with Timer() as t:
            fills, equity = python_bars(bars["open"], bars["close"])
        base.append({"wall": t.wall, "cpu": t.cpu, "fills": fills, "equity": equity})
        gc.collect()
        idle.append(engine_orders(bars, 0, submit=False)["loop"])
    e = eng[0]
    loop = min(r["loop"] for r in eng)
    run_cpu = min(r["run_cpu"] for r in eng)
    wall = min(r["wall"] for r in eng)
    cpu = min(r["cpu"] for r in eng)
    bw = min(r["wall"] for r in base)
    bc = min(r["cpu"] for r in base)
    print(f"1. EMA(10)/EMA(20) cross, {n:,} one-minute bars (gen_data seed 7), best of {repeat}")
    print(f"   engine loop (elapsed_s)          {loop:8.3f} s wall  {n / loop:12,.0f} bars/s")
    print(f"   engine run() incl. build        {min(r['run_wall'] for r in eng):8.3f} s wall"
          f"  {run_cpu:8.3f} s CPU  {n / run_cpu:12,.0f} bars/s (CPU)")
    print(f"   end to end (engine+add_data+run) {wall:8.3f} s wall  {cpu:8.3f} s CPU"
          f"  {n / wall:12,.0f} bars/s (wall)  {n / cpu:12,.0f} bars/s (CPU)"
          f"   target {TARGET['bars']:,}: {'met' if n / cpu >= TARGET['bars'] else 'NOT met'}")
    ok = e["fills"] == EXPECTED_FILLS and round(e["equity"], 2) == EXPECTED_EQUITY
    check = "" if n != 1_000_000 else f"   (expected {EXPECTED_FILLS:,} / {EXPECTED_EQUITY:,.2f}: {'OK' if ok else 'MISMATCH'})"
    print(f"   engine fills {e['fills']:,}  final equity {e['equity']:,.2f}{check}")
    b = base[0]
    same = b["fills"] == e["fills"] and round(b["equity"], 2) == round(e["equity"], 2)
    print(f"   baseline: plain-Python loop      {bw:8.3f} s wall  {bc:8.3f} s CPU  {n / bc:12,.0f} bars/s (CPU)"
          f"   fills {b['fills']:,} equity {b['equity']:,.2f} ({'same' if same else 'DIFFERENT'})")
    print(f"   ratio baseline/engine: loop {bw / loop:.2f}x (wall)   end to end {bc / cpu:.2f}x (CPU)")
    print(f"   engine, same bars to a Python on_bar that only counts (no indicators, no orders): loop "
          f"{min(idle):.3f} s wall  {n / min(idle):12,.0f} bars/s")


# -- 2. trade ticks -> internal minute bars ---------------------------------------------------

TICK_IID = "TICK.SIM"


def engine_ticks(tk: dict) -> dict:
    with Timer() as total:
        iid = InstrumentId.from_str(TICK_IID)
        with Timer() as build:
            recs = trades_from_arrays(tk["ts_ns"], tk["price"], tk["size"], price_precision=2, size_precision=0,
                                      aggressor_side=tk["side"], instrument_id=iid)
        with Timer() as add:
            engine = _engine(iid)
            engine.add_data(recs)
        bt = BarType.from_str(f"{TICK_IID}-1-MINUTE-LAST-INTERNAL")
        engine.add_strategy(EMACross(EMACrossConfig(bar_type=bt, fast=10, slow=20, trade_size=1.0)))
        with Timer() as run:
            result = engine.run(progress=False)
    fills = result.fills_report()
    return {"n": result.events, "loop": result.elapsed_s, "run_wall": run.wall, "run_cpu": run.cpu,
            "records_cpu": build.cpu, "add_cpu": add.cpu,
            "wall": total.wall, "cpu": total.cpu, "fills": len(fills), "orders": fills["client_order_id"].nunique(),
            "equity": result.stats()["final_equity"]}


def python_ticks(ts: np.ndarray, price: np.ndarray, fast: int = 10, slow: int = 20, size: float = 1.0,
                 cash: float = 1_000_000.0) -> tuple[int, int, float]:
    """Plain-Python tick loop: [t, t+1m) minute bars closed when a trade at or after the boundary
    arrives, the same cross on the closes, each market order filled at the first trade after the
    close. Returns (bars, fills, final equity marked at the last trade)."""
    tl, pl = ts.tolist(), price.tolist()
    af, a_s = 2.0 / (fast + 1), 2.0 / (slow + 1)
    ef = es = pf = ps = 0.0
    seed_f, seed_s = [], []
    count, has_prev = 0, False
    pos, fills, pending = 0.0, 0, None
    bar_end = (tl[0] // MIN_NS + 1) * MIN_NS
    last = pl[0]
    for i in range(len(tl)):
        t = tl[i]
        if t >= bar_end:  # close the bar [bar_end - 1m, bar_end) at its last trade
            x = last
            count += 1
            bar_end = (t // MIN_NS + 1) * MIN_NS
            if count <= fast:
                seed_f.append(x)
                if count == fast:
                    ef = math.fsum(seed_f) / fast
            else:
                ef = ef * (1 - af) + x * af
            if count <= slow:
                seed_s.append(x)
                if count == slow:
                    es = math.fsum(seed_s) / slow
            else:
                es = es * (1 - a_s) + x * a_s
            if count >= slow:
                if has_prev:
                    if pf <= ps and ef > es and pos != size:
                        pending = size
                    elif pf >= ps and ef < es and pos != -size:
                        pending = -size
                pf, ps, has_prev = ef, es, True
        last = pl[i]
        if pending is not None:
            cash -= (pending - pos) * last
            pos = pending
            fills += 1
            pending = None
    return count, fills, cash + pos * last


def bench_ticks(n: int, repeat: int) -> None:
    tk = make_ticks(n)
    eng, base = [], []
    for _ in range(repeat):
        gc.collect()
        eng.append(engine_ticks(tk))
        gc.collect()
        with Timer() as t:
            nbars, fills, equity = python_ticks(tk["ts_ns"], tk["price"])
        base.append({"wall": t.wall, "cpu": t.cpu, "bars": nbars, "fills": fills, "equity": equity})
    e, b = eng[0], base[0]
    loop = min(r["loop"] for r in eng)
    wall = min(r["wall"] for r in eng)
    cpu = min(r["cpu"] for r in eng)
    bc = min(r["cpu"] for r in base)
    bw = min(r["wall"] for r in base)
    print(f"2. trade ticks -> 1-MINUTE-LAST-INTERNAL bars -> same EMACross, {n:,} trades, best of {repeat}")
    print(f"   engine loop (elapsed_s)          {loop:8.3f} s wall  {n / loop:12,.0f} ticks/s"
          f"   target {TARGET['ticks']:,}: {'met' if n / loop >= TARGET['ticks'] else 'NOT met'}")
    print(f"   engine run() incl. build        {min(r['run_wall'] for r in eng):8.3f} s wall"
          f"  {min(r['run_cpu'] for r in eng):8.3f} s CPU")
    print(f"   trades_from_arrays               {min(r['records_cpu'] for r in eng):8.3f} s CPU"
          f"   engine + add_data {min(r['add_cpu'] for r in eng):.3f} s CPU")
    print(f"   end to end (records+engine+run)  {wall:8.3f} s wall  {cpu:8.3f} s CPU"
          f"  {n / wall:12,.0f} ticks/s (wall)  {n / cpu:12,.0f} ticks/s (CPU)")
    same = b["fills"] == e["orders"] and round(b["equity"], 2) == round(e["equity"], 2)
    print(f"   engine: {e['orders']:,} orders filled in {e['fills']:,} fills (a fill is capped at the trade's size)"
          f"  final equity {e['equity']:,.2f}")
    print(f"   baseline: plain-Python loop      {bw:8.3f} s wall  {bc:8.3f} s CPU  {n / bc:12,.0f} ticks/s (CPU)"
          f"   bars {b['bars']:,} orders {b['fills']:,} equity {b['equity']:,.2f}"
          f" ({'same' if same else 'DIFFERENT: the baseline fills each order whole at one trade'})")
    print(f"   ratio baseline/engine: loop {bw / loop:.2f}x (wall)   end to end {bc / cpu:.2f}x (CPU)")


# -- 3. market-order round trips --------------------------------------------------------------

ORDER_BAR_TYPE = "ORD.SIM-1-MINUTE-LAST-EXTERNAL"


class RoundTripConfig(StrategyConfig):
    bar_type: BarType
    orders: int = 100_000
    submit: bool = True


class OrderEveryBar(Strategy):
    """Submits one market order per bar (alternating BUY/SELL, quantity 1) until ``orders`` are
    submitted; counts fills and stamps wall and loop-thread CPU ns every tenth of the orders."""

    def __init__(self, config: RoundTripConfig) -> None:
        super().__init__(config)
        self.iid = config.bar_type.instrument_id
        self.submitted = 0
        self.filled = 0
        self.bars = 0
        self.step = max(config.orders // 10, 1)
        self.stamps: list[tuple[int, int, int]] = []

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar) -> None:
        self.bars += 1
        if self.config.submit and self.submitted < self.config.orders:
            side = OrderSide.BUY if self.submitted % 2 == 0 else OrderSide.SELL
            self.submitted += 1
            self.submit_order(self.order_factory.market(self.iid, side, 1))

    def on_order_filled(self, fill) -> None:
        if self.filled % self.step == 0:
            self.stamps.append((self.filled, time.perf_counter_ns(), time.thread_time_ns()))
        self.filled += 1
        if self.filled == self.config.orders:
            self.stamps.append((self.filled, time.perf_counter_ns(), time.thread_time_ns()))


def engine_orders(bars: dict, n: int, submit: bool = True) -> dict:
    bt = BarType.from_str(ORDER_BAR_TYPE)
    engine = _engine(bt.instrument_id)
    engine.add_data(bt, bars)
    strategy = OrderEveryBar(RoundTripConfig(bar_type=bt, orders=n, submit=submit))
    engine.add_strategy(strategy)
    with Timer() as run:
        result = engine.run(progress=False)
    return {"loop": result.elapsed_s, "run_cpu": run.cpu, "filled": strategy.filled, "bars": strategy.bars,
            "stamps": strategy.stamps, "closed": len(result.closed_positions)}


def python_orders(open_: np.ndarray, n: int) -> tuple[int, int]:
    """Plain-Python dict simulator of the round trip on the same bars. Returns (fills, closed)."""
    opens = open_.tolist()
    orders, queue = {}, []
    position = {"qty": 0.0, "cash": 0.0}
    filled = closed = submitted = 0
    fills_seen = [0]

    def on_order_filled(order):
        fills_seen[0] += 1

    for i in range(len(opens)):
        px = opens[i]
        for oid in queue:  # orders submitted on the previous bar fill at this bar's open
            o = orders[oid]
            o["status"] = "FILLED"
            o["px"] = px
            q = o["qty"] if o["side"] == 1 else -o["qty"]
            before = position["qty"]
            position["qty"] = before + q
            position["cash"] -= q * px
            if before != 0 and position["qty"] == 0:
                closed += 1
            filled += 1
            on_order_filled(o)
        queue.clear()
        if submitted < n:
            side = 1 if submitted % 2 == 0 else 2
            submitted += 1
            order = {"id": submitted, "side": side, "qty": 1.0, "status": "SUBMITTED", "ts": i}
            if order["qty"] <= 0:
                raise ValueError("quantity")
            orders[submitted] = order
            queue.append(submitted)
    assert fills_seen[0] == filled
    return filled, closed


def bench_orders(n: int, repeat: int) -> None:
    bars = make_bars(n + 1)
    rt, only, base = [], [], []
    for _ in range(repeat):
        gc.collect()
        rt.append(engine_orders(bars, n))
        gc.collect()
        only.append(engine_orders(bars, n, submit=False))
        gc.collect()
        with Timer() as t:
            filled, closed = python_orders(bars["open"], n)
        base.append({"wall": t.wall, "cpu": t.cpu, "filled": filled, "closed": closed})
    best = min(rt, key=lambda r: r["loop"])
    loop = best["loop"]
    bars_loop = min(r["loop"] for r in only)
    bc = min(r["cpu"] for r in base)
    bw = min(r["wall"] for r in base)
    assert all(r["filled"] == n and len(r["stamps"]) == 11 for r in rt), [r["filled"] for r in rt]

    def per_order(st, k):  # (wall, CPU) ns per order between the k-th and (k+1)-th tenth of the fills
        step = st[k + 1][0] - st[k][0]
        return (st[k + 1][1] - st[k][1]) / step, (st[k + 1][2] - st[k][2]) / step

    first_w = min(per_order(r["stamps"], 0)[0] for r in rt)
    first_c = min(per_order(r["stamps"], 0)[1] for r in rt)
    last_w = min(per_order(r["stamps"], 9)[0] for r in rt)
    last_c = min(per_order(r["stamps"], 9)[1] for r in rt)
    net = (loop - bars_loop) / n
    print(f"3. {n:,} market orders round trip (submit on a bar -> fill at the next open -> on_order_filled), "
          f"best of {repeat}")
    print(f"   engine loop (elapsed_s)          {loop:8.3f} s wall  {n / loop:12,.0f} orders/s (incl. bar delivery)"
          f"   target {TARGET['orders']:,}: {'met' if n / loop >= TARGET['orders'] else 'NOT met'}")
    rcpu = min(r['run_cpu'] for r in rt)
    print(f"   first run of the process         {rt[0]['loop']:8.3f} s wall  {n / rt[0]['loop']:12,.0f} orders/s"
          f"   (arena cache {'on' if arena_cache.stats()['installed'] else 'off: ALPHAFORGE_ARENA_CACHE=0'})")
    print(f"   engine run() CPU                 {rcpu:8.3f} s CPU  {n / rcpu:12,.0f} orders/s (CPU, the helper"
          f" thread's page faults included)"
          f"   fills {best['filled']:,}  positions closed {best['closed']:,}")
    print(f"   per order, first 10% of orders   {first_w:8.0f} ns wall  {first_c:8.0f} ns CPU (loop thread)")
    print(f"   per order, last 10% of orders    {last_w:8.0f} ns wall  {last_c:8.0f} ns CPU (loop thread)"
          f"   (last/first CPU {last_c / first_c:.2f})")
    print(f"   baseline 1: same bars, no orders {bars_loop:8.3f} s wall  -> net per order "
          f"{net * 1e9:8.0f} ns  {1 / net if net > 0 else float('inf'):12,.0f} orders/s net of bar delivery")
    b = base[0]
    print(f"   baseline 2: plain-Python dict simulator {bw:.3f} s wall {bc:.3f} s CPU  {n / bc:12,.0f} orders/s"
          f"   fills {b['filled']:,} closed {b['closed']:,}   ratio baseline/engine {bw / loop:.2f}x (wall)")


# -- 4. peak memory -----------------------------------------------------------------------------

def peak_rss_mb() -> float:
    """Peak RSS of this process image in MB: ``VmHWM`` of /proc/self/status (Linux). Not
    ``ru_maxrss``: Linux carries the parent's high-water mark over fork+exec into a child's
    ``ru_maxrss``, so a subprocess started by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(n: int) -> None:
    """Run in a fresh subprocess: print a JSON line of RSS figures in MB."""
    import psutil

    bars = make_bars(n)
    bt = BarType.from_str(BAR_TYPE)
    engine = _engine(bt.instrument_id)
    engine.add_data(bt, bars)
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=bt, fast=10, slow=20, trade_size=1.0)))
    before = psutil.Process().memory_info().rss / 2**20
    peak_before = peak_rss_mb()
    result = engine.run(progress=False)
    peak_run = peak_rss_mb()
    fills = len(result.fills_report())
    peak_fills = peak_rss_mb()
    result.stats()
    peak_reports = peak_rss_mb()
    print(json.dumps({"rss_before": before, "peak_before": peak_before, "peak_run": peak_run,
                      "peak_fills": peak_fills, "peak_reports": peak_reports, "fills": fills}))


def bench_memory(n: int) -> None:
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(n)], check=True,
                         capture_output=True, text=True).stdout
    m = json.loads(out.strip().splitlines()[-1])
    print(f"4. peak memory of the {n:,}-bar EMA-cross run (fresh subprocess, peak RSS = VmHWM)")
    print(f"   baseline: RSS before run() (imports + bars + records loaded) {m['rss_before']:7.1f} MB"
          f"  (peak so far {m['peak_before']:.1f} MB)")
    print(f"   peak after run()                 {m['peak_run']:7.1f} MB   (run added {m['peak_run'] - m['rss_before']:.1f} MB)"
          f"   target {TARGET['memory_mb']} MB: {'met' if m['peak_run'] <= TARGET['memory_mb'] else 'NOT met'}")
    print(f"   peak after fills_report()        {m['peak_fills']:7.1f} MB   ({m['fills']:,} fills)")
    print(f"   peak after stats()               {m['peak_reports']:7.1f} MB")


PAGE_PROBE = """
import time, numpy as np
out = []
for _ in range(2):
    t = time.perf_counter(); a = np.ones(256 * 2**20 // 8); out.append(time.perf_counter() - t); del a
print(' '.join(f'{x / (256 * 256) * 1e6:.2f}' for x in out))
"""


def page_touch_cost() -> tuple[float, float]:
    """Microseconds per 4 KB page to allocate and first-touch 256 MB in a fresh process: the
    first time, and again after freeing it (pages the kernel already backs). Context for the
    timings: a run whose heap grows pays the first figure per new page."""
    out = subprocess.run([sys.executable, "-c", PAGE_PROBE], check=True, capture_output=True, text=True).stdout
    first, again = (float(x) for x in out.split())
    return first, again


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="every size 10x smaller")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (best is printed)")
    ap.add_argument("--only", choices=["bars", "bars-engine", "ticks", "orders", "memory", "pages"])
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.memory_child:
        memory_child(a.memory_child)
        return
    div = 10 if a.quick else 1
    n_bars, n_ticks, n_orders = 1_000_000 // div, 5_000_000 // div, 100_000 // div
    if a.only == "bars-engine":
        bars = make_bars(n_bars)
        for _ in range(a.repeat):
            r = engine_bars(bars)
            print(f"loop {r['loop']:.3f} s  {r['n'] / r['loop']:,.0f} bars/s  fills {r['fills']:,}"
                  f"  equity {r['equity']:,.2f}")
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    if a.only == "pages":
        first, again = page_touch_cost()
        print(f"memory first touch (fresh process, 256 MB): {first:.2f} us per 4 KB page, {again:.2f} us reusing "
              f"freed pages (a run pays the first figure for each page its heap grows by)")
        return
    if a.only in (None, "bars"):
        bench_bars(n_bars, a.repeat)
    if a.only in (None, "ticks"):
        bench_ticks(n_ticks, a.repeat)
    if a.only in (None, "orders"):
        bench_orders(n_orders, a.repeat)
    if a.only in (None, "memory"):
        bench_memory(n_bars)


if __name__ == "__main__":
    main()
