"""Real-data acceptance for ``alphaforge.book.OrderBook``: books rebuilt from exchange feeds.

Every expected value is computed independently in this file from the raw text (exact decimal
strings -> integers at scale 10^9, plain dicts), never by the code under test.
"""

import csv
import gzip
import io
import json
import zipfile
from bisect import bisect_right
from collections import defaultdict

import pytest

from alphaforge.book import BookAction, BookIntegrityError, OrderBook, OrderSide, RecordFlag

SCALE = 10**9


def dec_raw(text: str) -> int:
    """Exact decimal string -> int at scale 10^9 (independent of alphaforge's parser)."""
    s = text.strip()
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    ip, _, fp = s.partition(".")
    fp = fp.rstrip("0")
    assert len(fp) <= 9, text
    v = int(ip or "0") * SCALE + (int(fp.ljust(9, "0")) if fp else 0)
    return -v if neg else v


def side_of(text: str) -> OrderSide:
    return OrderSide.BUY if text in ("bid", "b", "B", "buy", "Buy") else OrderSide.SELL


def top_raw(book: OrderBook) -> tuple:
    return (
        book.best_bid_price_raw(),
        book.best_bid_size_raw(),
        book.best_ask_price_raw(),
        book.best_ask_size_raw(),
    )


# ------------------------------------------------------------------------------------------------
# Binance spot BTCUSDT: documented diff-depth sync procedure vs the bookTicker stream
# ------------------------------------------------------------------------------------------------


def _binance_spot_messages(path):
    snap = {"bid": [], "ask": []}
    snap_id = None
    msgs = []  # (U, u, [(side, price, qty)]) in file order
    with gzip.open(path, "rt", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["is_snapshot"] == "true":
                snap_id = int(r["last_update_id"])
                snap[r["side"]].append((r["price"], r["qty"]))
                continue
            key = (int(r["first_update_id"]), int(r["last_update_id"]))
            if not msgs or msgs[-1][:2] != key:
                msgs.append((key[0], key[1], []))
            msgs[-1][2].append((r["side"], r["price"], r["qty"]))
    return snap, snap_id, msgs


def test_binance_spot_sync_every_message_matches_bookticker(shared_data):
    snap, snap_id, msgs = _binance_spot_messages(shared_data / "book" / "binance-spot_btcusdt_20240808_depth.csv.gz")
    assert snap_id == 50093239218
    assert len(snap["bid"]) == 1000 and len(snap["ask"]) == 1000
    assert len(msgs) == 3451

    ticker_ids, ticker_top = [], []
    with gzip.open(shared_data / "quotes" / "binance-spot_btcusdt_20240808_bookticker.csv.gz", "rt", newline="") as fh:
        for r in csv.DictReader(fh):
            ticker_ids.append(int(r["update_id"]))
            ticker_top.append((dec_raw(r["bid_price"]), dec_raw(r["bid_qty"]), dec_raw(r["ask_price"]), dec_raw(r["ask_qty"])))

    book = OrderBook("BTCUSDT.BINANCE", "L2", price_precision=8, size_precision=8)
    book.apply_snapshot(
        [float(p) for p, _ in snap["bid"]], [float(q) for _, q in snap["bid"]],
        [float(p) for p, _ in snap["ask"]], [float(q) for _, q in snap["ask"]],
        sequence=snap_id,
    )
    assert book.bid_levels == 1000 and book.ask_levels == 1000

    applied = []
    for first, last, rows in msgs:
        if not book.accept_update(first, last):
            assert last <= snap_id  # only stale messages are dropped
            continue
        for side, price, qty in rows:  # Binance: absolute quantity per level, 0 removes it
            book.apply_delta(BookAction.UPDATE, side_of(side), float(price), float(qty), sequence=0)
        applied.append((first, last))
        k = bisect_right(ticker_ids, last) - 1
        assert k >= 0
        assert top_raw(book) == ticker_top[k], f"after diff U={first} u={last} vs bookTicker {ticker_ids[k]}"
        book.check_integrity()

    # Binance's rule, computed independently: drop u <= lastUpdateId; the first applied diff spans
    # lastUpdateId + 1; then each U == previous u + 1.
    expected = [(f, l) for f, l, _ in msgs if l > snap_id]
    assert applied == expected
    assert len(applied) == 3449
    assert applied[0][0] <= snap_id + 1 <= applied[0][1]
    assert all(b[0] == a[1] + 1 for a, b in zip(applied, applied[1:]))
    assert book.last_sequence == msgs[-1][1]
    assert not book.needs_snapshot


def test_binance_spot_gap_is_detected(shared_data):
    snap, snap_id, msgs = _binance_spot_messages(shared_data / "book" / "binance-spot_btcusdt_20240808_depth.csv.gz")
    live = [m for m in msgs if m[1] > snap_id]
    book = OrderBook("BTCUSDT.BINANCE", "L2", price_precision=8, size_precision=8, gap_policy="flag")
    book.apply_snapshot([float(p) for p, _ in snap["bid"]], [float(q) for _, q in snap["bid"]],
                        [float(p) for p, _ in snap["ask"]], [float(q) for _, q in snap["ask"]], sequence=snap_id)
    assert book.accept_update(live[0][0], live[0][1])
    assert book.accept_update(live[2][0], live[2][1])  # live[1] skipped: a gap
    assert book.needs_snapshot
    strict = OrderBook("BTCUSDT.BINANCE", "L2", price_precision=8, size_precision=8)
    strict.apply_snapshot([61837.63], [1.0], [61837.64], [1.0], sequence=snap_id)
    from alphaforge.book import SequenceGapError

    with pytest.raises(SequenceGapError):
        strict.accept_update(live[1][0], live[1][1])
