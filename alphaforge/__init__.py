"""AlphaForge: an event-driven algorithmic trading platform with Cython hot paths.

Public names live in the subpackages (``alphaforge.model``, ``alphaforge.common``,
``alphaforge.cache``, ``alphaforge.data``, ``alphaforge.book``, ``alphaforge.indicators``,
``alphaforge.orders``, ``alphaforge.trading``, ``alphaforge.backtest``); the most used ones are
also available here (``alphaforge.Strategy``, ``alphaforge.StrategyConfig``,
``alphaforge.BacktestEngine``), loaded on first access so ``import alphaforge`` stays cheap.
"""

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Strategy": "alphaforge.trading",
    "StrategyConfig": "alphaforge.trading",
    "BacktestEngine": "alphaforge.backtest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'alphaforge' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = ["__version__", *_LAZY]
