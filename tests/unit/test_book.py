"""Unit tests for alphaforge.book.OrderBook: hand-worked examples and plain-Python references."""

import math
import random

import numpy as np
import pytest

from alphaforge._core.fixed import Price, Quantity
from alphaforge.book import (
    BOOK_TOP_DTYPE,
    ORDER_BOOK_DELTA_DTYPE,
    BookAction,
    BookIntegrityError,
    BookType,
    CrossedBookError,
    OrderBook,
    OrderSide,
    RecordFlag,
    SequenceGapError,
)

S = 10**9
ADD, UPD, DEL, CLR = 1, 2, 3, 4
BUY, SELL = 1, 2


def l2(**kw):
    kw.setdefault("price_precision", 2)
    kw.setdefault("size_precision", 0)
    return OrderBook("BTCUSDT.BINANCE", "L2", **kw)


def hand_book():
    """bids 100.00 x 5, 99.50 x 3, 99.00 x 10 / asks 100.50 x 2, 101.00 x 4, 102.00 x 6."""
    b = l2()
    for p, z in ((99.0, 10), (100.0, 5), (99.5, 3)):
        b.apply_delta(ADD, BUY, p, float(z))
    for p, z in ((102.0, 6), (100.5, 2), (101.0, 4)):
        b.apply_delta(ADD, SELL, p, float(z))
    return b


class DictL2:
    """Plain-Python L2 reference: {price_raw: size_raw} per side."""

    def __init__(self):
        self.b, self.a = {}, {}

    def apply(self, action, side, price, size):
        d = self.b if side == BUY else self.a
        if action == CLR:
            self.b.clear()
            self.a.clear()
        elif action == DEL or size == 0:
            d.pop(price, None)
        else:
            d[price] = size

    def top(self):
        bb = max(self.b) if self.b else 0
        ba = min(self.a) if self.a else 0
        return (bb, self.b.get(bb, 0), ba, self.a.get(ba, 0))

    def levels(self, side, n):
        d = self.b if side == BUY else self.a
        return sorted(d.items(), reverse=(side == BUY))[:n]


def random_l2_stream(n, seed, depth=50, mid=10_000):
    """Deltas around a drifting mid (ticks of 0.01), raw ints; may touch deep levels."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.02:
            mid += rng.choice((-1, 1))
        side = rng.choice((BUY, SELL))
        off = min(int(rng.expovariate(0.25)) + 1, depth)
        px = (mid - off) if side == BUY else (mid + off)
        r = rng.random()
        action = DEL if r < 0.25 else (ADD if r < 0.6 else UPD)
        size = 0 if action == DEL else rng.randint(1, 500)
        out.append((action, side, px * 10**7, size * S))
    return out


# --- construction -----------------------------------------------------------------------------


def test_book_type_parsing_and_validation():
    assert OrderBook("X.Y", "L1").book_type == 1
    assert OrderBook("X.Y", BookType.L3_MBO).book_type == 3
    assert OrderBook("X.Y", "l2_mbp").book_type == 2
    assert OrderBook("X.Y").book_type == 2
    assert str(OrderBook("BTCUSDT.BINANCE").instrument_id) == "BTCUSDT.BINANCE"
    with pytest.raises(ValueError, match="book_type"):
        OrderBook("X.Y", "L4")
    with pytest.raises(ValueError, match="book_type"):
        OrderBook("X.Y", 7)
    with pytest.raises(ValueError, match="gap_policy"):
        OrderBook("X.Y", gap_policy="skip")
    with pytest.raises(ValueError, match="crossed_policy"):
        OrderBook("X.Y", crossed_policy="fix")
    with pytest.raises(ValueError, match="price_precision"):
        OrderBook("X.Y", price_precision=10)


def test_empty_book_queries():
    b = l2()
    assert math.isnan(b.best_bid_price()) and math.isnan(b.best_ask_price())
    assert b.best_bid_size() == 0.0 and b.best_ask_size() == 0.0
    assert b.best_bid_price_raw() is None and b.best_ask_price_raw() is None
    assert math.isnan(b.spread()) and math.isnan(b.mid()) and math.isnan(b.imbalance())
    assert b.bids(5).shape == (0, 2)
    assert math.isnan(b.avg_fill_price(BUY, 1.0)) and math.isnan(b.worst_fill_price(BUY, 1.0))
    b.check_integrity()


# --- L2 semantics -----------------------------------------------------------------------------


def test_l2_hand_example_queries():
    b = hand_book()
    assert b.best_bid_price() == 100.0 and b.best_bid_size() == 5.0
    assert b.best_ask_price() == 100.5 and b.best_ask_size() == 2.0
    assert b.best_bid_price_raw() == 100 * S and b.best_ask_price_raw() == 100_500_000_000
    assert b.spread() == 0.5 and b.mid() == 100.25
    assert b.bid_levels == 3 and b.ask_levels == 3 and b.level_count(OrderSide.SELL) == 3
    assert b.bids(2).tolist() == [[100.0, 5.0], [99.5, 3.0]]
    assert b.asks(10).tolist() == [[100.5, 2.0], [101.0, 4.0], [102.0, 6.0]]
    assert b.asks_raw(1).tolist() == [[100_500_000_000, 2 * S]]
    assert b.size_at(BUY, 99.5) == 3.0 and b.size_at(SELL, 99.5) == 0.0
    # bids at or above 99.50: 5 + 3
    assert b.cumulative_size(BUY, 99.5) == 8.0
    assert b.cumulative_size(SELL, 101.0) == 6.0
    # a BUY limited at 101.00 can take 2 + 4; a SELL down to 99.00 takes everything on the bid
    assert b.quantity_up_to(BUY, 101.0) == 6.0
    assert b.quantity_up_to(SELL, 99.0) == 18.0
    # BUY 5: 2 @ 100.50 + 3 @ 101.00 = 504.0 / 5 = 100.80; worst 101.00
    assert b.avg_fill_price(BUY, 5.0) == pytest.approx(100.8, abs=1e-12)
    assert b.worst_fill_price(BUY, 5.0) == 101.0
    # SELL 9: 5 @ 100 + 3 @ 99.5 + 1 @ 99 = 897.5 / 9
    assert b.avg_fill_price(SELL, 9.0) == pytest.approx(897.5 / 9, abs=1e-12)
    assert b.worst_fill_price(SELL, 9.0) == 99.0
    # more than the book holds: average of what is there (2*100.5 + 4*101 + 6*102) / 12
    assert b.avg_fill_price(BUY, 100.0) == pytest.approx(1217.0 / 12, abs=1e-12)
    # imbalance top 1: (5 - 2) / 7; top 3: (18 - 12) / 30
    assert b.imbalance() == pytest.approx(3 / 7)
    assert b.imbalance(3) == pytest.approx(6 / 30)
    snap = b.to_numpy(4)
    assert snap["bid_price"][:3].tolist() == [100.0, 99.5, 99.0] and math.isnan(snap["bid_price"][3])
    assert snap["ask_size"].tolist() == [2.0, 4.0, 6.0, 0.0]
    text = b.pprint(2)
    assert "100.50" in text and "99.50" in text and "102.00" not in text
    assert text.index("101.00") < text.index("100.50") < text.index("100.00")  # asks above bids
    b.check_integrity()


def test_l2_update_delete_and_missing_delete():
    b = hand_book()
    b.apply_delta(UPD, BUY, 100.0, 7.0)
    assert b.best_bid_size() == 7.0
    b.apply_delta(DEL, BUY, 100.0, 0.0)
    assert b.best_bid_price() == 99.5 and b.bid_levels == 2
    b.apply_delta(UPD, SELL, 100.5, 0.0)  # size 0 deletes (Binance style)
    assert b.best_ask_price() == 101.0
    assert b.missing_deletes == 0
    b.apply_delta(DEL, SELL, 105.0, 0.0)  # not in the book: counted, ignored
    b.apply_delta(UPD, SELL, 106.0, 0.0)
    assert b.missing_deletes == 2 and b.ask_levels == 2
    b.apply_delta(CLR, 0, 0.0, 0.0)
    assert b.bid_levels == 0 and b.ask_levels == 0


def test_value_types_are_equivalent():
    a, b, c = l2(), l2(), l2()
    a.apply_delta(BookAction.ADD, OrderSide.BUY, 100.25, 3.0)
    b.apply_delta(ADD, BUY, Price.from_str("100.25"), Quantity.from_str("3"))
    c.apply_delta_raw(ADD, BUY, 100_250_000_000, 3 * S)
    d = l2()
    d.apply_delta(ADD, BUY, 100.25, 3)  # int size = whole units
    for x in (a, b, c, d):
        assert x.bids_raw(1).tolist() == [[100_250_000_000, 3 * S]]
    # float noise is tolerated, negative prices (spreads) convert exactly
    e = OrderBook("X.Y", "L2", price_precision=1, size_precision=1)
    e.apply_delta(ADD, BUY, 0.1 + 0.2, 0.1 + 0.7)
    e.apply_delta(ADD, SELL, -5.3, 2.5)
    assert e.bids_raw(1).tolist() == [[300_000_000, 800_000_000]]
    assert e.asks_raw(1).tolist() == [[-5_300_000_000, 2_500_000_000]]


def test_bad_inputs_raise_clear_errors():
    b = l2()
    with pytest.raises(BookIntegrityError, match="negative size"):
        b.apply_delta(ADD, BUY, 100.0, -1.0)
    with pytest.raises(ValueError, match="more decimals"):
        b.apply_delta(ADD, BUY, 100.001, 1.0)
    with pytest.raises(ValueError, match="not a finite"):
        b.apply_delta(ADD, BUY, float("nan"), 1.0)
    with pytest.raises(BookIntegrityError, match="side"):
        b.apply_delta(ADD, 3, 100.0, 1.0)
    with pytest.raises(BookIntegrityError, match="action"):
        b.apply_delta(9, BUY, 100.0, 1.0)
    with pytest.raises(BookIntegrityError, match="negative bid size"):
        b.apply_snapshot([100.0], [-1.0], [], [])
    with pytest.raises(BookIntegrityError, match="appears twice"):
        b.apply_snapshot([100.0, 100.0], [1.0, 2.0], [], [])
    assert b.bid_levels == 0 and b.update_count == 0  # nothing half-applied


def test_random_stream_matches_dict_reference_deep_book():
    b = l2()
    ref = DictL2()
    # a deep book first: 1000 levels a side
    bp = [(10_000 - i) * 10**7 for i in range(1, 1001)]
    ap = [(10_000 + i) * 10**7 for i in range(1, 1001)]
    b.apply_snapshot_raw(bp, [S] * 1000, ap, [2 * S] * 1000)
    for p in bp:
        ref.b[p] = S
    for p in ap:
        ref.a[p] = 2 * S
    for i, (act, side, px, sz) in enumerate(random_l2_stream(20_000, seed=3, depth=1200)):
        b.apply_delta_raw(act, side, px, sz)
        ref.apply(act, side, px, sz)
        top = ref.top()
        assert (b.best_bid_price_raw() or 0, b.best_bid_size_raw(), b.best_ask_price_raw() or 0, b.best_ask_size_raw()) == top
        if i % 997 == 0:
            assert [tuple(r) for r in b.bids_raw(2000).tolist()] == ref.levels(BUY, 2000)
            assert [tuple(r) for r in b.asks_raw(2000).tolist()] == ref.levels(SELL, 2000)
            b.check_integrity()
    assert b.bid_levels == len(ref.b) and b.ask_levels == len(ref.a)


def records_from(stream, **cols):
    recs = np.zeros(len(stream), dtype=ORDER_BOOK_DELTA_DTYPE)
    recs["action"] = [s[0] for s in stream]
    recs["side"] = [s[1] for s in stream]
    recs["price"] = [s[2] for s in stream]
    recs["size"] = [s[3] for s in stream]
    recs["ts_event"] = np.arange(1, len(stream) + 1) * 1000
    for k, v in cols.items():
        recs[k] = v
    return recs


def test_apply_deltas_batch_records_top_per_delta():
    stream = random_l2_stream(30_000, seed=11)
    ref = DictL2()
    want = []
    for act, side, px, sz in stream:
        ref.apply(act, side, px, sz)
        want.append(ref.top())
    b = l2()
    top = b.apply_deltas(records_from(stream), record_top=True)
    assert top.dtype == BOOK_TOP_DTYPE
    got = list(zip(top["bid_price"].tolist(), top["bid_size"].tolist(), top["ask_price"].tolist(), top["ask_size"].tolist(), strict=True))
    assert got == want
    assert b.update_count == 30_000 and b.ts_last == 30_000 * 1000
    # same final state as the per-delta path, and the out= form
    c = l2()
    for act, side, px, sz in stream:
        c.apply_delta_raw(act, side, px, sz)
    assert b.bids_raw(100).tolist() == c.bids_raw(100).tolist()
    out = np.zeros(len(stream), dtype=BOOK_TOP_DTYPE)
    assert l2().apply_deltas(records_from(stream), out=out) is out
    assert (out == top).all()
    assert l2().apply_deltas(records_from(stream)) is None


def test_apply_deltas_errors_name_the_record():
    stream = [(ADD, BUY, 100 * S, S), (ADD, SELL, 101 * S, S), (ADD, BUY, 99 * S, -S), (ADD, BUY, 98 * S, S)]
    b = l2()
    with pytest.raises(BookIntegrityError, match=r"record 2: negative size"):
        b.apply_deltas(records_from(stream))
    assert b.update_count == 2 and b.bid_levels == 1  # the records before it stay applied
    from alphaforge._core.identifiers import InstrumentId

    iid = InstrumentId.from_str("BTCUSDT.BINANCE")
    recs = records_from(stream[:2], instrument_id=[iid.index, iid.index + 1000])
    with pytest.raises(BookIntegrityError, match=r"record 1: instrument_id"):
        l2().apply_deltas(recs)
    with pytest.raises(TypeError):
        l2().apply_deltas(np.zeros(3, dtype=BOOK_TOP_DTYPE))


def test_memory_is_o_levels():
    b = l2()
    for _ in range(3):
        for i in range(5000):
            b.apply_delta_raw(ADD, BUY, (10_000 - i) * 10**7, S)
        for i in range(5000):
            b.apply_delta_raw(DEL, BUY, (10_000 - i) * 10**7, 0)
    assert b.bid_levels == 0 and b.update_count == 30_000


# --- sequence and snapshot handling -----------------------------------------------------------


def test_sequence_gap_policies():
    b = l2()
    b.apply_delta(ADD, BUY, 100.0, 1.0, sequence=10)
    b.apply_delta(ADD, BUY, 99.0, 1.0, sequence=10)  # same message
    b.apply_delta(ADD, BUY, 98.0, 1.0, sequence=11)
    with pytest.raises(SequenceGapError, match="last sequence 11, got 13"):
        b.apply_delta(ADD, BUY, 97.0, 1.0, sequence=13)
    assert b.size_at(BUY, 97.0) == 0.0 and b.last_sequence == 11  # not applied
    with pytest.raises(SequenceGapError):
        b.apply_delta(ADD, BUY, 97.0, 1.0, sequence=5)  # backwards

    f = l2(gap_policy="flag")
    f.apply_delta(ADD, BUY, 100.0, 1.0, sequence=1)
    f.apply_delta(ADD, BUY, 99.0, 1.0, sequence=3)
    assert f.needs_snapshot and f.size_at(BUY, 99.0) == 1.0 and f.last_sequence == 3
    f.apply_snapshot([100.0], [2.0], [101.0], [1.0], sequence=50)
    assert not f.needs_snapshot and f.last_sequence == 50 and f.bid_levels == 1

    g = l2(gap_policy="ignore")
    g.apply_delta(ADD, BUY, 100.0, 1.0, sequence=1)
    g.apply_delta(ADD, BUY, 99.0, 1.0, sequence=9)
    assert not g.needs_snapshot and g.last_sequence == 9


def test_accept_update_binance_rule():
    b = l2()
    b.apply_snapshot([100.0], [1.0], [101.0], [1.0], sequence=100)
    assert not b.accept_update(90, 100)  # stale: u <= lastUpdateId
    assert b.accept_update(95, 105)  # spans lastUpdateId + 1
    assert b.accept_update(106, 110)
    with pytest.raises(SequenceGapError):
        b.accept_update(112, 120)
    with pytest.raises(ValueError):
        b.accept_update(200, 199)


def test_snapshot_flag_starts_a_new_book():
    b = l2()
    b.apply_delta(ADD, BUY, 90.0, 1.0)
    b.apply_delta(ADD, SELL, 95.0, 1.0)
    snap = int(RecordFlag.SNAPSHOT)
    b.apply_delta(ADD, BUY, 100.0, 2.0, flags=snap)  # clears the old book first
    b.apply_delta(ADD, SELL, 101.0, 3.0, flags=snap | int(RecordFlag.LAST))
    assert b.bids(10).tolist() == [[100.0, 2.0]] and b.asks(10).tolist() == [[101.0, 3.0]]
    b.apply_delta(ADD, BUY, 99.0, 1.0)
    b.apply_delta(ADD, BUY, 98.0, 1.0, flags=snap)  # a new snapshot after live data
    assert b.bids(10).tolist() == [[98.0, 1.0]] and b.ask_levels == 0


# --- crossed / locked policy ------------------------------------------------------------------


def test_crossed_policies():
    k = hand_book()
    k.apply_delta(ADD, BUY, 101.0, 1.0)  # crosses asks 100.50 and locks 101.00
    assert k.is_crossed() and k.crossed_count == 1 and k.ask_levels == 3

    r = OrderBook("X.Y", "L2", price_precision=2, size_precision=0, crossed_policy="resolve")
    for p, z in ((99.0, 10), (100.0, 5)):
        r.apply_delta(ADD, BUY, p, float(z))
    for p, z in ((100.5, 2), (101.0, 4), (102.0, 6)):
        r.apply_delta(ADD, SELL, p, float(z))
    r.apply_delta(ADD, BUY, 101.0, 1.0)  # the fresh bid wins: stale asks <= 101.00 are removed
    assert r.asks(5).tolist() == [[102.0, 6.0]] and r.best_bid_price() == 101.0
    assert r.resolved_levels == 2 and not r.is_crossed()
    r.apply_delta(ADD, SELL, 100.0, 1.0)  # fresh ask: bids >= 100.00 go
    assert r.bids(5).tolist() == [[99.0, 10.0]] and r.best_ask_price() == 100.0

    x = OrderBook("X.Y", "L2", price_precision=2, size_precision=0, crossed_policy="raise")
    x.apply_delta(ADD, BUY, 100.0, 1.0)
    with pytest.raises(CrossedBookError, match="best bid 100.0 >= best ask 100.0"):
        x.apply_delta(ADD, SELL, 100.0, 1.0)
    with pytest.raises(CrossedBookError):
        x.check_integrity()


def test_last_flag_events_check_crossing_at_event_end_only():
    x = OrderBook("X.Y", "L2", price_precision=2, size_precision=0, crossed_policy="raise", events="last_flag")
    x.apply_delta(ADD, SELL, 100.0, 1.0, flags=int(RecordFlag.LAST))
    x.apply_delta(ADD, BUY, 100.5, 1.0, flags=0)  # transiently crossed inside an event
    x.apply_delta(DEL, SELL, 100.0, 0.0, flags=int(RecordFlag.LAST))
    assert x.best_bid_price() == 100.5 and x.ask_levels == 0
    x.apply_delta(ADD, SELL, 100.5, 1.0, flags=0)
    with pytest.raises(CrossedBookError):
        x.apply_delta(ADD, SELL, 101.0, 1.0, flags=int(RecordFlag.LAST))


# --- L1 ---------------------------------------------------------------------------------------


def test_l1_book():
    b = OrderBook("X.Y", "L1", price_precision=2, size_precision=0)
    b.update_quote(100.0, 5.0, 100.5, 7.0)
    assert (b.best_bid_price(), b.best_bid_size(), b.best_ask_price(), b.best_ask_size()) == (100.0, 5.0, 100.5, 7.0)
    b.apply_delta(UPD, BUY, 99.5, 2.0)  # replaces the top, never adds a level
    b.apply_delta(ADD, SELL, 101.0, 1.0)
    assert b.bids(5).tolist() == [[99.5, 2.0]] and b.asks(5).tolist() == [[101.0, 1.0]]
    b.apply_delta(DEL, SELL, 101.0, 0.0)
    assert b.ask_levels == 0
    b.update_trade(100.25, 3.0)
    assert b.best_bid_price() == b.best_ask_price() == 100.25 and b.best_bid_size() == 3.0
    b.apply_snapshot([98.0, 99.0], [1.0, 2.0], [101.0, 100.0], [3.0, 4.0])
    assert b.bids(5).tolist() == [[99.0, 2.0]] and b.asks(5).tolist() == [[100.0, 4.0]]
    b.check_integrity()
    with pytest.raises(BookIntegrityError):
        l2().update_quote(1.0, 1.0, 2.0, 1.0)


# --- L3 ---------------------------------------------------------------------------------------


def l3(**kw):
    return OrderBook("ESH4.XCME", "L3", price_precision=2, size_precision=0, **kw)


def test_l3_fifo_modify_cancel_fill():
    b = l3()
    b.apply_delta(ADD, BUY, 100.0, 5.0, order_id=1)
    b.apply_delta(ADD, BUY, 100.0, 3.0, order_id=2)
    b.apply_delta(ADD, BUY, 100.0, 4.0, order_id=3)
    b.apply_delta(ADD, BUY, 99.0, 1.0, order_id=4)
    b.apply_delta(ADD, SELL, 101.0, 2.0, order_id=5)
    assert b.level_orders(BUY, 100.0) == [1, 2, 3] and b.best_bid_size() == 12.0
    assert b.order_count == 5 and b.order(2) == (1, 100.0, 3.0)
    b.apply_delta(UPD, BUY, 100.0, 2.0, order_id=1)  # size down: keeps priority
    assert b.level_orders(BUY, 100.0) == [1, 2, 3] and b.best_bid_size() == 9.0
    b.apply_delta(UPD, BUY, 100.0, 6.0, order_id=2)  # size up: back of the queue
    assert b.level_orders(BUY, 100.0) == [1, 3, 2] and b.best_bid_size() == 12.0
    b.apply_delta(UPD, BUY, 99.0, 4.0, order_id=3)  # new price: moves level
    assert b.level_orders(BUY, 99.0) == [4, 3] and b.size_at(BUY, 99.0) == 5.0
    b.apply_delta(DEL, BUY, 100.0, 1.0, order_id=2)  # partial cancel of 1 (CME C with size)
    assert b.order(2) == (1, 100.0, 5.0)
    b.apply_delta(DEL, BUY, 100.0, 0.0, order_id=2)  # size 0: cancel all
    assert b.order(2) is None and b.level_orders(BUY, 100.0) == [1]
    assert b.fill_order(1, 2.0) and b.order(1) is None and b.best_bid_price() == 99.0
    assert not b.fill_order(99, 1.0)
    b.apply_delta(DEL, SELL, 101.0, 2.0, order_id=77)
    assert b.missing_deletes == 1
    with pytest.raises(BookIntegrityError, match="already in the book"):
        b.apply_delta(ADD, BUY, 98.0, 1.0, order_id=4)
    with pytest.raises(BookIntegrityError, match="order_id"):
        b.apply_delta(ADD, BUY, 98.0, 1.0)
    b.apply_delta(UPD, SELL, 102.0, 1.0, order_id=8)  # modify of an unknown id adds it
    assert b.order(8) == (2, 102.0, 1.0)
    b.check_integrity()
    b.apply_delta(CLR, 0, 0.0, 0.0)
    assert b.order_count == 0 and b.bid_levels == 0
    b.apply_delta(ADD, BUY, 100.0, 5.0, order_id=1)  # slots are reused after a clear
    b.check_integrity()


def test_l3_random_stream_matches_dict_reference():
    rng = random.Random(5)
    b = l3()
    ref = {}  # oid -> (side, price_raw, size_raw)
    live = []
    next_id = 1
    for step in range(20_000):
        r = rng.random()
        if r < 0.45 or not live:
            side = rng.choice((BUY, SELL))
            px = (10_000 - rng.randint(1, 30) if side == BUY else 10_000 + rng.randint(0, 30)) * 10**7
            sz = rng.randint(1, 20) * S
            b.apply_delta_raw(ADD, side, px, sz, next_id)
            ref[next_id] = (side, px, sz)
            live.append(next_id)
            next_id += 1
        else:
            oid = live[rng.randrange(len(live))]
            side, px, sz = ref[oid]
            if r < 0.7:
                cut = rng.randint(1, sz // S) * S
                b.apply_delta_raw(DEL, side, px, cut, oid)
                if cut >= sz:
                    del ref[oid]
                    live.remove(oid)
                else:
                    ref[oid] = (side, px, sz - cut)
            else:
                npx = px + rng.choice((-1, 0, 1)) * 10**7
                nsz = rng.randint(1, 20) * S
                b.apply_delta_raw(UPD, side, npx, nsz, oid)
                ref[oid] = (side, npx, nsz)
        if step % 500 == 0:
            b.check_integrity()
    levels = {BUY: {}, SELL: {}}
    for side, px, sz in ref.values():
        levels[side][px] = levels[side].get(px, 0) + sz
    assert [tuple(x) for x in b.bids_raw(1000).tolist()] == sorted(levels[BUY].items(), reverse=True)
    assert [tuple(x) for x in b.asks_raw(1000).tolist()] == sorted(levels[SELL].items())
    assert b.order_count == len(ref)
    b.check_integrity()


# --- own orders -------------------------------------------------------------------------------


def test_own_order_l2_pessimistic_queue():
    b = hand_book()  # bids 100.00 x 5
    b.add_own_order(1, BUY, 100 * S, 2 * S)
    assert b.queue_ahead(1) == 5 * S  # everything displayed is ahead
    b.apply_delta(UPD, BUY, 100.0, 8.0)  # +3 joins behind us
    assert b.queue_ahead(1) == 5 * S
    b.apply_delta(UPD, BUY, 100.0, 6.0)  # -2: taken from behind first (3 behind)
    assert b.queue_ahead(1) == 5 * S
    b.apply_delta(UPD, BUY, 100.0, 4.0)  # -2 more: only 1 was behind -> ahead = min(5, 4)
    assert b.queue_ahead(1) == 4 * S
    b.on_trade(100 * S, 3 * S, aggressor_side=SELL)  # a sell hits 3 at our price
    assert b.queue_ahead(1) == 1 * S
    b.apply_delta(UPD, BUY, 100.0, 1.0)  # the trade's own decrease: consumed by the credit
    assert b.queue_ahead(1) == 1 * S
    b.on_trade(99 * S, S, aggressor_side=SELL)  # traded through our price
    assert b.queue_ahead(1) == 0
    assert b.own_orders() == [{"order_id": 1, "side": 1, "price_raw": 100 * S, "size_raw": 2 * S, "ahead_raw": 0}]
    assert b.remove_own_order(1) and not b.remove_own_order(1)
    with pytest.raises(KeyError):
        b.queue_ahead(1)


def test_own_order_l2_proportional_and_level_delete():
    b = l2(queue_rule="proportional")
    b.apply_delta(ADD, SELL, 101.0, 10.0)
    b.add_own_order(7, SELL, 101 * S, S)
    b.apply_delta(UPD, SELL, 101.0, 20.0)  # 10 ahead, 10 behind
    b.apply_delta(UPD, SELL, 101.0, 15.0)  # -5 spread pro rata: ahead 10 * 15 / 20 = 7.5
    assert b.queue_ahead(7) == 7_500_000_000
    b.on_trade(101 * S, 2 * S, aggressor_side=BUY)
    assert b.queue_ahead(7) == 5_500_000_000
    b.on_trade(101 * S, 2 * S, aggressor_side=SELL)  # sells do not hit asks
    assert b.queue_ahead(7) == 5_500_000_000
    b.apply_delta(DEL, SELL, 101.0, 0.0)  # level gone: nothing ahead
    assert b.queue_ahead(7) == 0
    b.apply_delta(ADD, SELL, 101.0, 4.0)  # new liquidity queues behind us
    assert b.queue_ahead(7) == 0
    with pytest.raises(BookIntegrityError):
        b.add_own_order(7, SELL, 101 * S, S)
    with pytest.raises(BookIntegrityError):
        b.add_own_order(8, SELL, 101 * S, 0)


def test_own_order_l3_exact_queue():
    b = l3()
    b.apply_delta(ADD, BUY, 100.0, 5.0, order_id=1)
    b.apply_delta(ADD, BUY, 100.0, 3.0, order_id=2)
    b.add_own_order(1000, BUY, 100 * S, S)
    b.apply_delta(ADD, BUY, 100.0, 9.0, order_id=3)  # joins behind us
    assert b.queue_ahead(1000) == 8 * S
    b.apply_delta(DEL, BUY, 100.0, 2.0, order_id=1)  # partial cancel ahead of us
    assert b.queue_ahead(1000) == 6 * S
    b.apply_delta(UPD, BUY, 100.0, 4.0, order_id=2)  # size up: goes behind us
    assert b.queue_ahead(1000) == 3 * S
    b.fill_order(1, 3.0)
    assert b.queue_ahead(1000) == 0


def test_level_search_every_book_size_and_position():
    """Level lookup (top-8 count, next-8 count, binary search) at every size 1..40, for every
    present and absent price, on both sides, against a plain list."""
    for n in range(1, 41):
        b = l2()
        bids = [(1000 - 2 * i) * 10**7 for i in range(n)]  # every other tick: gaps to probe
        asks = [(1001 + 2 * i) * 10**7 for i in range(n)]
        b.apply_snapshot_raw(bids, [(i + 1) * S for i in range(n)], asks, [(i + 1) * S for i in range(n)])
        for side, prices in ((BUY, bids), (SELL, asks)):
            present = dict(zip(prices, range(1, n + 1), strict=True))
            lo, hi = min(prices) - 3 * 10**7, max(prices) + 3 * 10**7
            for p in range(lo, hi + 1, 10**7):
                assert b.size_at(side, p / 1e9) == present.get(p, 0), (n, side, p)
        # insert into every gap and delete again: the order stays exact
        for p in range(bids[-1] + 10**7, bids[0], 2 * 10**7):
            b.apply_delta_raw(ADD, BUY, p, 7 * S)
            assert b.size_at(BUY, p / 1e9) == 7.0
            b.check_integrity()
            b.apply_delta_raw(DEL, BUY, p, 0)
        assert b.bids_raw(100)[:, 0].tolist() == bids


def test_batch_equals_per_delta_on_mixed_flags_and_sequences():
    """Plain deltas, snapshot groups (which clear the book) and sequenced deltas mixed in one
    record array give the same book, counters and per-delta tops as the per-delta path."""
    snap, last = int(RecordFlag.SNAPSHOT), int(RecordFlag.LAST)
    rng = random.Random(17)
    rows = []  # (action, side, price_raw, size_raw, flags, sequence)
    seq = 0
    for block in range(40):
        kind = block % 4
        for j in range(rng.randint(1, 30)):
            act, side, px, sz = random_l2_stream(1, seed=block * 100 + j)[0]
            if kind == 1:  # a snapshot group: adds flagged SNAPSHOT (the last one LAST, sometimes)
                rows.append((ADD, side, px, max(sz, S), snap, 0))
            elif kind == 3:  # sequenced deltas
                seq += 1
                rows.append((act, side, px, sz, 0, seq))
            else:
                rows.append((act, side, px, sz, 0, 0))
        if kind == 1 and block % 8 == 1:  # every other snapshot group ends without LAST
            a, s_, p, z, _, q = rows[-1]
            rows[-1] = (a, s_, p, z, snap | last, q)
    one = l2()
    want = []
    for a, s_, p, z, f, q in rows:
        one.apply_delta_raw(a, s_, p, z, 0, 0, q, f)
        want.append((one.best_bid_price_raw() or 0, one.best_bid_size_raw(), one.best_ask_price_raw() or 0, one.best_ask_size_raw()))
    recs = records_from([r[:4] for r in rows], flags=[r[4] for r in rows], sequence=[r[5] for r in rows])
    batch = l2()
    top = batch.apply_deltas(recs, record_top=True)
    got = list(zip(top["bid_price"].tolist(), top["bid_size"].tolist(), top["ask_price"].tolist(), top["ask_size"].tolist(), strict=True))
    assert got == want
    assert batch.bids_raw(500).tolist() == one.bids_raw(500).tolist()
    assert batch.asks_raw(500).tolist() == one.asks_raw(500).tolist()
    assert (batch.update_count, batch.last_sequence, batch.missing_deletes) == (one.update_count, one.last_sequence, one.missing_deletes)
    # and in several slices
    sliced = l2()
    for i in range(0, len(recs), 7):
        sliced.apply_deltas(recs[i : i + 7])
    assert sliced.bids_raw(500).tolist() == one.bids_raw(500).tolist() and sliced.update_count == one.update_count


def test_batch_gap_and_crossed_errors_name_the_record():
    stream = [(ADD, BUY, 100 * S, S), (ADD, SELL, 101 * S, S), (ADD, BUY, 99 * S, S), (ADD, BUY, 98 * S, S)]
    b = l2()
    with pytest.raises(SequenceGapError, match=r"record 2: sequence gap: last sequence 2, got 4"):
        b.apply_deltas(records_from(stream, sequence=[1, 2, 4, 5]))
    assert b.update_count == 2 and b.size_at(BUY, 99.0) == 0.0  # the gap record is not applied
    f = l2(gap_policy="flag")
    f.apply_deltas(records_from(stream, sequence=[1, 2, 4, 5]))
    assert f.needs_snapshot and f.bid_levels == 3 and f.last_sequence == 5
    x = l2(crossed_policy="raise")
    crossing = stream[:2] + [(ADD, BUY, 101 * S, S)] + stream[3:]
    with pytest.raises(CrossedBookError, match=r"record 2: crossed/locked book"):
        x.apply_deltas(records_from(crossing), record_top=True)
    assert x.best_bid_price() == 101.0  # the delta stays applied, nothing after it
    assert x.update_count == 3 and x.size_at(BUY, 98.0) == 0.0


def test_non_snapshot_flags_do_not_change_l2_results():
    stream = random_l2_stream(5_000, seed=23)
    plain = l2().apply_deltas(records_from(stream), record_top=True)
    flagged = l2().apply_deltas(records_from(stream, flags=int(RecordFlag.LAST) | int(RecordFlag.MBP)), record_top=True)
    assert (plain == flagged).all()
