"""Text rendering of a statistics dict (console table; the tearsheet uses the same rows).

Formatting rules: fractions (returns, drawdown, volatility, win rate, exposure) as percentages
with 2 decimals (``-10.00%``); ratios (Sharpe, Sortino, Calmar, profit factor, turnover) with 3
decimals; money amounts with 2 decimals and thousands separators (``1,000,077.81``); counts as
integers; durations as ``pandas.Timedelta`` text; times as ISO UTC; NaN as ``n/a`` and infinity
as ``inf``. Keys not listed in ``STAT_LABELS`` are appended after the known ones, formatted by
their type.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

__all__ = ["STAT_LABELS", "format_statistics", "format_value", "statistics_rows"]

# key -> (label, kind); kind in pct, ratio, money, int, duration, time, text, float
STAT_LABELS: dict[str, tuple[str, str]] = {
    "start": ("Start", "time"),
    "end": ("End", "time"),
    "samples": ("Equity samples", "int"),
    "base_currency": ("Base currency", "text"),
    "starting_equity": ("Starting equity", "money"),
    "final_equity": ("Final equity", "money"),
    "total_pnl": ("Total PnL", "money"),
    "total_return": ("Total return", "pct"),
    "cagr": ("CAGR", "pct"),
    "volatility": ("Volatility (ann.)", "pct"),
    "sharpe": ("Sharpe ratio", "ratio"),
    "sortino": ("Sortino ratio", "ratio"),
    "calmar": ("Calmar ratio", "ratio"),
    "max_drawdown": ("Max drawdown", "pct"),
    "max_drawdown_peak": ("Max drawdown peak", "time"),
    "max_drawdown_trough": ("Max drawdown trough", "time"),
    "max_drawdown_duration": ("Max drawdown duration", "duration"),
    "max_drawdown_recovered": ("Longest drawdown recovered", "text"),
    "trade_count": ("Trades (closed positions)", "int"),
    "winners": ("Winning trades", "int"),
    "losers": ("Losing trades", "int"),
    "win_rate": ("Win rate", "pct"),
    "profit_factor": ("Profit factor", "ratio"),
    "expectancy": ("Expectancy (per trade)", "money"),
    "avg_win": ("Average win", "money"),
    "avg_loss": ("Average loss", "money"),
    "largest_win": ("Largest win", "money"),
    "largest_loss": ("Largest loss", "money"),
    "gross_profit": ("Gross profit", "money"),
    "gross_loss": ("Gross loss", "money"),
    "exposure": ("Exposure (time in market)", "pct"),
    "fill_count": ("Fills", "int"),
    "traded_notional": ("Traded notional", "money"),
    "turnover": ("Turnover (notional / avg equity)", "ratio"),
    "total_commissions": ("Total commissions", "money"),
    "periods_per_year": ("Periods per year", "float"),
    "risk_free_rate": ("Risk-free rate (annual)", "pct"),
    "events": ("Data events processed", "int"),
    "elapsed_s": ("Run wall time (s)", "float"),
}
# shown through another key: the duration in ns through the Timedelta, the engine's "fills" count
# through fill_count when both are present
_ALIASES = {"max_drawdown_duration_ns": "max_drawdown_duration", "fills": "fill_count"}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return "text"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if hasattr(value, "total_seconds"):
        return "duration"
    if hasattr(value, "isoformat"):
        return "time"
    return "text"


def format_value(value: Any, kind: str | None = None) -> str:
    """One statistic as text according to ``kind`` (see the module docstring; inferred if None)."""
    kind = kind or _kind_of(value)
    if value is None:
        return "n/a"
    if kind in ("pct", "ratio", "money", "float", "int") and not isinstance(value, bool):
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(x):
            return "n/a"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if kind == "pct":
            return f"{x * 100:.2f}%"
        if kind == "ratio":
            return f"{x:.3f}"
        if kind == "money":
            return f"{x:,.2f}"
        if kind == "int":
            return f"{int(x):,d}"
        return f"{x:,.6g}"
    if kind == "duration":
        return str(value)
    if kind == "time":
        try:
            return value.isoformat()
        except AttributeError:
            return str(value)
    return str(value)


def statistics_rows(stats: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(key, label, text)`` rows: the known keys in ``STAT_LABELS`` order, then the others
    (``max_drawdown_duration_ns`` and ``fills`` are left out when ``max_drawdown_duration`` /
    ``fill_count`` carry the same figure)."""
    rows = []
    for key, (label, kind) in STAT_LABELS.items():
        if key in stats:
            rows.append((key, label, format_value(stats[key], kind)))
    for key, value in stats.items():
        if key not in STAT_LABELS and _ALIASES.get(key) not in stats:
            rows.append((key, key.replace("_", " ").capitalize(), format_value(value)))
    return rows


def format_statistics(stats: Mapping[str, Any], title: str | None = "Performance statistics") -> str:
    """A two-column plain-text table of ``stats`` for the console (labels left, values right)."""
    rows = statistics_rows(stats)
    if not rows:
        return title or ""
    lw = max(len(r[1]) for r in rows)
    vw = max(len(r[2]) for r in rows)
    rule = "-" * (lw + 2 + vw)
    lines = [title, rule] if title else []
    lines += [f"{label:<{lw}}  {text:>{vw}}" for _, label, text in rows]
    if title:
        lines.append(rule)
    return "\n".join(lines)
