from libc.stdint cimport int64_t, uint32_t, uint64_t


cdef class SeqPrefix:
    """The shared prefix of sequence ids ``prefix + decimal(n)`` ("O-S1-42", "SIM-T17")."""
    cdef readonly str prefix
    cdef bytes _ascii               # the prefix as ASCII bytes (None: not ASCII, formatted by str())
    cdef uint64_t _head             # the mixed FNV-1a hash of the prefix (id hash = _head + number)


cdef class Identifier:
    # The string value. A sequence id (see ``seq_id``) keeps its SeqPrefix and number instead and
    # formats the string on first read (``id_value``): most ids the engine makes are only hashed
    # and compared, and both work from the number.
    cdef str _value                 # None while a sequence id is not formatted yet
    cdef Py_hash_t _hash            # id_hash(value); -1: not computed yet
    cdef SeqPrefix _prefix          # sequence ids: the prefix (else None) ...
    cdef int64_t _seq               # ... and the number (>= 0)


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


# The hash of an identifier with string value ``s``: for a value ending in a decimal number (1-18
# digits, no leading zero) the mixed FNV-1a (64-bit) hash of the rest plus the number, else the
# mixed FNV-1a hash of all of it. Not str's hash: a sequence id hashes its number without formatting
# it, ids numbered in sequence hash consecutively (dicts keyed by them fill their table in order),
# and the result does not depend on PYTHONHASHSEED (sets of ids iterate the same in every process).
cdef Py_hash_t id_hash(str s) noexcept

# Formats a sequence id's value (once; it is kept).
cdef str format_seq(Identifier ident)


cdef inline str id_value(Identifier ident):
    """The string value of ``ident`` (C-level ``.value``; a sequence id is formatted once)."""
    if ident._value is None:
        return format_seq(ident)
    return ident._value


cdef inline Identifier seq_id(Identifier blank, SeqPrefix prefix, int64_t n):
    """Make ``blank`` (fresh from ``Cls.__new__(Cls)``) the sequence id ``prefix.prefix + str(n)``,
    n >= 0: no validation (the prefix was validated), no formatting, hash computed when asked."""
    blank._prefix = prefix
    blank._seq = n
    blank._hash = -1
    return blank
