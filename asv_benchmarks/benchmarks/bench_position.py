"""Positions, accounts and portfolio update speed (asv).

Workload (seed 7): ``N`` fills on one equity, random BUY/SELL of 1-10 units at a random-walk price
around 100.00, 0.10 USD commission (increases, reductions, closes and flips).

* ``PositionApply.time_apply_python``: ``Position.apply(fill)`` in a Python loop (fills carry
  Price/Quantity/Money attributes);
* ``PositionApply.time_apply_raw_from_c``: the cdef ``apply_raw`` in a C loop (``bench_position``);
* ``PositionApply.time_apply_with_margin_account_from_c``: ``apply_raw`` + ``MarginAccount.apply_fill_c``
  (PnL/commission settlement and the AccountState record) per fill;
* ``PortfolioViews``: ``Portfolio.equity()`` and ``Portfolio.sample(ts)`` with 1, 10 or 100 open
  positions on a margin account.

Divide by ``N`` (or the view's call count) for ns per operation, or run
``python scripts/bench_position.py`` for ns/op with a plain-Python baseline.
"""

from dataclasses import dataclass

import numpy as np

from alphaforge._core.bench_position import apply_raw_loop, position_account_loop
from alphaforge.model import (
    ClientOrderId,
    CryptoPerpetual,
    Currency,
    Equity,
    InstrumentId,
    Money,
    OrderSide,
    PositionId,
    Price,
    Quantity,
    TradeId,
)
from alphaforge.portfolio import MarginAccount, Portfolio, Position

N = 20_000
CALLS = 1_000
INST = Equity(InstrumentId.from_str("BENCH.XNAS"), 2, "USD")
USD = Currency.from_str("USD")


@dataclass
class _Fill:
    instrument_id: InstrumentId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    commission: Money | None
    trade_id: TradeId
    client_order_id: ClientOrderId
    position_id: PositionId
    ts_event: int
    ts_init: int


def _workload(n):
    rng = np.random.default_rng(7)
    sides = rng.integers(1, 3, n).astype(np.int8)
    qty = rng.integers(1, 11, n).astype(np.int64) * 10**9
    cents = np.clip(10_000 + np.cumsum(rng.integers(-5, 6, n)), 100, None).astype(np.int64)
    return sides, qty, cents * 10**7


class PositionApply:
    def setup(self):
        self.sides, self.qty, self.px = _workload(N)
        self.comm = Money.from_str("0.10 USD")
        pid = PositionId("P-1")
        self.fills = [
            _Fill(INST.id, OrderSide(int(s)), Quantity.from_raw(int(q), 0), Price.from_raw(int(p), 2), self.comm,
                  TradeId(f"T{i}"), ClientOrderId(f"O{i}"), pid, i, i)
            for i, (s, q, p) in enumerate(zip(self.sides, self.qty, self.px, strict=True))
        ]

    def time_apply_python(self):
        pos = Position(INST, self.fills[0])
        apply = pos.apply
        for f in self.fills[1:]:
            apply(f)

    def time_apply_raw_from_c(self):
        pos = Position(INST, self.fills[0])
        apply_raw_loop(pos, self.sides, self.qty, self.px, self.comm.raw, USD)

    def time_apply_with_margin_account_from_c(self):
        pos = Position(INST, self.fills[0])
        acc = MarginAccount("XNAS-001", "1000000000 USD")
        position_account_loop(pos, acc, INST, self.sides, self.qty, self.px, self.comm.raw, USD)


class PortfolioViews:
    params = [1, 10, 100]
    param_names = ["open_positions"]

    def setup(self, open_positions):
        self.pf = Portfolio(initial_capacity=CALLS)
        self.pf.register_account(MarginAccount("BINANCE-001", "1000000 USDT"))
        for k in range(open_positions):
            inst = CryptoPerpetual(f"B{k}USDT-PERP.BINANCE", "ETH", "USDT", "USDT", 2, 3)
            f = _Fill(inst.id, OrderSide.BUY, Quantity.from_str("1.000"), Price.from_str("100.00"), None,
                      TradeId(f"E{k}"), ClientOrderId(f"E{k}"), PositionId(f"P{k}"), 0, 0)
            self.pf.add_position(Position(inst, f))
            self.pf.update_price(inst.id, 101.0 + k)
        self.ts = 0

    def time_equity(self, open_positions):
        equity = self.pf.equity
        for _ in range(CALLS):
            equity()

    def time_sample(self, open_positions):
        pf = Portfolio(initial_capacity=16)
        pf.register_account(MarginAccount("BINANCE-001", "1000000 USDT"))
        for p in self.pf.positions_open():
            pf.add_position(p)
            pf.update_price(p.instrument_id, 101.0)
        sample = pf.sample
        for t in range(CALLS):
            sample(t)
