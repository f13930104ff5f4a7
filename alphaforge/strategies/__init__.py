"""Ready-made strategies shipped with AlphaForge (used by ``alphaforge demo`` and the examples)."""

from alphaforge.strategies.ema_cross import EMACross, EMACrossConfig

__all__ = ["EMACross", "EMACrossConfig"]
