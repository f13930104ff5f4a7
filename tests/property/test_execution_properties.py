"""Hypothesis: random order flows on bars and quotes keep the execution invariants."""
from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaforge._core.clock import TestClock
from alphaforge._core.columnar import bars_from_arrays, quotes_from_arrays
from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId, StrategyId, TraderId
from alphaforge._core.instruments import Equity
from alphaforge._core.order_factory import OrderFactory
from alphaforge._core.trading_cache import Cache
from alphaforge.execution import ExecutionEngine, FillModel, LatencyModel, SimulatedExchange

IID = InstrumentId.from_str("PROP.XPRP")
INST = Equity(IID, 2, "USD", maker_fee=0.0002, taker_fee=0.001)
BT = BarType.from_str("PROP.XPRP-1-MINUTE-LAST-EXTERNAL")
MIN = 60_000_000_000


class Rec:
    def __init__(self):
        self.events = []

    def handle_order_event(self, e):
        self.events.append(e)

    def handle_position_event(self, e):
        self.events.append(e)


order_spec = st.tuples(
    st.integers(0, 11),                                   # bar / quote index at which it is submitted
    st.sampled_from(["market", "limit", "stop", "mit", "ioc"]),
    st.sampled_from(["BUY", "SELL"]),
    st.integers(1, 30),                                   # quantity
    st.integers(-300, 300),                               # price offset in cents from the last close
)


def build(latency):
    clock = TestClock()
    cache = Cache()
    ex = SimulatedExchange("XPRP", "NETTING", "MARGIN", None, ["1000000 USD"], clock,
                           latency_model=LatencyModel(latency), fill_model=FillModel(0.5, 0.3, random_seed=1),
                           reject_stop_orders=False)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, cache)
    ee.register_venue(ex)
    rec = Rec()
    ee.register_strategy("S-1", rec)
    fac = OrderFactory(TraderId("T-1"), StrategyId("S-1"), clock, cache)
    return clock, ex, ee, rec, fac


def make_order(fac, kind, side, qty, px):
    px = round(max(px, 1.0), 2)
    if kind == "market":
        return fac.market(IID, side, qty)
    if kind == "limit":
        return fac.limit(IID, side, qty, px)
    if kind == "ioc":
        return fac.limit(IID, side, qty, px, time_in_force="IOC")
    if kind == "stop":
        return fac.stop_market(IID, side, qty, px)
    return fac.market_if_touched(IID, side, qty, px)


def reference_pnl(fills):
    """Average-cost realized PnL of a netting position (plain Python)."""
    qty = 0.0
    avg = 0.0
    realized = 0.0
    for side, q, px in fills:
        s = q if side == 1 else -q
        if qty == 0 or (qty > 0) == (s > 0):
            avg = (avg * abs(qty) + px * q) / (abs(qty) + q)
            qty += s
            continue
        close = min(q, abs(qty))
        realized += round((px - avg) * close * (1 if qty > 0 else -1), 2)
        rest = q - close
        qty += s
        if rest > 0:
            avg = px
        elif qty == 0:
            avg = 0.0
    return qty, realized


def check_common(ex, ee, rec, submitted_at):
    fills = [e for e in rec.events if type(e).__name__ == "OrderFilled"]
    accepted = {e.client_order_id: e.ts_event for e in rec.events if type(e).__name__ == "OrderAccepted"}
    for f in fills:
        # no fill earlier than the order's arrival (zero-latency arrival = submit time + latency)
        assert f.client_order_id in accepted
        assert f.ts_event >= accepted[f.client_order_id] >= submitted_at[f.client_order_id]
        assert f.data_ts >= accepted[f.client_order_id]
    signed = sum(float(f.last_qty) * (1 if f.side == 1 else -1) for f in fills)
    assert abs(ee.net_position_raw(IID, "S-1") / 1e9 - signed) < 1e-9
    ref_qty, ref_realized = reference_pnl([(f.side, float(f.last_qty), float(f.last_px)) for f in fills])
    commissions = sum(float(f.commission) for f in fills)
    change = ex.account.balance_total().as_double() - 1_000_000.0
    assert abs(ref_qty - signed) < 1e-9
    assert abs(change - (ref_realized - commissions)) <= 0.01 * (len(fills) + 1)
    return fills


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    moves=st.lists(st.tuples(st.integers(-200, 200), st.integers(0, 300), st.integers(0, 300),
                             st.integers(-200, 200), st.integers(0, 60)), min_size=12, max_size=12),
    specs=st.lists(order_spec, max_size=15),
    latency=st.sampled_from([0, 1, 30 * MIN // 60]),
)
def test_bar_flows(moves, specs, latency):
    clock, ex, ee, rec, fac = build(latency)
    rows = []
    close = 10000
    for d_open, up, down, d_close, vol in moves:
        o = max(close + d_open, 1000)
        c = max(o + d_close, 1000)
        h = max(o, c) + up
        lo = max(min(o, c) - down, 500)
        rows.append((o / 100, h / 100, lo / 100, c / 100, vol))
        close = c
    a = np.array(rows, dtype=float)
    ts = [(i + 1) * MIN for i in range(len(rows))]
    bars = bars_from_arrays(ts, a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], bar_type=BT, price_precision=2)
    submitted_at = {}
    by_bar = defaultdict(list)
    for spec in specs:
        by_bar[spec[0]].append(spec)
    for i in range(len(rows)):
        ex.process(bars[i:i + 1])
        for _, kind, side, qty, off in by_bar.get(i, []):
            order = make_order(fac, kind, side, qty, rows[i][3] + off / 100)
            submitted_at[order.client_order_id] = clock.timestamp_ns()
            ee.submit_order(order)
    fills = check_common(ex, ee, rec, submitted_at)
    bar_of = {t: rows[i] for i, t in enumerate(ts)}
    used = defaultdict(float)
    for f in fills:
        o, h, lo, c, vol = bar_of[f.data_ts]
        assert lo - 1e-9 <= float(f.last_px) <= h + 1e-9           # within the producing bar
        used[f.data_ts] += float(f.last_qty)
    for t, q in used.items():
        vol = bar_of[t][4]
        assert vol == 0 or q <= vol + 1e-9                         # bar volume not used twice


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    book=st.lists(st.tuples(st.integers(-100, 100), st.integers(1, 50), st.integers(1, 20), st.integers(1, 20)),
                  min_size=12, max_size=12),
    specs=st.lists(order_spec, max_size=15),
    latency=st.sampled_from([0, 1500]),
)
def test_quote_flows(book, specs, latency):
    clock, ex, ee, rec, fac = build(latency)
    mid = 10000
    rows = []
    for d, spread, bs, as_ in book:
        mid = max(mid + d, 1000)
        rows.append(((mid - spread) / 100, (mid + spread) / 100, bs, as_))
    a = np.array(rows, dtype=float)
    ts = [(i + 1) * 1000 for i in range(len(rows))]
    quotes = quotes_from_arrays(ts, a[:, 0], a[:, 1], a[:, 2], a[:, 3], price_precision=2, instrument_id=IID)
    submitted_at = {}
    orders = {}
    by_q = defaultdict(list)
    for spec in specs:
        by_q[spec[0]].append(spec)
    for i in range(len(rows)):
        ex.process(quotes[i:i + 1])
        for _, kind, side, qty, off in by_q.get(i, []):
            order = make_order(fac, kind, side, qty, (rows[i][0] + rows[i][1]) / 2 + off / 100)
            submitted_at[order.client_order_id] = clock.timestamp_ns()
            orders[order.client_order_id] = order
            ee.submit_order(order)
    fills = check_common(ex, ee, rec, submitted_at)
    q_of = {t: rows[i] for i, t in enumerate(ts)}
    used = defaultdict(float)
    for f in fills:
        bid, ask, bsz, asz = q_of[f.data_ts]
        px = float(f.last_px)
        order = orders[f.client_order_id]
        if f.liquidity_side_c == 2:                                # taker: at the quote (+ slippage ticks)
            assert (px >= ask - 1e-9) if f.side == 1 else (px <= bid + 1e-9)
        else:                                                      # maker: at its limit, which the quote crossed
            assert abs(px - float(order.price)) < 1e-9
            assert (ask <= px + 1e-9) if f.side == 1 else (bid >= px - 1e-9)
        used[(f.data_ts, f.side)] += float(f.last_qty)
    for (t, side), q in used.items():
        bid, ask, bsz, asz = q_of[t]
        assert q <= (asz if side == 1 else bsz) + 1e-9             # displayed size not used twice
