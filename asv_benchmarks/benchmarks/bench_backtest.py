"""Backtest engine speed (asv), issue 7's workloads at reduced sizes.

* ``EMACrossBars.time_engine``: EMA(10)/EMA(20) cross (``EMACross``) on ``N_BARS`` one-minute bars of
  ``../shared/bench/gen_data.py`` (seed 7), end to end: engine construction, ``add_data`` (float
  columns -> records), ``run``. ``time_plain_python_baseline``: the same strategy as a plain-Python
  loop. ``peakmem_engine``: peak memory of the same run (asv measures the process's peak RSS).
* ``TradeTicks.time_engine``: ``N_TICKS`` synthetic trades (the ``gen_data.main`` stream: bars
  first, then ticks, seed 7) as records, aggregated by the engine to 1-MINUTE-LAST-INTERNAL bars,
  the same EMACross.
* ``OrderRoundTrips.time_engine``: ``N_ORDERS`` market orders, one per bar, each filled at the next
  bar's open and counted in ``on_order_filled``; ``time_bars_only``: the same bars, no orders.

Data are generated once per process (module-level cache). ``python scripts/bench_backtest.py``
prints the full-size figures (1M bars, 5M trades, 100K orders) with ratios.
"""

import importlib.util
from functools import cache
from pathlib import Path

import numpy as np

from alphaforge.backtest import BacktestEngine
from alphaforge.model import BarType, Equity, InstrumentId, OrderSide, trades_from_arrays
from alphaforge.strategies import EMACross, EMACrossConfig
from alphaforge.trading import Strategy, StrategyConfig

N_BARS = 100_000
N_TICKS = 500_000
N_ORDERS = 20_000
_ROOT = Path(__file__).resolve().parents[2]
_GEN = (_ROOT / ".." / "shared" / "bench" / "gen_data.py").resolve()


@cache
def _gen():
    spec = importlib.util.spec_from_file_location("alphaforge_gen_data", _GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@cache
def _bars(n):
    return _gen().make_bars(n, np.random.default_rng(7))


@cache
def _ticks(n):
    rng = np.random.default_rng(7)
    _gen().make_bars(1_000_000, rng)
    return _gen().make_ticks(n, rng)


def _engine(iid):
    engine = BacktestEngine()
    engine.add_venue(iid.venue.value, oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["1000000 USD"])
    engine.add_instrument(Equity(iid, price_precision=2, currency="USD"))
    return engine


def _ema_cross_bars(bars):
    bt = BarType.from_str("ASVBT.SIM-1-MINUTE-LAST-EXTERNAL")
    engine = _engine(bt.instrument_id)
    engine.add_data(bt, bars)
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=bt, fast=10, slow=20, trade_size=1.0)))
    return engine.run(progress=False)


class EMACrossBars:
    timeout = 300
    number = 1
    repeat = 3
    warmup_time = 0

    def setup(self):
        self.bars = _bars(N_BARS)
        # the imports and one small run out of the timing
        _ema_cross_bars(_bars(1_000))

    def time_engine(self):
        _ema_cross_bars(self.bars)

    def peakmem_engine(self):
        _ema_cross_bars(self.bars)

    def time_plain_python_baseline(self):
        o, c = self.bars["open"].tolist(), self.bars["close"].tolist()
        af, a_s = 2.0 / 11, 2.0 / 21
        ef = es = pf = ps = 0.0
        count, has_prev, pos, pending, cash = 0, False, 0.0, None, 1_000_000.0
        for i in range(len(c)):
            if pending is not None:
                cash -= (pending - pos) * o[i]
                pos, pending = pending, None
            x = c[i]
            count += 1
            if count <= 10:
                ef = sum(c[:10]) / 10 if count == 10 else 0.0
            else:
                ef = ef * (1 - af) + x * af
            if count < 20:
                continue
            es = sum(c[:20]) / 20 if count == 20 else es * (1 - a_s) + x * a_s
            if has_prev:
                if pf <= ps and ef > es and pos != 1.0:
                    pending = 1.0
                elif pf >= ps and ef < es and pos != -1.0:
                    pending = -1.0
            pf, ps, has_prev = ef, es, True


class TradeTicks:
    timeout = 300
    number = 1
    repeat = 3
    warmup_time = 0

    def setup(self):
        tk = _ticks(N_TICKS)
        self.iid = InstrumentId.from_str("ASVTK.SIM")
        self.records = trades_from_arrays(tk["ts_ns"], tk["price"], tk["size"], price_precision=2,
                                          size_precision=0, aggressor_side=tk["side"], instrument_id=self.iid)
        self.bar_type = BarType.from_str("ASVTK.SIM-1-MINUTE-LAST-INTERNAL")

    def time_engine(self):
        engine = _engine(self.iid)
        engine.add_data(self.records)
        engine.add_strategy(EMACross(EMACrossConfig(bar_type=self.bar_type, fast=10, slow=20, trade_size=1.0)))
        engine.run(progress=False)


class _RoundTripConfig(StrategyConfig):
    bar_type: BarType
    orders: int = N_ORDERS
    submit: bool = True


class _OrderEveryBar(Strategy):
    def __init__(self, config):
        super().__init__(config)
        self.iid = config.bar_type.instrument_id
        self.submitted = 0
        self.filled = 0

    def on_start(self):
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar):
        if self.config.submit and self.submitted < self.config.orders:
            side = OrderSide.BUY if self.submitted % 2 == 0 else OrderSide.SELL
            self.submitted += 1
            self.submit_order(self.order_factory.market(self.iid, side, 1))

    def on_order_filled(self, fill):
        self.filled += 1


class OrderRoundTrips:
    timeout = 300
    number = 1
    repeat = 3
    warmup_time = 0

    def setup(self):
        self.bars = _bars(N_ORDERS + 1)
        self.bar_type = BarType.from_str("ASVRT.SIM-1-MINUTE-LAST-EXTERNAL")

    def _run(self, submit):
        engine = _engine(self.bar_type.instrument_id)
        engine.add_data(self.bar_type, self.bars)
        strategy = _OrderEveryBar(_RoundTripConfig(bar_type=self.bar_type, submit=submit))
        engine.add_strategy(strategy)
        engine.run(progress=False)
        if submit and strategy.filled != N_ORDERS:
            raise RuntimeError(f"round trips: {strategy.filled} fills, expected {N_ORDERS}")

    def time_engine(self):
        self._run(True)

    def time_bars_only(self):
        self._run(False)
