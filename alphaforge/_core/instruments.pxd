from libc.stdint cimport int64_t, uint8_t

from alphaforge._core.currency cimport Currency
from alphaforge._core.fixed cimport Price, Quantity
from alphaforge._core.identifiers cimport InstrumentId


cdef class Instrument:
    cdef readonly InstrumentId id
    cdef readonly str raw_symbol
    cdef readonly int asset_class
    cdef readonly str instrument_class
    cdef readonly Currency quote_currency
    cdef readonly Currency base_currency          # None for equities/futures
    cdef readonly Currency settlement_currency
    cdef readonly bint is_inverse
    cdef readonly uint8_t price_precision
    cdef readonly uint8_t size_precision
    cdef readonly Price price_increment           # tick size
    cdef readonly Quantity size_increment         # smallest size step
    cdef readonly Quantity lot_size               # standard trading lot (None if not set)
    cdef readonly double multiplier               # contract multiplier (notional = price*qty*multiplier)
    cdef readonly Quantity min_quantity
    cdef readonly Quantity max_quantity
    cdef readonly object min_notional             # Money or None
    cdef readonly object max_notional             # Money or None
    cdef readonly Price min_price
    cdef readonly Price max_price
    cdef readonly double margin_init              # fraction of notional, e.g. 0.05
    cdef readonly double margin_maint
    cdef readonly double maker_fee                # fraction of notional (negative = rebate)
    cdef readonly double taker_fee
    cdef readonly int64_t ts_event
    cdef readonly int64_t ts_init
    # raw copies for C callers
    cdef int64_t price_increment_raw
    cdef int64_t size_increment_raw

    cpdef Price make_price(self, double value)
    cpdef Quantity make_qty(self, double value, bint round_down=*)
    cpdef double notional_value(self, double quantity, double price)


cdef class Equity(Instrument):
    cdef readonly str isin


cdef class CurrencyPair(Instrument):
    pass


cdef class CryptoPerpetual(Instrument):
    pass


cdef class FuturesContract(Instrument):
    cdef readonly str underlying
    cdef readonly int64_t activation_ns
    cdef readonly int64_t expiration_ns
