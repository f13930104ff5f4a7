#!/usr/bin/env python
"""Loader and catalog speed, with same-run baselines.

    python scripts/bench_loaders.py [--rows N] [--repeat R]

1. The 5M-row synthetic trades CSV (``ts_ns,price,size,side`` from shared/bench/gen_data.py seed 7;
   /tmp/afdata/ticks.csv, generated into a temp dir if missing) loaded into a TRADE_TICK_DTYPE
   record array by ``alphaforge.data.loaders.load_csv`` (exact decimals, precision 2), against
   same-run baselines on the same file:
   * pandas.read_csv (C engine) + numpy to the same record array (float64 price rounded * 10^7),
   * pyarrow.csv.read_csv with typed columns (parsing only: no record array, no exactness checks).
2. Real files from shared/data through their format loaders (rows/s).
3. The Parquet catalog: write, query and stream (100k-row chunks) of the loaded trades.

Times are best-of-R wall clock; the machine is shared, so figures vary between runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from alphaforge._core.records import TRADE_TICK_DTYPE  # noqa: E402
from alphaforge.data import loaders as L  # noqa: E402
from alphaforge.data.catalog import ParquetCatalog  # noqa: E402

SHARED = REPO.parent / "shared"
COLUMNS = {"ts_event": "ts_ns", "price": "price", "size": "size", "aggressor_side": "side"}


def ticks_csv(rows: int) -> Path:
    default = Path("/tmp/afdata/ticks.csv")
    if rows == 5_000_000 and default.is_file() and (default.parent / "ticks_side.npy").is_file():
        return default
    out = Path(tempfile.mkdtemp(prefix="af-bench-"))
    print(f"generating {rows:,} ticks into {out} ...", flush=True)
    subprocess.run([sys.executable, str(SHARED / "bench" / "gen_data.py"), str(out), "--bars", "0", "--deltas", "0",
                    "--ticks", str(rows), "--seed", "7"], check=True)
    return out / "ticks.csv"


def best(fn, repeat: int) -> tuple[float, object]:
    t_best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        t_best = min(t_best, time.perf_counter() - t0)
    return t_best, result


def best_cpu(fn, repeat: int) -> float:
    """Best process CPU time (all threads) of fn: the work done, whatever else the machine runs."""
    t_best = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        fn()
        t_best = min(t_best, time.process_time() - c0)
    return t_best


def pandas_records(path: Path) -> np.ndarray:
    import pandas as pd

    df = pd.read_csv(path)
    out = np.zeros(len(df), dtype=TRADE_TICK_DTYPE)
    out["ts_event"] = df["ts_ns"].to_numpy()
    out["ts_init"] = out["ts_event"]
    out["price"] = np.round(df["price"].to_numpy() * 100).astype(np.int64) * 10**7
    out["size"] = np.round(df["size"].to_numpy()).astype(np.int64) * 10**9
    out["aggressor_side"] = df["side"].to_numpy()
    out["price_prec"] = 2
    return out


def pyarrow_typed(path: Path):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    types = {"ts_ns": pa.int64(), "price": pa.float64(), "size": pa.int64(), "side": pa.int8()}
    return pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types=types))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    path = ticks_csv(a.rows)
    size_mb = path.stat().st_size / 2**20
    print(f"file: {path} ({size_mb:.0f} MB), cores: {os.cpu_count()}, load average: "
          f"{os.getloadavg()[0]:.1f}")

    t_af, recs = best(lambda: L.load_csv(path, "trades", COLUMNS, instrument_id="SYN.SIM", price_precision=2,
                                         size_precision=0), a.repeat)
    n = len(recs)
    t_pd, ref = best(lambda: pandas_records(path), max(1, a.repeat - 1))
    t_pa, _ = best(lambda: pyarrow_typed(path), a.repeat)
    c_af = best_cpu(lambda: L.load_csv(path, "trades", COLUMNS, price_precision=2, size_precision=0), a.repeat)
    c_pa = best_cpu(lambda: pyarrow_typed(path), a.repeat)
    same = bool(np.array_equal(recs["price"], ref["price"]) and np.array_equal(recs["ts_event"], ref["ts_event"])
                and np.array_equal(recs["size"], ref["size"]))
    print(f"\n== {n:,}-row trades CSV -> record array (best of {a.repeat})")
    print(f"alphaforge load_csv (exact)       {t_af:7.3f} s  {n / t_af / 1e6:6.2f} M rows/s")
    print(f"pandas.read_csv + numpy records   {t_pd:7.3f} s  {n / t_pd / 1e6:6.2f} M rows/s  "
          f"(alphaforge {t_pd / t_af:4.1f}x faster)")
    print(f"pyarrow.csv typed (parse only)    {t_pa:7.3f} s  {n / t_pa / 1e6:6.2f} M rows/s  "
          f"(alphaforge {t_pa / t_af:4.2f}x its time-to-parse)")
    print(f"CPU time (all threads): alphaforge {c_af:.3f} s, pyarrow typed parse {c_pa:.3f} s "
          f"({c_pa / c_af:.2f}x alphaforge's)")
    print(f"records identical to the pandas reference: {same}")
    print(f"target >= 5M rows/s: {'PASS' if n / t_af >= 5e6 else 'FAIL'}")

    data = SHARED / "data"
    if data.is_dir():
        print("\n== real files (best of 3)")
        cases = [
            ("load_tardis_trades", L.load_tardis_trades, "trades/tardis_trades.csv", {}),
            ("load_binance_trades", L.load_binance_trades, "trades/binance-spot_btcusdt_20240808_trades.csv", {}),
            ("load_binance_book_ticker", L.load_binance_book_ticker,
             "quotes/binance-spot_btcusdt_20240808_bookticker.csv.gz", {}),
            ("load_binance_depth", L.load_binance_depth, "book/binance-spot_btcusdt_20240808_depth.csv.gz", {}),
            ("load_databento_mbo", L.load_databento_mbo, "book/databento-esh4-glbx-mdp3-20231225.mbo.csv.gz", {}),
            ("load_ohlc_csv", L.load_ohlc_csv, "bars/2006-01-02-volume-min-001.txt.gz", {}),
        ]
        for name, fn, rel, kw in cases:
            t, r = best(lambda fn=fn, rel=rel, kw=kw: fn(data / rel, **kw), 3)
            print(f"{name:26s} {rel.split('/')[-1][:44]:44s} {len(r):7d} rows {t * 1e3:8.1f} ms "
                  f"{len(r) / t / 1e6:6.2f} M rows/s")

    with tempfile.TemporaryDirectory() as d:
        cat = ParquetCatalog(d)
        t_w, _ = best(lambda: ParquetCatalog(Path(d) / f"w{time.perf_counter_ns()}").write(recs, "SYN.SIM"), 1)
        cat.write(recs, "SYN.SIM")
        t_q, q = best(lambda: cat.query("trades", "SYN.SIM"), 2)
        t_s, cnt = best(lambda: sum(len(c) for c in cat.stream("trades", "SYN.SIM", chunk_size=100_000)), 2)
        print(f"\n== Parquet catalog, {n:,} trades")
        print(f"write  {t_w:6.3f} s  {n / t_w / 1e6:6.2f} M rows/s")
        print(f"query  {t_q:6.3f} s  {n / t_q / 1e6:6.2f} M rows/s  (round trip exact: {bool((q == recs).all())})")
        print(f"stream {t_s:6.3f} s  {cnt / t_s / 1e6:6.2f} M rows/s  (100k-row chunks)")


if __name__ == "__main__":
    main()
