"""Execution speed (asv): end-to-end market-order round trips and bar matching.

* ``RoundTrip.time_market_round_trips``: ``N`` market orders, each created with
  ``OrderFactory.market_c``, submitted through ``RiskEngine`` -> ``ExecutionEngine`` ->
  ``SimulatedExchange`` and filled on the next quote, with the fill and position events delivered to
  a Python strategy handler (``bench_execution.market_round_trips``); parameter ``cache``: whether
  the trading Cache is updated too. Divide by ``N`` for the per-order cost.
* ``RoundTrip.time_plain_python_baseline``: a minimal dict-based simulator of the same steps.
* ``BarMatching.time_bars``: ``N_BARS`` bars through the venue with ``resting`` limit orders far
  from the market (matching cost per bar with working orders that do not fill).

``python scripts/bench_execution.py`` prints ns/order and ratios.
"""

import numpy as np

from alphaforge._core.bench_execution import market_round_trips
from alphaforge._core.clock import TestClock
from alphaforge._core.columnar import bars_from_arrays, quotes_from_arrays
from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId, StrategyId, TraderId
from alphaforge._core.instruments import Equity
from alphaforge._core.order_factory import OrderFactory
from alphaforge._core.portfolio import Portfolio
from alphaforge._core.trading_cache import Cache
from alphaforge.execution import ExecutionEngine, SimulatedExchange
from alphaforge.risk import RiskEngine

N = 20_000
N_BARS = 50_000
IID = InstrumentId.from_str("ASVEX.XASV")
INST = Equity(IID, 2, "USD", taker_fee=0.0001)
BT = BarType.from_str("ASVEX.XASV-1-MINUTE-LAST-EXTERNAL")


class _Handler:
    def __init__(self):
        self.n = 0

    def handle_order_event(self, event):
        self.n += 1

    def handle_position_event(self, event):
        self.n += 1


def _world(with_cache):
    clock = TestClock(1000)
    cache = Cache() if with_cache else None
    pf = Portfolio(cache)
    ex = SimulatedExchange("XASV", "NETTING", "MARGIN", None, ["1000000000 USD"], clock)
    ex.add_instrument(INST)
    ee = ExecutionEngine(clock, cache, pf)
    ee.register_venue(ex)
    sid = StrategyId("S-1")
    ee.register_strategy(sid, _Handler())
    risk = RiskEngine(ee, cache, pf, clock, {"max_order_submit_rate": None})
    fac = OrderFactory(TraderId("T-1"), sid, clock, cache)
    fac.register_instrument(INST)
    return clock, ex, ee, risk, fac


class RoundTrip:
    params = [False, True]
    param_names = ["cache"]

    def setup(self, cache):
        self.clock, self.ex, self.ee, self.risk, self.fac = _world(cache)
        self.q = quotes_from_arrays([1000], [99.99], [100.0], [1e6], [1e6], price_precision=2, instrument_id=IID)
        self.ex.process(self.q)

    def time_market_round_trips(self, cache):
        market_round_trips(self.risk, self.ex, self.fac, IID, self.clock, self.q, N, N, 1_000_000_000, 0)

    def time_plain_python_baseline(self, cache):
        orders = {}
        net = {}
        calls = [0]

        def handler(ev):
            calls[0] += 1

        side = 1
        for i in range(N):
            o = {"id": i, "side": side, "qty": 1.0, "status": "SUBMITTED"}
            orders[i] = o
            handler(o)
            o["status"] = "ACCEPTED"
            handler(o)
            o["status"] = "FILLED"
            o["px"] = 100.0 if side == 1 else 99.99
            handler(o)
            net["k"] = net.get("k", 0.0) + (1.0 if side == 1 else -1.0)
            handler(net)
            side = 3 - side


class BarMatching:
    params = [0, 10, 100]
    param_names = ["resting"]

    def setup(self, resting):
        self.clock, self.ex, self.ee, self.risk, self.fac = _world(False)
        rng = np.random.default_rng(7)
        close = np.round(100 + np.cumsum(rng.normal(0, 0.1, N_BARS)), 2)
        opn = np.r_[100.0, close[:-1]]
        high = np.round(np.maximum(opn, close) + 0.05, 2)
        low = np.round(np.minimum(opn, close) - 0.05, 2)
        ts = (np.arange(N_BARS) + 1) * 60_000_000_000
        self.bars = bars_from_arrays(ts, opn, high, low, close, np.full(N_BARS, 1000.0), bar_type=BT,
                                     price_precision=2)
        self.ex.process(self.bars[:1])
        for _ in range(resting):
            self.ee.submit_order(self.fac.limit(IID, "BUY", 1, 1.0))

    def time_bars(self, resting):
        self.ex.process(self.bars)
