from libc.stdint cimport int64_t, uint32_t, uint64_t, uint8_t

from alphaforge._core.identifiers cimport InstrumentId, TradeId
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec


cdef class BarSpecification:
    cdef readonly int64_t step
    """Bar step: a count (time units, ticks, volume, value) or, for RENKO, the brick size in price units."""
    cdef readonly int aggregation
    """BarAggregation value."""
    cdef readonly int price_type
    """PriceType value (BID, ASK, MID, LAST)."""

    cpdef int64_t timedelta_ns(self) except -1
    cpdef bint is_time_aggregated(self)


cdef class BarType:
    cdef readonly InstrumentId instrument_id
    cdef readonly BarSpecification spec
    cdef readonly int aggregation_source
    """AggregationSource value (1 EXTERNAL, 2 INTERNAL)."""
    cdef readonly uint32_t index
    """Process-wide interned index (>= 1) used as ``bar_type_id`` in bar records."""
    cdef readonly str value
    cdef Py_hash_t _hash

    @staticmethod
    cdef BarType from_index_c(uint32_t index)


cdef class QuoteTick:
    cdef QuoteTickRec rec
    cdef readonly InstrumentId instrument_id

    @staticmethod
    cdef QuoteTick from_rec_c(const QuoteTickRec* rec)


cdef class TradeTick:
    cdef TradeTickRec rec
    cdef readonly InstrumentId instrument_id
    cdef TradeId _trade_id
    cdef bint _tid_pending

    @staticmethod
    cdef TradeTick from_rec_c(const TradeTickRec* rec)
    # The record with the numeric trade id filled in (use this, not .rec, when handing it to C).
    cdef const TradeTickRec* c_rec(self)


cdef class Bar:
    cdef BarRec rec
    cdef readonly BarType bar_type

    @staticmethod
    cdef Bar from_rec_c(const BarRec* rec)


cdef class OrderBookDelta:
    cdef OrderBookDeltaRec rec
    cdef readonly InstrumentId instrument_id

    @staticmethod
    cdef OrderBookDelta from_rec_c(const OrderBookDeltaRec* rec)
