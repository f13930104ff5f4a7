"""Execution: simulated venue, matching engine, execution models and the execution engine (OMS).

See ``alphaforge/_core/matching_engine.pyx`` for the matching rules (timing, taker/maker, liquidity,
bar path, triggers, time in force, contingencies) and ``exchange.pxd`` for the backtest-loop API.
"""
from alphaforge._core.exchange import SimulatedExchange
from alphaforge._core.execution_engine import ExecutionEngine
from alphaforge._core.execution_models import (
    FeeModel,
    FillModel,
    FixedFeeModel,
    LatencyModel,
    MakerTakerFeeModel,
    PerUnitFeeModel,
    QueueModel,
)
from alphaforge._core.matching_engine import OrderMatchingEngine, VenueEventSink

__all__ = [
    "ExecutionEngine",
    "FeeModel",
    "FillModel",
    "FixedFeeModel",
    "LatencyModel",
    "MakerTakerFeeModel",
    "OrderMatchingEngine",
    "PerUnitFeeModel",
    "QueueModel",
    "SimulatedExchange",
    "VenueEventSink",
]
