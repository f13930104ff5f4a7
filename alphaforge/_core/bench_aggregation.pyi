"""Type stub for alphaforge._core.bench_aggregation (C drivers for aggregation tests/benchmarks)."""

import numpy as np

from alphaforge._core.aggregation import BarAggregator

def stream_records(
    agg: BarAggregator, records: np.ndarray, fire_timers: bool = True, close_last: bool = False
) -> np.ndarray: ...
