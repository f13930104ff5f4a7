"""EMA crossover: long ``trade_size`` when the fast EMA crosses above the slow one, short when it
crosses below (target position +size / -size, one market order per cross).

A cross at bar t needs both EMAs initialized at t-1 and t: up-cross when fast[t-1] <= slow[t-1]
and fast[t] > slow[t]; down-cross when fast[t-1] >= slow[t-1] and fast[t] < slow[t]. EMAs use
alpha = 2/(n+1), seeded with the SMA of the first n closes. Orders are market orders decided on
the bar's close, so (no look-ahead) they fill at the next bar's open.
"""

from __future__ import annotations

from alphaforge.config import ConfigError, StrategyConfig
from alphaforge.indicators import EMA
from alphaforge.model import BarType, OrderSide, Quantity
from alphaforge.trading import Strategy


class EMACrossConfig(StrategyConfig):
    """``bar_type``: the bars to trade; ``fast``/``slow``: EMA periods; ``trade_size``: target
    absolute position in instrument units."""

    bar_type: BarType
    fast: int = 10
    slow: int = 20
    trade_size: float = 1.0

    def validate(self) -> None:
        super().validate()
        if self.fast < 1:
            raise ConfigError("fast", self.fast, "must be >= 1")
        if self.slow <= self.fast:
            raise ConfigError("slow", self.slow, f"must be greater than fast ({self.fast})")
        if self.trade_size <= 0:
            raise ConfigError("trade_size", self.trade_size, "must be > 0")


class EMACross(Strategy):
    """The EMA crossover strategy (see the module docstring)."""

    def __init__(self, config: EMACrossConfig) -> None:
        super().__init__(config)
        self.fast = EMA(config.fast)
        self.slow = EMA(config.slow)
        self.instrument_id = config.bar_type.instrument_id
        self._prev_side: int | None = None  # sign(fast - slow) on the previous bar (None before)
        self._size: Quantity | None = None
        self._trade_size = config.trade_size  # target |position| in units (read every bar)
        self._position = 0.0  # signed net position in units, kept from fills

    def on_start(self) -> None:
        instrument = self.cache.instrument(self.instrument_id)
        self._size = instrument.make_qty(self.config.trade_size)
        self.register_indicator_for_bars(self.config.bar_type, self.fast)
        self.register_indicator_for_bars(self.config.bar_type, self.slow)
        self.subscribe_bars(self.config.bar_type)

    def on_bar(self, bar) -> None:
        if not self.slow.initialized:
            return
        f = self.fast.value
        s = self.slow.value
        # +1 fast above slow, -1 below, 0 equal: an up-cross is previous <= 0 and now +1, a
        # down-cross previous >= 0 and now -1 (the definitions in the module docstring). Compared
        # in branches: CPython specializes a float compare that jumps, not one kept as a value.
        if f > s:
            side = 1
        elif f < s:
            side = -1
        else:
            side = 0
        prev = self._prev_side
        self._prev_side = side
        if prev is None or side == prev:
            return
        size = self._trade_size
        if side > 0:
            if self._position < size:
                self._trade(OrderSide.BUY, size - self._position)
        elif side < 0 and self._position > -size:
            self._trade(OrderSide.SELL, self._position + size)

    def _trade(self, side: OrderSide, quantity: float) -> None:
        order = self.order_factory.market(self.instrument_id, side, quantity)
        self.submit_order(order)

    def on_order_filled(self, fill) -> None:
        qty = float(fill.last_qty)
        self._position += qty if fill.order_side == OrderSide.BUY else -qty

    def on_stop(self) -> None:
        self.cancel_all_orders(self.instrument_id)

    def on_reset(self) -> None:
        self._prev_side = None
        self._position = 0.0
