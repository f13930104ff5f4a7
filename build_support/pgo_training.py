"""Training run of the profile-guided build (``setup.py``; not part of the installed package).

``setup.py`` runs this script on the extensions compiled with ``-fprofile-generate``; the branch and
call counts it leaves behind steer the second compile (``-fprofile-use``). It exercises the paths
a backtest runs per event, on synthetic data made here (no files, no network, numpy only):

1. bars: the built-in EMA(10)/EMA(20) cross on 60,000 one-minute bars;
2. orders: 20,000 market orders round trip (a Python strategy submits one per bar, alternating
   sides, so a NETTING position opens and closes every two orders), plus resting limit orders
   canceled in batches;
3. ticks: the EMA cross on 1-minute bars the engine aggregates from 600,000 trade ticks.

Each workload checks its own outcome (fills, orders), so a broken instrumented build fails here and
``setup.py`` falls back to a plain build instead of optimizing for a path that raised.
"""

from __future__ import annotations

import numpy as np

from alphaforge.backtest import BacktestEngine
from alphaforge.model import BarType, Equity, InstrumentId, OrderSide, trades_from_arrays
from alphaforge.strategies import EMACross, EMACrossConfig
from alphaforge.trading import Strategy, StrategyConfig

MIN_NS = 60_000_000_000
T0_NS = 1_600_000_000 * 1_000_000_000


def random_walk_bars(n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` one-minute OHLCV bars (decimal prices, 2 decimals) of a log-normal random walk."""
    rng = np.random.default_rng(seed)
    close = np.maximum(np.round(100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, n))), 2), 0.01)
    open_ = np.concatenate(([100.0], close[:-1]))
    spread = np.abs(rng.normal(0.0, 0.0005, (2, n))) * close
    return {
        "ts_ns": T0_NS + np.arange(1, n + 1, dtype=np.int64) * MIN_NS,
        "open": open_,
        "high": np.round(np.maximum(open_, close) + spread[0], 2),
        "low": np.maximum(np.round(np.minimum(open_, close) - spread[1], 2), 0.01),
        "close": close,
        "volume": rng.integers(100, 10_000, n).astype(np.float64),
    }


def engine_for(iid: InstrumentId) -> BacktestEngine:
    engine = BacktestEngine()
    engine.add_venue(iid.venue.value, oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["1000000 USD"])
    engine.add_instrument(Equity(iid, price_precision=2, currency="USD"))
    return engine


class OrdersConfig(StrategyConfig):
    bar_type: BarType
    orders: int = 20_000


class OrderEveryBar(Strategy):
    """One market order per bar (alternating BUY/SELL, quantity 1) until ``orders`` are submitted;
    every 10th bar also a limit buy 1% under the close, all of them canceled every 100 bars."""

    def __init__(self, config: OrdersConfig) -> None:
        super().__init__(config)
        self.iid = config.bar_type.instrument_id
        self.submitted = 0
        self.filled = 0
        self.canceled = 0

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar) -> None:
        if self.submitted >= self.config.orders:
            return
        side = OrderSide.BUY if self.submitted % 2 == 0 else OrderSide.SELL
        self.submitted += 1
        self.submit_order(self.order_factory.market(self.iid, side, 1))
        if self.submitted % 10 == 0:
            price = round(float(bar.close) * 0.99, 2)
            self.submit_order(self.order_factory.limit(self.iid, OrderSide.BUY, 1, price))
        if self.submitted % 100 == 0:
            self.cancel_all_orders(self.iid)

    def on_order_filled(self, fill) -> None:
        self.filled += 1

    def on_order_canceled(self, event) -> None:
        self.canceled += 1


def train_bars() -> int:
    bt = BarType.from_str("TRAIN.SIM-1-MINUTE-LAST-EXTERNAL")
    engine = engine_for(bt.instrument_id)
    engine.add_data(bt, random_walk_bars(60_000, seed=1))
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=bt, fast=10, slow=20, trade_size=1.0)))
    return engine.run(progress=False).cache.orders_closed_count()


def train_orders(n: int = 20_000) -> OrderEveryBar:
    bt = BarType.from_str("ORD.SIM-1-MINUTE-LAST-EXTERNAL")
    engine = engine_for(bt.instrument_id)
    engine.add_data(bt, random_walk_bars(n + 1, seed=2))
    strategy = OrderEveryBar(OrdersConfig(bar_type=bt, orders=n))
    engine.add_strategy(strategy)
    engine.run(progress=False)
    return strategy


def train_ticks(n: int = 600_000) -> int:
    rng = np.random.default_rng(3)
    steps = rng.choice([-1, 0, 0, 1], n)
    iid = InstrumentId.from_str("TICK.SIM")
    records = trades_from_arrays(
        T0_NS + np.cumsum(rng.exponential(50_000_000, n).astype(np.int64) + 1),
        np.maximum(10_000 + np.cumsum(steps), 1) / 100.0,
        rng.integers(1, 100, n).astype(np.float64),
        price_precision=2, size_precision=0, aggressor_side=np.where(steps >= 0, 1, 2).astype(np.int8),
        instrument_id=iid,
    )
    engine = engine_for(iid)
    engine.add_data(records)
    bt = BarType.from_str("TICK.SIM-1-MINUTE-LAST-INTERNAL")
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=bt, fast=10, slow=20, trade_size=1.0)))
    return engine.run(progress=False).cache.orders_closed_count()


def main() -> None:
    bar_orders = train_bars()
    orders = train_orders()
    tick_orders = train_ticks()
    if bar_orders == 0 or tick_orders == 0:
        raise SystemExit(f"training: the EMA cross filled no orders (bars {bar_orders}, ticks {tick_orders})")
    if orders.filled < orders.config.orders or orders.canceled == 0:
        raise SystemExit(f"training: {orders.filled} fills of {orders.config.orders} market orders, "
                         f"{orders.canceled} limit orders canceled")
    print(f"alphaforge PGO: trained on bars ({bar_orders} orders filled), {orders.config.orders} market orders "
          f"({orders.filled} fills, {orders.canceled} limit orders canceled), ticks ({tick_orders} orders filled)")


if __name__ == "__main__":
    main()
