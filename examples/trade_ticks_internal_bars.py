"""A strategy on trade ticks with internally aggregated 1-minute bars (Binance USD-M BTCUSDT, Tardis).

The engine feeds the raw trades (``trades/tardis_trades.csv``, 9,999 trades, 2020-02-22 00:00 ->
02:05 UTC) to the venue and aggregates them into ``BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL`` bars
on exchange time ([t, t+1m) labelled t+1m). The strategy

* subscribes to the trade ticks and keeps a running VWAP of them (``VWAP`` registered for trade
  ticks: updated from each trade before ``on_trade_tick`` runs; no daily reset on this 2-hour file);
* subscribes to the internal bars and trades a momentum rule on each bar close: target +0.01 BTC
  when the close is above both the previous close and the VWAP, -0.01 BTC when it is below both,
  unchanged otherwise; market orders, filled by the venue at the next trades after they arrive.

    python examples/trade_ticks_internal_bars.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from alphaforge.analysis import format_statistics
from alphaforge.backtest import BacktestEngine, BacktestResult
from alphaforge.config import ConfigError
from alphaforge.data.loaders import load_tardis_trades
from alphaforge.indicators import VWAP
from alphaforge.model import BarType, CryptoPerpetual, InstrumentId, OrderSide
from alphaforge.trading import Strategy, StrategyConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
TRADES_FILE = Path("trades") / "tardis_trades.csv"
BAR_TYPE = "BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL"


class TickMomentumConfig(StrategyConfig):
    """``bar_type``: the internally aggregated bars to trade on (its instrument's trade ticks feed
    the VWAP); ``trade_size``: target absolute position in BTC."""

    bar_type: BarType
    trade_size: float = 0.01

    def validate(self) -> None:
        super().validate()
        if self.trade_size <= 0:
            raise ConfigError("trade_size", self.trade_size, "must be > 0")


class TickMomentum(Strategy):
    """Momentum on internal bar closes filtered by the trade-tick VWAP (see the module docstring).

    Kept for inspection after the run: ``ticks`` (trade ticks received), ``bars`` (one tuple per
    bar: ts_event ns, open, high, low, close, volume, VWAP value at the bar close) and
    ``submitted`` (client order id -> submission time, ns)."""

    def __init__(self, config: TickMomentumConfig) -> None:
        super().__init__(config)
        self.instrument_id: InstrumentId = config.bar_type.instrument_id
        self.vwap = VWAP(reset_daily=False)
        self.ticks = 0
        self.bars: list[tuple[int, float, float, float, float, float, float]] = []
        self.submitted: dict[str, int] = {}
        self._position = 0.0  # signed BTC, kept from fills

    def on_start(self) -> None:
        self.register_indicator_for_trade_ticks(self.instrument_id, self.vwap)
        self.subscribe_trade_ticks(self.instrument_id)
        self.subscribe_bars(self.config.bar_type)

    def on_trade_tick(self, tick) -> None:
        self.ticks += 1

    def on_bar(self, bar) -> None:
        close = float(bar.close)
        vwap = self.vwap.value
        prev = self.bars[-1][4] if self.bars else None
        self.bars.append((bar.ts_event, float(bar.open), float(bar.high), float(bar.low), close,
                          float(bar.volume), vwap))
        if prev is None or not self.vwap.initialized:
            return
        size = self.config.trade_size
        if close > prev and close > vwap:
            target = size
        elif close < prev and close < vwap:
            target = -size
        else:
            return
        delta = round(target - self._position, 3)
        if delta == 0:
            return
        side = OrderSide.BUY if delta > 0 else OrderSide.SELL
        order = self.order_factory.market(self.instrument_id, side, abs(delta))
        self.submitted[order.client_order_id.value] = self.clock.timestamp_ns()
        self.submit_order(order)

    def on_order_filled(self, fill) -> None:
        qty = float(fill.last_qty)
        self._position += qty if fill.order_side == OrderSide.BUY else -qty

    def on_stop(self) -> None:
        self.cancel_all_orders(self.instrument_id)

    def on_reset(self) -> None:
        self.ticks = 0
        self.bars = []
        self.submitted = {}
        self._position = 0.0


def instrument() -> CryptoPerpetual:
    """Binance USD-M BTCUSDT perpetual: price 2 decimals, size 3 decimals, settled in USDT."""
    return CryptoPerpetual("BTCUSDT.BINANCE", "BTC", "USDT", "USDT", 2, 3)


def build_engine(data_dir: Path) -> tuple[BacktestEngine, TickMomentum]:
    """Venue BINANCE (netting, margin, 1,000,000 USDT), the perpetual, its trades and the strategy."""
    inst = instrument()
    trades = load_tardis_trades(data_dir / TRADES_FILE, inst)
    engine = BacktestEngine()
    engine.add_venue("BINANCE", oms_type="NETTING", account_type="MARGIN", base_currency="USDT",
                     starting_balances=["1000000 USDT"])
    engine.add_instrument(inst)
    engine.add_data(trades)
    strategy = TickMomentum(TickMomentumConfig(bar_type=BarType.from_str(BAR_TYPE)))
    engine.add_strategy(strategy)
    return engine, strategy


def main(argv: Sequence[str] | None = None) -> BacktestResult:
    """Run the backtest and print what the strategy saw and did; returns the BacktestResult."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="shared data folder")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)

    engine, strategy = build_engine(args.data_dir)
    result = engine.run(progress=args.progress)
    fills = result.fills_report()
    print(f"trade ticks received: {strategy.ticks:,}; internal 1-minute bars: {len(strategy.bars)}")
    print(f"final VWAP: {strategy.vwap.value:,.2f} USDT; orders: {len(strategy.submitted)}; fills: {len(fills)}")
    if len(fills):
        print(fills[["ts_event", "side", "last_px", "last_qty", "liquidity_side", "data_type"]].head(10).to_string())
    print(format_statistics(result.stats()))
    return result


if __name__ == "__main__":
    main()
