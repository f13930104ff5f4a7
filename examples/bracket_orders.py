"""Bracket orders on CME Euro FX futures minute bars (6EH4, January 2024, bundled sample data).

Each entry is ``order_factory.bracket(instrument_id, side, quantity, tp_price=..., sl_trigger_price=...)``
with a market entry: the entry is the OTO parent of a take-profit LIMIT and a stop-loss
STOP_MARKET, which the venue releases once the entry has filled and links one-cancels-other (a
fill of one exit cancels the other; if one bar could reach both, the stop is assumed first).

Rule: when flat and no bracket is working, a close crossing above SMA(``period``) opens a long
bracket, a close crossing below opens a short one; take-profit and stop-loss are ``tp_ticks`` /
``sl_ticks`` price increments from the signal bar's close. Entries fill at the next bar's open.

    python examples/bracket_orders.py [--bars FILE]   (default: the package's bundled 6EH4 file)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from alphaforge.analysis import format_statistics
from alphaforge.backtest import BacktestEngine, BacktestResult
from alphaforge.config import ConfigError
from alphaforge.data.loaders import load_ohlc_csv
from alphaforge.demo import sample_path
from alphaforge.indicators import SMA
from alphaforge.model import BarType, FuturesContract, OrderSide
from alphaforge.trading import Strategy, StrategyConfig

BAR_TYPE = "6EH4.XCME-1-MINUTE-LAST-EXTERNAL"


class SmaBracketConfig(StrategyConfig):
    """``bar_type``: bars to trade; ``period``: SMA period (bars); ``tp_ticks`` / ``sl_ticks``:
    take-profit / stop-loss distance from the signal close in price increments; ``trade_size``:
    contracts per bracket."""

    bar_type: BarType
    period: int = 30
    tp_ticks: int = 20
    sl_ticks: int = 15
    trade_size: float = 1.0

    def validate(self) -> None:
        super().validate()
        if self.period < 2:
            raise ConfigError("period", self.period, "must be >= 2")
        if self.tp_ticks < 1:
            raise ConfigError("tp_ticks", self.tp_ticks, "must be >= 1")
        if self.sl_ticks < 1:
            raise ConfigError("sl_ticks", self.sl_ticks, "must be >= 1")
        if self.trade_size <= 0:
            raise ConfigError("trade_size", self.trade_size, "must be > 0")


class SmaBracket(Strategy):
    """SMA-cross entries protected by brackets (see the module docstring). ``brackets`` keeps one
    (entry, take-profit, stop-loss) client order id triple per bracket submitted."""

    def __init__(self, config: SmaBracketConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.bar_type.instrument_id
        self.sma = SMA(config.period)
        self.brackets: list[tuple[str, str, str]] = []
        self._legs: list = []  # orders of the latest bracket
        self._prev_above: bool | None = None
        self._tick = 0.0
        self._prec = 0

    def on_start(self) -> None:
        inst = self.cache.instrument(self.instrument_id)
        self._tick = float(inst.price_increment)
        self._prec = inst.price_precision
        self.register_indicator_for_bars(self.config.bar_type, self.sma)
        self.subscribe_bars(self.config.bar_type)

    def _busy(self) -> bool:
        return any(not o.is_closed for o in self._legs) or not self.portfolio.is_flat(self.instrument_id)

    def on_bar(self, bar) -> None:
        if not self.sma.initialized:
            return
        close = float(bar.close)
        above = close > self.sma.value
        crossed = self._prev_above is not None and above != self._prev_above
        self._prev_above = above
        if not crossed or self._busy():
            return
        cfg = self.config
        side = OrderSide.BUY if above else OrderSide.SELL
        sign = 1.0 if above else -1.0
        tp = round(close + sign * cfg.tp_ticks * self._tick, self._prec)
        sl = round(close - sign * cfg.sl_ticks * self._tick, self._prec)
        bracket = self.order_factory.bracket(self.instrument_id, side, cfg.trade_size, tp_price=tp,
                                             sl_trigger_price=sl)
        entry, take_profit, stop_loss = bracket.orders
        self.brackets.append((entry.client_order_id.value, take_profit.client_order_id.value,
                              stop_loss.client_order_id.value))
        self._legs = list(bracket.orders)
        self.submit_order_list(bracket)

    def on_stop(self) -> None:
        self.cancel_all_orders(self.instrument_id)

    def on_reset(self) -> None:
        self.brackets = []
        self._legs = []
        self._prev_above = None


def instrument() -> FuturesContract:
    """CME 6EH4: tick 0.00005 USD, multiplier 125,000 EUR, 5% initial / 4% maintenance margin."""
    return FuturesContract("6EH4.XCME", "6E", "USD", 5, price_increment="0.00005", multiplier=125_000.0,
                           margin_init=0.05, margin_maint=0.04)


def build_engine(bars_path: Path) -> tuple[BacktestEngine, SmaBracket]:
    """Venue XCME (netting, margin, 100,000 USD, no fees), 6EH4 and its minute bars (the file's
    timestamps are bar close times), and the bracket strategy."""
    inst = instrument()
    bar_type = BarType.from_str(BAR_TYPE)
    bars = load_ohlc_csv(bars_path, inst, bar_type=bar_type, label="close")
    engine = BacktestEngine()
    engine.add_venue("XCME", oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["100000 USD"])
    engine.add_instrument(inst)
    engine.add_data(bars)
    strategy = SmaBracket(SmaBracketConfig(bar_type=bar_type))
    engine.add_strategy(strategy)
    return engine, strategy


def main(argv: Sequence[str] | None = None) -> BacktestResult:
    """Run the bracket strategy and print how each bracket ended; returns the BacktestResult."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=Path, default=sample_path(), help="6EH4 minute-bar CSV (.gz)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)

    engine, strategy = build_engine(args.bars)
    result = engine.run(progress=args.progress)
    orders = result.orders_report().set_index("client_order_id")
    outcomes = {"take-profit": 0, "stop-loss": 0, "open": 0}
    for _, tp, sl in strategy.brackets:
        if orders.at[tp, "status"] == "FILLED":
            outcomes["take-profit"] += 1
        elif orders.at[sl, "status"] == "FILLED":
            outcomes["stop-loss"] += 1
        else:
            outcomes["open"] += 1
    print(f"{len(strategy.brackets)} brackets on {result.events:,} bars: "
          + ", ".join(f"{k} {v}" for k, v in outcomes.items()))
    print(format_statistics(result.stats()))
    return result


if __name__ == "__main__":
    main()
