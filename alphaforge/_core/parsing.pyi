"""Exact text -> int64 column parsers over Arrow string buffers (see parsing.pyx)."""

import numpy as np
from numpy.typing import NDArray

STATUS_TEXT: dict[int, str]

def parse_decimal_chunk(
    offsets: NDArray[np.int32],
    data: NDArray[np.uint8],
    out: NDArray[np.int64],
    precision: int,
    allow_negative: bool = True,
) -> tuple[int, int, int]: ...
def parse_int_chunk(
    offsets: NDArray[np.int32], data: NDArray[np.uint8], out: NDArray[np.int64], lenient: bool = False
) -> tuple[int, int]: ...
def parse_datetime_chunk(
    offsets: NDArray[np.int32], data: NDArray[np.uint8], out: NDArray[np.int64], time_only: bool = False
) -> tuple[int, int]: ...
def fill_trades(
    out: np.ndarray,
    ts_event: NDArray[np.int64],
    ts_init: NDArray[np.int64] | None,
    price: NDArray[np.int64],
    size: NDArray[np.int64],
    aggressor: NDArray[np.int64] | None,
    trade_id: NDArray[np.int64] | None,
    instrument_id: int,
    price_prec: int,
    size_prec: int,
) -> None: ...
def fill_quotes(
    out: np.ndarray,
    ts_event: NDArray[np.int64],
    ts_init: NDArray[np.int64] | None,
    bid_price: NDArray[np.int64],
    ask_price: NDArray[np.int64],
    bid_size: NDArray[np.int64] | None,
    ask_size: NDArray[np.int64] | None,
    instrument_id: int,
    price_prec: int,
    size_prec: int,
) -> None: ...

KIND_SKIP: int
KIND_INT: int
KIND_DECIMAL: int
KIND_DATETIME: int
PARSE_FIELD_COUNT: int

def count_lines(buf: NDArray[np.uint8], start: int, end: int) -> int: ...
def parse_delimited(
    buf: NDArray[np.uint8],
    start: int,
    end: int,
    delimiter: int,
    kinds: NDArray[np.int32],
    precisions: NDArray[np.int32],
    targets: NDArray[np.int32],
    out: NDArray[np.int64],
    row0: int,
    max_decimals: NDArray[np.int32],
) -> tuple[int, int, int]: ...
