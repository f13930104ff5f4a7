"""Accounts: CASH and MARGIN, balances per currency, locks, margins and AccountState events.

Balances are kept per currency as exact raw int64 (scale 10^9) ``total`` and ``locked``;
``free = total - locked``. ``locked`` is the sum of the per-instrument locks taken for open orders
(``lock``/``unlock``) plus, on a margin account, the maintenance margin of open positions.

Every change (starting balances, fills, locks, margin updates, reported balances, adjustments)
records an :class:`AccountState` (returned by the Python methods; ``account.events`` lists them
all, ``last_event`` the latest). The record is kept in C arrays and the AccountState objects are
built on access, so a long backtest's event history costs no Python objects for the GC to scan.

CASH (``CashAccount``): trades SPOT instruments only.

* A buy fill spends ``qty * price * multiplier`` of the quote currency, a sell receives it; for a
  currency pair (SPOT with a base currency) the base balance moves by the quantity. Commissions
  are taken from the commission's currency. A fill that would make a total negative raises
  :class:`AccountBalanceNegative` (nothing changes) unless ``allow_borrowing=True``.
* Open orders: a buy locks its notional plus the taker fee estimate (``notional * taker_fee`` when
  positive) in the quote currency; a currency-pair sell locks the base quantity (nothing when
  borrowing is allowed); an equity sell locks nothing (it is covered by the position).
* ``check_order`` (for the risk engine) denies a buy whose lock exceeds the free quote balance and
  a sell that would go short (more than the free base balance for a pair, more than the long
  position for an equity) unless ``allow_borrowing``.

MARGIN (``MarginAccount``):

* Initial margin of an order = ``notional * margin_init / leverage``; maintenance margin of a
  position = ``notional * margin_maint / leverage``, both in the margin currency (settlement
  currency; base currency for inverse instruments). Leverage is per instrument
  (``set_leverage``), else ``default_leverage``.
* A fill settles its realized PnL (``position.last_pnl_raw``, the position must already have the
  fill applied) and its commission to the balance; the notional does not move cash.
* ``check_order`` denies an order whose initial margin on the part that increases exposure exceeds
  the free margin-currency balance.

Amounts computed from prices (notional, margins, PnL) are doubles kept at the full fixed-point
precision (10^-9), not rounded per fill to the currency's display precision, so balances do not
drift from an exact reference over many fills; they print rounded to the currency's precision. ``base_currency=None`` makes a multi-currency account; with a base
currency every amount must be in it (other currencies raise ValueError).
"""
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from libc.math cimport fabs, isfinite
from libc.stdint cimport INT64_MAX, int32_t, int64_t, uint32_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport Price, Quantity, f64_to_raw, raw_round
from alphaforge._core.identifiers cimport AccountId, InstrumentId
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.position cimport FillRaw, Position, read_fill

from alphaforge.model.enums import AccountType, OrderSide

cdef enum:
    _BUY = 1
    _SELL = 2


cdef tuple _ACCOUNT_TYPES = (None, AccountType.CASH, AccountType.MARGIN)


class AccountBalanceNegative(ValueError):
    """A cash balance would go negative, or a lock would exceed the free balance."""


cdef inline int64_t _add(int64_t a, int64_t b, object account_id, str code) except? -1:
    if (b > 0 and a > INT64_MAX - b) or (b < 0 and a < -INT64_MAX - b):
        raise OverflowError(f"account {account_id} {code} balance overflow adding raw amounts {a} and {b}")
    return a + b


cdef int64_t _amount_raw(double v, Currency cur, str what) except? -1:
    if not isfinite(v):
        raise ValueError(f"{what} is not finite ({v!r})")
    if fabs(v) >= 9.2e9:
        raise OverflowError(f"{what} {v!r} {cur.code} exceeds the int64 raw range")
    return f64_to_raw(v, 9)


cdef Money _money_arg(object amount, str what):
    if isinstance(amount, Money):
        return <Money>amount
    if isinstance(amount, str):
        try:
            return Money.from_str(amount)
        except ValueError as e:
            raise ValueError(f"invalid {what} {amount!r}: {e}") from None
    raise TypeError(f"invalid {what} {amount!r}: expected Money or a string like '1000000 USD'")


cdef int _side_arg(object side, str what) except -1:
    cdef int s
    if isinstance(side, str):
        s = int(OrderSide.parse(side))
    else:
        try:
            s = int(side)
        except (TypeError, ValueError):
            raise ValueError(f"invalid {what} {side!r}: expected OrderSide BUY or SELL") from None
    if s != _BUY and s != _SELL:
        raise ValueError(f"invalid {what} {side!r}: expected OrderSide BUY or SELL")
    return s


cdef double _qty_arg(object q, str what) except? -1.0:
    cdef double v
    if isinstance(q, Quantity):
        return <double>(<Quantity>q).raw / 1e9
    try:
        v = float(q)
    except (TypeError, ValueError):
        raise TypeError(f"invalid {what} {q!r}: expected Quantity or float") from None
    if not isfinite(v) or v < 0:
        raise ValueError(f"invalid {what} {q!r}: must be finite and >= 0")
    return v


cdef double _px_arg(object p, str what) except? -1.0:
    cdef double v
    if isinstance(p, Price):
        return <double>(<Price>p).raw / 1e9
    try:
        v = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"invalid {what} {p!r}: expected Price or float") from None
    if not isfinite(v):
        raise ValueError(f"invalid {what} {p!r}: not a finite number")
    return v


cdef inline Currency _margin_currency(Instrument inst):
    if inst.is_inverse and inst.base_currency is not None:
        return inst.base_currency
    return inst.settlement_currency


cdef inline bint _is_pair(Instrument inst) noexcept:
    return inst.base_currency is not None and not inst.is_inverse and inst.instrument_class == "SPOT"


cdef class AccountBalance:
    """A balance in one currency: ``total``, ``locked`` and ``free`` (= total - locked)."""

    def __init__(self, Money total not None, Money locked not None, Money free not None):
        if total.currency.code != locked.currency.code or total.currency.code != free.currency.code:
            raise ValueError(
                f"invalid AccountBalance: currencies differ ({total.currency}, {locked.currency}, {free.currency})"
            )
        if total.raw - locked.raw != free.raw:
            raise ValueError(f"invalid AccountBalance: free {free} != total {total} - locked {locked}")
        self.total = total
        self.locked = locked
        self.free = free

    @property
    def currency(self) -> Currency:
        return self.total.currency

    def __eq__(self, other):
        if isinstance(other, AccountBalance):
            return (self.total == (<AccountBalance>other).total and self.locked == (<AccountBalance>other).locked)
        return NotImplemented

    def __hash__(self):
        return hash((self.total, self.locked))

    def __repr__(self):
        return f"AccountBalance(total={self.total}, locked={self.locked}, free={self.free})"


cdef class MarginBalance:
    """Margins of one instrument: ``initial`` (open orders) and ``maintenance`` (positions)."""

    def __init__(self, Money initial not None, Money maintenance not None, InstrumentId instrument_id=None):
        if initial.currency.code != maintenance.currency.code:
            raise ValueError(f"invalid MarginBalance: currencies differ ({initial.currency}, {maintenance.currency})")
        self.initial = initial
        self.maintenance = maintenance
        self.instrument_id = instrument_id

    @property
    def currency(self) -> Currency:
        return self.initial.currency

    def __eq__(self, other):
        if isinstance(other, MarginBalance):
            return (
                self.initial == (<MarginBalance>other).initial
                and self.maintenance == (<MarginBalance>other).maintenance
                and self.instrument_id == (<MarginBalance>other).instrument_id
            )
        return NotImplemented

    def __hash__(self):
        return hash((self.initial, self.maintenance, self.instrument_id))

    def __repr__(self):
        return f"MarginBalance(initial={self.initial}, maintenance={self.maintenance}, instrument_id={self.instrument_id})"


cdef class AccountState:
    """Account snapshot event: balances (and margins) after a change, with the change's reason."""

    def __init__(
        self,
        AccountId account_id not None,
        account_type,
        Currency base_currency,
        list balances not None,
        list margins not None,
        bint is_reported,
        str reason not None,
        int64_t ts_event,
        int64_t ts_init,
    ):
        self.account_id = account_id
        self.account_type = AccountType.parse(account_type)
        self.base_currency = base_currency
        self.balances = balances
        self.margins = margins
        self.is_reported = is_reported
        self.reason = reason
        self.ts_event = ts_event
        self.ts_init = ts_init

    def balance(self, currency=None):
        """The AccountBalance in ``currency`` (Currency or code; default the only/base one) or None."""
        cdef str code
        if currency is None:
            if self.base_currency is not None:
                code = self.base_currency.code
            elif len(self.balances) == 1:
                return self.balances[0]
            else:
                raise ValueError(f"account {self.account_id} holds several currencies: name one")
        else:
            code = currency.code if isinstance(currency, Currency) else str(currency)
        for b in self.balances:
            if (<AccountBalance>b).total.currency.code == code:
                return b
        return None

    def __repr__(self):
        return (
            f"AccountState(account_id={self.account_id}, type={self.account_type.name}, reason={self.reason}, "
            f"balances={self.balances}, margins={self.margins}, ts_event={self.ts_event})"
        )


cdef class _Ledger:
    def __cinit__(self, Currency currency):
        self.currency = currency
        self.total = 0
        self.locked = 0


cdef class Account:
    """Base account (use :class:`CashAccount` or :class:`MarginAccount`)."""

    def __init__(self, account_id, starting_balances=(), Currency base_currency=None, *,
                 bint allow_borrowing=False, int64_t ts_event=0):
        if type(self) is Account:
            raise TypeError("Account is abstract: use CashAccount or MarginAccount")
        if isinstance(account_id, str):
            account_id = AccountId(account_id)
        if not isinstance(account_id, AccountId):
            raise TypeError(f"invalid account_id {account_id!r}: expected AccountId or str")
        self.id = account_id
        self.base_currency = base_currency
        self.allow_borrowing = allow_borrowing
        self._currencies = []
        self._reasons = []
        self._reason_idx = {}
        self._ledgers = {}
        self._ledger_list = []
        self._locks = {}
        if isinstance(starting_balances, (str, Money)):
            starting_balances = (starting_balances,)
        cdef Money m
        for item in starting_balances:
            m = _money_arg(item, "starting balance")
            self._check_currency(m.currency)
            if m.raw < 0 and self.account_type_c == ACCOUNT_CASH and not allow_borrowing:
                raise AccountBalanceNegative(f"invalid starting balance {m} for cash account {self.id}: negative")
            self._add_total(m.currency, m.raw)
        if base_currency is not None:
            self._ledger(base_currency)
        self._emit("initial", ts_event, False)

    # ------------------------------------------------------------------------------------------
    # internals

    cdef _Ledger _ledger(self, Currency currency):
        cdef _Ledger led = self._ledgers.get(currency.code)
        if led is None:
            self._check_currency(currency)
            led = _Ledger(currency)
            led.slot = <int32_t>len(self._currencies)
            self._currencies.append(currency)
            self._ledger_list.append(led)
            self._ledgers[currency.code] = led
        return led

    cdef int _check_currency(self, Currency currency) except -1:
        if self.base_currency is not None and currency.code != self.base_currency.code:
            raise ValueError(
                f"account {self.id} is single-currency {self.base_currency.code}: cannot hold {currency.code} "
                f"(use base_currency=None for a multi-currency account)"
            )
        return 0

    cdef int _add_total(self, Currency currency, int64_t delta) except -1:
        cdef _Ledger led = self._ledger(currency)
        led.total = _add(led.total, delta, self.id, currency.code)
        return 0

    cdef int _lock_c(self, InstrumentId instrument_id, Currency currency, int64_t raw) except -1:
        cdef _Ledger led = self._ledger(currency)
        cdef tuple key = (instrument_id, currency.code)
        cdef int64_t cur = self._locks.get(key, 0)
        cdef int64_t new = cur + raw
        if new < 0:
            raise ValueError(
                f"unlock of {Money.from_raw_c(-raw, currency)} for {instrument_id} on account {self.id} exceeds "
                f"its locked {Money.from_raw_c(cur, currency)}"
            )
        if raw > 0 and raw > led.total - led.locked:
            raise AccountBalanceNegative(
                f"cannot lock {Money.from_raw_c(raw, currency)} for {instrument_id} on account {self.id}: "
                f"free balance is {Money.from_raw_c(led.total - led.locked, currency)}"
            )
        if new == 0:
            self._locks.pop(key, None)
        else:
            self._locks[key] = new
        led.locked += raw
        return 0

    def __dealloc__(self):
        PyMem_Free(self._recs)
        PyMem_Free(self._bals)
        PyMem_Free(self._mars)

    cdef int _push_margin(self, uint32_t instrument, int32_t slot, int64_t initial, int64_t maintenance) except -1:
        cdef void* mem
        cdef Py_ssize_t cap
        if self._nmar == self._capmar:
            cap = 64 if self._capmar == 0 else self._capmar * 2
            mem = PyMem_Realloc(self._mars, cap * sizeof(_MarC))
            if mem == NULL:
                raise MemoryError()
            self._mars = <_MarC*>mem
            self._capmar = cap
        self._mars[self._nmar].instrument = instrument
        self._mars[self._nmar].slot = slot
        self._mars[self._nmar].initial = initial
        self._mars[self._nmar].maintenance = maintenance
        self._nmar += 1
        return 0

    cdef int _push_margins(self) except -1:
        return 0

    cdef int _record(self, str reason, int64_t ts_event, bint reported) except -1:
        cdef void* mem
        cdef Py_ssize_t cap, i, nb = PyList_GET_SIZE(self._ledger_list)
        cdef _Ledger led
        cdef object ri
        if reason is self._last_reason and self._last_reason_idx is not None:
            ri = self._last_reason_idx
        else:
            ri = self._reason_idx.get(reason)
            if ri is None:
                ri = len(self._reasons)
                self._reasons.append(reason)
                self._reason_idx[reason] = ri
            self._last_reason = reason
            self._last_reason_idx = ri
        if self._nrec == self._caprec:
            cap = 64 if self._caprec == 0 else self._caprec * 2
            mem = PyMem_Realloc(self._recs, cap * sizeof(_RecC))
            if mem == NULL:
                raise MemoryError()
            self._recs = <_RecC*>mem
            self._caprec = cap
        if self._nbal + nb > self._capbal:
            cap = 64 if self._capbal == 0 else self._capbal * 2
            while cap < self._nbal + nb:
                cap *= 2
            mem = PyMem_Realloc(self._bals, cap * sizeof(_BalC))
            if mem == NULL:
                raise MemoryError()
            self._bals = <_BalC*>mem
            self._capbal = cap
        cdef _RecC* r = &self._recs[self._nrec]
        r.ts_event = ts_event
        r.reason = <int32_t>ri
        r.reported = reported
        r.bal_start = self._nbal
        r.bal_n = nb
        for i in range(nb):                 # _ledger_list: the ledgers in slot order
            led = <_Ledger>PyList_GET_ITEM(self._ledger_list, i)
            self._bals[self._nbal].slot = led.slot
            self._bals[self._nbal].total = led.total
            self._bals[self._nbal].locked = led.locked
            self._nbal += 1
        r.mar_start = self._nmar
        self._push_margins()
        r = &self._recs[self._nrec]          # _push_margins does not move _recs, re-take for clarity
        r.mar_n = self._nmar - r.mar_start
        self._nrec += 1
        return 0

    cdef AccountState _state(self, Py_ssize_t i):
        if i < 0 or i >= self._nrec:
            raise IndexError(f"account {self.id} has no event {i}")
        cdef _RecC r = self._recs[i]
        cdef list balances = []
        cdef list margins = []
        cdef AccountBalance b
        cdef MarginBalance mb
        cdef Currency cur
        cdef Py_ssize_t k
        for k in range(r.bal_start, r.bal_start + r.bal_n):
            cur = <Currency>self._currencies[self._bals[k].slot]
            b = AccountBalance.__new__(AccountBalance)
            b.total = Money.from_raw_c(self._bals[k].total, cur)
            b.locked = Money.from_raw_c(self._bals[k].locked, cur)
            b.free = Money.from_raw_c(self._bals[k].total - self._bals[k].locked, cur)
            balances.append(b)
        for k in range(r.mar_start, r.mar_start + r.mar_n):
            cur = <Currency>self._currencies[self._mars[k].slot]
            mb = MarginBalance.__new__(MarginBalance)
            mb.initial = Money.from_raw_c(self._mars[k].initial, cur)
            mb.maintenance = Money.from_raw_c(self._mars[k].maintenance, cur)
            mb.instrument_id = InstrumentId.from_index_c(self._mars[k].instrument)
            margins.append(mb)
        cdef AccountState s = AccountState.__new__(AccountState)
        s.account_id = self.id
        s.account_type = _ACCOUNT_TYPES[self.account_type_c]
        s.base_currency = self.base_currency
        s.balances = balances
        s.margins = margins
        s.is_reported = r.reported
        s.reason = self._reasons[r.reason]
        s.ts_event = r.ts_event
        s.ts_init = r.ts_event
        return s

    cdef AccountState _emit(self, str reason, int64_t ts_event, bint reported):
        self._record(reason, ts_event, reported)
        return self._state(self._nrec - 1)

    cdef Currency _cur_arg(self, object currency):
        if currency is None:
            if self.base_currency is not None:
                return self.base_currency
            if len(self._ledgers) == 1:
                return (<_Ledger>next(iter(self._ledgers.values()))).currency
            raise ValueError(f"account {self.id} holds several currencies: name one")
        if isinstance(currency, Currency):
            return <Currency>currency
        return Currency.from_str(str(currency))

    # ------------------------------------------------------------------------------------------
    # balances

    @property
    def account_type(self):
        """AccountType (CASH or MARGIN)."""
        return _ACCOUNT_TYPES[self.account_type_c]

    @property
    def events(self) -> list:
        """AccountState events, oldest first (one per change; built from the compact log)."""
        return [self._state(i) for i in range(self._nrec)]

    @property
    def last_event(self):
        """The most recent AccountState."""
        return self._state(self._nrec - 1)

    @property
    def event_count(self) -> int:
        return self._nrec

    def currencies(self) -> list:
        """Currencies with a balance, in first-use order."""
        return [(<_Ledger>led).currency for led in self._ledgers.values()]

    cpdef int64_t total_raw(self, Currency currency) except? -1:
        """Total balance in ``currency``, raw (0 when the account has none)."""
        cdef _Ledger led = self._ledgers.get(currency.code)
        return 0 if led is None else led.total

    cpdef int64_t locked_raw(self, Currency currency) except? -1:
        cdef _Ledger led = self._ledgers.get(currency.code)
        return 0 if led is None else led.locked

    cpdef int64_t free_raw(self, Currency currency) except? -1:
        cdef _Ledger led = self._ledgers.get(currency.code)
        return 0 if led is None else led.total - led.locked

    def balance(self, currency=None):
        """AccountBalance in ``currency`` (default: base / only currency), or None if never held."""
        cdef Currency cur = self._cur_arg(currency)
        cdef _Ledger led = self._ledgers.get(cur.code)
        return None if led is None else _balance_of(led)

    def balances(self) -> dict:
        """``{Currency: AccountBalance}`` for every currency held."""
        return {(<_Ledger>led).currency: _balance_of(led) for led in self._ledgers.values()}

    def balance_total(self, currency=None) -> Money:
        cdef Currency cur = self._cur_arg(currency)
        return Money.from_raw_c(self.total_raw(cur), cur)

    def balance_locked(self, currency=None) -> Money:
        cdef Currency cur = self._cur_arg(currency)
        return Money.from_raw_c(self.locked_raw(cur), cur)

    def balance_free(self, currency=None) -> Money:
        cdef Currency cur = self._cur_arg(currency)
        return Money.from_raw_c(self.free_raw(cur), cur)

    def update_balances(self, amounts not None, int64_t ts_event=0) -> AccountState:
        """Set the totals reported by the venue (Money or "<amount> <CODE>" strings); locks are kept.

        A cash account rejects a negative total (unless ``allow_borrowing``); nothing changes then.
        """
        if isinstance(amounts, (str, Money)):
            amounts = (amounts,)
        cdef list parsed = [_money_arg(a, "balance") for a in amounts]
        cdef Money m
        for m in parsed:
            self._check_currency(m.currency)
            if m.raw < 0 and self.account_type_c == ACCOUNT_CASH and not self.allow_borrowing:
                raise AccountBalanceNegative(f"reported balance {m} for cash account {self.id} is negative")
        for m in parsed:
            self._ledger(m.currency).total = m.raw
        return self._emit("update_balances", ts_event, True)

    def adjust_balance(self, amount not None, int64_t ts_event=0, str reason="adjustment") -> AccountState:
        """Add ``amount`` (Money or string; negative to withdraw, e.g. funding payments) to the total."""
        cdef Money m = _money_arg(amount, "adjustment")
        self._check_currency(m.currency)
        cdef int64_t new = _add(self.total_raw(m.currency), m.raw, self.id, m.currency.code)
        if new < 0 and self.account_type_c == ACCOUNT_CASH and not self.allow_borrowing:
            raise AccountBalanceNegative(
                f"adjustment {m} would make cash account {self.id} balance negative ({Money.from_raw_c(new, m.currency)})"
            )
        self._add_total(m.currency, m.raw)
        return self._emit(reason, ts_event, False)

    # ------------------------------------------------------------------------------------------
    # locks for open orders

    def lock(self, InstrumentId instrument_id not None, amount not None, int64_t ts_event=0) -> AccountState:
        """Lock ``amount`` (Money) of the free balance for an open order of ``instrument_id``.

        Raises AccountBalanceNegative when it exceeds the free balance (nothing changes)."""
        cdef Money m = _money_arg(amount, "lock amount")
        if m.raw < 0:
            raise ValueError(f"invalid lock amount {m}: must be >= 0")
        self._lock_c(instrument_id, m.currency, m.raw)
        return self._emit("lock", ts_event, False)

    def unlock(self, InstrumentId instrument_id not None, amount not None, int64_t ts_event=0) -> AccountState:
        """Release ``amount`` (Money) previously locked for ``instrument_id`` (ValueError if more)."""
        cdef Money m = _money_arg(amount, "unlock amount")
        if m.raw < 0:
            raise ValueError(f"invalid unlock amount {m}: must be >= 0")
        self._lock_c(instrument_id, m.currency, -m.raw)
        return self._emit("unlock", ts_event, False)

    def locked_for(self, InstrumentId instrument_id not None, currency) -> Money:
        """Amount locked for ``instrument_id``'s open orders in ``currency``."""
        cdef Currency cur = self._cur_arg(currency)
        return Money.from_raw_c(self._locks.get((instrument_id, cur.code), 0), cur)

    def order_lock_amount(self, Instrument instrument not None, side, quantity, price) -> Money:
        """What an open order locks (see the module doc for the cash and margin rules)."""
        raise NotImplementedError  # overridden by CashAccount and MarginAccount

    def check_order(self, Instrument instrument not None, side, quantity, price, Position position=None):
        """Reason (str) this account cannot take the order, or None when it can (risk engine hook).

        ``position``: the strategy's current position in the instrument (None = flat)."""
        raise NotImplementedError  # overridden by CashAccount and MarginAccount

    def can_afford(self, Instrument instrument not None, side, quantity, price, Position position=None) -> bool:
        """``check_order(...) is None``."""
        return self.check_order(instrument, side, quantity, price, position) is None

    # ------------------------------------------------------------------------------------------
    # fills

    def apply_fill(self, fill not None, Instrument instrument not None, Position position=None) -> AccountState:
        """Settle a fill (duck-typed ``order_side, last_qty, last_px, commission, trade_id, ts_event``).

        A margin account needs ``position`` with this fill already applied (its realized PnL is
        settled); a cash account ignores it. Raises (and changes nothing) on bad input."""
        cdef FillRaw fr
        cdef Currency comm_cur = read_fill(fill, &fr)
        if self.account_type_c == ACCOUNT_MARGIN and position is not None:
            tid = getattr(fill, "trade_id", None)
            if tid is not None and position.last_trade_id is not None and position.last_trade_id != tid:
                raise ValueError(
                    f"position {position.id} last applied trade {position.last_trade_id}, not fill {tid}: "
                    f"apply the fill to the position before the account"
                )
        self.apply_fill_c(instrument, fr.side, fr.qty_raw, fr.px_raw, fr.commission_raw, comm_cur,
                          position, fr.ts_event)
        return self._state(self._nrec - 1)

    cdef int apply_fill_c(
        self,
        Instrument instrument,
        int side,
        int64_t qty_raw,
        int64_t px_raw,
        int64_t commission_raw,
        Currency commission_currency,
        Position position,
        int64_t ts_event,
    ) except -1:
        raise NotImplementedError("Account is abstract: use CashAccount or MarginAccount")


cdef AccountBalance _balance_of(_Ledger led):
    cdef AccountBalance b = AccountBalance.__new__(AccountBalance)
    b.total = Money.from_raw_c(led.total, led.currency)
    b.locked = Money.from_raw_c(led.locked, led.currency)
    b.free = Money.from_raw_c(led.total - led.locked, led.currency)
    return b


cdef class CashAccount(Account):
    """Cash account: ``CashAccount("SIM-001", ["100000 USD"], allow_borrowing=False)``."""

    def __init__(self, account_id, starting_balances=(), Currency base_currency=None, *,
                 bint allow_borrowing=False, int64_t ts_event=0):
        self.account_type_c = ACCOUNT_CASH
        Account.__init__(self, account_id, starting_balances, base_currency,
                         allow_borrowing=allow_borrowing, ts_event=ts_event)

    cdef int _check_spot(self, Instrument instrument) except -1:
        if instrument.instrument_class != "SPOT":
            raise ValueError(
                f"cash account {self.id} trades SPOT instruments only; {instrument.id} is "
                f"{instrument.instrument_class}: use a MarginAccount"
            )
        return 0

    def order_lock_amount(self, Instrument instrument not None, side, quantity, price) -> Money:
        """Buy: notional * (1 + max(taker_fee, 0)) in the quote currency; pair sell: the base
        quantity (0 with borrowing); equity sell: 0 quote."""
        self._check_spot(instrument)
        cdef int s = _side_arg(side, "side")
        cdef double q = _qty_arg(quantity, "quantity")
        cdef double px = _px_arg(price, "price")
        cdef double notional
        cdef double fee = instrument.taker_fee if instrument.taker_fee > 0 else 0.0
        if s == _BUY:
            notional = q * px * instrument.multiplier
            return Money.from_raw_c(
                _amount_raw(notional * (1.0 + fee), instrument.quote_currency, "lock amount"),
                instrument.quote_currency,
            )
        if _is_pair(instrument) and not self.allow_borrowing:
            return Money.from_raw_c(_amount_raw(q, instrument.base_currency, "lock amount"), instrument.base_currency)
        return Money.from_raw_c(0, instrument.quote_currency)

    def check_order(self, Instrument instrument not None, side, quantity, price, Position position=None):
        if instrument.instrument_class != "SPOT":
            return (f"cash account {self.id} trades SPOT instruments only ({instrument.id} is "
                    f"{instrument.instrument_class})")
        cdef int s = _side_arg(side, "side")
        cdef double q = _qty_arg(quantity, "quantity")
        cdef Money need
        cdef int64_t free, held
        if s == _BUY:
            need = self.order_lock_amount(instrument, s, quantity, price)
            free = self.free_raw(need.currency)
            if need.raw > free:
                return (f"insufficient free balance on {self.id}: order needs {need}, free "
                        f"{Money.from_raw_c(free, need.currency)}")
            return None
        if self.allow_borrowing:
            return None
        if _is_pair(instrument):
            need = Money.from_raw_c(_amount_raw(q, instrument.base_currency, "order quantity"), instrument.base_currency)
            free = self.free_raw(instrument.base_currency)
            if need.raw > free:
                return (f"short selling not allowed on cash account {self.id}: sell {need} exceeds free "
                        f"{Money.from_raw_c(free, need.currency)} (allow_borrowing=False)")
            return None
        held = position.signed_qty_raw if position is not None and position.signed_qty_raw > 0 else 0
        if f64_to_raw(q, 9) > held:
            return (f"short selling not allowed on cash account {self.id}: sell {q:g} {instrument.id} exceeds "
                    f"the long position {<double>held / 1e9:g} (allow_borrowing=False)")
        return None

    cdef int apply_fill_c(
        self,
        Instrument instrument,
        int side,
        int64_t qty_raw,
        int64_t px_raw,
        int64_t commission_raw,
        Currency commission_currency,
        Position position,
        int64_t ts_event,
    ) except -1:
        self._check_spot(instrument)
        if qty_raw <= 0:
            raise ValueError(f"invalid fill.last_qty raw {qty_raw} for {instrument.id}: must be > 0")
        cdef Currency quote = instrument.quote_currency
        cdef int64_t notional = _amount_raw(
            (<double>qty_raw / 1e9) * (<double>px_raw / 1e9) * instrument.multiplier, quote, "fill notional"
        )
        # deltas per currency, checked before anything changes
        cdef dict deltas = {}
        cdef dict curs = {quote.code: quote}
        deltas[quote.code] = -notional if side == _BUY else notional
        cdef Currency base
        cdef int64_t base_raw
        if _is_pair(instrument):
            base = instrument.base_currency
            base_raw = raw_round(qty_raw, base.precision)
            curs[base.code] = base
            deltas[base.code] = deltas.get(base.code, 0) + (base_raw if side == _BUY else -base_raw)
        if commission_currency is not None and commission_raw != 0:
            curs[commission_currency.code] = commission_currency
            deltas[commission_currency.code] = deltas.get(commission_currency.code, 0) - commission_raw
        cdef str code
        cdef int64_t new
        for code, d in deltas.items():
            self._check_currency(<Currency>curs[code])
            new = _add(self.total_raw(<Currency>curs[code]), d, self.id, code)
            if new < 0 and not self.allow_borrowing:
                raise AccountBalanceNegative(
                    f"fill on {instrument.id} ({'BUY' if side == _BUY else 'SELL'} {<double>qty_raw / 1e9:g} @ "
                    f"{<double>px_raw / 1e9:g}) would make cash account {self.id} {code} balance negative "
                    f"({Money.from_raw_c(new, <Currency>curs[code])})"
                )
        for code, d in deltas.items():
            self._add_total(<Currency>curs[code], d)
        return self._record("fill", ts_event, False)


cdef class MarginAccount(Account):
    """Margin account: ``MarginAccount("SIM-001", ["100000 USDT"], default_leverage=10.0)``."""

    def __init__(self, account_id, starting_balances=(), Currency base_currency=None, *,
                 double default_leverage=1.0, dict leverages=None, int64_t ts_event=0):
        if not isfinite(default_leverage) or default_leverage <= 0:
            raise ValueError(f"invalid default_leverage {default_leverage!r}: must be > 0")
        self.account_type_c = ACCOUNT_MARGIN
        self.default_leverage = default_leverage
        self._leverages = {}
        self._maint = {}
        if leverages:
            for iid, lev in leverages.items():
                self.set_leverage(iid if isinstance(iid, InstrumentId) else InstrumentId.from_str(str(iid)), lev)
        Account.__init__(self, account_id, starting_balances, base_currency, allow_borrowing=True, ts_event=ts_event)

    def set_leverage(self, InstrumentId instrument_id not None, double leverage) -> None:
        """Leverage for one instrument (> 0)."""
        if not isfinite(leverage) or leverage <= 0:
            raise ValueError(f"invalid leverage {leverage!r} for {instrument_id}: must be > 0")
        self._leverages[instrument_id] = leverage

    cpdef double leverage(self, InstrumentId instrument_id) except -1.0:
        """The instrument's leverage, else ``default_leverage``."""
        return self._leverages.get(instrument_id, self.default_leverage)

    def leverages(self) -> dict:
        return dict(self._leverages)

    cdef double _notional(self, Instrument instrument, double q, double px) except? -1.0:
        if instrument.is_inverse:
            if px <= 0:
                raise ValueError(f"invalid price {px!r} for inverse {instrument.id}: must be > 0")
            return q * instrument.multiplier / px
        return fabs(q * px * instrument.multiplier)

    def margin_init_for(self, Instrument instrument not None, quantity, price) -> Money:
        """``notional * margin_init / leverage`` in the margin currency."""
        cdef Currency cur = _margin_currency(instrument)
        cdef double n = self._notional(instrument, _qty_arg(quantity, "quantity"), _px_arg(price, "price"))
        return Money.from_raw_c(
            _amount_raw(n * instrument.margin_init / self.leverage(instrument.id), cur, "initial margin"), cur
        )

    def margin_maint_for(self, Instrument instrument not None, quantity, price) -> Money:
        """``notional * margin_maint / leverage`` in the margin currency."""
        cdef Currency cur = _margin_currency(instrument)
        cdef double n = self._notional(instrument, _qty_arg(quantity, "quantity"), _px_arg(price, "price"))
        return Money.from_raw_c(
            _amount_raw(n * instrument.margin_maint / self.leverage(instrument.id), cur, "maintenance margin"), cur
        )

    def order_lock_amount(self, Instrument instrument not None, side, quantity, price) -> Money:
        """The order's initial margin (``margin_init_for``)."""
        _side_arg(side, "side")
        return self.margin_init_for(instrument, quantity, price)

    def check_order(self, Instrument instrument not None, side, quantity, price, Position position=None):
        cdef int s = _side_arg(side, "side")
        cdef double q = _qty_arg(quantity, "quantity")
        cdef double pos_abs
        if position is not None and position.is_opposite_side(s):
            pos_abs = fabs(<double>position.signed_qty_raw / 1e9)
            q = q - pos_abs if q > pos_abs else 0.0
        if q == 0.0:
            return None
        cdef Money need = self.margin_init_for(instrument, q, price)
        cdef int64_t free = self.free_raw(need.currency)
        if need.raw > free:
            return (f"insufficient free margin on {self.id}: order needs initial margin {need}, free "
                    f"{Money.from_raw_c(free, need.currency)}")
        return None

    def update_margin_maint(self, InstrumentId instrument_id not None, amount not None, int64_t ts_event=0) -> AccountState:
        """Set the maintenance margin of ``instrument_id``'s positions (replaces; zero removes)."""
        cdef Money m = _money_arg(amount, "maintenance margin")
        if m.raw < 0:
            raise ValueError(f"invalid maintenance margin {m} for {instrument_id}: must be >= 0")
        cdef _Ledger led = self._ledger(m.currency)
        cdef Money old = self._maint.get(instrument_id)
        cdef _Ledger old_led
        if old is not None:
            old_led = self._ledger(old.currency)
            old_led.locked -= old.raw
        if m.raw == 0:
            self._maint.pop(instrument_id, None)
        else:
            self._maint[instrument_id] = m
        led.locked += m.raw
        return self._emit("margin", ts_event, False)

    def margin(self, InstrumentId instrument_id not None):
        """MarginBalance of one instrument, or None when it has no margin."""
        for mb in self.margins():
            if (<MarginBalance>mb).instrument_id == instrument_id:
                return mb
        return None

    def margins(self) -> list:
        """MarginBalance per instrument with a non-zero initial or maintenance margin."""
        self._record("margins", 0, False)       # snapshot, then drop the record again
        cdef list out = self._state(self._nrec - 1).margins
        self._nrec -= 1
        self._nbal = self._recs[self._nrec].bal_start
        self._nmar = self._recs[self._nrec].mar_start
        return out

    cdef int _push_margins(self) except -1:
        """Log (index, slot, initial, maintenance) per instrument: instruments with order locks
        first (lock order), then those with only a maintenance margin (first-set order)."""
        if not self._locks and not self._maint:
            return 0
        cdef tuple key
        cdef Money mm
        cdef InstrumentId iid
        cdef _Ledger led
        for key, raw in self._locks.items():
            iid = key[0]
            led = self._ledgers[key[1]]
            mm = self._maint.get(iid)
            self._push_margin(iid.index, led.slot, raw, 0 if mm is None else mm.raw)
        for iid, mm in self._maint.items():
            if (iid, mm.currency.code) in self._locks:
                continue
            led = self._ledgers[mm.currency.code]
            self._push_margin(iid.index, led.slot, 0, mm.raw)
        return 0

    cdef int apply_fill_c(
        self,
        Instrument instrument,
        int side,
        int64_t qty_raw,
        int64_t px_raw,
        int64_t commission_raw,
        Currency commission_currency,
        Position position,
        int64_t ts_event,
    ) except -1:
        if position is None:
            raise ValueError(
                f"margin account {self.id}: apply_fill for {instrument.id} needs the position the fill was applied to"
            )
        if position.instrument_id is not instrument.id and position.instrument_id != instrument.id:
            raise ValueError(f"position {position.id} is for {position.instrument_id}, not {instrument.id}")
        self._check_currency(position.pnl_currency)
        if commission_currency is not None and commission_raw != 0:
            self._check_currency(commission_currency)
        if position.last_pnl_raw != 0:
            self._add_total(position.pnl_currency, position.last_pnl_raw)
        if commission_currency is not None and commission_raw != 0:
            self._add_total(commission_currency, -commission_raw)
        return self._record("fill", ts_event, False)
