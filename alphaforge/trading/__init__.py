"""Strategies: the ``Strategy`` base class users subclass and its typed configuration."""

from alphaforge._core.strategy import STATE_NAMES, HandlerStats, InvalidStateTransition, Strategy
from alphaforge.config import ConfigError, StrategyConfig

__all__ = ["STATE_NAMES", "ConfigError", "HandlerStats", "InvalidStateTransition", "Strategy", "StrategyConfig"]
