# cython: binding=False
"""C drivers of the cache cdef APIs, for benchmarks and tests.

Each function runs its loop in C, calling ``LRUCache.get_c`` / ``put_c`` or the trading cache's
``add_quote_rec_c`` / ``quote_rec_c`` the way another ``_core`` module would (no Python call per
operation), so the cost of the cdef API itself can be measured and its results checked.
"""
from libc.stdint cimport int64_t, uint32_t

from alphaforge._core.lru_cache cimport LRUCache
from alphaforge._core.records cimport QuoteTickRec
from alphaforge._core.trading_cache cimport Cache

import numpy as np

from alphaforge._core.records import QUOTE_TICK_DTYPE


def lru_get_c(LRUCache cache not None, list keys not None) -> list:
    """``[cache.get_c(k, None) for k in keys]`` with the loop in C."""
    cdef Py_ssize_t i, n = len(keys)
    cdef list out = [None] * n
    for i in range(n):
        out[i] = cache.get_c(keys[i], None)
    return out


def lru_put_c(LRUCache cache not None, list keys not None, value, int64_t ttl_ns=-1) -> None:
    """``cache.put_c(k, value, ttl_ns)`` for every key (ttl_ns: -1 default, 0 never, > 0 ns)."""
    cdef Py_ssize_t i, n = len(keys)
    for i in range(n):
        cache.put_c(keys[i], value, ttl_ns)


def lru_mix_c(LRUCache cache not None, list ops not None, value) -> int:
    """For each ``(is_get, key)``: ``get_c`` if is_get else ``put_c(key, value, -1)``; returns the
    number of gets that found a value."""
    cdef Py_ssize_t i, n = len(ops), found = 0
    cdef tuple op
    for i in range(n):
        op = <tuple>ops[i]
        if op[0]:
            if cache.get_c(op[1], None) is not None:
                found += 1
        else:
            cache.put_c(op[1], value, -1)
    return found


def append_quotes_c(Cache cache not None, records) -> int:
    """Append each row of a QUOTE_TICK_DTYPE array through ``add_quote_rec_c``; returns the count."""
    if getattr(records, "dtype", None) != QUOTE_TICK_DTYPE:
        raise TypeError("append_quotes_c expects a QUOTE_TICK_DTYPE record array")
    cdef const QuoteTickRec[::1] v = np.ascontiguousarray(records)
    cdef Py_ssize_t i
    for i in range(v.shape[0]):
        cache.add_quote_rec_c(&v[i])
    return v.shape[0]


def latest_bid_sum_c(Cache cache not None, uint32_t instrument_index, Py_ssize_t n) -> int:
    """Sum of ``bid_price`` (raw) over the ``n`` latest quotes via ``quote_rec_c`` (stops early
    when fewer are stored)."""
    cdef Py_ssize_t i
    cdef object total = 0
    cdef long long acc = 0
    cdef const QuoteTickRec* rec
    for i in range(n):
        rec = cache.quote_rec_c(instrument_index, i)
        if rec == NULL:
            break
        acc += rec.bid_price
    total = acc
    return total
