"""Exact text -> int64 column parsers used by ``alphaforge.data.loaders``.

The loaders read CSV files with ``pyarrow.csv`` as *string* columns (fast, multi-threaded) and
convert each column here in a ``nogil`` loop over the Arrow buffers, with no Python object per row:

* decimals -> raw int64 fixed-point at scale 10^9, exactly (no float round trip); a value with a
  non-zero digit beyond the allowed precision is rejected, never rounded;
* integers -> int64 (optionally lenient: non-numeric text gives 0, for venue trade ids);
* date-times -> int64 UNIX nanoseconds.

Accepted date-time shapes (UTC unless an offset is given):
``YYYY-MM-DD`` or ``YYYYMMDD``, optionally followed by ``' '`` or ``'T'`` and a time
``HH:MM[:SS[.f…]]`` or compact ``HHMMSS[f…]`` / ``HHMMSS.f…`` (1-9 fraction digits; HistData's
``170000065`` is ``17:00:00.065``), then optionally ``Z`` or an offset ``±HH[[:]MM]``.
With ``time_only`` the text is just the time part and the value is ns since midnight.

Every parser returns ``(status, bad_row, ...)``; status 0 means all rows parsed, otherwise it is one
of ``ParseStatus`` (see parsing.pxd / ``STATUS_TEXT``) and ``bad_row`` is the first failing row.
"""
from libc.stdint cimport INT64_MAX, int32_t, int64_t, uint8_t, uint64_t

from libc.string cimport memchr, memcpy

import numpy as np

from libc.stdint cimport uint32_t

from alphaforge._core.fixed cimport AF_POW10
from alphaforge._core.records cimport QuoteTickRec, TradeTickRec

STATUS_TEXT = {
    PARSE_OK: "ok",
    PARSE_EMPTY: "empty field",
    PARSE_SYNTAX: "malformed value",
    PARSE_TOO_PRECISE: "more decimals than the precision allows",
    PARSE_OVERFLOW: "value out of int64 range",
    PARSE_NEGATIVE: "negative value not allowed",
    PARSE_RANGE: "date/time field out of range",
    PARSE_FIELDS: "wrong number of fields",
}

cdef extern from *:
    """
    static const int64_t AF_NS_PER_DAY = 86400000000000LL;
    /* INT64_MAX / 10^k, k = 0..18: overflow limits for mantissa * 10^k */
    static const int64_t AF_I64_LIMIT[19] = {
        9223372036854775807LL, 922337203685477580LL, 92233720368547758LL, 9223372036854775LL,
        922337203685477LL, 92233720368547LL, 9223372036854LL, 922337203685LL, 92233720368LL,
        9223372036LL, 922337203LL, 92233720LL, 9223372LL, 922337LL, 92233LL, 9223LL, 922LL, 92LL, 9LL};
    """
    const int64_t AF_NS_PER_DAY
    const int64_t AF_I64_LIMIT[19]


cdef inline bint _is_digit(uint8_t c) noexcept nogil:
    return c >= 48 and c <= 57


cdef inline bint _eight_digits(const uint8_t* s, uint64_t* out) noexcept nogil:
    """Eight ASCII digits at s -> their value (SWAR, D. Lemire's method); False if any is not a digit."""
    cdef uint64_t c
    memcpy(&c, s, 8)
    if (c & <uint64_t>0xF0F0F0F0F0F0F0F0ULL) != <uint64_t>0x3030303030303030ULL or \
            ((c + <uint64_t>0x0606060606060606ULL) & <uint64_t>0xF0F0F0F0F0F0F0F0ULL) != \
            <uint64_t>0x3030303030303030ULL:
        return False
    c = ((c & <uint64_t>0x0F0F0F0F0F0F0F0FULL) * <uint64_t>2561) >> 8
    c = ((c & <uint64_t>0x00FF00FF00FF00FFULL) * <uint64_t>6553601) >> 16
    out[0] = ((c & <uint64_t>0x0000FFFF0000FFFFULL) * <uint64_t>42949672960001ULL) >> 32
    return True


cdef int _parse_decimal_one(const uint8_t* s, Py_ssize_t n, int precision, bint allow_negative,
                            int64_t* out, int* decimals) noexcept nogil:
    """Parse one decimal. mantissa * 10^exp10 is the value; raw = mantissa * 10^(exp10 + 9)."""
    cdef Py_ssize_t i = 0
    cdef bint neg = False
    cdef bint any_digit = False
    cdef uint64_t mant = 0
    cdef int exp10 = 0
    cdef int e = 0
    cdef bint eneg = False
    cdef bint lost = False          # a non-zero integer digit did not fit in the mantissa
    cdef bint lost_frac = False     # a non-zero fraction digit did not fit in the mantissa
    cdef int d, shift, k
    cdef uint64_t div
    cdef uint64_t eight
    cdef int64_t raw
    if n == 0:
        return PARSE_EMPTY
    if s[0] == 45 or s[0] == 43:    # '-' '+'
        neg = s[0] == 45
        i = 1
    while i + 8 <= n and mant < <uint64_t>10000000000ULL and _eight_digits(s + i, &eight):
        mant = mant * 100000000 + eight                   # < 10^18: no overflow
        any_digit = True
        i += 8
    while i < n and _is_digit(s[i]):
        any_digit = True
        d = s[i] - 48
        if mant < <uint64_t>1000000000000000000ULL:     # < 10^18: room for a 19th digit in uint64
            mant = mant * 10 + d
        else:
            exp10 += 1
            if d != 0:
                lost = True
        i += 1
    if i < n and s[i] == 46:        # '.'
        i += 1
        while i + 8 <= n and mant < <uint64_t>10000000000ULL and _eight_digits(s + i, &eight):
            mant = mant * 100000000 + eight
            exp10 -= 8
            any_digit = True
            i += 8
        while i < n and _is_digit(s[i]):
            any_digit = True
            d = s[i] - 48
            if mant < <uint64_t>1000000000000000000ULL:
                mant = mant * 10 + d
                exp10 -= 1
            elif d != 0:
                lost_frac = True
            i += 1
    if not any_digit:
        return PARSE_SYNTAX
    if i < n and (s[i] == 101 or s[i] == 69):      # 'e' 'E'
        i += 1
        if i < n and (s[i] == 45 or s[i] == 43):
            eneg = s[i] == 45
            i += 1
        if i >= n or not _is_digit(s[i]):
            return PARSE_SYNTAX
        while i < n and _is_digit(s[i]):
            if e < 10000:
                e = e * 10 + (s[i] - 48)
            i += 1
        exp10 += -e if eneg else e
    if i != n:
        return PARSE_SYNTAX
    if lost or lost_frac:
        # more than 19 significant digits with a non-zero tail (the mantissa holds 19 digits, so
        # 19 + exp10 of them are integer digits without an exponent): a dropped integer digit or
        # more than 10 integer digits is beyond the int64 raw range, a dropped fraction digit of a
        # value that fits is finer than 10^-9
        if e != 0:
            return PARSE_OVERFLOW if exp10 + 9 >= 0 else PARSE_TOO_PRECISE
        if lost or 19 + exp10 > 10:
            return PARSE_OVERFLOW
        return PARSE_TOO_PRECISE
    if neg and mant != 0 and not allow_negative:
        return PARSE_NEGATIVE
    shift = exp10 + 9
    if mant == 0:
        raw = 0
    elif shift >= 0:
        if shift > 18:
            return PARSE_OVERFLOW
        if mant > <uint64_t>AF_I64_LIMIT[shift]:
            return PARSE_OVERFLOW
        raw = <int64_t>(mant * <uint64_t>AF_POW10[shift])
    else:
        if -shift > 18:
            return PARSE_TOO_PRECISE
        div = <uint64_t>AF_POW10[-shift]
        if mant % div != 0:
            return PARSE_TOO_PRECISE
        raw = <int64_t>(mant // div)
    # raw = mant * 10^(exp10 + 9) is a multiple of 10^(9 - precision) whenever exp10 >= -precision;
    # only values written with more decimals than that (trailing zeros or not) need the check
    if exp10 < -precision and raw != 0 and raw % AF_POW10[9 - precision] != 0:
        return PARSE_TOO_PRECISE
    # significant decimals of the value (for precision inference; skipped when not wanted)
    k = 0
    if decimals != NULL and raw != 0:
        k = 9
        while k > 0 and raw % AF_POW10[10 - k] == 0:
            k -= 1
    if decimals != NULL:
        decimals[0] = k
    out[0] = -raw if neg else raw
    return PARSE_OK


cdef int parse_decimal_c(const int32_t* offsets, const uint8_t* data, Py_ssize_t n, int64_t* out,
                         int precision, bint allow_negative, Py_ssize_t* bad_row,
                         int* max_decimals) noexcept nogil:
    cdef Py_ssize_t r
    cdef int st
    cdef int dec = 0
    cdef int maxdec = 0
    for r in range(n):
        st = _parse_decimal_one(data + offsets[r], offsets[r + 1] - offsets[r], precision,
                                allow_negative, &out[r], &dec if precision == 9 else NULL)
        if st != PARSE_OK:
            bad_row[0] = r
            max_decimals[0] = maxdec
            return st
        if dec > maxdec:
            maxdec = dec
    max_decimals[0] = maxdec
    return PARSE_OK


cdef int _parse_int_one(const uint8_t* s, Py_ssize_t m, int64_t* out) noexcept nogil:
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t fast_end
    cdef bint neg = False
    cdef uint64_t v = 0
    cdef uint64_t eight
    cdef int d
    if m == 0:
        return PARSE_EMPTY
    if s[0] == 45 or s[0] == 43:
        neg = s[0] == 45
        i = 1
    if i == m:
        return PARSE_SYNTAX
    # the first 18 digits cannot overflow: eight at a time, then one by one
    fast_end = i + 18 if m - i > 18 else m
    while fast_end - i >= 8 and _eight_digits(s + i, &eight):
        v = v * 100000000 + eight
        i += 8
    while i < fast_end:
        if not _is_digit(s[i]):
            return PARSE_SYNTAX
        v = v * 10 + (s[i] - 48)
        i += 1
    while i < m:
        if not _is_digit(s[i]):
            return PARSE_SYNTAX
        d = s[i] - 48
        if v >= <uint64_t>922337203685477580ULL:              # INT64_MAX // 10: check exactly
            if v > <uint64_t>922337203685477580ULL or d > 7:
                return PARSE_OVERFLOW
        v = v * 10 + d
        i += 1
    out[0] = -<int64_t>v if neg else <int64_t>v
    return PARSE_OK


cdef int parse_int_c(const int32_t* offsets, const uint8_t* data, Py_ssize_t n, int64_t* out,
                     bint lenient, Py_ssize_t* bad_row) noexcept nogil:
    cdef Py_ssize_t r
    cdef int st
    for r in range(n):
        st = _parse_int_one(data + offsets[r], offsets[r + 1] - offsets[r], &out[r])
        if st != PARSE_OK:
            if lenient and st != PARSE_OVERFLOW:
                out[r] = 0
                continue
            bad_row[0] = r
            return st
    return PARSE_OK


cdef inline int64_t _days_from_civil(int64_t y, int64_t m, int64_t d) noexcept nogil:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    cdef int64_t era, yoe, doy, doe
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400      # explicit floor for negatives (cdivision is on)
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


cdef inline int _days_in_month(int y, int m) noexcept nogil:
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31


cdef inline int _digits(const uint8_t* s, Py_ssize_t n, Py_ssize_t i, int k, int* out) noexcept nogil:
    """Read exactly k digits at s[i]; returns 0 on success."""
    cdef int v = 0
    cdef int j
    if i + k > n:
        return -1
    for j in range(k):
        if not _is_digit(s[i + j]):
            return -1
        v = v * 10 + (s[i + j] - 48)
    out[0] = v
    return 0


cdef int _parse_time(const uint8_t* s, Py_ssize_t n, Py_ssize_t* pos, int64_t* ns) noexcept nogil:
    """HH:MM[:SS[.f]] or HHMMSS[f][.f] at s[pos]; advances pos; ns since midnight."""
    cdef Py_ssize_t i = pos[0]
    cdef int hh = 0, mm = 0, ss = 0, k = 0
    cdef int64_t frac = 0
    cdef int nfrac = 0
    cdef bint compact
    if _digits(s, n, i, 2, &hh) != 0:
        return PARSE_SYNTAX
    i += 2
    compact = not (i < n and s[i] == 58)        # ':'
    if compact:
        if _digits(s, n, i, 2, &mm) != 0 or _digits(s, n, i + 2, 2, &ss) != 0:
            return PARSE_SYNTAX
        i += 4
    else:
        i += 1
        if _digits(s, n, i, 2, &mm) != 0:
            return PARSE_SYNTAX
        i += 2
        if i < n and s[i] == 58:
            i += 1
            if _digits(s, n, i, 2, &ss) != 0:
                return PARSE_SYNTAX
            i += 2
    if i < n and s[i] == 46:                    # '.'
        i += 1
        if i >= n or not _is_digit(s[i]):
            return PARSE_SYNTAX
    elif not (compact and i < n and _is_digit(s[i])):
        nfrac = -1                              # no fraction
    if nfrac == 0:
        while i < n and _is_digit(s[i]):
            if nfrac < 9:
                frac = frac * 10 + (s[i] - 48)
                nfrac += 1
            elif s[i] != 48:
                return PARSE_TOO_PRECISE
            i += 1
        for k in range(nfrac, 9):
            frac *= 10
    else:
        frac = 0
    if hh > 23 or mm > 59 or ss > 60:
        return PARSE_RANGE
    ns[0] = ((<int64_t>hh * 60 + mm) * 60 + ss) * 1000000000 + frac
    pos[0] = i
    return PARSE_OK


cdef int _parse_datetime_one(const uint8_t* s, Py_ssize_t n, bint time_only, int64_t* out) noexcept nogil:
    cdef Py_ssize_t i = 0
    cdef int y = 0, mo = 0, d = 0, oh = 0, om = 0
    cdef int64_t tod = 0
    cdef int64_t offset = 0
    cdef int st
    cdef bint neg
    if n == 0:
        return PARSE_EMPTY
    if time_only:
        st = _parse_time(s, n, &i, &tod)
        if st != PARSE_OK:
            return st
        if i != n:
            return PARSE_SYNTAX
        out[0] = tod
        return PARSE_OK
    if _digits(s, n, 0, 4, &y) != 0:
        return PARSE_SYNTAX
    i = 4
    if i < n and s[i] == 45:                    # YYYY-MM-DD
        if _digits(s, n, 5, 2, &mo) != 0 or n < 8 or s[7] != 45 or _digits(s, n, 8, 2, &d) != 0:
            return PARSE_SYNTAX
        i = 10
    else:                                       # YYYYMMDD
        if _digits(s, n, 4, 2, &mo) != 0 or _digits(s, n, 6, 2, &d) != 0:
            return PARSE_SYNTAX
        i = 8
    if mo < 1 or mo > 12 or d < 1 or d > _days_in_month(y, mo):
        return PARSE_RANGE
    if i < n and (s[i] == 32 or s[i] == 84):    # ' ' or 'T'
        i += 1
        st = _parse_time(s, n, &i, &tod)
        if st != PARSE_OK:
            return st
    if i < n:
        if s[i] == 90 and i + 1 == n:           # 'Z'
            i += 1
        elif s[i] == 43 or s[i] == 45:          # '+' / '-' offset
            neg = s[i] == 45
            i += 1
            if _digits(s, n, i, 2, &oh) != 0:
                return PARSE_SYNTAX
            i += 2
            if i < n and s[i] == 58:
                i += 1
            if i < n:
                if _digits(s, n, i, 2, &om) != 0:
                    return PARSE_SYNTAX
                i += 2
            if oh > 23 or om > 59:
                return PARSE_RANGE
            offset = (<int64_t>oh * 60 + om) * 60 * 1000000000
            if neg:
                offset = -offset
    if i != n:
        return PARSE_SYNTAX
    # local time = UTC + offset  =>  UTC = local - offset
    out[0] = _days_from_civil(y, mo, d) * AF_NS_PER_DAY + tod - offset
    return PARSE_OK


cdef int parse_datetime_c(const int32_t* offsets, const uint8_t* data, Py_ssize_t n, int64_t* out,
                          bint time_only, Py_ssize_t* bad_row) noexcept nogil:
    cdef Py_ssize_t r
    cdef int st
    for r in range(n):
        st = _parse_datetime_one(data + offsets[r], offsets[r + 1] - offsets[r], time_only, &out[r])
        if st != PARSE_OK:
            bad_row[0] = r
            return st
    return PARSE_OK


# ------------------------------------------------------------------------------------------------
# Python entry points: one Arrow string chunk (offsets already sliced to the chunk: n + 1 values).

def parse_decimal_chunk(const int32_t[::1] offsets, const uint8_t[::1] data, int64_t[::1] out,
                        int precision, bint allow_negative=True):
    """Parse decimal strings to raw int64 (scale 10^9) into ``out``.

    Returns ``(status, bad_row, max_decimals)``; ``max_decimals`` is the largest number of
    significant decimals seen (over the rows parsed before any failure), computed only with
    ``precision=9`` (the loaders' precision-inference mode; 0 otherwise).
    """
    cdef Py_ssize_t n = out.shape[0]
    cdef Py_ssize_t bad = -1
    cdef int maxdec = 0
    cdef int st
    if precision < 0 or precision > 9:
        raise ValueError(f"precision must be 0-9, was {precision}")
    if offsets.shape[0] != n + 1:
        raise ValueError("offsets must have len(out) + 1 entries")
    if n == 0:
        return 0, -1, 0
    with nogil:
        st = parse_decimal_c(&offsets[0], &data[0], n, &out[0], precision, allow_negative,
                             &bad, &maxdec)
    return st, bad, maxdec


def parse_int_chunk(const int32_t[::1] offsets, const uint8_t[::1] data, int64_t[::1] out,
                    bint lenient=False):
    """Parse integer strings into ``out``. Returns ``(status, bad_row)``."""
    cdef Py_ssize_t n = out.shape[0]
    cdef Py_ssize_t bad = -1
    cdef int st
    if offsets.shape[0] != n + 1:
        raise ValueError("offsets must have len(out) + 1 entries")
    if n == 0:
        return 0, -1
    with nogil:
        st = parse_int_c(&offsets[0], &data[0], n, &out[0], lenient, &bad)
    return st, bad


def parse_datetime_chunk(const int32_t[::1] offsets, const uint8_t[::1] data, int64_t[::1] out,
                         bint time_only=False):
    """Parse date-time strings into UNIX ns (or ns since midnight). Returns ``(status, bad_row)``."""
    cdef Py_ssize_t n = out.shape[0]
    cdef Py_ssize_t bad = -1
    cdef int st
    if offsets.shape[0] != n + 1:
        raise ValueError("offsets must have len(out) + 1 entries")
    if n == 0:
        return 0, -1
    with nogil:
        st = parse_datetime_c(&offsets[0], &data[0], n, &out[0], time_only, &bad)
    return st, bad


# ------------------------------------------------------------------------------------------------
# Direct parser for plain delimited numeric text (no quoting): one pass over the bytes, no
# intermediate string arrays. Used by the generic CSV loader's fast path; a file with quotes goes
# through pyarrow.csv instead.

KIND_SKIP = FIELD_SKIP
KIND_INT = FIELD_INT
KIND_DECIMAL = FIELD_DECIMAL
KIND_DATETIME = FIELD_DATETIME
PARSE_FIELD_COUNT = PARSE_FIELDS


def count_lines(const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t end):
    """Number of rows in buf[start:end]: newline count, plus one for an unterminated last line."""
    cdef Py_ssize_t n = 0
    cdef const uint8_t* p
    cdef const uint8_t* stop
    if end <= start:
        return 0
    with nogil:
        p = &buf[start]
        stop = &buf[0] + end
        while p < stop:
            p = <const uint8_t*>memchr(p, 10, stop - p)
            if p == NULL:
                n += 1
                break
            n += 1
            p += 1
    return n


def parse_delimited(const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t end, int delimiter,
                    const int32_t[::1] kinds, const int32_t[::1] precisions, const int32_t[::1] targets,
                    dest_arrays, Py_ssize_t row0, int32_t[::1] max_decimals):
    """Parse the rows of buf[start:end] (``\n`` or ``\r\n`` line ends) into 8-byte columns.

    Every row must have ``len(kinds)`` fields; field f is skipped (kind 0) or parsed as integer (1),
    exact decimal at ``precisions[f]`` (2) or date-time in UNIX ns (3) into
    ``dest_arrays[targets[f]][row0 + i]``. The destinations are 1-d int64/uint64 arrays of equal
    length, possibly strided (e.g. ``records["price"]``, so values land in the record array with no
    intermediate column), or uint8 arrays for small integer codes (a value outside 0-255 fails with
    PARSE_RANGE). ``max_decimals[targets[f]]`` collects the decimals seen (decimal fields
    parsed at precision 9, the inference mode).
    Returns ``(status, row, field)``: status 0, or a ParseStatus / 7 (wrong field count) with the
    0-based row (relative to row0 = absolute) and field index of the first failure.
    """
    cdef Py_ssize_t nfields = kinds.shape[0]
    cdef Py_ssize_t r = row0
    cdef const uint8_t* base
    cdef const uint8_t* pos
    cdef const uint8_t* stop
    cdef const uint8_t* le
    cdef const uint8_t* nl
    cdef const uint8_t* fs
    cdef const uint8_t* fe
    cdef Py_ssize_t f
    cdef int st = PARSE_OK
    cdef int dec = 0
    cdef int kind
    cdef int64_t* dst
    cdef int64_t small = 0
    cdef Py_ssize_t ncols = len(dest_arrays)
    cdef Py_ssize_t nrows = -1
    cdef Py_ssize_t k
    # addresses and byte strides of the destinations (their buffers stay alive: dest_arrays holds them)
    cdef int64_t[:] view
    addr_arr = np.zeros(max(ncols, 1), dtype=np.uintp)
    stride_arr = np.zeros(max(ncols, 1), dtype=np.intp)
    cdef size_t[::1] addr = addr_arr
    cdef Py_ssize_t[::1] stride = stride_arr
    cdef uint8_t[:] view8
    width_arr = np.zeros(max(ncols, 1), dtype=np.int32)
    cdef int32_t[::1] width = width_arr
    for k in range(ncols):
        arr = dest_arrays[k]
        if arr.ndim != 1 or arr.dtype.itemsize not in (1, 8) or arr.dtype.kind not in "iu":
            raise ValueError("destinations must be 1-d int64/uint64 or uint8 arrays")
        if nrows == -1:
            nrows = arr.shape[0]
        elif arr.shape[0] != nrows:
            raise ValueError("destinations must have the same length")
        width[k] = arr.dtype.itemsize
        if width[k] == 8:
            view = arr.view(np.int64)          # raises if not writable
            addr[k] = <size_t>&view[0] if view.shape[0] else 0
            stride[k] = view.strides[0]
        else:
            view8 = arr.view(np.uint8)
            addr[k] = <size_t>&view8[0] if view8.shape[0] else 0
            stride[k] = view8.strides[0]
    if nrows == -1:
        nrows = 0
    if precisions.shape[0] != nfields or targets.shape[0] != nfields:
        raise ValueError("kinds, precisions and targets must have the same length")
    for f in range(nfields):
        if kinds[f] != FIELD_SKIP and not 0 <= targets[f] < ncols:
            raise ValueError("target column out of range")
        if kinds[f] == FIELD_DECIMAL and not 0 <= precisions[f] <= 9:
            raise ValueError("precision must be 0-9")
    if end <= start:
        return 0, -1, -1
    with nogil:
        base = &buf[0]
        pos = base + start
        stop = base + end
        while pos < stop:
            nl = <const uint8_t*>memchr(pos, 10, stop - pos)
            if nl == NULL:
                nl = stop
            le = nl
            if le > pos and le[-1] == 13:
                le -= 1
            if r >= nrows or (le == pos and nfields > 1):      # extra row / blank line
                st = PARSE_FIELDS
                f = 0
                break
            f = 0
            fs = pos
            while True:
                fe = <const uint8_t*>memchr(fs, delimiter, le - fs)
                if fe == NULL:
                    fe = le
                if f < nfields:
                    kind = kinds[f]
                    if kind != FIELD_SKIP:
                        dst = <int64_t*>(<char*>addr[targets[f]] + r * stride[targets[f]])
                        if width[targets[f]] == 1:               # small code into a uint8 field
                            st = _parse_int_one(fs, fe - fs, &small)
                            if st == PARSE_OK:
                                if small < 0 or small > 255:
                                    st = PARSE_RANGE
                                else:
                                    (<uint8_t*>dst)[0] = <uint8_t>small
                        elif kind == FIELD_INT:
                            st = _parse_int_one(fs, fe - fs, dst)
                        elif kind == FIELD_DECIMAL:
                            st = _parse_decimal_one(fs, fe - fs, precisions[f], True, dst,
                                                    &dec if precisions[f] == 9 else NULL)
                            if st == PARSE_OK and dec > max_decimals[targets[f]]:
                                max_decimals[targets[f]] = dec
                        else:
                            st = _parse_datetime_one(fs, fe - fs, False, dst)
                        if st != PARSE_OK:
                            break
                f += 1
                if fe >= le:
                    break
                fs = fe + 1
            if st != PARSE_OK:
                break
            if f != nfields:
                st = PARSE_FIELDS
                break
            r += 1
            pos = nl + 1
    if st != PARSE_OK:
        return st, r, f
    return 0, -1, -1


def fill_trade_defaults(TradeTickRec[::1] recs, bint ts_init_from_event, bint zero_trade_id,
                        uint32_t instrument_id, uint8_t price_prec, uint8_t size_prec):
    """One nogil pass over trade records parsed in place: ts_init = ts_event (if asked), trade_id =
    0 (if asked), instrument_id, precisions, flags = 0."""
    cdef Py_ssize_t i, n = recs.shape[0]
    with nogil:
        for i in range(n):
            if ts_init_from_event:
                recs[i].ts_init = recs[i].ts_event
            if zero_trade_id:
                recs[i].trade_id = 0
            recs[i].instrument_id = instrument_id
            recs[i].price_prec = price_prec
            recs[i].size_prec = size_prec
            recs[i].flags = 0


def fill_quote_defaults(QuoteTickRec[::1] recs, bint ts_init_from_event, bint zero_bid_size,
                        bint zero_ask_size, uint32_t instrument_id, uint8_t price_prec, uint8_t size_prec):
    """One nogil pass over quote records parsed in place (see fill_trade_defaults)."""
    cdef Py_ssize_t i, n = recs.shape[0]
    with nogil:
        for i in range(n):
            if ts_init_from_event:
                recs[i].ts_init = recs[i].ts_event
            if zero_bid_size:
                recs[i].bid_size = 0
            if zero_ask_size:
                recs[i].ask_size = 0
            recs[i].instrument_id = instrument_id
            recs[i].price_prec = price_prec
            recs[i].size_prec = size_prec
            recs[i].flags = 0
