"""EMA(10)/EMA(20) crossover on real daily bars: Oracle (ORCL) 1995-2014 from Yahoo Finance.

The strategy is the bundled ``alphaforge.strategies.EMACross``: target position +100 shares on an
up-cross of the fast EMA over the slow one, -100 on a down-cross, one market order per cross,
decided on a bar's close and filled at the next bar's open (no look-ahead). The venue is a
netting margin account with 1,000,000 USD and no fees.

    python examples/ema_cross_bars.py [--data-dir ../shared/data] [--out ema_cross_bars_report]

Prints the statistics and writes ``tearsheet.html`` and ``fills.csv`` into the output directory.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from alphaforge.analysis import format_statistics
from alphaforge.backtest import BacktestEngine, BacktestResult
from alphaforge.data.loaders import load_ohlc_csv
from alphaforge.model import BarType, Equity
from alphaforge.strategies import EMACross, EMACrossConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
BARS_FILE = Path("bars") / "orcl-1995-2014.txt"
BAR_TYPE = "ORCL.XNAS-1-DAY-LAST-EXTERNAL"
TRADE_SIZE = 100.0  # shares


def build_engine(data_dir: Path) -> BacktestEngine:
    """Venue XNAS (netting, margin, 1,000,000 USD), the ORCL equity (prices with 6 decimals as in
    the file), its daily bars (``ts_event`` = 00:00 UTC after the bar's date) and EMACross(10, 20)."""
    instrument = Equity("ORCL.XNAS", price_precision=6, currency="USD")
    bar_type = BarType.from_str(BAR_TYPE)
    bars = load_ohlc_csv(data_dir / BARS_FILE, instrument, bar_type=bar_type)
    engine = BacktestEngine()
    engine.add_venue("XNAS", oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["1000000 USD"])
    engine.add_instrument(instrument)
    engine.add_data(bars)
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=bar_type, fast=10, slow=20, trade_size=TRADE_SIZE)))
    return engine


def main(argv: Sequence[str] | None = None) -> BacktestResult:
    """Run the backtest, print the statistics, write the tearsheet; returns the BacktestResult."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="shared data folder")
    parser.add_argument("--out", type=Path, default=Path("ema_cross_bars_report"), help="report folder")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)

    engine = build_engine(args.data_dir)
    result = engine.run(progress=args.progress)
    fills = result.fills_report()
    print(f"EMA(10)/EMA(20) cross on ORCL daily bars: {result.events:,} bars, {len(fills):,} fills")
    print(format_statistics(result.stats()))
    args.out.mkdir(parents=True, exist_ok=True)
    fills.to_csv(args.out / "fills.csv", index=False)
    path = result.tearsheet(str(args.out / "tearsheet.html"), title="EMA cross on ORCL daily bars")
    print(f"tearsheet: {path}")
    return result


if __name__ == "__main__":
    main()
