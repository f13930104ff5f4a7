"""Bar aggregation speed in ticks/s, with baselines measured in the same run.

Usage: ``python scripts/bench_aggregation.py [--n 5000000] [--py-n 1000000] [--repeat 5]``

Workload: the synthetic trades of ``/work/shared/bench/gen_data.py`` (seed 7) from ``/tmp/afdata``
(generated into a temporary folder when missing), as a TRADE_TICK_DTYPE array (price precision 2).
Every figure is the best of ``--repeat`` runs; both process CPU time (``time.process_time``, less
disturbed on a shared machine) and wall time are printed.

Rows (each for 1-MINUTE time bars, 1000-TICK, 50000-VOLUME and 1000000-VALUE bars):
* ``python/update``: ``agg.update(ts, price_raw, size_raw, side)`` called per tick from a Python
  ``for`` loop over lists (the user's streaming path);
* ``python/map``: the same method called per tick by ``map`` (no Python bytecode per tick);
* ``engine/C records``: one C record at a time through the cdef ``handle_trade`` with clock timers
  and per-record bar draining (``bench_aggregation.stream_records``, the DataEngine's pattern);
* ``DataEngine.process``: the whole engine on the record array (validation, last-trade state,
  the internal bar type's aggregator, bar publishing with no handler), and without any bar
  subscription as its own baseline;
* ``batch/aggregate``: ``aggregate(records, spec)`` (nogil loop over the record array).
Baselines: the empty Python loop, a plain-Python aggregator with the same rule (same process), and
numpy's own pass over the same columns (``np.maximum.reduceat`` etc. are not equivalent, so the
floor shown is ``records['price'].max()``, a single read of the price column).

Targets (issue 4): python >= 8M ticks/s (time, tick, volume); engine >= 30M ticks/s; batch >= 150M
ticks/s on 5M trades. NautilusTrader 1.231 on this machine (issue text): 1.7M (time), 2.3M (tick),
1.9M (volume), 0.35M (value) ticks/s per tick from Python.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alphaforge._core.bench_aggregation import stream_records  # noqa: E402
from alphaforge._core.instruments import CryptoPerpetual  # noqa: E402
from alphaforge._core.records import TRADE_TICK_DTYPE  # noqa: E402
from alphaforge.data.aggregation import aggregate, make_aggregator  # noqa: E402
from alphaforge.data.engine import DataEngine  # noqa: E402

SPECS = ["1-MINUTE-LAST", "1000-TICK-LAST", "50000-VOLUME-LAST", "1000000-VALUE-LAST"]
TARGET = {"python": 8e6, "engine": 30e6, "batch": 150e6}
NAUTILUS = {"1-MINUTE-LAST": 1.7e6, "1000-TICK-LAST": 2.3e6, "50000-VOLUME-LAST": 1.9e6,
            "1000000-VALUE-LAST": 0.35e6}
GEN = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench" / "gen_data.py"


def load_trades(n: int) -> np.ndarray:
    d = Path("/tmp/afdata")
    names = ("ticks_ts_ns", "ticks_price", "ticks_size", "ticks_side")
    if not all((d / f"{x}.npy").exists() for x in names):
        d = Path(tempfile.mkdtemp(prefix="afdata"))
        subprocess.run([sys.executable, str(GEN), str(d), "--ticks", str(n), "--bars", "10",
                        "--deltas", "10", "--seed", "7"], check=True)
    cols = {x: np.load(d / f"{x}.npy")[:n] for x in names}
    recs = np.zeros(len(cols["ticks_ts_ns"]), TRADE_TICK_DTYPE)
    recs["ts_event"] = cols["ticks_ts_ns"]
    recs["ts_init"] = cols["ticks_ts_ns"]
    recs["price"] = np.round(cols["ticks_price"] * 100).astype(np.int64) * 10_000_000
    recs["size"] = np.round(cols["ticks_size"]).astype(np.int64) * 1_000_000_000
    recs["aggressor_side"] = cols["ticks_side"]
    recs["price_prec"], recs["size_prec"] = 2, 0
    return recs


def best(fn, repeat):
    """(min CPU seconds, min wall seconds) over `repeat` runs of fn()."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall)


class PlainTickBars:
    """Plain-Python baseline: the 1000-TICK rule with OHLCV in attributes."""

    def __init__(self, n):
        self.n, self.k, self.bars = n, 0, []
        self.o = self.h = self.l = self.c = None
        self.v = 0

    def update(self, ts, price, size, side):
        if self.k == 0:
            self.o = self.h = self.l = price
            self.v = 0
        elif price > self.h:
            self.h = price
        elif price < self.l:
            self.l = price
        self.c = price
        self.v += size
        self.k += 1
        if self.k == self.n:
            self.bars.append((ts, self.o, self.h, self.l, self.c, self.v))
            self.k = 0


def row(label, n, secs, target=None, base=None):
    cpu, wall = secs
    rate = n / cpu
    s = f"{label:<44} {rate / 1e6:9.1f}M/s cpu {1e9 * cpu / n:7.1f} ns/tick  (wall {n / wall / 1e6:7.1f}M/s)"
    if target:
        s += f"  target {target / 1e6:.0f}M: {'OK' if rate >= target else 'BELOW'}"
    if base:
        s += f"  x{rate / base:.1f} vs {base / 1e6:.2f}M"
    print(s, flush=True)
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5_000_000, help="ticks for engine/batch rows")
    ap.add_argument("--py-n", type=int, default=1_000_000, help="ticks for Python-loop rows")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    recs = load_trades(args.n)
    n = len(recs)
    pn = min(args.py_n, n)
    sub = recs[:pn]
    ts, px, sz, sd = (sub[f].tolist() for f in ("ts_event", "price", "size", "aggressor_side"))
    print(f"{n:,} trades for engine/batch rows, {pn:,} for Python-loop rows; best of {args.repeat}")

    print("-- baselines")

    def empty_loop():
        for _t, _p, _s, _d in zip(ts, px, sz, sd, strict=True):
            pass
    row("python: empty for-loop over the 4 lists", pn, best(empty_loop, args.repeat))

    def plain():
        u = PlainTickBars(1000).update
        for t, p, s, d in zip(ts, px, sz, sd, strict=True):
            u(t, p, s, d)
    plain_rate = row("python: plain-Python 1000-TICK aggregator", pn, best(plain, args.repeat))
    row("numpy: records['price'].max() (one column read)", n,
        best(lambda: recs["price"].max(), args.repeat))
    inst = CryptoPerpetual("BTCUSDT.BINANCE", "BTC", "USDT", "USDT", 2, 0)
    recs["instrument_id"] = inst.id.index

    def engine_run(spec=None):
        eng = DataEngine(validation="raise")
        eng.add_instrument(inst)
        if spec:
            eng.subscribe_bars(f"{inst.id}-{spec}-INTERNAL")
        eng.process(recs)
    row("DataEngine.process, no subscription", n, best(engine_run, args.repeat))

    for spec in SPECS:
        print(f"-- {spec}")

        def py_loop(spec=spec):
            u = make_aggregator(spec).update
            for t, p, s, d in zip(ts, px, sz, sd, strict=True):
                u(t, p, s, d)

        def py_map(spec=spec):
            deque(map(make_aggregator(spec).update, ts, px, sz, sd), maxlen=0)

        naut = NAUTILUS[spec]
        r = row("python/update per tick (for loop)", pn, best(py_loop, args.repeat), TARGET["python"], naut)
        if spec == "1000-TICK-LAST":
            print(f"{'':44} x{r / plain_rate:.1f} vs the plain-Python aggregator")
        row("python/update per tick (map)", pn, best(py_map, args.repeat), TARGET["python"], naut)
        is_time = "MINUTE" in spec
        row("engine/C records (handle_trade + timers)", n,
            best(lambda spec=spec, t=is_time: stream_records(make_aggregator(spec), recs, close_last=t),
                 args.repeat), TARGET["engine"])
        row("DataEngine.process, internal bar type", n,
            best(lambda spec=spec: engine_run(spec), args.repeat), TARGET["engine"])
        row("batch/aggregate (nogil)", n, best(lambda spec=spec: aggregate(recs, spec), args.repeat),
            TARGET["batch"])


if __name__ == "__main__":
    main()
