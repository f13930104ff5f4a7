# Fixed-point primitives: every price, size and amount inside the engine is an int64 "raw" value
# at scale 10^9 (FIXED_SCALE) plus a precision (0-9 decimal places) used for validation and text.
from libc.stdint cimport int64_t, uint8_t

cdef extern from *:
    """
    static const int64_t AF_POW10[19] = {
        1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
        1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
        100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
        1000000000000000000LL};
    """
    const int64_t AF_POW10[19]

cdef extern from *:
    """
    #define AF_FIXED_SCALE 1000000000LL
    #define AF_FIXED_PRECISION 9
    """
    const int64_t FIXED_SCALE "AF_FIXED_SCALE"          # 10^9
    const int FIXED_PRECISION "AF_FIXED_PRECISION"      # 9


# raw -> double (approximate, for display and statistics only).
cdef inline double raw_to_f64(int64_t raw) noexcept nogil:
    return <double>raw / 1e9

# double -> raw, rounded half away from zero at `precision` decimals. No range check: callers that
# take user input use f64_to_raw_checked. For batch loops over validated columns.
cdef inline int64_t f64_to_raw(double value, uint8_t precision) noexcept nogil:
    # half away from zero by truncating value +- 0.5: plain arithmetic, no libm call (llround and
    # nearbyint are library calls on baseline x86-64, which has no SSE4.1 roundsd)
    cdef double scaled = value * <double>AF_POW10[precision]
    cdef int64_t r = <int64_t>(scaled + 0.5) if scaled >= 0 else <int64_t>(scaled - 0.5)
    return r * AF_POW10[9 - precision]

# True when `raw` has no more than `precision` decimals (i.e. is a multiple of 10^(9-precision)).
cdef inline bint raw_fits_precision(int64_t raw, uint8_t precision) noexcept nogil:
    return raw % AF_POW10[9 - precision] == 0

# Round raw to `precision` decimals, half away from zero.
cdef inline int64_t raw_round(int64_t raw, uint8_t precision) noexcept nogil:
    cdef int64_t unit = AF_POW10[9 - precision]
    cdef int64_t half = unit // 2
    if raw >= 0:
        return ((raw + half) // unit) * unit
    return -(((-raw + half) // unit) * unit)

# Checked conversion for user input: raises ValueError naming the value for NaN, inf, out of
# range, precision outside 0-9, or more decimals than `precision` allows (beyond float noise).
cdef int64_t f64_to_raw_checked(double value, int precision, str what) except? -1

# Exact decimal text -> raw. Sets precision_out to the number of decimals in the text.
cdef int64_t str_to_raw(str text, int* precision_out, str what) except? -1

# raw -> exact decimal text with `precision` decimals.
cdef str raw_to_str(int64_t raw, uint8_t precision)


cdef class Price:
    cdef readonly int64_t raw
    """Raw fixed-point value at scale 10^9 (int)."""
    cdef readonly uint8_t precision
    """Decimal places (0-9)."""

    @staticmethod
    cdef Price from_raw_c(int64_t raw, uint8_t precision)
    cpdef double as_double(self)


cdef class Quantity:
    cdef readonly int64_t raw
    """Raw fixed-point value at scale 10^9 (int, never negative)."""
    cdef readonly uint8_t precision
    """Decimal places (0-9)."""

    @staticmethod
    cdef Quantity from_raw_c(int64_t raw, uint8_t precision)
    cpdef double as_double(self)
