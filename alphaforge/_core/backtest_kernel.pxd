# The backtest loop: a C-level time-ordered merge of the data streams, the strategies' clocks'
# timers (including the data engine's alerts that close internal time bars) and the venues'
# in-flight commands.
#
# Merge key: ts_event (venue time): the simulated venue matches, and the aggregators bucket, on the
# exchange's clock, so internal bars equal a resample of the exchange timestamps and a tick stamped
# before a bar boundary is never pushed into the next bar by feed delay. The strategies' clocks run
# on the same timeline; feed and order latency are modelled by the venue's LatencyModel. Records
# must be sorted by ts_event. Ties at one timestamp are broken by
# stream kind (book deltas, quotes, trades, bars), then by the order streams were added, then by
# row order; then timers (bar-close alerts among them), then in-flight commands (DESIGN.md 1.3).
# For each data record: every clock moves to its ts, the record's venue matches working orders on
# it (SimulatedExchange.process_*), then the DataEngine validates it, updates cache/aggregators/books
# and publishes it to subscribers (strategies).
from libc.stdint cimport int64_t

from libc.stdint cimport uint32_t

from alphaforge._core.data_engine cimport DataEngine
from alphaforge._core.portfolio cimport Portfolio


cdef enum StreamKind:
    STREAM_DELTA = 0
    STREAM_QUOTE = 1
    STREAM_TRADE = 2
    STREAM_BAR = 3


cdef class DataStream:
    cdef readonly int kind
    cdef readonly object records         # the record array (kept alive)
    cdef readonly str name
    cdef const char* base
    cdef Py_ssize_t itemsize
    cdef readonly Py_ssize_t n
    cdef Py_ssize_t pos
    cdef object exchange                 # SimulatedExchange of the stream's venue (single-venue stream) or None
    cdef list exchange_by_id             # mixed streams: instrument/bar-type index -> exchange
    cdef uint32_t bar_inst               # bar streams of one bar type: its instrument's index
    cdef list bar_inst_by_id             # mixed bar streams: bar_type_id -> instrument index

    cdef inline int64_t head_ts(self) noexcept:
        return (<const int64_t*>(self.base + self.pos * self.itemsize))[0]     # ts_event (offset 0)


cdef class BacktestKernel:
    cdef readonly list streams
    cdef readonly list clocks            # TestClocks moved together (engine's + one per strategy)
    cdef readonly list exchanges
    cdef tuple _clock_t                  # snapshots of clocks / exchanges for the per-record loops
    cdef tuple _exchange_t
    cdef readonly DataEngine data_engine
    cdef readonly Portfolio portfolio
    cdef readonly int64_t events
    cdef readonly int64_t last_ts

    cdef int _set_time(self, int64_t ts) except -1
    cdef int _process_record(self, DataStream s, int64_t ts) except -1
    cdef int64_t _next_timer_ns(self) noexcept
    cdef int _fire_timers(self, int64_t ts) except -1
    cdef int64_t _next_command_ns(self) except? -1
    cdef int _process_commands(self, int64_t ts) except -1
    cdef int _sample(self, int64_t ts) except -1
