"""Core model construction speed (asv).

* Price / Quantity / TradeTick construction from Python (per call: divide by N).
* A 1,000,000-row trade record array from numpy columns (``trades_from_arrays``).

``python scripts/bench_model.py`` prints ns/op with a same-run baseline.
"""

import numpy as np

from alphaforge.model import (
    AggressorSide,
    InstrumentId,
    Price,
    Quantity,
    TradeId,
    TradeTick,
    trades_from_arrays,
)

N = 100_000


class ValueConstruction:
    def setup(self):
        self.iid = InstrumentId.from_str("BTCUSDT.BINANCE")
        self.price = Price.from_str("61837.63")
        self.size = Quantity.from_str("0.00140")
        self.tid = TradeId("3717238061")
        self.side = AggressorSide.BUYER

    def time_price_from_float(self):
        for _ in range(N):
            Price(1.2345, 4)

    def time_quantity_from_raw(self):
        for _ in range(N):
            Quantity.from_raw(1_400_000, 5)

    def time_price_from_str(self):
        for _ in range(N):
            Price.from_str("61837.63")

    def time_trade_tick(self):
        iid, p, s, side, tid = self.iid, self.price, self.size, self.side, self.tid
        for _ in range(N):
            TradeTick(iid, p, s, side, tid, 1, 2)


class RecordArrays:
    def setup(self):
        rng = np.random.default_rng(7)
        n = 1_000_000
        self.ts = np.cumsum(rng.integers(1, 1_000_000, n)).astype(np.int64)
        self.price = np.round(rng.uniform(90.0, 110.0, n), 2)
        self.size = rng.integers(1, 100, n).astype(np.float64)
        self.side = rng.integers(1, 3, n).astype(np.uint8)

    def time_trades_from_arrays_1m(self):
        trades_from_arrays(self.ts, self.price, self.size, price_precision=2, size_precision=0,
                           aggressor_side=self.side, instrument_id="BTCUSDT.BINANCE")

    def peakmem_trades_from_arrays_1m(self):
        trades_from_arrays(self.ts, self.price, self.size, price_precision=2, size_precision=0)
