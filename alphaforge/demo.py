"""``alphaforge demo``: an EMA-cross backtest on real CME Euro FX futures minute bars shipped with
the package (``alphaforge/sample_data``, see ATTRIBUTION.md there). Prints the statistics and
writes an HTML tearsheet plus the fills and positions as CSV."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE = "6EH4.XCME_1min_bars_20240101_20240131.csv.gz"


def sample_path() -> Path:
    """Path of the bundled 6EH4 minute-bar file."""
    return Path(str(resources.files("alphaforge") / "sample_data" / SAMPLE))


def build_demo_engine():
    """The demo's engine: venue XCME (netting, margin account, 100,000 USD), the 6EH4 future
    (tick 0.00005, multiplier 125,000, 5% initial margin), its minute bars and EMACross(10, 30)."""
    from alphaforge.backtest import BacktestEngine
    from alphaforge.data.loaders import load_ohlc_csv
    from alphaforge.model import BarType, FuturesContract
    from alphaforge.strategies import EMACross, EMACrossConfig

    instrument = FuturesContract(
        "6EH4.XCME", "6E", "USD", 5, price_increment="0.00005", multiplier=125_000.0,
        margin_init=0.05, margin_maint=0.04, taker_fee=0.00002, maker_fee=0.00002,
    )
    bar_type = BarType.from_str("6EH4.XCME-1-MINUTE-LAST-EXTERNAL")
    bars = load_ohlc_csv(sample_path(), instrument, bar_type=bar_type, label="close")
    engine = BacktestEngine()
    engine.add_venue("XCME", oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["100000 USD"])
    engine.add_instrument(instrument)
    engine.add_data(bars)
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=bar_type, fast=10, slow=30, trade_size=1)))
    return engine


def run_demo(out_dir: str | Path = "alphaforge-demo", progress: bool = True) -> int:
    """Run the demo, print the report, write ``tearsheet.html``, ``fills.csv``, ``positions.csv``
    into ``out_dir``. Returns 0."""
    from alphaforge.analysis import format_statistics

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    engine = build_demo_engine()
    result = engine.run(progress=progress)
    stats = result.stats()
    print("AlphaForge demo: EMA(10)/EMA(30) cross on CME 6EH4 (Euro FX, Mar-2024) 1-minute bars, Jan 2024")
    print(f"{result.events:,} bars in {result.elapsed_s * 1e3:.1f} ms ({result.events_per_second:,.0f} bars/s)")
    print(format_statistics(stats))
    result.fills_report().to_csv(out / "fills.csv", index=False)
    result.positions_report().to_csv(out / "positions.csv", index=False)
    path = result.tearsheet(str(out / "tearsheet.html"), title="AlphaForge demo: EMA cross on 6EH4")
    print(f"tearsheet: {path}")
    print(f"fills:     {out / 'fills.csv'}")
    print(f"positions: {out / 'positions.csv'}")
    return 0
