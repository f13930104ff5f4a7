# C drivers for bar aggregation: feed record arrays to an aggregator one C record at a time, the way
# the DataEngine does (handle_trade/handle_quote per record, clock timers fired when due, completed
# bars drained after every record). Used by the streaming == batch acceptance test and benchmarks.
from alphaforge._core.aggregation cimport BarAggregator
from alphaforge._core.records cimport BarRec


cdef struct BarSink:
    BarRec* data
    Py_ssize_t n
    Py_ssize_t cap


# Append the aggregator's completed bars to the sink and clear its output buffer.
cdef int drain_into(BarAggregator agg, BarSink* sink) except -1
