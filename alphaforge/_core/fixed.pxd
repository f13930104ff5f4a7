# Fixed-point primitives: every price, size and amount inside the engine is an int64 "raw" value
# at scale 10^9 (FIXED_SCALE) plus a precision (0-9 decimal places) used for validation and text.
from libc.stdint cimport int64_t, uint8_t, uint64_t

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

cdef extern from *:
    """
    /* Exact divisibility by 5^k without a division (Granlund & Montgomery): for unsigned u,
       5^k | u  <=>  u * inverse(5^k) mod 2^64 <= (2^64 - 1) / 5^k. */
    static const uint64_t AF_INV_POW5[10] = {0x0000000000000001ULL, 0xcccccccccccccccdULL, 0x8f5c28f5c28f5c29ULL, 0x1cac083126e978d5ULL, 0xd288ce703afb7e91ULL, 0x5d4e8fb00bcbe61dULL, 0x790fb65668c26139ULL, 0xe5032477ae8d46a5ULL, 0xc767074b22e90e21ULL, 0x8e47ce423a2e9c6dULL};
    static const uint64_t AF_MAX_POW5[10] = {0xffffffffffffffffULL, 0x3333333333333333ULL, 0x0a3d70a3d70a3d70ULL, 0x020c49ba5e353f7cULL, 0x0068db8bac710cb2ULL, 0x0014f8b588e368f0ULL, 0x000431bde82d7b63ULL, 0x0000d6bf94d5e57aULL, 0x00002af31dc46118ULL, 0x0000089705f4136bULL};
    """
    const uint64_t AF_INV_POW5[10]
    const uint64_t AF_MAX_POW5[10]

# True when `raw` is a multiple of 10^k, 0 <= k <= 9: 2^k divides it (low bits) and 5^k divides it
# (multiply by the inverse). Data validation runs this per record: an integer division would cost
# 20-40 cycles each.
cdef inline bint raw_multiple_of_pow10(int64_t raw, int k) noexcept nogil:
    cdef uint64_t u = <uint64_t>raw if raw >= 0 else (<uint64_t>0) - <uint64_t>raw
    return (u & (((<uint64_t>1) << k) - 1)) == 0 and u * AF_INV_POW5[k] <= AF_MAX_POW5[k]

# True when `raw` has no more than `precision` decimals (i.e. is a multiple of 10^(9-precision)).
cdef inline bint raw_fits_precision(int64_t raw, uint8_t precision) noexcept nogil:
    return raw_multiple_of_pow10(raw, 9 - precision)

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
