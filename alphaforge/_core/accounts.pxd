# Accounts: balances per currency (total / locked / free, raw int64 at 10^9), CASH and MARGIN
# rules, and the AccountState event every change produces.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.identifiers cimport AccountId, InstrumentId
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.position cimport Position

cdef enum AccountTypeC:
    ACCOUNT_CASH = 1
    ACCOUNT_MARGIN = 2


cdef class AccountBalance:
    cdef readonly Money total
    cdef readonly Money locked
    cdef readonly Money free


cdef class MarginBalance:
    cdef readonly Money initial
    """Initial margin locked for the instrument's open orders."""
    cdef readonly Money maintenance
    """Maintenance margin of the instrument's open positions."""
    cdef readonly InstrumentId instrument_id


cdef class AccountState:
    cdef readonly AccountId account_id
    cdef readonly object account_type
    cdef readonly Currency base_currency
    cdef readonly list balances
    cdef readonly list margins
    cdef readonly bint is_reported
    cdef readonly str reason
    cdef readonly int64_t ts_event
    cdef readonly int64_t ts_init


cdef class _Ledger:
    cdef Currency currency
    cdef int64_t total
    cdef int64_t locked
    cdef int32_t slot              # index in Account._currencies


# The event log is kept in C arrays (no per-event Python objects, nothing for the GC to scan);
# AccountState objects are built from it on access.
cdef struct _RecC:
    int64_t ts_event
    int32_t reason                 # index in Account._reasons
    uint8_t reported
    Py_ssize_t bal_start
    Py_ssize_t bal_n
    Py_ssize_t mar_start
    Py_ssize_t mar_n

cdef struct _BalC:
    int32_t slot
    int64_t total
    int64_t locked

cdef struct _MarC:
    uint32_t instrument            # InstrumentId.index
    int32_t slot
    int64_t initial
    int64_t maintenance


cdef class Account:
    cdef readonly AccountId id
    cdef readonly int account_type_c
    cdef readonly Currency base_currency
    """None for a multi-currency account; else every balance must be in this currency."""
    cdef readonly bint allow_borrowing
    cdef list _currencies          # ledger slot -> Currency
    cdef list _ledger_list         # ledger slot -> _Ledger (the values of _ledgers, for C loops)
    cdef list _reasons
    cdef dict _reason_idx
    cdef object _last_reason           # one-entry cache of _reason_idx (the last reason, by identity)
    cdef object _last_reason_idx
    cdef _RecC* _recs
    cdef Py_ssize_t _nrec, _caprec
    cdef _BalC* _bals
    cdef Py_ssize_t _nbal, _capbal
    cdef _MarC* _mars
    cdef Py_ssize_t _nmar, _capmar
    cdef dict _ledgers             # currency code -> _Ledger (insertion order = first use)
    cdef dict _locks               # (InstrumentId, currency code) -> raw locked for open orders

    cdef _Ledger _ledger(self, Currency currency)
    cdef int _check_currency(self, Currency currency) except -1
    cdef int _add_total(self, Currency currency, int64_t delta) except -1
    cdef int _lock_c(self, InstrumentId instrument_id, Currency currency, int64_t raw) except -1
    cdef int _push_margin(self, uint32_t instrument, int32_t slot, int64_t initial, int64_t maintenance) except -1
    cdef int _push_margins(self) except -1
    cdef AccountState _state(self, Py_ssize_t i)
    cdef int _record(self, str reason, int64_t ts_event, bint reported) except -1
    cdef Currency _cur_arg(self, object currency)
    cdef AccountState _emit(self, str reason, int64_t ts_event, bint reported)
    cpdef int64_t free_raw(self, Currency currency) except? -1
    cpdef int64_t total_raw(self, Currency currency) except? -1
    cpdef int64_t locked_raw(self, Currency currency) except? -1
    # Settle a fill from raw values and record the AccountState (materialize it with last_event).
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
    ) except -1


cdef class CashAccount(Account):
    cdef int _check_spot(self, Instrument instrument) except -1


cdef class MarginAccount(Account):
    cdef readonly double default_leverage
    cdef dict _leverages           # InstrumentId -> double
    cdef dict _maint               # InstrumentId -> Money (maintenance margin of positions)

    cpdef double leverage(self, InstrumentId instrument_id) except -1.0
    cdef double _notional(self, Instrument instrument, double q, double px) except? -1.0
