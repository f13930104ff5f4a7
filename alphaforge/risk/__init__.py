"""Risk: pre-trade checks, throttles and the trading state (ACTIVE / REDUCING / HALTED)."""
from alphaforge._core.risk_engine import RiskEngine
from alphaforge.model.enums import TradingState

__all__ = ["RiskEngine", "TradingState"]
