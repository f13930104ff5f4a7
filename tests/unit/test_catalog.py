"""ParquetCatalog: exact round trips, day partitions, overlap policies, atomic writes, time-ordered
streaming across instruments with bounded memory. References are plain numpy operations on the
arrays written (concatenate + stable sort, boolean masks), never the catalog itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId
from alphaforge._core.records import BAR_DTYPE, TRADE_TICK_DTYPE
from alphaforge.data import loaders as L
from alphaforge.data.catalog import CatalogError, ParquetCatalog

NS = 1_000_000_000
DAY = 86_400 * NS
REPO = Path(__file__).resolve().parents[2]


def synthetic_trades(n: int, seed: int, t0: int = 1_600_000_000 * NS, step: int = 10**8, iid: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros(n, dtype=TRADE_TICK_DTYPE)
    out["ts_event"] = t0 + np.cumsum(rng.integers(0, step, n))        # repeats (0 steps) included
    out["ts_init"] = out["ts_event"] + 5
    out["price"] = rng.integers(1, 10**6, n) * 10**7
    out["size"] = rng.integers(1, 100, n) * NS
    out["trade_id"] = np.arange(n, dtype=np.uint64) + seed * 10**9
    out["aggressor_side"] = rng.integers(1, 3, n)
    out["price_prec"] = 2
    out["instrument_id"] = iid
    return out


def reference_merge(parts: list[np.ndarray]) -> np.ndarray:
    """Independent merge: concatenate in key order, stable sort on ts_event."""
    allr = np.concatenate(parts)
    return allr[np.argsort(allr["ts_event"], kind="stable")]


def with_index(recs: np.ndarray, key: str, field: str = "instrument_id") -> np.ndarray:
    out = recs.copy()
    out[field] = InstrumentId.from_str(key).index if field == "instrument_id" else BarType.from_str(key).index
    return out


def test_round_trip_every_record_type_exactly(shared_data, tmp_path):
    cat = ParquetCatalog(tmp_path)
    trades = L.load_tardis_trades(shared_data / "trades/tardis_trades.csv", price_precision=2, size_precision=3)
    quotes = L.load_databento_mbp1(shared_data / "quotes/databento-esu4-mbp-1_2024-07-01T23h58_2024-07-02T00h02.csv",
                                   price_precision=2, size_precision=0)
    deltas = L.load_databento_mbo(shared_data / "book/databento-esh4-glbx-mdp3-20231224.mbo.csv.gz",
                                  price_precision=2, size_precision=0)
    bars = L.load_binance_klines(shared_data / "bars/ADABTC-1m-2021-11-27.csv", price_precision=8, size_precision=1)
    bt = "ADABTC.BINANCE-1-MINUTE-LAST-EXTERNAL"
    assert cat.write(trades, "BTCUSDT-PERP.BINANCE") == 9999
    assert cat.write(quotes, InstrumentId.from_str("ESU4.XCME")) == 2288
    assert cat.write(deltas, "ESH4.XCME") == 8725
    assert cat.write(bars, BarType.from_str(bt)) == 10
    assert (cat.query("trades") == with_index(trades, "BTCUSDT-PERP.BINANCE")).all()
    assert (cat.query("quotes", "ESU4.XCME") == with_index(quotes, "ESU4.XCME")).all()
    assert (cat.query("deltas", ["ESH4.XCME"]) == with_index(deltas, "ESH4.XCME")).all()
    assert (cat.query("bars") == with_index(bars, bt, "bar_type_id")).all()
    # extreme raw values survive the trip
    ext = synthetic_trades(3, 1)
    ext["price"] = [np.iinfo(np.int64).max, np.iinfo(np.int64).min + 1, -1]
    ext["trade_id"] = [np.iinfo(np.uint64).max, 0, 1]
    cat.write(ext, "EXT.SIM")
    assert (cat.query("trades", "EXT.SIM") == with_index(ext, "EXT.SIM")).all()
    assert [(e.data_type, e.key, e.rows) for e in cat.entries()] == [
        ("deltas", "ESH4.XCME", 8725), ("quotes", "ESU4.XCME", 2288), ("trades", "BTCUSDT-PERP.BINANCE", 9999),
        ("trades", "EXT.SIM", 3), ("bars", bt, 10)]


def test_partitioned_by_type_instrument_day(shared_data, tmp_path):
    cat = ParquetCatalog(tmp_path)
    tr = L.load_binance_trades(shared_data / "trades/binance-spot_btcusdt_20240808_trades.csv")
    cat.write(tr, "EUR/USD.SIM")  # a '/' in the key is percent-encoded
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    assert files == ["trades/EUR%2FUSD.SIM/2024-08-08.parquet", "trades/EUR%2FUSD.SIM/2024-08-09.parquet"]
    day2 = int(np.datetime64("2024-08-09", "ns").astype(np.int64))
    assert cat.keys("trades") == ["EUR/USD.SIM"]
    assert len(cat.query("trades", start=day2)) == int((tr["ts_event"] >= day2).sum()) > 0


def test_query_time_window_inclusive(tmp_path):
    cat = ParquetCatalog(tmp_path)
    a = synthetic_trades(20_000, 1, step=10**10)           # spans several days
    b = synthetic_trades(15_000, 2, step=10**10)
    cat.write(a, "A.SIM")
    cat.write(b, "B.SIM")
    ref = reference_merge([with_index(a, "A.SIM"), with_index(b, "B.SIM")])
    start, end = int(a["ts_event"][3000]), int(a["ts_event"][12000])
    got = cat.query("trades", ["A.SIM", "B.SIM"], start=start, end=end)
    mask = (ref["ts_event"] >= start) & (ref["ts_event"] <= end)
    assert (got == ref[mask]).all()
    assert (cat.query("trades", "B.SIM", end=end) == with_index(b, "B.SIM")[b["ts_event"] <= end]).all()


def test_overlap_rejected_without_changing_anything(tmp_path):
    cat = ParquetCatalog(tmp_path)
    a = synthetic_trades(5000, 3)
    cat.write(a, "A.SIM")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.parquet")}
    with pytest.raises(CatalogError, match="overlap"):
        cat.write(a[2000:4000], "A.SIM")
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.parquet")} == before
    # touching at the last timestamp is an append, not an overlap
    tail = synthetic_trades(100, 4, t0=int(a["ts_event"][-1]))
    tail["ts_event"] -= tail["ts_event"][0] - a["ts_event"][-1]
    assert cat.write(tail, "A.SIM") == 100
    assert (cat.query("trades", "A.SIM") == with_index(np.concatenate([a, tail]), "A.SIM")).all()


def test_dedup_is_a_multiset_union(tmp_path):
    cat = ParquetCatalog(tmp_path, on_overlap="dedup")
    a = synthetic_trades(8000, 5)
    a[101] = a[100]                                        # a genuine duplicate inside the data
    cat.write(a[:5000], "A.SIM")
    assert cat.write(a[3000:], "A.SIM") == 3000            # overlap 3000-4999 merged, not doubled
    assert cat.write(a, "A.SIM") == 0                      # re-import is idempotent
    got = cat.query("trades", "A.SIM")
    assert len(got) == 8000 and (got == with_index(a, "A.SIM")).all()   # both copies of row 100 kept


def test_unsorted_records_are_stored_sorted(tmp_path):
    cat = ParquetCatalog(tmp_path)
    a = synthetic_trades(1000, 6)
    shuffled = a[np.random.default_rng(0).permutation(1000)]
    cat.write(shuffled, "A.SIM")
    got = cat.query("trades", "A.SIM")
    assert (got == with_index(shuffled[np.argsort(shuffled["ts_event"], kind="stable")], "A.SIM")).all()


def test_stream_equals_query_and_is_chunk_size_independent(tmp_path):
    cat = ParquetCatalog(tmp_path, row_group_size=3000)
    parts = [synthetic_trades(12_000, s, step=10**9) for s in (7, 8, 9)]
    # force cross-instrument timestamp ties
    parts[1]["ts_event"][::5] = parts[0]["ts_event"][::5]
    parts[1][:] = parts[1][np.argsort(parts[1]["ts_event"], kind="stable")]
    keys = ["A.SIM", "B.SIM", "C.SIM"]
    for p, k in zip(parts, keys, strict=True):
        cat.write(p, k)
    ref = reference_merge([with_index(p, k) for p, k in zip(parts, keys, strict=True)])
    for chunk_size in (7, 1000, 50_000):
        chunks = list(cat.stream("trades", keys, chunk_size=chunk_size))
        assert all(len(c) == chunk_size for c in chunks[:-1]) and 0 < len(chunks[-1]) <= chunk_size
        assert (np.concatenate(chunks) == ref).all()
    start, end = int(ref["ts_event"][5000]), int(ref["ts_event"][30000])
    win = np.concatenate(list(cat.stream("trades", None, start, end, chunk_size=999)))
    assert (win == ref[(ref["ts_event"] >= start) & (ref["ts_event"] <= end)]).all()


def test_stream_several_types_in_tie_order(tmp_path):
    cat = ParquetCatalog(tmp_path)
    tr = synthetic_trades(2000, 10)
    bars = np.zeros(500, dtype=BAR_DTYPE)
    bars["ts_event"] = tr["ts_event"][::4]                 # same timestamps as trades
    bars["open"] = bars["high"] = bars["low"] = bars["close"] = NS
    bt = "A.SIM-1-MINUTE-LAST-EXTERNAL"
    cat.write(tr, "A.SIM")
    cat.write(bars, bt)
    items = list(cat.stream(["bars", "trades"], chunk_size=64))
    seq = [(int(ts), t) for t, c in items for ts in c["ts_event"]]
    # reference: all records ordered by (ts, type order trades < bars), stable
    ref = sorted([(int(x), "trades") for x in tr["ts_event"]] + [(int(x), "bars") for x in bars["ts_event"]],
                 key=lambda v: (v[0], 0 if v[1] == "trades" else 1))
    assert seq == ref
    assert all(len(c) <= 64 for _, c in items)
    assert (np.concatenate([c for t, c in items if t == "bars"])["bar_type_id"] == BarType.from_str(bt).index).all()


def test_stream_memory_stays_bounded(tmp_path):
    import pyarrow as pa

    cat = ParquetCatalog(tmp_path, row_group_size=20_000)
    n = 300_000
    for k, seed in (("A.SIM", 11), ("B.SIM", 12), ("C.SIM", 13)):
        cat.write(synthetic_trades(n, seed, step=10**7), k)
    total_bytes = 3 * n * TRADE_TICK_DTYPE.itemsize       # 43 MB of records
    chunk = 10_000
    tracemalloc.start()
    pool_peak, rows, last = 0, 0, None
    try:
        for c in cat.stream("trades", chunk_size=chunk):
            rows += len(c)
            assert last is None or c["ts_event"][0] >= last
            last = int(c["ts_event"][-1])
            pool_peak = max(pool_peak, pa.total_allocated_bytes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 3 * n
    # about one row group per stream (3 x 20k x 48 B = 2.9 MB) plus a chunk and merge temporaries
    assert peak < 16 * 2**20 and peak < total_bytes / 3, peak
    assert pool_peak < 20 * 2**20, pool_peak                 # Arrow buffers: a few row groups, not files


CRASH = textwrap.dedent("""
    import os, sys
    import numpy as np
    import pyarrow.parquet as pq
    sys.path.insert(0, {repo!r})
    from alphaforge.data.catalog import ParquetCatalog
    from alphaforge._core.records import TRADE_TICK_DTYPE
    orig = pq.ParquetWriter.write_table
    def crash(self, table, row_group_size=None):
        orig(self, table.slice(0, 1000), row_group_size=500)   # part of the file is on disk...
        os._exit(17)                                             # ...and the process dies
    pq.ParquetWriter.write_table = crash
    recs = np.load({npy!r})
    ParquetCatalog({root!r}, on_overlap="dedup").write(recs, "A.SIM")
""")


def test_crash_mid_write_leaves_no_partial_file(tmp_path):
    root = tmp_path / "cat"
    cat = ParquetCatalog(root)
    a = synthetic_trades(5000, 14)
    cat.write(a[:3000], "A.SIM")
    before = {p: p.read_bytes() for p in root.rglob("*.parquet")}
    np.save(tmp_path / "recs.npy", a)
    proc = subprocess.run([sys.executable, "-c", CRASH.format(repo=str(REPO), npy=str(tmp_path / "recs.npy"),
                                                              root=str(root))], capture_output=True, text=True)
    assert proc.returncode == 17, proc.stderr
    assert {p: p.read_bytes() for p in root.rglob("*.parquet") if not p.name.startswith(".")} == before
    assert any(p.name.startswith(".") for p in root.rglob("*")), "the partial temp file is hidden"
    assert (cat.query("trades", "A.SIM") == with_index(a[:3000], "A.SIM")).all()
    # an exception (instead of a crash) removes the temp file too
    import pyarrow.parquet as pq

    orig = pq.ParquetWriter.write_table

    def boom(self, table, row_group_size=None):
        orig(self, table.slice(0, 10), row_group_size=5)
        raise OSError("disk full")

    pq.ParquetWriter.write_table = boom
    try:
        with pytest.raises(OSError, match="disk full"):
            ParquetCatalog(root, on_overlap="dedup").write(a, "A.SIM")
    finally:
        pq.ParquetWriter.write_table = orig
    hidden = [p for p in root.rglob(".*") if p.is_file()]
    assert len(hidden) == 1                                   # only the one left by the killed process
    assert (cat.query("trades", "A.SIM") == with_index(a[:3000], "A.SIM")).all()


def test_bad_arguments(tmp_path):
    cat = ParquetCatalog(tmp_path)
    with pytest.raises(CatalogError):
        cat.write(np.zeros(3, dtype=[("x", "i8")]), "A.SIM")
    with pytest.raises(CatalogError):
        cat.write(synthetic_trades(3, 1), "A.SIM", data_type="quotes")
    with pytest.raises(CatalogError):
        cat.query("candles")
    with pytest.raises(ValueError):
        ParquetCatalog(tmp_path, on_overlap="replace")
    assert cat.query("trades").dtype == TRADE_TICK_DTYPE and len(cat.query("trades")) == 0
    assert list(cat.stream("trades")) == []


def test_keys_are_validated_before_writing(tmp_path):
    cat = ParquetCatalog(tmp_path)
    with pytest.raises(ValueError, match="BarType"):
        cat.write(np.zeros(1, dtype=BAR_DTYPE), "notabartype")
    with pytest.raises(ValueError, match="InstrumentId"):
        cat.write(synthetic_trades(2, 1), "novenue")
    assert not any(tmp_path.rglob("*.parquet"))
