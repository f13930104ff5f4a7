"""Order creation and lifecycle cost in ns per order, with baselines measured in the same run.

Usage: ``python scripts/bench_orders.py [--n 100000] [--repeat 7]``

Every figure is the best of ``--repeat`` runs of ``--n`` orders, in process CPU time
(``time.process_time``: less disturbed on a shared machine).

Rows:
* ``C: create MARKET``: ``OrderFactory.market_c`` in a C loop (``bench_orders.create_market_orders``);
* ``C: round trip``: create a MARKET order + create and apply OrderSubmitted, OrderAccepted and
  OrderFilled through cdef APIs (the engine path; issue target: well under 1 us, since the whole
  submit -> risk -> venue -> fill path must reach >= 300k orders/s);
* ``C: round trip + fresh ids``: the same with a new VenueOrderId and TradeId per order;
* ``py: factory.market``, ``py: factory.limit(numbers)``, ``py: round trip``: the same work from
  Python code (what a strategy pays);
Baselines (same process): ``baseline: plain-Python round trip``, a minimal pure-Python order with
``__slots__``, a dict transition table and the same fill arithmetic (no validation); and
``baseline: empty Python loop``. Ratios are baseline time / our time (> 1: we are faster).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alphaforge._core.bench_orders import create_market_orders, order_round_trips  # noqa: E402
from alphaforge._core.clock import TestClock  # noqa: E402
from alphaforge._core.currency import Currency, Money  # noqa: E402
from alphaforge._core.fixed import Price, Quantity  # noqa: E402
from alphaforge._core.identifiers import AccountId, InstrumentId, TradeId, VenueOrderId  # noqa: E402
from alphaforge._core.instruments import Equity  # noqa: E402
from alphaforge.orders import OrderAccepted, OrderFactory, OrderFilled, OrderSubmitted  # noqa: E402

# ----------------------------------------------------------------------------- plain-Python baseline

_VALID = {
    1: {2, 3, 4, 5, 11, 12, 6},
    3: {4, 5, 11, 6, 7, 8, 9, 10},
    4: {5, 6, 7, 8, 9, 10, 11, 12},
}


class PyEvent:
    __slots__ = ("kind", "client_order_id", "event_id", "ts_event", "ts_init", "venue_order_id",
                 "account_id", "trade_id", "last_qty", "last_px", "commission")

    def __init__(self, kind, coid, eid, ts, venue_order_id=None, account_id=None, trade_id=None,
                 last_qty=0, last_px=0, commission=0):
        self.kind = kind
        self.client_order_id = coid
        self.event_id = eid
        self.ts_event = ts
        self.ts_init = ts
        self.venue_order_id = venue_order_id
        self.account_id = account_id
        self.trade_id = trade_id
        self.last_qty = last_qty
        self.last_px = last_px
        self.commission = commission


class PyOrder:
    __slots__ = ("client_order_id", "instrument_id", "side", "quantity", "filled", "leaves", "avg_px",
                 "status", "events", "trade_ids", "venue_order_id", "account_id", "ts_last", "_sum",
                 "commission")

    def __init__(self, coid, iid, side, qty, init):
        self.client_order_id = coid
        self.instrument_id = iid
        self.side = side
        self.quantity = qty
        self.filled = 0
        self.leaves = qty
        self.avg_px = 0.0
        self.status = 1
        self.events = [init]
        self.trade_ids = []
        self.venue_order_id = None
        self.account_id = None
        self.ts_last = init.ts_event
        self._sum = 0.0
        self.commission = 0

    def apply(self, e):
        if e.kind == 10:
            new = self.filled + e.last_qty
            target = 10 if new == self.quantity else 9
            if target not in _VALID.get(self.status, ()):
                raise RuntimeError("invalid")
            if new > self.quantity:
                raise ValueError("overfill")
            self.filled = new
            self.leaves = self.quantity - new
            self._sum += e.last_px / 1e9 * (e.last_qty / 1e9)
            self.avg_px = self._sum / (new / 1e9)
            self.trade_ids.append(e.trade_id)
            self.commission += e.commission
        else:
            if e.kind not in _VALID.get(self.status, ()):
                raise RuntimeError("invalid")
        self.status = 10 if e.kind == 10 and self.leaves == 0 else e.kind
        if e.venue_order_id is not None:
            self.venue_order_id = e.venue_order_id
        if e.account_id is not None:
            self.account_id = e.account_id
        self.ts_last = e.ts_event
        self.events.append(e)


def py_round_trips(n, iid, acc, vid, tid):
    seq = 0
    for i in range(n):
        coid = f"O-1-{i}"
        seq += 1
        o = PyOrder(coid, iid, 1, 1_000_000_000, PyEvent(1, coid, seq, i))
        seq += 1
        o.apply(PyEvent(3, coid, seq, i, account_id=acc))
        seq += 1
        o.apply(PyEvent(4, coid, seq, i, vid, acc))
        seq += 1
        o.apply(PyEvent(10, coid, seq, i, vid, acc, tid, 1_000_000_000, 100_000_000_000, 50_000_000))


def empty_loop(n):
    for _ in range(n):
        pass


# ----------------------------------------------------------------------------- driver


def best(fn, n, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times) / n * 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    n, r = a.n, a.repeat

    factory = OrderFactory("TRADER-001", "BENCH-001", TestClock())
    iid = InstrumentId.from_str("AAPL.XNAS")
    factory.register_instrument(Equity(iid, price_precision=2))
    acc, usd = AccountId("SIM-001"), Currency.from_str("USD")
    vid, tid = VenueOrderId("V-1"), TradeId("T-1")
    qty, px, comm = Quantity.from_str("1"), Price.from_str("100.00"), Money.from_str("0.05 USD")
    bare = OrderFactory("TRADER-001", "BENCH-002", TestClock())   # no instrument: market() fast path

    def py_market():
        m = bare.market
        for _ in range(n):
            m(iid, "BUY", qty)

    def py_limit_numbers():
        lim = factory.limit
        for _ in range(n):
            lim(iid, "BUY", 10, 187.25)

    def py_round_trip():
        m = bare.market
        for i in range(n):
            o = m(iid, "BUY", qty)
            t, s, c = o.trader_id, o.strategy_id, o.client_order_id
            o.apply(OrderSubmitted(t, s, iid, c, acc, i, i))
            o.apply(OrderAccepted(t, s, iid, c, vid, acc, i, i))
            o.apply(OrderFilled(t, s, iid, c, vid, acc, tid, 1, 1, qty, px, usd, comm, 2, i, i))

    base_rt = best(lambda: py_round_trips(n, iid, acc, vid, tid), n, r)
    base_empty = best(lambda: empty_loop(n), n, r)
    rows = [
        ("C: create MARKET", best(lambda: create_market_orders(bare, iid, n), n, r)),
        ("C: round trip (create + 3 events applied)",
         best(lambda: order_round_trips(bare, iid, acc, usd, n, False), n, r)),
        ("C: round trip + fresh venue/trade ids",
         best(lambda: order_round_trips(bare, iid, acc, usd, n, True), n, r)),
        ("py: factory.market(iid, 'BUY', Quantity)", best(py_market, n, r)),
        ("py: factory.limit(iid, 'BUY', 10, 187.25)", best(py_limit_numbers, n, r)),
        ("py: round trip (events built in Python)", best(py_round_trip, n, r)),
    ]
    print(f"orders per run: {n}, best of {r}, process CPU time")
    print(f"{'case':48s} {'ns/order':>10s} {'orders/s':>12s} {'vs plain-Python rt':>20s}")
    for name, ns in rows:
        print(f"{name:48s} {ns:10.0f} {1e9 / ns:12,.0f} {base_rt / ns:19.2f}x")
    print(f"{'baseline: plain-Python round trip':48s} {base_rt:10.0f} {1e9 / base_rt:12,.0f} {1.0:19.2f}x")
    print(f"{'baseline: empty Python loop':48s} {base_empty:10.1f}")


if __name__ == "__main__":
    main()
