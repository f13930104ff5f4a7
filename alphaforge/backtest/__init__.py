"""Backtesting: ``BacktestEngine`` (set up, run, reset) and ``BacktestResult`` (reports, equity
curve, statistics, tearsheet)."""

from alphaforge.backtest.engine import BacktestConfigError, BacktestEngine
from alphaforge.backtest.results import BacktestResult

__all__ = ["BacktestConfigError", "BacktestEngine", "BacktestResult"]
