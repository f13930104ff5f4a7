# Text -> int64 parsers for the file loaders (alphaforge.data.loaders).
#
# Each parser walks one Arrow string array given as its raw buffers (int32 offsets, UTF-8 bytes) in
# a nogil loop and writes int64 values; it stops at the first bad value and reports its row and the
# reason, so the Python layer can raise an error naming file, line and field. Nothing is rounded:
# a decimal with more non-zero decimals than allowed is an error, never silently rounded.
from libc.stdint cimport int32_t, int64_t, uint8_t

# Status codes returned by every parser (0 = every value parsed).
cdef enum ParseStatus:
    PARSE_OK = 0
    PARSE_EMPTY = 1          # empty field
    PARSE_SYNTAX = 2         # not a number / not a date-time of the expected shape
    PARSE_TOO_PRECISE = 3    # more non-zero decimals than the precision allows
    PARSE_OVERFLOW = 4       # does not fit int64 (raw at scale 10^9 for decimals)
    PARSE_NEGATIVE = 5       # negative value where only >= 0 is allowed
    PARSE_RANGE = 6          # date/time field out of range (month 13, minute 61, ...)
    PARSE_FIELDS = 7         # a row with the wrong number of fields (delimited-text parser)

# Field kinds of the delimited-text parser (parse_delimited in parsing.pyx).
cdef enum FieldKind:
    FIELD_SKIP = 0
    FIELD_INT = 1
    FIELD_DECIMAL = 2
    FIELD_DATETIME = 3

# Exact decimal text ([+-]digits[.digits][e[+-]digits]) -> raw int64 at scale 10^9. Fails with
# PARSE_TOO_PRECISE when the value has a non-zero digit beyond `precision` decimals. With
# precision 9 (inference mode) writes the largest number of significant decimals seen to
# max_decimals[0] (else 0). Returns a status; bad_row[0] is
# the row of the first failure.
cdef int parse_decimal_c(const int32_t* offsets, const uint8_t* data, Py_ssize_t n, int64_t* out,
                         int precision, bint allow_negative, Py_ssize_t* bad_row,
                         int* max_decimals) noexcept nogil

# Integer text ([+-]digits) -> int64. With lenient, a non-integer field gives 0 instead of failing.
cdef int parse_int_c(const int32_t* offsets, const uint8_t* data, Py_ssize_t n, int64_t* out,
                     bint lenient, Py_ssize_t* bad_row) noexcept nogil

# Date-time text -> int64 UNIX ns (see parsing.pyx for the accepted shapes). With time_only, the
# text is a time of day and the result is ns since midnight.
cdef int parse_datetime_c(const int32_t* offsets, const uint8_t* data, Py_ssize_t n, int64_t* out,
                          bint time_only, Py_ssize_t* bad_row) noexcept nogil
