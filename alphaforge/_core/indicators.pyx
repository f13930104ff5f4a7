"""Streaming technical indicators (Cython).

Every indicator derives from :class:`Indicator` and exposes ``name``, its period parameter(s),
``value`` (the primary output; multi-output indicators add named attributes), ``initialized``
(True once enough inputs arrived for the textbook definition to hold), ``has_inputs``, ``count``
(inputs received) and ``reset()``.

Inputs, all in decimal units (not raw fixed-point); volume in instrument size units; time in UNIX ns:

* ``update_raw(...)``: floats, the columns the indicator needs (see each class).
* ``handle_bar(bar)``: duck-typed, reads ``bar.high/.low/.close/.volume`` (and ``bar.ts_event`` for
  time-aware indicators) through ``float()``, so ``Price``/``Quantity`` and plain floats both work.
* ``handle_quote_tick(tick)``: the mid ``(bid_price + ask_price) / 2`` as high = low = close, volume 0
  (or the bid / ask: set ``indicator.quote_price_type = "BID"`` / ``"ASK"`` / ``PriceType.BID``).
* ``handle_trade_tick(tick)``: ``price`` as high = low = close and ``size`` as volume.
* C: ``update_c(high, low, close, volume, ts_ns)`` and ``handle_bar_rec/handle_quote_rec/
  handle_trade_rec`` on C records (``records.pxd``), with no Python call; the backtest engine uses
  these for registered indicators.

Python-facing inputs (``update_raw``, ``handle_*``, ``compute``) are checked: NaN/inf prices,
negative or non-finite volume and ``high < low`` raise ``ValueError`` naming the field, and leave
the state untouched. The C paths (``update_c``, ``handle_*_rec``) trust already-validated records.

Values are doubles: indicators are statistics and never become order prices without an explicit
``instrument.make_price(...)``. Running sums over windows use Neumaier compensation, so long
streams (millions of updates) do not drift.

``compute(indicator, close, high=..., low=..., volume=..., ts_ns=...)`` feeds whole numpy columns
through the same C update path and returns every output per step (tests and benchmarks).
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject, PyTypeObject
from libc.math cimport NAN, fabs, isfinite, log, sqrt
from libc.stdint cimport int64_t

from alphaforge._core.enums cimport PRICE_ASK, PRICE_BID, PRICE_MID
from alphaforge._core.fixed cimport raw_to_f64
from alphaforge._core.python_subclass cimport readonly_members
from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec

cdef extern from "Python.h":
    ctypedef struct PyFloatObject:
        double ob_fval
    PyTypeObject PyFloat_Type

import numpy as np

cdef int64_t NS_PER_DAY = 86_400_000_000_000


# ------------------------------------------------------------------------------------------------
# helpers

cdef inline int rb_init(RingBuf* rb, Py_ssize_t cap) except -1:
    rb.data = <double*>PyMem_Malloc(cap * sizeof(double))
    if rb.data == NULL:
        raise MemoryError()
    rb.cap = cap
    rb.head = 0
    rb.size = 0
    return 0


cdef inline void rb_free(RingBuf* rb) noexcept:
    if rb.data != NULL:
        PyMem_Free(rb.data)
        rb.data = NULL


cdef inline void rb_clear(RingBuf* rb) noexcept nogil:
    rb.head = 0
    rb.size = 0


# Appends x; returns the value it evicted (the oldest) when the buffer was full, else NAN.
cdef inline double rb_push(RingBuf* rb, double x) noexcept nogil:
    cdef double old = NAN
    if rb.size == rb.cap:
        old = rb.data[rb.head]
    else:
        rb.size += 1
    rb.data[rb.head] = x
    rb.head += 1
    if rb.head == rb.cap:
        rb.head = 0
    return old


# i-th value from the oldest (0) to the newest (size - 1).
cdef inline double rb_get(const RingBuf* rb, Py_ssize_t i) noexcept nogil:
    cdef Py_ssize_t j = rb.head - rb.size + i
    if j < 0:
        j += rb.cap
    return rb.data[j]


cdef inline int we_init(WindowExtreme* q, Py_ssize_t window, bint is_max) except -1:
    q.data = <double*>PyMem_Malloc(window * sizeof(double))
    if q.data == NULL:
        raise MemoryError()
    q.cap = window
    q.is_max = is_max
    we_clear(q)
    return 0


cdef inline void we_free(WindowExtreme* q) noexcept:
    if q.data != NULL:
        PyMem_Free(q.data)
        q.data = NULL


cdef inline void we_clear(WindowExtreme* q) noexcept nogil:
    q.head = 0
    q.size = 0
    q.seq = 0
    q.ext = 0.0
    q.ext_seq = -1


# Pushes x and returns the extreme (max or min) of the last `cap` pushes, x included.
cdef inline double we_push(WindowExtreme* q, double x) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef int64_t s, first
    cdef double v
    q.data[q.head] = x
    q.head += 1
    if q.head == q.cap:
        q.head = 0
    if q.size < q.cap:
        q.size += 1
    s = q.seq
    q.seq += 1
    first = q.seq - q.size                    # sequence number of the oldest value in the window
    if q.ext_seq < 0 or ((x >= q.ext) if q.is_max else (x <= q.ext)):
        q.ext = x
        q.ext_seq = s
    elif q.ext_seq < first:                   # the extreme left the window: rescan, oldest -> newest
        j = q.head - q.size
        if j < 0:
            j += q.cap
        q.ext = q.data[j]
        q.ext_seq = first
        for i in range(1, q.size):
            j += 1
            if j == q.cap:
                j = 0
            v = q.data[j]
            if (v >= q.ext) if q.is_max else (v <= q.ext):
                q.ext = v
                q.ext_seq = first + i
    return q.ext


# Neumaier-compensated accumulation: the exact running sum is s + c.
cdef inline void nsum_add(double* s, double* c, double x) noexcept nogil:
    cdef double t = s[0] + x
    if fabs(s[0]) >= fabs(x):
        c[0] += (s[0] - t) + x
    else:
        c[0] += (x - t) + s[0]
    s[0] = t


cdef int _check_inputs(Indicator ind, double high, double low, double close, double volume) except -1:
    # Python-facing inputs (update_raw, handle_bar, handle_*_tick): loud errors naming the field.
    # The C record paths take validated records and are not checked.
    if not isfinite(close):
        raise ValueError(f"{ind!r}: close must be finite, got {close}")
    if ind._needs_hl:
        if not isfinite(high):
            raise ValueError(f"{ind!r}: high must be finite, got {high}")
        if not isfinite(low):
            raise ValueError(f"{ind!r}: low must be finite, got {low}")
        if high < low:
            raise ValueError(f"{ind!r}: high {high} is below low {low}")
    if ind._needs_vol and not (isfinite(volume) and volume >= 0.0):
        raise ValueError(f"{ind!r}: volume must be finite and >= 0, got {volume}")
    return 0


cdef inline int _check_period(str who, str what, long value, long minimum) except -1:
    if value < minimum:
        raise ValueError(f"{who}: {what} must be >= {minimum}, got {value}")
    return 0


cdef inline int64_t _floor_div(int64_t a, int64_t b) noexcept nogil:
    # cdivision is on (C truncation); b > 0 here, so adjust negative remainders to floor.
    cdef int64_t q = a / b
    if (a % b) < 0:
        q -= 1
    return q


# ------------------------------------------------------------------------------------------------
# base

cdef class Indicator:
    """Base class of every indicator (abstract; instantiate a subclass such as ``EMA(10)``).

    Attributes: ``name`` (e.g. ``"EMA"``), ``inputs`` (columns used), ``output_names`` (named
    outputs, ``"value"`` first), ``value`` (primary output, a float), ``initialized`` (enough
    inputs for the full definition), ``has_inputs``, ``count`` (inputs since construction/reset).

    Custom indicators: the engine updates indicators through the C method ``update_c``, so a new
    indicator is written in Cython (override ``update_c``, ``reset_c`` and ``outputs_c``); a Python
    subclass of a concrete indicator (``class MyEMA(EMA)``) inherits its C update and works too.
    """

    def __cinit__(self):
        self.name = type(self).__name__
        self.inputs = ("close",)
        self.output_names = ("value",)
        self.initialized = False
        self.has_inputs = False
        self.count = 0
        self.value = 0.0
        self._needs_ts = False
        self._needs_hl = False
        self._needs_vol = False
        self._quote_px = PRICE_MID
        self._value_box = 0.0
        self._initialized_box = False

    def __init__(self, *args, **kwargs):
        raise TypeError("Indicator is abstract: instantiate a concrete indicator such as EMA(10)")

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        pass

    cdef void reset_c(self) noexcept:
        self.initialized = False
        self.has_inputs = False
        self.count = 0
        self.value = 0.0
        self._box_outputs()

    cdef void outputs_c(self, double* out) noexcept:
        out[0] = self.value

    cdef void _box_outputs(self) noexcept:
        cdef PyObject* box = <PyObject*>self._value_box
        if box.ob_refcnt == 1 and box.ob_type == &PyFloat_Type:
            # held by this slot alone (nobody can see it change): the float is rewritten in place
            (<PyFloatObject*>box).ob_fval = self.value
        else:
            self._value_box = self.value
        self._initialized_box = self.initialized      # a bint: boxed as True / False

    cdef void handle_bar_rec(self, const BarRec* rec) noexcept:
        self.update_c(raw_to_f64(rec.high), raw_to_f64(rec.low), raw_to_f64(rec.close),
                      raw_to_f64(rec.volume), rec.ts_event)
        self._box_outputs()

    cdef void handle_quote_rec(self, const QuoteTickRec* rec) noexcept:
        cdef double px
        if self._quote_px == PRICE_MID:
            px = (raw_to_f64(rec.bid_price) + raw_to_f64(rec.ask_price)) / 2.0
        elif self._quote_px == PRICE_BID:
            px = raw_to_f64(rec.bid_price)
        else:
            px = raw_to_f64(rec.ask_price)
        self.update_c(px, px, px, 0.0, rec.ts_event)
        self._box_outputs()

    cdef void handle_trade_rec(self, const TradeTickRec* rec) noexcept:
        cdef double px = raw_to_f64(rec.price)
        self.update_c(px, px, px, raw_to_f64(rec.size), rec.ts_event)
        self._box_outputs()

    def handle_bar(self, bar) -> None:
        """Update from a bar (duck-typed: ``high``, ``low``, ``close``, ``volume``, ``ts_event``)."""
        cdef double c = float(bar.close)
        cdef double h = c
        cdef double lo = c
        cdef double v = 0.0
        cdef int64_t ts = 0
        if self._needs_hl:
            h = float(bar.high)
            lo = float(bar.low)
        if self._needs_vol:
            v = float(bar.volume)
        if self._needs_ts:
            ts = bar.ts_event
        _check_inputs(self, h, lo, c, v)
        self.update_c(h, lo, c, v, ts)
        self._box_outputs()

    def handle_quote_tick(self, tick) -> None:
        """Update from a quote tick: its mid ``(bid_price + ask_price) / 2`` by default, or the bid
        or ask per ``quote_price_type`` (as high = low = close; volume 0)."""
        cdef double px
        cdef int64_t ts = tick.ts_event if self._needs_ts else 0
        if self._quote_px == PRICE_MID:
            px = (float(tick.bid_price) + float(tick.ask_price)) / 2.0
        elif self._quote_px == PRICE_BID:
            px = float(tick.bid_price)
        else:
            px = float(tick.ask_price)
        _check_inputs(self, px, px, px, 0.0)
        self.update_c(px, px, px, 0.0, ts)
        self._box_outputs()

    @property
    def quote_price_type(self) -> str:
        """Which quote price feeds the indicator: ``"MID"`` (default), ``"BID"`` or ``"ASK"``."""
        return {PRICE_BID: "BID", PRICE_ASK: "ASK"}.get(self._quote_px, "MID")

    @quote_price_type.setter
    def quote_price_type(self, value) -> None:
        # accepts the PriceType IntEnum (BID=1, ASK=2, MID=3) or its name
        name = getattr(value, "name", value)
        if isinstance(name, int):
            name = {PRICE_BID: "BID", PRICE_ASK: "ASK", PRICE_MID: "MID"}.get(name, name)
        if name == "MID":
            self._quote_px = PRICE_MID
        elif name == "BID":
            self._quote_px = PRICE_BID
        elif name == "ASK":
            self._quote_px = PRICE_ASK
        else:
            raise ValueError(f"{self.name}: quote_price_type must be BID, ASK or MID, got {value!r}")

    def handle_trade_tick(self, tick) -> None:
        """Update from a trade tick: ``price`` (high = low = close) and ``size`` (volume)."""
        cdef double px = float(tick.price)
        cdef double v = float(tick.size) if self._needs_vol else 0.0
        cdef int64_t ts = tick.ts_event if self._needs_ts else 0
        _check_inputs(self, px, px, px, v)
        self.update_c(px, px, px, v, ts)
        self._box_outputs()

    def reset(self) -> None:
        """Forget every input: back to the state right after construction."""
        self.reset_c()

    def outputs(self) -> dict:
        """The current outputs as ``{name: float}`` in ``output_names`` order."""
        cdef double buf[8]
        self.outputs_c(buf)
        return {n: buf[i] for i, n in enumerate(self.output_names)}

    def __repr__(self) -> str:
        return f"{self.name}({self._params_repr()})"

    def __reduce__(self):
        # Fresh indicators pickle as their constructor arguments (strategies shipped to worker
        # processes); mid-stream state is not serialized, so refuse rather than lose it.
        if self.has_inputs:
            raise TypeError(f"cannot pickle {self!r} after {self.count} inputs: its window state is "
                            f"not serialized; pickle it before updating it (or reset() it first)")
        return (type(self), self._init_args(), self._quote_px)

    def __setstate__(self, state) -> None:
        self._quote_px = state

    def _init_args(self) -> tuple:
        return ()

    def _params_repr(self) -> str:
        return ""


# ------------------------------------------------------------------------------------------------
# moving averages

cdef class SMA(Indicator):
    """Simple moving average of the last ``period`` closes.

    ``value`` is the mean of the last ``period`` inputs; before ``period`` inputs it is the mean of
    the inputs so far (``initialized`` becomes True on the ``period``-th input). The window sum is
    Neumaier-compensated (no drift over long streams).
    """

    def __init__(self, int period):
        _check_period("SMA", "period", period, 1)
        self.period = period
        rb_init(&self._buf, period)
        self._sum = 0.0
        self._comp = 0.0

    def __dealloc__(self):
        rb_free(&self._buf)

    cdef void push(self, double x) noexcept:
        cdef double old = rb_push(&self._buf, x)
        if self.count >= self.period:          # the buffer was full: `old` left the window
            nsum_add(&self._sum, &self._comp, -old)
        nsum_add(&self._sum, &self._comp, x)
        self.count += 1
        self.has_inputs = True
        self.value = (self._sum + self._comp) / <double>self._buf.size
        if self._buf.size == self.period:
            self.initialized = True

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self.push(close)

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.push(close)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        rb_clear(&self._buf)
        self._sum = 0.0
        self._comp = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}"


cdef class EMA(Indicator):
    """Exponential moving average, ``alpha = 2 / (period + 1)``, seeded with the SMA of the first
    ``period`` inputs (the backtrader / TA-Lib / backtesting.py convention).

    * inputs 1 .. period-1: ``value`` is the running SMA of the inputs so far, ``initialized`` False;
    * input ``period``: ``value`` = SMA of the first ``period`` inputs, ``initialized`` True;
    * afterwards: ``value = alpha * close + (1 - alpha) * value``.

    (NautilusTrader's EMA instead seeds with the first input; after a few multiples of ``period``
    the two agree to float precision.)
    """

    def __init__(self, int period):
        _check_period("EMA", "period", period, 1)
        self.period = period
        self.alpha = 2.0 / (period + 1.0)
        self._alpha1 = 1.0 - self.alpha
        self._sum = 0.0
        self._comp = 0.0

    cdef void push(self, double x) noexcept:
        self.count += 1
        self.has_inputs = True
        if self.count > self.period:
            self.value = self.alpha * x + self._alpha1 * self.value
            return
        nsum_add(&self._sum, &self._comp, x)
        self.value = (self._sum + self._comp) / <double>self.count
        if self.count == self.period:
            self.initialized = True

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self.push(close)

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.push(close)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        self._sum = 0.0
        self._comp = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}"


cdef class WMA(Indicator):
    """Linearly weighted moving average: weights 1, 2, ..., ``period`` from the oldest to the newest
    of the last ``period`` inputs, divided by ``period * (period + 1) / 2``.

    Before ``period`` inputs, ``value`` is the same weighting over the inputs so far (weights
    1..count); ``initialized`` becomes True on the ``period``-th input. O(1) amortized per update:
    the weighted numerator and the window sum are updated incrementally
    (``num' = num - sum + period * x``) and recomputed exactly from the window every ``period``
    updates, so rounding never accumulates over more than one window.
    """

    def __init__(self, int period):
        _check_period("WMA", "period", period, 1)
        self.period = period
        rb_init(&self._buf, period)
        self._num = 0.0
        self._sum = 0.0
        self._since = 0

    def __dealloc__(self):
        rb_free(&self._buf)

    cdef void _recompute(self) noexcept:
        # exact numerator and sum, oldest -> newest: data[head:cap] then data[0:head] (full buffer)
        cdef Py_ssize_t i
        cdef double num = 0.0, tot = 0.0, w = 1.0
        cdef const double* d = self._buf.data
        for i in range(self._buf.head, self._buf.cap):
            num += w * d[i]
            tot += d[i]
            w += 1.0
        for i in range(0, self._buf.head):
            num += w * d[i]
            tot += d[i]
            w += 1.0
        self._num = num
        self._sum = tot
        self._since = 0

    cdef void push(self, double x) noexcept:
        cdef Py_ssize_t n
        cdef double old = rb_push(&self._buf, x)
        n = self._buf.size
        if self.count < self.period:             # growing window: weights 1..n, x gets n
            self._num += n * x
            self._sum += x
        else:
            self._since += 1
            if self._since >= self.period:
                self._recompute()
            else:
                self._num = self._num - self._sum + self.period * x
                self._sum = self._sum - old + x
        self.value = self._num / (n * (n + 1.0) / 2.0)
        self.count += 1
        self.has_inputs = True
        if n == self.period:
            self.initialized = True

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self.push(close)

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.push(close)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        rb_clear(&self._buf)
        self._num = 0.0
        self._sum = 0.0
        self._since = 0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}"


cdef class HMA(Indicator):
    """Hull moving average: ``WMA(2 * WMA(close, period // 2) - WMA(close, period), floor(sqrt(period)))``.

    The smoothing WMA is fed only with full-window differences (from input ``period`` on), so
    ``initialized`` becomes True on input ``period + floor(sqrt(period)) - 1`` and from then on
    ``value`` equals the textbook definition exactly. Before that ``value`` is a partial-window
    estimate (the difference of the partial WMAs, then the WMA of the differences so far).
    ``period`` must be >= 2.
    """

    def __init__(self, int period):
        _check_period("HMA", "period", period, 2)
        self.period = period
        self._full = WMA(period)
        self._half = WMA(period // 2)
        self._smooth = WMA(<int>sqrt(<double>period))

    cdef void push(self, double x) noexcept:
        cdef double diff
        self._full.push(x)
        self._half.push(x)
        diff = 2.0 * self._half.value - self._full.value
        if self._full.initialized:
            self._smooth.push(diff)
            self.value = self._smooth.value
            self.initialized = self._smooth.initialized
        else:
            self.value = diff
        self.count += 1
        self.has_inputs = True

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self.push(close)

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.push(close)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        self._full.reset_c()
        self._half.reset_c()
        self._smooth.reset_c()
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}"


# ------------------------------------------------------------------------------------------------
# oscillators

cdef class RSI(Indicator):
    """Relative strength index with Wilder smoothing, on a 0-100 scale.

    Changes ``d = close - previous close`` start at the second input; gains ``max(d, 0)`` and
    losses ``max(-d, 0)`` are averaged with Wilder's smoothing seeded by the simple mean of the
    first ``period`` changes: ``avg = (avg * (period - 1) + x) / period`` (TA-Lib, backtrader).
    ``value = 100 * avg_gain / (avg_gain + avg_loss)`` (= ``100 - 100 / (1 + RS)``); 50 when both
    averages are zero (no movement). ``initialized`` becomes True on input ``period + 1``; before
    that ``value`` uses the mean of the changes so far (50 after the first input).
    NautilusTrader's RSI is on a 0-1 scale: divide by 100 to compare.
    """

    def __init__(self, int period=14):
        _check_period("RSI", "period", period, 1)
        self.period = period
        self.reset_c()

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef double d, gain, loss, tot
        self.count += 1
        self.has_inputs = True
        if self.count == 1:
            self._prev = close
            self.value = 50.0
            return
        d = close - self._prev
        self._prev = close
        gain = d if d > 0.0 else 0.0
        loss = -d if d < 0.0 else 0.0
        self._changes += 1
        if self._changes <= self.period:
            self._sum_gain += gain
            self._sum_loss += loss
            self._avg_gain = self._sum_gain / <double>self._changes
            self._avg_loss = self._sum_loss / <double>self._changes
            if self._changes == self.period:
                self.initialized = True
        else:
            self._avg_gain = (self._avg_gain * (self.period - 1.0) + gain) / <double>self.period
            self._avg_loss = (self._avg_loss * (self.period - 1.0) + loss) / <double>self.period
        tot = self._avg_gain + self._avg_loss
        self.value = 100.0 * self._avg_gain / tot if tot > 0.0 else 50.0

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.update_c(close, close, close, 0.0, 0)
        self._box_outputs()

    @property
    def avg_gain(self) -> float:
        """Current (Wilder-smoothed) average gain per input, in price units."""
        return self._avg_gain

    @property
    def avg_loss(self) -> float:
        """Current (Wilder-smoothed) average loss per input, in price units (positive)."""
        return self._avg_loss

    cdef void reset_c(self) noexcept:
        self._prev = 0.0
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._sum_gain = 0.0
        self._sum_loss = 0.0
        self._changes = 0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}"


cdef class MACD(Indicator):
    """Moving average convergence/divergence (backtrader convention).

    ``value`` (the MACD line) = ``EMA(fast) - EMA(slow)`` of closes, both SMA-seeded EMAs fed from
    the first input; ``signal`` = ``EMA(signal_period)`` (SMA-seeded) of the MACD line, fed from
    input ``slow_period`` on (once the slow EMA is initialized); ``histogram = value - signal``.
    ``initialized`` becomes True on input ``slow_period + signal_period - 1`` (34 for 12/26/9).
    Before the slow EMA is initialized ``value`` is the difference of the warm-up SMAs and
    ``signal``/``histogram`` are 0. ``fast_period`` must be < ``slow_period``.
    """

    def __init__(self, int fast_period=12, int slow_period=26, int signal_period=9):
        _check_period("MACD", "fast_period", fast_period, 1)
        _check_period("MACD", "signal_period", signal_period, 1)
        if slow_period <= fast_period:
            raise ValueError(f"MACD: slow_period must be > fast_period, got fast_period={fast_period}, "
                             f"slow_period={slow_period}")
        self.fast_period = fast_period
        self.slow_period = slow_period
        self.signal_period = signal_period
        self._fast = EMA(fast_period)
        self._slow = EMA(slow_period)
        self._signal = EMA(signal_period)
        self.output_names = ("value", "signal", "histogram")
        self.signal = 0.0
        self.histogram = 0.0

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self._fast.push(close)
        self._slow.push(close)
        self.value = self._fast.value - self._slow.value
        if self._slow.initialized:
            self._signal.push(self.value)
            self.signal = self._signal.value
            self.histogram = self.value - self.signal
            self.initialized = self._signal.initialized
        self.count += 1
        self.has_inputs = True

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.update_c(close, close, close, 0.0, 0)
        self._box_outputs()

    cdef void outputs_c(self, double* out) noexcept:
        out[0] = self.value
        out[1] = self.signal
        out[2] = self.histogram

    cdef void reset_c(self) noexcept:
        self._fast.reset_c()
        self._slow.reset_c()
        self._signal.reset_c()
        self.signal = 0.0
        self.histogram = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.fast_period, self.slow_period, self.signal_period)

    def _params_repr(self) -> str:
        return f"{self.fast_period}, {self.slow_period}, {self.signal_period}"


cdef class Stochastics(Indicator):
    """Stochastic oscillator (fast), 0-100 scale.

    ``value_k`` (= ``value``) = ``100 * (close - LL) / (HH - LL)`` where HH/LL are the highest high
    and lowest low of the last ``period_k`` inputs (including this one); 50 when ``HH == LL``.
    ``value_d`` = SMA over ``period_d`` of the full-window %K values (fed from input ``period_k``
    on). ``initialized`` becomes True on input ``period_k + period_d - 1``. Before that %K uses the
    inputs so far, and %D is %K until the first full-window %K, then the mean of those so far.
    """

    def __init__(self, int period_k=14, int period_d=3):
        _check_period("Stochastics", "period_k", period_k, 1)
        _check_period("Stochastics", "period_d", period_d, 1)
        self.period_k = period_k
        self.period_d = period_d
        we_init(&self._highs, period_k, True)
        we_init(&self._lows, period_k, False)
        self._d = SMA(period_d)
        self.inputs = ("high", "low", "close")
        self.output_names = ("value", "value_k", "value_d")
        self._needs_hl = True
        self.value_k = 0.0
        self.value_d = 0.0

    def __dealloc__(self):
        we_free(&self._highs)
        we_free(&self._lows)

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef double hh = we_push(&self._highs, high)
        cdef double ll = we_push(&self._lows, low)
        self.value_k = 100.0 * (close - ll) / (hh - ll) if hh != ll else 50.0
        self.value = self.value_k
        if self.count + 1 >= self.period_k:
            self._d.push(self.value_k)
            self.value_d = self._d.value
            self.initialized = self._d.initialized
        else:
            self.value_d = self.value_k
        self.count += 1
        self.has_inputs = True

    def update_raw(self, double high, double low, double close) -> None:
        """Update with one high, low and close (decimal prices)."""
        _check_inputs(self, high, low, close, 0.0)
        self.update_c(high, low, close, 0.0, 0)
        self._box_outputs()

    cdef void outputs_c(self, double* out) noexcept:
        out[0] = self.value
        out[1] = self.value_k
        out[2] = self.value_d

    cdef void reset_c(self) noexcept:
        we_clear(&self._highs)
        we_clear(&self._lows)
        self._d.reset_c()
        self.value_k = 0.0
        self.value_d = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period_k, self.period_d)

    def _params_repr(self) -> str:
        return f"{self.period_k}, {self.period_d}"


cdef class ROC(Indicator):
    """Rate of change over ``period`` inputs, as a fraction (not percent):
    ``(close - close[t - period]) / close[t - period]``, or ``log(close / close[t - period])`` with
    ``use_log=True`` (NautilusTrader and backtrader ``ROC`` conventions; multiply by 100 for %).
    ``initialized`` becomes True on input ``period + 1``; ``value`` is 0 before that, and 0 when
    ``close[t - period]`` is 0.
    """

    def __init__(self, int period=10, bint use_log=False):
        _check_period("ROC", "period", period, 1)
        self.period = period
        self.use_log = use_log
        rb_init(&self._buf, period + 1)

    def __dealloc__(self):
        rb_free(&self._buf)

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef double old
        rb_push(&self._buf, close)
        self.count += 1
        self.has_inputs = True
        if self._buf.size == self.period + 1:
            old = rb_get(&self._buf, 0)
            if old == 0.0:
                self.value = 0.0
            elif self.use_log:
                self.value = log(close / old)
            else:
                self.value = (close - old) / old
            self.initialized = True

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.update_c(close, close, close, 0.0, 0)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        rb_clear(&self._buf)
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period, self.use_log)

    def _params_repr(self) -> str:
        return f"{self.period}" + (", use_log=True" if self.use_log else "")


# ------------------------------------------------------------------------------------------------
# bands and channels

cdef class BollingerBands(Indicator):
    """Bollinger bands: ``middle`` = SMA(period) of closes, ``std`` = population standard deviation
    (ddof = 0) of the same window, ``upper/lower = middle +/- k * std`` (defaults 20, 2.0).

    ``value`` is ``middle``. Computed two-pass from the window on each update (exact, no
    cancellation). ``initialized`` becomes True on input ``period``; before that the bands use the
    inputs so far.
    """

    def __init__(self, int period=20, double k=2.0):
        _check_period("BollingerBands", "period", period, 1)
        if not k > 0.0:
            raise ValueError(f"BollingerBands: k must be > 0, got {k}")
        self.period = period
        self.k = k
        rb_init(&self._buf, period)
        self.output_names = ("value", "upper", "middle", "lower", "std")
        self.upper = self.middle = self.lower = self.std = 0.0

    def __dealloc__(self):
        rb_free(&self._buf)

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef Py_ssize_t i, n
        cdef double s = 0.0, ss = 0.0, m, d
        rb_push(&self._buf, close)
        n = self._buf.size
        for i in range(n):
            s += self._buf.data[i]
        m = s / <double>n
        for i in range(n):
            d = self._buf.data[i] - m
            ss += d * d
        self.middle = m
        self.std = sqrt(ss / <double>n)
        self.upper = m + self.k * self.std
        self.lower = m - self.k * self.std
        self.value = m
        self.count += 1
        self.has_inputs = True
        if n == self.period:
            self.initialized = True

    def update_raw(self, double close) -> None:
        """Update with one close (decimal price)."""
        _check_inputs(self, close, close, close, 0.0)
        self.update_c(close, close, close, 0.0, 0)
        self._box_outputs()

    cdef void outputs_c(self, double* out) noexcept:
        out[0] = self.value
        out[1] = self.upper
        out[2] = self.middle
        out[3] = self.lower
        out[4] = self.std

    cdef void reset_c(self) noexcept:
        rb_clear(&self._buf)
        self.upper = self.middle = self.lower = self.std = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period, self.k)

    def _params_repr(self) -> str:
        return f"{self.period}, k={self.k}"


cdef class ATR(Indicator):
    """Average true range.

    True range ``TR = max(high, prev_close) - min(low, prev_close)`` (= max of ``high - low``,
    ``|high - prev_close|``, ``|low - prev_close|``) needs a previous close, so the first input
    only records its close (TA-Lib / backtrader convention). ``ma_type``:

    * ``"wilder"`` (default): the mean of the first ``period`` TRs, then
      ``atr = (atr * (period - 1) + TR) / period``;
    * ``"sma"``: the mean of the last ``period`` TRs;
    * ``"ema"``: ``alpha = 2 / (period + 1)``, seeded with the mean of the first ``period`` TRs.

    ``initialized`` becomes True on input ``period + 1``; before that ``value`` is the mean of the
    TRs so far (0 after the first input). ``true_range`` holds the last TR.
    """

    def __init__(self, int period=14, str ma_type="wilder"):
        _check_period("ATR", "period", period, 1)
        if ma_type == "wilder":
            self._ma = 0
        elif ma_type == "sma":
            self._ma = 1
        elif ma_type == "ema":
            self._ma = 2
        else:
            raise ValueError(f"ATR: ma_type must be 'wilder', 'sma' or 'ema', got {ma_type!r}")
        self.period = period
        self.ma_type = ma_type
        self._alpha = 2.0 / (period + 1.0)
        self._sma = SMA(period)
        self.inputs = ("high", "low", "close")
        self._needs_hl = True
        self.reset_c()

    cdef void push_hlc(self, double high, double low, double close) noexcept:
        cdef double tr
        cdef double hi, lo
        self.count += 1
        self.has_inputs = True
        if self.count == 1:
            self._prev_close = close
            return
        hi = high if high > self._prev_close else self._prev_close
        lo = low if low < self._prev_close else self._prev_close
        tr = hi - lo
        self._prev_close = close
        self.true_range = tr
        self._trs += 1
        if self._ma == 1:
            self._sma.push(tr)
            self.value = self._sma.value
        elif self._trs <= self.period:
            self._sum += tr
            self.value = self._sum / <double>self._trs
        elif self._ma == 0:
            self.value = (self.value * (self.period - 1.0) + tr) / <double>self.period
        else:
            self.value = self._alpha * tr + (1.0 - self._alpha) * self.value
        if self._trs == self.period:
            self.initialized = True

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self.push_hlc(high, low, close)

    def update_raw(self, double high, double low, double close) -> None:
        """Update with one high, low and close (decimal prices)."""
        _check_inputs(self, high, low, close, 0.0)
        self.push_hlc(high, low, close)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        self._prev_close = 0.0
        self._sum = 0.0
        self._trs = 0
        self.true_range = 0.0
        self._sma.reset_c()
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period, self.ma_type)

    def _params_repr(self) -> str:
        return f"{self.period}" + (f", ma_type={self.ma_type!r}" if self._ma != 0 else "")


cdef class DonchianChannel(Indicator):
    """Donchian channel: ``upper`` = highest high and ``lower`` = lowest low of the last ``period``
    inputs *including the current one*, ``middle = (upper + lower) / 2`` (= ``value``). (For a
    breakout rule compare the new close against the channel read *before* updating.)
    ``initialized`` becomes True on input ``period``; before that the inputs so far are used.
    """

    def __init__(self, int period=20):
        _check_period("DonchianChannel", "period", period, 1)
        self.period = period
        we_init(&self._highs, period, True)
        we_init(&self._lows, period, False)
        self.inputs = ("high", "low")
        self.output_names = ("value", "upper", "middle", "lower")
        self._needs_hl = True
        self.upper = self.middle = self.lower = 0.0

    def __dealloc__(self):
        we_free(&self._highs)
        we_free(&self._lows)

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        self.upper = we_push(&self._highs, high)
        self.lower = we_push(&self._lows, low)
        self.middle = (self.upper + self.lower) / 2.0
        self.value = self.middle
        self.count += 1
        self.has_inputs = True
        if self.count >= self.period:
            self.initialized = True

    def update_raw(self, double high, double low) -> None:
        """Update with one high and low (decimal prices)."""
        _check_inputs(self, high, low, high, 0.0)
        self.update_c(high, low, (high + low) / 2.0, 0.0, 0)
        self._box_outputs()

    cdef void outputs_c(self, double* out) noexcept:
        out[0] = self.value
        out[1] = self.upper
        out[2] = self.middle
        out[3] = self.lower

    cdef void reset_c(self) noexcept:
        we_clear(&self._highs)
        we_clear(&self._lows)
        self.upper = self.middle = self.lower = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}"


cdef class KeltnerChannel(Indicator):
    """Keltner channel (the modern EMA/ATR form, as in pandas-ta and most charting packages):
    ``middle`` = EMA(period) of closes (SMA-seeded, see :class:`EMA`), ``upper/lower = middle +/-
    k_multiplier * ATR(atr_period)`` (ATR with ``atr_ma_type``, Wilder by default; see :class:`ATR`).
    Defaults 20, 2.0, atr_period = period. ``value`` is ``middle``. ``initialized`` once both the EMA
    (input ``period``) and the ATR (input ``atr_period + 1``) are; before that the warm-up values
    of both are used. (NautilusTrader's variant averages the typical price (h+l+c)/3 instead.)
    """

    def __init__(self, int period=20, double k_multiplier=2.0, atr_period=None, str atr_ma_type="wilder"):
        _check_period("KeltnerChannel", "period", period, 1)
        if not k_multiplier > 0.0:
            raise ValueError(f"KeltnerChannel: k_multiplier must be > 0, got {k_multiplier}")
        self.period = period
        self.atr_period = period if atr_period is None else int(atr_period)
        _check_period("KeltnerChannel", "atr_period", self.atr_period, 1)
        self.k_multiplier = k_multiplier
        self._ema = EMA(period)
        self._atr = ATR(self.atr_period, atr_ma_type)
        self.inputs = ("high", "low", "close")
        self.output_names = ("value", "upper", "middle", "lower")
        self._needs_hl = True
        self.upper = self.middle = self.lower = 0.0

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef double band
        self._ema.push(close)
        self._atr.push_hlc(high, low, close)
        self.middle = self._ema.value
        band = self.k_multiplier * self._atr.value
        self.upper = self.middle + band
        self.lower = self.middle - band
        self.value = self.middle
        self.count += 1
        self.has_inputs = True
        self.initialized = self._ema.initialized and self._atr.initialized

    def update_raw(self, double high, double low, double close) -> None:
        """Update with one high, low and close (decimal prices)."""
        _check_inputs(self, high, low, close, 0.0)
        self.update_c(high, low, close, 0.0, 0)
        self._box_outputs()

    @property
    def atr(self) -> float:
        """The current ATR used for the band width (price units)."""
        return self._atr.value

    cdef void outputs_c(self, double* out) noexcept:
        out[0] = self.value
        out[1] = self.upper
        out[2] = self.middle
        out[3] = self.lower

    cdef void reset_c(self) noexcept:
        self._ema.reset_c()
        self._atr.reset_c()
        self.upper = self.middle = self.lower = 0.0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period, self.k_multiplier, self.atr_period, self._atr.ma_type)

    def _params_repr(self) -> str:
        return f"{self.period}, k_multiplier={self.k_multiplier}, atr_period={self.atr_period}"


# ------------------------------------------------------------------------------------------------
# volume

cdef class OBV(Indicator):
    """On-balance volume (TA-Lib convention): the first input counts ``+volume``; afterwards
    ``+volume`` if the close rose from the previous close, ``-volume`` if it fell, 0 if unchanged.

    ``period = 0`` (default): ``value`` is the cumulative sum since the start (``initialized`` after
    the first input). ``period > 0``: the sum of the last ``period`` signed volumes (the rolling form
    NautilusTrader offers), ``initialized`` on input ``period``. Sums are Neumaier-compensated.
    """

    def __init__(self, int period=0):
        _check_period("OBV", "period", period, 0)
        self.period = period
        if period > 0:
            rb_init(&self._buf, period)
        self.inputs = ("close", "volume")
        self._needs_vol = True
        self.reset_c()

    def __dealloc__(self):
        rb_free(&self._buf)

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef double signed_vol, old
        if self.count == 0 or close > self._prev_close:
            signed_vol = volume
        elif close < self._prev_close:
            signed_vol = -volume
        else:
            signed_vol = 0.0
        self._prev_close = close
        if self.period > 0:
            old = rb_push(&self._buf, signed_vol)
            if self.count >= self.period:
                nsum_add(&self._sum, &self._comp, -old)
        nsum_add(&self._sum, &self._comp, signed_vol)
        self.value = self._sum + self._comp
        self.count += 1
        self.has_inputs = True
        if self.count >= self.period:
            self.initialized = True

    def update_raw(self, double close, double volume) -> None:
        """Update with one close (decimal price) and its volume."""
        _check_inputs(self, close, close, close, volume)
        self.update_c(close, close, close, volume, 0)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        self._prev_close = 0.0
        self._sum = 0.0
        self._comp = 0.0
        if self.period > 0:
            rb_clear(&self._buf)
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.period,)

    def _params_repr(self) -> str:
        return f"{self.period}" if self.period else ""


cdef class VWAP(Indicator):
    """Volume-weighted average price: ``sum(price * volume) / sum(volume)`` since the start or, with
    ``reset_daily=True`` (default), since the start of the current UTC day of the input's
    ``ts_ns`` shifted by ``day_offset_ns``: the day is ``floor((ts_ns - day_offset_ns) / 1 day)``, so
    ``day_offset_ns = 22 * 3600 * 10**9`` makes days start at 22:00 UTC. Inputs without a timestamp (``ts_ns = 0``,
    as ``update_raw`` without ``ts_ns``) never trigger a reset.

    ``price_source``: ``"typical"`` (default) uses ``(high + low + close) / 3`` for bars (and the
    price itself for ticks, where high = low = close); ``"close"`` uses the close (what
    NautilusTrader's VWAP does with bars). While the volume sum is 0, ``value`` is the latest
    price. ``initialized`` after the first input. Sums are Neumaier-compensated.
    """

    def __init__(self, bint reset_daily=True, int64_t day_offset_ns=0, str price_source="typical"):
        if price_source == "typical":
            self._typical = True
        elif price_source == "close":
            self._typical = False
        else:
            raise ValueError(f"VWAP: price_source must be 'typical' or 'close', got {price_source!r}")
        self.reset_daily = reset_daily
        self.day_offset_ns = day_offset_ns
        self.price_source = price_source
        self.inputs = ("high", "low", "close", "volume")
        self._needs_hl = self._typical
        self._needs_vol = True
        self._needs_ts = reset_daily
        self.reset_c()

    cdef void update_c(self, double high, double low, double close, double volume, int64_t ts_ns) noexcept:
        cdef double px = close
        cdef int64_t day
        if self._typical and not (high == close and low == close):
            px = (high + low + close) / 3.0
        if self.reset_daily and ts_ns != 0:
            day = _floor_div(ts_ns - self.day_offset_ns, NS_PER_DAY)
            if self.has_inputs and day != self._day:
                self._pv = self._pv_comp = self._vol = self._vol_comp = 0.0
            self._day = day
        nsum_add(&self._pv, &self._pv_comp, px * volume)
        nsum_add(&self._vol, &self._vol_comp, volume)
        if self._vol + self._vol_comp > 0.0:
            self.value = (self._pv + self._pv_comp) / (self._vol + self._vol_comp)
        else:
            self.value = px
        self.count += 1
        self.has_inputs = True
        self.initialized = True

    def update_raw(self, double price, double volume, int64_t ts_ns=0) -> None:
        """Update with one price (decimal), its volume and optionally its time (UNIX ns)."""
        _check_inputs(self, price, price, price, volume)
        self.update_c(price, price, price, volume, ts_ns)
        self._box_outputs()

    cdef void reset_c(self) noexcept:
        self._pv = self._pv_comp = self._vol = self._vol_comp = 0.0
        self._day = 0
        Indicator.reset_c(self)

    def _init_args(self) -> tuple:
        return (self.reset_daily, self.day_offset_ns, self.price_source)

    def _params_repr(self) -> str:
        return f"reset_daily={self.reset_daily}, price_source={self.price_source!r}"


# ------------------------------------------------------------------------------------------------
# batch driver

cdef inline object _col(object arr, str name, Py_ssize_t n, object dtype):
    a = np.ascontiguousarray(arr, dtype=dtype)
    if a.ndim != 1:
        raise ValueError(f"compute: column {name!r} must be 1-D, got shape {a.shape}")
    if n >= 0 and a.shape[0] != n:
        raise ValueError(f"compute: column {name!r} has {a.shape[0]} values, expected {n}")
    if dtype is np.float64:
        bad = ~np.isfinite(a) if name != "volume" else ~(np.isfinite(a) & (a >= 0.0))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"compute: column {name!r} row {i} is {a[i]!r} (must be finite"
                             f"{' and >= 0' if name == 'volume' else ''})")
    return a


def compute(Indicator indicator, close=None, *, high=None, low=None, volume=None, ts_ns=None) -> dict:
    """Feed numpy columns through ``indicator``'s C update path, one row per step, continuing from
    its current state, and return every output per step.

    Columns are decimal prices (``high``/``low`` default to ``close`` when the indicator does not
    need them), ``volume`` in size units (default 0), ``ts_ns`` UNIX ns int64 (default 0). A column
    listed in ``indicator.inputs`` is required. Returns ``{output_name: float64 array}`` for every
    name in ``indicator.output_names`` plus ``"initialized"`` (bool array).
    """
    cols = {"close": close, "high": high, "low": low, "volume": volume}
    for name in indicator.inputs:
        if cols[name] is None:
            raise ValueError(f"compute: {indicator!r} needs the {name!r} column")
    cdef Py_ssize_t n = -1
    for name in ("close", "high", "low", "volume"):
        if cols[name] is not None:
            n = len(cols[name])
            break
    if n < 0:
        raise ValueError("compute: no input column given")
    ref = cols["close"] if cols["close"] is not None else cols["high"]
    cdef const double[::1] c = _col(ref, "close", n, np.float64)
    cdef const double[::1] h = _col(high, "high", n, np.float64) if high is not None else c
    cdef const double[::1] lo = _col(low, "low", n, np.float64) if low is not None else c
    cdef const double[::1] v = (_col(volume, "volume", n, np.float64) if volume is not None
                                else np.zeros(n, dtype=np.float64))
    cdef const int64_t[::1] ts = (_col(ts_ns, "ts_ns", n, np.int64) if ts_ns is not None
                                  else np.zeros(n, dtype=np.int64))
    if high is not None and low is not None and "high" in indicator.inputs:
        below = np.asarray(h) < np.asarray(lo)
        if below.any():
            row = int(np.argmax(below))
            raise ValueError(f"compute: row {row} has high {h[row]} below low {lo[row]}")
    cdef Py_ssize_t n_out = len(indicator.output_names)
    out_arr = np.empty((n_out, n), dtype=np.float64)
    init_arr = np.empty(n, dtype=np.bool_)
    cdef double[:, ::1] out = out_arr
    cdef unsigned char[::1] init = init_arr.view(np.uint8)
    cdef double buf[8]
    cdef Py_ssize_t i, j
    for i in range(n):
        indicator.update_c(h[i], lo[i], c[i], v[i], ts[i])
        indicator.outputs_c(buf)
        for j in range(n_out):
            out[j, i] = buf[j]
        init[i] = indicator.initialized
    indicator._box_outputs()
    result = {name: out_arr[j] for j, name in enumerate(indicator.output_names)}
    result["initialized"] = init_arr
    return result


def update_from_bars(Indicator indicator, const BarRec[::1] bars) -> None:
    """Update ``indicator`` from a ``BAR_DTYPE`` record array through the C record path
    (``handle_bar_rec``: raw fixed-point high/low/close/volume converted to decimal, ``ts_event``)."""
    cdef Py_ssize_t i
    for i in range(bars.shape[0]):
        indicator.handle_bar_rec(&bars[i])


def update_from_trades(Indicator indicator, const TradeTickRec[::1] trades) -> None:
    """Update ``indicator`` from a ``TRADE_TICK_DTYPE`` record array (``handle_trade_rec``)."""
    cdef Py_ssize_t i
    for i in range(trades.shape[0]):
        indicator.handle_trade_rec(&trades[i])


def update_from_quotes(Indicator indicator, const QuoteTickRec[::1] quotes) -> None:
    """Update ``indicator`` from a ``QUOTE_TICK_DTYPE`` record array (``handle_quote_rec``, mid)."""
    cdef Py_ssize_t i
    for i in range(quotes.shape[0]):
        indicator.handle_quote_rec(&quotes[i])


# ------------------------------------------------------------------------------------------------
# `value` and `initialized` as read-only slot members (see Indicator._value_box in the .pxd)

cdef int _install_box_members() except -1:
    """Replace the getset properties ``Indicator.value`` / ``Indicator.initialized`` with read-only
    member descriptors over the boxes (strategies read ``indicator.value`` on every bar)."""
    cdef Indicator probe = Indicator.__new__(Indicator)
    value_mark, init_mark = object(), object()
    probe._value_box = value_mark
    probe._initialized_box = init_mark
    readonly_members(Indicator, probe, {"value": value_mark, "initialized": init_mark},
                     {"value": "The primary output (float).",
                      "initialized": "True once enough inputs arrived for the full definition (bool)."})
    return 0


_install_box_members()
