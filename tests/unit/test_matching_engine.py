"""Hand-worked matching scenarios on bars, quotes, trades and an L2 book (exact fills)."""
import numpy as np
import pytest

from alphaforge._core.clock import TestClock
from alphaforge._core.columnar import (
    bars_from_arrays,
    deltas_from_arrays,
    quotes_from_arrays,
    trades_from_arrays,
)
from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId, StrategyId, TraderId
from alphaforge._core.instruments import Equity
from alphaforge._core.order_factory import OrderFactory
from alphaforge._core.portfolio import Portfolio
from alphaforge._core.trading_cache import Cache
from alphaforge.execution import ExecutionEngine, FillModel, LatencyModel, QueueModel, SimulatedExchange
from alphaforge.model.enums import LiquiditySide, OrderStatus
from alphaforge.risk import RiskEngine

IID = InstrumentId.from_str("MATCH.XSIM")
INST = Equity(IID, 2, "USD", maker_fee=0.0, taker_fee=0.001)
BT = BarType.from_str("MATCH.XSIM-1-MINUTE-LAST-EXTERNAL")
MIN = 60_000_000_000


class Rec:
    def __init__(self):
        self.events = []

    def handle_order_event(self, e):
        self.events.append(e)

    def handle_position_event(self, e):
        self.events.append(e)

    def fills(self):
        return [e for e in self.events if type(e).__name__ == "OrderFilled"]

    def of(self, name):
        return [e for e in self.events if type(e).__name__ == name]


def world(book_type="L1", oms="NETTING", account="MARGIN", balances=("1000000 USD",), **kw):
    clock = TestClock()
    cache = Cache()
    pf = Portfolio(cache)
    ex = SimulatedExchange("XSIM", oms, account, None, list(balances), clock, book_type=book_type, **kw)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, cache, pf)
    ee.register_venue(ex)
    rec = Rec()
    sid = StrategyId("S-001")
    ee.register_strategy(sid, rec)
    risk = RiskEngine(ee, cache, pf, clock)
    fac = OrderFactory(TraderId("T-001"), sid, clock, cache)
    return clock, ex, ee, risk, fac, rec


def bars(rows, start=1):
    """rows: (open, high, low, close, volume); bar i closes at (start + i) minutes."""
    a = np.array(rows, dtype=float)
    ts = [(start + i) * MIN for i in range(len(rows))]
    return bars_from_arrays(ts, a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], bar_type=BT, price_precision=2)


def quotes(rows, start_ns=1000):
    """rows: (bid, ask, bid_size, ask_size)."""
    a = np.array(rows, dtype=float)
    ts = [start_ns + 1000 * i for i in range(len(rows))]
    return quotes_from_arrays(ts, a[:, 0], a[:, 1], a[:, 2], a[:, 3], price_precision=2, instrument_id=IID)


def trades(rows, start_ns=1000):
    """rows: (price, size, aggressor)."""
    a = np.array(rows, dtype=float)
    ts = [start_ns + 1000 * i for i in range(len(rows))]
    return trades_from_arrays(ts, a[:, 0], a[:, 1], price_precision=2, size_precision=0,
                              aggressor_side=a[:, 2].astype(np.uint8), instrument_id=IID)


def fill_tuple(f):
    return (float(f.last_px), float(f.last_qty), f.data_type, f.data_ts, int(f.liquidity_side_c))


# ---------------------------------------------------------------------------------------------- bars

def test_market_order_fills_at_next_bar_open_not_the_bar_it_was_decided_on():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 102, 99, 101, 1000), (101.5, 103, 100, 102, 1000)])
    ex.process(b[:1])                        # strategy decides at the close of bar 1
    o = fac.market(IID, "BUY", 10)
    risk.submit_order(o)
    assert rec.fills() == []                 # not filled against bar 1
    ex.process(b[1:])
    (f,) = rec.fills()
    assert fill_tuple(f) == (101.5, 10.0, "BAR", 2 * MIN, 2)   # bar 2 open, TAKER
    assert f.ts_event == 2 * MIN
    # commission 10 * 101.5 * 0.001 = 1.015 -> 1.02 (half away from zero)
    assert float(f.commission) == pytest.approx(1.02)


def test_same_bar_fill_opt_in_fills_at_the_decision_bar_close():
    clock, ex, ee, risk, fac, rec = world(same_bar_fill=True)
    b = bars([(100, 102, 99, 101, 1000)])
    ex.process(b)
    o = fac.market(IID, "BUY", 5)
    risk.submit_order(o)
    ex.process_commands_until(clock.timestamp_ns())
    (f,) = rec.fills()
    assert fill_tuple(f) == (101.0, 5.0, "BAR", 1 * MIN, 2)


@pytest.mark.parametrize("path,expected", [
    # open 100, high 104 (+4), low 98 (-2): closest extreme (low) first -> the buy limit at 99 fills
    # first at 99 (maker); the sell stop at 98.5 (pessimistic for a long) triggers on the same segment
    ("closest_extreme_first", [(99.0, "BUY", 1), (98.5, "SELL", 2)]),
    # high first: the sell stop is not hit before the low; buy limit then stop on the way down
    ("high_first", [(99.0, "BUY", 1), (98.5, "SELL", 2)]),
])
def test_bar_path_limit_and_stop(path, expected):
    clock, ex, ee, risk, fac, rec = world(bar_path=path)
    b = bars([(100, 100, 100, 100, 0), (100, 104, 98, 103, 0)])
    ex.process(b[:1])
    buy = fac.limit(IID, "BUY", 10, 99.0)
    risk.submit_order(buy)
    stop = fac.stop_market(IID, "SELL", 10, 98.5)
    risk.submit_order(stop)
    ex.process(b[1:])
    got = [(float(f.last_px), f.order_side.name, int(f.liquidity_side_c)) for f in rec.fills()]
    assert got == expected


def test_gap_open_fills_resting_limit_at_the_better_open():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (97, 98, 96, 97.5, 0)])
    ex.process(b[:1])
    risk.submit_order(fac.limit(IID, "BUY", 10, 99.0))
    ex.process(b[1:])
    (f,) = rec.fills()
    # first point after arrival: the limit is marketable at the open -> taker at the open price
    assert fill_tuple(f) == (97.0, 10.0, "BAR", 2 * MIN, 2)


def test_resting_limit_fills_at_limit_as_maker_within_bar_range():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (100, 100.5, 99.5, 100, 0), (100, 101, 98, 99, 0)])
    ex.process(b[:1])
    risk.submit_order(fac.limit(IID, "BUY", 10, 99.0))
    ex.process(b[1:])
    (f,) = rec.fills()
    assert fill_tuple(f) == (99.0, 10.0, "BAR", 3 * MIN, 1)


def test_bar_volume_limits_fills_and_is_not_used_twice():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (100, 101, 99, 100, 15), (100, 101, 99, 100, 100)])
    ex.process(b[:1])
    o1 = fac.market(IID, "BUY", 10)
    o2 = fac.market(IID, "BUY", 10)
    risk.submit_order(o1)
    risk.submit_order(o2)
    ex.process(b[1:2])
    assert [(f.client_order_id.value, float(f.last_qty)) for f in rec.fills()] == [
        (o1.client_order_id.value, 10.0), (o2.client_order_id.value, 5.0)]
    ex.process(b[2:])
    assert float(rec.fills()[-1].last_qty) == 5.0 and rec.fills()[-1].data_ts == 3 * MIN
    assert o2.status == OrderStatus.FILLED


def test_oco_bracket_exactly_one_leg_pessimistic_stop_first():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (100, 100, 100, 100, 0), (100, 106, 94, 101, 0)])
    ex.process(b[:1])
    ol = fac.bracket(IID, "BUY", 10, tp_price=105.0, sl_trigger_price=95.0)
    risk.submit_order_list(ol)
    ex.process(b[1:2])                       # entry fills at the open of bar 2 (100)
    entry, tp, sl = list(ol)
    assert entry.status == OrderStatus.FILLED and float(rec.fills()[0].last_px) == 100.0
    ex.process(b[2:])                        # bar 3 spans both TP (105) and SL (95)
    fills = rec.fills()[1:]
    assert [(f.client_order_id, float(f.last_px)) for f in fills] == [(sl.client_order_id, 95.0)]
    assert tp.status == OrderStatus.CANCELED and sl.status == OrderStatus.FILLED
    assert ee.net_position_raw(IID, "S-001") == 0


def test_stop_limit_triggers_then_rests():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (100, 102, 99.5, 101.8, 0), (101.8, 101.9, 100.5, 101, 0)])
    ex.process(b[:1])
    o = fac.stop_limit(IID, "BUY", 10, price=101.0, trigger_price=101.5)
    risk.submit_order(o)
    ex.process(b[1:2])
    # low first (99.5 is nearer): open->99.5->102 crosses the 101.5 trigger; the limit at 101 is
    # then not marketable at 102 (taker pass at the trigger point), close 101.8 > 101
    assert [type(e).__name__ for e in rec.events if type(e).__name__ in ("OrderTriggered", "OrderFilled")] == [
        "OrderTriggered"]
    ex.process(b[2:])
    (f,) = rec.fills()
    assert fill_tuple(f) == (101.0, 10.0, "BAR", 3 * MIN, 1)


def test_trailing_stop_market_on_bars_updates_and_fills_at_trigger():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (100, 100, 100, 100, 0), (100, 105, 99.9, 104, 0), (104, 104.5, 101, 102, 0)])
    ex.process(b[:1])
    risk.submit_order(fac.market(IID, "BUY", 10))
    ts = fac.trailing_stop_market(IID, "SELL", 10, trailing_offset=2.0, trailing_offset_type="PRICE")
    risk.submit_order(ts)
    ex.process(b[1:2])                       # market fills at 100; trailing initialised at 98
    assert float(ts.trigger_price) == 98.0
    ex.process(b[2:3])                       # path 100 -> 99.9 -> 105 -> 104: trigger up to 103
    assert float(ts.trigger_price) == 103.0
    ex.process(b[3:])                        # 104 -> 104.5 (102.5 < 103: unchanged) -> 101: fills at 103
    f = rec.fills()[-1]
    assert fill_tuple(f) == (103.0, 10.0, "BAR", 4 * MIN, 2)


# ---------------------------------------------------------------------------------------------- quotes

def test_quotes_market_consumes_displayed_size_then_next_quote():
    clock, ex, ee, risk, fac, rec = world()
    q = quotes([(99.9, 100.0, 5, 5), (99.9, 100.1, 5, 3), (99.9, 100.2, 5, 10)])
    ex.process(q[:1])
    o = fac.market(IID, "BUY", 6)
    risk.submit_order(o)
    ex.process(q[1:])
    assert [fill_tuple(f) for f in rec.fills()] == [
        (100.1, 3.0, "QUOTE", 2000, 2), (100.2, 3.0, "QUOTE", 3000, 2)]


def test_quotes_limit_touch_probability_and_trade_through():
    clock, ex, ee, risk, fac, rec = world(fill_model=FillModel(prob_fill_on_limit=0.0))
    q = quotes([(99.0, 101.0, 5, 5), (99.0, 101.0, 5, 5), (99.0, 100.0, 5, 5), (98.0, 99.5, 5, 5)])
    ex.process(q[:1])
    risk.submit_order(fac.limit(IID, "BUY", 4, 100.0))
    ex.process(q[1:2])                       # taker pass: not marketable (ask 101) -> rests
    ex.process(q[2:3])                       # ask touches 100: prob 0 -> no fill
    assert rec.fills() == []
    ex.process(q[3:])                        # ask 99.5 < 100: through -> maker fill at 100
    assert [fill_tuple(f) for f in rec.fills()] == [(100.0, 4.0, "QUOTE", 4000, 1)]


def test_post_only_rejected_when_it_would_take():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.limit(IID, "BUY", 1, 100.0, post_only=True)
    risk.submit_order(o)
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=5000))
    (rj,) = rec.of("OrderRejected")
    assert rj.due_post_only and o.status == OrderStatus.REJECTED


def test_ioc_partial_then_cancel_and_fok_all_or_nothing():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    ioc = fac.limit(IID, "BUY", 8, 100.0, time_in_force="IOC")
    fok = fac.limit(IID, "BUY", 8, 100.0, time_in_force="FOK")
    risk.submit_order(ioc)
    risk.submit_order(fok)
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=5000))
    assert [fill_tuple(f) for f in rec.fills()] == [(100.0, 5.0, "QUOTE", 5000, 2)]
    assert ioc.status == OrderStatus.CANCELED and float(ioc.filled_qty) == 5.0
    assert fok.status == OrderStatus.CANCELED and float(fok.filled_qty) == 0.0


def test_gtd_expires_at_expire_time():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.limit(IID, "BUY", 1, 95.0, time_in_force="GTD", expire_time_ns=10_000)
    risk.submit_order(o)
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=5000))
    assert o.status == OrderStatus.ACCEPTED
    assert ex.next_command_time_ns() == 10_000
    ex.process(quotes([(94.0, 94.5, 5, 5)], start_ns=12_000))
    (e,) = rec.of("OrderExpired")
    assert e.ts_event == 10_000 and o.status == OrderStatus.EXPIRED and rec.fills() == []


def test_day_order_expires_at_utc_midnight():
    clock, ex, ee, risk, fac, rec = world()
    day = 86_400_000_000_000
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.limit(IID, "BUY", 1, 95.0, time_in_force="DAY")
    risk.submit_order(o)
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=5000))
    assert ex.next_command_time_ns() == day
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=day + 1))
    assert rec.of("OrderExpired")[0].ts_event == day


def test_stop_rejected_when_already_through_market_and_bid_ask_trigger():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    bad = fac.stop_market(IID, "BUY", 1, 99.5)
    good = fac.stop_market(IID, "BUY", 1, 100.5)
    risk.submit_order(bad)
    risk.submit_order(good)
    ex.process(quotes([(99.8, 100.4, 5, 5), (100.0, 100.6, 5, 5)], start_ns=5000))
    assert bad.status == OrderStatus.REJECTED
    assert [fill_tuple(f) for f in rec.fills()] == [(100.6, 1.0, "QUOTE", 6000, 2)]


def test_mid_point_trigger_type():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.stop_market(IID, "BUY", 1, 100.4, trigger_type="MID_POINT")
    risk.submit_order(o)
    ex.process(quotes([(99.9, 100.7, 5, 5), (100.0, 100.8, 5, 5)], start_ns=5000))
    # mid 100.3 < 100.4 no trigger; mid 100.4 triggers -> fills at ask 100.8
    assert [fill_tuple(f) for f in rec.fills()] == [(100.8, 1.0, "QUOTE", 6000, 2)]


def test_reduce_only_never_increases():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 50, 50)]))
    risk.submit_order(fac.market(IID, "BUY", 3))
    ex.process(quotes([(99.0, 100.0, 50, 50)], start_ns=5000))
    ro = fac.market(IID, "SELL", 5, reduce_only=True)
    ee.submit_order(ro)                      # bypass the risk engine: the venue enforces it
    ex.process(quotes([(99.0, 100.0, 50, 50)], start_ns=9000))
    assert float(rec.fills()[-1].last_qty) == 3.0
    assert ee.net_position_raw(IID, "S-001") == 0
    ex.process(quotes([(99.0, 100.0, 50, 50)], start_ns=12000))
    assert ro.status == OrderStatus.CANCELED and float(ro.filled_qty) == 3.0


def test_modify_and_cancel_through_the_venue():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.limit(IID, "BUY", 2, 98.0)
    risk.submit_order(o)
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=5000))
    risk.modify_order(o, price=INST.make_price(99.5))
    assert o.status == OrderStatus.PENDING_UPDATE
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=6000))
    assert o.status == OrderStatus.ACCEPTED and float(o.price) == 99.5
    ex.process(quotes([(98.0, 99.4, 5, 5)], start_ns=7000))
    assert [fill_tuple(f) for f in rec.fills()] == [(99.5, 2.0, "QUOTE", 7000, 1)]
    n = len(rec.events)
    risk.cancel_order(o)                     # already filled: nothing is sent
    ex.process(quotes([(98.0, 99.4, 5, 5)], start_ns=8000))
    assert len(rec.events) == n and o.status == OrderStatus.FILLED


def test_cancel_racing_a_fill_is_rejected_by_the_venue():
    clock, ex, ee, risk, fac, rec = world(latency_model=LatencyModel(0, cancel_latency_ns=5000))
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.limit(IID, "BUY", 2, 98.0)
    risk.submit_order(o)
    ex.process(quotes([(99.0, 100.0, 5, 5)], start_ns=2000))
    risk.cancel_order(o)                     # sent at 2000, arrives 7000
    ex.process(quotes([(97.0, 97.5, 5, 5), (97.0, 97.5, 5, 5)], start_ns=3000))
    assert o.status == OrderStatus.FILLED
    ex.process(quotes([(97.0, 97.5, 5, 5)], start_ns=8000))
    (cr,) = rec.of("OrderCancelRejected")
    assert cr.ts_event == 7000 and o.status == OrderStatus.FILLED


# ---------------------------------------------------------------------------------------------- trades

def test_trades_limit_fills_on_trade_through_up_to_trade_size():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(trades([(100.0, 1, 1)]))
    o1 = fac.limit(IID, "BUY", 5, 99.0)
    o2 = fac.limit(IID, "BUY", 5, 99.0)
    risk.submit_order(o1)
    risk.submit_order(o2)
    ex.process(trades([(99.5, 10, 2), (98.5, 7, 2)], start_ns=5000))
    assert [(f.client_order_id, *fill_tuple(f)) for f in rec.fills()] == [
        (o1.client_order_id, 99.0, 5.0, "TRADE", 6000, 1),
        (o2.client_order_id, 99.0, 2.0, "TRADE", 6000, 1)]


def test_market_to_limit_rests_remainder_at_first_fill_price():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 5, 5)]))
    o = fac.market_to_limit(IID, "BUY", 8)
    risk.submit_order(o)
    ex.process(quotes([(99.0, 100.0, 5, 5), (99.5, 100.5, 5, 5), (99.0, 99.9, 5, 5)], start_ns=5000))
    assert [fill_tuple(f) for f in rec.fills()] == [(100.0, 5.0, "QUOTE", 5000, 2), (100.0, 3.0, "QUOTE", 7000, 1)]


# ---------------------------------------------------------------------------------------------- L2 book

def book(rows, start_ns=1000):
    """rows: (action, side, price, size); each row its own event (flags 0)."""
    a = np.array(rows, dtype=float)
    ts = [start_ns + i for i in range(len(rows))]
    return deltas_from_arrays(ts, a[:, 0].astype(np.uint8), a[:, 1].astype(np.uint8), a[:, 2], a[:, 3],
                              price_precision=2, size_precision=0, instrument_id=IID)


def test_l2_market_walks_levels_and_liquidity_is_not_reused():
    clock, ex, ee, risk, fac, rec = world(book_type="L2")
    ex.process(book([(1, 1, 99.0, 10), (1, 2, 100.0, 3), (1, 2, 100.5, 4), (1, 2, 101.0, 10)]))
    o1 = fac.market(IID, "BUY", 5)
    o2 = fac.market(IID, "BUY", 4)
    risk.submit_order(o1)
    risk.submit_order(o2)
    ex.process(book([(2, 1, 99.0, 11)], start_ns=5000))
    assert [(f.client_order_id, *fill_tuple(f)) for f in rec.fills()] == [
        (o1.client_order_id, 100.0, 3.0, "BOOK", 5000, 2),
        (o1.client_order_id, 100.5, 2.0, "BOOK", 5000, 2),
        (o2.client_order_id, 100.5, 2.0, "BOOK", 5000, 2),
        (o2.client_order_id, 101.0, 2.0, "BOOK", 5000, 2)]
    # a delta re-states the 100.0 level: its size is available again
    ex.process(book([(2, 2, 100.0, 1)], start_ns=6000))
    o3 = fac.market(IID, "BUY", 1)
    risk.submit_order(o3)
    ex.process(book([(2, 1, 99.0, 12)], start_ns=7000))
    assert fill_tuple(rec.fills()[-1]) == (100.0, 1.0, "BOOK", 7000, 2)


def test_l2_queue_position_fifo():
    clock, ex, ee, risk, fac, rec = world(book_type="L2", queue_model=QueueModel("fifo"))
    ex.process(book([(1, 1, 99.0, 10), (1, 2, 100.0, 5)]))
    o = fac.limit(IID, "BUY", 4, 99.0)
    risk.submit_order(o)
    ex.process(book([(2, 2, 100.0, 6)], start_ns=5000))   # accepted, joins behind 10 at 99
    ex.process(trades([(99.0, 7, 2)], start_ns=6000))     # 7 of the 10 ahead traded
    assert rec.fills() == []
    ex.process(trades([(99.0, 5, 2)], start_ns=7000))     # 3 ahead left, 2 reach us
    assert [fill_tuple(f) for f in rec.fills()] == [(99.0, 2.0, "TRADE", 7000, 1)]


def test_l2_crossing_book_fills_resting_limit_at_its_price():
    clock, ex, ee, risk, fac, rec = world(book_type="L2")
    ex.process(book([(1, 1, 99.0, 10), (1, 2, 100.0, 5)]))
    o = fac.limit(IID, "BUY", 4, 99.5)
    risk.submit_order(o)
    ex.process(book([(2, 1, 99.0, 9)], start_ns=5000))    # not marketable: rests
    ex.process(book([(1, 2, 99.2, 3), ], start_ns=6000))   # an ask at 99.2 crosses our 99.5 bid
    assert [fill_tuple(f) for f in rec.fills()] == [(99.5, 3.0, "BOOK", 6000, 1)]


def test_latency_delays_arrival():
    clock, ex, ee, risk, fac, rec = world(latency_model=LatencyModel(base_latency_ns=2500))
    ex.process(quotes([(99.0, 100.0, 5, 5)]))              # t = 1000
    risk.submit_order(fac.market(IID, "BUY", 1))          # arrives 3500
    ex.process(quotes([(99.0, 100.1, 5, 5), (99.0, 100.2, 5, 5), (99.0, 100.3, 5, 5)], start_ns=2000))
    (acc,) = rec.of("OrderAccepted")
    assert acc.ts_event == 3500
    assert [fill_tuple(f) for f in rec.fills()] == [(100.3, 1.0, "QUOTE", 4000, 2)]
    assert LiquiditySide(rec.fills()[0].liquidity_side_c) == LiquiditySide.TAKER


# ---------------------------------------------------------------------------------------------- more types / contingencies

def test_ouo_fill_reduces_the_other_leg_then_cancels_it():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 100, 100)]))
    a = fac.limit(IID, "SELL", 10, 101.0)
    b = fac.limit(IID, "SELL", 10, 102.0)
    ol = fac.ouo([a, b])
    ee.submit_order_list(ol)
    ex.process(quotes([(99.0, 100.0, 100, 100)], start_ns=5000))
    ex.process(quotes([(101.5, 102.5, 4, 4)], start_ns=6000))     # a fills 4 (bid 101.5 > 101)
    assert float(a.filled_qty) == 4.0 and float(b.quantity) == 6.0 and b.status == OrderStatus.ACCEPTED
    ex.process(quotes([(101.5, 102.5, 10, 10)], start_ns=7000))   # a fills its last 6 -> b canceled
    assert a.status == OrderStatus.FILLED and b.status == OrderStatus.CANCELED


def test_oto_children_canceled_when_parent_canceled():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 100, 100)]))
    ol = fac.bracket(IID, "BUY", 5, entry_price=95.0, tp_price=110.0, sl_trigger_price=90.0)
    entry, tp, sl = list(ol)
    risk.submit_order_list(ol)
    ex.process(quotes([(99.0, 100.0, 100, 100)], start_ns=5000))
    assert entry.status == OrderStatus.ACCEPTED
    assert tp.status == OrderStatus.SUBMITTED and sl.status == OrderStatus.SUBMITTED   # held
    assert ex.matching_engine(IID).held_orders() == [tp, sl]
    risk.cancel_order(entry)
    ex.process(quotes([(99.0, 100.0, 100, 100)], start_ns=6000))
    assert (entry.status, tp.status, sl.status) == (OrderStatus.CANCELED,) * 3


def test_limit_if_touched_and_market_if_touched_on_trades():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(trades([(100.0, 10, 1)]))
    mit = fac.market_if_touched(IID, "BUY", 2, 98.0)
    lit = fac.limit_if_touched(IID, "SELL", 3, price=101.5, trigger_price=102.0)
    risk.submit_order(mit)
    risk.submit_order(lit)
    ex.process(trades([(99.0, 10, 2), (97.5, 10, 2), (102.0, 10, 1), (101.8, 10, 1)], start_ns=5000))
    # MIT buy triggers at 97.5 <= 98 and fills at that trade; LIT sell triggers at 102 and, as a
    # fresh limit (101.5), takes the triggering trade's price
    assert [(f.client_order_id, *fill_tuple(f)) for f in rec.fills()] == [
        (mit.client_order_id, 97.5, 2.0, "TRADE", 6000, 2),
        (lit.client_order_id, 102.0, 3.0, "TRADE", 7000, 2)]
    assert len(rec.of("OrderTriggered")) == 1


def test_at_the_close_fills_at_the_next_bar_close():
    clock, ex, ee, risk, fac, rec = world()
    b = bars([(100, 100, 100, 100, 0), (100, 103, 99, 102, 0)])
    ex.process(b[:1])
    o = fac.market(IID, "BUY", 3, time_in_force="AT_THE_CLOSE")
    risk.submit_order(o)
    ex.process(b[1:])
    assert [fill_tuple(f) for f in rec.fills()] == [(102.0, 3.0, "BAR", 2 * MIN, 2)]


def test_trailing_stop_in_basis_points_with_activation_on_quotes():
    clock, ex, ee, risk, fac, rec = world()
    ex.process(quotes([(99.0, 100.0, 100, 100)]))
    risk.submit_order(fac.market(IID, "BUY", 1))
    # 100 bps = 1%: activates once the bid reaches 101, then trails 1% below the bid
    ts = fac.trailing_stop_market(IID, "SELL", 1, trailing_offset=100, trailing_offset_type="BASIS_POINTS",
                                  activation_price=101.0)
    risk.submit_order(ts)
    ex.process(quotes([(100.0, 100.1, 100, 100), (100.5, 100.6, 100, 100)], start_ns=5000))
    assert not ts.is_activated and rec.of("OrderUpdated") == []
    ex.process(quotes([(102.0, 102.1, 100, 100)], start_ns=7000))
    assert ts.is_activated and float(ts.trigger_price) == 100.98          # 102 - 1.02, rounded down
    ex.process(quotes([(101.0, 101.1, 100, 100), (100.9, 101.0, 100, 100)], start_ns=8000))
    assert fill_tuple(rec.fills()[-1]) == (100.9, 1.0, "QUOTE", 9000, 2)


def test_bars_of_two_instruments_route_to_their_engines():
    other_iid = InstrumentId.from_str("OTHER.XSIM")
    other = Equity(other_iid, 2, "USD")
    bt2 = BarType.from_str("OTHER.XSIM-1-MINUTE-LAST-EXTERNAL")
    clock, ex, ee, risk, fac, rec = world()
    ex.add_instrument(other)
    ee.register_venue(ex)
    fac.register_instrument(other)
    b1 = bars([(100, 100, 100, 100, 0), (100, 101, 99, 100, 0)])
    b2 = bars_from_arrays([MIN, 2 * MIN], [50.0, 50.5], [50.0, 51.0], [50.0, 50.0], [50.0, 50.5], [0, 0],
                          bar_type=bt2, price_precision=2)
    ex.process(b1[:1])
    ex.process(b2[:1])
    o = fac.market(other_iid, "BUY", 1)
    risk.submit_order(o)
    ex.process(b1[1:])
    assert rec.fills() == []                 # bar of the other instrument: no fill
    ex.process(b2[1:])
    assert fill_tuple(rec.fills()[0]) == (50.5, 1.0, "BAR", 2 * MIN, 2)


def test_l3_book_fifo_queue_uses_order_ids():
    clock, ex, ee, risk, fac, rec = world(book_type="L3", queue_model=QueueModel("fifo"))
    a = np.array([(1, 1, 99.0, 5, 11), (1, 1, 99.0, 3, 12), (1, 2, 100.0, 5, 21)], dtype=float)
    d = deltas_from_arrays([1000, 1001, 1002], a[:, 0].astype(np.uint8), a[:, 1].astype(np.uint8), a[:, 2],
                           a[:, 3], order_id=a[:, 4].astype(np.uint64), price_precision=2, size_precision=0,
                           instrument_id=IID)
    ex.process(d)
    o = fac.limit(IID, "BUY", 2, 99.0)
    risk.submit_order(o)
    ex.process(deltas_from_arrays([5000], [2], [2], [100.0], [4], order_id=[21], price_precision=2,
                                  size_precision=0, instrument_id=IID))
    assert ex.matching_engine(IID).book.queue_ahead(1) == 8_000_000_000    # both orders ahead
    # the two orders ahead are filled and deleted by the feed; then a trade at 99 reaches us
    ex.process(deltas_from_arrays([6000, 6001], [3, 3], [1, 1], [99.0, 99.0], [0, 0], order_id=[11, 12],
                                  price_precision=2, size_precision=0, instrument_id=IID))
    ex.process(trades([(99.0, 1, 2)], start_ns=7000))
    assert [fill_tuple(f) for f in rec.fills()] == [(99.0, 1.0, "TRADE", 7000, 1)]


def test_working_list_drops_filled_orders_in_place_and_keeps_the_rest_in_order():
    """Finished entries leave the working list in place (its item array is kept for the next
    orders): across bars that fill resting limits out of submission order, the working orders stay
    the unfilled ones in submission order, the fills are the hand-worked ones, and a new order
    after the list emptied works as on a fresh list."""
    clock, ex, ee, risk, fac, rec = world()
    me = ex.matching_engine(IID)
    b = bars([(100, 100, 100, 100, 0),
              (100, 100, 96.5, 99, 0),      # low 96.5: fills the limits at 99, 98 and 97
              (99, 99, 94.2, 95, 0),        # low 94.2: 96, 95
              (95, 95, 90, 91, 0),          # low 90: the rest (94, 93, 92, 91, 90)
              (91, 92, 90, 91, 0)])
    ex.process(b[:1])
    # submitted out of price order, so every bar's fills are scattered through the list
    prices = [95, 99, 91, 97, 93, 96, 90, 98, 94, 92]
    orders = [fac.limit(IID, "BUY", 1, float(p)) for p in prices]
    for o in orders:
        risk.submit_order(o)
    ex.process_commands_until(clock.timestamp_ns())
    assert me.working_orders() == orders
    for bar, low in zip(range(1, 4), (96.5, 94.2, 90.0), strict=True):
        ex.process(b[bar:bar + 1])
        expect = [o for o, p in zip(orders, prices, strict=True) if p < low]
        assert me.working_orders() == expect
    assert sorted(float(f.last_px) for f in rec.fills()) == sorted(float(p) for p in prices)
    assert me.working_orders() == []
    m = fac.market(IID, "SELL", 10)
    risk.submit_order(m)
    ex.process(b[4:])
    assert rec.fills()[-1].client_order_id == m.client_order_id and float(rec.fills()[-1].last_px) == 91.0
    assert me.working_orders() == []
