"""Currencies and Money (a fixed-point amount in one currency)."""
from decimal import Decimal

cimport cython

from libc.stdint cimport INT64_MAX, int64_t, uint8_t

from alphaforge._core.fixed cimport f64_to_raw_checked, raw_fits_precision, raw_round, raw_to_str, str_to_raw

cdef dict _REGISTRY = {}

FIAT = 1
CRYPTO = 2
COMMODITY_BACKED = 3


cdef class Currency:
    """A currency: ``Currency("USD", precision=2, currency_type=1)``; ``Currency.from_str("USD")``
    returns a registered one (common fiat and crypto codes are built in)."""

    def __init__(self, str code not None, int precision, int currency_type=FIAT, str name=None):
        if not code or not code.isalnum() or code != code.upper():
            raise ValueError(f"invalid Currency code {code!r}: expected upper-case letters/digits")
        if precision < 0 or precision > 9:
            raise ValueError(f"invalid Currency precision {precision!r} for {code}: must be 0-9")
        if currency_type not in (FIAT, CRYPTO, COMMODITY_BACKED):
            raise ValueError(f"invalid Currency type {currency_type!r} for {code}")
        self.code = code
        self.precision = <uint8_t>precision
        self.currency_type = currency_type
        self.name = name or code

    @staticmethod
    def from_str(str code not None) -> Currency:
        """A registered currency by code (KeyError-free: raises ValueError naming the code)."""
        cdef object c = _REGISTRY.get(code)
        if c is None:
            c = _REGISTRY.get(code.strip().upper())
        if c is None:
            raise ValueError(f"unknown currency {code!r}: register it with Currency.register(...)")
        return c

    @staticmethod
    def register(Currency currency not None, bint overwrite=False) -> None:
        """Make a currency known to ``from_str`` (and to strings like "100 XYZ")."""
        if currency.code in _REGISTRY and not overwrite:
            if _REGISTRY[currency.code] == currency:
                return
            raise ValueError(f"currency {currency.code} already registered with other attributes")
        _REGISTRY[currency.code] = currency

    @property
    def is_fiat(self) -> bool:
        return self.currency_type == FIAT

    @property
    def is_crypto(self) -> bool:
        return self.currency_type == CRYPTO

    def __eq__(self, other):
        if isinstance(other, Currency):
            return self.code == (<Currency>other).code and self.precision == (<Currency>other).precision
        return NotImplemented

    def __hash__(self):
        return hash(self.code)

    def __str__(self):
        return self.code

    def __repr__(self):
        kind = {FIAT: "FIAT", CRYPTO: "CRYPTO", COMMODITY_BACKED: "COMMODITY_BACKED"}[self.currency_type]
        return f"Currency({self.code}, precision={self.precision}, type={kind})"

    def __reduce__(self):
        return (Currency, (self.code, self.precision, self.currency_type, self.name))


for _code, _prec, _type in (
    ("USD", 2, FIAT), ("EUR", 2, FIAT), ("GBP", 2, FIAT), ("JPY", 0, FIAT), ("CHF", 2, FIAT),
    ("AUD", 2, FIAT), ("CAD", 2, FIAT), ("NZD", 2, FIAT), ("HKD", 2, FIAT), ("SGD", 2, FIAT),
    ("CNY", 2, FIAT), ("SEK", 2, FIAT), ("NOK", 2, FIAT), ("INR", 2, FIAT), ("KRW", 0, FIAT),
    ("BTC", 8, CRYPTO), ("ETH", 8, CRYPTO), ("USDT", 8, CRYPTO), ("USDC", 8, CRYPTO),
    ("BNB", 8, CRYPTO), ("SOL", 8, CRYPTO), ("XRP", 6, CRYPTO), ("ADA", 6, CRYPTO),
    ("DOGE", 8, CRYPTO), ("XAU", 2, COMMODITY_BACKED),
):
    Currency.register(Currency(_code, _prec, _type))


@cython.no_gc          # a raw int and a Currency (which never refers back): no reference cycles
cdef class Money:
    """An amount in a currency: ``Money(1000.5, "USD")``, ``Money.from_str("1000000 USD")``.

    Constructed values are kept at the currency's precision; amounts the engine computes (PnL,
    balances) keep the full fixed-point precision (10^-9) so they do not drift over many fills, and
    print rounded half away from zero to the currency's precision. Exact arithmetic between amounts
    of the same currency; adding or comparing different currencies raises ValueError.
    """

    def __init__(self, double amount, currency not None):
        cdef Currency cur = currency if isinstance(currency, Currency) else Currency.from_str(str(currency))
        self.raw = f64_to_raw_checked(amount, cur.precision, f"money ({cur.code})")
        self.currency = cur

    @staticmethod
    cdef Money from_raw_c(int64_t raw, Currency currency):
        cdef Money m = Money.__new__(Money)
        m.raw = raw
        m.currency = currency
        return m

    @staticmethod
    def from_raw(int64_t raw, currency) -> Money:
        """Money from a raw amount (value * 10^9), which must fit the currency's precision."""
        cdef Currency cur = currency if isinstance(currency, Currency) else Currency.from_str(str(currency))
        if not raw_fits_precision(raw, cur.precision):
            raise ValueError(
                f"invalid money raw {raw!r}: more decimals than {cur.code} precision {cur.precision}"
            )
        return Money.from_raw_c(raw, cur)

    @staticmethod
    def from_str(str value not None) -> Money:
        """Parse ``"<amount> <CODE>"``, e.g. ``"1000000 USD"`` or ``"0.5 BTC"``."""
        parts = value.split()
        if len(parts) != 2:
            raise ValueError(f"invalid Money string {value!r}: expected '<amount> <CURRENCY>'")
        cdef Currency cur = Currency.from_str(parts[1])
        cdef int prec = 0
        cdef int64_t raw = str_to_raw(parts[0].replace("_", "").replace(",", ""), &prec, "money")
        if prec > cur.precision and not raw_fits_precision(raw, cur.precision):
            raise ValueError(
                f"invalid Money string {value!r}: more decimals than {cur.code} precision {cur.precision}"
            )
        return Money.from_raw_c(raw, cur)

    cpdef double as_double(self):
        return <double>self.raw / 1e9

    def as_decimal(self):
        """The exact amount (all 9 decimals of the raw value) as a Decimal."""
        return Decimal(raw_to_str(self.raw, 9))

    @property
    def amount(self) -> float:
        return <double>self.raw / 1e9

    def __float__(self):
        return <double>self.raw / 1e9

    def __str__(self):
        return f"{raw_to_str(raw_round(self.raw, self.currency.precision), self.currency.precision)} {self.currency.code}"

    def __repr__(self):
        return f"Money('{raw_to_str(raw_round(self.raw, self.currency.precision), self.currency.precision)}', {self.currency.code})"

    def __hash__(self):
        return hash((self.raw, self.currency.code))

    def __reduce__(self):
        return (Money.from_raw, (self.raw, self.currency))

    cdef int _same(self, Money other) except -1:
        if other.currency.code != self.currency.code:
            raise ValueError(
                f"currency mismatch: {self.currency.code} and {other.currency.code} amounts cannot be combined"
            )
        return 0

    def __eq__(self, other):
        if isinstance(other, Money):
            return self.raw == (<Money>other).raw and self.currency.code == (<Money>other).currency.code
        return NotImplemented

    def __lt__(self, Money other not None):
        self._same(other)
        return self.raw < other.raw

    def __le__(self, Money other not None):
        self._same(other)
        return self.raw <= other.raw

    def __gt__(self, Money other not None):
        self._same(other)
        return self.raw > other.raw

    def __ge__(self, Money other not None):
        self._same(other)
        return self.raw >= other.raw

    def __add__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money.from_raw_c(_add(self.raw, (<Money>other).raw), self.currency)

    def __sub__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money.from_raw_c(_add(self.raw, -(<Money>other).raw), self.currency)

    def __neg__(self):
        return Money.from_raw_c(-self.raw, self.currency)

    def __mul__(self, other):
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return self.as_double() * float(other)
        return NotImplemented


cdef inline int64_t _add(int64_t a, int64_t b) except? -1:
    if (b > 0 and a > INT64_MAX - b) or (b < 0 and a < -INT64_MAX - b):
        raise OverflowError(f"money overflow adding raw amounts {a} and {b}")
    return a + b
