"""Real-data acceptance for ``alphaforge.book.OrderBook``: books rebuilt from exchange feeds.

Every expected value is computed independently in this file from the raw text (exact decimal
strings -> integers at scale 10^9, plain dicts), never by the code under test.
"""

import csv
import gzip
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
    expected = [(f, last) for f, last, _ in msgs if last > snap_id]
    assert applied == expected
    assert len(applied) == 3449
    assert applied[0][0] <= snap_id + 1 <= applied[0][1]
    assert all(b[0] == a[1] + 1 for a, b in zip(applied, applied[1:], strict=False))
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


# ------------------------------------------------------------------------------------------------
# CME ESH4 market-by-order (L3), events grouped by the LAST flag
# ------------------------------------------------------------------------------------------------

F_LAST = int(RecordFlag.LAST)
F_SNAPSHOT = int(RecordFlag.SNAPSHOT)
MBO_ACTIONS = {"A": BookAction.ADD, "C": BookAction.DELETE, "M": BookAction.UPDATE}


class MboReference:
    """Plain-dict L3 reference: order_id -> (side, price_raw, size), Databento semantics
    (A add, C cancel ``size`` of the order, M replace price/size, T/F do not change the book; a
    snapshot that starts after live data replaces the book)."""

    def __init__(self):
        self.orders = {}
        self.levels = {"B": defaultdict(int), "A": defaultdict(int)}
        self.in_snapshot = False

    def _level_add(self, side, price, size):
        lv = self.levels[side]
        lv[price] += size
        if lv[price] == 0:
            del lv[price]

    def apply(self, action, side, price, size, oid, flags):
        if flags & F_SNAPSHOT:
            if not self.in_snapshot:
                self.orders.clear()
                self.levels = {"B": defaultdict(int), "A": defaultdict(int)}
            self.in_snapshot = not (flags & F_LAST)
        else:
            self.in_snapshot = False
        if action == "A":
            assert oid not in self.orders
            self.orders[oid] = (side, price, size)
            self._level_add(side, price, size)
        elif action == "C":
            s, p, z = self.orders[oid]
            self._level_add(s, p, -min(size, z))
            if size >= z:
                del self.orders[oid]
            else:
                self.orders[oid] = (s, p, z - size)
        elif action == "M":
            if oid in self.orders:
                s, p, z = self.orders.pop(oid)
                self._level_add(s, p, -z)
            if size > 0:
                self.orders[oid] = (side, price, size)
                self._level_add(side, price, size)

    def top(self):
        b, a = self.levels["B"], self.levels["A"]
        bb = max(b) if b else None
        ba = min(a) if a else None
        return (bb, b[bb] if b else 0, ba, a[ba] if a else 0)


def _mbo_rows(path):
    with gzip.open(path, "rt", newline="") as fh:
        for r in csv.DictReader(fh):
            yield (r["action"], r["side"], dec_raw(r["price"]), int(r["size"]), int(r["order_id"]),
                   int(r["flags"]), int(r["ts_event"]), int(r["sequence"]))


def test_databento_esh4_mbo_l3_book(shared_data):
    import numpy as np

    from alphaforge.book import ORDER_BOOK_DELTA_DTYPE

    book = OrderBook("ESH4.XCME", "L3", price_precision=2, size_precision=0, events="last_flag",
                     gap_policy="ignore", crossed_policy="keep")
    ref = MboReference()
    n_events = 0
    n_crossed = 0
    for day, path in enumerate(sorted((shared_data / "book").glob("databento-esh4-glbx-mdp3-2023122*.mbo.csv.gz"))):
        rows = list(_mbo_rows(path))
        fed = [r for r in rows if r[0] in MBO_ACTIONS]
        # event boundaries: every LAST-flagged row of the book-changing actions closes an event
        assert all(not (r[5] & F_LAST) for r in rows if r[0] not in MBO_ACTIONS)
        recs = np.zeros(len(fed), dtype=ORDER_BOOK_DELTA_DTYPE)
        recs["action"] = [int(MBO_ACTIONS[r[0]]) for r in fed]
        recs["side"] = [1 if r[1] == "B" else 2 for r in fed]
        recs["price"] = [r[2] for r in fed]
        recs["size"] = [r[3] * SCALE for r in fed]
        recs["order_id"] = [r[4] for r in fed]
        recs["flags"] = [r[5] for r in fed]
        recs["ts_event"] = [r[6] for r in fed]
        recs["sequence"] = [r[7] for r in fed]
        start = 0
        for i, r in enumerate(fed):
            ref.apply(r[0], r[1], r[2], r[3], r[4], r[5])
            if not (r[5] & F_LAST):
                continue
            book.apply_deltas(recs[start : i + 1])  # one complete event
            start = i + 1
            n_events += 1
            book.check_integrity(10)  # invariants after every complete event (top 10 levels deep)
            n_crossed += book.is_crossed()
            if n_events % 25 == 0:
                bb, bs, ba, asz = ref.top()
                assert top_raw(book) == (bb, bs * SCALE, ba, asz * SCALE), f"event {n_events}"
                assert book.order_count == len(ref.orders)
        assert start == len(fed)  # every file ends on a complete event
        book.check_integrity()
        if day == 0:
            # 12-24: the initial snapshot only (README: best bid 4799.00, best ask 4799.50)
            assert book.order_count == 8725
            assert book.best_bid_price() == 4799.0 and book.best_ask_price() == 4799.5

    # final state vs the independent reference: every level on both sides and every order
    assert n_events == 1 + 47_022  # 12-24: one snapshot event; 12-25: 47,021 rows flagged 130 + 1 flagged 128
    assert book.order_count == len(ref.orders) == 11217
    for side, name in ((OrderSide.BUY, "B"), (OrderSide.SELL, "A")):
        levels = sorted(ref.levels[name].items(), reverse=(name == "B"))
        got = book.bids_raw(10**6) if name == "B" else book.asks_raw(10**6)
        assert [(int(p), int(z)) for p, z in got] == [(p, z * SCALE) for p, z in levels]
        assert book.level_count(side) == len(levels)
    for oid, (s, p, z) in ref.orders.items():
        assert book.order(oid) == (1 if s == "B" else 2, p / SCALE, float(z))
    assert top_raw(book) == (dec_raw("4810.00"), 22 * SCALE, dec_raw("4810.25"), 28 * SCALE)
    assert book.crossed_count == n_crossed  # pre-open auction books cross: kept and counted
    assert book.missing_deletes == 0


def test_databento_esh4_snapshot_repeat_does_not_duplicate(shared_data):
    """The 12-25 file repeats the 12-24 snapshot without LAST flags: the book must rebuild, not
    double up (the duplicate order ids would otherwise raise)."""
    book = OrderBook("ESH4.XCME", "L3", price_precision=2, size_precision=0, events="last_flag", gap_policy="ignore")
    for path in ("databento-esh4-glbx-mdp3-20231224.mbo.csv.gz", "databento-esh4-glbx-mdp3-20231225.mbo.csv.gz"):
        for n, (a, s, p, z, oid, fl, ts, seq) in enumerate(_mbo_rows(shared_data / "book" / path)):
            if n == 8725:
                break
            book.apply_delta_raw(int(MBO_ACTIONS[a]), 1 if s == "B" else 2, p, z * SCALE, oid, ts, seq, fl)
        assert book.order_count == 8725
        book.check_integrity()
    with pytest.raises(BookIntegrityError, match="already in the book"):
        book.apply_delta_raw(1, 1, dec_raw("4799.00"), SCALE, 6412777162812, 0, 0, 0)


# ------------------------------------------------------------------------------------------------
# CME ESU4 MBP-1 -> L1 book
# ------------------------------------------------------------------------------------------------


def test_databento_esu4_mbp1_l1_book(shared_data):
    path = next((shared_data / "quotes").glob("databento-esu4-mbp-1_*.csv"))
    by_delta = OrderBook("ESU4.XCME", "L1", price_precision=2, size_precision=0)
    by_quote = OrderBook("ESU4.XCME", "L1", price_precision=2, size_precision=0, crossed_policy="raise")
    n = 0
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            expect = (dec_raw(r["bid_px_00"]), int(r["bid_sz_00"]) * SCALE, dec_raw(r["ask_px_00"]), int(r["ask_sz_00"]) * SCALE)
            # each MBP-1 record carries the top of book after its event: bid side then ask side
            by_delta.apply_delta(BookAction.UPDATE, OrderSide.BUY, float(r["bid_px_00"]), float(r["bid_sz_00"]),
                                 ts_event=int(r["ts_event"]))
            by_delta.apply_delta(BookAction.UPDATE, OrderSide.SELL, float(r["ask_px_00"]), float(r["ask_sz_00"]),
                                 ts_event=int(r["ts_event"]))
            by_quote.update_quote(float(r["bid_px_00"]), float(r["bid_sz_00"]), float(r["ask_px_00"]),
                                  float(r["ask_sz_00"]), ts_event=int(r["ts_event"]))
            assert top_raw(by_delta) == expect, f"row {n}"
            assert top_raw(by_quote) == expect, f"row {n}"
            by_delta.check_integrity()
            n += 1
    assert n == 2288
    assert by_delta.bid_levels == 1 and by_delta.ask_levels == 1
    assert by_delta.ts_last == by_quote.ts_last == int(r["ts_event"])


# ------------------------------------------------------------------------------------------------
# Bybit XRPUSDT 500-level snapshot + deltas
# ------------------------------------------------------------------------------------------------


def test_bybit_ob500_snapshot_and_deltas(shared_data):
    with zipfile.ZipFile(shared_data / "book" / "bybit-xrpusdt-ob500.data.zip") as zf:
        lines = zf.read(zf.namelist()[0]).decode().splitlines()
    msgs = [json.loads(x) for x in lines if x.strip()]
    assert msgs[0]["type"] == "snapshot" and len(msgs) == 50
    book = OrderBook("XRPUSDT.BYBIT", "L2", price_precision=4, size_precision=0)
    ref = {"b": {}, "a": {}}
    snap = msgs[0]["data"]
    for k in ("b", "a"):
        ref[k] = {dec_raw(p): dec_raw(z) for p, z in snap[k] if dec_raw(z) > 0}
    book.apply_snapshot([float(p) for p, _ in snap["b"]], [float(z) for _, z in snap["b"]],
                        [float(p) for p, _ in snap["a"]], [float(z) for _, z in snap["a"]], sequence=snap["u"])
    assert book.bid_levels == 500 and book.ask_levels == 500
    n_rows = 1000
    for m in msgs[1:]:
        d = m["data"]
        for k, side in (("b", OrderSide.BUY), ("a", OrderSide.SELL)):
            for p, z in d[k]:
                # per-delta sequence: every row of a message carries its u (same u = same message)
                book.apply_delta(BookAction.UPDATE, side, float(p), float(z), ts_event=m["ts"] * 1_000_000, sequence=d["u"])
                if dec_raw(z) == 0:
                    ref[k].pop(dec_raw(p), None)
                else:
                    ref[k][dec_raw(p)] = dec_raw(z)
                n_rows += 1
        for k, got in (("b", book.bids_raw(20)), ("a", book.asks_raw(20))):
            want = sorted(ref[k].items(), reverse=(k == "b"))[:20]
            assert [(int(p), int(z)) for p, z in got] == want
        assert book.bid_levels == len(ref["b"]) and book.ask_levels == len(ref["a"])
        book.check_integrity()
    assert n_rows == 3966
    assert book.last_sequence == msgs[-1]["data"]["u"]
    assert not book.is_crossed()


# ------------------------------------------------------------------------------------------------
# Tardis samples and Binance T_DEPTH
# ------------------------------------------------------------------------------------------------


def test_tardis_book_snapshot_5(shared_data):
    book = OrderBook("BTCUSDT-PERP.BINANCE", "L2", price_precision=2, size_precision=3)
    n = 0
    with open(shared_data / "book" / "tardis-binance-futures_book_snapshot_5_BTCUSDT.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            bids = [(r[f"bids[{i}].price"], r[f"bids[{i}].amount"]) for i in range(5)]
            asks = [(r[f"asks[{i}].price"], r[f"asks[{i}].amount"]) for i in range(5)]
            book.apply_snapshot([float(p) for p, _ in bids], [float(z) for _, z in bids],
                                [float(p) for p, _ in asks], [float(z) for _, z in asks],
                                ts_event=int(r["timestamp"]) * 1000)
            assert [(int(p), int(z)) for p, z in book.bids_raw(5)] == [(dec_raw(p), dec_raw(z)) for p, z in bids]
            assert [(int(p), int(z)) for p, z in book.asks_raw(5)] == [(dec_raw(p), dec_raw(z)) for p, z in asks]
            n += 1
    assert n == 10
    # last row: asks[0] 11657.08 / bids[0] 11657.07
    assert book.spread() == pytest.approx(0.01)
    assert book.best_bid_price() == float(bids[0][0]) and book.best_ask_price() == float(asks[0][0])


def test_tardis_deribit_incremental_snapshot(shared_data):
    book = OrderBook("BTC-PERPETUAL.DERIBIT", "L2", price_precision=1, size_precision=0)
    book.apply_delta(BookAction.ADD, OrderSide.BUY, 6000.0, 5.0)  # stale state the snapshot must replace
    rows = list(csv.DictReader(open(shared_data / "book" / "tardis-deribit_incremental_book_L2_BTC-PERPETUAL.csv", newline="")))
    for i, r in enumerate(rows):
        flags = F_SNAPSHOT | (F_LAST if i == len(rows) - 1 else 0)
        assert r["is_snapshot"] == "true"
        book.apply_delta(BookAction.ADD, side_of(r["side"]), float(r["price"]), float(r["amount"]),
                         ts_event=int(r["timestamp"]) * 1000, flags=flags)
    want = sorted((dec_raw(r["price"]), dec_raw(r["amount"])) for r in rows)
    assert [(int(p), int(z)) for p, z in book.asks_raw(100)] == want
    assert book.bid_levels == 0 and book.ask_levels == 15
    assert book.best_ask_price() == 6421.5 and book.best_ask_size() == 18640.0


def test_binance_futures_t_depth_snap_and_update(shared_data):
    snap_rows = list(csv.DictReader(open(shared_data / "book" / "binance-btcusdt-depth-snap.csv", newline="")))
    upd_rows = list(csv.DictReader(open(shared_data / "book" / "binance-btcusdt-depth-update.csv", newline="")))
    book = OrderBook("BTCUSDT-PERP.BINANCE", "L2", price_precision=2, size_precision=3, gap_policy="flag")
    bids = [(r["price"], r["qty"]) for r in snap_rows if r["side"] == "b"]
    assert len(bids) == 100 and all(r["update_type"] == "snap" for r in snap_rows)
    book.apply_snapshot([float(p) for p, _ in bids], [float(z) for _, z in bids], [], [],
                        sequence=int(snap_rows[0]["last_update_id"]))
    assert book.bid_levels == 100 and book.ask_levels == 0
    assert book.best_bid_price() == 20377.0 and book.best_bid_size() == 1.77

    ref = {"b": {dec_raw(p): dec_raw(z) for p, z in bids}, "a": {}}
    first, last = int(upd_rows[0]["first_update_id"]), int(upd_rows[0]["last_update_id"])
    assert book.accept_update(first, last)  # 10 minutes later: a gap, flagged
    assert book.needs_snapshot
    for _ in range(2):  # duplicate rows and re-application are idempotent "set"
        for r in upd_rows:
            book.apply_delta(BookAction.UPDATE, side_of(r["side"]), float(r["price"]), float(r["qty"]))
            if dec_raw(r["qty"]) == 0:
                ref[r["side"]].pop(dec_raw(r["price"]), None)
            else:
                ref[r["side"]][dec_raw(r["price"])] = dec_raw(r["qty"])
    for k, got in (("b", book.bids_raw(1000)), ("a", book.asks_raw(1000))):
        assert [(int(p), int(z)) for p, z in got] == sorted(ref[k].items(), reverse=(k == "b"))
    assert book.size_at(OrderSide.BUY, 2047.3) == ref["b"][dec_raw("2047.30")] / SCALE
    book.check_integrity()
