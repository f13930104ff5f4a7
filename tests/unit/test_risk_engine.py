"""RiskEngine: each pre-trade check denies with its reason; throttles; trading states."""
import pytest

from alphaforge._core.clock import TestClock
from alphaforge._core.columnar import quotes_from_arrays
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import InstrumentId, StrategyId, TraderId
from alphaforge._core.instruments import Equity
from alphaforge._core.order_factory import OrderFactory
from alphaforge._core.portfolio import Portfolio
from alphaforge._core.trading_cache import Cache
from alphaforge.execution import ExecutionEngine, SimulatedExchange
from alphaforge.model.enums import OrderStatus
from alphaforge.risk import RiskEngine, TradingState

IID = InstrumentId.from_str("RISK.XRSK")
INST = Equity(IID, 2, "USD", taker_fee=0.0, min_quantity=1, max_quantity=1000)


class Rec:
    def __init__(self):
        self.events = []

    def handle_order_event(self, e):
        self.events.append(e)

    def handle_position_event(self, e):
        self.events.append(e)


def world(config=None, account="CASH", balances=("10000 USD",)):
    clock = TestClock()
    cache = Cache()
    pf = Portfolio(cache)
    ex = SimulatedExchange("XRSK", "NETTING", account, None, list(balances), clock)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, cache, pf)
    ee.register_venue(ex)
    rec = Rec()
    ee.register_strategy(StrategyId("S-1"), rec)
    risk = RiskEngine(ee, cache, pf, clock, config)
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock, cache)
    ex.process(quotes_from_arrays([1000], [99.0], [100.0], [100], [100], price_precision=2, instrument_id=IID))
    return clock, ex, ee, risk, fac, rec


def _bare(f):
    return OrderFactory(TraderId("T-1"), StrategyId("S-1"), TestClock(), initial_count=100)


def denied(rec):
    return [e.reason for e in rec.events if type(e).__name__ == "OrderDenied"]


def test_passes_and_reaches_venue():
    clock, ex, ee, risk, fac, rec = world()
    o = fac.market(IID, "BUY", 10)
    risk.submit_order(o)
    assert o.status == OrderStatus.SUBMITTED and denied(rec) == []


@pytest.mark.parametrize("make,needle", [
    # a factory without the instrument (no cache) does not validate precision: the risk engine does
    (lambda f: _bare(f).limit(IID, "BUY", Quantity.from_str("1.5"), Price.from_str("100.00")), "size precision"),
    (lambda f: _bare(f).limit(IID, "BUY", Quantity.from_str("5"), Price.from_str("99.995")), "price precision"),
    (lambda f: f.market(IID, "BUY", 2000), "max_quantity"),
    (lambda f: f.market(IID, "BUY", 101), "insufficient free balance"),   # 101 * 100 > 10000
    (lambda f: f.market(IID, "SELL", 1), "short selling"),
    (lambda f: f.market(IID, "SELL", 1, reduce_only=True), "reduce-only"),
])
def test_denials_with_reason(make, needle):
    clock, ex, ee, risk, fac, rec = world()
    o = make(fac)
    risk.submit_order(o)
    assert o.status == OrderStatus.DENIED
    (reason,) = denied(rec)
    assert needle in reason


def test_unknown_instrument():
    clock, ex, ee, risk, fac, rec = world()
    o = fac.market(InstrumentId.from_str("NOPE.XRSK"), "BUY", Quantity.from_str("1"))
    risk.submit_order(o)
    assert "not known" in denied(rec)[0]


def test_max_notional_price_band_and_max_position():
    clock, ex, ee, risk, fac, rec = world(
        {"max_notional_per_order": {"RISK.XRSK": 500.0}, "price_band": 0.05, "max_position": {IID: 8}},
        account="MARGIN", balances=("1000000 USD",))
    o = fac.market(IID, "BUY", 6)                       # 6 * 100 = 600 > 500
    risk.submit_order(o)
    assert "max_notional_per_order" in denied(rec)[-1]
    o = fac.limit(IID, "BUY", 1, 90.0)                  # mid 99.5, band 5% -> 94.525..104.475
    risk.submit_order(o)
    assert "price band" in denied(rec)[-1]
    o = fac.limit(IID, "BUY", 4, 99.0)
    risk.submit_order(o)
    assert o.status == OrderStatus.SUBMITTED
    ex.process(quotes_from_arrays([2000], [98.0], [98.5], [100], [100], price_precision=2, instrument_id=IID))
    assert ee.net_position_raw(IID, "S-1") == 4_000_000_000
    o = fac.limit(IID, "BUY", 5, 98.5)                  # 4 + 5 = 9 > 8
    risk.submit_order(o)
    assert "max_position" in denied(rec)[-1]
    o = fac.limit(IID, "SELL", 4, 98.5)                 # reduces: passes
    risk.submit_order(o)
    assert o.status == OrderStatus.SUBMITTED


def test_submit_throttle_window():
    clock, ex, ee, risk, fac, rec = world({"max_order_submit_rate": "3/00:00:01"})
    for _ in range(3):
        risk.submit_order(fac.market(IID, "BUY", 1))
    o = fac.market(IID, "BUY", 1)
    risk.submit_order(o)
    assert o.status == OrderStatus.DENIED and "max_order_submit_rate" in denied(rec)[-1]
    clock.set_time(1000 + 1_000_000_000)                # the first submit (t=1000) left the window
    o = fac.market(IID, "BUY", 1)
    risk.submit_order(o)
    assert o.status == OrderStatus.SUBMITTED


def test_trading_states():
    clock, ex, ee, risk, fac, rec = world(account="MARGIN", balances=("1000000 USD",))
    risk.submit_order(fac.market(IID, "BUY", 5))
    ex.process(quotes_from_arrays([2000], [99.0], [100.0], [100], [100], price_precision=2, instrument_id=IID))
    risk.set_trading_state("REDUCING")
    assert risk.trading_state == TradingState.REDUCING
    inc = fac.market(IID, "BUY", 1)
    risk.submit_order(inc)
    assert "REDUCING" in denied(rec)[-1]
    red = fac.market(IID, "SELL", 2)
    risk.submit_order(red)
    assert red.status == OrderStatus.SUBMITTED
    risk.set_trading_state(TradingState.HALTED)
    h = fac.market(IID, "SELL", 1)
    risk.submit_order(h)
    assert "HALTED" in denied(rec)[-1]
    lim = fac.limit(IID, "SELL", 1, 150.0)
    risk.set_trading_state("ACTIVE")
    risk.submit_order(lim)
    ex.process(quotes_from_arrays([3000], [99.0], [100.0], [100], [100], price_precision=2, instrument_id=IID))
    risk.set_trading_state("HALTED")
    risk.cancel_order(lim)                              # cancels pass when halted
    ex.process(quotes_from_arrays([4000], [99.0], [100.0], [100], [100], price_precision=2, instrument_id=IID))
    assert lim.status == OrderStatus.CANCELED
    risk.set_trading_state("ACTIVE")


def test_order_list_denied_as_a_whole():
    clock, ex, ee, risk, fac, rec = world()
    ol = fac.bracket(IID, "BUY", 500, tp_price=110.0, sl_trigger_price=90.0)   # 500 * 100 > 10000
    risk.submit_order_list(ol)
    assert [o.status for o in ol] == [OrderStatus.DENIED] * 3
    assert all("order list denied" in r for r in denied(rec))


def test_bypass_skips_checks():
    clock, ex, ee, risk, fac, rec = world({"bypass": True})
    o = fac.market(IID, "BUY", 2000)
    risk.submit_order(o)
    assert o.status == OrderStatus.SUBMITTED


def test_modify_rejected_when_halted():
    clock, ex, ee, risk, fac, rec = world()
    o = fac.limit(IID, "BUY", 1, 95.0)
    risk.submit_order(o)
    ex.process(quotes_from_arrays([2000], [99.0], [100.0], [100], [100], price_precision=2, instrument_id=IID))
    risk.set_trading_state("HALTED")
    risk.modify_order(o, price=Price.from_str("96.00"))
    ev = rec.events[-1]
    assert type(ev).__name__ == "OrderModifyRejected" and "HALTED" in ev.reason
    assert o.status == OrderStatus.ACCEPTED


def test_invalid_config():
    clock, ex, ee, risk, fac, rec = world()
    with pytest.raises(ValueError, match="max_order_submit_rate"):
        RiskEngine(ee, None, None, clock, {"max_order_submit_rate": "10"})
    with pytest.raises(ValueError, match="price_band"):
        RiskEngine(ee, None, None, clock, {"price_band": -1})


def test_instrument_notional_limits_use_the_market_price_of_a_market_order():
    # a market order has no price: its notional is quantity x the venue's ask (buy) / bid (sell),
    # here ask 100.00 and bid 99.00; the limits are the instrument's min/max_notional
    from alphaforge._core.instruments import CurrencyPair

    iid = InstrumentId.from_str("EUR/USD.XRSK")
    inst = CurrencyPair(iid, "EUR", "USD", 2, 0, min_notional="500 USD", max_notional="2000 USD")
    clock, ex, ee, risk, fac, rec = world(account="MARGIN", balances=("100000 USD",))
    ex.add_instrument(inst)
    fac.register_instrument(inst)
    ex.process(quotes_from_arrays([2000], [99.0], [100.0], [100], [100], price_precision=2, instrument_id=iid))
    for side, qty in (("BUY", 4), ("BUY", 5), ("BUY", 20), ("BUY", 21), ("SELL", 5), ("SELL", 6)):
        risk.submit_order(fac.market(iid, side, qty))
    # 4 x 100 = 400 < 500; 500 and 2000 pass; 2100 > 2000; sell 5 x 99 = 495 < 500; 6 x 99 = 594
    assert len(denied(rec)) == 3
    assert "below the instrument's min_notional" in denied(rec)[0]
    assert "above the instrument's max_notional" in denied(rec)[1]
    assert "notional 495 below" in denied(rec)[2]


def test_increments_other_than_one_unit_are_checked():
    """A price increment of 0.05 and a size increment of 10: prices and sizes off the grid are
    denied with the increment named; on the grid (and at a unit increment) they pass."""
    clock = TestClock()
    cache = Cache()
    from alphaforge._core.instruments import CurrencyPair

    iid = InstrumentId.from_str("EURUSD.XRSK")
    grid = CurrencyPair(iid, "EUR", "USD", 2, 0, price_increment=Price.from_str("0.05"),
                        size_increment=Quantity.from_str("10"))
    ex = SimulatedExchange("XRSK", "NETTING", "MARGIN", None, ["1000000 USD"], clock)
    ex.add_instrument(grid)
    ee = ExecutionEngine(clock, cache, Portfolio(cache))
    ee.register_venue(ex)
    rec = Rec()
    ee.register_strategy(StrategyId("S-1"), rec)
    risk = RiskEngine(ee, cache, Portfolio(cache), clock)
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock)
    cases = [("100.05", 20, None), ("100.03", 20, "price increment"), ("100.10", 25, "size increment"),
             ("99.95", 10, None)]
    for px, qty, needle in cases:
        before = len(denied(rec))
        risk.submit_order(fac.limit(iid, "BUY", Quantity.from_str(str(qty)), Price.from_str(px)))
        got = denied(rec)[before:]
        if needle is None:
            assert got == []
        else:
            assert len(got) == 1 and needle in got[0]
