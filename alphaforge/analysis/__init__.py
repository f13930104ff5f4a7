"""Performance statistics, console reports and the HTML tearsheet of a backtest.

    from alphaforge.analysis import compute_statistics, format_statistics, write_tearsheet
    stats = compute_statistics(equity, positions, fills, starting_equity=1_000_000.0)
    print(format_statistics(stats))
    write_tearsheet("report.html", equity, positions, fills, stats, prices={"TEST.SIM": closes})

Every formula is documented in ``alphaforge.analysis.statistics``. ``write_tearsheet`` needs
plotly (imported only when it runs).
"""

from alphaforge.analysis.reports import format_statistics, format_value, statistics_rows
from alphaforge.analysis.statistics import (
    StatisticsError,
    compute_statistics,
    drawdown_series,
    infer_periods_per_year,
    monthly_returns,
    returns_from_equity,
    to_equity_series,
)
from alphaforge.analysis.tearsheet import write_tearsheet

__all__ = [
    "StatisticsError",
    "compute_statistics",
    "drawdown_series",
    "format_statistics",
    "format_value",
    "infer_periods_per_year",
    "monthly_returns",
    "returns_from_equity",
    "statistics_rows",
    "to_equity_series",
    "write_tearsheet",
]
