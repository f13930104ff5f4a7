"""Backtesting: ``BacktestEngine`` (set up, run, reset) and ``BacktestResult`` (reports, equity
curve, statistics, tearsheet). ``arena_cache`` sizes (or releases) the memory the engine keeps
faulted in for its runs."""

from alphaforge._core import arena_cache
from alphaforge.backtest.engine import BacktestConfigError, BacktestEngine
from alphaforge.backtest.results import BacktestResult

__all__ = ["BacktestConfigError", "BacktestEngine", "BacktestResult", "arena_cache"]
