# Technical indicators: streaming, O(1) or O(period) per update, doubles (indicators are statistics,
# not money: they never feed fixed-point order prices without an explicit make_price).
#
# Every indicator is a cdef class deriving from Indicator. The engine updates registered indicators
# from C records with no Python call:
#     (<Indicator>ind).handle_bar_rec(&bars[i])        # or handle_quote_rec / handle_trade_rec
#     (<Indicator>ind).update_c(high, low, close, volume, ts_ns)
# Python callers use update_raw(...) / handle_bar(bar) / handle_quote_tick(t) / handle_trade_tick(t).
from libc.stdint cimport int64_t

from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec


# Fixed-capacity ring buffer of doubles (the last `cap` inputs). Owned by the indicator that embeds
# it: rb_init allocates, rb_free releases (called from __dealloc__).
ctypedef struct RingBuf:
    double* data
    Py_ssize_t cap
    Py_ssize_t head          # slot of the next write
    Py_ssize_t size          # number of valid values (<= cap)


# Sliding-window maximum (or minimum) over the last `cap` inputs: a ring buffer plus the current
# extreme and its sequence number; the window is rescanned only when the extreme leaves it, so an
# update is O(1) on typical prices and O(cap) at worst (a monotone run against the extreme).
# we_init allocates, we_free releases.
ctypedef struct WindowExtreme:
    double* data
    Py_ssize_t cap
    Py_ssize_t head          # slot of the next write
    Py_ssize_t size
    int64_t seq              # sequence number of the next push
    double ext               # current extreme of the window
    int64_t ext_seq          # sequence number of its latest occurrence
    bint is_max


cdef class Indicator:
    cdef readonly str name               # short class name, e.g. "EMA"
    cdef readonly tuple inputs           # the input columns it uses, e.g. ("close",) or ("high", "low", "close")
    cdef readonly tuple output_names     # named outputs, first is always "value"
    cdef readonly bint initialized       # True once enough inputs arrived (see each class)
    cdef readonly bint has_inputs        # True after the first input
    cdef readonly int64_t count          # inputs received since construction / reset()
    cdef readonly double value           # the primary output
    cdef bint _needs_ts                  # handle_bar/handle_*_tick read ts_event only when set
    cdef bint _needs_hl                  # ... high and low only when set (else close is used)
    cdef bint _needs_vol                 # ... volume only when set (else 0.0)
    cdef int _quote_px                   # PriceTypeC used for quotes: PRICE_MID (default), PRICE_BID, PRICE_ASK
    # Python-visible boxes of `value` and `initialized`: the Python attributes `value` and
    # `initialized` are read-only slot members over these two fields, so CPython specializes their
    # loads in strategy code (a getset property is never specialized). Every update entry point
    # (update_raw, handle_*, handle_*_rec, reset) refreshes them with _box_outputs(); C code that
    # calls update_c directly and wants Python readers to see the new value calls it too.
    cdef object _value_box
    cdef object _initialized_box
    cdef void _box_outputs(self) noexcept

    # The single update entry point every input path funnels into. Prices in decimal units (not
    # raw), volume in instrument size units, ts_ns UNIX nanoseconds (0 when unknown; only
    # time-aware indicators such as VWAP read it). Implemented by each subclass.
    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept
    # Clears state back to construction (subclasses reset their own state, then call the base).
    cdef void reset_c(self) noexcept
    # Writes len(output_names) doubles to `out`, in output_names order.
    cdef void outputs_c(self, double* out) noexcept

    # C-record inputs: raw fixed-point fields are converted with raw_to_f64.
    cdef void handle_bar_rec(self, const BarRec* rec) noexcept              # high, low, close, volume, ts_event
    cdef void handle_quote_rec(self, const QuoteTickRec* rec) noexcept      # mid (or bid/ask, quote_price_type), volume 0
    cdef void handle_trade_rec(self, const TradeTickRec* rec) noexcept      # price, size, ts_event


cdef class SMA(Indicator):
    cdef readonly int period
    cdef RingBuf _buf
    cdef double _sum, _comp              # Neumaier-compensated running sum of the window
    cdef void push(self, double x) noexcept


cdef class EMA(Indicator):
    cdef readonly int period
    cdef readonly double alpha
    cdef double _alpha1                  # 1 - alpha
    cdef double _sum, _comp              # compensated sum of the first `period` inputs (the SMA seed)
    cdef void push(self, double x) noexcept


cdef class WMA(Indicator):
    cdef readonly int period
    cdef RingBuf _buf
    cdef double _num, _sum               # weighted numerator and plain sum of the window
    cdef Py_ssize_t _since               # full-window updates since the last exact recompute
    cdef void push(self, double x) noexcept
    cdef void _recompute(self) noexcept


cdef class HMA(Indicator):
    cdef readonly int period
    cdef WMA _full, _half, _smooth
    cdef void push(self, double x) noexcept


cdef class RSI(Indicator):
    cdef readonly int period
    cdef double _prev, _avg_gain, _avg_loss, _sum_gain, _sum_loss
    cdef int64_t _changes


cdef class MACD(Indicator):
    cdef readonly int fast_period, slow_period, signal_period
    cdef readonly double signal, histogram
    cdef EMA _fast, _slow, _signal


cdef class BollingerBands(Indicator):
    cdef readonly int period
    cdef readonly double k
    cdef readonly double upper, middle, lower, std
    cdef RingBuf _buf


cdef class ATR(Indicator):
    cdef readonly int period
    cdef readonly str ma_type            # "wilder" (default), "sma" or "ema"
    cdef int _ma                         # 0 wilder, 1 sma, 2 ema
    cdef readonly double true_range      # the last true range
    cdef double _prev_close, _sum, _alpha
    cdef int64_t _trs                    # true ranges seen
    cdef SMA _sma
    cdef void push_hlc(self, double high, double low, double close) noexcept


cdef class DonchianChannel(Indicator):
    cdef readonly int period
    cdef readonly double upper, middle, lower
    cdef WindowExtreme _highs, _lows


cdef class KeltnerChannel(Indicator):
    cdef readonly int period, atr_period
    cdef readonly double k_multiplier
    cdef readonly double upper, middle, lower
    cdef EMA _ema
    cdef ATR _atr


cdef class Stochastics(Indicator):
    cdef readonly int period_k, period_d
    cdef readonly double value_k, value_d
    cdef WindowExtreme _highs, _lows
    cdef SMA _d


cdef class ROC(Indicator):
    cdef readonly int period
    cdef readonly bint use_log
    cdef RingBuf _buf                    # the last period + 1 inputs


cdef class OBV(Indicator):
    cdef readonly int period             # 0: cumulative since start; > 0: rolling sum of signed volumes
    cdef double _prev_close, _sum, _comp
    cdef RingBuf _buf


cdef class VWAP(Indicator):
    cdef readonly bint reset_daily
    cdef readonly int64_t day_offset_ns
    cdef readonly str price_source       # "typical" ((h+l+c)/3, default) or "close"
    cdef bint _typical
    cdef double _pv, _pv_comp, _vol, _vol_comp
    cdef int64_t _day
