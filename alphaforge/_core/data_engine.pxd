# DataEngine: validates C records per instrument stream, feeds internal bar aggregators and order
# books, keeps the latest record per stream, forwards to the trading cache, and publishes on the
# message bus - creating a Python view object only when a handler is subscribed to the topic.
#
# Backtest loop contract: call process_*_c(rec, index) for every record in time order, and
# on_time_c(ts) when the clock moves without data (the engine also closes due time bars itself
# before applying a record whose ts_event reaches the next close). next_close_ns_c() is the earliest
# time at which an internal time bar is due (INT64_MAX when none).
from libc.stdint cimport int64_t, uint32_t

from alphaforge._core.aggregation cimport BarAggregator
from alphaforge._core.book cimport OrderBook
from alphaforge._core.data cimport Bar
from alphaforge._core.msgbus cimport MessageBus, _Route
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec
from alphaforge._core.trading_cache cimport Cache


# Validation outcomes (0 = valid). Index into the statistics' reason names.
cdef enum RejectReason:
    REJ_NONE = 0
    REJ_UNKNOWN_INSTRUMENT = 1
    REJ_TS_BACKWARDS = 2
    REJ_NON_POSITIVE_PRICE = 3
    REJ_NEGATIVE_SIZE = 4
    REJ_PRICE_PRECISION = 5
    REJ_SIZE_PRECISION = 6
    REJ_BAD_BAR = 7            # high < low, or open/close outside [low, high]
    REJ_BAD_ENUM = 8           # book action/side out of range
    REJ_UNKNOWN_BAR_TYPE = 9
    REJ_COUNT = 10

cdef enum DataKind:
    KIND_QUOTE = 0
    KIND_TRADE = 1
    KIND_BAR = 2
    KIND_DELTA = 3
    KIND_COUNT = 4


cdef class _InstrumentCtx:
    cdef object instrument
    cdef object instrument_id
    cdef int price_k               # 9 - price_precision: raw prices must be multiples of 10^price_k
    cdef int size_k                # 9 - size_precision: raw sizes must be multiples of 10^size_k
    cdef int64_t last_ts[4]        # last accepted ts_event per DataKind (bars: per bar type)
    cdef bint has_trade
    cdef bint has_quote
    cdef TradeTickRec last_trade
    cdef QuoteTickRec last_quote
    cdef _Route trade_route
    cdef _Route quote_route
    cdef _Route delta_route
    cdef list trade_aggs           # BarAggregators fed by trades (price type LAST)
    cdef list quote_aggs           # BarAggregators fed by quotes (BID/ASK/MID)
    cdef OrderBook book


cdef class _BarTypeCtx:
    cdef object bar_type
    cdef _InstrumentCtx inst
    cdef _Route route
    cdef int64_t last_ts
    cdef bint has_bar
    cdef BarRec last_bar
    cdef BarAggregator aggregator   # INTERNAL bar types: the aggregator that builds them
    cdef int64_t built
    cdef int subscribers
    cdef list bar_aggs              # aggregators fed by this bar stream (time bars from bars)


cdef class DataEngine:
    cdef readonly MessageBus msgbus
    cdef readonly object cache
    cdef readonly object clock
    cdef readonly str validation
    cdef bint _skip
    cdef list _inst                 # InstrumentId.index -> _InstrumentCtx or None
    cdef dict _bar_types            # bar_type_id -> _BarTypeCtx (entries are never replaced)
    cdef uint32_t _last_bar_type_id     # process_bar_c's one-entry lookup cache (0 = empty)
    cdef _BarTypeCtx _last_bctx
    cdef Bar _bar_view                  # the last Bar published; reused when no handler kept it
    cdef Bar _bar_for(self, const BarRec* rec)
    cdef list _time_aggs            # BarAggregators closed on the clock
    cdef int64_t _next_close
    cdef int64_t _alert_ns           # time of the bar-close alert set on the clock (INT64_MAX: none)
    cdef readonly str alert_name
    """Name of the clock alert the engine uses to close time bars when no data arrives."""
    cdef int64_t processed[4]
    cdef int64_t rejected[4][10]
    cdef int64_t bars_built
    cdef Cache _tcache              # the trading Cache when given one (cdef record API)
    cdef object _cache_quote        # other cache objects: bound Python methods (or None)
    cdef object _cache_trade
    cdef object _cache_bar
    cdef object _cache_delta

    cdef _InstrumentCtx _ctx(self, uint32_t index)
    cdef _InstrumentCtx _require(self, object instrument_id)
    cdef _BarTypeCtx _bar_ctx(self, object bar_type)
    cdef int _reject(self, int kind, int reason, Py_ssize_t index, object inst_id, str field,
                     object value) except -1
    cdef int process_quote_c(self, const QuoteTickRec* rec, Py_ssize_t index) except -1
    cdef int process_trade_c(self, const TradeTickRec* rec, Py_ssize_t index) except -1
    cdef int process_bar_c(self, const BarRec* rec, Py_ssize_t index) except -1
    cdef int process_delta_c(self, const OrderBookDeltaRec* rec, Py_ssize_t index) except -1
    cdef int on_time_c(self, int64_t ts_ns) except -1
    cdef inline int64_t next_close_ns_c(self) noexcept:
        return self._next_close
    cdef int _drain(self, BarAggregator agg) except -1
    cdef int _note_next_close(self, BarAggregator agg) except -1
    cdef int _publish_bar(self, const BarRec* rec) except -1
    cdef int _refresh_next_close(self) except -1
    cdef int _sync_alert(self) except -1
