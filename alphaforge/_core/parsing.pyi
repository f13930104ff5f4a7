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
    dest_arrays: list[np.ndarray],
    row0: int,
    max_decimals: NDArray[np.int32],
) -> tuple[int, int, int]: ...
def fill_trade_defaults(
    recs: np.ndarray, ts_init_from_event: bool, zero_trade_id: bool, instrument_id: int, price_prec: int,
    size_prec: int,
) -> None: ...
def fill_quote_defaults(
    recs: np.ndarray, ts_init_from_event: bool, zero_bid_size: bool, zero_ask_size: bool, instrument_id: int,
    price_prec: int, size_prec: int,
) -> None: ...
