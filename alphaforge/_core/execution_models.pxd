# Execution models for the simulated venue: FillModel, QueueModel, LatencyModel, FeeModel.
#
# Each is a cdef class with a C fast path (the built-in behaviour) and a documented Python-level
# method a Python subclass may override; when a subclass overrides it, the C entry point calls the
# Python method instead (detected once in __init__, so the built-ins pay nothing for it).
# All random draws use a seeded xorshift64* generator: same seed -> same run.
from libc.stdint cimport int64_t, uint64_t

from alphaforge._core.currency cimport Currency
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.orders cimport Order

# command kinds for LatencyModel
cdef enum CommandKindC:
    CMD_SUBMIT = 1
    CMD_MODIFY = 2
    CMD_CANCEL = 3


cdef class _Rng:
    cdef uint64_t seed
    cdef uint64_t state
    cdef inline uint64_t next_u64(self) noexcept:
        cdef uint64_t x = self.state
        x ^= x >> 12
        x ^= x << 25
        x ^= x >> 27
        self.state = x
        return x * <uint64_t>2685821657736338717ULL
    cdef inline double uniform(self) noexcept:
        return <double>(self.next_u64() >> 11) * (1.0 / 9007199254740992.0)
    cdef void reset(self) noexcept


cdef class FillModel:
    cdef readonly double prob_fill_on_limit
    cdef readonly double prob_slippage
    cdef readonly object random_seed
    cdef _Rng _rng
    cdef bint _py_fill
    cdef bint _py_slip
    # True when a resting limit order whose price the market only touched (did not trade through) fills.
    cdef bint limit_filled_c(self) except -1
    # Adverse slippage in ticks (>= 0) for a market/stop-market fill.
    cdef int slippage_ticks_c(self) except -1


cdef class QueueModel:
    cdef readonly str kind                 # "none", "fifo" or "probabilistic"
    cdef readonly bint uses_queue
    cdef readonly str book_rule            # OrderBook queue_rule: "pessimistic" / "proportional"
    cdef bint _py_join
    # Displayed size (raw) ahead of an own order joining a level that shows `level_size_raw`.
    cdef int64_t size_ahead_on_join_c(self, int64_t level_size_raw) except? -1


cdef class LatencyModel:
    cdef readonly int64_t base_latency_ns
    cdef readonly int64_t insert_latency_ns
    cdef readonly int64_t update_latency_ns
    cdef readonly int64_t cancel_latency_ns
    cdef readonly int64_t jitter_ns
    cdef readonly object random_seed
    cdef object _samples_arr
    cdef const int64_t[::1] _samples
    cdef Py_ssize_t _nsamples
    cdef _Rng _rng
    cdef bint _py
    # Latency (ns, >= 0) of one command of kind CMD_SUBMIT / CMD_MODIFY / CMD_CANCEL.
    cdef int64_t latency_c(self, int kind) except? -1


cdef class FeeModel:
    cdef bint _py
    cdef Currency last_currency            # currency of the last commission_raw_c result
    # Commission (raw, 1e9 scale, > 0 = paid) for one fill; its currency is left in last_currency.
    cdef int64_t commission_raw_c(self, Order order, int64_t qty_raw, int64_t px_raw, int liquidity_side,
                                  Instrument instrument, bint first_fill) except? -1
    cdef int64_t _builtin(self, Order order, int64_t qty_raw, int64_t px_raw, int liquidity_side,
                          Instrument instrument, bint first_fill) except? -1


cdef class MakerTakerFeeModel(FeeModel):
    pass


cdef class PerUnitFeeModel(FeeModel):
    cdef readonly double per_unit
    cdef readonly Currency currency


cdef class FixedFeeModel(FeeModel):
    cdef readonly double per_order
    cdef readonly Currency currency
    cdef readonly bint charge_every_fill
