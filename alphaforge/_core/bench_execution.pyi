"""Type stubs for alphaforge._core.bench_execution (benchmark drivers)."""
import numpy as np

from alphaforge._core.clock import TestClock
from alphaforge._core.exchange import SimulatedExchange
from alphaforge._core.identifiers import InstrumentId
from alphaforge._core.order_factory import OrderFactory
from alphaforge._core.risk_engine import RiskEngine

def market_round_trips(
    risk: RiskEngine,
    exchange: SimulatedExchange,
    factory: OrderFactory,
    instrument_id: InstrumentId,
    clock: TestClock,
    quote_template: np.ndarray,
    n: int,
    chunk: int,
    qty_raw: int,
    qty_prec: int,
    alternate: bool = True,
    submit_only: bool = False,
) -> np.ndarray: ...
def create_only(factory: OrderFactory, instrument_id: InstrumentId, n: int, qty_raw: int, qty_prec: int) -> int: ...
