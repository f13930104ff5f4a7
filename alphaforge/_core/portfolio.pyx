"""Portfolio: accounts per venue, last prices, open positions, equity and an equity curve.

Decoupled from the trading cache: ``Portfolio(cache=None)`` keeps positions registered with
``add_position``; ``Portfolio(cache=c)`` asks ``c.positions_open()`` (any object with that method
returning Position objects) each time it needs them.

Prices are pushed by the engine: ``update_price(instrument_id, price)`` (Price or float) or
``update_price_raw`` (raw int64 at 10^9); they are stored in a C array indexed by the interned
``InstrumentId.index``. A view that needs the price of an open position without one raises
ValueError naming the instrument (``update_fill`` seeds a missing price with the fill price).

Values (all doubles, rounded to the currency's precision when returned as Money):

* positions value of a venue: for a MARGIN account (or a venue without an account) the sum of
  unrealized PnL of its open positions (in each PnL currency); for a CASH account the signed
  market value ``signed_qty * last * multiplier`` of positions in instruments without a base
  currency balance (equities); currency-pair holdings are already balances of the account.
* equity = account balance totals + positions value, per venue or over all venues.

Several currencies are summed in ``base_currency`` using ``rate_fn(from_currency, to_currency) ->
float`` when given; without it a rate is taken from the last price of a known instrument (a
registered instrument or an open position) quoting one currency in the other (``BTC/USDT`` gives
BTC->USDT = last, USDT->BTC = 1/last); anything else raises ValueError. Without ``base_currency``
the venue account's base currency is used, else the single currency involved (several -> error).

Equity curve: ``sample(ts_ns)`` (called by the engine clock) records ``(ts, equity, balance,
positions_value)`` in ``base_currency`` units when ``ts_ns`` reaches the next multiple of
``sample_interval_ns`` (every call when the interval is 0); samples live in preallocated numpy
arrays (ts, balance, positions value; equity = their sum) that double in size when full, or are
reserved up front with ``reserve_samples`` (the backtest engine does, from its data).
"""
import numpy as np

from cpython.dict cimport PyDict_Next
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from libc.math cimport isfinite
from libc.stdint cimport int64_t, uint8_t, uint32_t

from alphaforge._core.accounts cimport ACCOUNT_CASH, ACCOUNT_MARGIN, Account, MarginAccount, _Ledger
from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport Price, f64_to_raw
from alphaforge._core.identifiers cimport InstrumentId, StrategyId, Venue
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.position cimport Position
from alphaforge._core.trading_cache cimport Cache


cdef Money _money(double v, Currency cur):
    if not isfinite(v):
        raise ValueError(f"portfolio value in {cur.code} is not finite ({v!r})")
    if abs(v) >= 9.2e9:
        raise OverflowError(f"portfolio value {v!r} {cur.code} exceeds the int64 raw range")
    return Money.from_raw_c(f64_to_raw(v, cur.precision), cur)


cdef inline bint _mark_base(Portfolio pf, Position p, Currency base, double* total) except -1:
    """Add ``p``'s unrealized PnL at the last price to ``total``; False (nothing added) when its
    PnL currency is not ``base``."""
    if p.pnl_currency is not base and p.pnl_currency.code != base.code:
        return False
    total[0] += p.unrealized_pnl_f64(pf._last_px(p))
    return True


cdef inline void _acc(dict amounts, Currency cur, double v):
    cdef list slot = amounts.get(cur.code)
    if slot is None:
        amounts[cur.code] = [cur, v]
    else:
        slot[1] = <double>slot[1] + v


cdef class Portfolio:
    """``Portfolio(cache=None, base_currency=None, rate_fn=None, sample_interval_ns=0)``."""

    def __init__(self, cache=None, base_currency=None, rate_fn=None, int64_t sample_interval_ns=0,
                 Py_ssize_t initial_capacity=1024):
        if cache is not None and not callable(getattr(cache, "positions_open", None)):
            raise TypeError(f"invalid cache {cache!r}: needs a positions_open() method")
        if rate_fn is not None and not callable(rate_fn):
            raise TypeError(f"invalid rate_fn {rate_fn!r}: expected a callable (from_currency, to_currency) -> float")
        if sample_interval_ns < 0:
            raise ValueError(f"invalid sample_interval_ns {sample_interval_ns}: must be >= 0")
        if initial_capacity < 1:
            raise ValueError(f"invalid initial_capacity {initial_capacity}: must be >= 1")
        self._cache = cache
        if base_currency is not None and not isinstance(base_currency, Currency):
            base_currency = Currency.from_str(str(base_currency))
        self.base_currency = base_currency
        self._rate_fn = rate_fn
        self._accounts = {}
        self._account_list = []
        self._positions = []
        self._instruments = {}
        self._prices_arr = np.zeros(64, dtype=np.int64)
        self._has_arr = np.zeros(64, dtype=np.uint8)
        self._prices = self._prices_arr
        self._has = self._has_arr
        self.sample_interval_ns = sample_interval_ns
        self._next_sample = 0
        self._last_sample_ts = -1
        self._n = 0
        self._ts_arr = np.empty(initial_capacity, dtype=np.int64)
        self._bal_arr = np.empty(initial_capacity, dtype=np.float64)
        self._pv_arr = np.empty(initial_capacity, dtype=np.float64)
        self._ts_v = self._ts_arr
        self._bal_v = self._bal_arr
        self._pv_v = self._pv_arr
        self._is_cache = isinstance(cache, Cache)
        self._open_all = None
        self._open_version = -1
        self._sample_version = -1

    # ------------------------------------------------------------------------------------------
    # registration

    def register_account(self, Account account not None, venue=None) -> None:
        """Hold ``account`` for ``venue`` (Venue or str; default: the account id's issuer)."""
        if venue is None:
            venue = Venue(account.id.issuer)
        elif not isinstance(venue, Venue):
            venue = Venue(str(venue))
        if venue in self._accounts and self._accounts[venue] is not account:
            raise ValueError(f"venue {venue} already has account {self._accounts[venue].id}")
        self._accounts[venue] = account
        self._account_list = list(self._accounts.values())

    def account(self, venue):
        """The account for ``venue`` (Venue or str), or None."""
        return self._accounts.get(venue if isinstance(venue, Venue) else Venue(str(venue)))

    def accounts(self) -> list:
        return list(self._accounts.values())

    def register_instrument(self, Instrument instrument not None) -> None:
        """Make an instrument known (currencies for rates and zero-PnL views)."""
        self._instruments[instrument.id] = instrument

    def add_position(self, Position position not None) -> None:
        """Track ``position`` (without a cache). Closed positions are skipped by the views."""
        if self._cache is not None:
            raise ValueError("this portfolio reads positions from its cache: add them to the cache")
        for p in self._positions:
            if p is position:
                return
        self._positions.append(position)

    def remove_position(self, Position position not None) -> None:
        for i, p in enumerate(self._positions):
            if p is position:
                del self._positions[i]
                return
        raise ValueError(f"position {position.id} is not registered")

    cdef list _open(self, object venue, object instrument_id):
        cdef list src
        if self._is_cache and venue is None and instrument_id is None:
            if self._open_version != (<Cache>self._cache).positions_version or self._open_all is None:
                # the cache's open dict holds open positions only (non-zero quantity)
                self._open_all = (<Cache>self._cache).positions_open_c()
                self._open_version = (<Cache>self._cache).positions_version
            return self._open_all
        if self._is_cache:
            src = (<Cache>self._cache).positions_open_c()
        elif self._cache is not None:
            src = list(self._cache.positions_open())
        else:
            src = self._positions
        cdef list out = []
        cdef Position p
        for obj in src:
            p = <Position?>obj
            if p.signed_qty_raw == 0:
                continue
            if venue is not None and p.instrument_id.venue is not venue and p.instrument_id.venue != venue:
                continue
            if instrument_id is not None and p.instrument_id is not instrument_id and p.instrument_id != instrument_id:
                continue
            out.append(p)
        return out

    def positions_open(self, venue=None, InstrumentId instrument_id=None, StrategyId strategy_id=None) -> list:
        """Open positions, optionally filtered by venue, instrument and strategy."""
        if venue is not None and not isinstance(venue, Venue):
            venue = Venue(str(venue))
        cdef list out = list(self._open(venue, instrument_id))   # a copy: _open may return a cached list
        if strategy_id is not None:
            out = [p for p in out if (<Position>p).strategy_id == strategy_id]
        return out

    # ------------------------------------------------------------------------------------------
    # prices

    cdef int _grow_prices(self, uint32_t index) except -1:
        cdef Py_ssize_t n = self._prices.shape[0]
        while n <= index:
            n *= 2
        self._prices_arr = np.concatenate([self._prices_arr, np.zeros(n - self._prices.shape[0], dtype=np.int64)])
        self._has_arr = np.concatenate([self._has_arr, np.zeros(n - self._has.shape[0], dtype=np.uint8)])
        self._prices = self._prices_arr
        self._has = self._has_arr
        return 0

    cdef int update_price_c(self, uint32_t index, int64_t raw) except -1:
        if index >= <uint32_t>self._prices.shape[0]:
            self._grow_prices(index)
        self._prices[index] = raw
        self._has[index] = 1
        return 0

    cdef bint has_price_c(self, uint32_t index) noexcept:
        return index < <uint32_t>self._has.shape[0] and self._has[index] != 0

    cdef double price_f64_c(self, uint32_t index) noexcept:
        return <double>self._prices[index] / 1e9

    def update_price(self, InstrumentId instrument_id not None, price) -> None:
        """Set the last price of ``instrument_id`` (Price or float in price units)."""
        cdef double v
        if isinstance(price, Price):
            self.update_price_c(instrument_id.index, (<Price>price).raw)
            return
        v = float(price)
        if not isfinite(v) or abs(v) >= 9.2e9:
            raise ValueError(f"invalid price {price!r} for {instrument_id}: not a finite number in range")
        self.update_price_c(instrument_id.index, f64_to_raw(v, 9))

    def update_price_raw(self, InstrumentId instrument_id not None, int64_t raw) -> None:
        """Set the last price of ``instrument_id`` from a raw int64 (price * 10^9)."""
        self.update_price_c(instrument_id.index, raw)

    def last_price(self, InstrumentId instrument_id not None):
        """Last price (float) or None."""
        if not self.has_price_c(instrument_id.index):
            return None
        return self.price_f64_c(instrument_id.index)

    cdef double _last_px(self, object position) except? -1.0:
        cdef Position p = <Position>position
        if not self.has_price_c(p.instrument_id.index):
            raise ValueError(
                f"no last price for {p.instrument_id} (open position {p.id}): call Portfolio.update_price first"
            )
        return self.price_f64_c(p.instrument_id.index)

    # ------------------------------------------------------------------------------------------
    # fills

    def update_fill(self, fill not None, Instrument instrument not None, Position position=None):
        """Settle a fill on the venue's account (position already updated with it); on a margin
        account also reset the instrument's maintenance margin to the sum over its open positions
        at the venue (``margin_maint_for(|qty|, avg_px_open)``). Returns the account's last
        AccountState. Seeds the instrument's last price with the fill price if it has none."""
        cdef Venue venue = instrument.id.venue
        cdef Account acc = self._accounts.get(venue)
        if acc is None:
            raise ValueError(f"no account registered for venue {venue} (fill on {instrument.id})")
        if not self.has_price_c(instrument.id.index):
            self.update_price_c(instrument.id.index, fill.last_px_raw if hasattr(fill, "last_px_raw")
                                else (<Price>fill.last_px).raw)
        if instrument.id not in self._instruments:
            self._instruments[instrument.id] = instrument
        cdef object state = acc.apply_fill(fill, instrument, position)
        cdef double total = 0.0
        cdef Money m
        cdef Position p
        if acc.account_type_c == ACCOUNT_MARGIN:
            for obj in self._open(venue, instrument.id):
                p = <Position>obj
                total += (<MarginAccount>acc).margin_maint_for(
                    instrument, abs(<double>p.signed_qty_raw / 1e9), p.avg_px_open
                ).as_double()
            cur = instrument.base_currency if instrument.is_inverse else instrument.settlement_currency
            m = _money(total, cur)
            old = (<MarginAccount>acc).margin(instrument.id)
            if old is None or (<Money>old.maintenance).raw != m.raw:
                state = (<MarginAccount>acc).update_margin_maint(instrument.id, m, fill.ts_event)
        return state

    # ------------------------------------------------------------------------------------------
    # per-instrument views

    def unrealized_pnl(self, InstrumentId instrument_id not None):
        """Sum of unrealized PnL of the instrument's open positions (Money), None if unknown."""
        cdef list ps = self._open(None, instrument_id)
        cdef double v = 0.0
        cdef Currency cur = None
        cdef Position p
        for obj in ps:
            p = <Position>obj
            v += p.unrealized_pnl_f64(self._last_px(p))
            cur = p.pnl_currency
        if cur is None:
            inst = self._instruments.get(instrument_id)
            if inst is None:
                return None
            cur = (<Instrument>inst).base_currency if (<Instrument>inst).is_inverse else (<Instrument>inst).settlement_currency
        return _money(v, cur)

    def realized_pnl(self, InstrumentId instrument_id not None):
        """Sum of realized PnL (current cycles) of the instrument's open positions, None if none."""
        cdef list ps = self._open(None, instrument_id)
        if not ps:
            return None
        cdef int64_t v = 0
        for p in ps:
            v += (<Position>p).realized_pnl_raw
        return Money.from_raw_c(v, (<Position>ps[0]).pnl_currency)

    def net_exposure(self, InstrumentId instrument_id not None):
        """Signed notional of the instrument's open positions at the last price (Money in the
        quote currency; inverse: base currency), None if no open position."""
        cdef list ps = self._open(None, instrument_id)
        if not ps:
            return None
        cdef double v = 0.0
        cdef Position p
        for obj in ps:
            p = <Position>obj
            v += p.notional_f64(self._last_px(p))
        p = <Position>ps[0]
        return _money(v, p.base_currency if p.is_inverse else p.quote_currency)

    def net_position(self, InstrumentId instrument_id not None) -> float:
        """Sum of signed quantities of the instrument's open positions (units)."""
        cdef int64_t v = 0
        for p in self._open(None, instrument_id):
            v += (<Position>p).signed_qty_raw
        return <double>v / 1e9

    def is_net_long(self, InstrumentId instrument_id not None) -> bool:
        return self.net_position(instrument_id) > 0

    def is_net_short(self, InstrumentId instrument_id not None) -> bool:
        return self.net_position(instrument_id) < 0

    def is_flat(self, InstrumentId instrument_id not None) -> bool:
        return self.net_position(instrument_id) == 0

    def is_completely_flat(self) -> bool:
        """No open position in any instrument."""
        return not self._open(None, None)

    # ------------------------------------------------------------------------------------------
    # per-venue views

    def unrealized_pnls(self, venue) -> dict:
        """``{Currency: Money}`` unrealized PnL of the venue's open positions per PnL currency."""
        cdef Venue v = venue if isinstance(venue, Venue) else Venue(str(venue))
        cdef dict amounts = {}
        cdef Position p
        for obj in self._open(v, None):
            p = <Position>obj
            _acc(amounts, p.pnl_currency, p.unrealized_pnl_f64(self._last_px(p)))
        return {slot[0]: _money(slot[1], slot[0]) for slot in amounts.values()}

    def net_exposures(self, venue) -> dict:
        """``{Currency: Money}`` signed notional of the venue's open positions."""
        cdef Venue v = venue if isinstance(venue, Venue) else Venue(str(venue))
        cdef dict amounts = {}
        cdef Position p
        for obj in self._open(v, None):
            p = <Position>obj
            _acc(amounts, p.base_currency if p.is_inverse else p.quote_currency, p.notional_f64(self._last_px(p)))
        return {slot[0]: _money(slot[1], slot[0]) for slot in amounts.values()}

    cdef double _rate(self, Currency src, Currency dst) except? -1.0:
        if src.code == dst.code:
            return 1.0
        cdef double r
        if self._rate_fn is not None:
            r = float(self._rate_fn(src, dst))
            if not isfinite(r) or r <= 0:
                raise ValueError(f"rate_fn({src.code}, {dst.code}) returned {r!r}: expected a positive number")
            return r
        cdef list cands = []
        for inst in self._instruments.values():
            cands.append(((<Instrument>inst).id, (<Instrument>inst).base_currency, (<Instrument>inst).quote_currency))
        for obj in self._open(None, None):
            cands.append(((<Position>obj).instrument_id, (<Position>obj).base_currency, (<Position>obj).quote_currency))
        cdef InstrumentId iid
        for iid, base, quote in cands:
            if base is None or not self.has_price_c(iid.index):
                continue
            r = self.price_f64_c(iid.index)
            if r <= 0:
                continue
            if (<Currency>base).code == src.code and (<Currency>quote).code == dst.code:
                return r
            if (<Currency>base).code == dst.code and (<Currency>quote).code == src.code:
                return 1.0 / r
        raise ValueError(
            f"no exchange rate from {src.code} to {dst.code}: pass Portfolio(rate_fn=...) or register an "
            f"instrument quoting one in the other and update its price"
        )

    cdef Currency _target(self, dict amounts, object venue):
        if self.base_currency is not None:
            return self.base_currency
        cdef Account acc
        if venue is not None:
            acc = self._accounts.get(venue)
            if acc is not None and acc.base_currency is not None:
                return acc.base_currency
        else:
            bases = {(<Account>a).base_currency.code: (<Account>a).base_currency
                     for a in self._accounts.values() if (<Account>a).base_currency is not None}
            if len(bases) == 1:
                return next(iter(bases.values()))
        if len(amounts) == 1:
            return <Currency>(next(iter(amounts.values()))[0])
        if not amounts:
            return None
        raise ValueError(
            f"portfolio values span currencies {', '.join(amounts)}: set Portfolio(base_currency=...)"
        )

    cdef double _to_base(self, dict amounts, Currency target, str what) except? -1.0:
        cdef double total = 0.0
        for slot in amounts.values():
            total += <double>slot[1] * self._rate(<Currency>slot[0], target)
        return total

    cdef tuple _values(self, object venue):
        """(target currency, balance, positions value) in target units; one pass over positions."""
        if venue is not None and not isinstance(venue, Venue):
            venue = Venue(str(venue))
        cdef dict bal = {}
        cdef dict pos = {}
        cdef Account acc
        cdef _Ledger led
        cdef Position p
        cdef object last_venue = None
        cdef Account last_acc = None
        cdef bint cash, single = venue is not None
        for v, a in self._accounts.items():
            if venue is not None and v != venue:
                continue
            acc = <Account>a
            for led in acc._ledgers.values():
                _acc(bal, led.currency, <double>led.total / 1e9)
        for obj in self._open(venue, None):
            p = <Position>obj
            v = p.instrument_id.venue
            if v is not last_venue:
                last_venue = v
                last_acc = self._accounts.get(v)
            cash = last_acc is not None and last_acc.account_type_c == ACCOUNT_CASH
            if cash:
                if p.base_currency is not None and p.instrument_class == "SPOT" and not p.is_inverse:
                    continue        # currency-pair holdings are account balances
                _acc(pos, p.quote_currency, p.notional_f64(self._last_px(p)))
            else:
                _acc(pos, p.pnl_currency, p.unrealized_pnl_f64(self._last_px(p)))
        cdef Currency target = self.base_currency
        cdef dict merged
        if target is None:
            merged = {}
            for k, slot in bal.items():
                merged[k] = slot
            for k, slot in pos.items():
                if k not in merged:
                    merged[k] = slot
            target = self._target(merged, venue)
            if target is None:
                raise ValueError("portfolio has no accounts or positions to value")
        return target, self._to_base(bal, target, "balance"), self._to_base(pos, target, "positions value")

    def balance_value(self, venue=None) -> Money:
        """Account balance totals (all venues, or one) converted to the reporting currency."""
        t = self._values(venue)
        return _money(t[1], t[0])

    def positions_value(self, venue=None) -> Money:
        """Positions value (see the module doc) converted to the reporting currency."""
        t = self._values(venue)
        return _money(t[2], t[0])

    def equity(self, venue=None) -> Money:
        """Balance totals + positions value (all venues, or one) in the reporting currency."""
        t = self._values(venue)
        return _money(<double>t[1] + <double>t[2], t[0])

    # ------------------------------------------------------------------------------------------
    # equity curve

    def sample(self, int64_t ts_ns, bint force=False) -> bool:
        """Record an equity-curve point at ``ts_ns`` when it is due (see the module doc), or
        always with ``force`` (e.g. the final point of a run) unless one was recorded at ``ts_ns``.

        Returns True when a point was recorded. ``ts_ns`` must not go backwards."""
        if force and self._n > 0 and self._ts_v[self._n - 1] == ts_ns:
            return False
        return self.sample_c(ts_ns, force) == 1

    cdef int sample_c(self, int64_t ts_ns, bint force=False) except -1:
        cdef double bal, pv
        if ts_ns < self._last_sample_ts:
            raise ValueError(f"sample ts {ts_ns} is earlier than the previous call's {self._last_sample_ts}")
        self._last_sample_ts = ts_ns
        if self.sample_interval_ns > 0 and not force:
            if self._n > 0 and ts_ns < self._next_sample:
                return 0
        if not self._values_fast(&bal, &pv):
            t = self._values(None)
            bal = t[1]
            pv = t[2]
        if self._n == self._ts_v.shape[0]:
            self._grow_samples()
        self._ts_v[self._n] = ts_ns
        self._bal_v[self._n] = bal
        self._pv_v[self._n] = pv
        self._n += 1
        if self.sample_interval_ns > 0:
            if ts_ns >= 0:
                self._next_sample = (ts_ns // self.sample_interval_ns + 1) * self.sample_interval_ns
            else:
                self._next_sample = -((-ts_ns) // self.sample_interval_ns) * self.sample_interval_ns
                if self._next_sample <= ts_ns:
                    self._next_sample += self.sample_interval_ns
        return 1

    def reserve_samples(self, Py_ssize_t n) -> None:
        """Make room for at least ``n`` equity-curve points in total (one allocation up front
        instead of doublings while a run samples; never shrinks)."""
        cdef Py_ssize_t cap = self._ts_v.shape[0]
        if n <= cap:
            return
        self._resize_samples(n)

    cdef int _resize_samples(self, Py_ssize_t cap) except -1:
        cdef Py_ssize_t n = self._n
        ts = np.empty(cap, dtype=np.int64)
        bal = np.empty(cap, dtype=np.float64)
        pv = np.empty(cap, dtype=np.float64)
        ts[:n] = self._ts_arr[:n]
        bal[:n] = self._bal_arr[:n]
        pv[:n] = self._pv_arr[:n]
        self._ts_arr, self._bal_arr, self._pv_arr = ts, bal, pv
        self._ts_v = self._ts_arr
        self._bal_v = self._bal_arr
        self._pv_v = self._pv_arr
        return 0

    cdef int _grow_samples(self) except -1:
        return self._resize_samples(2 * self._ts_v.shape[0])

    cdef bint _values_fast(self, double* balance, double* positions_value) except -1:
        # runs for every equity sample (every data point): lists walked by index (borrowed items)
        cdef Currency base = self.base_currency
        cdef Account acc
        cdef _Ledger led
        cdef list accounts = self._account_list, ledgers, opened
        cdef Py_ssize_t i, j, pos = 0
        cdef PyObject* key
        cdef PyObject* val
        cdef double b = 0.0, v = 0.0
        if base is None:
            return False
        for i in range(PyList_GET_SIZE(accounts)):
            acc = <Account>PyList_GET_ITEM(accounts, i)
            if acc.account_type_c != ACCOUNT_MARGIN:
                return False
            ledgers = acc._ledger_list
            for j in range(PyList_GET_SIZE(ledgers)):
                led = <_Ledger>PyList_GET_ITEM(ledgers, j)
                if led.currency is not base and led.currency.code != base.code:
                    return False
                b += <double>led.total / 1e9
        # The open positions (a non-zero quantity each). From the trading cache: its open dict
        # (which may still hold positions closed since it was last read: skipped here) is walked
        # in place at the first sample after a change of its positions_version, and from the
        # second sample on the same version as the list _open keeps (no list for a version that
        # lasts one sample, as when positions open and close every bar).
        if self._is_cache and not (self._open_all is not None and
                                   self._open_version == (<Cache>self._cache).positions_version):
            if self._sample_version != (<Cache>self._cache).positions_version:
                self._sample_version = (<Cache>self._cache).positions_version
                while PyDict_Next((<Cache>self._cache)._positions_open, &pos, &key, &val):
                    if type(<object>val) is not Position:
                        return False    # a position of another type: the generic path values it
                    if (<Position>val)._side == 0:
                        continue        # closed, its entry not dropped yet (Cache._sync_open)
                    if not _mark_base(self, <Position>val, base, &v):
                        return False
                balance[0] = b
                positions_value[0] = v
                return True
        opened = self._open(None, None)
        for i in range(PyList_GET_SIZE(opened)):
            val = PyList_GET_ITEM(opened, i)
            if type(<object>val) is not Position or not _mark_base(self, <Position>val, base, &v):
                return False            # a position of another type: the generic path values it
        balance[0] = b
        positions_value[0] = v
        return True

    @property
    def sample_count(self) -> int:
        return self._n

    @property
    def sample_capacity(self) -> int:
        """Allocated equity-curve slots (doubles when full)."""
        return self._ts_arr.shape[0]

    def equity_curve_arrays(self) -> dict:
        """``{"ts": int64 ns, "equity", "balance", "positions_value": float64}`` (copies)."""
        return {
            "ts": self._ts_arr[: self._n].copy(),
            "equity": self._bal_arr[: self._n] + self._pv_arr[: self._n],   # as summed when sampled
            "balance": self._bal_arr[: self._n].copy(),
            "positions_value": self._pv_arr[: self._n].copy(),
        }

    def equity_curve(self):
        """The equity curve as a pandas DataFrame indexed by UTC timestamp (``ts`` column kept)."""
        import pandas as pd

        arrs = self.equity_curve_arrays()
        df = pd.DataFrame(arrs)
        df.index = pd.to_datetime(arrs["ts"], unit="ns", utc=True)
        df.index.name = "time"
        return df

    def __repr__(self):
        return (
            f"Portfolio(accounts={[str(a.id) for a in self._accounts.values()]}, "
            f"base_currency={self.base_currency}, samples={self._n})"
        )
