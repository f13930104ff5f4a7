"""Trading cache: ring-buffer wraparound of quotes/trades/bars (values checked against a plain
Python reference of "the last N rows, newest first"), instruments/books, and the order/position
store with its indices (checked against brute-force filtering of the added objects)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from alphaforge._core.data import BarType, QuoteTick, TradeTick
from alphaforge._core.identifiers import ClientOrderId, InstrumentId, PositionId, StrategyId, Venue
from alphaforge._core.records import BAR_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE
from alphaforge.cache import Cache

EURUSD = InstrumentId.from_str("EURUSD.SIM")
GBPUSD = InstrumentId.from_str("GBPUSD.SIM")
BTC = InstrumentId.from_str("BTCUSDT.BINANCE")


def quote_records(iid: InstrumentId, n: int, start: int = 0) -> np.ndarray:
    r = np.zeros(n, dtype=QUOTE_TICK_DTYPE)
    ts = np.arange(start, start + n, dtype=np.int64)
    r["ts_event"] = ts * 1000
    r["ts_init"] = ts * 1000 + 1
    r["bid_price"] = (100 + ts) * 10**9
    r["ask_price"] = (101 + ts) * 10**9
    r["bid_size"] = 5 * 10**9
    r["ask_size"] = 6 * 10**9
    r["instrument_id"] = iid.index
    return r


def trade_records(iid: InstrumentId, n: int) -> np.ndarray:
    r = np.zeros(n, dtype=TRADE_TICK_DTYPE)
    r["ts_event"] = np.arange(n) * 10
    r["ts_init"] = r["ts_event"]
    r["price"] = (np.arange(n) + 1) * 10**9
    r["size"] = 10**9
    r["trade_id"] = np.arange(n) + 1000
    r["aggressor_side"] = 1
    r["instrument_id"] = iid.index
    return r


# ---------------------------------------------------------------------------- ring buffers


@pytest.mark.parametrize("capacity,n", [(1, 5), (4, 3), (4, 4), (4, 11), (7, 50)])
def test_quote_ring_wraparound_matches_last_n_newest_first(capacity, n):
    c = Cache(tick_capacity=capacity)
    recs = quote_records(EURUSD, n)
    c.add_quotes(recs)
    expected = [int(t) for t in recs["ts_event"][::-1][:capacity]]  # reference: last N, newest first
    got = c.quotes(EURUSD)
    assert got.dtype == QUOTE_TICK_DTYPE
    assert got["ts_event"].tolist() == expected
    assert c.quote_count(EURUSD) == len(expected)
    for i, ts in enumerate(expected):
        q = c.quote(EURUSD, i)
        assert isinstance(q, QuoteTick)
        assert q.ts_event == ts
        assert q.to_record()["bid_price"] == (100 + ts // 1000) * 10**9
    assert c.quote(EURUSD, len(expected)) is None
    assert c.quote(EURUSD, -1) is None


def test_single_appends_equal_bulk_and_per_instrument_separation():
    a = Cache(tick_capacity=5)
    b = Cache(tick_capacity=5)
    eur = quote_records(EURUSD, 8)
    gbp = quote_records(GBPUSD, 3, start=500)
    mixed = np.concatenate([eur[:4], gbp, eur[4:]])
    a.add_quotes(mixed)
    for i in range(len(mixed)):
        b.add_quote(QuoteTick.from_record(mixed, i))
    for cache in (a, b):
        assert cache.quotes(EURUSD)["ts_event"].tolist() == [7000, 6000, 5000, 4000, 3000]
        assert cache.quotes("GBPUSD.SIM")["ts_event"].tolist() == [502000, 501000, 500000]
        assert cache.quote(BTC) is None
        assert len(cache.quotes(BTC)) == 0
    assert np.array_equal(a.quotes(EURUSD), b.quotes(EURUSD))


def test_trades_ring_and_views():
    c = Cache(tick_capacity=3)
    recs = trade_records(BTC, 10)
    c.add_trades(recs)
    assert c.trades(BTC)["trade_id"].tolist() == [1009, 1008, 1007]
    t = c.trade(BTC)
    assert isinstance(t, TradeTick)
    assert t.to_record()["price"] == 10 * 10**9
    c.add_trade(TradeTick.from_record(recs, 0))
    assert c.trades(BTC)["trade_id"].tolist() == [1000, 1009, 1008]
    assert c.trade_count(BTC.index) == 3


def test_bars_per_bar_type():
    bt1 = BarType.from_str("EURUSD.SIM-1-MINUTE-BID-EXTERNAL")
    bt2 = BarType.from_str("EURUSD.SIM-5-MINUTE-BID-EXTERNAL")
    c = Cache(bar_capacity=2)
    r = np.zeros(5, dtype=BAR_DTYPE)
    r["ts_event"] = [60, 120, 300, 180, 600]
    r["close"] = np.arange(5) * 10**9
    r["bar_type_id"] = [bt1.index, bt1.index, bt2.index, bt1.index, bt2.index]
    c.add_bars(r)
    assert c.bars(bt1)["ts_event"].tolist() == [180, 120]
    assert c.bars(str(bt2))["ts_event"].tolist() == [600, 300]
    assert c.bar(bt1).to_record()["close"] == 3 * 10**9
    assert c.bar(bt1, 1).ts_event == 120
    assert c.bar(bt1, 2) is None
    assert c.bar_count(bt2) == 2


def test_bad_records_rejected_without_partial_append():
    c = Cache(tick_capacity=10)
    recs = quote_records(EURUSD, 4)
    recs["instrument_id"][2] = 0
    with pytest.raises(ValueError, match=r"quote record 2: instrument_id is 0"):
        c.add_quotes(recs)
    assert c.quote_count(EURUSD) == 0  # nothing appended
    with pytest.raises(TypeError, match="QUOTE_TICK_DTYPE"):
        c.add_quotes(trade_records(EURUSD, 2))
    with pytest.raises(TypeError, match="instrument_id"):
        c.quote(3.5)
    with pytest.raises(ValueError, match="tick_capacity"):
        Cache(tick_capacity=0)


def test_memory_bounded_by_capacity():
    c = Cache(tick_capacity=16)
    for start in range(0, 2000, 100):
        c.add_quotes(quote_records(EURUSD, 100, start=start))
    assert c.quote_count(EURUSD) == 16
    assert c.quotes(EURUSD)["ts_event"][0] == 1999 * 1000


# ---------------------------------------------------------------------------- instruments, books


class FakeInstrument:
    def __init__(self, iid):
        self.id = iid


class FakeBook:
    def __init__(self, iid):
        self.instrument_id = iid


def test_instruments_and_books():
    c = Cache()
    i1, i2, i3 = FakeInstrument(EURUSD), FakeInstrument(BTC), FakeInstrument(GBPUSD)
    for i in (i1, i2, i3):
        c.add_instrument(i)
    assert c.instrument(EURUSD) is i1
    assert c.instrument("BTCUSDT.BINANCE") is i2
    assert c.instrument("XXX.SIM") is None
    assert c.instruments() == [i1, i2, i3]
    assert c.instruments(venue="SIM") == [i1, i3]
    assert c.instrument_ids(venue=Venue("BINANCE")) == [BTC]
    book = FakeBook(BTC)
    c.add_order_book(book)
    assert c.order_book("BTCUSDT.BINANCE") is book
    assert c.order_book(EURUSD) is None


# ---------------------------------------------------------------------------- orders / positions


class FakeOrder:
    def __init__(self, coid, sid, iid, state="inflight"):
        self.client_order_id = ClientOrderId(coid)
        self.strategy_id = StrategyId(sid)
        self.instrument_id = iid
        self.position_id = None
        self.state = state

    @property
    def is_open(self):
        return self.state in ("open", "pending_cancel")

    @property
    def is_closed(self):
        return self.state == "closed"

    @property
    def is_inflight(self):
        return self.state in ("inflight", "pending_cancel")


class FakePosition:
    def __init__(self, pid, sid, iid, opening_order_id=None):
        self.id = PositionId(pid)
        self.strategy_id = StrategyId(sid)
        self.instrument_id = iid
        self.opening_order_id = opening_order_id
        self.is_open = True


def brute(objs, pred, sid=None, iid=None, venue=None):
    """Reference: filter the added objects in add order."""
    out = []
    for o in objs:
        if not pred(o):
            continue
        if sid is not None and o.strategy_id != StrategyId(sid):
            continue
        if iid is not None and o.instrument_id != iid:
            continue
        if venue is not None and o.instrument_id.venue != Venue(venue):
            continue
        out.append(o)
    return out


def test_order_indices_against_brute_force_after_random_updates():
    rng = random.Random(3)
    c = Cache()
    orders = []
    insts = [EURUSD, GBPUSD, BTC]
    for i in range(120):
        o = FakeOrder(f"O-{i}", f"S-{i % 3}", rng.choice(insts))
        c.add_order(o)
        orders.append(o)
    for _ in range(400):
        o = rng.choice(orders)
        # "initialized": neither open, in flight nor closed (the cache's idle set); closed orders
        # are kept in no set at all, so every query and count must still find them
        o.state = rng.choice(["initialized", "inflight", "open", "pending_cancel", "closed"])
        c.update_order(o)
    preds = {
        "orders": lambda o: True,
        "orders_open": lambda o: o.is_open,
        "orders_closed": lambda o: o.is_closed,
        "orders_inflight": lambda o: o.is_inflight,
    }
    filters = list(itertools.product([None, "S-0", "S-2", "S-9"], [None, EURUSD, BTC], [None, "SIM", "BINANCE"]))
    for name, pred in preds.items():
        for sid, iid, venue in filters:
            got = getattr(c, name)(strategy_id=sid, instrument_id=iid, venue=venue)
            exp = brute(orders, pred, sid, iid, venue)
            assert got == exp, (name, sid, iid, venue)
            count_name = "orders_total_count" if name == "orders" else f"{name}_count"
            assert getattr(c, count_name)(strategy_id=sid, instrument_id=iid, venue=venue) == len(exp)
    assert c.client_order_ids(strategy_id="S-1") == [o.client_order_id for o in orders if o.strategy_id == StrategyId("S-1")]


def test_order_lifecycle_hand_worked():
    c = Cache()
    a = FakeOrder("A", "S-1", EURUSD)
    b = FakeOrder("B", "S-1", BTC)
    c.add_order(a)
    c.add_order(b, position_id=PositionId("P-1"))
    assert c.orders_inflight() == [a, b]
    assert c.orders_open() == []
    a.state = "open"
    c.update_order(a)
    assert c.orders_open(strategy_id=StrategyId("S-1"), instrument_id=EURUSD) == [a]
    assert c.orders_inflight() == [b]
    b.state = "closed"
    c.update_order(b)
    assert c.orders_closed(venue="BINANCE") == [b]
    assert (c.orders_open_count(), c.orders_closed_count(), c.orders_inflight_count()) == (1, 1, 0)
    assert c.order(ClientOrderId("A")) is a
    assert c.order_exists(ClientOrderId("B")) and not c.order_exists(ClientOrderId("Z"))
    with pytest.raises(ValueError, match="already in the cache"):
        c.add_order(FakeOrder("A", "S-2", BTC))
    with pytest.raises(KeyError, match="not in the cache"):
        c.update_order(FakeOrder("Z", "S-2", BTC))
    # the duplicate did not disturb the indices
    assert c.orders(strategy_id="S-2") == []


def test_positions_and_position_for_order():
    c = Cache()
    p1 = FakePosition("P-1", "S-1", EURUSD, opening_order_id=ClientOrderId("O-1"))
    p2 = FakePosition("P-2", "S-2", BTC)
    c.add_position(p1)
    c.add_position(p2)
    assert c.positions_open() == [p1, p2]
    assert c.positions_open(strategy_id="S-2") == [p2]
    assert c.position_for_order(ClientOrderId("O-1")) is p1
    c.add_position_id(PositionId("P-2"), ClientOrderId("O-7"))
    assert c.position_for_order(ClientOrderId("O-7")) is p2
    assert c.position_id(ClientOrderId("O-7")) == PositionId("P-2")
    assert c.position_for_order(ClientOrderId("nope")) is None
    o = FakeOrder("O-9", "S-1", EURUSD)
    o.position_id = PositionId("P-1")
    c.add_order(o)
    assert c.position_for_order(ClientOrderId("O-9")) is p1
    p1.is_open = False
    c.update_position(p1)
    assert c.positions_open() == [p2]
    assert c.positions_closed(instrument_id="EURUSD.SIM") == [p1]
    assert (c.positions_total_count(), c.positions_open_count(), c.positions_closed_count()) == (2, 1, 1)
    assert c.positions(venue="BINANCE") == [p2]
    assert c.position(PositionId("P-2")) is p2
    with pytest.raises(ValueError, match="already in the cache"):
        c.add_position(FakePosition("P-1", "S-1", EURUSD))


def test_a_dropped_opening_order_is_linked_again_on_the_next_position_update():
    # the cache remembers that a position's opening order is linked; dropping that order (closed
    # capacity) removes the link, and the next update of the position must link it again
    from alphaforge._core.clock import TestClock
    from alphaforge._core.identifiers import TraderId
    from alphaforge._core.order_factory import OrderFactory
    from alphaforge.model import CurrencyPair, Quantity
    from alphaforge.orders import OrderDenied
    from alphaforge.portfolio import Position

    c = Cache(closed_order_capacity=1)
    f = OrderFactory(TraderId("T-1"), StrategyId("S-0"), TestClock())
    o1, o2 = (f.market(EURUSD, "BUY", Quantity(1, 0)) for _ in range(2))
    c.add_order(o1)
    c.add_order(o2)

    class Fill:
        instrument_id, order_side, last_qty, trade_id = EURUSD, 1, Quantity(1, 0), None
        last_px, commission, ts_event, position_id = None, None, 1, PositionId("P-1")
        strategy_id, client_order_id, account_id = StrategyId("S-0"), o1.client_order_id, None

    from alphaforge.model import Price, TradeId

    fill = Fill()
    fill.last_px, fill.trade_id = Price.from_str("1.1"), TradeId("T-1")
    p = Position(CurrencyPair("EURUSD.SIM", "EUR", "USD", 5, 0), fill, PositionId("P-1"))
    c.add_position(p)
    assert c.position_id(o1.client_order_id) == PositionId("P-1")
    c.update_position(p)                         # checked once: still linked
    assert c.position_for_order(o1.client_order_id) is p
    for o in (o1, o2):                           # capacity 1: o1 is dropped, its link with it
        o.apply(OrderDenied(o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id, "test", 1, 1))
        c.update_order(o)
    assert not c.order_exists(o1.client_order_id) and c.position_id(o1.client_order_id) is None
    c.update_position(p)
    assert c.position_id(o1.client_order_id) == PositionId("P-1")


def test_closed_capacity_bounds_memory():
    c = Cache(closed_order_capacity=2, closed_position_capacity=1)
    orders = [FakeOrder(f"O-{i}", "S-1", EURUSD) for i in range(5)]
    for o in orders:
        c.add_order(o, position_id=PositionId("P-0"))
    for o in orders[:4]:
        o.state = "closed"
        c.update_order(o)
    # the two oldest closed orders are dropped with every index entry
    assert c.orders() == [orders[2], orders[3], orders[4]]
    assert c.orders_closed() == [orders[2], orders[3]]
    assert c.order(ClientOrderId("O-0")) is None
    assert c.position_id(ClientOrderId("O-0")) is None
    assert c.orders_total_count(strategy_id="S-1") == 3
    ps = [FakePosition(f"P-{i}", "S-1", EURUSD) for i in range(3)]
    for p in ps:
        c.add_position(p)
        p.is_open = False
        c.update_position(p)
    assert c.positions() == [ps[2]]
    assert c.positions_closed_count() == 1


def test_cdef_record_api():
    from alphaforge._core.bench_cache import append_quotes_c, latest_bid_sum_c

    c = Cache(tick_capacity=50)
    recs = quote_records(EURUSD, 120)
    assert append_quotes_c(c, recs) == 120
    # reference: the 30 latest bids, computed from the input array
    assert latest_bid_sum_c(c, EURUSD.index, 30) == int(recs["bid_price"][-30:].sum())
    # asking for more than stored stops at the capacity
    assert latest_bid_sum_c(c, EURUSD.index, 1000) == int(recs["bid_price"][-50:].sum())
    assert latest_bid_sum_c(c, GBPUSD.index, 5) == 0


def test_engine_orders_and_duck_typed_replacements_keep_indices_right():
    """Orders added through the typed path keep no key tuple (their keys are read from them):
    replacing one with another object under the same id re-indexes it correctly, and dropping
    closed orders (capacity) cleans every index, for both kinds."""
    from alphaforge._core.clock import TestClock
    from alphaforge._core.identifiers import TraderId
    from alphaforge._core.order_factory import OrderFactory
    from alphaforge._core.orders import Order
    from alphaforge.model import Quantity
    from alphaforge.orders import OrderDenied

    c = Cache(closed_order_capacity=2)
    factories = {s: OrderFactory(TraderId("T-1"), StrategyId(s), TestClock()) for s in ("S-0", "S-1")}
    insts = [EURUSD, BTC]
    objs = []
    for i in range(8):
        o = factories[f"S-{i % 2}"].market(insts[i // 2 % 2], "BUY", Quantity(1, 0))
        assert type(o) is Order
        c.add_order(o)
        objs.append(o)
    filters = list(itertools.product([None, "S-0", "S-1", "S-9"], [None, EURUSD, BTC], [None, "SIM", "BINANCE"]))

    def check():
        for sid, iid, venue in filters:
            assert c.orders(strategy_id=sid, instrument_id=iid, venue=venue) == brute(objs, lambda o: True, sid, iid, venue)

    check()

    def deny(o):
        o.apply(OrderDenied(o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id, "test", 1, 1))
        c.update_order(o)

    # replace an engine order by a duck-typed object with other keys (re-indexed)
    moved = FakeOrder(objs[0].client_order_id.value, "S-1", BTC, state="open")
    c.update_order(moved)
    objs[0] = moved
    check()
    # closing order: two engine orders, a same-keys closed replacement, two more engine orders;
    # capacity 2 drops the first three, the replacement included (its keys must be known)
    deny(objs[2])
    deny(objs[3])
    same = FakeOrder(objs[1].client_order_id.value, "S-1", EURUSD, state="closed")
    c.update_order(same)
    objs[1] = same
    deny(objs[4])
    deny(objs[5])
    dropped = [objs[2], objs[3], same]
    assert c.orders_closed() == [objs[4], objs[5]]
    objs[:] = [o for o in objs if o not in dropped]
    check()
    assert not any(c.order_exists(o.client_order_id) for o in dropped)


def test_engine_orders_shared_by_two_caches_keep_both_state_sets_right():
    """An engine Order remembers which state sets of the cache that placed it last hold it; the
    same orders updated through two caches in turn (one dropping closed orders at capacity 1, one
    order re-added after its drop) must leave each cache's open/inflight/closed sets equal to a
    brute-force filter of the order states."""
    from alphaforge._core.clock import TestClock
    from alphaforge._core.identifiers import AccountId, TraderId, VenueOrderId
    from alphaforge._core.order_factory import OrderFactory
    from alphaforge.model import Quantity
    from alphaforge.orders import OrderAccepted, OrderCanceled, OrderSubmitted

    rng = random.Random(11)
    a, b = Cache(), Cache(closed_order_capacity=1)
    f = OrderFactory(TraderId("T-1"), StrategyId("S-0"), TestClock())
    orders = [f.market(EURUSD, "BUY", Quantity(1, 0)) for _ in range(12)]
    for o in orders:
        a.add_order(o)
        b.add_order(o)
    acc = AccountId("SIM-001")

    def step(o):
        ids = (o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id)
        if o.status.name == "INITIALIZED":
            o.apply(OrderSubmitted(*ids, acc, 1, 1))
        elif o.status.name == "SUBMITTED":
            o.apply(OrderAccepted(*ids, VenueOrderId(f"V-{o.client_order_id.value}"), acc, 2, 2))
        elif o.status.name == "ACCEPTED":
            o.apply(OrderCanceled(*ids, o.venue_order_id, acc, 3, 3))

    def check(c, kept):
        for name, pred in (("orders_open", lambda o: o.is_open), ("orders_inflight", lambda o: o.is_inflight),
                           ("orders_closed", lambda o: o.is_closed)):
            assert set(getattr(c, name)()) == {o for o in kept if pred(o)}, name
            assert getattr(c, f"{name}_count")() == sum(1 for o in kept if pred(o)), name

    for _ in range(40):
        o = rng.choice(orders)
        step(o)
        for c in rng.sample([a, b], 2):   # both caches, in a random order
            if c.order_exists(o.client_order_id):
                c.update_order(o)
        check(a, orders)
        check(b, [o for o in orders if b.order_exists(o.client_order_id)])
    closed = [o for o in orders if o.is_closed]
    assert len(closed) >= 3 and len(b.orders_closed()) == 1 and len(a.orders_closed()) == len(closed)
    gone = next(o for o in closed if not b.order_exists(o.client_order_id))
    b.add_order(gone)                     # re-added after its drop: placed from empty again
    check(b, [o for o in orders if b.order_exists(o.client_order_id)])
    assert b.orders_closed() == [gone]     # capacity 1: the re-added order displaced the older one


def test_add_order_per_cache_for_orders_shared_replaced_and_re_added():
    """Queries answer in each cache's own add order: an engine Order keeps the number of the
    cache that added it first, other caches keep theirs aside; a replacement object takes the
    replaced one's place, and an order dropped (closed capacity) and added again goes last."""
    from alphaforge._core.clock import TestClock
    from alphaforge._core.identifiers import TraderId
    from alphaforge._core.order_factory import OrderFactory
    from alphaforge.model import Quantity
    from alphaforge.orders import OrderDenied

    a, b = Cache(), Cache(closed_order_capacity=1)
    f = OrderFactory(TraderId("T-1"), StrategyId("S-0"), TestClock())
    orders = [f.market(EURUSD, "BUY", Quantity(1, 0)) for _ in range(6)]
    for o in orders:
        a.add_order(o)
    for o in reversed(orders):
        b.add_order(o)

    def listed(c):                    # a filter: the answer is sorted by add sequence
        got = c.orders(strategy_id="S-0")
        assert c.orders(strategy_id="S-0", instrument_id=EURUSD) == got
        assert c.client_order_ids(strategy_id="S-0") == [o.client_order_id for o in got]
        return got

    assert listed(a) == orders and listed(b) == orders[::-1]
    stand = FakeOrder(orders[2].client_order_id.value, "S-0", EURUSD, state="open")
    a.update_order(stand)
    assert listed(a) == orders[:2] + [stand] + orders[3:]
    a.update_order(orders[2])         # the engine order back, in the same place
    assert listed(a) == orders
    for o in (orders[5], orders[4]):  # b keeps one closed order: orders[5] is dropped
        o.apply(OrderDenied(o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id, "test", 1, 1))
        a.update_order(o)
        b.update_order(o)
    assert listed(b) == orders[4::-1]
    b.add_order(orders[5])            # closed too: it displaces orders[4] (capacity 1)
    assert listed(b) == orders[3::-1] + [orders[5]]
    assert listed(a) == orders
    assert a.orders_closed() == [orders[4], orders[5]] and b.orders_closed() == [orders[5]]
    # an order numbered by the cache that drops it: added again, it is numbered anew (last)
    c = Cache(closed_order_capacity=1)
    fresh = [f.market(EURUSD, "BUY", Quantity(1, 0)) for _ in range(3)]
    for o in fresh:
        c.add_order(o)
    for o in fresh[:2]:
        o.apply(OrderDenied(o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id, "test", 1, 1))
        c.update_order(o)
    assert listed(c) == fresh[1:]
    c.add_order(fresh[0])             # displaces fresh[1]
    assert listed(c) == [fresh[2], fresh[0]]


def test_single_key_indices_answer_like_brute_force_through_every_transition():
    """While every order has one strategy / instrument / venue the indices keep no member dicts;
    queries must still equal the brute-force filter: before and after a second key arrives,
    through a re-index that changes keys, capacity drops, and a cache emptied then refilled."""
    c = Cache(closed_order_capacity=3)
    objs: list = []
    filters = list(itertools.product([None, "S-0", "S-1"], [None, EURUSD, BTC], [None, "SIM", "BINANCE"]))
    preds = {"orders": lambda o: True, "orders_open": lambda o: o.is_open,
             "orders_closed": lambda o: o.is_closed, "orders_inflight": lambda o: o.is_inflight}

    def check():
        kept = [o for o in objs if c.order_exists(o.client_order_id)]
        for name, pred in preds.items():
            for sid, iid, venue in filters:
                exp = brute(kept, pred, sid, iid, venue)
                assert getattr(c, name)(strategy_id=sid, instrument_id=iid, venue=venue) == exp, (name, sid, iid, venue)
                count = "orders_total_count" if name == "orders" else f"{name}_count"
                assert getattr(c, count)(strategy_id=sid, instrument_id=iid, venue=venue) == len(exp)

    def add(i, sid, iid, state="open"):
        o = FakeOrder(f"O-{i}", sid, iid, state)
        c.add_order(o)
        objs.append(o)
        return o

    for i in range(6):                       # one strategy, instrument and venue
        add(i, "S-0", EURUSD)
    check()
    for o in objs[:4]:                       # capacity 3: the oldest closed one is dropped
        o.state = "closed"
        c.update_order(o)
    check()
    add(6, "S-0", BTC)                       # a second instrument and venue: written out
    check()
    add(7, "S-1", EURUSD)                    # a second strategy
    check()
    moved = FakeOrder("O-5", "S-1", BTC, "inflight")   # re-index under other keys
    c.update_order(moved)
    objs[5] = moved
    check()

    c2 = Cache(closed_order_capacity=0)      # uniform, emptied by drops, refilled with another key
    for i, sid in enumerate(["S-0", "S-0", "S-1"]):
        o = FakeOrder(f"P-{i}", sid, EURUSD, "closed" if i < 2 else "open")
        c2.add_order(o)
    assert c2.orders() == [c2.order(ClientOrderId("P-2"))]
    assert c2.orders(strategy_id="S-0") == [] and len(c2.orders(strategy_id="S-1")) == 1
    assert c2.orders_total_count(strategy_id="S-0") == 0


def test_order_state_sets_brought_up_to_date_only_when_read():
    """An engine Order's state changes are queued and applied to the state sets when something
    reads them. Many changes between reads (more than the queue's bound of 4,096 among them), two
    caches sharing the orders, and an order replaced by another object while its change is queued
    must leave every read equal to a brute-force filter of the order states."""
    from alphaforge._core.clock import TestClock
    from alphaforge._core.currency import Currency, Money
    from alphaforge._core.identifiers import AccountId, TradeId, TraderId, VenueOrderId
    from alphaforge._core.order_factory import OrderFactory
    from alphaforge.model import Price, Quantity
    from alphaforge.orders import OrderAccepted, OrderCanceled, OrderFilled, OrderSubmitted

    USD = Currency.from_str("USD")
    rng = random.Random(5)
    a, b = Cache(), Cache()
    f = OrderFactory(TraderId("T-1"), StrategyId("S-0"), TestClock())
    acc = AccountId("SIM-001")
    orders = [f.market(EURUSD, "BUY", Quantity(1, 0)) for _ in range(6000)]
    for o in orders:
        a.add_order(o)
        b.add_order(o)
    kept_a = {o.client_order_id: o for o in orders}

    def step(o):
        ids = (o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id)
        name = o.status.name
        if name == "INITIALIZED":
            o.apply(OrderSubmitted(*ids, acc, 1, 1))
        elif name == "SUBMITTED":
            o.apply(OrderAccepted(*ids, VenueOrderId(f"V-{o.client_order_id.value}"), acc, 2, 2))
        elif name == "ACCEPTED":
            if rng.random() < 0.5:
                o.apply(OrderCanceled(*ids, o.venue_order_id, acc, 3, 3))
            else:
                o.apply(OrderFilled(*ids, o.venue_order_id, acc, TradeId(f"T-{o.client_order_id.value}"),
                                    "BUY", "MARKET", Quantity(1, 0), Price(1.1, 2), USD, Money(0, USD),
                                    "TAKER", 4, 4))
        else:
            return False
        return True

    def check(c, kept):
        for name, pred in (("orders_open", lambda o: o.is_open), ("orders_inflight", lambda o: o.is_inflight),
                           ("orders_closed", lambda o: o.is_closed)):
            assert set(getattr(c, name)()) == {o for o in kept if pred(o)}, name
            assert getattr(c, f"{name}_count")() == sum(1 for o in kept if pred(o)), name
        assert c.orders_open_count(strategy_id="S-0", instrument_id=EURUSD) == sum(1 for o in kept if o.is_open)

    # 6,000 orders submitted with no read in between: more changes than the queue holds
    for o in orders:
        step(o)
        a.update_order(o)
        b.update_order(o)
    check(a, orders)
    check(b, orders)
    for round_ in range(30):
        for _ in range(rng.randrange(1, 400)):
            o = rng.choice(orders)
            if step(o):
                caches = [a, b] if rng.random() < 0.5 else [b, a]
                if rng.random() < 0.3:
                    caches.remove(b)                # b is told later (the catch-up below)
                for c in caches:
                    if c is b or kept_a.get(o.client_order_id) is o:
                        c.update_order(o)
        if round_ % 10 == 5:
            # replace a queued order in `a` by a duck-typed object: the queued change must not
            # bring the old object's state back under that id
            o = next(o for o in orders if o.is_open and kept_a.get(o.client_order_id) is o)
            step(o)
            a.update_order(o)                      # queued
            fake = FakeOrder(o.client_order_id.value, "S-0", EURUSD, state="inflight")
            a.update_order(fake)                   # replaced before anything read the sets
            kept_a[o.client_order_id] = fake
        # b saw only some of the changes: bring it up to date like an engine would
        for o in orders:
            b.update_order(o)
        check(a, list(kept_a.values()))
        check(b, orders)


def test_open_positions_after_closes_left_in_place_until_read():
    """A closed Position's entry stays in the open dict until something reads it (a NETTING
    position that reopens is written over its own entry). Positions opening, closing and flipping
    under 6 ids (two strategies), read after 1-150 updates (more than 64 closes between some
    reads), and a cached position replaced by another object, in two caches (the first owns the
    Position objects, the second stores the same ones): every open/closed query must equal a
    brute-force filter over the positions' states at their last update."""
    from dataclasses import dataclass

    from alphaforge.model import CryptoPerpetual, OrderSide, Price, Quantity, TradeId
    from alphaforge.portfolio import Position

    perp = CryptoPerpetual("ETHUSDT-PERP.BINANCE", "ETH", "USDT", "USDT", 2, 3)

    @dataclass
    class Fill:
        instrument_id: object
        order_side: object
        last_qty: object
        last_px: object
        trade_id: object
        position_id: object
        strategy_id: object
        commission: object = None
        ts_event: int = 0
        ts_init: int = 0
        client_order_id: object = None
        account_id: object = None

    rng = random.Random(11)
    caches = (Cache(), Cache())
    positions, is_open = {}, {}                  # pid -> position, its state at its last update
    n_trades = 0

    def fill(pid: PositionId, sid: StrategyId, side: str) -> Fill:
        nonlocal n_trades
        n_trades += 1
        return Fill(perp.id, OrderSide.parse(side), Quantity.from_str(str(rng.choice((1, 1, 2)))),
                    Price.from_str("2000.00"), TradeId(f"T{n_trades}"), pid, sid,
                    client_order_id=ClientOrderId(f"O{n_trades}"), ts_event=n_trades)

    def check() -> None:
        order = list(positions.values())         # add order
        for sid in (None, StrategyId("S-0"), StrategyId("S-1")):
            mine = [p for p in order if sid is None or p.strategy_id == sid]
            want_open = [p for p in mine if is_open[p.id]]
            want_closed = [p for p in mine if not is_open[p.id]]
            for c in caches:
                assert c.positions_open(strategy_id=sid) == want_open
                assert c.positions_closed(strategy_id=sid) == want_closed
                assert c.positions_open_count(strategy_id=sid) == len(want_open)
                assert c.positions_closed_count(strategy_id=sid) == len(want_closed)

    next_read = rng.randint(1, 150)
    for step in range(3000):
        k = rng.randrange(6)
        pid, sid = PositionId(f"P-{k}"), StrategyId(f"S-{k % 2}")
        side = rng.choice(("BUY", "SELL"))
        if pid not in positions:
            p = Position(perp, fill(pid, sid, side), pid)
            positions[pid] = p
            for c in caches:
                c.add_position(p)
        else:
            p = positions[pid]
            p.apply(fill(pid, sid, side))
            for c in caches:
                c.update_position(p)
        is_open[pid] = p.is_open
        if step == 1500:                         # another object under a closed id, then the original
            closed = next(q for q in positions.values() if not q.is_open)

            class Stand:
                id, strategy_id, instrument_id, opening_order_id, is_open = (
                    closed.id, closed.strategy_id, perp.id, None, True)

            c = caches[0]
            c.update_position(Stand())
            assert Stand.id in {q.id for q in c.positions_open()}
            c.update_position(closed)
        next_read -= 1
        if next_read == 0:
            check()
            next_read = rng.choice((1, 2, 5, 40, 150))
    check()
