"""C drivers that stream record arrays through a bar aggregator one C record at a time.

This is the DataEngine's calling pattern without the rest of the engine: per record, fire the
clock if a bar is due (``on_time(next_close_ns())`` when ``ts_event >= next_close_ns()``), call the
cdef ``handle_trade``/``handle_quote``, and drain completed bars into a sink. No Python call per
record. Returned bars are identical to ``aggregate()`` for the built-in aggregations.
"""
from libc.stdint cimport INT64_MAX, int64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

import numpy as np

from alphaforge._core.aggregation cimport BarAggregator, TimeBarAggregator
from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec

from alphaforge._core.records import BAR_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

from alphaforge._core import aggregation as _aggregation

_BASE_ON_TIME = _aggregation.BarAggregator.on_time


cdef int drain_into(BarAggregator agg, BarSink* sink) except -1:
    cdef Py_ssize_t n = agg.st.n_out
    cdef Py_ssize_t cap
    cdef BarRec* p
    if n == 0:
        return 0
    if sink.n + n > sink.cap:
        cap = max(sink.cap * 2, sink.n + n, 64)
        p = <BarRec*>realloc(sink.data, cap * sizeof(BarRec))
        if p == NULL:
            raise MemoryError("bar sink: out of memory")
        sink.data = p
        sink.cap = cap
    memcpy(&sink.data[sink.n], agg.st.out, n * sizeof(BarRec))
    sink.n += n
    agg.clear_output()
    return 0


cdef object _sink_to_array(BarSink* sink):
    arr = np.empty(sink.n, dtype=BAR_DTYPE)
    cdef BarRec[::1] v
    if sink.n:
        v = arr
        memcpy(&v[0], sink.data, sink.n * sizeof(BarRec))
    return arr


def stream_records(BarAggregator agg, records, bint fire_timers=True, bint close_last=False):
    """Stream a TRADE_TICK_DTYPE or QUOTE_TICK_DTYPE array through ``agg`` one C record at a time.

    Before each record, when ``fire_timers`` and ``ts_event >= agg.next_close_ns()``, the clock
    fires ``agg.on_time(next_close_ns)`` (repeatedly while bars are due). Bars are drained after
    every record. ``close_last`` fires the clock once more at the end (for time bars). Returns the
    completed bars as a BAR_DTYPE array.
    """
    records = np.ascontiguousarray(records)
    cdef TradeTickRec[::1] tv
    cdef QuoteTickRec[::1] qv
    cdef bint is_trade = records.dtype == TRADE_TICK_DTYPE
    if not is_trade and records.dtype != QUOTE_TICK_DTYPE:
        raise TypeError(f"records must be TRADE_TICK_DTYPE or QUOTE_TICK_DTYPE, got {records.dtype}")
    cdef Py_ssize_t i, n = len(records)
    cdef int64_t ts, next_close = agg.next_close_ns()
    # Only clock-driven aggregators (time bars, or a subclass overriding on_time) need the clock.
    cdef bint timed = fire_timers and (
        isinstance(agg, TimeBarAggregator) or type(agg).on_time is not _BASE_ON_TIME
    )
    cdef BarSink sink
    sink.data = NULL
    sink.n = 0
    sink.cap = 0
    if is_trade and n:
        tv = records
    elif n:
        qv = records
    try:
        for i in range(n):
            ts = tv[i].ts_event if is_trade else qv[i].ts_event
            if timed and ts >= next_close:
                while ts >= next_close:
                    agg.on_time(next_close)
                    next_close = agg.next_close_ns()
                drain_into(agg, &sink)
            if is_trade:
                if agg.handle_trade(&tv[i]):
                    drain_into(agg, &sink)
                    next_close = agg.next_close_ns()
            elif agg.handle_quote(&qv[i]):
                drain_into(agg, &sink)
                next_close = agg.next_close_ns()
            if timed and next_close == INT64_MAX:
                next_close = agg.next_close_ns()
        if close_last and agg.next_close_ns() != INT64_MAX:
            agg.on_time(agg.next_close_ns())
        drain_into(agg, &sink)
        return _sink_to_array(&sink)
    finally:
        free(sink.data)
