from libc.stdint cimport int64_t

# Checked double -> raw conversion for batch loops. Returns 0 on success, else an error code:
# 1 not finite, 2 more decimals than `precision`, 3 out of range, 4 negative (when disallowed).
cdef int conv_checked(double value, int precision, bint allow_negative, int64_t* out) noexcept nogil
