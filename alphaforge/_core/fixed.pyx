"""Fixed-point Price and Quantity: int64 raw at scale 10^9 plus a precision (decimal places).

Arithmetic between two values of the same type is exact and keeps the larger precision
(``Price.from_str("0.1") + Price.from_str("0.2") == Price.from_str("0.3")``). Multiplying or dividing
by anything gives a float (a notional or a ratio is not a price). Equality and hashing use the raw
value, so ``Price.from_str("1.0") == Price.from_str("1.00")``.
"""
from decimal import Decimal, InvalidOperation

cimport cython

from libc.math cimport fabs, isfinite, nearbyint
from libc.stdint cimport INT64_MAX, int64_t, uint8_t

from alphaforge._core.fixed cimport AF_POW10

# Values must satisfy |value| * 10^9 < 2^63 (about 9.22e9).
cdef double _RAW_LIMIT = 9.2e18


cdef int64_t f64_to_raw_checked(double value, int precision, str what) except? -1:
    if precision < 0 or precision > 9:
        raise ValueError(f"invalid {what} precision {precision!r}: must be 0-9")
    if not isfinite(value):
        raise ValueError(f"invalid {what} value {value!r}: not a finite number")
    if fabs(value) * 1e9 >= _RAW_LIMIT:
        raise ValueError(f"invalid {what} value {value!r}: out of range (|value| must be < 9.2e9)")
    cdef double scaled = value * <double>AF_POW10[precision]
    cdef double rounded = nearbyint(scaled)
    # Tolerate binary floating-point noise (0.1 + 0.2), reject real extra decimals (1.23456 at 4).
    cdef double tol = fabs(scaled) * 1e-12
    if tol < 1e-6:
        tol = 1e-6
    if fabs(scaled - rounded) > tol:
        raise ValueError(
            f"invalid {what} value {value!r}: more decimals than precision {precision} allows"
        )
    return <int64_t>rounded * AF_POW10[9 - precision]


cdef int64_t str_to_raw(str text, int* precision_out, str what) except? -1:
    cdef str s = text.strip()
    cdef bint neg = False
    cdef str ip, fp
    cdef int prec
    if not s:
        raise ValueError(f"invalid {what} string {text!r}: empty")
    if s[0] == "-" or s[0] == "+":
        neg = s[0] == "-"
        s = s[1:]
    if "e" in s or "E" in s:
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise ValueError(f"invalid {what} string {text!r}: not a decimal number") from None
        if not d.is_finite():
            raise ValueError(f"invalid {what} string {text!r}: not a finite number")
        exp = d.as_tuple().exponent
        prec = max(0, -exp)
        s = format(d, "f")
    if "." in s:
        ip, _, fp = s.partition(".")
    else:
        ip, fp = s, ""
    if not ip:
        ip = "0"
    if not (ip.isdigit() and (fp == "" or fp.isdigit())) or not ip.isascii() or not fp.isascii():
        raise ValueError(f"invalid {what} string {text!r}: not a decimal number")
    prec = len(fp)
    if prec > 9:
        stripped = fp.rstrip("0")
        if len(stripped) > 9:
            raise ValueError(f"invalid {what} string {text!r}: more than 9 decimals")
        fp = stripped
        prec = 9
    if len(ip.lstrip("0")) > 10:
        raise ValueError(f"invalid {what} string {text!r}: out of range (|value| must be < 9.2e9)")
    cdef object whole = int(ip) * 1_000_000_000 + (int(fp) * AF_POW10[9 - len(fp)] if fp else 0)
    if whole > INT64_MAX:
        raise ValueError(f"invalid {what} string {text!r}: out of range (|value| must be < 9.2e9)")
    precision_out[0] = prec
    return -<int64_t>whole if neg else <int64_t>whole


cdef str raw_to_str(int64_t raw, uint8_t precision):
    cdef bint neg = raw < 0
    cdef object a = -<object>raw if neg else <object>raw
    cdef object ip = a // 1_000_000_000
    cdef object fp = a % 1_000_000_000
    cdef str out
    if precision == 0:
        out = str(ip)
    else:
        out = f"{ip}.{str(fp).zfill(9)[:precision]}"
    return "-" + out if neg and a != 0 else out


cdef inline int _prec_of(object value, int precision, str what) except -1:
    if precision < 0 or precision > 9:
        raise ValueError(f"invalid {what} precision {precision!r}: must be 0-9")
    return precision


@cython.freelist(512)
cdef class Price:
    """A price: exact fixed-point decimal, may be negative (spreads, some futures).

    ``Price(1.2345, precision=4)``; ``Price.from_str("1.2345")`` (precision from the text);
    ``Price.from_raw(raw, precision)`` where raw is the value times 10^9.
    """

    def __init__(self, double value, int precision):
        _prec_of(value, precision, "price")
        self.raw = f64_to_raw_checked(value, precision, "price")
        self.precision = <uint8_t>precision

    @staticmethod
    cdef Price from_raw_c(int64_t raw, uint8_t precision):
        cdef Price p = Price.__new__(Price)
        p.raw = raw
        p.precision = precision
        return p

    @staticmethod
    def from_raw(int64_t raw, int precision) -> Price:
        """Price from a raw int64 (value * 10^9); raw must have no more than `precision` decimals."""
        _prec_of(raw, precision, "price")
        if not raw_fits_precision(raw, precision):
            raise ValueError(
                f"invalid price raw {raw!r}: more decimals than precision {precision} allows"
            )
        return Price.from_raw_c(raw, <uint8_t>precision)

    @staticmethod
    def from_str(str value) -> Price:
        """Exact parse of a decimal string; the precision is the number of decimals written."""
        cdef int prec = 0
        cdef int64_t raw = str_to_raw(value, &prec, "price")
        return Price.from_raw_c(raw, <uint8_t>prec)

    @staticmethod
    def from_int(int64_t value) -> Price:
        return Price(value, 0)

    cpdef double as_double(self):
        """The value as a float (approximate)."""
        return <double>self.raw / 1e9

    def as_decimal(self):
        """The exact value as a ``decimal.Decimal``."""
        return Decimal(raw_to_str(self.raw, self.precision))

    def __float__(self):
        return <double>self.raw / 1e9

    def __str__(self):
        return raw_to_str(self.raw, self.precision)

    def __repr__(self):
        return f"Price('{raw_to_str(self.raw, self.precision)}')"

    def __hash__(self):
        return hash(self.raw)

    def __reduce__(self):
        return (Price.from_raw, (self.raw, self.precision))

    def __richcmp__(self, other, int op):
        cdef int64_t a, b
        if isinstance(other, Price):
            a = self.raw
            b = (<Price>other).raw
        elif isinstance(other, (int, float)) and not isinstance(other, bool):
            return _cmp_float(self.raw / 1e9, float(other), op)
        else:
            return NotImplemented
        return _cmp_int(a, b, op)

    def __add__(self, other):
        if isinstance(self, Price) and isinstance(other, Price):
            return Price.from_raw_c(
                _checked_add((<Price>self).raw, (<Price>other).raw),
                max((<Price>self).precision, (<Price>other).precision),
            )
        return _float_op(self, other, 0)

    def __sub__(self, other):
        if isinstance(self, Price) and isinstance(other, Price):
            return Price.from_raw_c(
                _checked_add((<Price>self).raw, -(<Price>other).raw),
                max((<Price>self).precision, (<Price>other).precision),
            )
        return _float_op(self, other, 1)

    def __mul__(self, other):
        return _float_op(self, other, 2)

    def __truediv__(self, other):
        return _float_op(self, other, 3)

    def __neg__(self):
        return Price.from_raw_c(-self.raw, self.precision)

    def __abs__(self):
        return Price.from_raw_c(-self.raw if self.raw < 0 else self.raw, self.precision)


@cython.freelist(512)
cdef class Quantity:
    """A non-negative quantity: exact fixed-point decimal.

    ``Quantity(1.5, precision=3)``; ``Quantity.from_str("1.500")``; ``Quantity.from_raw(raw, p)``.
    Subtraction that would go below zero raises ``ValueError``.
    """

    def __init__(self, double value, int precision):
        _prec_of(value, precision, "quantity")
        if value < 0:
            raise ValueError(f"invalid quantity value {value!r}: must not be negative")
        self.raw = f64_to_raw_checked(value, precision, "quantity")
        self.precision = <uint8_t>precision

    @staticmethod
    cdef Quantity from_raw_c(int64_t raw, uint8_t precision):
        cdef Quantity q = Quantity.__new__(Quantity)
        q.raw = raw
        q.precision = precision
        return q

    @staticmethod
    def from_raw(int64_t raw, int precision) -> Quantity:
        """Quantity from a raw int64 (value * 10^9); must be >= 0 with at most `precision` decimals."""
        _prec_of(raw, precision, "quantity")
        if raw < 0:
            raise ValueError(f"invalid quantity raw {raw!r}: must not be negative")
        if not raw_fits_precision(raw, precision):
            raise ValueError(
                f"invalid quantity raw {raw!r}: more decimals than precision {precision} allows"
            )
        return Quantity.from_raw_c(raw, <uint8_t>precision)

    @staticmethod
    def from_str(str value) -> Quantity:
        """Exact parse of a decimal string; the precision is the number of decimals written."""
        cdef int prec = 0
        cdef int64_t raw = str_to_raw(value, &prec, "quantity")
        if raw < 0:
            raise ValueError(f"invalid quantity string {value!r}: must not be negative")
        return Quantity.from_raw_c(raw, <uint8_t>prec)

    @staticmethod
    def from_int(int64_t value) -> Quantity:
        return Quantity(value, 0)

    cpdef double as_double(self):
        """The value as a float (approximate)."""
        return <double>self.raw / 1e9

    def as_decimal(self):
        """The exact value as a ``decimal.Decimal``."""
        return Decimal(raw_to_str(self.raw, self.precision))

    def __float__(self):
        return <double>self.raw / 1e9

    def __str__(self):
        return raw_to_str(self.raw, self.precision)

    def __repr__(self):
        return f"Quantity('{raw_to_str(self.raw, self.precision)}')"

    def __hash__(self):
        return hash(self.raw)

    def __bool__(self):
        return self.raw != 0

    def __reduce__(self):
        return (Quantity.from_raw, (self.raw, self.precision))

    def __richcmp__(self, other, int op):
        if isinstance(other, Quantity):
            return _cmp_int(self.raw, (<Quantity>other).raw, op)
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return _cmp_float(self.raw / 1e9, float(other), op)
        return NotImplemented

    def __add__(self, other):
        if isinstance(self, Quantity) and isinstance(other, Quantity):
            return Quantity.from_raw_c(
                _checked_add((<Quantity>self).raw, (<Quantity>other).raw),
                max((<Quantity>self).precision, (<Quantity>other).precision),
            )
        return _float_op(self, other, 0)

    def __sub__(self, other):
        cdef int64_t r
        if isinstance(self, Quantity) and isinstance(other, Quantity):
            r = (<Quantity>self).raw - (<Quantity>other).raw
            if r < 0:
                raise ValueError(f"quantity {self} - {other} would be negative")
            return Quantity.from_raw_c(r, max((<Quantity>self).precision, (<Quantity>other).precision))
        return _float_op(self, other, 1)

    def __mul__(self, other):
        return _float_op(self, other, 2)

    def __truediv__(self, other):
        return _float_op(self, other, 3)


cdef inline int64_t _checked_add(int64_t a, int64_t b) except? -1:
    cdef int64_t r
    if (b > 0 and a > INT64_MAX - b) or (b < 0 and a < -INT64_MAX - b):
        raise OverflowError(f"fixed-point overflow adding raw values {a} and {b}")
    r = a + b
    return r


cdef inline bint _cmp_int(int64_t a, int64_t b, int op):
    if op == 0:
        return a < b
    if op == 1:
        return a <= b
    if op == 2:
        return a == b
    if op == 3:
        return a != b
    if op == 4:
        return a > b
    return a >= b


cdef inline bint _cmp_float(double a, double b, int op):
    if op == 0:
        return a < b
    if op == 1:
        return a <= b
    if op == 2:
        return a == b
    if op == 3:
        return a != b
    if op == 4:
        return a > b
    return a >= b


cdef object _float_op(object a, object b, int op):
    if not isinstance(a, (int, float, Price, Quantity)) or isinstance(a, bool):
        return NotImplemented
    if not isinstance(b, (int, float, Price, Quantity)) or isinstance(b, bool):
        return NotImplemented
    cdef double x = float(a)
    cdef double y = float(b)
    if op == 0:
        return x + y
    if op == 1:
        return x - y
    if op == 2:
        return x * y
    return x / y
