"""Order creation and lifecycle speed (asv).

Each ``time_*`` call handles ``N`` orders:

* ``time_create_market_from_c``: ``OrderFactory.market_c`` in a C loop (``bench_orders``);
* ``time_round_trip_from_c``: create a MARKET order, then create and apply OrderSubmitted,
  OrderAccepted and OrderFilled through the cdef APIs (the execution engine's path); the
  ``fresh_ids`` parameter also builds a VenueOrderId and TradeId per order;
* ``time_create_market_from_python``: ``factory.market(instrument_id, "BUY", qty)`` per order;
* ``time_create_limit_from_python_numbers``: ``factory.limit(id, "BUY", 10, 187.25)`` with a
  registered instrument (number conversion and validation);
* ``time_round_trip_from_python``: the round trip with events built and applied from Python.

Divide by ``N`` for ns per order, or run ``python scripts/bench_orders.py`` for ns/op and ratios
against a plain-Python order implementation measured in the same run.
"""

from alphaforge._core.bench_orders import create_market_orders, order_round_trips
from alphaforge._core.clock import TestClock
from alphaforge._core.currency import Currency, Money
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import AccountId, InstrumentId, TradeId, VenueOrderId
from alphaforge._core.instruments import Equity
from alphaforge.orders import OrderAccepted, OrderFactory, OrderFilled, OrderSubmitted

N = 20_000


def _factory():
    return OrderFactory("TRADER-001", "BENCH-001", TestClock())


class OrdersFromC:
    params = [False, True]
    param_names = ["fresh_ids"]

    def setup(self, fresh_ids):
        self.factory = _factory()
        self.iid = InstrumentId.from_str("AAPL.XNAS")
        self.acc = AccountId("SIM-001")
        self.usd = Currency.from_str("USD")

    def time_create_market_from_c(self, fresh_ids):
        create_market_orders(self.factory, self.iid, N)

    def time_round_trip_from_c(self, fresh_ids):
        order_round_trips(self.factory, self.iid, self.acc, self.usd, N, fresh_ids)


class OrdersFromPython:
    def setup(self):
        self.factory = _factory()
        self.iid = InstrumentId.from_str("AAPL.XNAS")
        self.factory.register_instrument(Equity(self.iid, price_precision=2))
        self.qty = Quantity.from_str("1")
        self.acc = AccountId("SIM-001")
        self.vid = VenueOrderId("V-1")
        self.px = Price.from_str("100.00")
        self.usd = Currency.from_str("USD")
        self.comm = Money.from_str("0.05 USD")

    def time_create_market_from_python(self):
        market, iid, qty = self.factory.market, self.iid, self.qty
        for _ in range(N):
            market(iid, "BUY", qty)

    def time_create_limit_from_python_numbers(self):
        limit, iid = self.factory.limit, self.iid
        for _ in range(N):
            limit(iid, "BUY", 10, 187.25)

    def time_round_trip_from_python(self):
        market, iid, qty, acc, vid = self.factory.market, self.iid, self.qty, self.acc, self.vid
        px, usd, comm = self.px, self.usd, self.comm
        for i in range(N):
            o = market(iid, "BUY", qty)
            t, s, c = o.trader_id, o.strategy_id, o.client_order_id
            o.apply(OrderSubmitted(t, s, iid, c, acc, i, i))
            o.apply(OrderAccepted(t, s, iid, c, vid, acc, i, i))
            o.apply(OrderFilled(t, s, iid, c, vid, acc, TradeId("T-1"), 1, 1, qty, px, usd, comm, 2, i, i))
