from libc.stdint cimport int64_t, uint8_t


cdef class Currency:
    cdef readonly str code
    """ISO 4217 or crypto code, e.g. "USD", "BTC"."""
    cdef readonly uint8_t precision
    """Decimal places amounts in this currency are kept at."""
    cdef readonly int currency_type
    """CurrencyType value: 1 FIAT, 2 CRYPTO, 3 COMMODITY_BACKED."""
    cdef readonly str name


cdef class Money:
    cdef readonly int64_t raw
    """Raw fixed-point amount at scale 10^9 (may be negative)."""
    cdef readonly Currency currency

    @staticmethod
    cdef Money from_raw_c(int64_t raw, Currency currency)
    cpdef double as_double(self)
    cdef int _same(self, Money other) except -1
