"""Position / account / portfolio update cost in ns/op, with a plain-Python baseline in the same run.

Usage: ``python scripts/bench_position.py [--n 200000] [--repeat 5]``

Workload (seed 7): ``--n`` fills on one instrument, random BUY/SELL, 1-10 units, prices a random
walk around 100.00 in cents, 0.10 USD commission: increases, reductions, closes and flips.
Every figure is process CPU time (``time.process_time``), the minimum over ``--repeat`` runs.

Rows:
* baselines: an empty Python loop; a plain-Python netting position (signed qty, average price,
  realized PnL in float; no validation, ids or commissions bookkeeping) fed the same fills.
* ``Position.apply(fill)`` from Python, with duck-typed fills carrying Price/Quantity/Money
  attributes and with fills carrying the OrderFilled C fields (``last_qty_raw`` ...).
* From a C loop (``_core/bench_position``): ``Position.apply_raw``; ``apply_raw`` followed by
  ``MarginAccount.apply_fill_c`` (settles PnL and commission, emits an AccountState); the
  position's ``unrealized_pnl_f64``; ``Portfolio.update_price_c``.
* ``Portfolio.equity()`` and ``Portfolio.sample(ts)`` with 10 open positions on a margin account,
  from Python.
"""

import argparse
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alphaforge._core.bench_position import (  # noqa: E402
    apply_raw_loop,
    position_account_loop,
    unrealized_loop,
    update_price_loop,
)
from alphaforge.model import (  # noqa: E402
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
from alphaforge.portfolio import MarginAccount, Portfolio, Position  # noqa: E402

INST = Equity(InstrumentId.from_str("BENCH.XNAS"), 2, "USD")
USD = Currency.from_str("USD")


@dataclass
class PyFill:
    instrument_id: InstrumentId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    commission: Money
    trade_id: TradeId
    client_order_id: ClientOrderId
    position_id: PositionId
    ts_event: int
    ts_init: int


@dataclass
class RawFill:
    instrument_id: InstrumentId
    side: int
    last_qty_raw: int
    last_px_raw: int
    commission_raw: int
    commission_currency: Currency
    trade_id: TradeId
    client_order_id: ClientOrderId
    position_id: PositionId
    ts_event: int
    ts_init: int


class PlainPosition:
    """Baseline: the minimal netting arithmetic in plain Python."""

    __slots__ = ("qty", "avg", "realized")

    def __init__(self):
        self.qty = 0
        self.avg = 0.0
        self.realized = 0.0

    def apply(self, side, qty, px):
        signed = qty if side == 1 else -qty
        if self.qty == 0:
            self.qty, self.avg = signed, px
        elif (self.qty > 0) == (signed > 0):
            cur = abs(self.qty)
            self.avg = (self.avg * cur + px * qty) / (cur + qty)
            self.qty += signed
        else:
            closing = min(qty, abs(self.qty))
            self.realized += closing * (px - self.avg) * (1 if self.qty > 0 else -1)
            if qty > abs(self.qty):
                self.avg = px
            self.qty += signed


def workload(n: int):
    rng = np.random.default_rng(7)
    sides = rng.integers(1, 3, n).astype(np.int8)
    qty = rng.integers(1, 11, n).astype(np.int64)
    cents = 10_000 + np.cumsum(rng.integers(-5, 6, n))
    cents = np.clip(cents, 100, None).astype(np.int64)
    return sides, qty * 10**9, cents * 10**7


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000, help="fills per timed run")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per row (minimum reported)")
    args = ap.parse_args()
    n, rep = args.n, args.repeat
    sides, qty_raw, px_raw = workload(n)
    comm = Money.from_str("0.10 USD")

    def row(label: str, ns: float) -> float:
        print(f"{label:<70s} {ns:9.1f} ns/op", flush=True)
        return ns

    def best(fn) -> float:
        return min(fn() for _ in range(rep)) / n

    print(f"python {sys.version.split()[0]}, n={n:,} fills, repeat={rep} (min reported)\n")
    print("-- baselines, from Python --")
    loop = row("python loop, empty body", min(timeit.repeat("pass", number=n, repeat=rep, timer=time.process_time)) / n * 1e9)
    s_list = sides.tolist()
    q_list = (qty_raw // 10**9).tolist()
    p_list = (px_raw / 1e9).tolist()

    def run_plain():
        pos = PlainPosition()
        t0 = time.process_time_ns()
        for s, q, p in zip(s_list, q_list, p_list, strict=True):
            pos.apply(s, q, p)
        return time.process_time_ns() - t0

    plain = row("plain-Python netting position .apply(side, qty, px)", best(run_plain))

    print("\n-- AlphaForge Position.apply(fill), from Python --")
    pid = PositionId("P-1")
    py_fills = [
        PyFill(INST.id, OrderSide(s), Quantity.from_raw(int(q), 0), Price.from_raw(int(p), 2), comm,
               TradeId(f"T{i}"), ClientOrderId(f"O{i}"), pid, i, i)
        for i, (s, q, p) in enumerate(zip(s_list, qty_raw.tolist(), px_raw.tolist(), strict=True))
    ]
    raw_fills = [
        RawFill(INST.id, s, int(q), int(p), comm.raw, USD, TradeId(f"T{i}"), ClientOrderId(f"O{i}"), pid, i, i)
        for i, (s, q, p) in enumerate(zip(s_list, qty_raw.tolist(), px_raw.tolist(), strict=True))
    ]

    def run_apply(fills):
        def go():
            pos = Position(INST, fills[0])
            apply = pos.apply
            t0 = time.process_time_ns()
            for f in fills[1:]:
                apply(f)
            return time.process_time_ns() - t0
        return go

    py_apply = row("Position.apply(fill with Price/Quantity/Money attributes)", best(run_apply(py_fills)))
    raw_apply = row("Position.apply(fill with OrderFilled C fields *_raw)", best(run_apply(raw_fills)))

    print("\n-- from a C loop (bench_position) --")

    def run_c():
        pos = Position(INST, py_fills[0])
        return apply_raw_loop(pos, sides, qty_raw, px_raw, comm.raw, USD)

    c_apply = row("C: Position.apply_raw", best(run_c))

    def run_c_acc():
        pos = Position(INST, py_fills[0])
        acc = MarginAccount("XNAS-001", "1000000000 USD")
        return position_account_loop(pos, acc, INST, sides, qty_raw, px_raw, comm.raw, USD)

    c_acc = row("C: Position.apply_raw + MarginAccount.apply_fill_c (AccountState)", best(run_c_acc))
    pos = Position(INST, py_fills[0])
    prices = px_raw / 1e9
    c_unreal = row("C: Position.unrealized_pnl_f64(price)", best(lambda: unrealized_loop(pos, prices)[0]))
    pf = Portfolio()
    c_px = row("C: Portfolio.update_price_c(index, raw)", best(lambda: update_price_loop(pf, INST.id, px_raw)))

    print("\n-- Portfolio views with 10 open positions (margin account), from Python --")
    pf = Portfolio(sample_interval_ns=0, initial_capacity=n)
    acc = MarginAccount("BINANCE-001", "1000000 USDT")
    pf.register_account(acc)
    for k in range(10):
        inst = CryptoPerpetual(f"S{k}USDT-PERP.BINANCE", "ETH", "USDT", "USDT", 2, 3)
        f = PyFill(inst.id, OrderSide.BUY, Quantity.from_str("1.000"), Price.from_str("100.00"), None,
                   TradeId(f"E{k}"), ClientOrderId(f"E{k}"), PositionId(f"P{k}"), 0, 0)
        p = Position(inst, f)
        pf.add_position(p)
        pf.update_price(inst.id, 101.0)
    m = max(n // 20, 1000)
    eq = min(timeit.repeat("e()", globals={"e": pf.equity}, number=m, repeat=rep, timer=time.process_time)) / m * 1e9
    row("Portfolio.equity()", eq)
    counter = iter(range(10**12))
    sm = min(timeit.repeat("s(next(c))", globals={"s": pf.sample, "c": counter}, number=m, repeat=rep,
                           timer=time.process_time)) / m * 1e9
    row("Portfolio.sample(ts) (records every call)", sm)

    print("\n-- ratios --")
    print(f"Position.apply (Price/Quantity fills) / plain-Python baseline : {py_apply / plain:6.2f}x")
    print(f"Position.apply (C-field fills) / plain-Python baseline        : {raw_apply / plain:6.2f}x")
    print(f"C apply_raw / plain-Python baseline                           : {c_apply / plain:6.3f}x")
    print(f"C apply_raw + account / C apply_raw                           : {c_acc / c_apply:6.2f}x")
    print(f"plain-Python baseline net of loop overhead                    : {plain - loop:6.1f} ns")
    print(f"(unrealized {c_unreal:.1f} ns, update_price {c_px:.1f} ns; CPU time of this run: {time.process_time():.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
