"""Cache speed (asv): alphaforge LRUCache vs a plain dict and peer libraries, and the trading cache.

``LRUWorkloads`` runs the issue's workloads with the implementation as a parameter
(``alphaforge``, ``dict`` (no eviction: the baseline), ``cachebox``, ``cachetools``, ``lru-dict``;
peers that are not installed are skipped). Keys are pre-built ``str`` like ``"EURUSD.SIM-123456"``
and values small ints (seed 7):

* ``time_get``: 1,000,000 ``get`` on a warm cache of 100,000 keys, random order, all hits;
* ``time_put``: 1,000,000 ``c[k] = v`` into a full cache of capacity 100,000, keys uniform over
  1,000,000 (constant eviction);
* ``time_mix``: 1,000,000 ops, 80% get / 20% put, keys ``zipf(1.2) % 1_000_000``, capacity 10,000;
* ``time_ttl_long`` / ``time_ttl_short``: ``time_mix`` with a default TTL of 1 hour / 1 ms.

Compare each row with the ``dict`` row of the same run; ``python scripts/bench_cache.py`` prints
the ratios directly. ``TradingCache`` times ring-buffer appends and latest-quote reads.
"""

import numpy as np

from alphaforge._core.identifiers import InstrumentId
from alphaforge._core.records import QUOTE_TICK_DTYPE
from alphaforge.cache import Cache, LRUCache

N = 1_000_000
N_KEYS = 1_000_000
IMPLS = ["alphaforge", "dict", "cachebox", "cachetools", "lru-dict"]


def _factories(impl):
    """(make_lru(capacity), make_ttl(capacity, ttl) or None) for ``impl``; NotImplementedError
    (asv: skipped) when the library is not installed."""
    if impl == "alphaforge":
        return (lambda cap: LRUCache(cap)), (lambda cap, ttl: LRUCache(cap, ttl=ttl))
    if impl == "dict":
        return (lambda cap: {}), (lambda cap, ttl: {})
    try:
        if impl == "cachebox":
            import cachebox

            return (lambda cap: cachebox.LRUCache(cap)), (lambda cap, ttl: cachebox.TTLCache(cap, ttl))
        if impl == "cachetools":
            import cachetools

            return (lambda cap: cachetools.LRUCache(cap)), (lambda cap, ttl: cachetools.TTLCache(cap, ttl))
        if impl == "lru-dict":
            import lru

            return (lambda cap: lru.LRU(cap)), None
    except ImportError as exc:
        raise NotImplementedError(f"{impl} is not installed") from exc
    raise NotImplementedError(impl)


_DATA = {}


def _workloads():
    if not _DATA:
        rng = np.random.default_rng(7)
        keys = [f"EURUSD.SIM-{i}" for i in range(N_KEYS)]
        _DATA["keys"] = keys
        _DATA["get"] = [keys[i] for i in rng.integers(0, 100_000, N)]
        _DATA["put"] = [keys[i] for i in rng.integers(0, N_KEYS, N)]
        z = np.random.default_rng(7).zipf(1.2, N) % N_KEYS
        is_get = (rng.random(N) < 0.8).tolist()
        _DATA["mix"] = list(zip(is_get, [keys[i] for i in z], strict=True))
    return _DATA


def _mix(c, ops):
    g = c.get
    for op, k in ops:
        if op:
            g(k)
        else:
            c[k] = 1


class LRUWorkloads:
    params = [IMPLS]
    param_names = ["impl"]
    timeout = 600
    number = 1
    repeat = 3

    def setup(self, impl):
        self.make, self.make_ttl = _factories(impl)
        w = _workloads()
        keys = w["keys"]
        self.get_keys = w["get"]
        self.put_keys = w["put"]
        self.ops = w["mix"]
        self.warm = self.make(100_000)
        for i in range(100_000):
            self.warm[keys[i]] = i & 255
        self.full = self.make(100_000)
        for i in range(100_000):
            self.full[keys[i]] = 1

    def time_get(self, impl):
        g = self.warm.get
        for k in self.get_keys:
            g(k)

    def time_put(self, impl):
        c = self.full
        for k in self.put_keys:
            c[k] = 1

    def time_mix(self, impl):
        _mix(self.make(10_000), self.ops)



class TTLWorkloads:
    """W-ttl: W-mix with a default TTL, long (1 h) and short (1 ms, entries expire). Implementations
    without a TTL cache (lru-dict) are skipped in setup."""

    params = [IMPLS]
    param_names = ["impl"]
    timeout = 600
    number = 1
    repeat = 3

    def setup(self, impl):
        _, self.make_ttl = _factories(impl)
        if self.make_ttl is None:
            raise NotImplementedError(f"{impl} has no TTL cache")
        self.ops = _workloads()["mix"]

    def time_ttl_long(self, impl):
        _mix(self.make_ttl(10_000, 3600.0), self.ops)

    def time_ttl_short(self, impl):
        _mix(self.make_ttl(10_000, 0.001), self.ops)


class TradingCache:
    """Ring-buffer appends (C records, 10 instruments) and latest-quote reads from Python."""

    timeout = 300

    def setup(self):
        ids = [InstrumentId.from_str(f"SYM{i}.SIM") for i in range(10)]
        self.iid = ids[0]
        rng = np.random.default_rng(7)
        n = 1_000_000
        recs = np.zeros(n, QUOTE_TICK_DTYPE)
        recs["ts_event"] = np.arange(n)
        recs["bid_price"] = rng.integers(1, 10**6, n) * 10**6
        recs["instrument_id"] = np.array([i.index for i in ids], dtype=np.uint32)[rng.integers(0, 10, n)]
        self.recs = recs
        self.cache = Cache()
        self.cache.add_quotes(recs[:100_000])

    def time_add_quotes_1m(self):
        Cache().add_quotes(self.recs)

    def time_quote_latest_100k(self):
        q = self.cache.quote
        iid = self.iid
        for _ in range(100_000):
            q(iid)
