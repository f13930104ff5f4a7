"""Loaders for real market-data file formats -> AlphaForge record arrays.

Every loader reads a file (plain, ``.gz``, ``.zip`` or ``.zst``; compression is picked by the file
name) with ``pyarrow.csv`` as *string* columns (multi-threaded) and converts each column with the
exact ``nogil`` parsers of ``alphaforge._core.parsing`` -- no Python object per row, no float round
trip (``load_csv`` parses plain numeric files straight from the bytes, see its docstring). Records
are built by the shared ``alphaforge._core.columnar`` builders from the raw int64 columns. The
result is a numpy record array of ``TRADE_TICK_DTYPE``, ``QUOTE_TICK_DTYPE``, ``BAR_DTYPE`` or
``ORDER_BOOK_DELTA_DTYPE``:

* prices/sizes are raw int64 at scale 10^9 with the instrument's precision; a value with more
  non-zero decimals than the precision raises ``LoaderError`` (never silently rounded). When no
  precision is given (no instrument, ``price_precision=None``) it is inferred as the largest number
  of significant decimals in the column (documented convenience for the CLI);
* timestamps are int64 UNIX ns. ``ts_event`` = exchange time, ``ts_init`` = the file's receive time
  where it has one, else ``ts_event``. Bars: ``ts_event`` is the bar **close** time (each loader
  documents how it converts the file's label);
* ``instrument_id`` is ``InstrumentId.index`` (bars: ``bar_type_id`` = ``BarType.index``).

Errors: a malformed file raises :class:`LoaderError` (a ``ValueError``) carrying ``file``, ``line``
(1-based physical line, header included) and ``field``. Ordering: with ``sort="stable"`` (default)
records whose ``ts_event`` goes backwards are stably sorted by ``ts_event``; with ``sort="reject"``
the first out-of-order record raises ``LoaderError`` naming its line and ``ts_event``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from alphaforge._core import parsing as _p
from alphaforge._core.columnar import (
    bars_from_arrays,
    deltas_from_arrays,
    quotes_from_arrays,
    trades_from_arrays,
)
from alphaforge._core.records import QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

__all__ = [
    "LoaderError",
    "load_binance_trades",
    "load_binance_klines",
    "load_binance_book_ticker",
    "load_binance_depth",
    "load_bybit_orderbook",
    "load_tardis_trades",
    "load_tardis_quotes",
    "load_tardis_book_snapshot",
    "load_tardis_incremental_book_l2",
    "load_databento_trades",
    "load_databento_mbp1",
    "load_databento_mbo",
    "load_databento_ohlcv",
    "load_databento_dbn",
    "load_ohlc_csv",
    "load_histdata_quotes",
    "load_fxcm_bars",
    "load_csv",
    "LOADERS",
]

Source = str | os.PathLike | bytes
SortPolicy = Literal["stable", "reject"]

NS_PER_UNIT = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_I64_MAX = np.iinfo(np.int64).max
_EMPTY_DATA = np.zeros(1, dtype=np.uint8)

# enum values (alphaforge/_core/enums.pxd)
_BUY, _SELL = 1, 2                 # OrderSide / AggressorSide BUYER, SELLER
_ADD, _UPDATE, _DELETE, _CLEAR = 1, 2, 3, 4
_F_LAST, _F_SNAPSHOT = 128, 32


class LoaderError(ValueError):
    """A file could not be loaded. ``file``, ``line`` (1-based physical line) and ``field`` say where."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str | None = None):
        self.file = file
        self.line = line
        self.field = field
        self.reason = message
        where = file if line is None else f"{file}:{line}"
        what = f" field {field!r}:" if field else ""
        super().__init__(f"{where}:{what} {message}")


# ------------------------------------------------------------------------------------------------
# Sources


@dataclass
class _Src:
    """A file (or in-memory bytes) and how to open it decompressed."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    member: str | None = None
    progress: Callable[[int], Any] | None = None

    def open(self) -> Any:
        """A binary file-like object over the decompressed content."""
        import pyarrow as pa

        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        suffix = self.path.name.lower()
        raw: Any = open(self.path, "rb") if self.progress is None else _CountingFile(self.path, self.progress)
        if suffix.endswith(".zip"):
            zf = zipfile.ZipFile(raw)
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if self.member is None and len(names) != 1:
                raise LoaderError(f"zip holds {len(names)} files {names}; pass member=", file=self.name)
            return zf.open(self.member or names[0])
        for ext, codec in ((".gz", "gzip"), (".zst", "zstd"), (".bz2", "bz2")):
            if suffix.endswith(ext):
                return pa.input_stream(raw, compression=codec)
        return raw if self.progress is not None else pa.input_stream(raw)

    def head(self, nbytes: int = 1 << 16) -> list[str]:
        """The first lines (decoded, without line endings), from at most ``nbytes`` bytes."""
        f = self.open()
        try:
            chunk = f.read(nbytes)
        finally:
            f.close()
        text = bytes(chunk).decode("utf-8", errors="replace")
        lines = text.splitlines()
        if len(chunk) == nbytes and lines:
            lines = lines[:-1]  # last line may be cut
        return lines

    def lines(self):
        """Iterate over decoded lines without line endings (used on error paths only)."""
        f = self.open()
        try:
            rest = b""
            while True:
                chunk = bytes(f.read(1 << 20))
                if not chunk:
                    break
                parts = (rest + chunk).split(b"\n")
                rest = parts.pop()
                for part in parts:
                    yield part.rstrip(b"\r").decode("utf-8", errors="replace")
            if rest:
                yield rest.rstrip(b"\r").decode("utf-8", errors="replace")
        finally:
            f.close()


class _CountingFile(io.RawIOBase):
    """Reads a file and reports the bytes read to a progress callback (for the CLI's progress bar)."""

    def __init__(self, path: Path, progress: Callable[[int], Any]):
        self._f = open(path, "rb")
        self._progress = progress

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._f.seekable()

    def seek(self, pos: int, whence: int = 0) -> int:
        return self._f.seek(pos, whence)

    def tell(self) -> int:
        return self._f.tell()

    def readinto(self, b: Any) -> int:
        n = self._f.readinto(b)
        if n:
            self._progress(n)
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        if data:
            self._progress(len(data))
        return data

    def close(self) -> None:
        self._f.close()
        super().close()


def _src(source: Source | _Src, member: str | None = None, progress: Callable[[int], Any] | None = None) -> _Src:
    if isinstance(source, _Src):
        return source
    if isinstance(source, bytes | bytearray):
        return _Src(name="<bytes>", data=bytes(source))
    p = Path(source)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {p}")
    return _Src(name=str(p), path=p, member=member, progress=progress)


# ------------------------------------------------------------------------------------------------
# Reading and converting columns


@dataclass
class _Table:
    """String columns of a CSV plus the mapping from data row to physical line."""

    src: _Src
    table: Any                 # pyarrow.Table of string columns
    first_line: int            # physical line number of data row 0

    @property
    def n(self) -> int:
        return self.table.num_rows

    def line(self, row: int) -> int:
        return self.first_line + int(row)

    def text(self, field: str, row: int) -> str:
        return self.table.column(field)[int(row)].as_py()

    def err(self, row: int, field: str | None, message: str) -> LoaderError:
        return LoaderError(message, file=self.src.name, line=self.line(row), field=field)


def _read_csv(
    src: _Src,
    names: Sequence[str],
    include: Sequence[str],
    *,
    skip_rows: int,
    delimiter: str = ",",
) -> _Table:
    """Read the data rows of a CSV as string columns ``include`` (all fields named by ``names``)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad: list[Any] = []

    def on_invalid(row: Any) -> str:
        bad.append(row)
        return "error"

    ro = pcsv.ReadOptions(column_names=list(names), skip_rows=skip_rows, use_threads=True,
                          block_size=1 << 22)
    po = pcsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=on_invalid)
    co = pcsv.ConvertOptions(
        column_types={c: pa.string() for c in include},
        include_columns=list(include),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    f = src.open()
    try:
        table = pcsv.read_csv(f, read_options=ro, parse_options=po, convert_options=co)
    except pa.ArrowInvalid as exc:
        if bad:
            row = bad[0]
            line = _find_line(src, row.text, skip_rows) if row.number is None else row.number
            raise LoaderError(
                f"expected {row.expected_columns} fields, got {row.actual_columns}: {row.text[:120]!r}",
                file=src.name, line=line,
            ) from None
        raise LoaderError(f"unreadable CSV: {exc}", file=src.name) from None
    finally:
        f.close()
    return _Table(src, table, skip_rows + 1)


def _find_line(src: _Src, text: str, skip_rows: int) -> int | None:
    for i, line in enumerate(src.lines(), start=1):
        if i > skip_rows and line == text:
            return i
    return None


def _chunk_buffers(chunk: Any) -> tuple[np.ndarray, np.ndarray]:
    bufs = chunk.buffers()
    n = len(chunk)
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=chunk.offset * 4)
    data = _EMPTY_DATA if bufs[2] is None or bufs[2].size == 0 else np.frombuffer(bufs[2], dtype=np.uint8)
    return offsets, data


class _Job:
    """One column conversion, split into per-chunk tasks run on a thread pool (the parsers are nogil)."""

    def __init__(self, t: _Table, field: str, kind: str, **params: Any):
        self.t, self.field, self.kind, self.params = t, field, kind, params
        self.out = np.empty(t.n, dtype=np.int64)
        self.results: list[tuple[int, int, int, int]] = []  # (start, status, bad_row, max_decimals)

    def tasks(self) -> list[Callable[[], None]]:
        col = self.t.table.column(self.field)
        tasks = []
        start = 0
        for chunk in col.chunks:
            n = len(chunk)
            if n:
                tasks.append(self._task(chunk, start, n))
            start += n
        return tasks

    def _task(self, chunk: Any, start: int, n: int) -> Callable[[], None]:
        def run() -> None:
            offsets, data = _chunk_buffers(chunk)
            out = self.out[start:start + n]
            if self.kind == "decimal":
                st, bad, maxdec = _p.parse_decimal_chunk(offsets, data, out, self.params["precision"],
                                                          self.params["allow_negative"])
            elif self.kind == "int":
                st, bad = _p.parse_int_chunk(offsets, data, out, self.params.get("lenient", False))
                maxdec = 0
            else:
                st, bad = _p.parse_datetime_chunk(offsets, data, out, self.kind == "time")
                maxdec = 0
            self.results.append((start, st, start + bad if st else -1, maxdec))
        return run

    def failure(self) -> tuple[int, int] | None:
        fails = [(bad, st) for _, st, bad, _ in self.results if st]
        return min(fails) if fails else None

    @property
    def max_decimals(self) -> int:
        return max((r[3] for r in self.results), default=0)


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                   thread_name_prefix="af-parse")
    return _POOL


def _run(jobs: Sequence[_Job]) -> None:
    """Run the conversions; raise LoaderError for the first bad row (lowest line, then job order)."""
    tasks = [task for job in jobs for task in job.tasks()]
    if len(tasks) > 1:
        for fut in [_pool().submit(task) for task in tasks]:
            fut.result()
    else:
        for task in tasks:
            task()
    fails = [(f[0], i, f[1]) for i, job in enumerate(jobs) if (f := job.failure()) is not None]
    if not fails:
        return
    row, i, status = min(fails)
    job = jobs[i]
    value = job.t.text(job.field, row)
    msg = _p.STATUS_TEXT.get(status, "malformed value")
    if status == 3 and job.kind == "decimal":
        msg += f" ({job.params['precision']})"
    raise job.t.err(row, job.field, f"{msg}: {value!r}")


def _decimals(t: _Table, fields: Sequence[str], precision: int | None, *, allow_negative: bool = True,
              ) -> tuple[list[np.ndarray], int]:
    """Parse decimal columns sharing one precision; ``None`` infers it from the data (max decimals)."""
    jobs = [_Job(t, f, "decimal", precision=9 if precision is None else precision,
                 allow_negative=allow_negative) for f in fields]
    _run(jobs)
    if precision is None:
        precision = max((j.max_decimals for j in jobs), default=0)
    return [j.out for j in jobs], precision


def _ints(t: _Table, fields: Sequence[str], *, lenient: bool = False) -> list[np.ndarray]:
    jobs = [_Job(t, f, "int", lenient=lenient) for f in fields]
    _run(jobs)
    return [j.out for j in jobs]


def _datetimes(t: _Table, field: str, *, time_only: bool = False) -> np.ndarray:
    job = _Job(t, field, "time" if time_only else "datetime")
    _run([job])
    return job.out


def _scale_ts(t: _Table, field: str, values: np.ndarray, unit: str) -> np.ndarray:
    """Integer epoch values in ``unit`` -> ns, with an overflow check naming the row."""
    mult = NS_PER_UNIT[unit]
    if mult == 1:
        return values
    limit = _I64_MAX // mult
    badmask = np.abs(values) > limit
    if badmask.any():
        row = int(np.argmax(badmask))
        raise t.err(row, field, f"timestamp out of range: {t.text(field, row)!r}")
    return values * mult


def _auto_unit(values: np.ndarray) -> str:
    """Epoch unit from magnitude (ms before year 5138, µs for Binance's 2025+ spot files, ns)."""
    if len(values) == 0:
        return "ms"
    m = int(np.abs(values).max())
    if m < 10**14:
        return "ms"
    if m < 10**17:
        return "us"
    return "ns"


def _categorical(t: _Table, field: str, mapping: Mapping[str, int]) -> np.ndarray:
    """Map a string column through ``mapping``; an unknown value raises naming the row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = list(mapping)
    codes = np.array([mapping[k] for k in keys] + [0], dtype=np.int64)
    idx = pc.index_in(t.table.column(field), value_set=pa.array(keys, pa.string()))
    if idx.null_count:
        row = int(np.argmax(idx.is_null().to_numpy(zero_copy_only=False)))
        raise t.err(row, field, f"unexpected value {t.text(field, row)!r}; expected one of {keys}")
    idx_np = idx.to_numpy(zero_copy_only=False)
    return codes[idx_np.astype(np.int64)]


def _check_header(t_src: _Src, header: list[str], expected: Sequence[str]) -> None:
    if [h.strip() for h in header] != list(expected):
        raise LoaderError(f"header {header} does not match the expected {list(expected)}",
                          file=t_src.name, line=1)


def _split(line: str, delimiter: str) -> list[str]:
    return [f.strip().strip('"') for f in line.split(delimiter)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# Instrument / precision resolution and record building


@dataclass
class _Target:
    instrument_id: int
    price_precision: int | None
    size_precision: int | None
    bar_type_id: int = 0


def _target(instrument: Any, instrument_id: Any, price_precision: int | None,
            size_precision: int | None, bar_type: Any = None) -> _Target:
    iid = 0
    if instrument is not None:
        iid = int(instrument.id.index)
        if price_precision is None:
            price_precision = int(instrument.price_precision)
        if size_precision is None:
            size_precision = int(instrument.size_precision)
    if instrument_id is not None:
        if isinstance(instrument_id, int | np.integer):
            iid = int(instrument_id)
        elif isinstance(instrument_id, str):
            from alphaforge._core.identifiers import InstrumentId

            iid = int(InstrumentId.from_str(instrument_id).index)
        else:
            iid = int(instrument_id.index)
    for name, p in (("price_precision", price_precision), ("size_precision", size_precision)):
        if p is not None and not 0 <= int(p) <= 9:
            raise ValueError(f"{name} must be 0-9, was {p}")
    btid = 0
    if bar_type is not None:
        btid = int(bar_type) if isinstance(bar_type, int | np.integer) else int(bar_type.index)
    return _Target(iid, price_precision, size_precision, btid)


def _finish(t: _Table, recs: np.ndarray, sort: SortPolicy, rows: np.ndarray | None = None) -> np.ndarray:
    """Apply the ordering policy on ts_event. ``rows`` maps record -> data row (default identity)."""
    if sort not in ("stable", "reject"):
        raise ValueError(f"sort must be 'stable' or 'reject', was {sort!r}")
    ts = recs["ts_event"]
    if len(ts) > 1:
        back = ts[1:] < ts[:-1]
        if back.any():
            if sort == "reject":
                i = int(np.argmax(back)) + 1
                row = i if rows is None else int(rows[i])
                raise t.err(row, "ts_event", f"timestamp goes backwards ({int(ts[i])} < {int(ts[i - 1])}); "
                                             "pass sort='stable' to sort")
            recs = recs[np.argsort(ts, kind="stable")]
    return recs


def _build(t: _Table, fn: Callable[..., np.ndarray], *args: Any, rows: np.ndarray | None = None,
           **kw: Any) -> np.ndarray:
    """Build records with the shared columnar builders (``alphaforge._core.columnar``, raw int64
    columns, nogil fill + precision checks); their ``record i: field 'x'`` errors become
    LoaderError naming the file line."""
    try:
        return fn(*args, raw=True, **kw)
    except ValueError as exc:
        m = re.search(r"record (\d+): field '(\w+)'", str(exc))
        if m is None:
            raise
        i = int(m.group(1))
        raise t.err(i if rows is None else int(rows[i]), m.group(2), str(exc)) from None


def _opt(v: Any) -> Any:
    """None for an absent optional column (given as scalar 0)."""
    return None if np.isscalar(v) and v == 0 else v


def _trades(t: _Table, n: int, tg: _Target, ts_event: np.ndarray, ts_init: np.ndarray | None,
            price: np.ndarray, size: np.ndarray, pp: int, sp: int, aggressor: np.ndarray | int = 0,
            trade_id: np.ndarray | int = 0, flags: np.ndarray | int = 0) -> np.ndarray:
    out = _build(t, trades_from_arrays, ts_event, price, size, price_precision=pp, size_precision=sp,
                 ts_init=ts_init, aggressor_side=_opt(aggressor), trade_id=_opt(trade_id),
                 instrument_id=tg.instrument_id)
    if _opt(flags) is not None:
        out["flags"] = flags
    return out


def _quotes(t: _Table, n: int, tg: _Target, ts_event: np.ndarray, ts_init: np.ndarray | None,
            bid: np.ndarray, ask: np.ndarray, bid_size: np.ndarray | int, ask_size: np.ndarray | int,
            pp: int, sp: int, flags: np.ndarray | int = 0) -> np.ndarray:
    out = _build(t, quotes_from_arrays, ts_event, bid, ask, _opt(bid_size), _opt(ask_size), price_precision=pp,
                 size_precision=sp, ts_init=ts_init, instrument_id=tg.instrument_id)
    if _opt(flags) is not None:
        out["flags"] = flags
    return out


def _bars(t: _Table, n: int, tg: _Target, ts_event: np.ndarray, ohlc: Sequence[np.ndarray],
          volume: np.ndarray | int, pp: int, sp: int) -> np.ndarray:
    """Bars; a row whose high is below open/low/close or low above open/close is an error."""
    return _build(t, bars_from_arrays, ts_event, *ohlc, _opt(volume), bar_type=tg.bar_type_id,
                  price_precision=pp, size_precision=sp, validate=True)


def _deltas(t: _Table, n: int, tg: _Target, ts_event: Any, ts_init: Any, action: Any, side: Any, price: Any,
            size: Any, pp: int, sp: int, order_id: Any = 0, sequence: Any = 0, flags: Any = 0,
            rows: np.ndarray | None = None) -> np.ndarray:
    def arr(v: Any, dtype: Any) -> Any:
        return np.full(n, v, dtype=dtype) if np.isscalar(v) else v

    def opt(v: Any, dtype: Any) -> Any:
        return None if np.isscalar(v) and v == 0 else arr(v, dtype)

    return _build(t, deltas_from_arrays, ts_event, arr(action, np.uint8), arr(side, np.uint8), price, size,
                  order_id=opt(order_id, np.uint64), sequence=opt(sequence, np.uint64), flags=opt(flags, np.uint8),
                  price_precision=pp, size_precision=sp, ts_init=ts_init, instrument_id=tg.instrument_id,
                  rows=rows)


def _group_last(keys: Sequence[np.ndarray]) -> np.ndarray:
    """True on the last row of each run of equal consecutive key tuples."""
    n = len(keys[0])
    last = np.ones(n, dtype=bool)
    if n > 1:
        same = np.ones(n - 1, dtype=bool)
        for k in keys:
            same &= k[1:] == k[:-1]
        last[:-1] = ~same
    return last


def _snapshot_starts(snap: np.ndarray, keys: Sequence[np.ndarray]) -> np.ndarray:
    """First row of each snapshot: a snapshot row after a non-snapshot row or where the snapshot's
    key (timestamp / update id) changes between consecutive snapshot rows."""
    starts = snap.copy()
    if len(snap) > 1:
        changed = np.zeros(len(snap) - 1, dtype=bool)
        for k in keys:
            changed |= k[1:] != k[:-1]
        starts[1:] &= ~snap[:-1] | changed
    return starts


def _with_clears(recs: np.ndarray, rows: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a CLEAR delta (same ts, SNAPSHOT flag, side 0, price/size 0) before each row in ``starts``."""
    idx = np.flatnonzero(starts)
    if len(idx) == 0:
        return recs, rows
    clears = recs[idx].copy()
    clears["action"] = _CLEAR
    clears["side"] = 0
    clears["price"] = 0
    clears["size"] = 0
    clears["order_id"] = 0
    clears["flags"] = _F_SNAPSHOT
    out = np.insert(recs, idx, clears)
    out_rows = np.insert(rows, idx, rows[idx])
    return out, out_rows


_SIDE_WORDS = {"b": _BUY, "bid": _BUY, "buy": _BUY, "B": _BUY, "a": _SELL, "ask": _SELL, "sell": _SELL,
               "A": _SELL, "s": _SELL, "S": _SELL}
_BOOL_WORDS = {"true": 1, "false": 0, "True": 1, "False": 0, "TRUE": 1, "FALSE": 0}


# ------------------------------------------------------------------------------------------------
# Binance


_BINANCE_TRADE_STREAM = ["local_ts_ns", "event_time_ms", "trade_time_ms", "symbol", "trade_id", "price",
                         "qty", "is_buyer_maker"]
_BINANCE_PUBLIC_TRADES = ["id", "price", "qty", "quote_qty", "time", "is_buyer_maker", "is_best_match"]


def load_binance_trades(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                        price_precision: int | None = None, size_precision: int | None = None,
                        time_unit: Literal["auto", "ms", "us"] = "auto", sort: SortPolicy = "stable",
                        member: str | None = None,
                        progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Binance trades -> ``TRADE_TICK_DTYPE`` records. Two layouts, told apart by the first line:

    * the ``@trade`` stream flattened to CSV (header ``local_ts_ns,event_time_ms,trade_time_ms,
      symbol,trade_id,price,qty,is_buyer_maker``): ``ts_event`` = trade time ``T`` (ms),
      ``ts_init`` = ``local_ts_ns`` (the recorder's clock; it may be *behind* the exchange's);
    * Binance public-data trades (``id,price,qty,quoteQty,time,isBuyerMaker[,isBestMatch]``, spot
      without header, USD-M with header): ``ts_event`` = ``ts_init`` = ``time`` in ms, or µs for the
      2025+ spot files (``time_unit="auto"`` decides from magnitude).

    ``is_buyer_maker`` true means the seller was the aggressor (aggressor_side SELLER=2, else BUYER=1).
    ``trade_id`` is Binance's numeric trade id.
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    head = src.head()
    if not head:
        raise LoaderError("empty file", file=src.name)
    first = _split(head[0], ",")
    if first[: len(_BINANCE_TRADE_STREAM)] == _BINANCE_TRADE_STREAM:
        t = _read_csv(src, _BINANCE_TRADE_STREAM, ["local_ts_ns", "trade_time_ms", "trade_id", "price",
                                                   "qty", "is_buyer_maker"], skip_rows=1)
        local, tt, tid = _ints(t, ["local_ts_ns", "trade_time_ms", "trade_id"])
        ts_event = _scale_ts(t, "trade_time_ms", tt, "ms")
        ts_init = local
    else:
        has_header = not _is_number(first[0])
        names = _BINANCE_PUBLIC_TRADES[: len(first)]
        if len(first) not in (6, 7):
            raise LoaderError(f"expected 6 or 7 fields in a Binance trades file, got {len(first)}",
                              file=src.name, line=1)
        t = _read_csv(src, names, ["id", "price", "qty", "time", "is_buyer_maker"], skip_rows=int(has_header))
        tid, tm = _ints(t, ["id", "time"])
        ts_event = _scale_ts(t, "time", tm, _auto_unit(tm) if time_unit == "auto" else time_unit)
        ts_init = None
    (price,), pp = _decimals(t, ["price"], tg.price_precision)
    (size,), sp = _decimals(t, ["qty"], tg.size_precision, allow_negative=False)
    maker = _categorical(t, "is_buyer_maker", _BOOL_WORDS)
    aggressor = np.where(maker == 1, _SELL, _BUY)
    recs = _trades(t, t.n, tg, ts_event, ts_init, price, size, pp, sp, aggressor, tid)
    return _finish(t, recs, sort)


_KLINE_NAMES = ["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume",
                "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"]


def _sniff_delimiter(line: str, candidates: str = ",|;\t") -> str:
    counts = {d: line.count(d) for d in candidates}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def load_binance_klines(source: Source, instrument: Any = None, *, bar_type: Any = None,
                        instrument_id: Any = None, price_precision: int | None = None,
                        size_precision: int | None = None, delimiter: str | None = None,
                        sort: SortPolicy = "stable", member: str | None = None,
                        progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Binance klines (12 columns, with or without header; ``,`` ``|`` ``;`` or tab separated,
    sniffed from the first line unless ``delimiter`` is given) -> ``BAR_DTYPE`` records.

    ``ts_event`` = bar close = ``close_time + 1 ms`` (Binance's close_time is the last ms of the
    bar, e.g. open + 59,999 ms for 1m); open/close times in ms, or µs for 2025+ spot files (decided
    from magnitude). ``volume`` is the base-asset volume (column 6). ``bar_type_id`` from ``bar_type``.
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision, bar_type)
    head = src.head()
    if not head:
        raise LoaderError("empty file", file=src.name)
    sep = delimiter or _sniff_delimiter(head[0])
    first = _split(head[0], sep)
    if len(first) != 12:
        raise LoaderError(f"expected 12 fields in a Binance kline, got {len(first)}", file=src.name, line=1)
    has_header = not _is_number(first[0])
    t = _read_csv(src, _KLINE_NAMES, ["open_time", "open", "high", "low", "close", "volume", "close_time"],
                  skip_rows=int(has_header), delimiter=sep)
    (ct,) = _ints(t, ["close_time"])
    unit = _auto_unit(ct)
    ts_event = _scale_ts(t, "close_time", ct + 1, unit)
    ohlc, pp = _decimals(t, ["open", "high", "low", "close"], tg.price_precision)
    (vol,), sp = _decimals(t, ["volume"], tg.size_precision, allow_negative=False)
    return _finish(t, _bars(t, t.n, tg, ts_event, ohlc, vol, pp, sp), sort)


_BOOKTICKER_STREAM = ["local_ts_ns", "symbol", "update_id", "bid_price", "bid_qty", "ask_price", "ask_qty"]
_BOOKTICKER_PUBLIC = ["update_id", "best_bid_price", "best_bid_qty", "best_ask_price", "best_ask_qty",
                      "transaction_time", "event_time"]


def load_binance_book_ticker(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                             price_precision: int | None = None, size_precision: int | None = None,
                             sort: SortPolicy = "stable", member: str | None = None,
                             progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Binance best bid/ask -> ``QUOTE_TICK_DTYPE`` records. Layouts (by header):

    * the ``@bookTicker`` stream flattened to CSV (``local_ts_ns,symbol,update_id,bid_price,bid_qty,
      ask_price,ask_qty``): spot bookTicker messages carry no exchange time, so ``ts_event`` =
      ``ts_init`` = ``local_ts_ns`` (receive time);
    * Binance public-data bookTicker (``update_id,best_bid_price,best_bid_qty,best_ask_price,
      best_ask_qty,transaction_time,event_time``): ``ts_event`` = ``ts_init`` = transaction_time (ms).
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    head = src.head()
    first = _split(head[0], ",") if head else []
    if first == _BOOKTICKER_STREAM:
        t = _read_csv(src, first, ["local_ts_ns", "bid_price", "bid_qty", "ask_price", "ask_qty"], skip_rows=1)
        (ts,) = _ints(t, ["local_ts_ns"])
        (bid, ask), pp = _decimals(t, ["bid_price", "ask_price"], tg.price_precision)
        (bq, aq), sp = _decimals(t, ["bid_qty", "ask_qty"], tg.size_precision, allow_negative=False)
    elif first == _BOOKTICKER_PUBLIC:
        t = _read_csv(src, first, _BOOKTICKER_PUBLIC[1:6], skip_rows=1)
        (tt,) = _ints(t, ["transaction_time"])
        ts = _scale_ts(t, "transaction_time", tt, "ms")
        (bid, ask), pp = _decimals(t, ["best_bid_price", "best_ask_price"], tg.price_precision)
        (bq, aq), sp = _decimals(t, ["best_bid_qty", "best_ask_qty"], tg.size_precision, allow_negative=False)
    else:
        raise LoaderError(f"unknown bookTicker header {first}", file=src.name, line=1)
    return _finish(t, _quotes(t, t.n, tg, ts, None, bid, ask, bq, aq, pp, sp), sort)


_T_DEPTH = ["symbol", "timestamp", "first_update_id", "last_update_id", "side", "update_type", "price",
            "qty", "pu"]
_SPOT_DEPTH = ["local_ts_ns", "event_time_ms", "first_update_id", "last_update_id", "is_snapshot", "side",
               "price", "qty"]


def load_binance_depth(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                       price_precision: int | None = None, size_precision: int | None = None,
                       sync: bool = True, sort: SortPolicy = "stable", member: str | None = None,
                       progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Binance order-book depth -> ``ORDER_BOOK_DELTA_DTYPE`` records (L2, order_id 0).

    Layouts (by header):

    * Binance's historical ``T_DEPTH`` download (``symbol,timestamp,first_update_id,last_update_id,
      side,update_type,price,qty,pu``): ``ts_event`` = ``ts_init`` = ``timestamp`` (ms);
    * the spot REST snapshot + ``@depth`` diffs flattened to CSV (``local_ts_ns,event_time_ms,
      first_update_id,last_update_id,is_snapshot,side,price,qty``): diffs have ``ts_event`` =
      event time E (ms) and ``ts_init`` = ``local_ts_ns``; snapshot rows (no E in a REST reply)
      have ``ts_event`` = ``ts_init`` = ``local_ts_ns``.

    Mapping: each snapshot (a run of snapshot rows with one timestamp and update id) is preceded by
    a CLEAR delta; snapshot rows are ADD with the SNAPSHOT
    flag; diff rows are "set" semantics: qty 0 -> DELETE, else UPDATE (repeated (side, price) rows
    are kept; applying them twice is idempotent). ``sequence`` = last_update_id; the LAST flag marks
    the final row of each message (rows sharing timestamp and update ids). Side ``b``/``bid`` ->
    BUY(1), ``a``/``ask`` -> SELL(2).

    ``sync`` (spot layout only): apply Binance's documented sync rule -- the snapshot comes first
    and diffs with ``last_update_id <= snapshot lastUpdateId`` (already contained in the snapshot)
    are left out; with ``sync=False`` every row is kept in file order (then subject to ``sort``).
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    head = src.head()
    first = _split(head[0], ",") if head else []
    if first == _T_DEPTH:
        t = _read_csv(src, first, ["timestamp", "last_update_id", "side", "update_type", "price", "qty"],
                      skip_rows=1)
        tms, luid = _ints(t, ["timestamp", "last_update_id"])
        ts_event = _scale_ts(t, "timestamp", tms, "ms")
        ts_init = ts_event
        snap = _categorical(t, "update_type", {"snap": 1, "set": 0}).astype(bool)
    elif first == _SPOT_DEPTH:
        import pyarrow.compute as pc

        t = _read_csv(src, first, ["local_ts_ns", "event_time_ms", "last_update_id", "is_snapshot", "side",
                                   "price", "qty"], skip_rows=1)
        snap = _categorical(t, "is_snapshot", _BOOL_WORDS).astype(bool)
        local, luid = _ints(t, ["local_ts_ns", "last_update_id"])
        # event_time_ms is empty on snapshot rows only: parse the rest
        et = t.table.column("event_time_ms")
        empty = pc.equal(et, "").to_numpy(zero_copy_only=False)
        bad = empty & ~snap
        if bad.any():
            row = int(np.argmax(bad))
            raise t.err(row, "event_time_ms", "empty field")
        filled = pc.if_else(pc.equal(et, ""), "0", et)
        t2 = _Table(t.src, t.table.set_column(t.table.schema.get_field_index("event_time_ms"),
                                              "event_time_ms", filled), t.first_line)
        (ems,) = _ints(t2, ["event_time_ms"])
        ts_event = np.where(snap, local, _scale_ts(t2, "event_time_ms", ems, "ms"))
        ts_init = local
    else:
        raise LoaderError(f"unknown Binance depth header {first}", file=src.name, line=1)
    side = _categorical(t, "side", _SIDE_WORDS)
    (price,), pp = _decimals(t, ["price"], tg.price_precision)
    (qty,), sp = _decimals(t, ["qty"], tg.size_precision, allow_negative=False)
    action = np.where(snap, _ADD, np.where(qty == 0, _DELETE, _UPDATE))
    last = _group_last([ts_event, luid, snap])
    flags = np.where(snap, _F_SNAPSHOT, 0) | np.where(last, _F_LAST, 0)
    recs = _deltas(t, t.n, tg, ts_event, ts_init, action, side, price, qty, pp, sp, 0, luid, flags)
    rows = np.arange(t.n)
    if first == _SPOT_DEPTH and sync and snap.any():
        snap_luid = int(luid[np.argmax(snap)])
        keep_snap = np.flatnonzero(snap & (luid == snap_luid))
        keep_diff = np.flatnonzero(~snap & (luid > snap_luid))
        order = np.concatenate([keep_snap, keep_diff])
        recs, rows = recs[order], rows[order]
        snap = snap[order]
    recs, rows = _with_clears(recs, rows, _snapshot_starts(snap, [recs["ts_event"], recs["sequence"]]))
    return _finish(t, recs, sort, rows)


class _RowTable(_Table):
    """A table whose rows come from known file lines (several rows per line)."""

    def __init__(self, src: _Src, table: Any, lines: np.ndarray):
        super().__init__(src, table, 1)
        self._lines = lines

    def line(self, row: int) -> int:
        return int(self._lines[int(row)])


def load_bybit_orderbook(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                         price_precision: int | None = None, size_precision: int | None = None,
                         sort: SortPolicy = "stable", member: str | None = None,
                         progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Bybit historical order-book dump (``*_ob500.data``, JSON lines, usually inside a ``.zip``;
    ``{"topic","type":"snapshot"|"delta","ts","data":{"s","b":[[px,sz]...],"a":[...],"u","seq"},
    "cts"}``) -> ``ORDER_BOOK_DELTA_DTYPE``.

    Parsed with ``pyarrow.json`` and flattened with Arrow compute (no Python object per level).
    Per message: a snapshot becomes a CLEAR delta then ADDs (SNAPSHOT flag); a delta message's
    levels are "set" updates (size 0 -> DELETE, else UPDATE). Bids come before asks within a
    message, in file order; LAST marks each message's final delta. ``ts_event`` = ``cts`` (matching
    engine time, ms), ``ts_init`` = ``ts`` (ms), ``sequence`` = ``u``. Errors name the JSON line.
    """
    import json

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    f = src.open()
    try:
        raw = bytes(f.read())
    finally:
        f.close()
    levels = pa.list_(pa.list_(pa.string()))
    schema = pa.schema([("type", pa.string()), ("ts", pa.int64()), ("cts", pa.int64()),
                        ("data", pa.struct([("b", levels), ("a", levels), ("u", pa.int64())]))])
    try:
        tbl = pj.read_json(io.BytesIO(raw), parse_options=pj.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore", newlines_in_values=False))
    except pa.ArrowInvalid as exc:
        for i, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
            try:
                json.loads(line)
            except ValueError as jexc:
                raise LoaderError(f"malformed JSON: {jexc}", file=src.name, line=i) from None
        raise LoaderError(f"unreadable JSON lines: {exc}", file=src.name) from None
    tbl = tbl.combine_chunks()
    n_msg = tbl.num_rows
    msg_lines = np.arange(1, n_msg + 1)
    mt = _RowTable(src, tbl, msg_lines)
    for name in ("type", "ts", "cts"):
        col = tbl.column(name)
        if col.null_count:
            row = int(np.argmax(col.is_null().to_numpy(zero_copy_only=False)))
            raise mt.err(row, name, "missing field")
    data = tbl.column("data").chunk(0) if tbl.num_rows else None
    if data is not None and data.null_count:
        row = int(np.argmax(data.is_null().to_numpy(zero_copy_only=False)))
        raise mt.err(row, "data", "missing field")
    kind = _categorical(_Table(src, tbl.select(["type"]), 1), "type", {"snapshot": 1, "delta": 0}).astype(bool)
    ts_init = tbl.column("ts").to_numpy() * 1_000_000
    ts_event = tbl.column("cts").to_numpy() * 1_000_000
    u = (data.field("u").fill_null(0) if data is not None else pa.array([], pa.int64())).to_numpy(
        zero_copy_only=False)
    parts = []
    for side_name, side in (("b", _BUY), ("a", _SELL)):
        lv = data.field(side_name) if data is not None else pa.array([], levels)
        lv = lv.fill_null(pa.scalar([], levels)) if lv.null_count else lv
        flat = pc.list_flatten(lv)
        parent = pc.list_parent_indices(lv).to_numpy(zero_copy_only=False)
        lens = pc.list_value_length(flat).to_numpy(zero_copy_only=False)
        if len(lens) and (lens != 2).any():
            i = int(np.argmax(lens != 2))
            raise mt.err(int(parent[i]), f"data.{side_name}", "a level must be [price, size]")
        vals = pc.list_flatten(flat)
        parts.append((parent, np.full(len(parent), side, np.uint8), vals.take(pa.array(np.arange(0, len(vals), 2))),
                      vals.take(pa.array(np.arange(1, len(vals), 2)))))
    parent = np.concatenate([p[0] for p in parts])
    order = np.argsort(parent, kind="stable")             # per message: bids, then asks, file order
    parent = parent[order]
    side = np.concatenate([p[1] for p in parts])[order]
    px = pa.concat_arrays([p[2] for p in parts]).take(pa.array(order))
    sz = pa.concat_arrays([p[3] for p in parts]).take(pa.array(order))
    lt = _RowTable(src, pa.table({"price": px, "size": sz}), msg_lines[parent] if len(parent) else parent)
    (price,), pp = _decimals(lt, ["price"], tg.price_precision)
    (size,), sp = _decimals(lt, ["size"], tg.size_precision, allow_negative=False)
    snap = kind[parent]
    action = np.where(snap, _ADD, np.where(size == 0, _DELETE, _UPDATE))
    last = np.ones(len(parent), dtype=bool)
    last[:-1] = parent[1:] != parent[:-1]
    flags = np.where(snap, _F_SNAPSHOT, 0) | np.where(last, _F_LAST, 0)
    recs = _deltas(lt, len(parent), tg, ts_event[parent], ts_init[parent], action, side, price, size, pp, sp,
                   0, u[parent], flags)
    starts = np.zeros(len(parent), dtype=bool)
    if len(parent):
        starts[0] = snap[0]
        starts[1:] = snap[1:] & (parent[1:] != parent[:-1])
    recs, rows = _with_clears(recs, np.arange(len(parent)), starts)
    return _finish(lt, recs, sort, rows)


# ------------------------------------------------------------------------------------------------
# Tardis


_TARDIS_AGGRESSOR = {"buy": _BUY, "sell": _SELL, "unknown": 0, "": 0}


def _tardis_ts(t: _Table) -> tuple[np.ndarray, np.ndarray]:
    ts, local = _ints(t, ["timestamp", "local_timestamp"])
    return _scale_ts(t, "timestamp", ts, "us"), _scale_ts(t, "local_timestamp", local, "us")


def _expect(src: _Src, expected: Sequence[str]) -> list[str]:
    head = src.head()
    if not head:
        raise LoaderError("empty file", file=src.name)
    first = _split(head[0], ",")
    _check_header(src, first, expected)
    return first


def load_tardis_trades(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                       price_precision: int | None = None, size_precision: int | None = None,
                       sort: SortPolicy = "stable", member: str | None = None,
                       progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Tardis.dev ``trades`` CSV (``exchange,symbol,timestamp,local_timestamp,id,side,price,amount``)
    -> ``TRADE_TICK_DTYPE``. ``ts_event`` = ``timestamp``, ``ts_init`` = ``local_timestamp`` (both µs).
    ``side`` buy/sell/unknown -> aggressor BUYER/SELLER/NONE. ``trade_id`` = ``id`` when it is an
    integer, else 0 (some venues use non-numeric ids)."""
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    names = _expect(src, ["exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount"])
    t = _read_csv(src, names, ["timestamp", "local_timestamp", "id", "side", "price", "amount"], skip_rows=1)
    ts, local = _tardis_ts(t)
    (tid,) = _ints(t, ["id"], lenient=True)
    side = _categorical(t, "side", _TARDIS_AGGRESSOR)
    (price,), pp = _decimals(t, ["price"], tg.price_precision)
    (size,), sp = _decimals(t, ["amount"], tg.size_precision, allow_negative=False)
    return _finish(t, _trades(t, t.n, tg, ts, local, price, size, pp, sp, side, tid), sort)


def load_tardis_quotes(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                       price_precision: int | None = None, size_precision: int | None = None,
                       sort: SortPolicy = "stable", member: str | None = None,
                       progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Tardis.dev ``quotes`` CSV -> ``QUOTE_TICK_DTYPE``. Columns are matched **by name** (the file
    has ask before bid: ``...,ask_amount,ask_price,bid_price,bid_amount``). ``ts_event`` =
    ``timestamp``, ``ts_init`` = ``local_timestamp`` (µs). Empty fields are an error."""
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    names = _expect(src, ["exchange", "symbol", "timestamp", "local_timestamp", "ask_amount", "ask_price",
                          "bid_price", "bid_amount"])
    t = _read_csv(src, names, names[2:], skip_rows=1)
    ts, local = _tardis_ts(t)
    (bid, ask), pp = _decimals(t, ["bid_price", "ask_price"], tg.price_precision)
    (bq, aq), sp = _decimals(t, ["bid_amount", "ask_amount"], tg.size_precision, allow_negative=False)
    return _finish(t, _quotes(t, t.n, tg, ts, local, bid, ask, bq, aq, pp, sp), sort)


def load_tardis_book_snapshot(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                              price_precision: int | None = None, size_precision: int | None = None,
                              sort: SortPolicy = "stable", member: str | None = None,
                              progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Tardis.dev ``book_snapshot_N`` CSV (``asks[i].price,asks[i].amount,bids[i].price,
    bids[i].amount`` for i < N, interleaved per level) -> ``ORDER_BOOK_DELTA_DTYPE``.

    Each row becomes a CLEAR delta followed by ADDs: asks level 0..N-1, then bids level 0..N-1
    (SNAPSHOT flag on all, LAST on the row's final delta). A level whose price and amount are both
    empty (thin book) is left out; one empty without the other is an error.
    ``ts_event`` = ``timestamp``, ``ts_init`` = ``local_timestamp`` (µs).
    """
    import pyarrow.compute as pc

    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    head = src.head()
    names = _split(head[0], ",") if head else []
    if names[:4] != ["exchange", "symbol", "timestamp", "local_timestamp"] or (len(names) - 4) % 4:
        raise LoaderError(f"not a Tardis book_snapshot header: {names[:8]}", file=src.name, line=1)
    levels = (len(names) - 4) // 4
    expected = names[:4] + [f"{s}[{i}].{f}" for i in range(levels) for s in ("asks", "bids")
                            for f in ("price", "amount")]
    _check_header(src, names, expected)
    t = _read_csv(src, names, names[2:], skip_rows=1)
    ts, local = _tardis_ts(t)
    cols = [(s, i) for s in ("asks", "bids") for i in range(levels)]
    # fill empty level pairs with "0" so the parsers see numbers; remember which were present
    tbl = t.table
    present = np.ones((t.n, len(cols)), dtype=bool)
    for j, (s, i) in enumerate(cols):
        pe = pc.equal(tbl.column(f"{s}[{i}].price"), "").to_numpy(zero_copy_only=False)
        ae = pc.equal(tbl.column(f"{s}[{i}].amount"), "").to_numpy(zero_copy_only=False)
        if (pe != ae).any():
            row = int(np.argmax(pe != ae))
            raise t.err(row, f"{s}[{i}].{'price' if pe[row] else 'amount'}", "empty field")
        if pe.any():
            present[:, j] = ~pe
            for f in ("price", "amount"):
                name = f"{s}[{i}].{f}"
                tbl = tbl.set_column(tbl.schema.get_field_index(name), name,
                                     pc.if_else(pc.equal(tbl.column(name), ""), "0", tbl.column(name)))
    t = _Table(t.src, tbl, t.first_line)
    prices, pp = _decimals(t, [f"{s}[{i}].price" for s, i in cols], tg.price_precision)
    sizes, sp = _decimals(t, [f"{s}[{i}].amount" for s, i in cols], tg.size_precision, allow_negative=False)
    k = 1 + len(cols)
    n = t.n
    price = np.zeros((n, k), dtype=np.int64)
    size = np.zeros((n, k), dtype=np.int64)
    price[:, 1:] = np.column_stack(prices) if cols else 0
    size[:, 1:] = np.column_stack(sizes) if cols else 0
    side = np.array([0] + [_SELL if s == "asks" else _BUY for s, _ in cols], dtype=np.uint8)
    action = np.array([_CLEAR] + [_ADD] * len(cols), dtype=np.uint8)
    keep = np.ones((n, k), dtype=bool)
    keep[:, 1:] = present
    rows2d = np.repeat(np.arange(n)[:, None], k, axis=1)
    flat = keep.ravel()
    rows = rows2d.ravel()[flat]
    m = int(flat.sum())
    recs = _deltas(t, m, tg, ts[rows], local[rows], np.broadcast_to(action, (n, k)).ravel()[flat],
                   np.broadcast_to(side, (n, k)).ravel()[flat], price.ravel()[flat], size.ravel()[flat],
                   pp, sp, 0, 0, _F_SNAPSHOT, rows=rows)
    last = np.ones(m, dtype=bool)
    last[:-1] = rows[1:] != rows[:-1]
    recs["flags"] |= np.where(last, _F_LAST, 0).astype(np.uint8)
    return _finish(t, recs, sort, rows)


def load_tardis_incremental_book_l2(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                                    price_precision: int | None = None, size_precision: int | None = None,
                                    sort: SortPolicy = "stable", member: str | None = None,
                                    progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Tardis.dev ``incremental_book_L2`` CSV (``exchange,symbol,timestamp,local_timestamp,
    is_snapshot,side,price,amount``) -> ``ORDER_BOOK_DELTA_DTYPE``.

    A run of ``is_snapshot=true`` rows with one timestamp is a snapshot: a CLEAR delta precedes it
    and its rows are
    ADDs with the SNAPSHOT flag; other rows are "set" updates (amount 0 -> DELETE, else UPDATE).
    LAST marks the final row of each (timestamp, local_timestamp) group. Amounts are kept in the
    file's unit (Deribit inverse contracts: USD). ``ts_event``/``ts_init`` as for Tardis trades.
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    names = _expect(src, ["exchange", "symbol", "timestamp", "local_timestamp", "is_snapshot", "side", "price",
                          "amount"])
    t = _read_csv(src, names, names[2:], skip_rows=1)
    ts, local = _tardis_ts(t)
    snap = _categorical(t, "is_snapshot", _BOOL_WORDS).astype(bool)
    side = _categorical(t, "side", _SIDE_WORDS)
    (price,), pp = _decimals(t, ["price"], tg.price_precision)
    (size,), sp = _decimals(t, ["amount"], tg.size_precision, allow_negative=False)
    action = np.where(snap, _ADD, np.where(size == 0, _DELETE, _UPDATE))
    last = _group_last([ts, local])
    flags = np.where(snap, _F_SNAPSHOT, 0) | np.where(last, _F_LAST, 0)
    recs = _deltas(t, t.n, tg, ts, local, action, side, price, size, pp, sp, 0, 0, flags)
    recs, rows = _with_clears(recs, np.arange(t.n), _snapshot_starts(snap, [ts, local]))
    return _finish(t, recs, sort, rows)


# ------------------------------------------------------------------------------------------------
# Databento CSV (as written by databento-dbn's transcoder with pretty_px=True, pretty_ts=False)


_DB_SIDE = {"B": _BUY, "A": _SELL, "N": 0}
_DB_TRADES = ["ts_recv", "ts_event", "rtype", "publisher_id", "instrument_id", "action", "side", "depth",
              "price", "size", "flags", "ts_in_delta", "sequence", "symbol"]
_DB_MBP1 = ["ts_recv", "ts_event", "rtype", "publisher_id", "instrument_id", "action", "side", "depth",
            "price", "size", "flags", "ts_in_delta", "sequence", "bid_px_00", "ask_px_00", "bid_sz_00",
            "ask_sz_00", "bid_ct_00", "ask_ct_00", "symbol"]
_DB_MBO = ["ts_recv", "ts_event", "rtype", "publisher_id", "instrument_id", "action", "side", "price", "size",
           "channel_id", "order_id", "flags", "ts_in_delta", "sequence", "symbol"]
_DB_OHLCV = ["ts_event", "rtype", "publisher_id", "instrument_id", "open", "high", "low", "close", "volume",
             "symbol"]
_DB_OHLCV_NS = {32: 1_000_000_000, 33: 60_000_000_000, 34: 3_600_000_000_000, 35: 86_400_000_000_000}


def _db_header(src: _Src, expected: Sequence[str]) -> list[str]:
    head = src.head()
    names = _split(head[0], ",") if head else []
    # the symbol column is present only with map_symbols
    if names != list(expected) and names != list(expected)[:-1]:
        _check_header(src, names, expected)
    return names


def load_databento_trades(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                          price_precision: int | None = None, size_precision: int | None = None,
                          sort: SortPolicy = "stable", member: str | None = None,
                          progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Databento ``trades`` CSV -> ``TRADE_TICK_DTYPE``. ``ts_event`` = ``ts_event``, ``ts_init`` =
    ``ts_recv`` (ns). ``side`` B/A/N -> aggressor BUYER/SELLER/NONE. ``trade_id`` = the venue
    ``sequence`` number (CME trades carry no other id). ``flags`` copied (Databento bit values)."""
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    names = _db_header(src, _DB_TRADES)
    t = _read_csv(src, names, ["ts_recv", "ts_event", "side", "price", "size", "flags", "sequence"], skip_rows=1)
    recv, ev, fl, seq = _ints(t, ["ts_recv", "ts_event", "flags", "sequence"])
    side = _categorical(t, "side", _DB_SIDE)
    (price,), pp = _decimals(t, ["price"], tg.price_precision)
    (size,), sp = _decimals(t, ["size"], tg.size_precision, allow_negative=False)
    return _finish(t, _trades(t, t.n, tg, ev, recv, price, size, pp, sp, side, seq, fl & 0xFF), sort)


def load_databento_mbp1(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                        price_precision: int | None = None, size_precision: int | None = None,
                        sort: SortPolicy = "stable", member: str | None = None,
                        progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Databento ``mbp-1`` CSV -> ``QUOTE_TICK_DTYPE``: one quote per row, the top of book *after*
    the row's event (``bid_px_00``, ``ask_px_00``, ``bid_sz_00``, ``ask_sz_00``). ``ts_event`` =
    ``ts_event``, ``ts_init`` = ``ts_recv``; ``flags`` copied. An undefined side (empty price) is an
    error."""
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    names = _db_header(src, _DB_MBP1)
    t = _read_csv(src, names, ["ts_recv", "ts_event", "flags", "bid_px_00", "ask_px_00", "bid_sz_00",
                               "ask_sz_00"], skip_rows=1)
    recv, ev, fl = _ints(t, ["ts_recv", "ts_event", "flags"])
    (bid, ask), pp = _decimals(t, ["bid_px_00", "ask_px_00"], tg.price_precision)
    (bq, aq), sp = _decimals(t, ["bid_sz_00", "ask_sz_00"], tg.size_precision, allow_negative=False)
    return _finish(t, _quotes(t, t.n, tg, ev, recv, bid, ask, bq, aq, pp, sp, fl), sort)


_DB_MBO_ACTION = {"A": _ADD, "C": _DELETE, "M": _UPDATE, "R": _CLEAR, "T": 0, "F": 0}


def load_databento_mbo(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                       price_precision: int | None = None, size_precision: int | None = None,
                       with_trades: bool = False, sort: SortPolicy = "stable", member: str | None = None,
                       progress: Callable[[int], Any] | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Databento ``mbo`` (L3) CSV -> ``ORDER_BOOK_DELTA_DTYPE`` with ``order_id``.

    Actions: A -> ADD, C -> DELETE, M -> UPDATE, R -> CLEAR. Trade (T) and fill (F) rows are
    **not** book changes on Databento MBO (the resting order's reduction arrives as its own C/M
    row), so they are not deltas. With ``with_trades=True`` the result is ``(deltas, trades)``:
    the T rows as ``TRADE_TICK_DTYPE`` (side B/A/N -> aggressor BUYER/SELLER/NONE, ``trade_id`` =
    ``sequence``); F rows (the resting side of the same trades) are not repeated as trades.
    ``ts_event`` = ``ts_event``, ``ts_init`` = ``ts_recv``; ``sequence`` and ``flags``
    (LAST/TOB/SNAPSHOT/BAD_TS_RECV bits) copied. ``sort`` applies to ``ts_event``.
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    names = _db_header(src, _DB_MBO)
    t = _read_csv(src, names, ["ts_recv", "ts_event", "action", "side", "price", "size", "order_id", "flags",
                               "sequence"], skip_rows=1)
    recv, ev, oid, fl, seq = _ints(t, ["ts_recv", "ts_event", "order_id", "flags", "sequence"])
    action = _categorical(t, "action", _DB_MBO_ACTION)
    side = _categorical(t, "side", _DB_SIDE)
    (price,), pp = _decimals(t, ["price"], tg.price_precision)
    (size,), sp = _decimals(t, ["size"], tg.size_precision, allow_negative=False)
    keep = action != 0
    rows = np.flatnonzero(keep)
    recs = _deltas(t, len(rows), tg, ev[rows], recv[rows], action[rows], side[rows], price[rows], size[rows],
                   pp, sp, oid[rows], seq[rows], fl[rows] & 0xFF, rows=rows)
    deltas = _finish(t, recs, sort, rows)
    if not with_trades:
        return deltas
    is_trade = _categorical(t, "action", {"T": 1, "A": 0, "C": 0, "M": 0, "R": 0, "F": 0}).astype(bool)
    tr = np.flatnonzero(is_trade)
    trades = _trades(t, len(tr), tg, ev[tr], recv[tr], price[tr], size[tr], pp, sp, side[tr], seq[tr],
                     fl[tr] & 0xFF)
    return deltas, _finish(t, trades, sort, tr)


def load_databento_ohlcv(source: Source, instrument: Any = None, *, bar_type: Any = None,
                         instrument_id: Any = None, price_precision: int | None = None,
                         size_precision: int | None = None, sort: SortPolicy = "stable",
                         member: str | None = None, progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """Databento ``ohlcv-1s/1m/1h/1d`` CSV -> ``BAR_DTYPE``. Databento labels bars by their **open**
    time; ``ts_event`` = open + the interval given by ``rtype`` (32: 1 s, 33: 1 min, 34: 1 h, 35: 1 d)."""
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision, bar_type)
    names = _db_header(src, _DB_OHLCV)
    t = _read_csv(src, names, ["ts_event", "rtype", "open", "high", "low", "close", "volume"], skip_rows=1)
    ev, rtype = _ints(t, ["ts_event", "rtype"])
    interval = np.zeros(t.n, dtype=np.int64)
    for rt, ns in _DB_OHLCV_NS.items():
        interval[rtype == rt] = ns
    if (interval == 0).any():
        row = int(np.argmax(interval == 0))
        raise t.err(row, "rtype", f"not an OHLCV rtype (32-35): {t.text('rtype', row)!r}")
    ohlc, pp = _decimals(t, ["open", "high", "low", "close"], tg.price_precision)
    (vol,), sp = _decimals(t, ["volume"], tg.size_precision, allow_negative=False)
    return _finish(t, _bars(t, t.n, tg, ev + interval, ohlc, vol, pp, sp), sort)


def load_databento_dbn(source: Source, instrument: Any = None, *, bar_type: Any = None,
                       instrument_id: Any = None, price_precision: int | None = None,
                       size_precision: int | None = None, sort: SortPolicy = "stable") -> np.ndarray:
    """Databento DBN file (``.dbn`` or ``.dbn.zst``; schemas trades, mbp-1, mbo, ohlcv-*) -> records.

    Needs the optional ``databento-dbn`` package (``pip install alphaforge[dbn]``; imported here,
    lazily). The file is transcoded in memory with Databento's own encoder to CSV (``pretty_px``:
    exact 9-decimal strings, integer ns timestamps) and loaded by the matching CSV loader above, so
    both paths give identical records. Errors name the DBN file; line numbers refer to the
    transcoded CSV (record index + 2).
    """
    try:
        import databento_dbn as dbn
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("load_databento_dbn needs the optional 'databento-dbn' package "
                          "(pip install alphaforge[dbn])") from exc
    src = _src(source)
    f = src.open()
    try:
        raw = bytes(f.read())
    finally:
        f.close()
    buf = io.BytesIO()
    try:
        tc = dbn.Transcoder(buf, dbn.Encoding.CSV, dbn.Compression.NONE, pretty_px=True, pretty_ts=False,
                            map_symbols=True)
        tc.write(raw)
        tc.flush()
    except Exception as exc:
        raise LoaderError(f"not a readable DBN file: {exc}", file=src.name) from None
    csv = _Src(name=src.name, data=buf.getvalue())
    head = csv.head()
    names = _split(head[0], ",") if head else []
    kw: dict[str, Any] = dict(instrument_id=instrument_id, price_precision=price_precision,
                              size_precision=size_precision, sort=sort)
    for expected, fn in ((_DB_TRADES, load_databento_trades), (_DB_MBP1, load_databento_mbp1),
                         (_DB_MBO, load_databento_mbo)):
        if names in (expected, expected[:-1]):
            return fn(csv, instrument, **kw)
    if names in (_DB_OHLCV, _DB_OHLCV[:-1]):
        return load_databento_ohlcv(csv, instrument, bar_type=bar_type, **kw)
    raise LoaderError(f"unsupported DBN schema (columns {names[:6]}...)", file=src.name)


# ------------------------------------------------------------------------------------------------
# OHLC CSVs (Yahoo, backtrader, backtesting.py, CME/FTX minute bars, ...)


_DT_NAMES = ("", "date", "datetime", "timestamp", "timestamp_utc", "time", "dt", "unnamed: 0")


def load_ohlc_csv(source: Source, instrument: Any = None, *, bar_type: Any = None, instrument_id: Any = None,
                  price_precision: int | None = None, size_precision: int | None = None,
                  label: Literal["close", "open"] = "close", interval: int | None = None,
                  utc_offset_minutes: int = 0, delimiter: str | None = None, round_volume: bool = False,
                  sort: SortPolicy = "stable", member: str | None = None,
                  progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """An OHLC(V) CSV with a header -> ``BAR_DTYPE``. Columns are found by (case-insensitive) name:
    a date-time column (empty name as in pandas dumps, ``Date``, ``Datetime``, ``timestamp``,
    ``timestamp_utc``) or separate ``Date`` + ``Time`` columns, then ``Open``, ``High``, ``Low``,
    ``Close`` and optionally ``Volume`` (else 0). Other columns (``Adj Close`` in either position,
    ``OpenInterest``, ``pricetype``) are ignored. Delimiter ``,``/``;``/``|``/tab sniffed from the
    header. Handles CRLF and backtrader's quirk of a 7-name header over 8-field rows (``Date,Time,
    ...``): a missing ``Time`` name is inserted after ``Date`` when every row has one more field.

    Timestamps: ``YYYY-MM-DD[ HH:MM[:SS[.f]]][±HH:MM]`` (naive = UTC, or local at
    ``utc_offset_minutes`` east of UTC). ``ts_event`` is the bar **close** time:

    * a **date-only** label (daily/monthly files) means the bar closes at the end of that day:
      ``ts_event`` = label date + 24 h (00:00 UTC of the next day);
    * intraday with ``label="close"`` (default; backtrader, the CME 6EH4 minute bars): the label;
    * intraday with ``label="open"`` (e.g. backtesting.py's EURUSD hourly): label + ``interval`` ns
      (required).

    Volume is exact like every value, so a pandas float dump such as ``218102.59507500002`` raises
    ``LoaderError``. ``round_volume=True`` is the explicit opt-in for such files: the volume column
    is parsed as float64 and rounded half-to-even to ``size_precision`` decimals (default 0 when
    none is given); prices stay exact.
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision, bar_type)
    head = src.head()
    if len(head) < 1:
        raise LoaderError("empty file", file=src.name)
    sep = delimiter or _sniff_delimiter(head[0])
    names = _split(head[0], sep)
    lower = [n.lower() for n in names]
    if len(head) > 1:
        nfields = len(_split(head[1], sep))
        if nfields == len(names) + 1 and "date" in lower and "time" not in lower:
            i = lower.index("date") + 1
            names.insert(i, "Time")
            lower.insert(i, "time")
    if len(set(names)) != len(names):
        names = [n or f"column{i}" for i, n in enumerate(names)]
    names = [n if n else "_datetime" for n in names]
    lower = [n.lower() for n in names]

    def find(*cands: str) -> str | None:
        for c in cands:
            if c in lower:
                return names[lower.index(c)]
        return None

    date_col = find("date")
    time_col = find("time") if date_col else None
    dt_col = find("_datetime", "datetime", "timestamp", "timestamp_utc", "date", "dt", "time")
    cols = {k: find(k) for k in ("open", "high", "low", "close", "volume")}
    missing = [k for k in ("open", "high", "low", "close") if cols[k] is None]
    if missing or dt_col is None:
        raise LoaderError(f"header {names} lacks {missing or 'a date/time column'}", file=src.name, line=1)
    if time_col is not None:
        dt_col = date_col
    include = [dt_col] + ([time_col] if time_col else []) + [c for c in cols.values() if c]
    t = _read_csv(src, names, include, skip_rows=1, delimiter=sep)
    ts = _datetimes(t, dt_col)
    if time_col is not None:
        ts = ts + _datetimes(t, time_col, time_only=True)
        date_only = False
    else:
        import pyarrow.compute as pc

        lengths = pc.utf8_length(t.table.column(dt_col)).to_numpy(zero_copy_only=False)
        date_only = bool(t.n) and bool(np.all((lengths == 10) | (lengths == 8)))
    ts = ts - np.int64(utc_offset_minutes) * 60_000_000_000
    if date_only:
        ts = ts + 86_400_000_000_000
    elif label == "open":
        if not interval or interval <= 0:
            raise ValueError("label='open' needs the bar length: interval=<ns>")
        ts = ts + np.int64(interval)
    elif label != "close":
        raise ValueError(f"label must be 'close' or 'open', was {label!r}")
    ohlc, pp = _decimals(t, [cols["open"], cols["high"], cols["low"], cols["close"]], tg.price_precision)
    if cols["volume"] and round_volume:
        vol, sp = _rounded(t, cols["volume"], tg.size_precision or 0)
    elif cols["volume"]:
        (vol,), sp = _decimals(t, [cols["volume"]], tg.size_precision, allow_negative=False)
    else:
        vol, sp = np.zeros(t.n, dtype=np.int64), tg.size_precision or 0
    return _finish(t, _bars(t, t.n, tg, ts, ohlc, vol, pp, sp), sort)


def _rounded(t: _Table, field: str, precision: int) -> tuple[np.ndarray, int]:
    """Opt-in lossy path: float64 parse, round half-to-even to ``precision`` decimals, raw int64."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        v = pc.cast(t.table.column(field), pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        (_,), _ = _decimals(t, [field], 9)        # raises naming the first malformed row
        raise
    bad = ~np.isfinite(v) | (v < 0) | (np.abs(v) * 10.0**precision > 9.2e18 / 10 ** (9 - precision))
    if bad.any():
        row = int(np.argmax(bad))
        raise t.err(row, field, f"not a finite, non-negative volume in range: {t.text(field, row)!r}")
    return np.round(v * 10.0**precision).astype(np.int64) * 10 ** (9 - precision), precision


# ------------------------------------------------------------------------------------------------
# FX


def load_histdata_quotes(source: Source, instrument: Any = None, *, instrument_id: Any = None,
                         price_precision: int | None = None, size_precision: int | None = None,
                         utc_offset_minutes: int = -300, sort: SortPolicy = "stable",
                         member: str | None = None, progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """HistData.com ASCII tick CSV (no header: ``YYYYMMDD HHMMSSfff,bid,ask,volume``) ->
    ``QUOTE_TICK_DTYPE``.

    Time zone: HistData publishes in **EST without daylight saving** (UTC-5 all year), so the
    default ``utc_offset_minutes=-300`` converts ``20200101 170000065`` to 2020-01-01 22:00:00.065
    UTC (the 17:00 New York FX open). The files carry no sizes (``volume`` is always 0):
    ``bid_size`` = ``ask_size`` = 0 and size precision 0 unless given.
    ``ts_init`` = ``ts_event``.
    """
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision)
    t = _read_csv(src, ["datetime", "bid", "ask", "volume"], ["datetime", "bid", "ask"], skip_rows=0)
    ts = _datetimes(t, "datetime") - np.int64(utc_offset_minutes) * 60_000_000_000
    (bid, ask), pp = _decimals(t, ["bid", "ask"], tg.price_precision)
    sp = tg.size_precision or 0
    return _finish(t, _quotes(t, t.n, tg, ts, None, bid, ask, 0, 0, pp, sp), sort)


def load_fxcm_bars(bid_source: Source, ask_source: Source, instrument: Any = None, *,
                   output: Literal["bars", "quotes"] = "bars", bid_bar_type: Any = None,
                   ask_bar_type: Any = None, instrument_id: Any = None, price_precision: int | None = None,
                   size_precision: int | None = None, interval: int = 60_000_000_000,
                   sort: SortPolicy = "stable") -> tuple[np.ndarray, np.ndarray] | np.ndarray:
    """FXCM bid-side and ask-side minute bars (two files, header ``timestamp,open,high,low,close``, no
    volume) -> records.

    FXCM labels bars by their **open** time: ``ts_event`` = label + ``interval`` (default 1 minute).
    Both files must have identical timestamp columns (checked; a mismatch raises naming the line).

    * ``output="bars"`` (default): ``(bid_bars, ask_bars)``, two ``BAR_DTYPE`` arrays (volume 0),
      with ``bar_type_id`` from ``bid_bar_type``/``ask_bar_type`` (e.g. ``...-1-MINUTE-BID-EXTERNAL``);
    * ``output="quotes"``: one ``QUOTE_TICK_DTYPE`` per minute at the bar close with the two closes
      (``bid_price`` = bid close, ``ask_price`` = ask close, sizes 0). Rows where the ask bar is
      below the bid bar (a known quirk of these files) are kept as they are (crossed quotes).
    """
    tg_bid = _target(instrument, instrument_id, price_precision, size_precision, bid_bar_type)
    tg_ask = _target(instrument, instrument_id, price_precision, size_precision, ask_bar_type)
    pp = tg_bid.price_precision
    if pp is None:
        # infer one precision for both sides
        b0 = load_ohlc_csv(bid_source, bar_type=bid_bar_type, instrument_id=tg_bid.instrument_id,
                           label="open", interval=interval, price_precision=None, size_precision=0, sort=sort)
        a0 = load_ohlc_csv(ask_source, bar_type=ask_bar_type, instrument_id=tg_ask.instrument_id,
                           label="open", interval=interval, price_precision=None, size_precision=0, sort=sort)
        pp = int(max(b0["price_prec"].max(initial=0), a0["price_prec"].max(initial=0)))
    kw = dict(label="open", interval=interval, price_precision=pp, size_precision=tg_bid.size_precision or 0,
              sort=sort)
    bid = load_ohlc_csv(bid_source, bar_type=tg_bid.bar_type_id, instrument_id=tg_bid.instrument_id, **kw)
    ask = load_ohlc_csv(ask_source, bar_type=tg_ask.bar_type_id, instrument_id=tg_ask.instrument_id, **kw)
    if len(bid) != len(ask) or not np.array_equal(bid["ts_event"], ask["ts_event"]):
        n = min(len(bid), len(ask))
        diff = np.flatnonzero(bid["ts_event"][:n] != ask["ts_event"][:n])
        row = int(diff[0]) if len(diff) else n
        raise LoaderError(f"bid and ask files have different timestamps ({len(bid)} vs {len(ask)} rows)",
                          file=str(ask_source) if not isinstance(ask_source, bytes) else "<bytes>",
                          line=row + 2, field="timestamp")
    if output == "bars":
        return bid, ask
    if output != "quotes":
        raise ValueError(f"output must be 'bars' or 'quotes', was {output!r}")
    return quotes_from_arrays(bid["ts_event"], bid["close"], ask["close"], price_precision=pp,
                              size_precision=tg_bid.size_precision or 0, instrument_id=tg_bid.instrument_id,
                              raw=True)


# ------------------------------------------------------------------------------------------------
# Generic CSV


_REQUIRED = {
    "trades": ("ts_event", "price", "size"),
    "quotes": ("ts_event", "bid_price", "ask_price"),
    "bars": ("ts_event", "open", "high", "low", "close"),
    "deltas": ("ts_event", "action", "side", "price", "size"),
}
_OPTIONAL = {
    "trades": ("ts_init", "aggressor_side", "trade_id"),
    "quotes": ("ts_init", "bid_size", "ask_size"),
    "bars": ("ts_init", "volume"),
    "deltas": ("ts_init", "order_id", "sequence", "flags"),
}
_CODE_WORDS = {"0": 0, "1": 1, "2": 2, "buy": _BUY, "sell": _SELL, "BUY": _BUY, "SELL": _SELL,
               "B": _BUY, "A": _SELL, "S": _SELL, "b": _BUY, "a": _SELL, "s": _SELL, "bid": _BUY, "ask": _SELL,
               "N": 0, "": 0}
_ACTION_WORDS = {"1": _ADD, "2": _UPDATE, "3": _DELETE, "4": _CLEAR, "add": _ADD, "update": _UPDATE,
                 "delete": _DELETE, "clear": _CLEAR, "A": _ADD, "M": _UPDATE, "C": _DELETE, "R": _CLEAR}


def load_csv(source: Source, data_type: Literal["trades", "quotes", "bars", "deltas"],
             columns: Mapping[str, str | int], instrument: Any = None, *, instrument_id: Any = None,
             bar_type: Any = None, price_precision: int | None = None, size_precision: int | None = None,
             ts_unit: Literal["ns", "us", "ms", "s", "datetime"] = "ns", has_header: bool = True,
             delimiter: str = ",", utc_offset_minutes: int = 0, sort: SortPolicy = "stable",
             member: str | None = None, progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """A CSV of any layout -> records, with ``columns`` mapping record fields to CSV columns (names,
    or 0-based positions when ``has_header=False``).

    Required fields: trades ``ts_event, price, size``; quotes ``ts_event, bid_price, ask_price``;
    bars ``ts_event, open, high, low, close``; deltas ``ts_event, action, side, price, size``.
    Optional: ``ts_init`` (else = ts_event), trades ``aggressor_side, trade_id``; quotes
    ``bid_size, ask_size`` (else 0); bars ``volume`` (else 0; ``ts_event`` must be the bar close);
    deltas ``order_id, sequence, flags``. Timestamps are integers in ``ts_unit`` or, with
    ``ts_unit="datetime"``, ISO-like text (naive = UTC, else local at ``utc_offset_minutes``).
    Sides: 1/2, buy/sell, B/A(S), bid/ask; actions: 1-4, add/update/delete/clear, A/M/C/R.

    Speed: plain (unquoted) numeric files are parsed straight from the memory-mapped bytes by
    ``parsing.parse_delimited`` in nogil threads (one part of the file per core, split at line
    ends), with exact line numbers; quoted files and word codes go through ``pyarrow.csv``.
    """
    if data_type not in _REQUIRED:
        raise ValueError(f"data_type must be one of {list(_REQUIRED)}, was {data_type!r}")
    missing = [f for f in _REQUIRED[data_type] if f not in columns]
    unknown = [f for f in columns if f not in _REQUIRED[data_type] + _OPTIONAL[data_type]]
    if missing or unknown:
        raise ValueError(f"columns for {data_type}: missing {missing}, unknown {unknown}")
    if ts_unit not in NS_PER_UNIT and ts_unit != "datetime":
        raise ValueError(f"ts_unit must be one of ns/us/ms/s/datetime, was {ts_unit!r}")
    src = _src(source, member, progress)
    tg = _target(instrument, instrument_id, price_precision, size_precision, bar_type)
    head = src.head()
    if not head:
        raise LoaderError("empty file", file=src.name)
    first = _split(head[0], delimiter)
    if has_header:
        names = [n or f"column{i}" for i, n in enumerate(first)]
        if len(set(names)) != len(names):
            raise LoaderError(f"duplicate column names in header {first}", file=src.name, line=1)
    else:
        names = [f"column{i}" for i in range(len(first))]

    def col(field: str) -> str:
        spec = columns[field]
        if isinstance(spec, int):
            if not 0 <= spec < len(names):
                raise ValueError(f"column index {spec} for {field!r} out of range (0-{len(names) - 1})")
            return names[spec]
        if spec not in names:
            raise LoaderError(f"no column {spec!r} (for {field}) in header {names}", file=src.name, line=1)
        return spec

    fields = {f: col(f) for f in columns}
    ts_fields = [f for f in ("ts_event", "ts_init") if f in fields]
    price_fields = [f for f in ("price", "bid_price", "ask_price", "open", "high", "low", "close") if f in fields]
    size_fields = [f for f in ("size", "bid_size", "ask_size", "volume") if f in fields]
    code_fields = {"aggressor_side": _CODE_WORDS, "side": _CODE_WORDS, "action": _ACTION_WORDS}
    int_fields = [f for f in ("trade_id", "order_id", "sequence", "flags") if f in fields]
    direct_dtype = {"trades": TRADE_TICK_DTYPE, "quotes": QUOTE_TICK_DTYPE}.get(data_type)
    vals = _direct_columns(src, names, fields, int(has_header), delimiter, ts_unit, price_fields, size_fields,
                           [f for f in code_fields if f in fields] + int_fields, tg, direct_dtype)
    recs = None
    if vals is not None:
        v, pp, sp, t, recs = vals
        if not size_fields:
            sp = tg.size_precision or 0
    else:
        t = _read_csv(src, names, sorted(set(fields.values()), key=names.index), skip_rows=int(has_header),
                      delimiter=delimiter)
        v = {}
        for f in ts_fields:
            c = fields[f]
            if ts_unit == "datetime":
                v[f] = _datetimes(t, c)
            else:
                v[f] = _ints(t, [c])[0]
        prices, pp = _decimals(t, [fields[f] for f in price_fields], tg.price_precision)
        sizes, sp = _decimals(t, [fields[f] for f in size_fields], tg.size_precision, allow_negative=False)
        v.update(zip(price_fields, prices, strict=True))
        v.update(zip(size_fields, sizes, strict=True))
        for f, words in code_fields.items():
            if f in fields:
                v[f] = _codes(t, fields[f], words)
        for f in int_fields:
            v[f] = _ints(t, [fields[f]], lenient=f == "trade_id")[0]
        if not size_fields:
            sp = tg.size_precision or 0
    for f in ts_fields:
        if ts_unit == "datetime":
            if utc_offset_minutes:
                v[f] = v[f] - np.int64(utc_offset_minutes) * 60_000_000_000
        else:
            v[f] = _scale_ts(t, fields[f], v[f], ts_unit)
    for f in size_fields:
        if (v[f] < 0).any():
            row = int(np.argmax(v[f] < 0))
            raise t.err(row, fields[f], f"negative value not allowed: {t.text(fields[f], row)!r}")
    for f, words in code_fields.items():
        if f in v:
            allowed = sorted(set(words.values()))
            if t.n and (v[f].min() < allowed[0] or v[f].max() > allowed[-1]):
                row = int(np.argmax((v[f] < allowed[0]) | (v[f] > allowed[-1])))
                raise t.err(row, fields[f], f"unexpected value {t.text(fields[f], row)!r}")
    n = t.n
    ts_init = v.get("ts_init")
    if recs is not None:
        return _finish(t, _complete_records(t, recs, data_type, v, fields, tg, pp, sp), sort)
    if data_type == "trades":
        recs = _trades(t, n, tg, v["ts_event"], ts_init, v["price"], v["size"], pp, sp, v.get("aggressor_side", 0),
                       v.get("trade_id", 0))
    elif data_type == "quotes":
        recs = _quotes(t, n, tg, v["ts_event"], ts_init, v["bid_price"], v["ask_price"], v.get("bid_size", 0),
                       v.get("ask_size", 0), pp, sp)
    elif data_type == "bars":
        recs = _bars(t, n, tg, v["ts_event"], [v[k] for k in ("open", "high", "low", "close")], v.get("volume", 0),
                     pp, sp)
        if ts_init is not None:
            recs["ts_init"] = ts_init
    else:
        recs = _deltas(t, n, tg, v["ts_event"], ts_init, v["action"], v["side"], v["price"], v["size"], pp, sp,
                       v.get("order_id", 0), v.get("sequence", 0), v.get("flags", 0))
    return _finish(t, recs, sort)


def _complete_records(t: _Table, recs: np.ndarray, data_type: str, v: dict[str, np.ndarray],
                      fields: Mapping[str, str], tg: _Target, pp: int, sp: int) -> np.ndarray:
    """Fill the fields of a trade/quote record array that the direct parser did not write in place
    (the values were parsed exactly and checked against the precisions already)."""
    def in_place(field: str) -> bool:
        value, target = v.get(field), recs[field]
        return (isinstance(value, np.ndarray) and value.strides == target.strides
                and value.__array_interface__["data"][0] == target.__array_interface__["data"][0])

    for f in ("ts_event", "ts_init", "aggressor_side"):
        if f in v and not in_place(f):
            recs[f] = v[f]                       # rescaled timestamps, codes parsed elsewhere
    if data_type == "trades":
        if "trade_id" in v:
            ids = recs["trade_id"].view(np.int64)
            if (ids < 0).any():
                row = int(np.argmax(ids < 0))
                raise t.err(row, fields["trade_id"], f"negative trade id: {t.text(fields['trade_id'], row)!r}")
        if "aggressor_side" not in v:
            recs["aggressor_side"] = 0
        _p.fill_trade_defaults(recs, "ts_init" not in v, "trade_id" not in v, tg.instrument_id, pp, sp)
    else:
        _p.fill_quote_defaults(recs, "ts_init" not in v, "bid_size" not in v, "ask_size" not in v,
                               tg.instrument_id, pp, sp)
    return recs


def _codes(t: _Table, field: str, words: Mapping[str, int]) -> np.ndarray:
    """Integer codes parse fast; anything else goes through the word table."""
    job = _Job(t, field, "int")
    for task in job.tasks():
        task()
    top = max(v for k, v in words.items() if k.isdigit())
    if job.failure() is None and (t.n == 0 or (job.out.min() >= 0 and job.out.max() <= top)):
        return job.out
    return _categorical(t, field, words)


class _LineTable(_Table):
    """Error-reporting view for the direct parser: values are read back from the file's lines."""

    def __init__(self, src: _Src, names: list[str], n: int, first_line: int, delimiter: str):
        super().__init__(src, None, first_line)
        self._names, self._n, self._delim = names, n, delimiter

    @property
    def n(self) -> int:
        return self._n

    def text(self, field: str, row: int) -> str:
        target = self.line(row)
        for i, line in enumerate(self.src.lines(), start=1):
            if i == target:
                parts = line.split(self._delim)
                k = self._names.index(field)
                return parts[k] if k < len(parts) else ""
        return ""


def _buffer(src: _Src) -> tuple[Any, np.ndarray]:
    """The whole decompressed content as a uint8 array (memory-mapped for plain files)."""
    import mmap

    if src.path is not None and src.progress is None and src.path.suffix.lower() not in (
            ".gz", ".zip", ".zst", ".bz2") and src.path.stat().st_size > 0:
        with open(src.path, "rb") as f:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return mm, np.frombuffer(mm, dtype=np.uint8)
    f = src.open()
    try:
        data = bytes(f.read())
    finally:
        f.close()
    return data, np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, np.uint8)


def _direct_columns(src: _Src, names: list[str], fields: Mapping[str, str], header_lines: int, delimiter: str,
                    ts_unit: str, price_fields: list[str], size_fields: list[str], int_fields: list[str],
                    tg: _Target, record_dtype: np.dtype | None = None
                    ) -> tuple[dict[str, np.ndarray], int, int, _Table, np.ndarray | None] | None:
    """Fast path of ``load_csv`` for unquoted numeric text: one nogil pass per thread straight from
    the bytes into int64 columns -- with ``record_dtype``, the 8-byte fields are parsed straight
    into a record array of that dtype (returned last; its other fields are left to the caller). Returns None (use pyarrow.csv) when the delimiter is not one byte,
    or parsing fails in a file that has quotes or in a code/id field that is not an integer."""
    if len(delimiter.encode()) != 1:
        return None
    holder, buf = _buffer(src)
    try:
        if len(buf) == 0:
            return None
        # header
        start = 0
        for _ in range(header_lines):
            nl = holder.find(b"\n", start)
            start = len(buf) if nl < 0 else nl + 1
        cols = list(dict.fromkeys(fields.values()))
        target = {c: i for i, c in enumerate(cols)}
        kinds = np.zeros(len(names), dtype=np.int32)
        precs = np.zeros(len(names), dtype=np.int32)
        targets = np.zeros(len(names), dtype=np.int32)
        for f, c in fields.items():
            k = names.index(c)
            targets[k] = target[c]
            if f in ("ts_event", "ts_init"):
                kinds[k] = _p.KIND_DATETIME if ts_unit == "datetime" else _p.KIND_INT
            elif f in price_fields:
                kinds[k], precs[k] = _p.KIND_DECIMAL, 9 if tg.price_precision is None else tg.price_precision
            elif f in size_fields:
                kinds[k], precs[k] = _p.KIND_DECIMAL, 9 if tg.size_precision is None else tg.size_precision
            else:
                kinds[k] = _p.KIND_INT
        # split into parts at line boundaries, one per worker
        size = len(buf) - start
        nparts = max(1, min(os.cpu_count() or 1, 4)) if size > (4 << 20) else 1
        bounds = [start]
        for i in range(1, nparts):
            nl = holder.find(b"\n", start + size * i // nparts)
            bounds.append(len(buf) if nl < 0 else max(nl + 1, bounds[-1]))
        bounds.append(len(buf))
        parts = list(zip(bounds[:-1], bounds[1:], strict=True))
        counts = list(_pool().map(lambda se: _p.count_lines(buf, se[0], se[1]), parts))
        total = int(sum(counts))
        # destinations: 8-byte record fields are written in place, others go to int64 columns
        recs = np.empty(total, dtype=record_dtype) if record_dtype is not None else None
        dest: list[np.ndarray] = []
        for c in cols:
            f = next(f for f, cc in fields.items() if cc == c)
            if recs is not None and f in record_dtype.names and (
                    record_dtype[f].itemsize == 8 or (record_dtype[f] == np.uint8 and f in int_fields)):
                dest.append(recs[f])
            else:
                dest.append(np.empty(total, dtype=np.int64))
        maxdec = [np.zeros(len(cols), dtype=np.int32) for _ in parts]
        row0 = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

        def run(i: int) -> tuple[int, int, int]:
            s, e = parts[i]
            return _p.parse_delimited(buf, s, e, ord(delimiter), kinds, precs, targets, dest, int(row0[i]),
                                      maxdec[i])

        results = list(_pool().map(run, range(len(parts)))) if len(parts) > 1 else [run(0)]
        t = _LineTable(src, names, total, header_lines + 1, delimiter)
        fails = sorted((row, fld, st) for st, row, fld in results if st)
        if fails and holder.find(b'"') != -1:
            return None                                         # quoted fields: let pyarrow.csv read it
        if fails:
            row, fld, st = fails[0]
            if st == _p.PARSE_FIELD_COUNT:
                raise LoaderError(f"expected {len(names)} fields", file=src.name, line=t.line(row))
            fname = names[fld]
            field_of = {c: f for f, c in fields.items()}
            if field_of.get(fname) in int_fields:
                return None                                     # word codes / non-numeric ids
            msg = _p.STATUS_TEXT.get(st, "malformed value")
            if st == 3:
                msg += f" ({precs[fld]})"
            raise t.err(row, fname, f"{msg}: {t.text(fname, row)!r}")
        md = np.max(np.stack(maxdec), axis=0)
        v = {f: dest[target[c]] for f, c in fields.items()}
        pp = tg.price_precision if tg.price_precision is not None else int(
            max((md[target[fields[f]]] for f in price_fields), default=0))
        sp = tg.size_precision if tg.size_precision is not None else int(
            max((md[target[fields[f]]] for f in size_fields), default=0))
        return v, pp, sp, t, recs
    finally:
        # the mmap (if any) closes when the last numpy view of it is released
        del holder


#: Format name -> loader, for the CLI (``alphaforge data import FORMAT FILE``).
LOADERS: dict[str, Callable[..., Any]] = {
    "binance-trades": load_binance_trades,
    "binance-klines": load_binance_klines,
    "binance-bookticker": load_binance_book_ticker,
    "binance-depth": load_binance_depth,
    "bybit-orderbook": load_bybit_orderbook,
    "tardis-trades": load_tardis_trades,
    "tardis-quotes": load_tardis_quotes,
    "tardis-book-snapshot": load_tardis_book_snapshot,
    "tardis-incremental-l2": load_tardis_incremental_book_l2,
    "databento-trades": load_databento_trades,
    "databento-mbp1": load_databento_mbp1,
    "databento-mbo": load_databento_mbo,
    "databento-ohlcv": load_databento_ohlcv,
    "databento-dbn": load_databento_dbn,
    "ohlc-csv": load_ohlc_csv,
    "histdata-quotes": load_histdata_quotes,
}
