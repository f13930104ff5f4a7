"""ExecutionEngine: OMS netting/hedging, flips, accounts, cache, event order to strategies."""
import pytest

from alphaforge._core.clock import TestClock
from alphaforge._core.columnar import quotes_from_arrays
from alphaforge._core.fixed import Quantity
from alphaforge._core.identifiers import InstrumentId, PositionId, StrategyId, TraderId
from alphaforge._core.instruments import CryptoPerpetual
from alphaforge._core.order_factory import OrderFactory
from alphaforge._core.portfolio import Portfolio
from alphaforge._core.trading_cache import Cache
from alphaforge.execution import ExecutionEngine, SimulatedExchange
from alphaforge.model.enums import OrderStatus
from alphaforge.risk import RiskEngine

IID = InstrumentId.from_str("ETHUSDT-PERP.XEXE")
INST = CryptoPerpetual("ETHUSDT-PERP.XEXE", "ETH", "USDT", "USDT", 2, 3, maker_fee=0.0002, taker_fee=0.0005,
                       margin_init=0.1, margin_maint=0.05)


class Rec:
    def __init__(self):
        self.events = []

    def handle_order_event(self, e):
        self.events.append(e)

    def handle_position_event(self, e):
        self.events.append(e)

    def names(self):
        return [type(e).__name__ for e in self.events]


def world(oms="NETTING", strategies=("S-1",), oms_override=None):
    clock = TestClock()
    cache = Cache()
    pf = Portfolio(cache)
    ex = SimulatedExchange("XEXE", oms, "MARGIN", None, ["100000 USDT"], clock)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, cache, pf)
    ee.register_venue(ex)
    risk = RiskEngine(ee, cache, pf, clock)
    out = {}
    for s in strategies:
        rec = Rec()
        ee.register_strategy(StrategyId(s), rec, oms_type=oms_override)
        out[s] = (rec, OrderFactory(TraderId("T-1"), StrategyId(s), clock, cache))
    return clock, cache, pf, ex, ee, risk, out


def q(ts, bid, ask):
    return quotes_from_arrays([ts], [bid], [ask], [1000], [1000], price_precision=2, size_precision=3,
                              instrument_id=IID)


def step(ex, ts, bid, ask):
    ex.process(q(ts, bid, ask))


def test_netting_fill_events_positions_account_and_cache():
    clock, cache, pf, ex, ee, risk, st = world()
    rec, fac = st["S-1"]
    step(ex, 1000, 1999.0, 2000.0)
    o = fac.market(IID, "BUY", 2.0)
    risk.submit_order(o)
    step(ex, 2000, 1999.0, 2000.0)
    assert rec.names() == ["OrderSubmitted", "OrderAccepted", "OrderFilled", "PositionOpened"]
    pid = PositionId("ETHUSDT-PERP.XEXE-S-1")
    pos = cache.position(pid)
    assert pos is not None and float(pos.quantity) == 2.0 and o.position_id == pid
    # commission 2 * 2000 * 0.0005 = 2 USDT; margin account: balance only moves by PnL - commission
    assert float(ex.account.balance_total().as_double()) == pytest.approx(100000 - 2.0)
    assert cache.orders_closed_count() == 1 and cache.orders_open_count() == 0
    # sell 3 @ 2100 flips: close 2 (+200 PnL) then open 1 short; commission 3*2100*0.0005 = 3.15
    step(ex, 3000, 2100.0, 2101.0)
    o2 = fac.market(IID, "SELL", 3.0)
    risk.submit_order(o2)
    step(ex, 4000, 2100.0, 2101.0)
    assert rec.names()[-3:] == ["OrderFilled", "PositionClosed", "PositionOpened"]
    closed, opened = rec.events[-2], rec.events[-1]
    assert float(closed.last_qty) == 2.0 and float(opened.last_qty) == 1.0
    assert pos.signed_qty == -1.0 and pos.avg_px_open == 2100.0
    # realized: 200 - 2 (open commission) - 2.10 (close part: 3.15 * 2/3); account: 100000 - 2 + 200 - 3.15
    assert float(closed.realized_pnl.as_double()) == pytest.approx(200 - 2.0 - 2.10)
    assert float(ex.account.balance_total().as_double()) == pytest.approx(100000 - 2.0 + 200 - 3.15)


def test_hedging_keeps_one_position_per_opening_order_and_explicit_close():
    clock, cache, pf, ex, ee, risk, st = world(oms="HEDGING")
    rec, fac = st["S-1"]
    step(ex, 1000, 1999.0, 2000.0)
    a = fac.market(IID, "BUY", 1.0)
    b = fac.market(IID, "SELL", 1.0)
    risk.submit_order(a)
    risk.submit_order(b)
    step(ex, 2000, 1999.0, 2000.0)
    assert a.position_id != b.position_id
    assert sorted(p.signed_qty for p in ee.positions_open("S-1")) == [-1.0, 1.0]
    c = fac.market(IID, "SELL", 1.0)
    risk.submit_order(c, position_id=a.position_id)      # close the long explicitly
    step(ex, 3000, 2010.0, 2011.0)
    assert c.position_id == a.position_id
    assert [p.signed_qty for p in ee.positions_open("S-1")] == [-1.0]
    assert cache.position(a.position_id).is_closed


def test_strategy_oms_override_and_isolation_between_strategies():
    clock, cache, pf, ex, ee, risk, st = world(strategies=("S-1", "S-2"))
    (r1, f1), (r2, f2) = st["S-1"], st["S-2"]
    step(ex, 1000, 1999.0, 2000.0)
    risk.submit_order(f1.market(IID, "BUY", 1.0))
    risk.submit_order(f2.market(IID, "SELL", 2.0))
    step(ex, 2000, 1999.0, 2000.0)
    assert all(e.strategy_id == StrategyId("S-1") for e in r1.events)
    assert all(e.strategy_id == StrategyId("S-2") for e in r2.events)
    assert ee.net_position_raw(IID, "S-1") == 1_000_000_000
    assert ee.net_position_raw(IID, "S-2") == -2_000_000_000
    # close_all_positions for S-2 only
    risk.close_all_positions(StrategyId("S-2"))
    step(ex, 3000, 1999.0, 2000.0)
    assert ee.net_position_raw(IID, "S-2") == 0 and ee.net_position_raw(IID, "S-1") == 1_000_000_000


def test_cancel_all_orders_for_strategy_and_side():
    clock, cache, pf, ex, ee, risk, st = world()
    rec, fac = st["S-1"]
    step(ex, 1000, 1999.0, 2000.0)
    b1 = fac.limit(IID, "BUY", 1.0, 1990.0)
    b2 = fac.limit(IID, "BUY", 1.0, 1980.0)
    s1 = fac.limit(IID, "SELL", 1.0, 2010.0)
    for o in (b1, b2, s1):
        risk.submit_order(o)
    step(ex, 2000, 1999.0, 2000.0)
    risk.cancel_all_orders(IID, StrategyId("S-1"), "BUY")
    step(ex, 3000, 1999.0, 2000.0)
    assert (b1.status, b2.status, s1.status) == (OrderStatus.CANCELED, OrderStatus.CANCELED, OrderStatus.ACCEPTED)


def test_unknown_venue_is_denied():
    clock, cache, pf, ex, ee, risk, st = world()
    rec, fac = st["S-1"]
    other = InstrumentId.from_str("ETHUSDT-PERP.OTHER")
    o = fac.market(other, "BUY", Quantity.from_str("1.0"))
    ee.submit_order(o)
    assert o.status == OrderStatus.DENIED and "no venue" in rec.events[-1].reason


def test_events_reach_an_alphaforge_strategy_through_its_c_dispatch():
    from alphaforge._core.strategy import Strategy

    class S(Strategy):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_order_filled(self, event):
            self.seen.append(("filled", float(event.last_px)))

        def on_position_opened(self, event):
            self.seen.append(("opened", event.signed_qty))

        def on_order_accepted(self, event):
            self.seen.append(("accepted", event.client_order_id.value))

        def on_order_canceled(self, event):
            self.seen.append(("canceled", event.client_order_id.value))

    clock, cache, pf, ex, ee, risk, st = world(strategies=())
    s = S()
    s.register(TraderId("T-1"), clock, None, cache, pf, None, risk, ee)
    ee.register_strategy(s.id, s)
    s.start()
    step(ex, 1000, 1999.0, 2000.0)
    s.submit_order(s.order_factory.market(IID, "BUY", Quantity.from_str("1.000")))
    step(ex, 2000, 1999.0, 2000.5)
    coid1 = s.cache.orders()[0].client_order_id.value
    assert s.seen == [("accepted", coid1), ("filled", 2000.5), ("opened", 1.0)]
    # event kinds alternating: each still reaches its own handler (none for OrderSubmitted)
    resting = s.order_factory.limit(IID, "BUY", Quantity.from_str("1.000"), 1900.0)
    s.submit_order(resting)
    step(ex, 3000, 1999.0, 2000.5)
    s.cancel_order(resting)
    step(ex, 4000, 1999.0, 2000.5)
    s.submit_order(s.order_factory.market(IID, "SELL", Quantity.from_str("1.000")))
    step(ex, 5000, 1998.5, 2000.5)
    coid2, coid3 = resting.client_order_id.value, s.cache.orders()[2].client_order_id.value
    assert s.seen[3:] == [("accepted", coid2), ("canceled", coid2), ("accepted", coid3), ("filled", 1998.5)]


def test_events_are_published_on_the_message_bus():
    from alphaforge._core.msgbus import MessageBus

    clock = TestClock()
    bus = MessageBus(TraderId("T-1"))
    got = []
    bus.subscribe("events.order.S-1", lambda e: got.append(("order", type(e).__name__)))
    bus.subscribe("events.position.*", lambda e: got.append(("position", type(e).__name__)))
    ex = SimulatedExchange("XEXE", "NETTING", "MARGIN", None, ["100000 USDT"], clock)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, None, None, bus)
    ee.register_venue(ex)
    ee.register_strategy("S-1", Rec())
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock)
    fac.register_instrument(INST)
    step(ex, 1000, 1999.0, 2000.0)
    ee.submit_order(fac.market(IID, "BUY", 1.0))
    step(ex, 2000, 1999.0, 2000.0)
    assert got == [("order", "OrderSubmitted"), ("order", "OrderAccepted"), ("order", "OrderFilled"),
                   ("position", "PositionOpened")]


def test_late_subscribers_get_events_and_closed_positions_are_kept_in_order():
    """The engine publishes on the routes it took at registration: a subscription made later
    (and one removed later) must still take effect. Every PositionClosed is kept, in order, in
    ``closed_position_events`` (a netting flip closes, then reopens); ``reset`` clears it.
    Venue order and trade ids are "{venue}-{n}" / "{venue}-T{n}" in sequence."""
    from alphaforge._core.msgbus import MessageBus

    clock = TestClock()
    bus = MessageBus(TraderId("T-1"))
    ex = SimulatedExchange("XEXE", "NETTING", "MARGIN", None, ["100000 USDT"], clock)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, Cache(), None, bus)
    ee.register_venue(ex)
    rec = Rec()
    ee.register_strategy("S-1", rec)
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock)
    fac.register_instrument(INST)
    late = []

    def on_any(e):
        late.append(type(e).__name__)

    step(ex, 1000, 1999.0, 2000.0)
    ee.submit_order(fac.market(IID, "BUY", 1.0))
    step(ex, 2000, 1999.0, 2000.0)
    assert late == []
    bus.subscribe("events.*", on_any)              # after the routes were taken
    ee.submit_order(fac.market(IID, "SELL", 3.0))   # flip: close 1 long, open 2 short
    step(ex, 3000, 2009.0, 2010.0)
    assert late == ["OrderSubmitted", "OrderAccepted", "OrderFilled", "PositionClosed", "PositionOpened"]
    bus.unsubscribe("events.*", on_any)
    ee.submit_order(fac.market(IID, "BUY", 2.0))    # close the short
    step(ex, 4000, 1989.0, 1990.0)
    assert len(late) == 5
    closed = ee.closed_position_events
    assert [type(e).__name__ for e in closed] == ["PositionClosed", "PositionClosed"]
    assert [e.ts_event for e in closed] == [3000, 4000]
    assert [float(e.realized_pnl) for e in closed] == pytest.approx(
        [1.0 * (2009.0 - 2000.0) - 0.0005 * 2000.0 - 0.0005 * 2009.0 * 1.0,
         2.0 * (2009.0 - 1990.0) - 0.0005 * 2009.0 * 2.0 - 0.0005 * 1990.0 * 2.0], abs=1e-6)
    fills = [e for e in rec.events if type(e).__name__ == "OrderFilled"]
    assert [f.venue_order_id.value for f in fills] == ["XEXE-1", "XEXE-2", "XEXE-3"]
    assert [f.trade_id.value for f in fills] == ["XEXE-T1", "XEXE-T2", "XEXE-T3"]
    assert fills[0].client_order_id.value == "O-S-1-1"
    ee.reset()
    assert ee.closed_position_events == []


class _Stand:
    """A duck-typed stand-in a user puts in the cache under an engine order's id."""

    def __init__(self, order):
        self.client_order_id = order.client_order_id
        self.strategy_id = order.strategy_id
        self.instrument_id = order.instrument_id
        self.is_open, self.is_inflight, self.is_closed = True, False, False
        self.position_id = None


def test_an_order_replaced_in_the_cache_is_stored_again_when_the_engine_updates_it():
    # the cache trusts an order it stored itself (no lookup per update); once another object is put
    # under the id, the engine's next update of the original must store the original again
    clock, cache, pf, ex, ee, risk, st = world()
    rec, fac = st["S-1"]
    step(ex, 1000, 1999.0, 2000.0)
    o = fac.limit(IID, "BUY", 1.0, 1990.0)
    risk.submit_order(o)
    step(ex, 2000, 1999.0, 2000.0)
    assert cache.order(o.client_order_id) is o and cache.orders_open_count() == 1
    stand = _Stand(o)
    cache.update_order(stand)
    assert cache.order(o.client_order_id) is stand
    step(ex, 3000, 1980.0, 1981.0)                    # the ask crosses the limit: filled
    assert o.status == OrderStatus.FILLED
    assert cache.order(o.client_order_id) is o
    assert cache.orders_open_count() == 0 and cache.orders_closed_count() == 1
    assert cache.orders_closed() == [o]


def test_partial_fills_list_each_order_once_and_a_repeated_trade_id_is_still_refused():
    # the engine records a position's ids without sets while nothing can repeat (each order's first
    # fill); an order's later partial fills and a fill applied by hand still dedupe / refuse
    clock, cache, pf, ex, ee, risk, st = world()
    rec, fac = st["S-1"]

    def thin(ts, bid, ask):                            # 1 ETH at the touch
        ex.process(quotes_from_arrays([ts], [bid], [ask], [1], [1], price_precision=2, size_precision=3,
                                      instrument_id=IID))

    thin(1000, 1999.0, 2000.0)
    a = fac.market(IID, "BUY", 3.0)
    risk.submit_order(a)
    for k in range(3):                                 # 1 + 1 + 1: three fills of one order
        thin(2000 + k, 1999.0, 2000.0 + k)
    b = fac.market(IID, "BUY", 1.0)
    risk.submit_order(b)
    thin(3000, 1999.0, 2003.0)
    fills = [e for e in rec.events if type(e).__name__ == "OrderFilled"]
    assert [f.client_order_id for f in fills] == [a.client_order_id] * 3 + [b.client_order_id]
    assert all(x is y for x, y in zip(a.fill_events, fills[:3], strict=True)) and b.fill_events == fills[3:]
    assert [type(e).__name__ for e in a.events] == ["OrderInitialized", "OrderSubmitted", "OrderAccepted"] + \
        ["OrderFilled"] * 3
    pos = cache.position(a.position_id)
    assert pos.client_order_ids == [a.client_order_id, b.client_order_id]
    assert pos.trade_ids == [f.trade_id for f in fills] and len(set(pos.trade_ids)) == 4
    assert float(pos.quantity) == 4.0
    with pytest.raises(ValueError, match="duplicate fill.trade_id"):
        pos.apply(fills[1])
    assert float(pos.quantity) == 4.0 and len(pos.trade_ids) == 4


def test_a_position_replaced_in_the_cache_is_stored_again_when_the_engine_updates_it():
    # the cache trusts a Position it stored itself (no lookups per fill); another object put under
    # the id must make the engine's next update store the engine's position again, open/closed right
    clock, cache, pf, ex, ee, risk, st = world()
    rec, fac = st["S-1"]
    step(ex, 1000, 1999.0, 2000.0)
    risk.submit_order(fac.market(IID, "BUY", 1.0))
    step(ex, 2000, 1999.0, 2000.0)
    pid = PositionId("ETHUSDT-PERP.XEXE-S-1")
    pos = cache.position(pid)
    assert pos.is_open and cache.positions_open() == [pos]

    class Stand:
        id, strategy_id, instrument_id, opening_order_id, is_open = pid, StrategyId("S-1"), IID, None, True

    stand = Stand()
    cache.update_position(stand)
    assert cache.position(pid) is stand and cache.positions_open() == [stand]
    risk.submit_order(fac.market(IID, "SELL", 1.0))
    step(ex, 3000, 2009.0, 2010.0)
    assert cache.position(pid) is pos and pos.is_closed
    assert cache.positions_open() == [] and cache.positions_closed() == [pos]
    risk.submit_order(fac.market(IID, "BUY", 2.0))    # reopens: listed open again
    step(ex, 4000, 2009.0, 2010.0)
    assert cache.positions_open() == [pos] and cache.positions_closed() == []
