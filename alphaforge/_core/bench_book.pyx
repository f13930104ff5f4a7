"""Benchmark drivers for ``alphaforge._core.book`` (used by asv and scripts/bench_book.py only).

* ``NoopBook``: the floor for the per-delta Python path - a Cython class whose ``apply_delta`` has
  the same signature as ``OrderBook.apply_delta`` and does nothing, and whose best-price reads
  return a stored double.
* ``c_apply_and_read``: drives ``OrderBook.apply_raw`` (the C API a matching engine uses) one
  record at a time and reads the best bid and ask after each, summing them so nothing is elided.
"""
from libc.stdint cimport int64_t, uint64_t

from alphaforge._core.book cimport OrderBook
from alphaforge._core.records cimport OrderBookDeltaRec


cdef class NoopBook:
    """Same Python signature as OrderBook.apply_delta/best_*_price; does no work (the floor)."""

    def apply_delta(self, int action, int side, price, size, uint64_t order_id=0, int64_t ts_event=0,
                    uint64_t sequence=0, int flags=0):
        pass

    def best_bid_price(self):
        return self._bid

    def best_ask_price(self):
        return self._ask


def c_apply_and_read(OrderBook book, records):
    """Apply each ORDER_BOOK_DELTA_DTYPE record through the cdef ``apply_raw`` and read the best
    bid/ask raw prices after each; returns the sum of those reads (raw, modulo 2^64)."""
    cdef const OrderBookDeltaRec[::1] recs = records
    cdef Py_ssize_t i
    cdef uint64_t acc = 0
    for i in range(recs.shape[0]):
        book.apply_raw(recs[i].action, recs[i].side, recs[i].price, recs[i].size, recs[i].order_id,
                       recs[i].ts_event, recs[i].sequence, recs[i].flags)
        acc += <uint64_t>book.best_bid_price_c() + <uint64_t>book.best_ask_price_c()
    return acc


def price_indexed_reference(records, int64_t tick_raw, int64_t[:, ::1] out):
    """Baseline: the price-indexed array book (what the issue's numba reference does) over L2
    records on a known tick grid - sizes in a dense array per side indexed by price / tick, the
    best index tracked and rescanned downward/upward when the best level empties. Writes the raw
    best bid price/size and ask price/size per record into ``out`` (n x 4). No validation, no
    sequence/crossed handling, needs the tick and a bounded price range: a floor, not a book."""
    cdef const OrderBookDeltaRec[::1] recs = records
    cdef Py_ssize_t n = recs.shape[0]
    cdef Py_ssize_t i
    cdef int64_t lo = 0, hi = 0, p
    for i in range(n):
        p = recs[i].price // tick_raw
        if i == 0 or p < lo:
            lo = p
        if i == 0 or p > hi:
            hi = p
    cdef Py_ssize_t width = hi - lo + 1
    import numpy as np
    cdef int64_t[::1] bid = np.zeros(width, np.int64)
    cdef int64_t[::1] ask = np.zeros(width, np.int64)
    cdef Py_ssize_t bb = -1, ba = width, k
    cdef int64_t size
    with nogil:
        for i in range(n):
            k = recs[i].price // tick_raw - lo
            size = 0 if recs[i].action == 3 else recs[i].size
            if recs[i].side == 1:
                bid[k] = size
                if size > 0:
                    if k > bb:
                        bb = k
                elif k == bb:
                    while bb >= 0 and bid[bb] == 0:
                        bb -= 1
            else:
                ask[k] = size
                if size > 0:
                    if k < ba:
                        ba = k
                elif k == ba:
                    while ba < width and ask[ba] == 0:
                        ba += 1
            if bb >= 0:
                out[i, 0] = (bb + lo) * tick_raw
                out[i, 1] = bid[bb]
            else:
                out[i, 0] = 0
                out[i, 1] = 0
            if ba < width:
                out[i, 2] = (ba + lo) * tick_raw
                out[i, 3] = ask[ba]
            else:
                out[i, 2] = 0
                out[i, 3] = 0
