"""Columnar bridges: numpy columns / pandas DataFrames / pyarrow Tables <-> C record arrays.

Builders take float64 value columns (decimal prices and sizes) and int64 UNIX-ns timestamps (or
datetime64) and fill a record array in one nogil loop, no Python object per row. Values are checked:
NaN/inf, negative sizes, out of range, or more decimals than the given precision raise ValueError
naming the row and field. ``raw=True`` means the value columns are already raw int64 (value * 10^9).
``to_pandas`` goes back to floats and UTC datetimes for humans.
"""
import numpy as np

from libc.math cimport fabs
from libc.stdint cimport int8_t, int64_t, uint8_t, uint32_t, uint64_t

from alphaforge._core.fixed cimport AF_POW10, raw_fits_precision
from alphaforge._core.identifiers cimport InstrumentId
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

from alphaforge._core.records import BAR_DTYPE, ORDER_BOOK_DELTA_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

_EMPTY_U8 = np.zeros(1, dtype=np.uint8)
_EMPTY_U64 = np.zeros(1, dtype=np.uint64)

cdef tuple _ERRORS = (
    "",
    "not a finite number",
    "more decimals than the precision allows",
    "out of range (|value| must be < 9.2e9)",
    "negative",
    "not a multiple of the precision's unit",
)


cdef inline int _conv(double value, int precision, bint allow_negative, int64_t* out) noexcept nogil:
    # (value - value) is NaN for NaN and +-inf: a finiteness test without a library call
    if (value - value) != 0.0:
        return 1
    if value < 0 and not allow_negative:
        return 4
    cdef double scaled = value * <double>AF_POW10[precision]
    if fabs(scaled) * <double>AF_POW10[9 - precision] >= 9.2e18:
        return 3
    # round half away from zero with plain arithmetic (no libm call on baseline x86-64)
    cdef int64_t r = <int64_t>(scaled + 0.5) if scaled >= 0 else <int64_t>(scaled - 0.5)
    cdef double tol = fabs(scaled) * 1e-12
    if tol < 1e-6:
        tol = 1e-6
    if fabs(scaled - <double>r) > tol:
        return 2
    out[0] = r * AF_POW10[9 - precision]
    return 0


cdef int conv_checked(double value, int precision, bint allow_negative, int64_t* out) noexcept nogil:
    return _conv(value, precision, allow_negative, out)


cdef inline int raw_checked(int64_t value, int precision, bint allow_negative) noexcept nogil:
    if value < 0 and not allow_negative:
        return 4
    if not raw_fits_precision(value, precision):
        return 5
    return 0


cdef int _prec(object precision, str name) except -1:
    if precision is None:
        raise ValueError(f"{name} is required (0-9)")
    cdef int p = precision
    if p < 0 or p > 9:
        raise ValueError(f"invalid {name} {p!r}: must be 0-9")
    return p


cdef object _ts(object values, Py_ssize_t n, str field):
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"column {field!r} must be 1-dimensional, got shape {arr.shape}")
    if n >= 0 and arr.shape[0] != n:
        raise ValueError(f"column {field!r} has {arr.shape[0]} rows, expected {n}")
    if arr.dtype.kind == "M":
        if getattr(arr.dtype, "tz", None) is not None:
            arr = arr.astype("datetime64[ns]")
        arr = arr.astype("datetime64[ns]").view(np.int64)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64, copy=False)
    else:
        raise TypeError(f"column {field!r} must hold int64 UNIX ns or datetime64, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr)


cdef object _vals(object values, Py_ssize_t n, str field, bint raw):
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"column {field!r} must be 1-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"column {field!r} has {arr.shape[0]} rows, expected {n}")
    if raw:
        if arr.dtype.kind not in "iu":
            raise TypeError(f"column {field!r} must be int64 raw values with raw=True, got dtype {arr.dtype}")
        return np.ascontiguousarray(arr, dtype=np.int64)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"column {field!r} must be numeric, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float64)


cdef object _small(object values, Py_ssize_t n, str field, object dtype, object default):
    if values is None:
        return np.full(n, default, dtype=dtype)
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"column {field!r} must be 1-dimensional with {n} rows, got shape {arr.shape}")
    if arr.dtype.kind not in "iub":
        raise TypeError(f"column {field!r} must be integers, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=dtype)


cdef uint32_t _instrument_index(object instrument_id) except? 0:
    if instrument_id is None:
        return 0
    if isinstance(instrument_id, InstrumentId):
        return (<InstrumentId>instrument_id).index
    if isinstance(instrument_id, str):
        return InstrumentId.from_str(instrument_id).index
    if hasattr(instrument_id, "id") and isinstance(instrument_id.id, InstrumentId):
        return (<InstrumentId>instrument_id.id).index
    return <uint32_t>int(instrument_id)


cdef int _fill_value(object col, bint raw, Py_ssize_t n, int prec, bint allow_neg,
                     int64_t* out, Py_ssize_t stride, Py_ssize_t* bad_row) except -1:
    """Convert one value column into the int64 field at `out` (record stride in int64 units)."""
    cdef const double[::1] f
    cdef const int64_t[::1] r
    cdef Py_ssize_t i
    cdef int code = 0
    if raw:
        r = col
        with nogil:
            for i in range(n):
                code = raw_checked(r[i], prec, allow_neg)
                if code:
                    bad_row[0] = i
                    break
                out[i * stride] = r[i]
    else:
        f = col
        with nogil:
            for i in range(n):
                code = _conv(f[i], prec, allow_neg, &out[i * stride])
                if code:
                    bad_row[0] = i
                    break
    return code


cdef _raise_bad(str kind, str field, Py_ssize_t row, int code, object col, int prec):
    value = col[row]
    value = value.item() if hasattr(value, "item") else value     # numpy scalar -> plain float/int
    raise ValueError(
        f"{kind} record {row}: field {field!r} value {value!r} is {_ERRORS[code]}"
        + (f" (precision {prec})" if code in (2, 5) else "")
    )


def trades_from_arrays(ts_event, price, size, *, price_precision=None, size_precision=None, ts_init=None,
                       aggressor_side=None, trade_id=None, instrument_id=None, bint raw=False):
    """Build a TRADE_TICK_DTYPE record array from columns.

    ts_event/ts_init: int64 UNIX ns (or datetime64); price/size: decimal floats (raw int64 with
    ``raw=True``); aggressor_side: 0 none / 1 buyer / 2 seller (default 0); trade_id: uint64
    (default 0); instrument_id: InstrumentId, its str, or an interned index.
    """
    cdef int pp = _prec(price_precision, "price_precision")
    cdef int sp = _prec(size_precision, "size_precision")
    te = _ts(ts_event, -1, "ts_event")
    cdef Py_ssize_t n = te.shape[0]
    ti = _ts(ts_init, n, "ts_init") if ts_init is not None else te
    pc = _vals(price, n, "price", raw)
    sc = _vals(size, n, "size", raw)
    cdef bint has_side = aggressor_side is not None
    cdef bint has_tid = trade_id is not None
    sides = _small(aggressor_side, n, "aggressor_side", np.uint8, 0) if has_side else _EMPTY_U8
    tids = _small(trade_id, n, "trade_id", np.uint64, 0) if has_tid else _EMPTY_U64
    cdef uint32_t iid = _instrument_index(instrument_id)
    out = np.empty(n, dtype=TRADE_TICK_DTYPE)
    cdef TradeTickRec[::1] rec = out
    cdef const int64_t[::1] tev = te
    cdef const int64_t[::1] tin = ti
    cdef const uint8_t[::1] sd = sides
    cdef const uint64_t[::1] td = tids
    cdef Py_ssize_t i, bad = -1
    cdef int code
    if n == 0:
        return out
    if has_side:
        for i in range(n):
            if sd[i] > 2:
                raise ValueError(f"trade record {i}: field 'aggressor_side' value {sd[i]} is not 0, 1 or 2")
    cdef const double[::1] pf
    cdef const double[::1] sf
    cdef TradeTickRec* r
    cdef int pcode = 0, scode = 0
    if not raw:
        # one pass over the output (the common case: decimal float columns)
        pf = pc
        sf = sc
        r = &rec[0]
        with nogil:
            for i in range(n):
                r.ts_event = tev[i]
                r.ts_init = tin[i]
                r.trade_id = td[i] if has_tid else 0
                r.instrument_id = iid
                r.aggressor_side = sd[i] if has_side else 0
                r.price_prec = <uint8_t>pp
                r.size_prec = <uint8_t>sp
                r.flags = 0
                pcode = _conv(pf[i], pp, True, &r.price)
                scode = _conv(sf[i], sp, False, &r.size)
                if pcode or scode:
                    bad = i
                    break
                r += 1
        if pcode:
            _raise_bad("trade", "price", bad, pcode, pc, pp)
        if scode:
            _raise_bad("trade", "size", bad, scode, sc, sp)
        return out
    with nogil:
        for i in range(n):
            rec[i].ts_event = tev[i]
            rec[i].ts_init = tin[i]
            rec[i].trade_id = td[i] if has_tid else 0
            rec[i].instrument_id = iid
            rec[i].aggressor_side = sd[i] if has_side else 0
            rec[i].price_prec = <uint8_t>pp
            rec[i].size_prec = <uint8_t>sp
            rec[i].flags = 0
    cdef Py_ssize_t stride = sizeof(TradeTickRec) // 8
    code = _fill_value(pc, raw, n, pp, True, &rec[0].price, stride, &bad)
    if code:
        _raise_bad("trade", "price", bad, code, pc, pp)
    code = _fill_value(sc, raw, n, sp, False, &rec[0].size, stride, &bad)
    if code:
        _raise_bad("trade", "size", bad, code, sc, sp)
    return out


def quotes_from_arrays(ts_event, bid_price, ask_price, bid_size=None, ask_size=None, *, price_precision=None,
                       size_precision=0, ts_init=None, instrument_id=None, bint raw=False):
    """Build a QUOTE_TICK_DTYPE record array. Missing sizes (feeds without sizes) become 0."""
    cdef int pp = _prec(price_precision, "price_precision")
    cdef int sp = _prec(size_precision, "size_precision")
    te = _ts(ts_event, -1, "ts_event")
    cdef Py_ssize_t n = te.shape[0]
    ti = _ts(ts_init, n, "ts_init") if ts_init is not None else te
    zeros = np.zeros(n, dtype=np.int64 if raw else np.float64)
    cols = (
        ("bid_price", _vals(bid_price, n, "bid_price", raw), pp, True),
        ("ask_price", _vals(ask_price, n, "ask_price", raw), pp, True),
        ("bid_size", _vals(bid_size if bid_size is not None else zeros, n, "bid_size", raw), sp, False),
        ("ask_size", _vals(ask_size if ask_size is not None else zeros, n, "ask_size", raw), sp, False),
    )
    cdef uint32_t iid = _instrument_index(instrument_id)
    out = np.empty(n, dtype=QUOTE_TICK_DTYPE)
    if n == 0:
        return out
    cdef QuoteTickRec[::1] rec = out
    cdef const int64_t[::1] tev = te
    cdef const int64_t[::1] tin = ti
    cdef Py_ssize_t i, bad = -1
    cdef int code
    with nogil:
        for i in range(n):
            rec[i].ts_event = tev[i]
            rec[i].ts_init = tin[i]
            rec[i].instrument_id = iid
            rec[i].price_prec = <uint8_t>pp
            rec[i].size_prec = <uint8_t>sp
            rec[i].flags = 0
    cdef Py_ssize_t stride = sizeof(QuoteTickRec) // 8
    cdef int64_t* field_ptr[4]
    field_ptr[0] = &rec[0].bid_price
    field_ptr[1] = &rec[0].ask_price
    field_ptr[2] = &rec[0].bid_size
    field_ptr[3] = &rec[0].ask_size
    for k, (name, col, prec, neg) in enumerate(cols):
        code = _fill_value(col, raw, n, prec, neg, field_ptr[k], stride, &bad)
        if code:
            _raise_bad("quote", name, bad, code, col, prec)
    return out


def bars_from_arrays(ts_event, open, high, low, close, volume=None, *, bar_type=None, price_precision=None,
                     size_precision=0, ts_init=None, bint raw=False, bint validate=True):
    """Build a BAR_DTYPE record array (ts_event = bar close time). Missing volume becomes 0.

    With ``validate`` (default) a row whose high is below open/low/close or whose low is above
    open/close raises ValueError naming the row and field.
    """
    cdef int pp = _prec(price_precision, "price_precision")
    cdef int sp = _prec(size_precision, "size_precision")
    te = _ts(ts_event, -1, "ts_event")
    cdef Py_ssize_t n = te.shape[0]
    ti = _ts(ts_init, n, "ts_init") if ts_init is not None else te
    if volume is None:
        volume = np.zeros(n, dtype=np.int64 if raw else np.float64)
    cols = (
        ("open", _vals(open, n, "open", raw), pp, True),
        ("high", _vals(high, n, "high", raw), pp, True),
        ("low", _vals(low, n, "low", raw), pp, True),
        ("close", _vals(close, n, "close", raw), pp, True),
        ("volume", _vals(volume, n, "volume", raw), sp, False),
    )
    cdef uint32_t btid = 0
    if bar_type is not None:
        btid = bar_type if isinstance(bar_type, int) else bar_type.index
    out = np.empty(n, dtype=BAR_DTYPE)
    if n == 0:
        return out
    cdef BarRec[::1] rec = out
    cdef const int64_t[::1] tev = te
    cdef const int64_t[::1] tin = ti
    cdef Py_ssize_t i, bad = -1
    cdef int code
    with nogil:
        for i in range(n):
            rec[i].ts_event = tev[i]
            rec[i].ts_init = tin[i]
            rec[i].bar_type_id = btid
            rec[i].price_prec = <uint8_t>pp
            rec[i].size_prec = <uint8_t>sp
            rec[i].flags = 0
    cdef Py_ssize_t stride = sizeof(BarRec) // 8
    cdef int64_t* field_ptr[5]
    field_ptr[0] = &rec[0].open
    field_ptr[1] = &rec[0].high
    field_ptr[2] = &rec[0].low
    field_ptr[3] = &rec[0].close
    field_ptr[4] = &rec[0].volume
    for k, (name, col, prec, neg) in enumerate(cols):
        code = _fill_value(col, raw, n, prec, neg, field_ptr[k], stride, &bad)
        if code:
            _raise_bad("bar", name, bad, code, col, prec)
    cdef int which = 0
    if validate:
        with nogil:
            for i in range(n):
                if rec[i].high < rec[i].open or rec[i].high < rec[i].close or rec[i].high < rec[i].low:
                    which = 1
                elif rec[i].low > rec[i].open or rec[i].low > rec[i].close:
                    which = 2
                if which:
                    bad = i
                    break
        if which == 1:
            raise ValueError(
                f"bar record {bad}: field 'high' value {cols[1][1][bad]!r} is below open/low/close "
                f"({cols[0][1][bad]!r}/{cols[2][1][bad]!r}/{cols[3][1][bad]!r})"
            )
        if which == 2:
            raise ValueError(
                f"bar record {bad}: field 'low' value {cols[2][1][bad]!r} is above open/close "
                f"({cols[0][1][bad]!r}/{cols[3][1][bad]!r})"
            )
    return out


def deltas_from_arrays(ts_event, action, side, price, size, *, order_id=None, sequence=None, flags=None,
                       price_precision=None, size_precision=None, ts_init=None, instrument_id=None,
                       bint raw=False):
    """Build an ORDER_BOOK_DELTA_DTYPE record array. action: 1 ADD, 2 UPDATE, 3 DELETE, 4 CLEAR;
    side: 1 BUY (bid), 2 SELL (ask), 0 only with CLEAR."""
    cdef int pp = _prec(price_precision, "price_precision")
    cdef int sp = _prec(size_precision, "size_precision")
    te = _ts(ts_event, -1, "ts_event")
    cdef Py_ssize_t n = te.shape[0]
    ti = _ts(ts_init, n, "ts_init") if ts_init is not None else te
    pc = _vals(price, n, "price", raw)
    sc = _vals(size, n, "size", raw)
    acts = _small(action, n, "action", np.uint8, 0)
    sides = _small(side, n, "side", np.uint8, 0)
    oids = _small(order_id, n, "order_id", np.uint64, 0)
    seqs = _small(sequence, n, "sequence", np.uint64, 0)
    flg = _small(flags, n, "flags", np.uint8, 0)
    cdef uint32_t iid = _instrument_index(instrument_id)
    out = np.zeros(n, dtype=ORDER_BOOK_DELTA_DTYPE)
    if n == 0:
        return out
    cdef OrderBookDeltaRec[::1] rec = out
    cdef const int64_t[::1] tev = te
    cdef const int64_t[::1] tin = ti
    cdef const uint8_t[::1] ac = acts
    cdef const uint8_t[::1] sd = sides
    cdef const uint64_t[::1] oi = oids
    cdef const uint64_t[::1] sq = seqs
    cdef const uint8_t[::1] fl = flg
    cdef Py_ssize_t i, bad = -1
    cdef int code = 0
    with nogil:
        for i in range(n):
            if ac[i] < 1 or ac[i] > 4:
                code = 1
            elif sd[i] > 2 or (sd[i] == 0 and ac[i] != 4):
                code = 2
            if code:
                bad = i
                break
            rec[i].ts_event = tev[i]
            rec[i].ts_init = tin[i]
            rec[i].order_id = oi[i]
            rec[i].sequence = sq[i]
            rec[i].instrument_id = iid
            rec[i].action = ac[i]
            rec[i].side = sd[i]
            rec[i].price_prec = <uint8_t>pp
            rec[i].size_prec = <uint8_t>sp
            rec[i].flags = fl[i]
    if code == 1:
        raise ValueError(f"delta record {bad}: field 'action' value {ac[bad]} is not 1-4 (ADD/UPDATE/DELETE/CLEAR)")
    if code == 2:
        raise ValueError(f"delta record {bad}: field 'side' value {sd[bad]} is invalid for action {ac[bad]}")
    cdef Py_ssize_t stride = sizeof(OrderBookDeltaRec) // 8
    code = _fill_value(pc, raw, n, pp, True, &rec[0].price, stride, &bad)
    if code:
        _raise_bad("delta", "price", bad, code, pc, pp)
    code = _fill_value(sc, raw, n, sp, False, &rec[0].size, stride, &bad)
    if code:
        _raise_bad("delta", "size", bad, code, sc, sp)
    return out


_BUILDERS = {
    "trades": (trades_from_arrays, ("ts_event", "price", "size")),
    "quotes": (quotes_from_arrays, ("ts_event", "bid_price", "ask_price", "bid_size", "ask_size")),
    "bars": (bars_from_arrays, ("ts_event", "open", "high", "low", "close", "volume")),
    "deltas": (deltas_from_arrays, ("ts_event", "action", "side", "price", "size")),
}
_OPTIONAL = {
    "trades": ("ts_init", "aggressor_side", "trade_id"),
    "quotes": ("ts_init",),
    "bars": ("ts_init",),
    "deltas": ("ts_init", "order_id", "sequence", "flags"),
}
_OPTIONAL_POSITIONAL = {"bid_size", "ask_size", "volume"}


def from_frame(str kind, frame, *, dict columns=None, **kwargs):
    """Build records of ``kind`` ("trades", "quotes", "bars", "deltas") from a pandas DataFrame, a
    pyarrow Table or a dict of columns. ``columns`` maps record field -> frame column name; a
    frame with a DatetimeIndex and no ts_event column uses the index as ts_event (also accepted:
    a "ts_ns" column). Other keyword arguments go to the ``*_from_arrays`` builder (precisions,
    instrument_id, bar_type, raw)."""
    if kind not in _BUILDERS:
        raise ValueError(f"invalid kind {kind!r}: expected one of {', '.join(_BUILDERS)}")
    builder, fields = _BUILDERS[kind]
    mapping = dict(columns or {})
    names = _column_names(frame)
    index_ts = None
    if "ts_event" not in mapping and "ts_event" not in names:
        if "ts_ns" in names:
            mapping["ts_event"] = "ts_ns"
        else:
            idx = getattr(frame, "index", None)
            if idx is not None and getattr(idx.dtype, "kind", "") == "M":
                index_ts = np.asarray(idx.tz_convert("UTC").tz_localize(None) if getattr(idx, "tz", None) else idx)
            else:
                raise ValueError(f"{kind} frame has no 'ts_event' (or 'ts_ns') column and no DatetimeIndex")
    args = []
    for f in fields:
        col = mapping.get(f, f)
        if f == "ts_event" and index_ts is not None:
            args.append(index_ts)
        elif col in names:
            args.append(_column(frame, col))
        elif f in _OPTIONAL_POSITIONAL:
            args.append(None)
        else:
            raise ValueError(f"{kind} frame is missing column {col!r} for field {f!r} (has: {', '.join(map(str, names))})")
    for f in _OPTIONAL[kind]:
        col = mapping.get(f, f)
        if col in names and f not in kwargs:
            kwargs[f] = _column(frame, col)
    return builder(*args, **kwargs)


cdef list _column_names(object frame):
    if isinstance(frame, dict):
        return list(frame.keys())
    if hasattr(frame, "column_names"):
        return list(frame.column_names)
    if hasattr(frame, "columns"):
        return [str(c) for c in frame.columns]
    raise TypeError(f"expected a pandas DataFrame, pyarrow Table or dict of columns, got {type(frame).__name__}")


cdef object _column(object frame, str name):
    if isinstance(frame, dict):
        return np.asarray(frame[name])
    col = frame[name]
    if hasattr(col, "to_numpy") and hasattr(col, "combine_chunks"):
        col = col.combine_chunks()
    if hasattr(col, "dt") and getattr(col.dtype, "tz", None) is not None:
        col = col.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
    return arr


_VALUE_FIELDS = ("price", "size", "bid_price", "ask_price", "bid_size", "ask_size", "open", "high", "low",
                 "close", "volume")


def to_pandas(records, bint datetimes=True):
    """A pandas DataFrame for humans: raw values become floats, timestamps UTC datetimes (or int ns
    with ``datetimes=False``), ``instrument_id``/``bar_type_id`` their string ids. Padding dropped."""
    import pandas as pd

    from alphaforge._core.data import BarType

    if not isinstance(records, np.ndarray) or records.dtype.names is None:
        raise TypeError("expected a record array of one of the alphaforge record dtypes")
    out = {}
    for name in records.dtype.names:
        if name.startswith("_") or name in ("price_prec", "size_prec"):
            continue
        col = records[name]
        if name in ("ts_event", "ts_init") and datetimes:
            out[name] = pd.to_datetime(col, unit="ns", utc=True)
        elif name in _VALUE_FIELDS:
            out[name] = col / 1e9
        elif name == "instrument_id":
            uniq = {int(u): (InstrumentId.from_index(int(u)).value if u else "") for u in np.unique(col)}
            out[name] = pd.Categorical([uniq[int(v)] for v in col]) if len(uniq) > 1 else [uniq.get(int(col[0]), "")] * len(col) if len(col) else []
        elif name == "bar_type_id":
            uniq = {int(u): (BarType.from_index(int(u)).value if u else "") for u in np.unique(col)}
            out["bar_type"] = [uniq[int(v)] for v in col]
        else:
            out[name] = col
    return pd.DataFrame(out)
