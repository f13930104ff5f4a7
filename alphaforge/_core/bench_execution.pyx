"""Benchmark drivers: end-to-end market-order round trips through RiskEngine -> ExecutionEngine ->
SimulatedExchange (command queue, matching on the next quote) -> fill event -> strategy handler."""
import time

import numpy as np

from libc.stdint cimport int64_t

from alphaforge._core.clock cimport TestClock
from alphaforge._core.exchange cimport SimulatedExchange
from alphaforge._core.identifiers cimport InstrumentId
from alphaforge._core.order_factory cimport OrderFactory
from alphaforge._core.orders cimport Order
from alphaforge._core.records cimport QuoteTickRec
from alphaforge._core.risk_engine cimport RiskEngine


def market_round_trips(RiskEngine risk not None, SimulatedExchange exchange not None,
                       OrderFactory factory not None, InstrumentId instrument_id not None,
                       TestClock clock not None, object quote_template, int64_t n, int64_t chunk,
                       int64_t qty_raw, int qty_prec, bint alternate=True, bint submit_only=False):
    """Run ``n`` market orders: at each step create an order (factory.market_c), submit it through
    ``risk`` and feed the next quote (``quote_template``: a 1-row QUOTE_TICK_DTYPE array whose
    timestamps are advanced by 1 us per step), which accepts and fills it. ``alternate`` flips the
    side each order (the position opens/closes); ``submit_only`` skips the quote (orders stay in
    flight: measures order creation + risk + OMS submit only). Returns per-chunk CPU ns of the calling
    thread (int64; thread CPU time, so other load on the machine does not inflate it)."""
    cdef const QuoteTickRec[::1] tmpl = quote_template
    cdef QuoteTickRec rec = tmpl[0]
    cdef int64_t t = clock._now_ns
    cdef int64_t i, k = 0
    cdef int side = 1
    cdef Order o
    cdef int64_t nchunks = (n + chunk - 1) // chunk
    out = np.zeros(nchunks, dtype=np.int64)
    cdef int64_t[::1] res = out
    cdef int64_t t0 = time.thread_time_ns()
    for i in range(n):
        o = factory.market_c(instrument_id, side, qty_raw, qty_prec, 1, False)
        risk.submit_order_c(o, None)
        if not submit_only:
            t += 1000
            rec.ts_event = t
            rec.ts_init = t
            clock.set_time_c(t)
            exchange.process_quote(&rec)
        if alternate:
            side = 3 - side
        if (i + 1) % chunk == 0 or i == n - 1:
            res[k] = time.thread_time_ns() - t0
            k += 1
            t0 = time.thread_time_ns()
    return out


def create_only(OrderFactory factory not None, InstrumentId instrument_id not None, int64_t n,
                int64_t qty_raw, int qty_prec):
    """Baseline: create ``n`` market orders (factory.market_c) and drop them. Returns thread CPU ns."""
    cdef int64_t i
    cdef Order o
    cdef int64_t t0 = time.thread_time_ns()
    for i in range(n):
        o = factory.market_c(instrument_id, 1 + (i & 1), qty_raw, qty_prec, 1, False)
    return time.thread_time_ns() - t0
