"""File loaders and the Parquet catalog (asv).

* A 1,000,000-row synthetic trades CSV (the gen_data.py layout ``ts_ns,price,size,side``) into a
  TRADE_TICK_DTYPE record array with ``load_csv`` (exact decimals), beside same-run baselines:
  pyarrow.csv typed parsing alone and pandas.read_csv.
* Real files from ``shared/data`` through their format loaders (skipped when the folder is absent).
* ParquetCatalog write / query / stream of 1,000,000 trades.

``python scripts/bench_loaders.py`` prints rows/s and ratios on the 5M-row file.
"""

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from alphaforge.data import loaders as L
from alphaforge.data.catalog import ParquetCatalog

N = 1_000_000
COLUMNS = {"ts_event": "ts_ns", "price": "price", "size": "size", "aggressor_side": "side"}


def _write_ticks(path: Path, n: int) -> None:
    """Same distributions as shared/bench/gen_data.py make_ticks (seed 7)."""
    rng = np.random.default_rng(7)
    gaps = rng.exponential(50_000_000, n).astype(np.int64) + 1
    ts = 1_600_000_000 * 1_000_000_000 + np.cumsum(gaps)
    steps = rng.choice([-1, 0, 0, 1], n)
    cents = np.maximum(10_000 + np.cumsum(steps), 1)
    size = rng.integers(1, 100, n)
    side = np.where(steps >= 0, 1, 2)
    with open(path, "w") as f:
        f.write("ts_ns,price,size,side\n")
        np.savetxt(f, np.column_stack([ts, cents // 100, cents % 100, size, side]), fmt="%d,%d.%02d,%d,%d")


def _shared_data() -> Path | None:
    env = os.environ.get("ALPHAFORGE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "data" for p in here.parents]
    for c in candidates:
        if (c / "README.md").is_file():
            return c
    return None


class LoadTradesCSV:
    timeout = 300

    def setup_cache(self):
        d = Path(tempfile.mkdtemp(prefix="af-asv-loaders-"))
        _write_ticks(d / "ticks.csv", N)
        return str(d / "ticks.csv")

    def time_alphaforge_load_csv(self, path):
        L.load_csv(path, "trades", COLUMNS, price_precision=2, size_precision=0)

    def time_baseline_pyarrow_typed_parse(self, path):
        import pyarrow as pa
        import pyarrow.csv as pcsv

        types = {"ts_ns": pa.int64(), "price": pa.float64(), "size": pa.int64(), "side": pa.int8()}
        pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types=types))

    def time_baseline_pandas_read_csv(self, path):
        import pandas as pd

        pd.read_csv(path)

    def track_alphaforge_rows_per_s(self, path):
        import time

        t0 = time.perf_counter()
        n = len(L.load_csv(path, "trades", COLUMNS, price_precision=2, size_precision=0))
        return n / (time.perf_counter() - t0)

    track_alphaforge_rows_per_s.unit = "rows/s"


class RealFiles:
    params = [
        "trades/tardis_trades.csv",
        "quotes/tardis_quotes.csv",
        "quotes/binance-spot_btcusdt_20240808_bookticker.csv.gz",
        "book/binance-spot_btcusdt_20240808_depth.csv.gz",
        "book/databento-esh4-glbx-mdp3-20231225.mbo.csv.gz",
        "bars/6EH4.XCME_1min_bars_20240101_20240131.csv.gz",
    ]
    param_names = ["file"]
    LOADER = {
        "trades/tardis_trades.csv": L.load_tardis_trades,
        "quotes/tardis_quotes.csv": L.load_tardis_quotes,
        "quotes/binance-spot_btcusdt_20240808_bookticker.csv.gz": L.load_binance_book_ticker,
        "book/binance-spot_btcusdt_20240808_depth.csv.gz": L.load_binance_depth,
        "book/databento-esh4-glbx-mdp3-20231225.mbo.csv.gz": L.load_databento_mbo,
        "bars/6EH4.XCME_1min_bars_20240101_20240131.csv.gz": L.load_ohlc_csv,
    }

    def setup(self, file):
        data = _shared_data()
        if data is None:
            raise NotImplementedError("shared/data not found (set ALPHAFORGE_SHARED_DATA)")
        self.path = data / file

    def time_load(self, file):
        self.LOADER[file](self.path)


class Catalog:
    timeout = 300

    def setup(self):
        rng = np.random.default_rng(3)
        from alphaforge._core.records import TRADE_TICK_DTYPE

        recs = np.zeros(N, dtype=TRADE_TICK_DTYPE)
        recs["ts_event"] = 1_600_000_000 * 10**9 + np.cumsum(rng.integers(1, 10**8, N))
        recs["ts_init"] = recs["ts_event"]
        recs["price"] = rng.integers(1, 10**6, N) * 10**7
        recs["size"] = rng.integers(1, 100, N) * 10**9
        self.recs = recs
        self.dir = tempfile.mkdtemp(prefix="af-asv-cat-")
        self.cat = ParquetCatalog(Path(self.dir) / "read")
        self.cat.write(recs, "SYN.SIM")
        self.k = 0

    def teardown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def time_write(self):
        self.k += 1
        ParquetCatalog(Path(self.dir) / f"w{self.k}").write(self.recs, "SYN.SIM")

    def time_query(self):
        self.cat.query("trades", "SYN.SIM")

    def time_stream_100k_chunks(self):
        for _ in self.cat.stream("trades", "SYN.SIM", chunk_size=100_000):
            pass
