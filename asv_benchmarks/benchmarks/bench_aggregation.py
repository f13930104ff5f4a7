"""Bar aggregation speed (asv).

Workload: ``N`` synthetic trades (random walk on a 0.01 tick, sizes 1-99, ~50 ms apart, seeded),
built directly as a TRADE_TICK_DTYPE array. For each spec (1-MINUTE time, 1000-TICK, 50000-VOLUME,
1000000-VALUE bars):

* ``time_python_update``: ``agg.update(ts, price_raw, size_raw, side)`` per tick from a Python loop;
* ``time_engine_stream``: one C record at a time through the cdef ``handle_trade`` with clock
  timers and per-record draining (``bench_aggregation.stream_records``, the DataEngine's pattern);
* ``time_data_engine``: ``DataEngine.process(records)`` with the spec subscribed as an INTERNAL
  bar type (validation, state, aggregation, bar publishing with no handler);
* ``time_batch_aggregate``: ``aggregate(records, spec)`` (nogil loop).

Divide by ``N`` (or ``N_PY`` for the Python loop) for the time per tick; ``python
scripts/bench_aggregation.py`` prints ticks/s with baselines and the issue's targets.
"""

import numpy as np

from alphaforge._core.bench_aggregation import stream_records
from alphaforge._core.instruments import CryptoPerpetual
from alphaforge._core.records import TRADE_TICK_DTYPE
from alphaforge.data.aggregation import aggregate, make_aggregator
from alphaforge.data.engine import DataEngine

N = 2_000_000
N_PY = 200_000
SPECS = ["1-MINUTE-LAST", "1000-TICK-LAST", "50000-VOLUME-LAST", "1000000-VALUE-LAST"]


def _trades(n, seed=7):
    rng = np.random.default_rng(seed)
    recs = np.zeros(n, TRADE_TICK_DTYPE)
    recs["ts_event"] = 1_600_000_000 * 10**9 + np.cumsum(rng.exponential(5e7, n).astype(np.int64) + 1)
    recs["ts_init"] = recs["ts_event"]
    steps = rng.choice([-1, 0, 0, 1], n)
    recs["price"] = np.maximum(10_000 + np.cumsum(steps), 1) * 10_000_000
    recs["size"] = rng.integers(1, 100, n) * 10**9
    recs["aggressor_side"] = np.where(steps >= 0, 1, 2)
    recs["price_prec"], recs["size_prec"] = 2, 0
    return recs


class BarAggregation:
    params = [SPECS]
    param_names = ["spec"]
    timeout = 300

    def setup(self, spec):
        self.recs = _trades(N)
        sub = self.recs[:N_PY]
        self.cols = [sub[f].tolist() for f in ("ts_event", "price", "size", "aggressor_side")]
        self.is_time = "MINUTE" in spec
        self.inst = CryptoPerpetual("BTCUSDT.BINANCE", "BTC", "USDT", "USDT", 2, 0)
        self.recs["instrument_id"] = self.inst.id.index

    def time_python_update(self, spec):
        u = make_aggregator(spec).update
        ts, px, sz, sd = self.cols
        for t, p, s, d in zip(ts, px, sz, sd, strict=True):
            u(t, p, s, d)

    def time_engine_stream(self, spec):
        stream_records(make_aggregator(spec), self.recs, close_last=self.is_time)

    def time_data_engine(self, spec):
        eng = DataEngine()
        eng.add_instrument(self.inst)
        eng.subscribe_bars(f"{self.inst.id}-{spec}-INTERNAL")
        eng.process(self.recs)

    def time_batch_aggregate(self, spec):
        aggregate(self.recs, spec)
