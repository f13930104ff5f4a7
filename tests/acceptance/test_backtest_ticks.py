"""Issue 7 tick-level acceptance: a strategy on real Tardis trades with engine-aggregated
1-MINUTE-LAST-INTERNAL bars. The bars equal a pandas resample of the raw file, and every fill is
at the price of a trade that happened after the order arrived at the venue."""

import numpy as np
import pandas as pd

from alphaforge.backtest import BacktestEngine
from alphaforge.data.loaders import load_tardis_trades
from alphaforge.model import BarType, CryptoPerpetual, OrderSide
from alphaforge.trading import Strategy, StrategyConfig


class BarTaker(StrategyConfig):
    bar_type: BarType


class FlipEveryBar(Strategy):
    """Keeps every internal bar it receives and alternates buy/sell market orders each bar."""

    def __init__(self, config: BarTaker) -> None:
        super().__init__(config)
        self.bars = []
        self.submitted = {}  # client order id -> submission time (ns)

    def on_start(self) -> None:
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar) -> None:
        self.bars.append((bar.ts_event, float(bar.open), float(bar.high), float(bar.low), float(bar.close),
                          float(bar.volume)))
        side = OrderSide.BUY if len(self.bars) % 2 else OrderSide.SELL
        order = self.order_factory.market(self.config.bar_type.instrument_id, side, 0.001)
        self.submitted[order.client_order_id.value] = self.clock.timestamp_ns()
        self.submit_order(order)


def test_internal_minute_bars_and_fills_on_real_trades(shared_data):
    path = shared_data / "trades" / "tardis_trades.csv"
    inst = CryptoPerpetual("BTCUSDT.BINANCE", "BTC", "USDT", "USDT", 2, 3)
    trades = load_tardis_trades(path, inst)
    bar_type = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL")

    engine = BacktestEngine()
    engine.add_venue("BINANCE", oms_type="NETTING", account_type="MARGIN", base_currency="USDT",
                     starting_balances=["1000000 USDT"])
    engine.add_instrument(inst)
    engine.add_data(trades)
    strategy = FlipEveryBar(BarTaker(bar_type=bar_type))
    engine.add_strategy(strategy)
    result = engine.run(progress=False)

    # independent reference: pandas resample of the raw file on exchange time, [t, t+1m) -> label t+1m
    raw = pd.read_csv(path)
    raw.index = pd.to_datetime(raw["timestamp"], unit="us", utc=True)
    ref = raw.resample("1min", closed="left", label="right").agg(
        {"price": ["first", "max", "min", "last"], "amount": "sum"}).dropna()
    ref.columns = ["open", "high", "low", "close", "volume"]
    got = pd.DataFrame(strategy.bars, columns=["ts", "open", "high", "low", "close", "volume"])
    got.index = pd.to_datetime(got["ts"], unit="ns", utc=True)
    # every bar the engine closed during the run equals the reference bar of that minute
    assert len(got) >= len(ref) - 1
    common = ref.loc[got.index]
    np.testing.assert_allclose(got[["open", "high", "low", "close"]].to_numpy(),
                               common[["open", "high", "low", "close"]].to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["volume"].to_numpy(), common["volume"].to_numpy(), rtol=0, atol=1e-9)

    fills = result.fills_report()
    assert len(fills) == len(strategy.submitted) - (1 if len(fills) < len(strategy.submitted) else 0)
    trade_ts = trades["ts_event"]
    trade_px = trades["price"] / 1e9
    for _, f in fills.iterrows():
        submitted = strategy.submitted[f["client_order_id"]]
        data_ns = f["data_ts"].value
        assert data_ns >= submitted, "filled against data older than the order"
        # the fill price is the price of a trade the venue saw at that moment
        at = np.flatnonzero(trade_ts == data_ns)
        assert len(at) and f["last_px"] in set(trade_px[at].round(2)), f
