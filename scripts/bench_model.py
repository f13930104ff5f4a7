#!/usr/bin/env python
"""Print construction costs of the core model types, with same-run baselines.

    python scripts/bench_model.py

Baselines: an empty Python loop iteration, and constructing a trivial Python object with __slots__
(what a pure-Python TradeTick would cost at the very least).
"""

import time
from timeit import repeat

import numpy as np

from alphaforge.model import (
    AggressorSide,
    InstrumentId,
    Price,
    Quantity,
    TradeId,
    TradeTick,
    trades_from_arrays,
)

N = 1_000_000


class SlotTick:
    __slots__ = ("a", "b", "c", "d", "e", "f", "g")

    def __init__(self, a, b, c, d, e, f, g):
        self.a, self.b, self.c, self.d, self.e, self.f, self.g = a, b, c, d, e, f, g


def per_call(stmt: str, env: dict) -> float:
    return min(repeat(stmt, globals=env, number=N, repeat=5)) / N * 1e9


def main() -> None:
    env = {
        "iid": InstrumentId.from_str("BTCUSDT.BINANCE"), "p": Price.from_str("61837.63"),
        "s": Quantity.from_str("0.00140"), "side": AggressorSide.BUYER, "tid": TradeId("3717238061"),
        "TradeTick": TradeTick, "Price": Price, "Quantity": Quantity, "SlotTick": SlotTick,
    }
    loop = per_call("pass", env)
    print(f"empty loop iteration           {loop:7.1f} ns")
    rows = [
        ("SlotTick(...) pure Python", "SlotTick(iid, p, s, side, tid, 1, 2)"),
        ("TradeTick(...)", "TradeTick(iid, p, s, side, tid, 1, 2)"),
        ("Price(1.2345, 4)", "Price(1.2345, 4)"),
        ("Price.from_str('61837.63')", "Price.from_str('61837.63')"),
        ("Quantity.from_raw(1400000, 5)", "Quantity.from_raw(1400000, 5)"),
    ]
    base = None
    for name, stmt in rows:
        ns = per_call(stmt, env) - loop
        base = base or ns
        print(f"{name:30s} {ns:7.1f} ns/op  ({ns / base:4.2f}x the pure-Python slots object)")

    rng = np.random.default_rng(7)
    n = 1_000_000
    ts = np.cumsum(rng.integers(1, 1_000_000, n)).astype(np.int64)
    price = np.round(rng.uniform(90.0, 110.0, n), 2)
    size = rng.integers(1, 100, n).astype(np.float64)
    side = rng.integers(1, 3, n).astype(np.uint8)
    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter()
        trades_from_arrays(ts, price, size, price_precision=2, size_precision=0, aggressor_side=side)
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    np.round(price * 100).astype(np.int64)
    numpy_one_col = time.perf_counter() - t0
    print(f"trades_from_arrays 1M rows      {best * 1e3:7.2f} ms  "
          f"(numpy round+cast of ONE column: {numpy_one_col * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
