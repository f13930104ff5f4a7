"""Indicator update speed (asv), and a side-by-side script when run directly.

Workload: the 1,000,000 synthetic one-minute bars of ``../shared/bench/gen_data.py`` (seed 7), read
from ``/tmp/afdata`` (or ``$ALPHAFORGE_BENCH_DATA``) or generated into a temporary folder if missing.

asv: per indicator, 1M updates through
* ``time_update_from_bars``: the engine's path (C loop over ``BAR_DTYPE`` records, ``handle_bar_rec``);
* ``time_compute``: the C loop over float columns that also records every output;
* ``time_update_raw_python``: 100,000 ``update_raw`` calls from a Python loop (user code);
and the baselines ``time_baseline_*`` (pandas vectorized EMA/SMA/RSI, plain-Python EMA loop).

Script: ``python asv_benchmarks/benchmarks/bench_indicators.py`` prints ns/update for each path
and indicator, and ratios against the baselines measured in the same run.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_BARS = 1_000_000
N_PY = 100_000
_GEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_data.py"
_CACHE: dict = {}


def _bars() -> dict:
    """The generator's bar columns (float decimal prices), cached per process."""
    if "bars" in _CACHE:
        return _CACHE["bars"]
    folder = Path(os.environ.get("ALPHAFORGE_BENCH_DATA", "/tmp/afdata"))
    names = ("ts_ns", "open", "high", "low", "close", "volume")
    if not all((folder / f"bars_{k}.npy").exists() for k in names):
        folder = Path(tempfile.mkdtemp(prefix="af_bench_ind_"))
        subprocess.run(
            [sys.executable, str(_GEN), str(folder), "--bars", str(N_BARS), "--ticks", "0", "--deltas", "0"],
            check=True,
        )
    cols = {k: np.load(folder / f"bars_{k}.npy")[:N_BARS] for k in names}
    _CACHE["bars"] = cols
    return cols


def _records(cols: dict) -> np.ndarray:
    """BAR_DTYPE records (raw fixed-point at 1e9, 2 price decimals, integer volume)."""
    if "recs" in _CACHE:
        return _CACHE["recs"]
    from alphaforge._core.records import BAR_DTYPE

    recs = np.zeros(len(cols["close"]), dtype=BAR_DTYPE)
    recs["ts_event"] = cols["ts_ns"]
    recs["ts_init"] = cols["ts_ns"]
    for k in ("open", "high", "low", "close"):
        recs[k] = np.round(cols[k] * 100).astype(np.int64) * 10_000_000
    recs["volume"] = np.round(cols["volume"]).astype(np.int64) * 1_000_000_000
    recs["price_prec"] = 2
    _CACHE["recs"] = recs
    return recs


def _make(name: str):
    import alphaforge.indicators as ind

    return {
        "SMA": lambda: ind.SMA(20),
        "EMA": lambda: ind.EMA(20),
        "WMA": lambda: ind.WMA(20),
        "HMA": lambda: ind.HMA(20),
        "RSI": lambda: ind.RSI(14),
        "MACD": lambda: ind.MACD(12, 26, 9),
        "BollingerBands": lambda: ind.BollingerBands(20, 2.0),
        "ATR": lambda: ind.ATR(14),
        "DonchianChannel": lambda: ind.DonchianChannel(20),
        "KeltnerChannel": lambda: ind.KeltnerChannel(20, 2.0),
        "Stochastics": lambda: ind.Stochastics(14, 3),
        "ROC": lambda: ind.ROC(10),
        "OBV": lambda: ind.OBV(),
        "VWAP": lambda: ind.VWAP(),
    }[name]()


NAMES = ["SMA", "EMA", "WMA", "HMA", "RSI", "MACD", "BollingerBands", "ATR", "DonchianChannel",
         "KeltnerChannel", "Stochastics", "ROC", "OBV", "VWAP"]


def _py_args(name: str, cols: dict, n: int) -> list:
    h, lo, c, v, ts = (cols[k][:n].tolist() for k in ("high", "low", "close", "volume", "ts_ns"))
    if name in ("ATR", "KeltnerChannel", "Stochastics"):
        return list(zip(h, lo, c, strict=True))
    if name == "DonchianChannel":
        return list(zip(h, lo, strict=True))
    if name == "OBV":
        return list(zip(c, v, strict=True))
    if name == "VWAP":
        return list(zip(c, v, ts, strict=True))
    return [(x,) for x in c]


class IndicatorUpdate:
    """1M bar updates per indicator through the C record path and the column path; 100k from Python."""

    params = NAMES
    param_names = ["indicator"]
    timeout = 300

    def setup(self, name):
        self.cols = _bars()
        self.recs = _records(self.cols)
        self.ind = _make(name)
        self.args = _py_args(name, self.cols, N_PY)

    def time_update_from_bars(self, name):
        from alphaforge.indicators import update_from_bars

        update_from_bars(self.ind, self.recs)

    def time_compute(self, name):
        from alphaforge.indicators import compute

        c = self.cols
        compute(self.ind, c["close"], high=c["high"], low=c["low"], volume=c["volume"], ts_ns=c["ts_ns"])

    def time_update_raw_python(self, name):
        upd = self.ind.update_raw
        for a in self.args:
            upd(*a)


class Baselines:
    """Reference costs in the same run: pandas vectorized and a plain-Python EMA loop."""

    timeout = 300

    def setup(self):
        import pandas as pd

        self.close = pd.Series(_bars()["close"])
        self.close_list = self.close.tolist()[:N_PY]

    def time_baseline_pandas_ema(self):
        self.close.ewm(span=20, adjust=False).mean()

    def time_baseline_pandas_sma(self):
        self.close.rolling(20).mean()

    def time_baseline_pandas_rsi(self):
        d = self.close.diff()
        g = d.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
        lo = (-d).clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
        100 - 100 / (1 + g / lo)

    def time_baseline_python_ema_loop(self):
        a = 2 / 21
        p = self.close_list[0]
        for x in self.close_list:
            p = p * (1 - a) + x * a


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    import pandas as pd

    from alphaforge.indicators import compute, update_from_bars

    cols = _bars()
    recs = _records(cols)
    n = len(recs)
    close = pd.Series(cols["close"])
    base_pd_ema = _best(lambda: close.ewm(span=20, adjust=False).mean()) / n * 1e9
    base_pd_sma = _best(lambda: close.rolling(20).mean()) / n * 1e9
    cl = close.tolist()[:N_PY]

    def py_ema():
        a = 2 / 21
        p = cl[0]
        for x in cl:
            p = p * (1 - a) + x * a

    base_py_ema = _best(py_ema) / N_PY * 1e9
    print(f"workload: {n:,} one-minute bars (gen_data.py seed 7); Python path: {N_PY:,} update_raw calls")
    print(f"baselines: pandas ewm(span=20) {base_pd_ema:.1f} ns/bar, pandas rolling(20).mean {base_pd_sma:.1f} ns/bar, "
          f"plain-Python EMA loop {base_py_ema:.1f} ns/bar")
    print(f"{'indicator':<16}{'records ns/upd':>15}{'Mupd/s':>8}{'compute ns':>12}{'python ns':>11}"
          f"{'rec/pandas-ewm':>16}{'python/py-loop':>16}")
    for name in NAMES:
        t_rec = _best(lambda name=name: update_from_bars(_make(name), recs)) / n * 1e9
        t_cmp = _best(lambda name=name: compute(_make(name), cols["close"], high=cols["high"], low=cols["low"],
                                                volume=cols["volume"], ts_ns=cols["ts_ns"])) / n * 1e9
        args = _py_args(name, cols, N_PY)

        def py(name=name, args=args):
            upd = _make(name).update_raw
            for a in args:
                upd(*a)

        t_py = _best(py) / N_PY * 1e9
        print(f"{name:<16}{t_rec:>15.1f}{1e3 / t_rec:>8.1f}{t_cmp:>12.1f}{t_py:>11.1f}"
              f"{t_rec / base_pd_ema:>16.2f}{t_py / base_py_ema:>16.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the in-place build of this checkout
    main()
