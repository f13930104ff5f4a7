"""Numpy structured dtypes matching the C record structs of ``records.pxd``.

A record array of one of these dtypes is a contiguous C array of the struct; hot paths take it as a
typed memoryview. Prices/sizes are raw int64 at scale 10^9; timestamps are int64 UNIX ns.
"""
import numpy as np

from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

TRADE_TICK_DTYPE = np.dtype(
    [
        ("ts_event", "<i8"), ("ts_init", "<i8"), ("price", "<i8"), ("size", "<i8"),
        ("trade_id", "<u8"), ("instrument_id", "<u4"), ("aggressor_side", "u1"),
        ("price_prec", "u1"), ("size_prec", "u1"), ("flags", "u1"),
    ],
    align=True,
)

QUOTE_TICK_DTYPE = np.dtype(
    [
        ("ts_event", "<i8"), ("ts_init", "<i8"), ("bid_price", "<i8"), ("ask_price", "<i8"),
        ("bid_size", "<i8"), ("ask_size", "<i8"), ("instrument_id", "<u4"),
        ("price_prec", "u1"), ("size_prec", "u1"), ("flags", "<u2"),
    ],
    align=True,
)

BAR_DTYPE = np.dtype(
    [
        ("ts_event", "<i8"), ("ts_init", "<i8"), ("open", "<i8"), ("high", "<i8"), ("low", "<i8"),
        ("close", "<i8"), ("volume", "<i8"), ("bar_type_id", "<u4"), ("price_prec", "u1"),
        ("size_prec", "u1"), ("flags", "<u2"),
    ],
    align=True,
)

ORDER_BOOK_DELTA_DTYPE = np.dtype(
    [
        ("ts_event", "<i8"), ("ts_init", "<i8"), ("price", "<i8"), ("size", "<i8"),
        ("order_id", "<u8"), ("sequence", "<u8"), ("instrument_id", "<u4"), ("action", "u1"),
        ("side", "u1"), ("price_prec", "u1"), ("size_prec", "u1"), ("flags", "u1"),
        ("_pad8", "u1"), ("_pad16", "<u2"), ("_pad32", "<u4"),
    ],
    align=True,
)

# Layout guard: a mismatch here would make every memoryview over these arrays read garbage.
# (An explicit check, not `assert`: release builds compile assertions out.)
for _dt, _size in (
    (TRADE_TICK_DTYPE, sizeof(TradeTickRec)),
    (QUOTE_TICK_DTYPE, sizeof(QuoteTickRec)),
    (BAR_DTYPE, sizeof(BarRec)),
    (ORDER_BOOK_DELTA_DTYPE, sizeof(OrderBookDeltaRec)),
):
    if _dt.itemsize != _size:
        raise ImportError(f"record dtype {_dt} is {_dt.itemsize} bytes but its C struct is {_size}")


def empty_records(dtype, Py_ssize_t n):
    """Return a zero-filled record array of ``n`` rows of one of the record dtypes."""
    return np.zeros(n, dtype=dtype)
