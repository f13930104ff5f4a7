from typing import Any

import numpy as np
import pandas as pd

from alphaforge._core.identifiers import InstrumentId

def trades_from_arrays(
    ts_event: Any, price: Any, size: Any, *, price_precision: int, size_precision: int,
    ts_init: Any = None, aggressor_side: Any = None, trade_id: Any = None,
    instrument_id: InstrumentId | str | int | None = None, raw: bool = False,
) -> np.ndarray: ...
def quotes_from_arrays(
    ts_event: Any, bid_price: Any, ask_price: Any, bid_size: Any = None, ask_size: Any = None, *,
    price_precision: int, size_precision: int = 0, ts_init: Any = None,
    instrument_id: InstrumentId | str | int | None = None, raw: bool = False,
) -> np.ndarray: ...
def bars_from_arrays(
    ts_event: Any, open: Any, high: Any, low: Any, close: Any, volume: Any = None, *,
    bar_type: Any = None, price_precision: int, size_precision: int = 0, ts_init: Any = None,
    raw: bool = False, validate: bool = True,
) -> np.ndarray: ...
def deltas_from_arrays(
    ts_event: Any, action: Any, side: Any, price: Any, size: Any, *, order_id: Any = None,
    sequence: Any = None, flags: Any = None, price_precision: int, size_precision: int,
    ts_init: Any = None, instrument_id: InstrumentId | str | int | None = None, raw: bool = False,
) -> np.ndarray: ...
def from_frame(kind: str, frame: Any, *, columns: dict[str, str] | None = None, **kwargs: Any) -> np.ndarray: ...
def to_pandas(records: np.ndarray, datetimes: bool = True) -> pd.DataFrame: ...
