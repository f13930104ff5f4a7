"""Technical indicators (compiled): streaming, updated by the engine from C records before a
strategy's handler runs (``Strategy.register_indicator_for_bars/quotes/trades``), or by hand with
``update_raw(...)`` / ``handle_bar(bar)`` / ``handle_quote_tick(tick)`` / ``handle_trade_tick(tick)``.

Each class documents its warm-up (``initialized``) and convention; in short:

* ``SMA(n)``, ``EMA(n)`` (alpha 2/(n+1), seeded with the SMA of the first n), ``WMA(n)`` (linear),
  ``HMA(n)`` (Hull);
* ``RSI(14)`` (Wilder, 0-100), ``MACD(12, 26, 9)`` (``value``/``signal``/``histogram``),
  ``Stochastics(14, 3)`` (``value_k``/``value_d``, 0-100), ``ROC(10)`` (fraction);
* ``BollingerBands(20, 2.0)`` (population std; ``upper``/``middle``/``lower``), ``ATR(14)`` (Wilder),
  ``DonchianChannel(20)``, ``KeltnerChannel(20, 2.0)`` (EMA +/- k * ATR);
* ``OBV()`` (cumulative), ``VWAP()`` (typical price, reset each UTC day by default).

``compute(indicator, close, high=..., low=..., volume=..., ts_ns=...)`` runs whole numpy columns
through the C update path; ``update_from_bars/trades/quotes`` do the same from record arrays.
Long aliases (``ExponentialMovingAverage``, ...) are provided for NautilusTrader users.
"""

from alphaforge._core.indicators import (
    ATR,
    EMA,
    HMA,
    MACD,
    OBV,
    ROC,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    DonchianChannel,
    Indicator,
    KeltnerChannel,
    Stochastics,
    compute,
    update_from_bars,
    update_from_quotes,
    update_from_trades,
)

SimpleMovingAverage = SMA
ExponentialMovingAverage = EMA
WeightedMovingAverage = WMA
HullMovingAverage = HMA
RelativeStrengthIndex = RSI
MovingAverageConvergenceDivergence = MACD
AverageTrueRange = ATR
RateOfChange = ROC
OnBalanceVolume = OBV
VolumeWeightedAveragePrice = VWAP

__all__ = [
    "ATR",
    "EMA",
    "HMA",
    "MACD",
    "OBV",
    "ROC",
    "RSI",
    "SMA",
    "VWAP",
    "WMA",
    "AverageTrueRange",
    "BollingerBands",
    "DonchianChannel",
    "ExponentialMovingAverage",
    "HullMovingAverage",
    "Indicator",
    "KeltnerChannel",
    "MovingAverageConvergenceDivergence",
    "OnBalanceVolume",
    "RateOfChange",
    "RelativeStrengthIndex",
    "SimpleMovingAverage",
    "Stochastics",
    "VolumeWeightedAveragePrice",
    "WeightedMovingAverage",
    "compute",
    "update_from_bars",
    "update_from_quotes",
    "update_from_trades",
]
