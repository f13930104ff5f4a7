"""Acceptance: bars built from real exchange trade files equal independent references computed in
the test (pandas resample for time bars, plain-Python loops for the other aggregations), and the
streaming path (one C record at a time, engine-style) equals the batch path on 5M synthetic trades.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alphaforge._core.bench_aggregation import stream_records
from alphaforge._core.records import BAR_DTYPE, TRADE_TICK_DTYPE
from alphaforge.data.aggregation import aggregate, make_aggregator

S = 1_000_000_000


def decimal_to_raw(col: pd.Series) -> np.ndarray:
    """Exact decimal strings ('9682', '0.132', '61837.63000000') -> int64 raw at 1e9."""
    parts = col.str.split(".", n=1, expand=True)
    whole = parts[0].astype(np.int64) * S
    if parts.shape[1] == 1:
        return whole.to_numpy()
    frac = parts[1].fillna("").str.ljust(9, "0").str[:9].replace("", "0").astype(np.int64)
    return (whole + frac).to_numpy()


@pytest.fixture(scope="module")
def tardis(shared_data):
    df = pd.read_csv(shared_data / "trades" / "tardis_trades.csv", dtype={"price": str, "amount": str})
    assert len(df) == 9_999
    df["ts"] = df["timestamp"].astype(np.int64) * 1_000            # µs -> ns
    df["ts_init"] = df["local_timestamp"].astype(np.int64) * 1_000
    df["px"] = decimal_to_raw(df["price"])
    df["qty"] = decimal_to_raw(df["amount"])
    df["aggr"] = np.where(df["side"] == "buy", 1, 2)
    recs = np.zeros(len(df), TRADE_TICK_DTYPE)
    recs["ts_event"], recs["ts_init"] = df["ts"], df["ts_init"]
    recs["price"], recs["size"], recs["aggressor_side"] = df["px"], df["qty"], df["aggr"]
    recs["trade_id"] = df["id"]
    recs["price_prec"], recs["size_prec"] = 2, 3
    return df, recs


@pytest.fixture(scope="module")
def binance(shared_data):
    df = pd.read_csv(shared_data / "trades" / "binance-spot_btcusdt_20240808_trades.csv",
                     dtype={"price": str, "qty": str, "is_buyer_maker": str})
    assert len(df) == 9_757
    df["ts"] = df["trade_time_ms"].astype(np.int64) * 1_000_000    # ms -> ns (exchange trade time)
    df["ts_init"] = df["local_ts_ns"].astype(np.int64)
    df["px"] = decimal_to_raw(df["price"])
    df["qty"] = decimal_to_raw(df["qty"])
    df["aggr"] = np.where(df["is_buyer_maker"] == "true", 2, 1)    # buyer is maker -> seller aggressed
    recs = np.zeros(len(df), TRADE_TICK_DTYPE)
    recs["ts_event"], recs["ts_init"] = df["ts"], df["ts_init"]
    recs["price"], recs["size"], recs["aggressor_side"] = df["px"], df["qty"], df["aggr"]
    recs["price_prec"], recs["size_prec"] = 8, 8
    return df, recs


def pandas_minute_bars(df: pd.DataFrame, freq="1min") -> pd.DataFrame:
    """Independent reference: pandas resample, closed left, labelled by the bucket's right edge."""
    s = df.set_index(pd.to_datetime(df["ts"], unit="ns"))
    g = s.resample(freq, closed="left", label="right")
    out = pd.DataFrame({
        "open": g["px"].first(), "high": g["px"].max(), "low": g["px"].min(), "close": g["px"].last(),
        "volume": g["qty"].sum(), "n": g["px"].count(),
    })
    out = out[out["n"] > 0]   # empty minutes are skipped by default
    return out


def compare_time_bars(bars, ref):
    assert len(bars) == len(ref)
    assert bars["ts_event"].tolist() == pd.DatetimeIndex(ref.index).as_unit("ns").asi8.tolist()
    assert bars["ts_init"].tolist() == bars["ts_event"].tolist()
    for f in ("open", "high", "low", "close", "volume"):
        assert ref[f].abs().max() < 2**53  # pandas may hold these as float64: still exact
        assert bars[f].tolist() == ref[f].astype(np.int64).tolist(), f


@pytest.mark.parametrize("source", ["tardis", "binance"])
def test_one_minute_bars_equal_pandas_resample(source, request):
    df, recs = request.getfixturevalue(source)
    bars = aggregate(recs, "1-MINUTE-LAST")
    ref = pandas_minute_bars(df)
    compare_time_bars(bars, ref)
    # tardis: 00:00:02 -> 02:05:47; binance trade times (exchange clock, 1.25 s ahead of the local
    # receive time) run 23:54:15 -> 00:00:01 the next day, hence 7 minute bars
    assert len(bars) == {"tardis": 126, "binance": 7}[source]
    # quirk: many trades share a timestamp -> they all land in the same bar, in file order
    assert (np.diff(df["ts"]) == 0).sum() == {"tardis": 4351, "binance": 6534}[source]
    # streaming, engine-style (one C record at a time, clock timers fired when due) is identical
    assert np.array_equal(stream_records(make_aggregator("1-MINUTE-LAST"), recs, close_last=True), bars)


def test_other_time_frames_tardis(tardis):
    df, recs = tardis
    for spec, freq in (("5-SECOND-LAST", "5s"), ("15-MINUTE-LAST", "15min"), ("1-HOUR-LAST", "1h")):
        compare_time_bars(aggregate(recs, spec), pandas_minute_bars(df, freq))


def test_fill_empty_minutes_tardis(tardis):
    df, recs = tardis
    bars = aggregate(recs, "5-SECOND-LAST", fill_empty=True)
    s = df.set_index(pd.to_datetime(df["ts"], unit="ns"))
    g = s.resample("5s", closed="left", label="right")
    close = g["px"].last().ffill()
    ref = pd.DataFrame({"open": g["px"].first(), "high": g["px"].max(), "low": g["px"].min(),
                        "close": g["px"].last(), "volume": g["qty"].sum()})
    empty = ref["open"].isna()
    for f in ("open", "high", "low", "close"):
        ref.loc[empty, f] = close[empty]
    assert empty.sum() > 0
    compare_time_bars(bars, ref)


# ------------------------------------------------------------------------------------------------
# Plain-Python reference loops (rules from the aggregation module docstring)
# ------------------------------------------------------------------------------------------------

def ref_bars(recs, kind, step_raw):
    out = []
    bar = None
    acc = 0
    run_side = 0
    anchor = None
    vol_since = 0
    unit = 10 ** (9 - int(recs["size_prec"][0]))

    def add(p, s):
        nonlocal bar
        if bar is None:
            bar = [p, p, p, p, 0]
        bar[1], bar[2], bar[3] = max(bar[1], p), min(bar[2], p), p
        bar[4] += s

    def emit(ts, ti):
        nonlocal bar
        out.append((ts, ti, *bar))
        bar = None

    for ts, ti, p, s, sd in zip(recs["ts_event"].tolist(), recs["ts_init"].tolist(), recs["price"].tolist(),
                                recs["size"].tolist(), recs["aggressor_side"].tolist(), strict=True):
        if kind == "TICK":
            add(p, s)
            acc += 1
            if acc == step_raw // S:
                emit(ts, ti)
                acc = 0
        elif kind == "VOLUME":
            while (bar[4] if bar else 0) + s >= step_raw and s > 0:
                part = step_raw - (bar[4] if bar else 0)
                add(p, part)
                emit(ts, ti)
                s -= part
            if s > 0:
                add(p, s)
        elif kind == "VALUE":
            thr = step_raw * S
            if acc + p * s < thr:
                add(p, s)
                acc += p * s
                continue
            while s > 0:
                need = -(-(thr - acc) // p)              # ceil((thr - acc) / p)
                need = min(-(-need // unit) * unit, s)   # up to the size increment, capped
                add(p, need)
                emit(ts, ti)
                acc = 0
                s -= need
                if 0 < s and p * s < thr:
                    add(p, s)
                    acc = p * s
                    break
        elif kind.endswith("_IMBALANCE") or kind.endswith("_RUNS"):
            base = kind.split("_")[0]
            c = {"TICK": 1, "VOLUME": s, "VALUE": p * s}[base]
            thr = {"TICK": step_raw // S, "VOLUME": step_raw, "VALUE": step_raw * S}[base]
            add(p, s)
            if sd not in (1, 2):
                continue
            if kind.endswith("_IMBALANCE"):
                acc += c if sd == 1 else -c
                if abs(acc) >= thr:
                    emit(ts, ti)
                    acc = 0
            else:
                if sd != run_side:
                    run_side, acc = sd, c
                else:
                    acc += c
                if acc >= thr:
                    emit(ts, ti)
                    run_side, acc = 0, 0
        elif kind == "RENKO":
            if anchor is None:
                anchor = p
            vol_since += s
            while p >= anchor + step_raw:
                out.append((ts, ti, anchor, anchor + step_raw, anchor, anchor + step_raw, vol_since))
                anchor, vol_since = anchor + step_raw, 0
            while p <= anchor - step_raw:
                out.append((ts, ti, anchor, anchor, anchor - step_raw, anchor - step_raw, vol_since))
                anchor, vol_since = anchor - step_raw, 0
    return out


def tuples(bars):
    return [tuple(int(b[f]) for f in ("ts_event", "ts_init", "open", "high", "low", "close", "volume"))
            for b in bars]


THRESHOLD_SPECS = {
    "tardis": ["100-TICK-LAST", "25-VOLUME-LAST", "0.5-VOLUME-LAST", "250000-VALUE-LAST",
               "50-TICK_IMBALANCE-LAST", "20-VOLUME_IMBALANCE-LAST", "100000-VALUE_IMBALANCE-LAST",
               "8-TICK_RUNS-LAST", "5-VOLUME_RUNS-LAST", "50000-VALUE_RUNS-LAST", "5-RENKO-LAST",
               "0.5-RENKO-LAST"],
    "binance": ["250-TICK-LAST", "1.5-VOLUME-LAST", "50000-VALUE-LAST", "30-TICK_IMBALANCE-LAST",
                "2-VOLUME_IMBALANCE-LAST", "20000-VALUE_RUNS-LAST", "10-TICK_RUNS-LAST", "2-RENKO-LAST"],
}


@pytest.mark.parametrize("source, spec", [(s, x) for s, xs in THRESHOLD_SPECS.items() for x in xs])
def test_threshold_bars_equal_python_reference(source, spec, request):
    from decimal import Decimal
    _, recs = request.getfixturevalue(source)
    step, kind, _ = spec.split("-")
    bars = aggregate(recs, spec)
    assert tuples(bars) == ref_bars(recs, kind, int(Decimal(step) * S))
    assert len(bars) >= 3, "spec chosen so the file produces several bars"
    assert np.array_equal(stream_records(make_aggregator(spec), recs), bars)


# ------------------------------------------------------------------------------------------------
# Streaming == batch on the 5M synthetic trades
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_trades(tmp_path_factory):
    d = Path("/tmp/afdata")
    names = ("ticks_ts_ns", "ticks_price", "ticks_size", "ticks_side")
    if not all((d / f"{n}.npy").exists() for n in names):
        d = tmp_path_factory.mktemp("afdata")
        gen = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench" / "gen_data.py"
        subprocess.run([sys.executable, str(gen), str(d), "--ticks", "1000000", "--bars", "10",
                        "--deltas", "10", "--seed", "7"], check=True)
    cols = {n: np.load(d / f"{n}.npy") for n in names}
    n = len(cols["ticks_ts_ns"])
    recs = np.zeros(n, TRADE_TICK_DTYPE)
    recs["ts_event"] = cols["ticks_ts_ns"]
    recs["ts_init"] = cols["ticks_ts_ns"]
    recs["price"] = np.round(cols["ticks_price"] * 100).astype(np.int64) * 10_000_000
    recs["size"] = np.round(cols["ticks_size"]).astype(np.int64) * S
    recs["aggressor_side"] = cols["ticks_side"]
    recs["price_prec"], recs["size_prec"] = 2, 0
    return recs


@pytest.mark.parametrize("spec", ["1-MINUTE-LAST", "1000-TICK-LAST", "50000-VOLUME-LAST",
                                  "1000000-VALUE-LAST", "5000-VOLUME_IMBALANCE-LAST",
                                  "20-TICK_RUNS-LAST", "0.5-RENKO-LAST", "1-SECOND-LAST"])
def test_streaming_equals_batch_synthetic(synthetic_trades, spec):
    recs = synthetic_trades
    batch = aggregate(recs, spec)
    is_time = "SECOND" in spec or "MINUTE" in spec
    streamed = stream_records(make_aggregator(spec), recs, close_last=is_time)
    assert streamed.dtype == BAR_DTYPE
    assert len(batch) > 100
    assert np.array_equal(streamed, batch)
    if spec == "1-MINUTE-LAST":
        # cross-check the batch bars against pandas on the same synthetic data
        df = pd.DataFrame({"ts": recs["ts_event"], "px": recs["price"], "qty": recs["size"]})
        compare_time_bars(batch, pandas_minute_bars(df))
