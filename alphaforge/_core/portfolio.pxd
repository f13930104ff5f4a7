# Portfolio: accounts by venue, last prices by interned instrument index, open positions (from a
# cache or registered directly), equity/exposure/PnL views and a sampled equity curve.
from libc.stdint cimport int64_t, uint8_t, uint32_t

from alphaforge._core.currency cimport Currency
from alphaforge._core.position cimport Position


cdef class Portfolio:
    cdef object _cache
    cdef readonly Currency base_currency
    """Currency equity is reported in (None: the single currency found, else an error)."""
    cdef object _rate_fn
    cdef dict _accounts             # Venue -> Account
    cdef list _account_list         # the values of _accounts (for the sampling loop)
    cdef list _positions            # positions registered with add_position (no cache)
    cdef dict _instruments          # InstrumentId -> Instrument (optional, for rates/currencies)
    cdef object _prices_arr         # numpy int64, raw last price by InstrumentId.index
    cdef object _has_arr            # numpy uint8, 1 when a price was set
    cdef int64_t[::1] _prices
    cdef uint8_t[::1] _has
    cdef readonly int64_t sample_interval_ns
    cdef int64_t _next_sample
    cdef int64_t _last_sample_ts
    cdef Py_ssize_t _n
    cdef object _ts_arr
    cdef object _bal_arr
    cdef object _pv_arr
    cdef int64_t[::1] _ts_v
    cdef double[::1] _bal_v
    cdef double[::1] _pv_v
    cdef bint _is_cache                 # _cache is the trading Cache (C fast path for open positions)
    cdef list _open_all                 # cached open positions (all venues/instruments)
    cdef int64_t _open_version          # Cache.positions_version _open_all was built at (-1: stale)
    cdef int64_t _sample_version        # Cache.positions_version at the last equity sample (-1: none)

    cdef int update_price_c(self, uint32_t index, int64_t raw) except -1
    cdef bint has_price_c(self, uint32_t index) noexcept
    cdef double price_f64_c(self, uint32_t index) noexcept
    cdef int _grow_prices(self, uint32_t index) except -1
    cdef list _open(self, object venue, object instrument_id)
    cdef double _last_px(self, object position) except? -1.0
    cdef double _rate(self, Currency src, Currency dst) except? -1.0
    cdef double _to_base(self, dict amounts, Currency target, str what) except? -1.0
    cdef Currency _target(self, dict amounts, object venue)
    cdef tuple _values(self, object venue)
    # Balance and positions value in the base currency without Python containers when every amount
    # is already in the base currency; False when the general path (_values) is needed.
    cdef bint _values_fast(self, double* balance, double* positions_value) except -1
    # Record an equity-curve point if due (the backtest loop's per-event call). Returns 1 if recorded.
    cdef int sample_c(self, int64_t ts_ns, bint force=*) except -1
    cdef int _grow_samples(self) except -1
    cdef int _resize_samples(self, Py_ssize_t cap) except -1
