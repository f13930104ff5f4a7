"""Type stubs for alphaforge._core.indicators (streaming technical indicators).

Prices are decimal floats (not raw fixed-point), volumes in size units, timestamps UNIX ns.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

class Indicator:
    """Abstract base: ``name``, ``inputs``, ``output_names``, ``value``, ``initialized``, ``count``."""

    name: str
    inputs: tuple[str, ...]
    output_names: tuple[str, ...]
    initialized: bool
    has_inputs: bool
    count: int
    value: float
    def handle_bar(self, bar: Any) -> None: ...
    def handle_quote_tick(self, tick: Any) -> None: ...
    def handle_trade_tick(self, tick: Any) -> None: ...
    def reset(self) -> None: ...
    def outputs(self) -> dict[str, float]: ...
    @property
    def quote_price_type(self) -> str: ...
    @quote_price_type.setter
    def quote_price_type(self, value: str | int) -> None: ...

class SMA(Indicator):
    period: int
    def __init__(self, period: int) -> None: ...
    def update_raw(self, close: float) -> None: ...

class EMA(Indicator):
    period: int
    alpha: float
    def __init__(self, period: int) -> None: ...
    def update_raw(self, close: float) -> None: ...

class WMA(Indicator):
    period: int
    def __init__(self, period: int) -> None: ...
    def update_raw(self, close: float) -> None: ...

class HMA(Indicator):
    period: int
    def __init__(self, period: int) -> None: ...
    def update_raw(self, close: float) -> None: ...

class RSI(Indicator):
    period: int
    def __init__(self, period: int = 14) -> None: ...
    def update_raw(self, close: float) -> None: ...
    @property
    def avg_gain(self) -> float: ...
    @property
    def avg_loss(self) -> float: ...

class MACD(Indicator):
    fast_period: int
    slow_period: int
    signal_period: int
    signal: float
    histogram: float
    def __init__(self, fast_period: int = 12, slow_period: int = 26, signal_period: int = 9) -> None: ...
    def update_raw(self, close: float) -> None: ...

class Stochastics(Indicator):
    period_k: int
    period_d: int
    value_k: float
    value_d: float
    def __init__(self, period_k: int = 14, period_d: int = 3) -> None: ...
    def update_raw(self, high: float, low: float, close: float) -> None: ...

class ROC(Indicator):
    period: int
    use_log: bool
    def __init__(self, period: int = 10, use_log: bool = False) -> None: ...
    def update_raw(self, close: float) -> None: ...

class BollingerBands(Indicator):
    period: int
    k: float
    upper: float
    middle: float
    lower: float
    std: float
    def __init__(self, period: int = 20, k: float = 2.0) -> None: ...
    def update_raw(self, close: float) -> None: ...

class ATR(Indicator):
    period: int
    ma_type: str
    true_range: float
    def __init__(self, period: int = 14, ma_type: str = "wilder") -> None: ...
    def update_raw(self, high: float, low: float, close: float) -> None: ...

class DonchianChannel(Indicator):
    period: int
    upper: float
    middle: float
    lower: float
    def __init__(self, period: int = 20) -> None: ...
    def update_raw(self, high: float, low: float) -> None: ...

class KeltnerChannel(Indicator):
    period: int
    atr_period: int
    k_multiplier: float
    upper: float
    middle: float
    lower: float
    def __init__(
        self, period: int = 20, k_multiplier: float = 2.0, atr_period: int | None = None, atr_ma_type: str = "wilder"
    ) -> None: ...
    def update_raw(self, high: float, low: float, close: float) -> None: ...
    @property
    def atr(self) -> float: ...

class OBV(Indicator):
    period: int
    def __init__(self, period: int = 0) -> None: ...
    def update_raw(self, close: float, volume: float) -> None: ...

class VWAP(Indicator):
    reset_daily: bool
    day_offset_ns: int
    price_source: str
    def __init__(self, reset_daily: bool = True, day_offset_ns: int = 0, price_source: str = "typical") -> None: ...
    def update_raw(self, price: float, volume: float, ts_ns: int = 0) -> None: ...

def compute(
    indicator: Indicator,
    close: npt.ArrayLike | None = None,
    *,
    high: npt.ArrayLike | None = None,
    low: npt.ArrayLike | None = None,
    volume: npt.ArrayLike | None = None,
    ts_ns: npt.ArrayLike | None = None,
) -> dict[str, np.ndarray]: ...
def update_from_bars(indicator: Indicator, bars: np.ndarray) -> None: ...
def update_from_trades(indicator: Indicator, trades: np.ndarray) -> None: ...
def update_from_quotes(indicator: Indicator, quotes: np.ndarray) -> None: ...
