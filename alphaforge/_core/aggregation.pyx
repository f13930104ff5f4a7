"""Bar aggregation from trade and quote records: streaming aggregators and a batch ``aggregate``.

Specs are ``"{step}-{AGGREGATION}-{PRICE_TYPE}"`` (``1-MINUTE-LAST``, ``1000-TICK-LAST``,
``50000-VOLUME-LAST``, ``1000000-VALUE-LAST``, ``5-SECOND-MID``, ``10-RENKO-LAST``...). Price types:
``LAST`` (trade records), ``BID``/``ASK``/``MID`` (quote records). The step is a decimal number: an
integer count for TICK*, an integer number of units for time bars, a quantity for VOLUME*, a
notional for VALUE*, a price for RENKO.

Units and arithmetic: prices, sizes and bar volumes are int64 raw fixed-point at 10^9; timestamps
are int64 UNIX ns. The notional of a tick is ``|price_raw| * size_raw`` computed exactly in C
``__int128`` (scale 10^18) - no doubles. Quotes: BID uses ``bid_price``/``bid_size``, ASK uses
``ask_price``/``ask_size``, MID uses ``(bid+ask)/2`` and ``(bid_size+ask_size)/2`` (integer halves,
truncated toward zero) with one more decimal of precision (capped at 9).

Rules (every bar holds OHLC of the ticks it contains and the sum of their sizes):

* **Time bars** (MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK): buckets ``[origin + k*I,
  origin + (k+1)*I)``; the default origin is the epoch (WEEK: Monday 1970-01-05 00:00 UTC, so weeks
  run Monday to Monday). A tick at exactly a boundary belongs to the bucket that *starts* there
  (pandas ``resample(closed="left", label="right")``). A bar's ``ts_event`` and ``ts_init`` are its
  bucket end (close time). A bar closes on the clock: ``on_time(ts)`` closes every bucket ending at
  or before ``ts``; ``next_close_ns()`` tells when the next one ends. A tick at or after the bucket
  end closes it first (the same bar a timer would have closed). Empty buckets are skipped, or
  emitted as flat bars (O=H=L=C=previous close, volume 0) with ``fill_empty=True`` (only after the
  first bar, since before it there is no previous close).
* **TICK**: a bar closes on its ``step``-th tick; ``ts_event``/``ts_init`` of the closing tick.
* **VOLUME**: a bar closes when its volume reaches ``step`` exactly. A tick that crosses the
  threshold is split: the part that fills the bar closes it, the remainder opens the next bar, and
  a tick larger than several steps fills several bars, each with O=H=L=C=its price (all closed at
  that tick's timestamps). Every closed bar has volume == step.
* **VALUE**: a bar closes when its notional sum(|price| * size) reaches ``step``. A crossing tick is
  split: the size that fills the bar is ``ceil(remaining_notional / |price|)`` rounded *up* to the
  size precision (so volumes stay representable), capped at the tick's size; the remainder opens the
  next bar (and may fill several). A closed bar's notional is therefore >= step, exceeding it by
  less than one size increment times the price; that excess is not carried over. Zero-price ticks
  add no notional.
* **TICK/VOLUME/VALUE_IMBALANCE**: each tick adds +c (buyer aggressor), -c (seller aggressor) or 0
  (no aggressor) with c = 1, size or notional; the bar closes on the tick after which
  ``|sum| >= step`` (the tick is not split); the sum restarts at 0 for the next bar. Trades only.
* **TICK/VOLUME/VALUE_RUNS**: a run is a sequence of ticks with the same aggressor side; a tick
  of the other side starts a new run (the bar continues), ticks with no aggressor belong to the bar
  but do not touch the run. The bar closes on the tick that brings the current run's sum of c to
  ``>= step`` (not split); the next bar starts with no run. Trades only.
* **RENKO**: bricks of ``step`` price. The first tick anchors the brick grid at its price. Whenever
  the price reaches ``anchor + step`` (or ``anchor - step``) one bar is emitted per brick crossed:
  open = the previous edge, close = the new edge, high/low = max/min of those (no wicks). The first
  brick of a tick carries the volume traded since the previous brick (including this tick), any
  further bricks of the same tick have volume 0. One brick reverses direction (no 2-brick rule).

Precision: by default each record's ``price_prec``/``size_prec`` are copied into the bars (+1 for
MID); pass ``price_precision``/``size_precision`` to fix them. Timestamps are assumed
non-decreasing (the DataEngine validates this); a late tick is added to the bar in progress.
"""
from libc.stdint cimport INT64_MAX, INT64_MIN, int64_t, uint8_t, uint32_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

import numpy as np

from alphaforge._core.enums cimport (
    AGG_DAY,
    AGG_HOUR,
    AGG_MILLISECOND,
    AGG_MINUTE,
    AGG_RENKO,
    AGG_SECOND,
    AGG_TICK,
    AGG_TICK_IMBALANCE,
    AGG_TICK_RUNS,
    AGG_VALUE,
    AGG_VALUE_IMBALANCE,
    AGG_VALUE_RUNS,
    AGG_VOLUME,
    AGG_VOLUME_IMBALANCE,
    AGG_VOLUME_RUNS,
    AGG_WEEK,
    AGGRESSOR_BUYER,
    AGGRESSOR_SELLER,
    PRICE_ASK,
    PRICE_BID,
    PRICE_LAST,
    PRICE_MID,
)
from alphaforge._core.data cimport QuoteTick, TradeTick
from alphaforge._core.fixed cimport AF_POW10, str_to_raw
from alphaforge._core.python_subclass cimport inline_values_for_subclasses, use_combined_dict
from alphaforge._core.records cimport BarRec, QuoteTickRec, TradeTickRec

from alphaforge._core.records import BAR_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

cdef int64_t NS_MS = 1_000_000
cdef int64_t NS_S = 1_000_000_000
cdef int64_t NS_DAY = 86_400 * NS_S
cdef int64_t WEEK_ORIGIN_NS = 4 * NS_DAY       # Monday 1970-01-05 00:00 UTC
cdef af_i128 SCALE = 1_000_000_000
# Guard against a clock jump emitting an absurd number of flat bars (fill_empty): on_time raises.
cdef int64_t MAX_FLAT_BARS = 100_000_000

AGGREGATIONS = {
    "TICK": AGG_TICK, "TICK_IMBALANCE": AGG_TICK_IMBALANCE, "TICK_RUNS": AGG_TICK_RUNS,
    "VOLUME": AGG_VOLUME, "VOLUME_IMBALANCE": AGG_VOLUME_IMBALANCE, "VOLUME_RUNS": AGG_VOLUME_RUNS,
    "VALUE": AGG_VALUE, "VALUE_IMBALANCE": AGG_VALUE_IMBALANCE, "VALUE_RUNS": AGG_VALUE_RUNS,
    "MILLISECOND": AGG_MILLISECOND, "SECOND": AGG_SECOND, "MINUTE": AGG_MINUTE, "HOUR": AGG_HOUR,
    "DAY": AGG_DAY, "WEEK": AGG_WEEK, "RENKO": AGG_RENKO,
}
PRICE_TYPES = {"BID": PRICE_BID, "ASK": PRICE_ASK, "MID": PRICE_MID, "LAST": PRICE_LAST}
_TIME_UNIT_NS = {
    AGG_MILLISECOND: NS_MS, AGG_SECOND: NS_S, AGG_MINUTE: 60 * NS_S, AGG_HOUR: 3600 * NS_S,
    AGG_DAY: NS_DAY, AGG_WEEK: 7 * NS_DAY,
}
# User-defined aggregators: NAME -> class (see register_aggregator).
_CUSTOM = {}


cdef inline bint _is_time(int kind) noexcept nogil:
    return AGG_MILLISECOND <= kind <= AGG_WEEK


cdef class BarSpec:
    """A parsed bar specification ``"{step}-{AGGREGATION}-{PRICE_TYPE}"``.

    Attributes: ``text`` (canonical string), ``step_text`` (the step as written), ``step_raw``
    (the step as raw fixed-point, step * 10^9), ``aggregation`` (BarAggregation value, 0 for a
    user-registered aggregation), ``aggregation_name``, ``price_type`` (PriceType value),
    ``price_type_name``, ``interval_ns`` (time bars: bucket length in ns, else 0).
    """

    def __init__(self, str text):
        cdef list parts = text.strip().split("-")
        if len(parts) != 3:
            raise ValueError(
                f"invalid bar spec {text!r}: expected '{{step}}-{{AGGREGATION}}-{{PRICE_TYPE}}', "
                "e.g. '1-MINUTE-LAST'"
            )
        step_s, agg_s, pt_s = parts[0].strip(), parts[1].strip().upper(), parts[2].strip().upper()
        if pt_s not in PRICE_TYPES:
            raise ValueError(f"invalid bar spec {text!r}: unknown price type {pt_s!r} (BID, ASK, MID, LAST)")
        if agg_s in AGGREGATIONS:
            self.aggregation = AGGREGATIONS[agg_s]
        elif agg_s in _CUSTOM:
            self.aggregation = 0
        else:
            raise ValueError(
                f"invalid bar spec {text!r}: unknown aggregation {agg_s!r} "
                f"(built-in: {', '.join(AGGREGATIONS)}; registered: {', '.join(sorted(_CUSTOM)) or 'none'})"
            )
        cdef int prec = 0
        try:
            self.step_raw = str_to_raw(step_s, &prec, "bar step")
        except ValueError as e:
            raise ValueError(f"invalid bar spec {text!r}: step {step_s!r} is not a decimal number") from e
        if self.step_raw <= 0:
            raise ValueError(f"invalid bar spec {text!r}: step must be > 0")
        self.price_type = PRICE_TYPES[pt_s]
        self.aggregation_name = agg_s
        self.price_type_name = pt_s
        self.step_text = step_s
        self.interval_ns = 0
        cdef int a = self.aggregation
        if a == AGG_TICK or a == AGG_TICK_IMBALANCE or a == AGG_TICK_RUNS or _is_time(a):
            if self.step_raw % NS_S != 0:
                raise ValueError(f"invalid bar spec {text!r}: {agg_s} step must be an integer")
        if _is_time(a):
            unit = _TIME_UNIT_NS[a]
            steps = self.step_raw // NS_S
            if steps * unit > 100 * 365 * NS_DAY:
                raise ValueError(f"invalid bar spec {text!r}: interval longer than 100 years")
            self.interval_ns = steps * unit
        if (a in (AGG_TICK_IMBALANCE, AGG_TICK_RUNS, AGG_VOLUME_IMBALANCE, AGG_VOLUME_RUNS,
                  AGG_VALUE_IMBALANCE, AGG_VALUE_RUNS) and self.price_type != PRICE_LAST):
            raise ValueError(
                f"invalid bar spec {text!r}: {agg_s} bars need the aggressor side of trades (price type LAST)"
            )
        step_canon = step_s if prec == 0 else step_s.rstrip("0").rstrip(".")
        self.text = f"{step_canon}-{agg_s}-{pt_s}"

    @property
    def step(self):
        """The step as an ``int`` when integral (counts, time units), else a ``Decimal``."""
        if self.step_raw % NS_S == 0:
            return self.step_raw // NS_S
        from decimal import Decimal
        return Decimal(self.step_raw) / Decimal(NS_S)

    @property
    def is_time(self) -> bool:
        return _is_time(self.aggregation)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"BarSpec({self.text!r})"

    def __eq__(self, other):
        return isinstance(other, BarSpec) and (<BarSpec>other).text == self.text

    def __hash__(self):
        return hash(self.text)


cpdef BarSpec parse_bar_spec(object spec):
    """Parse ``spec`` (a str like ``"1-MINUTE-LAST"``, a ``BarSpec``, or any object whose ``str()``
    is such a spec, e.g. a BarSpecification; a BarType's ``.spec`` is used when present)."""
    if isinstance(spec, BarSpec):
        return <BarSpec>spec
    if not isinstance(spec, str):
        inner = getattr(spec, "spec", None)
        if inner is not None and inner is not spec:
            return parse_bar_spec(inner)
        spec = str(spec)
    return BarSpec(spec)


# ------------------------------------------------------------------------------------------------
# Inline step functions shared by streaming and batch paths
# ------------------------------------------------------------------------------------------------

cdef BarRec* _grow(AggState* st) noexcept nogil:
    cdef Py_ssize_t cap = st.cap * 2 if st.cap else 64
    cdef BarRec* p = <BarRec*>realloc(st.out, cap * sizeof(BarRec))
    if p == NULL:
        st.oom = True
        return &st.scratch
    st.out = p
    st.cap = cap
    st.n_out += 1
    return &p[st.n_out - 1]


cdef inline BarRec* _slot(AggState* st) noexcept nogil:
    if st.n_out < st.cap:
        st.n_out += 1
        return &st.out[st.n_out - 1]
    return _grow(st)


cdef inline void _emit(AggState* st, int64_t ts_event, int64_t ts_init) noexcept nogil:
    cdef BarRec* b = _slot(st)
    b.ts_event = ts_event
    b.ts_init = ts_init
    b.open = st.open
    b.high = st.high
    b.low = st.low
    b.close = st.close
    b.volume = st.volume
    b.bar_type_id = st.bar_type_id
    b.price_prec = st.price_prec
    b.size_prec = st.size_prec
    b.flags = 0
    st.has_bar = False
    st.has_close = True
    st.last_close = st.close
    st.volume = 0
    st.count = 0


cdef inline void _add(AggState* st, int64_t price, int64_t size) noexcept nogil:
    if st.has_bar:
        # conditional moves, not branches: random-walk prices make these unpredictable
        st.high = price if price > st.high else st.high
        st.low = price if price < st.low else st.low
        st.close = price
        st.volume += size
        st.count += 1
    else:
        st.open = price
        st.high = price
        st.low = price
        st.close = price
        st.volume = size
        st.count = 1
        st.has_bar = True


cdef inline int64_t _floor_div(int64_t a, int64_t b) noexcept nogil:
    # b > 0; Python floor semantics (the module compiles with cdivision on).
    cdef int64_t q = a / b
    if (a % b) != 0 and a < 0:
        q -= 1
    return q


cdef inline int64_t _bucket_end(AggState* st, int64_t ts) noexcept nogil:
    return st.origin_ns + (_floor_div(ts - st.origin_ns, st.interval_ns) + 1) * st.interval_ns


cdef void _time_advance(AggState* st, int64_t t) noexcept nogil:
    """Clock at ``t``: close every bucket ending at or before ``t`` (cold path, not inlined)."""
    cdef int64_t e
    if t < st.cur_end:
        return
    if st.has_bar:
        _emit(st, st.cur_end, st.cur_end)
    elif st.fill_empty and st.has_close:
        _emit_flat(st, st.cur_end)
    if st.fill_empty and st.has_close:
        e = st.cur_end + st.interval_ns
        while e <= t:
            _emit_flat(st, e)
            e += st.interval_ns
    st.cur_end = _bucket_end(st, t)


cdef inline void _emit_flat(AggState* st, int64_t ts) noexcept nogil:
    st.open = st.last_close
    st.high = st.last_close
    st.low = st.last_close
    st.close = st.last_close
    st.volume = 0
    _emit(st, ts, ts)


cdef inline void _time_step(AggState* st, int64_t ts, int64_t price, int64_t size) noexcept nogil:
    if ts >= st.cur_end:
        _time_advance(st, ts)
    _add(st, price, size)


cdef inline void _time_bar_step(AggState* st, const BarRec* b) noexcept nogil:
    # Input bar covering [ts_event - I_in, ts_event): it belongs to the bucket containing
    # ts_event - 1; an input bar ending exactly at the bucket end completes the output bar.
    cdef int64_t c = b.ts_event
    if c > st.cur_end:
        _time_advance(st, c - 1)
    if st.has_bar:
        if b.high > st.high:
            st.high = b.high
        if b.low < st.low:
            st.low = b.low
        st.close = b.close
        st.volume += b.volume
        st.count += 1
    else:
        st.open = b.open
        st.high = b.high
        st.low = b.low
        st.close = b.close
        st.volume = b.volume
        st.count = 1
        st.has_bar = True
    if c == st.cur_end:
        _emit(st, st.cur_end, st.cur_end)
        st.cur_end += st.interval_ns


cdef inline void _tick_step(AggState* st, int64_t ts, int64_t ts_init, int64_t price,
                            int64_t size) noexcept nogil:
    _add(st, price, size)
    if st.count >= st.step_raw:      # step_raw holds the plain count for tick bars (see __init__)
        _emit(st, ts, ts_init)


cdef inline void _volume_step(AggState* st, int64_t ts, int64_t ts_init, int64_t price,
                              int64_t size) noexcept nogil:
    cdef int64_t step = st.step_raw
    cdef int64_t remaining = step - st.volume      # volume is 0 when no bar is in progress
    if size < remaining:
        _add(st, price, size)
        return
    _add(st, price, remaining)
    _emit(st, ts, ts_init)
    size -= remaining
    while size >= step:
        _add(st, price, step)
        _emit(st, ts, ts_init)
        size -= step
    if size > 0:
        _add(st, price, size)


cdef inline void _value_step(AggState* st, int64_t ts, int64_t ts_init, int64_t price,
                             int64_t size) noexcept nogil:
    cdef int64_t apx = price if price >= 0 else -price
    cdef af_i128 v = <af_i128>apx * <af_i128>size
    cdef af_i128 rem, need128
    cdef int64_t need, unit
    if st.acc + v < st.threshold:
        _add(st, price, size)
        st.acc += v
        return
    # apx > 0 here: with apx == 0, v == 0 and acc < threshold always holds.
    unit = AF_POW10[9 - st.size_prec]
    while True:
        rem = st.threshold - st.acc
        need128 = (rem + apx - 1) / apx
        if need128 >= size:
            need = size
        else:
            need = <int64_t>need128
            if need % unit != 0:
                need += unit - need % unit
            if need > size:
                need = size
        _add(st, price, need)
        _emit(st, ts, ts_init)
        st.acc = 0
        size -= need
        if size <= 0:
            return
        v = <af_i128>apx * <af_i128>size
        if v < st.threshold:
            _add(st, price, size)
            st.acc = v
            return


cdef inline af_i128 _contribution(int kind, int64_t price, int64_t size) noexcept nogil:
    if kind == AGG_TICK_IMBALANCE or kind == AGG_TICK_RUNS:
        return 1
    if kind == AGG_VOLUME_IMBALANCE or kind == AGG_VOLUME_RUNS:
        return size
    if price < 0:
        price = -price
    return <af_i128>price * <af_i128>size


cdef inline void _imbalance_step(AggState* st, int64_t ts, int64_t ts_init, int64_t price,
                                 int64_t size, uint8_t side) noexcept nogil:
    _add(st, price, size)
    if side == AGGRESSOR_BUYER:
        st.acc += _contribution(st.kind, price, size)
    elif side == AGGRESSOR_SELLER:
        st.acc -= _contribution(st.kind, price, size)
    else:
        return
    if st.acc >= st.threshold or -st.acc >= st.threshold:
        _emit(st, ts, ts_init)
        st.acc = 0


cdef inline void _runs_step(AggState* st, int64_t ts, int64_t ts_init, int64_t price,
                            int64_t size, uint8_t side) noexcept nogil:
    _add(st, price, size)
    if side != AGGRESSOR_BUYER and side != AGGRESSOR_SELLER:
        return
    if side != st.run_side:
        st.run_side = side
        st.acc = _contribution(st.kind, price, size)
    else:
        st.acc += _contribution(st.kind, price, size)
    if st.acc >= st.threshold:
        _emit(st, ts, ts_init)
        st.acc = 0
        st.run_side = 0


cdef inline void _renko_step(AggState* st, int64_t ts, int64_t ts_init, int64_t price,
                             int64_t size) noexcept nogil:
    cdef int64_t b = st.step_raw
    cdef int64_t vol
    if not st.anchored:
        st.anchored = True
        st.anchor = price
    st.volume += size
    while price >= st.anchor + b:
        vol = st.volume
        st.open = st.anchor
        st.low = st.anchor
        st.anchor += b
        st.close = st.anchor
        st.high = st.anchor
        st.volume = vol
        _emit(st, ts, ts_init)
    while price <= st.anchor - b:
        vol = st.volume
        st.open = st.anchor
        st.high = st.anchor
        st.anchor -= b
        st.close = st.anchor
        st.low = st.anchor
        st.volume = vol
        _emit(st, ts, ts_init)


cdef inline void _quote_px(const QuoteTickRec* q, int price_type, int64_t* price,
                           int64_t* size) noexcept nogil:
    if price_type == PRICE_BID:
        price[0] = q.bid_price
        size[0] = q.bid_size
    elif price_type == PRICE_ASK:
        price[0] = q.ask_price
        size[0] = q.ask_size
    else:
        price[0] = (q.bid_price + q.ask_price) / 2
        size[0] = (q.bid_size + q.ask_size) / 2


cdef inline void _set_prec_trade(AggState* st, const TradeTickRec* r) noexcept nogil:
    st.price_prec = r.price_prec
    st.size_prec = r.size_prec


cdef inline void _set_prec_quote(AggState* st, const QuoteTickRec* q) noexcept nogil:
    if st.price_type == PRICE_MID:
        st.price_prec = q.price_prec + 1 if q.price_prec < 9 else 9
        st.size_prec = q.size_prec + 1 if q.size_prec < 9 else 9
    else:
        st.price_prec = q.price_prec
        st.size_prec = q.size_prec


cdef object _bars_to_array(const BarRec* src, Py_ssize_t n):
    arr = np.empty(n, dtype=BAR_DTYPE)
    cdef BarRec[::1] view
    if n:
        view = arr
        memcpy(&view[0], src, n * sizeof(BarRec))
    return arr


# ------------------------------------------------------------------------------------------------
# Aggregators
# ------------------------------------------------------------------------------------------------

cdef class BarAggregator:
    """Base class of every bar aggregator (built-in and user-defined).

    ``BarAggregator(spec, *, bar_type_id=0, price_precision=None, size_precision=None,
    origin_ns=None, fill_empty=False)``. Feed ticks with ``update(ts_event_ns, price_raw, size_raw,
    aggressor_side=0)`` (raw int64 values at 10^9; returns the number of bars completed), or in
    bulk with ``process(records)``; completed bars accumulate until ``pop_bars()`` returns them as a
    ``BAR_DTYPE`` array. Time-driven aggregators close bars from ``on_time(ts_ns)``.

    **Python subclass**: override ``on_tick(ts_event, ts_init, price, size, aggressor_side)`` (raw
    ints) and use ``add(price, size)`` to fold a tick into the bar in progress and
    ``close_bar(ts_event, ts_init)`` to emit it; optionally override ``on_time``/``next_close_ns``.
    Then ``register_aggregator("NAME", cls)`` makes ``"{step}-NAME-LAST"`` specs build it (the step
    is in ``self.spec.step_raw``). **Cython subclass**: set ``self._native = True`` in
    ``__init__`` and override the nogil ``_step`` method working on ``self.st`` (see
    aggregation.pxd); the batch loop then runs without the GIL.
    """

    def __cinit__(self, *args, **kwargs):
        use_combined_dict(self)   # fast self.x in Python subclasses (see python_subclass.pxd)
        self.st.out = NULL
        self.st.n_out = 0
        self.st.cap = 0

    def __dealloc__(self):
        if self.st.out != NULL:
            free(self.st.out)
            self.st.out = NULL

    def __init__(self, spec, *, uint32_t bar_type_id=0, price_precision=None, size_precision=None,
                 origin_ns=None, bint fill_empty=False):
        self.spec = parse_bar_spec(spec)
        self._native = False
        cdef AggState* st = &self.st
        st.kind = self.spec.aggregation
        st.price_type = self.spec.price_type
        st.step_raw = self.spec.step_raw
        st.interval_ns = self.spec.interval_ns
        st.threshold = 0
        if origin_ns is None:
            st.origin_ns = WEEK_ORIGIN_NS if st.kind == AGG_WEEK else 0
        else:
            st.origin_ns = <int64_t>origin_ns
        st.fill_empty = fill_empty
        st.bar_type_id = bar_type_id
        if (price_precision is None) != (size_precision is None):
            raise ValueError("give both price_precision and size_precision, or neither")
        st.auto_prec = price_precision is None
        if price_precision is not None:
            if not 0 <= price_precision <= 9 or not 0 <= size_precision <= 9:
                raise ValueError(f"precisions must be 0-9, got {price_precision!r}, {size_precision!r}")
            st.price_prec = price_precision
            st.size_prec = size_precision
        else:
            st.price_prec = 9
            st.size_prec = 9
        st.has_bar = False
        st.count = 0
        st.volume = 0
        st.cur_end = INT64_MIN
        st.has_close = False
        st.acc = 0
        st.run_side = 0
        st.anchored = False
        st.oom = False

    # -- rule ------------------------------------------------------------------------------------

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        pass

    cdef void _run_trades(self, const TradeTickRec* recs, Py_ssize_t n) noexcept nogil:
        cdef Py_ssize_t i
        cdef bint auto = self.st.auto_prec
        for i in range(n):
            if auto:
                _set_prec_trade(&self.st, &recs[i])
            self._step(recs[i].ts_event, recs[i].ts_init, recs[i].price, recs[i].size,
                       recs[i].aggressor_side)

    cdef int _check(self) except -1:
        if self.st.oom:
            self.st.oom = False
            raise MemoryError("bar aggregator: could not grow the output buffer")
        return 0

    cdef Py_ssize_t _on_tick_c(self, int64_t ts_event, int64_t ts_init, int64_t price,
                               int64_t size, uint8_t side) except -1:
        cdef Py_ssize_t before = self.st.n_out
        if self._native:
            self._step(ts_event, ts_init, price, size, side)
            if self.st.oom:
                self._check()
        else:
            self.on_tick(ts_event, ts_init, price, size, side)
        return self.st.n_out - before

    cdef Py_ssize_t handle_trade(self, const TradeTickRec* rec) except -1:
        cdef Py_ssize_t before = self.st.n_out
        if self.st.auto_prec:
            _set_prec_trade(&self.st, rec)
        if self._native:
            self._step(rec.ts_event, rec.ts_init, rec.price, rec.size, rec.aggressor_side)
            if self.st.oom:
                self._check()
        else:
            self.on_tick(rec.ts_event, rec.ts_init, rec.price, rec.size, rec.aggressor_side)
        return self.st.n_out - before

    cdef Py_ssize_t handle_quote(self, const QuoteTickRec* rec) except -1:
        cdef int64_t price, size
        if self.st.auto_prec:
            _set_prec_quote(&self.st, rec)
        _quote_px(rec, self.st.price_type, &price, &size)
        return self._on_tick_c(rec.ts_event, rec.ts_init, price, size, 0)

    cdef Py_ssize_t handle_bar(self, const BarRec* rec) except -1:
        raise TypeError(f"{type(self).__name__} does not aggregate bars (only time aggregations do)")

    # -- Python API ------------------------------------------------------------------------------

    def on_tick(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size, int aggressor_side):
        """Process one tick (raw ints; ts in ns). Python subclasses must override this."""
        raise NotImplementedError(f"{type(self).__name__} must override on_tick()")

    def update(self, int64_t ts_event, int64_t price, int64_t size, int aggressor_side=0):
        """Feed one tick: ``ts_event`` ns, ``price``/``size`` raw int64 at 10^9, aggressor side
        (1 buyer, 2 seller, 0 none); ``ts_init = ts_event``. Returns the number of bars completed."""
        return self._on_tick_c(ts_event, ts_event, price, size, <uint8_t>aggressor_side)

    def handle_trade_tick(self, tick):
        """Feed one trade view object (a ``TradeTick``, or any object with ``ts_event``,
        ``ts_init``, ``price.raw``, ``size.raw``, ``aggressor_side``); returns bars completed."""
        if isinstance(tick, TradeTick):
            return self.handle_trade((<TradeTick>tick).c_rec())
        if self.st.auto_prec:
            self.st.price_prec = tick.price.precision
            self.st.size_prec = tick.size.precision
        return self._on_tick_c(tick.ts_event, tick.ts_init, tick.price.raw, tick.size.raw,
                               <uint8_t>int(tick.aggressor_side))

    def handle_quote_tick(self, tick):
        """Feed one quote view object (``bid_price``/``ask_price``/``bid_size``/``ask_size`` with
        ``.raw``); the spec's price type selects the side. Returns the number of bars completed."""
        if isinstance(tick, QuoteTick):
            return self.handle_quote(&(<QuoteTick>tick).rec)
        cdef QuoteTickRec q
        q.ts_event = tick.ts_event
        q.ts_init = tick.ts_init
        q.bid_price = tick.bid_price.raw
        q.ask_price = tick.ask_price.raw
        q.bid_size = tick.bid_size.raw
        q.ask_size = tick.ask_size.raw
        q.price_prec = tick.bid_price.precision
        q.size_prec = tick.bid_size.precision
        return self.handle_quote(&q)

    def process(self, records):
        """Feed a whole TRADE_TICK_DTYPE or QUOTE_TICK_DTYPE (or BAR_DTYPE, time aggregators) record
        array in order; returns the number of bars completed (see ``pop_bars``)."""
        records = np.ascontiguousarray(records)
        cdef Py_ssize_t before = self.st.n_out
        cdef Py_ssize_t i, n = len(records)
        cdef TradeTickRec[::1] tv
        cdef QuoteTickRec[::1] qv
        cdef BarRec[::1] bv
        cdef int64_t price, size
        if n == 0:
            return 0
        if records.dtype == TRADE_TICK_DTYPE:
            if self.st.price_type != PRICE_LAST:
                raise ValueError(f"bar spec {self.spec.text} needs quote records, got trade records")
            tv = records
            if self._native:
                with nogil:
                    self._run_trades(&tv[0], n)
                self._check()
            else:
                for i in range(n):
                    self.handle_trade(&tv[i])
        elif records.dtype == QUOTE_TICK_DTYPE:
            if self.st.price_type == PRICE_LAST:
                raise ValueError(f"bar spec {self.spec.text} needs trade records, got quote records")
            qv = records
            if self._native:
                with nogil:
                    for i in range(n):
                        if self.st.auto_prec:
                            _set_prec_quote(&self.st, &qv[i])
                        _quote_px(&qv[i], self.st.price_type, &price, &size)
                        self._step(qv[i].ts_event, qv[i].ts_init, price, size, 0)
                self._check()
            else:
                for i in range(n):
                    self.handle_quote(&qv[i])
        elif records.dtype == BAR_DTYPE:
            bv = records
            for i in range(n):
                self.handle_bar(&bv[i])
        else:
            raise TypeError(
                f"records must be a TRADE_TICK_DTYPE, QUOTE_TICK_DTYPE or BAR_DTYPE array, got {records.dtype}"
            )
        return self.st.n_out - before

    def add(self, int64_t price, int64_t size):
        """Fold a tick (raw price, raw size) into the bar in progress (opens one if none)."""
        _add(&self.st, price, size)

    def close_bar(self, int64_t ts_event, int64_t ts_init):
        """Emit the bar in progress with these timestamps (ns); no-op without a bar in progress."""
        if self.st.has_bar:
            _emit(&self.st, ts_event, ts_init)
            self._check()

    cpdef Py_ssize_t on_time(self, int64_t ts_ns) except -1:
        """Clock at ``ts_ns``: close bars due at or before it; returns the number completed.
        Non-time aggregators ignore the clock (returns 0)."""
        return 0

    cpdef int64_t next_close_ns(self):
        """When the next bar closes on the clock (ns), or INT64_MAX if no bar is due on the clock."""
        return INT64_MAX

    cpdef object pop_bars(self):
        """Return the completed bars as a BAR_DTYPE array (oldest first) and clear the buffer."""
        arr = _bars_to_array(self.st.out, self.st.n_out)
        self.st.n_out = 0
        return arr

    @property
    def pending_bars(self) -> int:
        """Completed bars waiting in the output buffer."""
        return self.st.n_out

    @property
    def has_bar(self) -> bool:
        """True while a bar is in progress (has at least one tick)."""
        return self.st.has_bar

    @property
    def open(self) -> int:
        """Open of the bar in progress (raw)."""
        return self.st.open

    @property
    def high(self) -> int:
        """High of the bar in progress (raw)."""
        return self.st.high

    @property
    def low(self) -> int:
        """Low of the bar in progress (raw)."""
        return self.st.low

    @property
    def close(self) -> int:
        """Last price of the bar in progress (raw)."""
        return self.st.close

    @property
    def volume(self) -> int:
        """Volume of the bar in progress (raw)."""
        return self.st.volume

    @property
    def tick_count(self) -> int:
        """Ticks folded into the bar in progress."""
        return self.st.count if self.st.has_bar else 0

    @property
    def bar_type_id(self) -> int:
        return self.st.bar_type_id

    def __repr__(self):
        return f"{type(self).__name__}({self.spec.text!r})"


cdef class TimeBarAggregator(BarAggregator):
    """MILLISECOND/SECOND/MINUTE/HOUR/DAY/WEEK bars closed on the clock (see the module doc)."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        if not _is_time(self.st.kind):
            raise ValueError(f"{self.spec.text} is not a time bar spec")
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _time_step(&self.st, ts_event, price, size)

    cdef Py_ssize_t handle_trade(self, const TradeTickRec* rec) except -1:
        # Same as the base method with the rule inlined (one virtual call per record).
        cdef Py_ssize_t before = self.st.n_out
        if self.st.auto_prec:
            _set_prec_trade(&self.st, rec)
        _time_step(&self.st, rec.ts_event, rec.price, rec.size)
        if self.st.oom:
            self._check()
        return self.st.n_out - before

    def update(self, int64_t ts_event, int64_t price, int64_t size, int aggressor_side=0):
        """Feed one tick (raw ints, ts in ns; ts_init = ts_event); returns bars completed."""
        cdef Py_ssize_t before = self.st.n_out
        _time_step(&self.st, ts_event, price, size)
        if self.st.oom:
            self._check()
        return self.st.n_out - before

    cdef void _run_trades(self, const TradeTickRec* recs, Py_ssize_t n) noexcept nogil:
        cdef AggState st = self.st
        cdef Py_ssize_t i
        cdef const TradeTickRec* r
        for i in range(n):
            r = &recs[i]
            if st.auto_prec:
                _set_prec_trade(&st, r)
            if r.ts_event >= st.cur_end:
                _time_advance(&st, r.ts_event)
            _add(&st, r.price, r.size)
        self.st = st

    cdef Py_ssize_t handle_bar(self, const BarRec* rec) except -1:
        cdef Py_ssize_t before = self.st.n_out
        if self.st.auto_prec:
            self.st.price_prec = rec.price_prec
            self.st.size_prec = rec.size_prec
        _time_bar_step(&self.st, rec)
        self._check()
        return self.st.n_out - before

    def update_bar(self, int64_t ts_event, int64_t open, int64_t high, int64_t low, int64_t close,
                   int64_t volume):
        """Feed one input bar closing at ``ts_event`` ns (raw OHLCV); returns bars completed."""
        cdef BarRec b
        b.ts_event = ts_event
        b.ts_init = ts_event
        b.open = open
        b.high = high
        b.low = low
        b.close = close
        b.volume = volume
        b.price_prec = self.st.price_prec
        b.size_prec = self.st.size_prec
        return self.handle_bar(&b)

    cpdef Py_ssize_t on_time(self, int64_t ts_ns) except -1:
        cdef Py_ssize_t before = self.st.n_out
        if (self.st.fill_empty and (self.st.has_close or self.st.has_bar) and ts_ns > self.st.cur_end
                and (ts_ns - self.st.cur_end) / self.st.interval_ns > MAX_FLAT_BARS):
            raise ValueError(
                f"on_time({ts_ns}): {self.spec.text} with fill_empty would emit more than "
                f"{MAX_FLAT_BARS:,} flat bars at once"
            )
        _time_advance(&self.st, ts_ns)
        self._check()
        return self.st.n_out - before

    cpdef int64_t next_close_ns(self):
        if self.st.has_bar or (self.st.fill_empty and self.st.has_close):
            return self.st.cur_end
        return INT64_MAX

    @property
    def interval_ns(self) -> int:
        return self.st.interval_ns

    @property
    def origin_ns(self) -> int:
        return self.st.origin_ns


cdef class TickBarAggregator(BarAggregator):
    """TICK bars: close on the ``step``-th tick."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        if self.st.kind != AGG_TICK:
            raise ValueError(f"{self.spec.text} is not a TICK bar spec")
        self.st.step_raw = self.spec.step_raw // NS_S    # plain tick count
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _tick_step(&self.st, ts_event, ts_init, price, size)

    cdef Py_ssize_t handle_trade(self, const TradeTickRec* rec) except -1:
        # Same as the base method with the rule inlined (one virtual call per record).
        cdef Py_ssize_t before = self.st.n_out
        if self.st.auto_prec:
            _set_prec_trade(&self.st, rec)
        _tick_step(&self.st, rec.ts_event, rec.ts_init, rec.price, rec.size)
        if self.st.oom:
            self._check()
        return self.st.n_out - before

    def update(self, int64_t ts_event, int64_t price, int64_t size, int aggressor_side=0):
        """Feed one tick (raw ints, ts in ns; ts_init = ts_event); returns bars completed."""
        cdef Py_ssize_t before = self.st.n_out
        _tick_step(&self.st, ts_event, ts_event, price, size)
        if self.st.oom:
            self._check()
        return self.st.n_out - before

    cdef void _run_trades(self, const TradeTickRec* recs, Py_ssize_t n) noexcept nogil:
        cdef AggState st = self.st
        cdef Py_ssize_t i
        cdef const TradeTickRec* r
        for i in range(n):
            r = &recs[i]
            if st.auto_prec:
                _set_prec_trade(&st, r)
            _tick_step(&st, r.ts_event, r.ts_init, r.price, r.size)
        self.st = st


cdef class VolumeBarAggregator(BarAggregator):
    """VOLUME bars: exactly ``step`` volume each; crossing ticks are split (see the module doc)."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        if self.st.kind != AGG_VOLUME:
            raise ValueError(f"{self.spec.text} is not a VOLUME bar spec")
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _volume_step(&self.st, ts_event, ts_init, price, size)

    cdef Py_ssize_t handle_trade(self, const TradeTickRec* rec) except -1:
        # Same as the base method with the rule inlined (one virtual call per record).
        cdef Py_ssize_t before = self.st.n_out
        if self.st.auto_prec:
            _set_prec_trade(&self.st, rec)
        _volume_step(&self.st, rec.ts_event, rec.ts_init, rec.price, rec.size)
        if self.st.oom:
            self._check()
        return self.st.n_out - before

    def update(self, int64_t ts_event, int64_t price, int64_t size, int aggressor_side=0):
        """Feed one tick (raw ints, ts in ns; ts_init = ts_event); returns bars completed."""
        cdef Py_ssize_t before = self.st.n_out
        _volume_step(&self.st, ts_event, ts_event, price, size)
        if self.st.oom:
            self._check()
        return self.st.n_out - before

    cdef void _run_trades(self, const TradeTickRec* recs, Py_ssize_t n) noexcept nogil:
        cdef AggState st = self.st
        cdef Py_ssize_t i
        cdef const TradeTickRec* r
        for i in range(n):
            r = &recs[i]
            if st.auto_prec:
                _set_prec_trade(&st, r)
            _volume_step(&st, r.ts_event, r.ts_init, r.price, r.size)
        self.st = st


cdef class ValueBarAggregator(BarAggregator):
    """VALUE bars: notional sum(|price| * size) >= ``step``; crossing ticks are split."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        if self.st.kind != AGG_VALUE:
            raise ValueError(f"{self.spec.text} is not a VALUE bar spec")
        self.st.threshold = <af_i128>self.spec.step_raw * SCALE
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _value_step(&self.st, ts_event, ts_init, price, size)


cdef class ImbalanceBarAggregator(BarAggregator):
    """TICK/VOLUME/VALUE_IMBALANCE bars: close when |signed sum| >= ``step`` (trades only)."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        cdef int k = self.st.kind
        if k == AGG_TICK_IMBALANCE:
            self.st.threshold = self.spec.step_raw // NS_S
        elif k == AGG_VOLUME_IMBALANCE:
            self.st.threshold = self.spec.step_raw
        elif k == AGG_VALUE_IMBALANCE:
            self.st.threshold = <af_i128>self.spec.step_raw * SCALE
        else:
            raise ValueError(f"{self.spec.text} is not an *_IMBALANCE bar spec")
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _imbalance_step(&self.st, ts_event, ts_init, price, size, side)


cdef class RunsBarAggregator(BarAggregator):
    """TICK/VOLUME/VALUE_RUNS bars: close when the current same-side run reaches ``step``."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        cdef int k = self.st.kind
        if k == AGG_TICK_RUNS:
            self.st.threshold = self.spec.step_raw // NS_S
        elif k == AGG_VOLUME_RUNS:
            self.st.threshold = self.spec.step_raw
        elif k == AGG_VALUE_RUNS:
            self.st.threshold = <af_i128>self.spec.step_raw * SCALE
        else:
            raise ValueError(f"{self.spec.text} is not a *_RUNS bar spec")
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _runs_step(&self.st, ts_event, ts_init, price, size, side)


cdef class RenkoBarAggregator(BarAggregator):
    """RENKO bars: one bar per ``step``-price brick crossed (see the module doc)."""

    def __init__(self, spec, **kwargs):
        super().__init__(spec, **kwargs)
        if self.st.kind != AGG_RENKO:
            raise ValueError(f"{self.spec.text} is not a RENKO bar spec")
        self._native = True

    cdef void _step(self, int64_t ts_event, int64_t ts_init, int64_t price, int64_t size,
                    uint8_t side) noexcept nogil:
        _renko_step(&self.st, ts_event, ts_init, price, size)


_BUILTIN = {
    AGG_TICK: TickBarAggregator, AGG_VOLUME: VolumeBarAggregator, AGG_VALUE: ValueBarAggregator,
    AGG_TICK_IMBALANCE: ImbalanceBarAggregator, AGG_VOLUME_IMBALANCE: ImbalanceBarAggregator,
    AGG_VALUE_IMBALANCE: ImbalanceBarAggregator, AGG_TICK_RUNS: RunsBarAggregator,
    AGG_VOLUME_RUNS: RunsBarAggregator, AGG_VALUE_RUNS: RunsBarAggregator, AGG_RENKO: RenkoBarAggregator,
    AGG_MILLISECOND: TimeBarAggregator, AGG_SECOND: TimeBarAggregator, AGG_MINUTE: TimeBarAggregator,
    AGG_HOUR: TimeBarAggregator, AGG_DAY: TimeBarAggregator, AGG_WEEK: TimeBarAggregator,
}


def register_aggregator(str name, cls):
    """Register a user-defined aggregator class under aggregation ``name`` (upper-case word, no
    '-'), so ``"{step}-{name}-{PRICE_TYPE}"`` specs build ``cls(spec, **kwargs)``. ``cls`` must
    subclass ``BarAggregator``. Built-in names cannot be replaced; re-registering a name replaces it."""
    key = name.strip().upper()
    if not key or "-" in key or not key.replace("_", "").isalnum():
        raise ValueError(f"invalid aggregation name {name!r}: use letters, digits and '_'")
    if key in AGGREGATIONS:
        raise ValueError(f"aggregation name {key!r} is built in and cannot be replaced")
    if not (isinstance(cls, type) and issubclass(cls, BarAggregator)):
        raise TypeError(f"aggregator class for {key!r} must subclass BarAggregator, got {cls!r}")
    _CUSTOM[key] = cls


def unregister_aggregator(str name):
    """Remove a user-defined aggregation name (KeyError if it is not registered)."""
    del _CUSTOM[name.strip().upper()]


def registered_aggregators():
    """Names of the user-registered aggregations (sorted)."""
    return sorted(_CUSTOM)


def make_aggregator(spec, kwargs=None, **options):
    """Build the aggregator for ``spec`` (built-in or registered). Constructor options
    (bar_type_id, price_precision, size_precision, origin_ns, fill_empty) are given as keywords
    and/or as a dict in ``kwargs``."""
    cdef BarSpec s = parse_bar_spec(spec)
    kw = dict(kwargs or {})
    kw.update(options)
    if s.aggregation == 0:
        return _CUSTOM[s.aggregation_name](s, **kw)
    if not _is_time(s.aggregation) and (kw.get("fill_empty") or kw.get("origin_ns") is not None):
        raise ValueError(f"fill_empty/origin_ns apply to time bars only, not {s.text}")
    return _BUILTIN[s.aggregation](s, **kw)


def aggregate(records, spec, *, uint32_t bar_type_id=0, price_precision=None, size_precision=None,
              origin_ns=None, bint fill_empty=False, close_last=None):
    """Aggregate a TRADE_TICK_DTYPE (price type LAST) or QUOTE_TICK_DTYPE (BID/ASK/MID) record
    array into a BAR_DTYPE array, in a nogil loop for the built-in aggregations.

    Identical to feeding the records one by one to ``make_aggregator(spec)`` and then, when
    ``close_last`` is true, calling ``on_time(next_close_ns())`` once. ``close_last`` defaults to
    True for time bars (the last bucket closes on the clock at its end, like pandas' last resample
    bucket) and is not applicable to other bars (their last, incomplete bar is never emitted).
    ``origin_ns``/``fill_empty`` apply to time bars (see the module doc).
    """
    cdef BarSpec s = parse_bar_spec(spec)
    kw = dict(bar_type_id=bar_type_id, price_precision=price_precision, size_precision=size_precision)
    if _is_time(s.aggregation):
        kw.update(origin_ns=origin_ns, fill_empty=fill_empty)
    elif fill_empty or origin_ns is not None:
        raise ValueError(f"fill_empty/origin_ns apply to time bars only, not {s.text}")
    cdef BarAggregator agg = make_aggregator(s, kw)
    if not isinstance(records, np.ndarray):
        raise TypeError(f"records must be a numpy record array, got {type(records).__name__}")
    if records.dtype == BAR_DTYPE:
        raise TypeError("aggregate() takes trade or quote records; use aggregate_bars() for bars")
    agg.process(records)
    is_time = _is_time(agg.st.kind)
    if close_last is None:
        close_last = is_time
    if close_last:
        if not is_time and agg.spec.aggregation != 0:
            raise ValueError(f"close_last applies to time bars only, not {agg.spec.text}")
        if agg.next_close_ns() != INT64_MAX:
            agg.on_time(agg.next_close_ns())
    return agg.pop_bars()


def aggregate_bars(bars, spec, *, uint32_t bar_type_id=0, price_precision=None, size_precision=None,
                   origin_ns=None, bint fill_empty=False, bint close_last=True):
    """Aggregate a BAR_DTYPE array (e.g. 1-MINUTE bars) into longer time bars (e.g. 5-MINUTE).

    An input bar closing at ``t`` (ts_event = close time) covers ``[t - I_in, t)`` and goes to the
    output bucket containing ``t - 1ns``; output O = first open, H = max high, L = min low, C = last
    close, volume = sum; ``ts_event = ts_init =`` bucket end. An input bar ending exactly at a bucket
    end completes the output bar at once. ``close_last`` (default True) closes the final bucket even
    if the input stops before its end. Only time specs are accepted; the output interval should be a
    multiple of the input's.
    """
    s = parse_bar_spec(spec)
    if not _is_time(s.aggregation):
        raise ValueError(f"aggregate_bars builds time bars only, not {s.text}")
    if not isinstance(bars, np.ndarray) or bars.dtype != BAR_DTYPE:
        raise TypeError("bars must be a BAR_DTYPE record array")
    cdef TimeBarAggregator agg = TimeBarAggregator(
        s, bar_type_id=bar_type_id, price_precision=price_precision, size_precision=size_precision,
        origin_ns=origin_ns, fill_empty=fill_empty,
    )
    agg.process(bars)
    if close_last and agg.next_close_ns() != INT64_MAX:
        agg.on_time(agg.next_close_ns())
    return agg.pop_bars()


inline_values_for_subclasses(BarAggregator)   # fast self.x in Python subclasses (python_subclass.pxd)
