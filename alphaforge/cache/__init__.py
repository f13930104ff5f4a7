"""Caches: a generic LRU/TTL cache and the trading cache.

* :class:`LRUCache` -- bounded least-recently-used cache with optional TTL (seconds), statistics
  (:class:`CacheStats`), atomic snapshots (``save``/``LRUCache.load``, errors raise
  :class:`CacheSnapshotError`).
"""

from alphaforge._core.lru_cache import CacheSnapshotError, CacheStats, LRUCache

__all__ = ["CacheSnapshotError", "CacheStats", "LRUCache"]
