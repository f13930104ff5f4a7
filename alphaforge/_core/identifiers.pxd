from libc.stdint cimport int64_t, uint32_t


cdef class Identifier:
    cdef readonly str value
    """The identifier's string value."""
    cdef Py_hash_t _hash            # hash(value); -1: not computed yet (ids made in C that may never be hashed)


cdef class Symbol(Identifier):
    pass


cdef class Venue(Identifier):
    pass


cdef class InstrumentId(Identifier):
    cdef readonly Symbol symbol
    cdef readonly Venue venue
    cdef readonly uint32_t index
    """Process-wide interned index (>= 1) used as ``instrument_id`` in C records."""

    @staticmethod
    cdef InstrumentId from_index_c(uint32_t index)


cdef class StrategyId(Identifier):
    pass


cdef class TraderId(Identifier):
    pass


cdef class ClientOrderId(Identifier):
    pass


cdef class VenueOrderId(Identifier):
    pass


cdef class TradeId(Identifier):
    pass


cdef class PositionId(Identifier):
    pass


cdef class AccountId(Identifier):
    pass


cdef class OrderListId(Identifier):
    pass


cdef class ComponentId(Identifier):
    pass


# The str ``prefix + decimal(n)`` for an ASCII ``prefix`` (bytes) and n >= 0, formatted in a C
# buffer (one allocation): sequence ids like "SIM-17" or "O-S1-42" without f-string formatting.
cdef str prefixed_seq(bytes prefix, int64_t n)
