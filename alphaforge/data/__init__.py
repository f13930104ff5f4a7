"""Market data: columnar record builders, bar aggregation, the data engine, loaders and the catalog.

``alphaforge.data.loaders`` (real exchange formats) and ``alphaforge.data.catalog`` (Parquet) use
pyarrow and are imported on first use, so ``import alphaforge.data`` stays light.
"""

from importlib import import_module
from typing import Any

from alphaforge._core.columnar import (
    bars_from_arrays,
    deltas_from_arrays,
    from_frame,
    quotes_from_arrays,
    to_pandas,
    trades_from_arrays,
)
from alphaforge.data.aggregation import *  # noqa: F403
from alphaforge.data.aggregation import __all__ as _aggregation_all
from alphaforge.data.engine import KIND_NAMES, REASON_NAMES, DataEngine, DataError

_LAZY = {"ParquetCatalog": "alphaforge.data.catalog", "CatalogError": "alphaforge.data.catalog",
         "LoaderError": "alphaforge.data.loaders"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'alphaforge.data' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "bars_from_arrays", "deltas_from_arrays", "from_frame", "quotes_from_arrays", "to_pandas",
    "trades_from_arrays", "DataEngine", "DataError", "KIND_NAMES", "REASON_NAMES", *_aggregation_all, *_LAZY,
]
