"""Loaders on every real file in shared/data, checked against an independent reference (Python's
csv/gzip modules + decimal.Decimal, datetime) and the README's facts; malformed copies of each
format must raise LoaderError naming file, line and field."""

from __future__ import annotations

import csv
import gzip
import zipfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from alphaforge._core import parsing as P
from alphaforge.data import loaders as L
from alphaforge.data.loaders import LoaderError

NS = 1_000_000_000
BUY, SELL = 1, 2
ADD, UPDATE, DELETE, CLEAR = 1, 2, 3, 4


# ---------------------------------------------------------------------------------------------
# independent reference helpers


def rows_of(path: Path, delimiter: str = ",", header: bool = True) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    return (rows[0], rows[1:]) if header else ([], rows)


def raw(text: str) -> int:
    """Exact decimal text -> raw int at 1e9 (reference, via Decimal)."""
    v = Decimal(text) * NS
    assert v == v.to_integral_value()
    return int(v)


def col(header: list[str], rows: list[list[str]], name: str) -> list[str]:
    i = header.index(name)
    return [r[i] for r in rows]


def utc_ns(*args: int, us: int = 0) -> int:
    dt = datetime(*args, tzinfo=timezone.utc) + timedelta(microseconds=us)
    return int(dt.timestamp()) * NS + dt.microsecond * 1000


# ---------------------------------------------------------------------------------------------
# parsers (against Decimal / datetime references)


def _parse(kind: str, values: list[str], **kw):
    import pyarrow as pa

    arr = pa.array(values, pa.string())
    offsets, data = L._chunk_buffers(arr)
    out = np.zeros(len(values), dtype=np.int64)
    fn = {"decimal": P.parse_decimal_chunk, "int": P.parse_int_chunk, "datetime": P.parse_datetime_chunk}[kind]
    res = fn(offsets, data, out, **kw)
    return out, res


def test_decimal_parser_matches_decimal_reference_on_random_values():
    rng = np.random.default_rng(3)
    values = []
    for _ in range(3000):
        ip = int(rng.integers(0, 10**int(rng.integers(1, 10))))
        nd = int(rng.integers(0, 10))
        frac = "".join(str(d) for d in rng.integers(0, 10, nd))
        sign = "-" if rng.random() < 0.2 else ""
        values.append(f"{sign}{ip}" + (f".{frac}" if nd else ""))
    out, (st, bad, maxdec) = _parse("decimal", values, precision=9)
    assert st == 0
    assert out.tolist() == [raw(v) for v in values]
    assert maxdec == max(-Decimal(v).normalize().as_tuple().exponent if Decimal(v) != 0 else 0 for v in values)


def test_int_parser_matches_python_int_on_random_values():
    rng = np.random.default_rng(4)
    values = []
    for _ in range(20000):
        v = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(1, 21))))
        values.append(("-" if rng.random() < 0.3 else "") + v)
    values += ["9223372036854775807", "-9223372036854775807", "0000000000000000000000012", "1234567812345678"]
    for v in values:
        out, (st, _) = _parse("int", ["0", v])
        if abs(int(v)) < 2**63:
            assert st == 0 and out[1] == int(v), v
        else:
            assert st == 4, v                                          # overflow, never wrapped
    for bad in ("1234567a", "12345678a", "1234567890123456789x", "12:45678", "123456789/", "+", "1 2"):
        _, (st, row) = _parse("int", ["1", bad])
        assert (st, row) == (2, 1), bad


def test_decimal_parser_long_digit_runs_exact_or_refused():
    """Up to 11 integer and 18 fraction digits (the 8-digits-at-a-time path): every value is either
    parsed exactly or refused as too precise (non-zero beyond 9 decimals) / out of int64 range."""
    rng = np.random.default_rng(8)
    for _ in range(6000):
        ip = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(0, 12))))
        fp = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(0, 19))))
        if not ip and not fp:
            continue
        text = ("-" if rng.random() < 0.2 else "") + ip + ("." + fp if fp else "")
        out, (st, _, _) = _parse("decimal", ["0", text], precision=9)
        scaled = Decimal(text) * NS
        if scaled == scaled.to_integral_value() and abs(scaled) < 2**63:
            assert st == 0 and out[1] == int(scaled), text
        elif abs(scaled) >= 2**63:
            assert st in (3, 4), text                                  # out of range (and maybe too fine)
        else:
            assert st == 3, text


@pytest.mark.parametrize(
    "text, precision, expected",
    [("61837.63000000", 2, 61837_630_000_000), ("0.00002853", 8, 28530), ("1e-05", 5, 10000),
     ("1.5E3", 0, 1500 * NS), ("-0.5", 1, -500_000_000), ("+7", 0, 7 * NS), (".5", 1, 500_000_000),
     ("9223372036.854775807", 9, 9223372036854775807), ("0.000000000", 0, 0)],
)
def test_decimal_parser_exact_values(text, precision, expected):
    out, (st, _, _) = _parse("decimal", [text], precision=precision)
    assert st == 0 and out[0] == expected


@pytest.mark.parametrize(
    "text, precision, status",
    [("", 2, 1), ("abc", 2, 2), ("1.2.3", 2, 2), ("9682.123", 2, 3), ("0.0000000001", 9, 3),
     ("9223372037", 9, 4), ("1e30", 0, 4), ("12 ", 2, 2), ("-1", 2, 5)],
)
def test_decimal_parser_rejects(text, precision, status):
    out, (st, bad, _) = _parse("decimal", ["1", text], precision=precision, allow_negative=text != "-1")
    assert (st, bad) == (status, 1)


def test_datetime_parser_shapes():
    vals = ["2013-01-01 22:00:00.295000+00:00", "20200101 170000065", "2015-09-23T20:57:42.146",
            "2006-01-02", "2012-02-01 00:00:00+01:30", "2024-02-29T23:59:59.123456789Z", "1969-12-31 23:59:59"]
    out, (st, _) = _parse("datetime", vals)
    assert st == 0
    assert out.tolist() == [
        utc_ns(2013, 1, 1, 22, 0, 0, us=295000), utc_ns(2020, 1, 1, 17, 0, 0, us=65000),
        utc_ns(2015, 9, 23, 20, 57, 42, us=146000), utc_ns(2006, 1, 2),
        utc_ns(2012, 1, 31, 22, 30), utc_ns(2024, 2, 29, 23, 59, 59) + 123456789, -NS,
    ]
    for bad, status in (("2006-13-01", 6), ("2006-02-30", 6), ("2006-01-02 25:00", 6), ("2006/01/02", 2), ("", 1)):
        _, (st, row) = _parse("datetime", ["2006-01-02", bad])
        assert (st, row) == (status, 1), bad


# ---------------------------------------------------------------------------------------------
# Binance


def test_binance_spot_trades(shared_data):
    path = shared_data / "trades/binance-spot_btcusdt_20240808_trades.csv"
    h, rows = rows_of(path)
    r = L.load_binance_trades(path, price_precision=2, size_precision=5, instrument_id=7)
    assert len(r) == 9757
    assert r["ts_event"].tolist() == [int(x) * 1_000_000 for x in col(h, rows, "trade_time_ms")]
    assert r["ts_init"].tolist() == [int(x) for x in col(h, rows, "local_ts_ns")]
    assert r["price"].tolist() == [raw(x) for x in col(h, rows, "price")]
    assert r["size"].tolist() == [raw(x) for x in col(h, rows, "qty")]
    assert r["trade_id"].tolist() == [int(x) for x in col(h, rows, "trade_id")]
    assert (r["instrument_id"] == 7).all() and (r["price_prec"] == 2).all() and (r["size_prec"] == 5).all()
    # README: is_buyer_maker true (seller aggressor) 5,654 / false 4,103; consecutive ids
    assert (r["aggressor_side"] == SELL).sum() == 5654 and (r["aggressor_side"] == BUY).sum() == 4103
    assert (np.diff(r["trade_id"].astype(np.int64)) == 1).all()
    assert r["price"][0] == 61837_630_000_000
    # clock skew quirk: exchange time ahead of the local receive time on every row
    assert (r["ts_event"] > r["ts_init"]).all()
    # more decimals than the instrument allows -> error (61837.63 needs 2)
    with pytest.raises(LoaderError) as ei:
        L.load_binance_trades(path, price_precision=1, size_precision=5)
    assert ei.value.field == "price" and ei.value.line == 2


def test_binance_public_trades_layouts(tmp_path):
    spot = tmp_path / "BTCUSDT-trades-2025-01-01.csv"
    spot.write_text("100,61837.63000000,0.02000000,1236.75260000,1735689600123456,True,True\n"
                    "101,61837.64000000,0.00100000,61.83764000,1735689600223456,False,True\n")
    r = L.load_binance_trades(spot, price_precision=2, size_precision=5)
    assert r["ts_event"].tolist() == [1735689600123456000, 1735689600223456000]   # µs detected
    assert r["aggressor_side"].tolist() == [SELL, BUY]
    assert r["trade_id"].tolist() == [100, 101]
    fut = tmp_path / "BTCUSDT-trades-2024-01-01.csv"
    fut.write_text("id,price,qty,quote_qty,time,is_buyer_maker\n5,42000.10,0.010,420.0010,1704067200001,true\n")
    r = L.load_binance_trades(fut, price_precision=1, size_precision=3)
    assert r["ts_event"].tolist() == [1704067200001 * 1_000_000] and r["price"][0] == 42000_100_000_000
    assert r["ts_init"][0] == r["ts_event"][0]


def test_binance_klines_all_variants(shared_data, tmp_path):
    path = shared_data / "bars/ADABTC-1m-2021-11-27.csv"
    _, rows = rows_of(path, header=False)
    r = L.load_binance_klines(path, price_precision=8, size_precision=1, bar_type=3)
    assert len(r) == 10
    assert r["ts_event"].tolist() == [(int(x[6]) + 1) * 1_000_000 for x in rows]
    assert r["ts_event"][0] == (1637971200000 + 60_000) * 1_000_000      # close = open + 1 min
    for i, f in enumerate(["open", "high", "low", "close", "volume"], start=1):
        assert r[f].tolist() == [raw(x[i]) for x in rows]
    assert (r["bar_type_id"] == 3).all()
    pipe = L.load_binance_klines(shared_data / "bars/ADABTC_pipe_separated-1m-2021-11-27.csv",
                                 price_precision=8, size_precision=1, bar_type=3)
    assert (pipe == r).all()
    hdr = tmp_path / "with_header.csv"
    hdr.write_text(",".join(L._KLINE_NAMES) + "\n" + path.read_text())
    assert (L.load_binance_klines(hdr, price_precision=8, size_precision=1, bar_type=3) == r).all()
    assert len(L.load_binance_klines(shared_data / "bars/ADABTC-1m-2021-11-28.csv")) == 11


def test_binance_book_ticker_gz(shared_data):
    path = shared_data / "quotes/binance-spot_btcusdt_20240808_bookticker.csv.gz"
    h, rows = rows_of(path)
    r = L.load_binance_book_ticker(path, price_precision=2, size_precision=8)
    assert len(r) == 28040
    assert r["ts_event"].tolist() == [int(x) for x in col(h, rows, "local_ts_ns")]
    assert r["bid_price"].tolist() == [raw(x) for x in col(h, rows, "bid_price")]
    assert r["ask_size"].tolist() == [raw(x) for x in col(h, rows, "ask_qty")]
    assert (r["bid_price"] < r["ask_price"]).all()                      # no crossed/locked quotes
    assert (np.diff(r["ts_event"]) > 0).all()                           # unique, increasing


def test_binance_futures_depth_snapshot_and_update(shared_data):
    snap = L.load_binance_depth(shared_data / "book/binance-btcusdt-depth-snap.csv", price_precision=1,
                                size_precision=3)
    assert len(snap) == 101 and snap["action"][0] == CLEAR
    body = snap[1:]
    assert (body["action"] == ADD).all() and (body["side"] == BUY).all()          # bids only
    assert body["price"][0] == raw("20377.00") and body["price"][-1] == raw("20365.90")
    assert (snap["sequence"] == 2098021528332).all()
    assert (snap["ts_event"] == 1667346579146 * 1_000_000).all()
    assert (body["flags"] & 32).all() and ((snap["flags"] & 128) != 0).sum() == 1 and snap["flags"][-1] & 128

    path = shared_data / "book/binance-btcusdt-depth-update.csv"
    h, rows = rows_of(path)
    upd = L.load_binance_depth(path, price_precision=1, size_precision=3)
    assert len(upd) == 100
    assert (upd["side"] == SELL).sum() == 77 and (upd["side"] == BUY).sum() == 23
    assert (upd["action"] == DELETE).sum() == sum(Decimal(q) == 0 for q in col(h, rows, "qty"))
    assert (upd["action"] == DELETE).sum() == 21
    # quirk: first 37 ask rows repeated verbatim at the end, kept (idempotent set)
    assert (upd[:37][["side", "price", "size"]] == upd[-37:][["side", "price", "size"]]).all()
    assert (upd["sequence"] == 2098041696700).all()
    assert upd["price"].min() == raw("2047.30")                         # far-off level kept


def test_binance_spot_depth_sync(shared_data):
    path = shared_data / "book/binance-spot_btcusdt_20240808_depth.csv.gz"
    h, rows = rows_of(path)
    assert len(rows) == 126090
    is_snap = [x == "true" for x in col(h, rows, "is_snapshot")]
    luid = [int(x) for x in col(h, rows, "last_update_id")]
    r = L.load_binance_depth(path, price_precision=2, size_precision=8)
    n_fresh = sum(1 for s, u in zip(is_snap, luid, strict=True) if not s and u > 50093239218)
    assert len(r) == 1 + 2000 + n_fresh
    assert r["action"][0] == CLEAR
    snap = r[1:2001]
    assert (snap["action"] == ADD).all() and (snap["sequence"] == 50093239218).all()
    assert (snap["side"] == BUY).sum() == 1000 and (snap["side"] == SELL).sum() == 1000
    first_diff = r[2001]
    fu = [int(x) for x in col(h, rows, "first_update_id")]
    i = next(k for k in range(len(rows)) if not is_snap[k] and luid[k] > 50093239218)
    assert fu[i] <= 50093239219 <= luid[i] and first_diff["sequence"] == luid[i]
    assert (np.diff(r["ts_event"]) >= 0).all()
    # without sync every row is kept: 126,090 rows + 1 CLEAR, deletes = 59,187
    full = L.load_binance_depth(path, price_precision=2, size_precision=8, sync=False)
    assert len(full) == 126091
    assert (full["action"] == DELETE).sum() == 59187


# ---------------------------------------------------------------------------------------------
# Tardis


def test_tardis_trades(shared_data):
    path = shared_data / "trades/tardis_trades.csv"
    h, rows = rows_of(path)
    r = L.load_tardis_trades(path, price_precision=2, size_precision=3)
    assert len(r) == 9999
    assert r["ts_event"].tolist() == [int(x) * 1000 for x in col(h, rows, "timestamp")]
    assert r["ts_init"].tolist() == [int(x) * 1000 for x in col(h, rows, "local_timestamp")]
    assert r["price"].tolist() == [raw(x) for x in col(h, rows, "price")]
    assert r["size"].tolist() == [raw(x) for x in col(h, rows, "amount")]
    assert r["trade_id"][0] == 42377944 and r["trade_id"][-1] == 42387942
    assert (r["aggressor_side"] == BUY).sum() == 5267 and (r["aggressor_side"] == SELL).sum() == 4732
    assert (np.diff(r["ts_event"]) == 0).sum() == 4351                  # one match, many fills
    assert (np.diff(r["ts_init"]) > 0).all()
    assert r["price"][0] == 9682 * NS and r["size"][0] == raw("0.132")


def test_tardis_quotes_ask_before_bid(shared_data):
    path = shared_data / "quotes/tardis_quotes.csv"
    h, rows = rows_of(path)
    r = L.load_tardis_quotes(path, price_precision=2, size_precision=3)
    assert len(r) == 9999
    assert (r["bid_price"][0], r["ask_price"][0]) == (raw("9681.92"), raw("9682"))
    assert (r["bid_size"][0], r["ask_size"][0]) == (raw("0.67"), raw("0.84"))
    assert r["bid_price"].tolist() == [raw(x) for x in col(h, rows, "bid_price")]
    assert r["ask_size"].tolist() == [raw(x) for x in col(h, rows, "ask_amount")]
    assert (r["bid_price"] < r["ask_price"]).all()
    assert (np.diff(r["ts_event"]) == 0).sum() == 416
    lat = r["ts_init"] - r["ts_event"]
    assert 114e6 <= lat.min() < 115e6                                   # README: 114 ms minimum
    assert lat[0] > 2.4e9


def test_tardis_book_snapshot_5(shared_data):
    path = shared_data / "book/tardis-binance-futures_book_snapshot_5_BTCUSDT.csv"
    h, rows = rows_of(path)
    r = L.load_tardis_book_snapshot(path, price_precision=2, size_precision=3)
    assert len(r) == 10 * 11
    first = r[:11]
    assert first["action"].tolist() == [CLEAR] + [ADD] * 10
    assert first["side"].tolist() == [0] + [SELL] * 5 + [BUY] * 5
    assert first["price"][1:6].tolist() == [raw(rows[0][h.index(f"asks[{i}].price")]) for i in range(5)]
    assert first["size"][6:11].tolist() == [raw(rows[0][h.index(f"bids[{i}].amount")]) for i in range(5)]
    assert first["price"][1] == raw("11657.08") and first["price"][6] == raw("11657.07")
    assert ((r["flags"] & 128) != 0).sum() == 10 and (r["flags"] & 32).all()
    assert r["ts_event"][-1] == 1598918404284000 * 1000


def test_tardis_incremental_l2(shared_data):
    r = L.load_tardis_incremental_book_l2(
        shared_data / "book/tardis-deribit_incremental_book_L2_BTC-PERPETUAL.csv", price_precision=1,
        size_precision=0)
    assert len(r) == 16 and r["action"][0] == CLEAR
    assert (r["action"][1:] == ADD).all() and (r["side"][1:] == SELL).all()
    assert (r["ts_event"] == 1585699200245000 * 1000).all()
    assert r["size"][1] == 18640 * NS and r["price"][1] == raw("6421.5")


# ---------------------------------------------------------------------------------------------
# Databento (CSV and DBN give identical records)


def test_databento_trades_csv_and_dbn(shared_data):
    path = shared_data / "trades/databento-esu4-trades_2024-07-01T23h58_2024-07-02T00h02.csv"
    h, rows = rows_of(path)
    r = L.load_databento_trades(path, price_precision=2, size_precision=0)
    assert len(r) == 120
    assert r["ts_event"].tolist() == [int(x) for x in col(h, rows, "ts_event")]
    assert r["ts_init"].tolist() == [int(x) for x in col(h, rows, "ts_recv")]
    assert r["price"].tolist() == [raw(x) for x in col(h, rows, "price")]
    assert (r["aggressor_side"] == BUY).sum() == 66 and (r["aggressor_side"] == SELL).sum() == 54
    assert (np.diff(r["ts_init"]) == 0).sum() == 5 and (np.diff(r["ts_event"]) != 0).all()
    dbn = L.load_databento_dbn(shared_data / "databento_dbn/futures_trades_2024-07-01T23h58_2024-07-02T00h02.dbn.zst",
                               price_precision=2, size_precision=0)
    assert (dbn == r).all()


def test_databento_mbp1(shared_data):
    path = shared_data / "quotes/databento-esu4-mbp-1_2024-07-01T23h58_2024-07-02T00h02.csv"
    h, rows = rows_of(path)
    r = L.load_databento_mbp1(path, price_precision=2, size_precision=0)
    assert len(r) == 2288
    assert r["bid_price"].tolist() == [raw(x) for x in col(h, rows, "bid_px_00")]
    assert r["ask_size"].tolist() == [raw(x) for x in col(h, rows, "ask_sz_00")]
    assert r["flags"].tolist() == [int(x) for x in col(h, rows, "flags")]
    assert (r["bid_price"] < r["ask_price"]).all()
    dbn = L.load_databento_dbn(shared_data / "databento_dbn/futures_mbp-1_2024-07-01T23h58_2024-07-02T00h02.dbn.zst",
                               price_precision=2, size_precision=0)
    assert (dbn == r).all()


def test_databento_mbo_snapshot_day(shared_data):
    path = shared_data / "book/databento-esh4-glbx-mdp3-20231224.mbo.csv.gz"
    h, rows = rows_of(path)
    r = L.load_databento_mbo(path, price_precision=2, size_precision=0)
    assert len(r) == 8725 and (r["action"] == ADD).all()
    assert (r["flags"][:-1] == 40).all() and r["flags"][-1] == 168
    assert r["order_id"].tolist() == [int(x) for x in col(h, rows, "order_id")]
    assert (r["ts_init"] == r["ts_init"][0]).all()
    assert r[r["side"] == BUY]["price"].max() == raw("4799.00")
    assert r[r["side"] == SELL]["price"].min() == raw("4799.50")
    dbn = L.load_databento_dbn(shared_data / "databento_dbn/esh4-glbx-mdp3-20231224.mbo.dbn.zst",
                               price_precision=2, size_precision=0)
    assert (dbn == r).all()


def test_databento_mbo_live_day_drops_only_trades_and_fills(shared_data):
    path = shared_data / "book/databento-esh4-glbx-mdp3-20231225.mbo.csv.gz"
    h, rows = rows_of(path)
    assert len(rows) == 68792
    actions = col(h, rows, "action")
    r = L.load_databento_mbo(path, price_precision=2, size_precision=0)
    book_rows = [i for i, a in enumerate(actions) if a in "ACMR"]
    assert len(r) == len(book_rows)
    mapping = {"A": ADD, "C": DELETE, "M": UPDATE, "R": CLEAR}
    assert r["action"].tolist() == [mapping[actions[i]] for i in book_rows]
    seq = col(h, rows, "sequence")
    assert r["sequence"].tolist() == [int(seq[i]) for i in book_rows]
    assert r["price"].min() == raw("85.00")                              # far-from-market orders kept
    assert (r[:8725]["ts_init"] == 1703462400 * NS).all()                 # ts_recv reset quirk


def test_databento_ohlcv(shared_data):
    path = shared_data / "bars/databento-esu4-ohlcv-1m_2024-07-01T23h40_2024-07-02T00h10.csv"
    h, rows = rows_of(path)
    r = L.load_databento_ohlcv(path, price_precision=2, size_precision=0)
    assert len(r) == 30
    assert r["ts_event"].tolist() == [int(x) + 60 * NS for x in col(h, rows, "ts_event")]  # open -> close
    assert r["close"].tolist() == [raw(x) for x in col(h, rows, "close")]
    assert (np.diff(r["ts_event"]) == 60 * NS).all()
    dbn = L.load_databento_dbn(shared_data / "databento_dbn/futures_ohlcv-1m_2024-07-01T23h40_2024-07-02T00h10.dbn.zst",
                               price_precision=2, size_precision=0)
    assert (dbn == r).all()


# ---------------------------------------------------------------------------------------------
# OHLC CSVs


@pytest.mark.parametrize("name, n, first_day, last_day", [
    ("orcl-1995-2014.txt", 5036, (1995, 1, 3), (2014, 12, 31)),
    ("nvda-1999-2014.txt", 4012, (1999, 1, 22), (2014, 12, 31)),
    ("yhoo-1996-2015.txt", 4965, (1996, 4, 12), (2015, 12, 31)),
])
def test_yahoo_daily(shared_data, name, n, first_day, last_day):
    path = shared_data / "bars" / name
    h, rows = rows_of(path)
    r = L.load_ohlc_csv(path, price_precision=6, size_precision=0)
    assert len(r) == n
    assert r["ts_event"][0] == utc_ns(*first_day) + 86400 * NS          # date label -> end of day
    assert r["ts_event"][-1] == utc_ns(*last_day) + 86400 * NS
    assert r["open"].tolist() == [raw(x) for x in col(h, rows, "Open")]
    assert r["close"].tolist() == [raw(x) for x in col(h, rows, "Close")]   # not Adj Close
    assert r["volume"].tolist() == [int(x) * NS for x in col(h, rows, "Volume")]
    assert (r["volume"] > 0).all()
    gaps = np.diff(r["ts_event"]) // (86400 * NS)
    big = {str(np.datetime64(int(r["ts_event"][i]) - 86400 * NS, "ns"))[:10] for i in np.flatnonzero(gaps > 4)}
    assert "2001-09-10" in big                                           # 9/11 gap (README)


def test_daily_ko_pep_adj_close_after_volume(shared_data):
    ko = L.load_ohlc_csv(shared_data / "bars/daily-KO.csv", price_precision=6, size_precision=0)
    pep = L.load_ohlc_csv(shared_data / "bars/daily-PEP.csv", price_precision=6, size_precision=0)
    assert len(ko) == len(pep) == 356 and (ko["ts_event"] == pep["ts_event"]).all()
    assert ko["close"][0] == raw("51.875") and ko["volume"][0] == 7161800 * NS
    assert pep["close"][-1] == raw("41.5") and pep["volume"][-1] == 2411800 * NS


def test_backtrader_files(shared_data):
    day = L.load_ohlc_csv(shared_data / "bars/2006-day-001.txt", price_precision=2, size_precision=0)
    assert len(day) == 255 and day["close"][-1] == raw("4119.94") and (day["volume"] == 0).all()
    vol = L.load_ohlc_csv(shared_data / "bars/2006-volume-day-001.txt", price_precision=0, size_precision=0)  # CRLF
    assert len(vol) == 255 and vol["volume"][0] == 164794 * NS and vol["close"][-1] == raw("4157")
    m5 = L.load_ohlc_csv(shared_data / "bars/2006-min-005.txt", price_precision=2, size_precision=0)  # Date,Time
    assert len(m5) == 2142
    assert m5["ts_event"][0] == utc_ns(2006, 1, 2, 9, 5) and m5["ts_event"][-1] == utc_ns(2006, 1, 30, 17, 30)
    days = m5["ts_event"] // (86400 * NS)
    assert len(np.unique(days)) == 21 and (np.unique(days, return_counts=True)[1] == 102).all()
    path = shared_data / "bars/2006-01-02-volume-min-001.txt.gz"            # 7 names, 8 fields, CRLF
    _, rows = rows_of(path)
    m1 = L.load_ohlc_csv(path, price_precision=0, size_precision=0)
    assert len(m1) == 30889
    assert m1["ts_event"][0] == utc_ns(2006, 1, 2, 9, 1) and m1["ts_event"][-1] == utc_ns(2006, 2, 27, 22, 0)
    assert m1["volume"].tolist() == [int(x[6]) * NS for x in rows]
    tick = L.load_ohlc_csv(shared_data / "trades/ticksample.csv", price_precision=2, size_precision=0)
    assert len(tick) == 135 and tick["ts_event"][0] == utc_ns(2015, 9, 23, 20, 57, 42, us=146000)
    assert (tick["open"] == tick["close"]).all() and (np.diff(tick["ts_event"]) == 0).sum() == 1


def test_backtesting_py_files(shared_data):
    goog = L.load_ohlc_csv(shared_data / "bars/GOOG.csv", price_precision=2, size_precision=0)
    assert len(goog) == 2148 and goog["open"][0] == 100 * NS
    eur = L.load_ohlc_csv(shared_data / "bars/EURUSD.csv", price_precision=5, size_precision=0,
                          label="open", interval=3600 * NS)
    assert len(eur) == 5000 and eur["ts_event"][0] == utc_ns(2017, 4, 19, 10)   # 09:00 open -> 10:00 close
    assert eur["close"][0] == raw("1.07219")
    # BTCUSD.csv: a pandas float dump has volumes like 397787.41249925003 -> exact loading refuses
    with pytest.raises(LoaderError) as ei:
        L.load_ohlc_csv(shared_data / "bars/BTCUSD.csv", price_precision=2)
    assert ei.value.field == "Volume" and ei.value.line == 44 and "397787.41249925003" in str(ei.value)
    btc = L.load_ohlc_csv(shared_data / "bars/BTCUSD.csv", price_precision=2, size_precision=8, round_volume=True)
    assert len(btc) == 156 and btc["ts_event"][0] == utc_ns(2012, 2, 1)      # month's last day -> next 00:00
    assert btc["volume"][0] == raw("2012.25343589")


def test_cme_minute_bars_and_semicolon_excerpt(shared_data):
    path = shared_data / "bars/6EH4.XCME_1min_bars_20240101_20240131.csv.gz"
    h, rows = rows_of(path)
    r = L.load_ohlc_csv(path, price_precision=5, size_precision=0)
    assert len(r) == 29996 and r["ts_event"][0] == utc_ns(2024, 1, 1, 23, 1)
    assert r["high"].tolist() == [raw(x) for x in col(h, rows, "high")]
    steps = np.diff(r["ts_event"]) // NS
    assert (steps == 120).sum() == 302 and (steps == 180).sum() == 42
    semi = L.load_ohlc_csv(shared_data / "bars/6EH4.XCME_1min_bars_excerpt_semicolon.csv", price_precision=5,
                           size_precision=0)
    assert (semi == r[:9]).all()


def test_ftx_minute_bars(shared_data):
    path = shared_data / "bars/ftx-btc-perp-20211231-20220201_1m.csv.gz"
    with pytest.raises(LoaderError) as ei:                               # float-dump volumes
        L.load_ohlc_csv(path, price_precision=3)
    assert ei.value.field == "volume" and ei.value.line == 249
    r = L.load_ohlc_csv(path, price_precision=3, size_precision=4, round_volume=True)
    assert len(r) == 45031 and (np.diff(r["ts_event"]) == 60 * NS).all()     # every minute present
    assert r["volume"][0] == raw("2300413.7295")


# ---------------------------------------------------------------------------------------------
# FX


def test_histdata_quotes_est_no_dst(shared_data):
    path = shared_data / "quotes/quote_tick_data.csv"
    _, rows = rows_of(path, header=False)
    r = L.load_histdata_quotes(path, price_precision=6)
    assert len(r) == 9500
    assert r["ts_event"][0] == utc_ns(2020, 1, 1, 22, 0, 0, us=65000)       # 17:00:00.065 EST = UTC-5
    assert r["ts_event"][-1] == utc_ns(2020, 1, 2, 4, 0, 52, us=125000)
    assert r["bid_price"].tolist() == [raw(x[1]) for x in rows]
    assert r["ask_price"].tolist() == [raw(x[2]) for x in rows]
    assert (r["bid_size"] == 0).all() and (np.diff(r["ts_event"]) > 0).all()
    assert (r["bid_price"] < r["ask_price"]).all()


def test_truefx_via_generic_csv(shared_data):
    r = L.load_csv(shared_data / "quotes/truefx-usdjpy-ticks.csv", "quotes",
                   {"ts_event": "timestamp", "bid_price": "bid", "ask_price": "ask"}, ts_unit="datetime",
                   price_precision=3)
    assert len(r) == 1000 and r["ts_event"][0] == utc_ns(2013, 1, 1, 22, 0, 0, us=295000)
    assert (np.diff(r["ts_event"]) == 0).sum() == 7
    locked = r[r["bid_price"] == r["ask_price"]]
    assert len(locked) == 1 and locked["bid_price"][0] == raw("86.836")
    assert locked["ts_event"][0] == utc_ns(2013, 1, 1, 22, 34, 34, us=652000)


@pytest.mark.parametrize("pair, n, below, equal", [("gbpusd", 30117, 347, 306), ("usdjpy", 28761, 683, 1240)])
def test_fxcm_bid_ask_bars(shared_data, pair, n, below, equal):
    year = 2012 if pair == "gbpusd" else 2013
    bid_p = shared_data / f"bars/fxcm-{pair}-m1-bid-{year}.csv.gz"
    ask_p = shared_data / f"bars/fxcm-{pair}-m1-ask-{year}.csv.gz"
    bid, ask = L.load_fxcm_bars(bid_p, ask_p, bid_bar_type=1, ask_bar_type=2)
    assert len(bid) == len(ask) == n and (bid["bar_type_id"] == 1).all() and (ask["bar_type_id"] == 2).all()
    _, rows = rows_of(bid_p)
    assert bid["close"].tolist() == [raw(x[4]) for x in rows]
    assert bid["ts_event"][0] == utc_ns(year, 2, 1, 0, 1)                  # open label + 1 min
    assert (ask["close"] < bid["close"]).sum() == below and (ask["close"] == bid["close"]).sum() == equal
    q = L.load_fxcm_bars(bid_p, ask_p, output="quotes")
    assert len(q) == n and (q["bid_price"] == bid["close"]).all() and (q["ask_price"] == ask["close"]).all()


def test_fxcm_mismatched_files(shared_data, tmp_path):
    bid_p = shared_data / "bars/fxcm-gbpusd-m1-bid-2012.csv.gz"
    lines = gzip.open(shared_data / "bars/fxcm-gbpusd-m1-ask-2012.csv.gz", "rt").read().splitlines()
    del lines[10]
    ask_p = tmp_path / "ask.csv"
    ask_p.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoaderError) as ei:
        L.load_fxcm_bars(bid_p, ask_p)
    assert ei.value.line == 11 and ei.value.field == "timestamp"


# ---------------------------------------------------------------------------------------------
# generic CSV, compression, ordering


def test_generic_csv_against_numpy_columns(tmp_path):
    rng = np.random.default_rng(1)
    n = 5000
    ts = 1_600_000_000 * NS + np.cumsum(rng.integers(1, 10**8, n))
    price = rng.integers(1, 10**6, n)                # cents
    size = rng.integers(1, 100, n)
    side = rng.integers(1, 3, n)
    path = tmp_path / "ticks.csv"
    with open(path, "w") as f:
        f.write("ts_ns,price,size,side\n")
        for a, b, c, d in zip(ts, price, size, side, strict=True):
            f.write(f"{a},{b // 100}.{b % 100:02d},{c},{d}\n")
    r = L.load_csv(path, "trades", {"ts_event": "ts_ns", "price": "price", "size": "size",
                                    "aggressor_side": "side"}, price_precision=2, size_precision=0)
    assert r["ts_event"].tolist() == ts.tolist() and r["price"].tolist() == (price * 10**7).tolist()
    assert r["size"].tolist() == (size * NS).tolist() and r["aggressor_side"].tolist() == side.tolist()
    assert (r["ts_init"] == r["ts_event"]).all() and (r["trade_id"] == 0).all() and (r["flags"] == 0).all()
    assert (r["instrument_id"] == 0).all() and (r["price_prec"] == 2).all() and (r["size_prec"] == 0).all()
    # quotes with ts_init and one size column, straight into the records
    qp = tmp_path / "quotes.csv"
    qp.write_text("recv,ev,b,a,bs\n20,10,1.5,1.75,3\n40,30,1.25,1.5,0.5\n")
    q = L.load_csv(qp, "quotes", {"ts_event": "ev", "ts_init": "recv", "bid_price": "b", "ask_price": "a",
                                  "bid_size": "bs"}, ts_unit="us", instrument_id=4)
    assert q["ts_event"].tolist() == [10_000, 30_000] and q["ts_init"].tolist() == [20_000, 40_000]
    assert q["bid_price"].tolist() == [raw("1.5"), raw("1.25")] and q["ask_price"].tolist() == [raw("1.75"), raw("1.5")]
    assert q["bid_size"].tolist() == [3 * NS, raw("0.5")] and (q["ask_size"] == 0).all()
    assert (q["price_prec"] == 2).all() and (q["size_prec"] == 1).all() and (q["instrument_id"] == 4).all()
    # positional columns without header, ms timestamps
    path2 = tmp_path / "bars.csv"
    path2.write_text("1000;1.5;2;1;1.75;10\n2000;1.75;2;1.5;2;0\n")
    b = L.load_csv(path2, "bars", {"ts_event": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5},
                   has_header=False, delimiter=";", ts_unit="ms", bar_type=9)
    assert b["ts_event"].tolist() == [10**9, 2 * 10**9] and b["close"].tolist() == [raw("1.75"), 2 * NS]
    assert b["price_prec"][0] == 2 and (b["bar_type_id"] == 9).all()      # precision inferred


def test_zip_and_gzip_inputs(shared_data, tmp_path):
    src = shared_data / "trades/tardis_trades.csv"
    plain = L.load_tardis_trades(src, price_precision=2, size_precision=3)
    zp = tmp_path / "t.zip"
    with zipfile.ZipFile(zp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(src, "tardis_trades.csv")
    assert (L.load_tardis_trades(zp, price_precision=2, size_precision=3) == plain).all()
    gp = tmp_path / "t.csv.gz"
    gp.write_bytes(gzip.compress(src.read_bytes()))
    assert (L.load_tardis_trades(gp, price_precision=2, size_precision=3) == plain).all()


def test_instrument_object_supplies_id_and_precision(shared_data):
    from alphaforge._core.identifiers import InstrumentId

    class Inst:  # duck-typed instrument: .id, .price_precision, .size_precision
        id = InstrumentId.from_str("BTCUSDT-PERP.BINANCE")
        price_precision = 2
        size_precision = 3

    r = L.load_tardis_trades(shared_data / "trades/tardis_trades.csv", Inst())
    assert (r["instrument_id"] == Inst.id.index).all() and (r["price_prec"] == 2).all()
    r2 = L.load_tardis_trades(shared_data / "trades/tardis_trades.csv", instrument_id="BTCUSDT-PERP.BINANCE")
    assert (r2["instrument_id"] == Inst.id.index).all() and (r2["size_prec"] == 3).all()  # inferred


def test_unsorted_input_sorted_stably_or_rejected(shared_data, tmp_path):
    lines = (shared_data / "trades/tardis_trades.csv").read_text().splitlines()
    lines[5], lines[6] = lines[6], lines[5]
    # make the swap a real inversion: row 6 (line 6) carries a later timestamp
    parts = lines[5].split(",")
    parts[2] = str(int(parts[2]) + 10_000)
    lines[5] = ",".join(parts)
    p = tmp_path / "unsorted.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoaderError) as ei:
        L.load_tardis_trades(p, price_precision=2, size_precision=3, sort="reject")
    assert ei.value.field == "ts_event" and ei.value.line == 7
    r = L.load_tardis_trades(p, price_precision=2, size_precision=3)
    assert (np.diff(r["ts_event"]) >= 0).all() and len(r) == 9999
    # stable: rows with equal timestamps keep file order
    ids = r["trade_id"]
    same = np.flatnonzero(np.diff(r["ts_event"]) == 0)
    assert (ids[same + 1] > ids[same]).all()


# ---------------------------------------------------------------------------------------------
# malformed copies of each format: (loader, kwargs, file, header lines, line to break, field index,
# bad value, expected field)

MALFORMED = [
    (L.load_binance_trades, {}, "trades/binance-spot_btcusdt_20240808_trades.csv", 10, 5, "61837.6x", "price"),
    (L.load_binance_trades, {}, "trades/binance-spot_btcusdt_20240808_trades.csv", 7, 7, "maybe", "is_buyer_maker"),
    (L.load_binance_klines, {}, "bars/ADABTC-1m-2021-11-27.csv", 4, 6, "", "close_time"),
    (L.load_binance_book_ticker, {}, "quotes/binance-spot_btcusdt_20240808_bookticker.csv.gz", 100, 3, "", "bid_price"),
    (L.load_binance_depth, {}, "book/binance-btcusdt-depth-update.csv", 30, 4, "x", "side"),
    (L.load_binance_depth, {}, "book/binance-spot_btcusdt_20240808_depth.csv.gz", 50000, 1, "", "event_time_ms"),
    (L.load_tardis_trades, {"price_precision": 2}, "trades/tardis_trades.csv", 42, 6, "9682.123", "price"),
    (L.load_tardis_trades, {}, "trades/tardis_trades.csv", 9000, 2, "16e", "timestamp"),
    (L.load_tardis_quotes, {}, "quotes/tardis_quotes.csv", 3, 7, "", "bid_amount"),
    (L.load_tardis_book_snapshot, {}, "book/tardis-binance-futures_book_snapshot_5_BTCUSDT.csv", 4, 9, "", "asks[1].amount"),
    (L.load_tardis_incremental_book_l2, {}, "book/tardis-deribit_incremental_book_L2_BTC-PERPETUAL.csv", 9, 4, "maybe", "is_snapshot"),
    (L.load_databento_trades, {}, "trades/databento-esu4-trades_2024-07-01T23h58_2024-07-02T00h02.csv", 50, 6, "Q", "side"),
    (L.load_databento_mbp1, {}, "quotes/databento-esu4-mbp-1_2024-07-01T23h58_2024-07-02T00h02.csv", 77, 13, "-", "bid_px_00"),
    (L.load_databento_mbo, {}, "book/databento-esh4-glbx-mdp3-20231224.mbo.csv.gz", 8000, 5, "Z", "action"),
    (L.load_databento_ohlcv, {}, "bars/databento-esu4-ohlcv-1m_2024-07-01T23h40_2024-07-02T00h10.csv", 20, 8, "-5", "volume"),
    (L.load_ohlc_csv, {}, "bars/orcl-1995-2014.txt", 1234, 0, "1999-02-30", "Date"),
    (L.load_ohlc_csv, {}, "bars/2006-min-005.txt", 11, 1, "9:05", "Time"),
    (L.load_ohlc_csv, {}, "bars/daily-KO.csv", 300, 5, "1e400", "Volume"),
    (L.load_histdata_quotes, {}, "quotes/quote_tick_data.csv", 2000, 0, "20200101 17000", "datetime"),
]


@pytest.mark.parametrize("loader, kw, name, line, field_idx, bad, field", MALFORMED,
                         ids=[f"{m[0].__name__}-{m[6]}" for m in MALFORMED])
def test_malformed_field_names_file_line_field(shared_data, tmp_path, loader, kw, name, line, field_idx, bad, field):
    src = shared_data / name
    text = (gzip.open(src, "rt", newline="") if name.endswith(".gz") else open(src, newline="")).read()
    crlf = "\r\n" in text
    lines = text.splitlines()
    sep = ";" if ";" in lines[0] else ","
    parts = lines[line - 1].split(sep)
    parts[field_idx] = bad
    lines[line - 1] = sep.join(parts)
    out = tmp_path / Path(name).name
    body = ("\r\n" if crlf else "\n").join(lines) + "\n"
    out.write_bytes(gzip.compress(body.encode()) if name.endswith(".gz") else body.encode())
    with pytest.raises(LoaderError) as ei:
        loader(out, **kw)
    err = ei.value
    assert (err.file, err.line, err.field) == (str(out), line, field)
    assert str(out) in str(err) and f":{line}:" in str(err) and field in str(err)


def test_wrong_field_count_names_line(shared_data, tmp_path):
    lines = (shared_data / "trades/tardis_trades.csv").read_text().splitlines()
    lines[4321] = lines[4321].rsplit(",", 1)[0]                 # drop the amount
    p = tmp_path / "short.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoaderError) as ei:
        L.load_tardis_trades(p)
    assert ei.value.line == 4322 and "expected 8 fields, got 7" in str(ei.value)


def test_wrong_header_is_rejected(shared_data, tmp_path):
    lines = (shared_data / "quotes/tardis_quotes.csv").read_text().splitlines()
    lines[0] = lines[0].replace("ask_amount,ask_price", "ask_price,ask_amount")
    p = tmp_path / "swapped.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoaderError) as ei:
        L.load_tardis_quotes(p)
    assert ei.value.line == 1


def test_loader_error_is_value_error():
    err = LoaderError("bad", file="f.csv", line=3, field="price")
    assert isinstance(err, ValueError) and str(err) == "f.csv:3: field 'price': bad"


def _big_ticks(tmp_path, n=200_000):
    """A > 4 MB plain CSV so the direct parser splits it across threads."""
    rng = np.random.default_rng(5)
    ts = 1_600_000_000 * NS + np.cumsum(rng.integers(1, 10**6, n))
    cents = rng.integers(1, 10**7, n)
    size = rng.integers(1, 1000, n)
    lines = ["ts,price,size,side"] + [f"{a},{b // 100}.{b % 100:02d},{c},{1 + (b & 1)}"
                                      for a, b, c in zip(ts.tolist(), cents.tolist(), size.tolist(), strict=True)]
    return lines, ts, cents, size


COLS = {"ts_event": "ts", "price": "price", "size": "size", "aggressor_side": "side"}


def test_generic_csv_fast_path_multi_part_values_and_errors(tmp_path):
    lines, ts, cents, size = _big_ticks(tmp_path)
    p = tmp_path / "big.csv"
    p.write_text("\n".join(lines) + "\n")
    assert p.stat().st_size > 4 << 20
    r = L.load_csv(p, "trades", COLS, price_precision=2, size_precision=0)
    assert r["ts_event"].tolist() == ts.tolist() and r["price"].tolist() == (cents * 10**7).tolist()
    assert r["size"].tolist() == (size * NS).tolist() and r["aggressor_side"].tolist() == (1 + (cents & 1)).tolist()
    for line_no, new, field, what in [
        (190_001, lambda s: s.replace(",", ",9.125,", 1).split(",", 2)[0] + ",9.125," + s.split(",", 2)[2], "price",
         "more decimals"),
        (150_000, lambda s: s + ",7", None, "expected 4 fields"),
        (100_123, lambda s: "", None, "expected 4 fields"),                 # blank line
        (123_456, lambda s: s.split(",")[0] + ",1.00,-3,1", "size", "negative"),
        (5, lambda s: "16000000000x," + s.split(",", 1)[1], "ts", "malformed"),
    ]:
        bad = list(lines)
        bad[line_no - 1] = new(bad[line_no - 1])
        q = tmp_path / f"bad{line_no}.csv"
        q.write_text("\n".join(bad) + "\n")
        with pytest.raises(LoaderError) as ei:
            L.load_csv(q, "trades", COLS, price_precision=2, size_precision=0)
        assert (ei.value.line, ei.value.field) == (line_no, field) and what in str(ei.value), str(ei.value)


def test_generic_csv_quoted_or_word_codes_take_the_arrow_path(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('ts,price,size,side\n1000,"1.25",3,buy\n2000,1.5,4,sell\n')
    r = L.load_csv(p, "trades", COLS, ts_unit="us")
    assert r["ts_event"].tolist() == [10**6, 2 * 10**6] and r["aggressor_side"].tolist() == [BUY, SELL]
    assert r["price_prec"][0] == 2 and r["price"].tolist() == [1_250_000_000, 1_500_000_000]
    p.write_text("ts,price,size,side\n1000,1.25,3,buy\n2000,1.5,4,hold\n")
    with pytest.raises(LoaderError) as ei:
        L.load_csv(p, "trades", COLS)
    assert (ei.value.line, ei.value.field) == (3, "side")


def test_back_to_back_snapshots_each_get_a_clear(shared_data, tmp_path):
    lines = (shared_data / "book/tardis-deribit_incremental_book_L2_BTC-PERPETUAL.csv").read_text().splitlines()
    second = [ln.replace("1585699200245000,1585699200355684", "1585699201245000,1585699201355684")
              for ln in lines[1:6]]
    p = tmp_path / "two.csv"
    p.write_text("\n".join(lines + second) + "\n")
    r = L.load_tardis_incremental_book_l2(p, price_precision=1, size_precision=0)
    assert len(r) == 15 + 5 + 2
    assert np.flatnonzero(r["action"] == CLEAR).tolist() == [0, 16]
    assert r["ts_event"][16] == 1585699201245000 * 1000
    # T_DEPTH: two snapshots with different update ids
    snap = (shared_data / "book/binance-btcusdt-depth-snap.csv").read_text().splitlines()
    more = [ln.replace("2098021528332,2098021528332", "2098021528999,2098021528999") for ln in snap[1:4]]
    q = tmp_path / "snaps.csv"
    q.write_text("\n".join(snap + more) + "\n")
    d = L.load_binance_depth(q, price_precision=1, size_precision=3)
    assert np.flatnonzero(d["action"] == CLEAR).tolist() == [0, 101]
    assert ((d["flags"] & 128) != 0).sum() == 2


def test_bybit_orderbook_zip_json_lines(shared_data, tmp_path):
    import json

    path = shared_data / "book/bybit-xrpusdt-ob500.data.zip"
    with zipfile.ZipFile(path) as z:
        msgs = [json.loads(x) for x in z.read(z.namelist()[0]).decode().splitlines()]
    r = L.load_bybit_orderbook(path, price_precision=4, size_precision=0)
    # reference: per message, CLEAR (snapshot only), then bids then asks in file order
    ref = []
    for m in msgs:
        snap = m["type"] == "snapshot"
        if snap:
            ref.append((CLEAR, 0, 0, 0))
        for key, side in (("b", BUY), ("a", SELL)):
            for px, sz in m["data"][key]:
                ref.append((ADD if snap else (DELETE if Decimal(sz) == 0 else UPDATE), side, raw(px), raw(sz)))
    assert len(msgs) == 50 and len(r) == 3966 + 1
    assert list(zip(r["action"].tolist(), r["side"].tolist(), r["price"].tolist(), r["size"].tolist(),
                    strict=True)) == ref
    assert (r[1:1001]["flags"] & 32).all() and ((r["flags"] & 128) != 0).sum() == 50
    assert (np.diff(np.unique(r["sequence"])) == 1).all()                 # u consecutive (README)
    assert r["ts_init"][0] == msgs[0]["ts"] * 1_000_000 and r["ts_event"][-1] == msgs[-1]["cts"] * 1_000_000
    lines = [json.dumps(m) for m in msgs]
    broken = list(lines)
    broken[7] = broken[7][:-3]
    p = tmp_path / "broken.data"
    p.write_text("\n".join(broken) + "\n")
    with pytest.raises(LoaderError) as ei:
        L.load_bybit_orderbook(p)
    assert ei.value.line == 8
    bad = list(lines)
    m = json.loads(bad[12])
    m["data"]["a"][0][0] = "2.00385"
    bad[12] = json.dumps(m)
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(LoaderError) as ei:
        L.load_bybit_orderbook(p, price_precision=4)
    assert (ei.value.line, ei.value.field) == (13, "price") and "2.00385" in str(ei.value)


def test_databento_mbo_with_trades(shared_data):
    path = shared_data / "book/databento-esh4-glbx-mdp3-20231225.mbo.csv.gz"
    h, rows = rows_of(path)
    deltas, trades = L.load_databento_mbo(path, price_precision=2, size_precision=0, with_trades=True)
    t_rows = [r for r in rows if r[h.index("action")] == "T"]
    assert len(deltas) == sum(r[h.index("action")] in "ACMR" for r in rows)
    assert trades["price"].tolist() == [raw(r[h.index("price")]) for r in t_rows]
    assert trades["size"].tolist() == [int(r[h.index("size")]) * NS for r in t_rows]
    sides = {"B": BUY, "A": SELL, "N": 0}
    assert trades["aggressor_side"].tolist() == [sides[r[h.index("side")]] for r in t_rows]
    assert (trades["aggressor_side"] == 0).sum() == 1                      # the opening trade (README)
    assert trades["ts_event"][0] >= utc_ns(2023, 12, 25, 23)              # opening at 23:00 UTC


@pytest.mark.parametrize("bad", ["3", "300", "-1"])
def test_generic_csv_side_codes_out_of_range(tmp_path, bad):
    p = tmp_path / "s.csv"
    p.write_text(f"ts,price,size,side\n1,1.5,2,1\n2,1.5,2,{bad}\n3,1.5,2,2\n")
    with pytest.raises(LoaderError) as ei:
        L.load_csv(p, "trades", COLS)
    assert (ei.value.line, ei.value.field) == (3, "side") and bad in str(ei.value)
