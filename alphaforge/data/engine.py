"""The DataEngine (public API): validates records per instrument stream, feeds internal bar
aggregators and order books, updates the cache and publishes on the message bus.

See :mod:`alphaforge._core.data_engine` for the exact pipeline, validation rules and topics.
"""

from alphaforge._core.data_engine import KIND_NAMES, REASON_NAMES, DataEngine, DataError

__all__ = ["KIND_NAMES", "REASON_NAMES", "DataEngine", "DataError"]
