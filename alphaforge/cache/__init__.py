"""Caches: a generic LRU/TTL cache and the trading cache.

* :class:`LRUCache` -- bounded least-recently-used cache with optional TTL (seconds), statistics
  (:class:`CacheStats`), atomic snapshots (``save``/``LRUCache.load``; unreadable files raise
  :class:`CacheSnapshotError`) and a cdef API for other ``_core`` modules.
* :class:`Cache` -- the trading cache: instruments, latest quotes/trades/bars in fixed-capacity
  ring buffers of C records (:class:`RecordRing`), order books, and the order/position store with
  indices by strategy, instrument, venue and state.
"""

from alphaforge._core.lru_cache import CacheSnapshotError, CacheStats, LRUCache
from alphaforge._core.trading_cache import Cache, RecordRing

__all__ = ["Cache", "CacheSnapshotError", "CacheStats", "LRUCache", "RecordRing"]
