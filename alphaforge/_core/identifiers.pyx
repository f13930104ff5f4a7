"""Identifiers: immutable string ids with a cached hash and cheap equality.

``InstrumentId`` ("BTCUSDT.BINANCE" = symbol + "." + venue) is interned process-wide: each distinct
value gets a stable ``index`` (>= 1, in order of first use) that C records carry as ``instrument_id``.
"""
from libc.stdint cimport int64_t, uint32_t
from libc.string cimport memcpy

# InstrumentId interning: value -> index, and index -> InstrumentId (slot 0 is "unset").
cdef dict _INSTRUMENT_INDEX = {}
cdef list _INSTRUMENTS = [None]


cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)


cdef str prefixed_seq(bytes prefix, int64_t n):
    cdef char digits[24]
    cdef Py_ssize_t plen = len(prefix), k = 0, i
    cdef object out
    cdef char* data
    if n < 0:
        return prefix.decode("ascii") + str(n)
    while True:
        digits[k] = <char>(48 + n % 10)
        n = n // 10
        k += 1
        if n == 0:
            break
    out = PyUnicode_New(plen + k, 127)          # compact ASCII: written in place, no scan
    data = <char*>PyUnicode_DATA(out)
    memcpy(data, <const char*>prefix, plen)
    for i in range(k):
        data[plen + i] = digits[k - 1 - i]
    return <str>out


cdef inline str _check_value(object value, str kind):
    if not isinstance(value, str):
        raise TypeError(f"{kind} value must be str, got {type(value).__name__} ({value!r})")
    cdef str s = <str>value
    if not s:
        raise ValueError(f"invalid {kind} {value!r}: empty string")
    if s != s.strip() or any(c.isspace() for c in s):
        raise ValueError(f"invalid {kind} {value!r}: contains whitespace")
    return s


cdef class Identifier:
    """Base identifier: a non-empty string without whitespace."""

    def __init__(self, str value not None):
        self.value = _check_value(value, type(self).__name__)
        self._hash = hash(self.value)

    def __eq__(self, other):
        if type(other) is type(self):
            return self.value == (<Identifier>other).value
        return NotImplemented

    def __ne__(self, other):
        if type(other) is type(self):
            return self.value != (<Identifier>other).value
        return NotImplemented

    def __lt__(self, other):
        if type(other) is type(self):
            return self.value < (<Identifier>other).value
        return NotImplemented

    def __le__(self, other):
        if type(other) is type(self):
            return self.value <= (<Identifier>other).value
        return NotImplemented

    def __gt__(self, other):
        if type(other) is type(self):
            return self.value > (<Identifier>other).value
        return NotImplemented

    def __ge__(self, other):
        if type(other) is type(self):
            return self.value >= (<Identifier>other).value
        return NotImplemented

    def __hash__(self):
        if self._hash == -1:            # made without its hash (see identifiers.pxd)
            self._hash = hash(self.value)
        return self._hash

    def __str__(self):
        return self.value

    def __repr__(self):
        return f"{type(self).__name__}('{self.value}')"

    def __reduce__(self):
        return (type(self), (self.value,))


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
        self.value = f"{symbol.value}.{venue.value}"
        self._hash = hash(self.value)
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
        return (InstrumentId.from_str, (self.value,))


cdef uint32_t _intern(InstrumentId iid):
    cdef object found = _INSTRUMENT_INDEX.get(iid.value)
    if found is not None:
        return <uint32_t>found
    cdef uint32_t idx = <uint32_t>len(_INSTRUMENTS)
    _INSTRUMENTS.append(iid)
    _INSTRUMENT_INDEX[iid.value] = idx
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
        return self.value.partition("-")[0]


cdef class OrderListId(Identifier):
    """An order list (contingency group) id."""


cdef class ComponentId(Identifier):
    """A component (engine, client, actor) id."""
