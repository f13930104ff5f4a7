"""Execution models of the simulated venue (see execution_models.pxd).

Python subclasses may override the documented hook of each model:

* ``FillModel.is_limit_filled() -> bool`` and ``FillModel.slippage_ticks() -> int``;
* ``QueueModel.size_ahead_on_join(level_size: int) -> int`` (raw sizes, scale 1e9);
* ``LatencyModel.latency_ns(command: str) -> int`` (command is "submit", "modify" or "cancel");
* ``FeeModel.commission(order, quantity: Quantity, price: Price, liquidity_side: LiquiditySide,
  instrument, first_fill: bool) -> Money`` (the amount charged, > 0 = paid).

The built-ins run in C; an override is detected once at construction.
"""
from libc.math cimport isfinite
from libc.stdint cimport INT64_MAX, int64_t, uint64_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport AF_POW10, Price, Quantity, f64_to_raw
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.order_events cimport LIQ_MAKER, LIQ_TAKER
from alphaforge._core.orders cimport Order
from alphaforge._core.python_subclass cimport inline_values_for_subclasses, use_combined_dict

import numpy as np

from alphaforge._core.currency import Currency as _PyCurrency
from alphaforge.model.enums import LiquiditySide

cdef dict _CMD_NAMES = {CMD_SUBMIT: "submit", CMD_MODIFY: "modify", CMD_CANCEL: "cancel"}


cdef uint64_t _seed_of(object seed) except? 0:
    cdef uint64_t s
    if seed is None:
        s = 0x9E3779B97F4A7C15ULL
    else:
        s = (<uint64_t>(int(seed) & 0xFFFFFFFFFFFFFFFF)) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL
    return s if s != 0 else 0x9E3779B97F4A7C15ULL


cdef class _Rng:
    """xorshift64* generator (deterministic per seed)."""

    def __init__(self, seed=None):
        self.seed = _seed_of(seed)
        self.state = self.seed

    cdef void reset(self) noexcept:
        self.state = self.seed


cdef double _prob(double p, str name) except? -1.0:
    if not isfinite(p) or p < 0.0 or p > 1.0:
        raise ValueError(f"invalid {name} {p!r}: must be within [0, 1]")
    return p


cdef class FillModel:
    """Fill model: probability that a resting limit order fills when the market only *touches* its
    price (a trade or quote exactly at the limit; trading through always fills), and the probability
    of one tick of adverse slippage on market / stop-market fills.

    ``FillModel(prob_fill_on_limit=1.0, prob_slippage=0.0, random_seed=None)``. Python subclasses may
    override ``is_limit_filled()`` and/or ``slippage_ticks()``.
    """

    def __cinit__(self, *args, **kwargs):
        use_combined_dict(self)   # fast self.x in Python subclasses (see python_subclass.pxd)

    def __init__(self, double prob_fill_on_limit=1.0, double prob_slippage=0.0, random_seed=None):
        self.prob_fill_on_limit = _prob(prob_fill_on_limit, "prob_fill_on_limit")
        self.prob_slippage = _prob(prob_slippage, "prob_slippage")
        self.random_seed = random_seed
        self._rng = _Rng(random_seed)
        cls = type(self)
        self._py_fill = cls.is_limit_filled is not FillModel.is_limit_filled
        self._py_slip = cls.slippage_ticks is not FillModel.slippage_ticks

    def reset(self) -> None:
        """Restart the random sequence (called by SimulatedExchange.reset)."""
        self._rng.reset()

    cdef bint limit_filled_c(self) except -1:
        if self._py_fill:
            return bool(self.is_limit_filled())
        if self.prob_fill_on_limit >= 1.0:
            return True
        if self.prob_fill_on_limit <= 0.0:
            return False
        return self._rng.uniform() < self.prob_fill_on_limit

    cdef int slippage_ticks_c(self) except -1:
        cdef object n
        if self._py_slip:
            n = self.slippage_ticks()
            if n < 0:
                raise ValueError(f"{type(self).__name__}.slippage_ticks() returned {n}: must be >= 0")
            return int(n)
        if self.prob_slippage <= 0.0:
            return 0
        return 1 if self._rng.uniform() < self.prob_slippage else 0

    def is_limit_filled(self) -> bool:
        """True when a limit order touched (not traded through) fills (built-in: prob_fill_on_limit)."""
        if self.prob_fill_on_limit >= 1.0:
            return True
        if self.prob_fill_on_limit <= 0.0:
            return False
        return self._rng.uniform() < self.prob_fill_on_limit

    def slippage_ticks(self) -> int:
        """Adverse ticks for a market/stop-market fill (built-in: 1 with prob_slippage, else 0)."""
        if self.prob_slippage <= 0.0:
            return 0
        return 1 if self._rng.uniform() < self.prob_slippage else 0


cdef class QueueModel:
    """Queue position of resting limit orders on L2/L3 book venues.

    ``kind``: ``"none"`` (no queue: a trade at the order's price fills it, subject to the FillModel's
    touch probability), ``"fifo"`` (the order joins behind the displayed size at its level; trades at
    the level eat the size ahead first; on L3 data the exact FIFO of order ids is used, on L2 a level
    decrease is assumed to come from behind the order first), or ``"probabilistic"`` (as fifo, but an
    L2 level decrease shrinks the size ahead and behind in proportion). Python subclasses may override
    ``size_ahead_on_join(level_size)`` (raw sizes) to assume a different starting queue position.
    """

    def __cinit__(self, *args, **kwargs):
        use_combined_dict(self)   # fast self.x in Python subclasses (see python_subclass.pxd)

    def __init__(self, str kind="none"):
        if kind not in ("none", "fifo", "probabilistic"):
            raise ValueError(f"invalid QueueModel kind {kind!r}: expected 'none', 'fifo' or 'probabilistic'")
        self.kind = kind
        self.uses_queue = kind != "none"
        self.book_rule = "proportional" if kind == "probabilistic" else "pessimistic"
        self._py_join = type(self).size_ahead_on_join is not QueueModel.size_ahead_on_join

    cdef int64_t size_ahead_on_join_c(self, int64_t level_size_raw) except? -1:
        cdef object v
        if self._py_join:
            v = self.size_ahead_on_join(level_size_raw)
            if v < 0:
                raise ValueError(f"{type(self).__name__}.size_ahead_on_join returned {v}: must be >= 0")
            return v
        return level_size_raw

    def size_ahead_on_join(self, level_size: int) -> int:
        """Raw size ahead of an order joining a level showing ``level_size`` (built-in: all of it)."""
        return level_size

    def __repr__(self) -> str:
        return f"QueueModel({self.kind!r})"


cdef int64_t _nonneg(object v, str name) except? -1:
    if v is None:
        return -1
    cdef int64_t x = v
    if x < 0:
        raise ValueError(f"invalid {name} {v!r}: must be >= 0 ns")
    return x


cdef class LatencyModel:
    """Command latency (ns) between a strategy's command and its arrival at the venue.

    ``LatencyModel(base_latency_ns=0, insert_latency_ns=None, update_latency_ns=None,
    cancel_latency_ns=None, jitter_ns=0, samples_ns=None, random_seed=None)``: a submit takes
    ``insert_latency_ns`` (default ``base_latency_ns``), a modify ``update_latency_ns`` and a cancel
    ``cancel_latency_ns`` (same default); with ``samples_ns`` (an array of ns) a sample drawn uniformly
    with the seed replaces the per-type constant; a uniform integer jitter in ``[0, jitter_ns]`` is
    added. Python subclasses may override ``latency_ns(command)``.
    """

    def __cinit__(self, *args, **kwargs):
        use_combined_dict(self)   # fast self.x in Python subclasses (see python_subclass.pxd)

    def __init__(self, base_latency_ns=0, insert_latency_ns=None, update_latency_ns=None,
                 cancel_latency_ns=None, jitter_ns=0, samples_ns=None, random_seed=None):
        self.base_latency_ns = _nonneg(base_latency_ns, "base_latency_ns")
        cdef int64_t v
        v = _nonneg(insert_latency_ns, "insert_latency_ns")
        self.insert_latency_ns = self.base_latency_ns if v < 0 else v
        v = _nonneg(update_latency_ns, "update_latency_ns")
        self.update_latency_ns = self.base_latency_ns if v < 0 else v
        v = _nonneg(cancel_latency_ns, "cancel_latency_ns")
        self.cancel_latency_ns = self.base_latency_ns if v < 0 else v
        self.jitter_ns = _nonneg(jitter_ns, "jitter_ns")
        self.random_seed = random_seed
        self._rng = _Rng(random_seed)
        self._nsamples = 0
        self._samples_arr = None
        if samples_ns is not None:
            arr = np.ascontiguousarray(np.asarray(samples_ns, dtype=np.int64))
            if arr.ndim != 1 or arr.shape[0] == 0:
                raise ValueError("samples_ns must be a non-empty 1-d array of ns")
            if (arr < 0).any():
                raise ValueError(f"samples_ns[{int(np.argmax(arr < 0))}] is negative: latencies must be >= 0 ns")
            self._samples_arr = arr
            self._samples = arr
            self._nsamples = arr.shape[0]
        self._py = type(self).latency_ns is not LatencyModel.latency_ns

    def reset(self) -> None:
        self._rng.reset()

    cdef int64_t latency_c(self, int kind) except? -1:
        cdef int64_t base
        cdef object v
        if self._py:
            v = self.latency_ns(_CMD_NAMES[kind])
            if v < 0:
                raise ValueError(f"{type(self).__name__}.latency_ns returned {v}: must be >= 0")
            return v
        if self._nsamples > 0:
            base = self._samples[<Py_ssize_t>(self._rng.next_u64() % <uint64_t>self._nsamples)]
        elif kind == CMD_SUBMIT:
            base = self.insert_latency_ns
        elif kind == CMD_MODIFY:
            base = self.update_latency_ns
        else:
            base = self.cancel_latency_ns
        if self.jitter_ns > 0:
            base += <int64_t>(self._rng.next_u64() % <uint64_t>(self.jitter_ns + 1))
        return base

    def latency_ns(self, command: str) -> int:
        """Latency in ns of a ``"submit"``, ``"modify"`` or ``"cancel"`` command (built-in rules)."""
        cdef int kind = {"submit": CMD_SUBMIT, "modify": CMD_MODIFY, "cancel": CMD_CANCEL}[command]
        cdef int64_t base
        if self._nsamples > 0:
            base = self._samples[<Py_ssize_t>(self._rng.next_u64() % <uint64_t>self._nsamples)]
        elif kind == CMD_SUBMIT:
            base = self.insert_latency_ns
        elif kind == CMD_MODIFY:
            base = self.update_latency_ns
        else:
            base = self.cancel_latency_ns
        if self.jitter_ns > 0:
            base += <int64_t>(self._rng.next_u64() % <uint64_t>(self.jitter_ns + 1))
        return base


cdef Currency _fee_currency(Instrument instrument):
    if instrument.is_inverse and instrument.base_currency is not None:
        return instrument.base_currency
    return instrument.settlement_currency


cdef class FeeModel:
    """Commission per fill. The base class is the maker/taker model: ``notional * rate`` with the
    instrument's ``maker_fee`` / ``taker_fee`` by liquidity side, charged in the settlement currency
    (the base currency for inverse instruments), rounded half away from zero to the currency's
    precision (negative rates are rebates). The notional (``Instrument.notional_value``) and the
    product with the rate are computed in double, then rounded to the currency's precision. Python
    subclasses may override ``commission(...)``."""

    def __cinit__(self, *args, **kwargs):
        use_combined_dict(self)   # fast self.x in Python subclasses (see python_subclass.pxd)

    def __init__(self):
        self._py = type(self).commission is not FeeModel.commission and \
            type(self).commission is not MakerTakerFeeModel.commission and \
            type(self).commission is not PerUnitFeeModel.commission and \
            type(self).commission is not FixedFeeModel.commission

    cdef int64_t commission_raw_c(self, Order order, int64_t qty_raw, int64_t px_raw, int liquidity_side,
                                  Instrument instrument, bint first_fill) except? -1:
        cdef object m
        if self._py:
            m = self.commission(order, Quantity.from_raw_c(qty_raw, order.qty_prec),
                                Price.from_raw_c(px_raw, instrument.price_precision),
                                LiquiditySide(liquidity_side), instrument, first_fill)
            if m is None:
                self.last_currency = None
                return 0
            if not isinstance(m, Money):
                raise TypeError(f"{type(self).__name__}.commission must return Money or None, got {type(m).__name__}")
            self.last_currency = (<Money>m).currency
            return (<Money>m).raw
        return self._builtin(order, qty_raw, px_raw, liquidity_side, instrument, first_fill)

    cdef int64_t _builtin(self, Order order, int64_t qty_raw, int64_t px_raw, int liquidity_side,
                          Instrument instrument, bint first_fill) except? -1:
        cdef Currency ccy = _fee_currency(instrument)
        cdef double rate = instrument.maker_fee if liquidity_side == LIQ_MAKER else instrument.taker_fee
        self.last_currency = ccy
        if rate == 0.0:
            return 0
        cdef double notional = instrument.notional_value(<double>qty_raw / 1e9, <double>px_raw / 1e9)
        return f64_to_raw(notional * rate, ccy.precision)

    def commission(self, order, quantity, price, liquidity_side, instrument, first_fill) -> Money:
        """Commission for one fill of ``quantity`` at ``price`` (built-in rule of this class)."""
        cdef int64_t raw = self._builtin(order, quantity.raw, price.raw, int(liquidity_side), instrument,
                                         first_fill)
        return Money.from_raw_c(raw, self.last_currency)


cdef class MakerTakerFeeModel(FeeModel):
    """The instrument's maker/taker rates on the fill notional (the FeeModel default)."""


cdef Currency _currency_arg(object c):
    if c is None or isinstance(c, Currency):
        return c
    return _PyCurrency.from_str(str(c))


cdef class PerUnitFeeModel(FeeModel):
    """``per_unit`` per share/contract filled (``PerUnitFeeModel(0.005, "USD")``); the currency
    defaults to the instrument's fee currency."""

    def __init__(self, double per_unit, currency=None):
        if not isfinite(per_unit):
            raise ValueError(f"invalid per_unit {per_unit!r}: must be finite")
        self.per_unit = per_unit
        self.currency = _currency_arg(currency)
        FeeModel.__init__(self)

    cdef int64_t _builtin(self, Order order, int64_t qty_raw, int64_t px_raw, int liquidity_side,
                          Instrument instrument, bint first_fill) except? -1:
        cdef Currency ccy = self.currency if self.currency is not None else _fee_currency(instrument)
        self.last_currency = ccy
        return f64_to_raw(self.per_unit * (<double>qty_raw / 1e9), ccy.precision)


cdef class FixedFeeModel(FeeModel):
    """A fixed ``per_order`` commission, charged on an order's first fill only (or on every fill
    with ``charge_every_fill=True``); the currency defaults to the instrument's fee currency."""

    def __init__(self, double per_order, currency=None, bint charge_every_fill=False):
        if not isfinite(per_order):
            raise ValueError(f"invalid per_order {per_order!r}: must be finite")
        self.per_order = per_order
        self.currency = _currency_arg(currency)
        self.charge_every_fill = charge_every_fill
        FeeModel.__init__(self)

    cdef int64_t _builtin(self, Order order, int64_t qty_raw, int64_t px_raw, int liquidity_side,
                          Instrument instrument, bint first_fill) except? -1:
        cdef Currency ccy = self.currency if self.currency is not None else _fee_currency(instrument)
        self.last_currency = ccy
        if not first_fill and not self.charge_every_fill:
            return 0
        return f64_to_raw(self.per_order, ccy.precision)


for _base in (FillModel, QueueModel, LatencyModel, FeeModel):
    inline_values_for_subclasses(_base)   # fast self.x in Python subclasses (python_subclass.pxd)
