"""Type stubs for alphaforge._core.execution_models (re-exported by alphaforge.execution)."""
from collections.abc import Sequence
from typing import Any

from alphaforge._core.currency import Currency, Money
from alphaforge._core.fixed import Price, Quantity
from alphaforge.model.enums import LiquiditySide

class FillModel:
    """Touch-fill probability for resting limits and adverse slippage ticks for market/stop fills."""
    prob_fill_on_limit: float
    prob_slippage: float
    random_seed: int | None
    def __init__(self, prob_fill_on_limit: float = 1.0, prob_slippage: float = 0.0, random_seed: int | None = None) -> None: ...
    def reset(self) -> None: ...
    def is_limit_filled(self) -> bool: ...
    def slippage_ticks(self) -> int: ...

class QueueModel:
    """Queue position on L2/L3 venues: kind "none", "fifo" or "probabilistic"."""
    kind: str
    uses_queue: bool
    book_rule: str
    def __init__(self, kind: str = "none") -> None: ...
    def size_ahead_on_join(self, level_size: int) -> int: ...

class LatencyModel:
    """Command latency in ns: per type constants, optional seeded samples and uniform jitter."""
    base_latency_ns: int
    insert_latency_ns: int
    update_latency_ns: int
    cancel_latency_ns: int
    jitter_ns: int
    random_seed: int | None
    def __init__(
        self,
        base_latency_ns: int = 0,
        insert_latency_ns: int | None = None,
        update_latency_ns: int | None = None,
        cancel_latency_ns: int | None = None,
        jitter_ns: int = 0,
        samples_ns: Sequence[int] | Any | None = None,
        random_seed: int | None = None,
    ) -> None: ...
    def reset(self) -> None: ...
    def latency_ns(self, command: str) -> int: ...

class FeeModel:
    """Maker/taker rates of the instrument on the fill notional (base behaviour)."""
    def __init__(self) -> None: ...
    def commission(
        self, order: Any, quantity: Quantity, price: Price, liquidity_side: LiquiditySide, instrument: Any, first_fill: bool
    ) -> Money: ...

class MakerTakerFeeModel(FeeModel): ...

class PerUnitFeeModel(FeeModel):
    per_unit: float
    currency: Currency | None
    def __init__(self, per_unit: float, currency: Currency | str | None = None) -> None: ...

class FixedFeeModel(FeeModel):
    per_order: float
    currency: Currency | None
    charge_every_fill: bool
    def __init__(self, per_order: float, currency: Currency | str | None = None, charge_every_fill: bool = False) -> None: ...
