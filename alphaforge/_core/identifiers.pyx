"""Identifiers: immutable string ids with a cached hash and cheap equality.

The hash (``id_hash``) is not ``hash(str)``; it is the same in every process. A value that ends in a
decimal number ("O-S1-42": head "O-S1-", number 42; at most 18 digits, no leading zero) hashes to
the mixed FNV-1a (64-bit) hash of its head plus the number; any other value to the mixed FNV-1a hash
of all of it. So ids numbered in sequence get consecutive hashes, as ints do: a dict keyed by them
fills its table in order instead of at random places, and a sequence id (``SeqPrefix`` + number,
what the order factory and the simulated venue make) hashes with one addition, before its string is
formatted (only when something reads it).

``InstrumentId`` ("BTCUSDT.BINANCE" = symbol + "." + venue) is interned process-wide: each distinct
value gets a stable ``index`` (>= 1, in order of first use) that C records carry as ``instrument_id``.
"""
cimport cython
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memcpy

# InstrumentId interning: value -> index, and index -> InstrumentId (slot 0 is "unset").
cdef dict _INSTRUMENT_INDEX = {}
cdef list _INSTRUMENTS = [None]


cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)
    int PyUnicode_KIND(object o)
    uint32_t PyUnicode_READ(int kind, void* data, Py_ssize_t index)   # a code point (Py_UCS4)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)


# FNV-1a, 64-bit
cdef uint64_t _FNV_OFFSET = 14695981039346656037ULL
cdef uint64_t _FNV_PRIME = 1099511628211ULL


cdef inline uint64_t _fnv_str(uint64_t h, str s, Py_ssize_t n) noexcept:
    """FNV-1a from state ``h`` over the first ``n`` code points of ``s``."""
    cdef Py_ssize_t i
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    cdef const unsigned char* b
    if kind == 1:
        b = <const unsigned char*>data
        for i in range(n):
            h = (h ^ b[i]) * _FNV_PRIME
    else:
        for i in range(n):
            h = (h ^ PyUnicode_READ(kind, data, i)) * _FNV_PRIME
    return h


cdef inline int _digits(char* out, int64_t n) noexcept:
    """Write the decimal digits of n >= 0 into ``out`` least significant first; return the count."""
    cdef int k = 0
    while True:
        out[k] = <char>(48 + n % 10)
        n = n // 10
        k += 1
        if n == 0:
            return k


cdef int64_t _MAX_TAIL = 999_999_999_999_999_999     # numbers of up to 18 digits


cdef inline uint64_t _mix(uint64_t h) noexcept:
    # spread the high bits into the low ones (dicts index by the low bits)
    h ^= h >> 31
    h *= 0x9E3779B97F4A7C15ULL
    h ^= h >> 29
    return h


cdef inline Py_hash_t _as_hash(uint64_t h) noexcept:
    cdef Py_hash_t r = <Py_hash_t>h
    return -2 if r == -1 else r         # -1 is CPython's error value


cdef inline bint _is_digit(uint32_t c) noexcept:
    return 48 <= c <= 57


cdef Py_hash_t id_hash(str s) noexcept:
    """The hash of an identifier with value ``s`` (see the module docstring)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s), j = n, i
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    cdef uint64_t v = 0
    while j > 0 and _is_digit(PyUnicode_READ(kind, data, j - 1)):
        j -= 1
    if 0 < n - j <= 18 and (n - j == 1 or PyUnicode_READ(kind, data, j) != 48):
        for i in range(j, n):
            v = v * 10 + (PyUnicode_READ(kind, data, i) - 48)
        return _as_hash(_mix(_fnv_str(_FNV_OFFSET, s, j)) + v)
    return _as_hash(_mix(_fnv_str(_FNV_OFFSET, s, n)))


cdef inline Py_hash_t _seq_hash(Identifier ident) noexcept:
    """id_hash(prefix + str(n)) of a sequence id without its string: a prefix never ends in a digit,
    so the number is the value's whole decimal tail (beyond 18 digits the value is hashed)."""
    if ident._seq <= _MAX_TAIL:
        return _as_hash(ident._prefix._head + <uint64_t>ident._seq)
    return id_hash(id_value(ident))


cdef str format_seq(Identifier ident):
    cdef SeqPrefix p = ident._prefix
    cdef char digits[24]
    cdef int k, i
    cdef Py_ssize_t plen
    cdef object out
    cdef char* data
    if p._ascii is None:
        ident._value = p.prefix + str(ident._seq)
        return ident._value
    k = _digits(digits, ident._seq)
    plen = len(p._ascii)
    out = PyUnicode_New(plen + k, 127)          # compact ASCII: written in place, no scan
    data = <char*>PyUnicode_DATA(out)
    memcpy(data, <const char*>p._ascii, plen)
    for i in range(k):
        data[plen + i] = digits[k - 1 - i]
    ident._value = <str>out
    return ident._value


cdef inline str _check_value(object value, str kind):
    if not isinstance(value, str):
        raise TypeError(f"{kind} value must be str, got {type(value).__name__} ({value!r})")
    cdef str s = <str>value
    if not s:
        raise ValueError(f"invalid {kind} {value!r}: empty string")
    if s != s.strip() or any(c.isspace() for c in s):
        raise ValueError(f"invalid {kind} {value!r}: contains whitespace")
    return s


cdef class SeqPrefix:
    """The shared prefix of sequence ids ``prefix + str(n)`` (n >= 0), e.g. ``"O-S1-"`` for client
    order ids "O-S1-1", "O-S1-2", ... The engine's id generators (order factory, simulated venue)
    make ids from a SeqPrefix and a number; the id's string is formatted when first read."""

    def __init__(self, str prefix not None):
        _check_value(prefix + "0", "SeqPrefix")
        if prefix and _is_digit(ord(prefix[len(prefix) - 1])):
            raise ValueError(f"invalid SeqPrefix {prefix!r}: ends in a digit (its ids' numbers would run into it)")
        self.prefix = prefix
        self._ascii = prefix.encode("ascii") if prefix.isascii() else None
        self._head = _mix(_fnv_str(_FNV_OFFSET, prefix, len(prefix)))

    def __repr__(self):
        return f"SeqPrefix({self.prefix!r})"


cdef inline bint _same(Identifier a, Identifier b):
    """a == b for two identifiers of one class."""
    if a is b:
        return True
    if a._prefix is not None and a._prefix is b._prefix:
        return a._seq == b._seq
    return id_value(a) == id_value(b)


@cython.no_gc                       # refers to str and SeqPrefix only: never part of a cycle
cdef class Identifier:
    """Base identifier: a non-empty string without whitespace (``value``)."""

    def __init__(self, str value not None):
        self._value = _check_value(value, type(self).__name__)
        self._hash = id_hash(self._value)

    @property
    def value(self) -> str:
        """The identifier's string value."""
        return id_value(self)

    def __eq__(self, other):
        if type(other) is type(self):
            return _same(self, <Identifier>other)
        return NotImplemented

    def __ne__(self, other):
        if type(other) is type(self):
            return not _same(self, <Identifier>other)
        return NotImplemented

    def __lt__(self, other):
        if type(other) is type(self):
            return id_value(self) < id_value(<Identifier>other)
        return NotImplemented

    def __le__(self, other):
        if type(other) is type(self):
            return id_value(self) <= id_value(<Identifier>other)
        return NotImplemented

    def __gt__(self, other):
        if type(other) is type(self):
            return id_value(self) > id_value(<Identifier>other)
        return NotImplemented

    def __ge__(self, other):
        if type(other) is type(self):
            return id_value(self) >= id_value(<Identifier>other)
        return NotImplemented

    def __hash__(self):
        """``id_hash(value)`` (see the module docstring): not ``hash(value)``, and the same in every
        process."""
        if self._hash == -1:            # a sequence id, or made in C without its hash
            self._hash = _seq_hash(self) if self._prefix is not None else id_hash(id_value(self))
        return self._hash

    def __str__(self):
        return id_value(self)

    def __repr__(self):
        return f"{type(self).__name__}('{id_value(self)}')"

    def __reduce__(self):
        return (type(self), (id_value(self),))


cdef class Symbol(Identifier):
    """A venue's ticker symbol, e.g. ``"BTCUSDT"`` (may contain '.', e.g. "BRK.B")."""


cdef class Venue(Identifier):
    """A trading venue, e.g. ``"BINANCE"`` (no '.')."""

    def __init__(self, str value not None):
        Identifier.__init__(self, value)
        if "." in value:
            raise ValueError(f"invalid Venue {value!r}: must not contain '.'")


cdef class InstrumentId(Identifier):
    """An instrument: ``symbol.venue``, e.g. ``InstrumentId.from_str("BTCUSDT.BINANCE")``.

    ``index`` is the process-wide interned number C records use as ``instrument_id``.
    """

    def __init__(self, Symbol symbol not None, Venue venue not None):
        self.symbol = symbol
        self.venue = venue
        self._value = f"{symbol._value}.{venue._value}"
        self._hash = id_hash(self._value)
        self.index = _intern(self)

    @staticmethod
    def from_str(str value not None) -> InstrumentId:
        """Parse ``"SYMBOL.VENUE"`` (split at the last '.'); raises ValueError with the reason."""
        cdef object found = _INSTRUMENT_INDEX.get(value)
        if found is not None:
            return _INSTRUMENTS[found]
        _check_value(value, "InstrumentId")
        sym, dot, ven = value.rpartition(".")
        if not dot:
            raise ValueError(f"invalid InstrumentId {value!r}: missing '.' between symbol and venue")
        if not sym:
            raise ValueError(f"invalid InstrumentId {value!r}: empty symbol")
        if not ven:
            raise ValueError(f"invalid InstrumentId {value!r}: empty venue")
        return InstrumentId(Symbol(sym), Venue(ven))

    @staticmethod
    cdef InstrumentId from_index_c(uint32_t index):
        return <InstrumentId>_INSTRUMENTS[index]

    @staticmethod
    def from_index(uint32_t index) -> InstrumentId:
        """The interned InstrumentId for a record's ``instrument_id`` (KeyError if unknown)."""
        if index == 0 or index >= len(_INSTRUMENTS):
            raise KeyError(f"no InstrumentId with index {index}")
        return _INSTRUMENTS[index]

    def __reduce__(self):
        return (InstrumentId.from_str, (self._value,))


cdef uint32_t _intern(InstrumentId iid):
    cdef object found = _INSTRUMENT_INDEX.get(iid._value)
    if found is not None:
        return <uint32_t>found
    cdef uint32_t idx = <uint32_t>len(_INSTRUMENTS)
    _INSTRUMENTS.append(iid)
    _INSTRUMENT_INDEX[iid._value] = idx
    return idx


cdef class StrategyId(Identifier):
    """A strategy instance, conventionally ``"Name-TAG"`` (e.g. "EMACross-001")."""


cdef class TraderId(Identifier):
    """A trader (node) id, conventionally ``"NAME-TAG"`` (e.g. "TRADER-001")."""

    def __init__(self, str value not None):
        Identifier.__init__(self, value)
        if "-" not in value or value.startswith("-") or value.endswith("-"):
            raise ValueError(f"invalid TraderId {value!r}: expected 'NAME-TAG' with a hyphen")


cdef class ClientOrderId(Identifier):
    """An order id assigned by the strategy side (unique per trader)."""


cdef class VenueOrderId(Identifier):
    """An order id assigned by the venue."""


cdef class TradeId(Identifier):
    """A venue's trade (match) id."""


cdef class PositionId(Identifier):
    """A position id (netting: ``"{instrument_id}-{strategy_id}"``; hedging: per opening order)."""


cdef class AccountId(Identifier):
    """An account, ``"ISSUER-NUMBER"`` (e.g. "SIM-001")."""

    def __init__(self, str value not None):
        Identifier.__init__(self, value)
        if "-" not in value or value.startswith("-") or value.endswith("-"):
            raise ValueError(f"invalid AccountId {value!r}: expected 'ISSUER-NUMBER' with a hyphen")

    @property
    def issuer(self) -> str:
        return id_value(self).partition("-")[0]


cdef class OrderListId(Identifier):
    """An order list (contingency group) id."""


cdef class ComponentId(Identifier):
    """A component (engine, client, actor) id."""
