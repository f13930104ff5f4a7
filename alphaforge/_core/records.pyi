import numpy as np

TRADE_TICK_DTYPE: np.dtype
QUOTE_TICK_DTYPE: np.dtype
BAR_DTYPE: np.dtype
ORDER_BOOK_DELTA_DTYPE: np.dtype

def empty_records(dtype: np.dtype, n: int) -> np.ndarray: ...
