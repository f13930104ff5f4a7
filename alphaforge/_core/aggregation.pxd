# Bar aggregation: streaming aggregators fed one C record at a time, and the batch path (a nogil
# loop over a record array) that gives the same bars. Rules are documented in aggregation.pyx.
#
# Arithmetic: prices/sizes/volumes are int64 raw at 10^9. Notional (value) is price_raw * size_raw
# computed exactly in __int128 (scale 10^18); no doubles anywhere in the aggregation.
from libc.stdint cimport int64_t, uint8_t, uint32_t

from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec

cdef extern from *:
    """
    typedef __int128 af_i128;
    """
    ctypedef long long af_i128      # really __int128 in C; only used in C arithmetic


# Every built-in aggregator keeps its whole state in one C struct so the streaming methods and the
# batch loops share the same inline step functions (identical output by construction).
ctypedef struct AggState:
    # --- configuration ---
    int kind                  # BarAggregationC value (0 for user-defined aggregators)
    int price_type            # PriceTypeC value
    int64_t step_raw          # the spec's step as raw fixed-point (decimal step * 10^9)
    int64_t interval_ns       # time bars: bucket length in ns
    int64_t origin_ns         # time bars: bucket boundaries are origin_ns + k * interval_ns
    af_i128 threshold         # tick count, raw volume, or value at scale 10^18
    bint fill_empty           # time bars: emit flat bars for empty intervals
    bint auto_prec            # take price/size precision from each record
    uint32_t bar_type_id
    uint8_t price_prec
    uint8_t size_prec
    # --- bar in progress ---
    bint has_bar
    int64_t open
    int64_t high
    int64_t low
    int64_t close
    int64_t volume
    int64_t count             # ticks in the bar in progress
    int64_t cur_end           # time bars: end (exclusive) of the bucket in progress
    bint has_close            # a bar has been emitted (last_close valid)
    int64_t last_close
    af_i128 acc               # value / imbalance / run accumulator
    int run_side              # runs bars: aggressor side of the current run (0 = none yet)
    bint anchored             # renko: anchor set
    int64_t anchor            # renko: last brick edge
    # --- output buffer of completed bars (drained by the caller) ---
    BarRec* out
    Py_ssize_t n_out
    Py_ssize_t cap
    bint oom                  # allocation failure while in nogil code (checked by callers)
    BarRec scratch            # write target when allocation failed


cdef class BarSpec:
    cdef readonly str text
    cdef readonly str step_text
    cdef readonly int64_t step_raw
    cdef readonly int aggregation
    cdef readonly str aggregation_name
    cdef readonly int price_type
    cdef readonly str price_type_name
    cdef readonly int64_t interval_ns


cdef class BarAggregator:
    cdef AggState st
    cdef readonly BarSpec spec
    cdef bint _native          # True: _step implements the rule in C (built-ins, Cython subclasses)

    # One tick of the rule, in C (native aggregators override it). Completed bars go to st.out.
    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil
    # Batch over trade records (built-ins override with specialised inlined loops).
    cdef void _run_trades(self, const TradeTickRec* recs, Py_ssize_t n) noexcept nogil
    # Per tick, native or Python (calls on_tick for Python subclasses); returns bars completed.
    cdef Py_ssize_t _on_tick_c(self, int64_t ts_event, int64_t ts_init, int64_t price,
                               int64_t size, uint8_t side) except -1
    # Streaming entry points used by the DataEngine; return the number of bars completed.
    cdef Py_ssize_t handle_trade(self, const TradeTickRec* rec) except -1
    cdef Py_ssize_t handle_quote(self, const QuoteTickRec* rec) except -1
    cdef Py_ssize_t handle_bar(self, const BarRec* rec) except -1
    cdef inline void clear_output(self) noexcept nogil:
        self.st.n_out = 0
    cpdef Py_ssize_t on_time(self, int64_t ts_ns) except -1
    cpdef int64_t next_close_ns(self)
    cpdef object pop_bars(self)
    cdef int _check(self) except -1


cdef class TimeBarAggregator(BarAggregator):
    pass


cdef class TickBarAggregator(BarAggregator):
    pass


cdef class VolumeBarAggregator(BarAggregator):
    pass


cdef class ValueBarAggregator(BarAggregator):
    pass


cdef class ImbalanceBarAggregator(BarAggregator):
    pass


cdef class RunsBarAggregator(BarAggregator):
    pass


cdef class RenkoBarAggregator(BarAggregator):
    pass
