"""LRUCache: behaviour against hand-worked examples and an independent OrderedDict reference model,
TTL under an injected clock, statistics, snapshots (round trip, corrupt/truncated/foreign/newer
files, atomicity, concurrent writers), thread safety and GC of cycles."""

from __future__ import annotations

import gc
import json
import math
import os
import pickle
import random
import struct
import sys
import threading
import weakref
from collections import OrderedDict

import pytest

from alphaforge.cache import CacheSnapshotError, CacheStats, LRUCache

SEC = 1_000_000_000

try:  # the engine's TestClock when it is available, else a minimal stand-in
    from alphaforge.common import TestClock as _EngineTestClock
except ImportError:  # pragma: no cover - depends on the clock module being built
    _EngineTestClock = None


class FakeClock:
    """Minimal injectable clock: ``timestamp_ns()`` returns the time set by the test."""

    def __init__(self, start_ns: int = 0) -> None:
        self.now = start_ns

    def timestamp_ns(self) -> int:
        return self.now

    def set_time(self, ns: int) -> None:
        self.now = ns


def make_clock(start_ns: int = 0):
    if _EngineTestClock is not None:
        try:
            c = _EngineTestClock(start_ns)
            c.set_time(start_ns)
            return c
        except Exception:  # pragma: no cover - fall back if the API differs
            pass
    return FakeClock(start_ns)


# ---------------------------------------------------------------------------- basics


def test_lru_eviction_order_and_recency_hand_worked():
    c = LRUCache(3)
    c["a"] = 1
    c["b"] = 2
    c["c"] = 3
    assert list(c) == ["c", "b", "a"]
    assert c.get("a") == 1  # a becomes most recent
    assert list(c) == ["a", "c", "b"]
    c["d"] = 4  # evicts b (least recent)
    assert list(c) == ["d", "a", "c"]
    assert "b" not in c
    assert c.peek("c") == 3  # no recency change
    assert list(c) == ["d", "a", "c"]
    c["c"] = 30  # overwrite: most recent, no eviction
    assert c.items() == [("c", 30), ("d", 4), ("a", 1)]
    assert c.keys() == ["c", "d", "a"]
    assert c.values() == [30, 4, 1]
    s = c.stats()
    assert (s.hits, s.misses, s.puts, s.evictions, s.expirations, s.size, s.capacity) == (
        1, 0, 5, 1, 0, 3, 3)


def test_mapping_api_and_errors():
    c = LRUCache(4)
    with pytest.raises(KeyError):
        c["missing"]
    assert c.get("missing", "dflt") == "dflt"
    c.put("x", 10)
    assert c["x"] == 10
    assert c.pop("x") == 10
    assert c.pop("x", None) is None
    with pytest.raises(KeyError):
        c.pop("x")
    c["y"] = 1
    del c["y"]
    with pytest.raises(KeyError):
        del c["y"]
    assert len(c) == 0 and not c
    c.put_many({"a": 1, "b": 2})
    c.put_many([("c", 3)])
    assert c.get_many(["a", "zz", "c"], default=-1) == [1, -1, 3]
    assert list(c) == ["c", "a", "b"]
    c.clear()
    assert len(c) == 0 and list(c) == []
    s = c.stats()
    # get_many counted 2 hits + 1 miss, the failing [] and get() earlier 2 misses, c["x"] 1 hit
    assert (s.hits, s.misses, s.puts) == (3, 3, 5)
    with pytest.raises(TypeError):
        c[[1, 2]] = 1  # unhashable key: clear error, nothing stored
    assert len(c) == 0


def test_constructor_validation():
    with pytest.raises(ValueError, match="capacity"):
        LRUCache(0)
    with pytest.raises(ValueError, match="ttl"):
        LRUCache(2, ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        LRUCache(2, ttl=-1.0)
    with pytest.raises(TypeError, match="timestamp_ns"):
        LRUCache(2, clock=object())
    c = LRUCache(2)
    with pytest.raises(ValueError, match="ttl"):
        c.put("k", 1, ttl=float("nan"))
    assert c.capacity == 2 and c.ttl is None


def test_stats_hit_rate_and_reset():
    c = LRUCache(2)
    c["a"] = 1
    c.get("a")
    c.get("a")
    c.get("b")
    s = c.stats()
    assert isinstance(s, CacheStats)
    assert s.hit_rate == pytest.approx(2 / 3)
    assert s.as_dict()["misses"] == 1
    c.reset_stats()
    s = c.stats()
    assert (s.hits, s.misses, s.puts, s.evictions, s.expirations, s.size) == (0, 0, 0, 0, 0, 1)
    assert s.hit_rate == 0.0


def test_capacity_one_and_int_keys():
    c = LRUCache(1)
    for i in range(100):
        c[i] = i * i
        assert c.items() == [(i, i * i)]
    assert c.stats().evictions == 99
    # keys equal but not identical (int/float, equal strings) find the same entry
    c[10**30] = "big"
    assert c[10**30 + 0] == "big"
    assert c.get(float(1)) is None
    c[1] = "one"
    assert c[1.0] == "one"
    c["k" * 50] = 5
    assert c["".join(["k"] * 50)] == 5


# ---------------------------------------------------------------------------- TTL


def test_ttl_expiry_hand_worked():
    clk = FakeClock(0)
    c = LRUCache(10, ttl=1.0, clock=clk)
    c["a"] = 1                      # deadline 1.0 s
    clk.now = SEC // 2
    c.put("b", 2, ttl=2.0)          # deadline 2.5 s
    c.put("n", 3, ttl=math.inf)     # never expires
    assert c.ttl_remaining("a") == pytest.approx(0.5)
    assert c.ttl_remaining("n") is None
    clk.now = SEC - 1
    assert c.get("a") == 1          # live until the deadline
    clk.now = SEC                   # now >= deadline: expired
    assert c.get("a") is None
    assert "a" not in c
    clk.now = 3 * SEC
    assert c.items() == [("n", 3)]
    s = c.stats()
    assert (s.hits, s.misses, s.expirations, s.size) == (1, 1, 2, 1)
    # overwriting resets the deadline; a get does not extend it
    c["n"] = 4                      # default ttl now applies: deadline 4 s
    clk.now = 4 * SEC - 1
    assert c["n"] == 4
    clk.now = 4 * SEC
    assert c.expire() == 1
    assert len(c) == 0


def test_expired_entries_reclaimed_without_access_before_eviction():
    clk = FakeClock(0)
    c = LRUCache(3, clock=clk)
    c.put("old", 1, ttl=1.0)
    c["x"] = 2
    c["y"] = 3
    clk.now = 2 * SEC
    c["z"] = 4  # the expired entry is reclaimed; no live entry is evicted
    s = c.stats()
    assert (s.evictions, s.expirations) == (0, 1)
    assert list(c) == ["z", "y", "x"]


# ---------------------------------------------------------------------------- reference model


class ModelLRU:
    """Independent reference: OrderedDict (LRU first) + deadlines, eager expiry at every op."""

    def __init__(self, capacity, ttl_ns, clock):
        self.cap = capacity
        self.ttl_ns = ttl_ns
        self.clock = clock
        self.d: OrderedDict = OrderedDict()  # key -> (value, deadline or None)
        self.hits = self.misses = self.puts = self.evictions = self.expirations = 0

    def _purge(self):
        now = self.clock.timestamp_ns()
        for k in [k for k, (_, dl) in self.d.items() if dl is not None and dl <= now]:
            del self.d[k]
            self.expirations += 1

    def get(self, k, default=None):
        self._purge()
        if k in self.d:
            self.hits += 1
            self.d.move_to_end(k)
            return self.d[k][0]
        self.misses += 1
        return default

    def put(self, k, v, ttl=None):
        self._purge()
        if ttl is None:
            ttl_ns = self.ttl_ns
        elif ttl == math.inf:
            ttl_ns = None
        else:
            ttl_ns = round(ttl * SEC)
        dl = None if ttl_ns is None else self.clock.timestamp_ns() + ttl_ns
        self.d[k] = (v, dl)
        self.d.move_to_end(k)
        self.puts += 1
        if len(self.d) > self.cap:
            self.d.popitem(last=False)
            self.evictions += 1

    def pop(self, k):
        self._purge()
        return self.d.pop(k)[0] if k in self.d else None

    def peek(self, k):
        self._purge()
        return self.d[k][0] if k in self.d else None

    def clear(self):
        self._purge()
        self.d.clear()

    def items(self):
        self._purge()
        return [(k, v) for k, (v, _) in reversed(self.d.items())]

    def stats(self):
        self._purge()
        return (self.hits, self.misses, self.puts, self.evictions, self.expirations, len(self.d))


@pytest.mark.parametrize("capacity,default_ttl,seed", [
    (1, None, 1), (7, None, 2), (7, 1.0, 3), (32, 2.5, 4), (100, None, 5), (50, 0.75, 6),
])
def test_randomized_against_reference_model(capacity, default_ttl, seed):
    rng = random.Random(seed)
    clk = make_clock(0)
    cache = LRUCache(capacity, ttl=default_ttl, clock=clk)
    model = ModelLRU(capacity, None if default_ttl is None else round(default_ttl * SEC), clk)
    now = 0
    keys = [f"K{i}" for i in range(capacity * 3 + 2)] + list(range(5))
    for step in range(3000):
        r = rng.random()
        k = rng.choice(keys)
        if r < 0.35:
            assert cache.get(k) == model.get(k), step
        elif r < 0.65:
            ttl = rng.choice([None, None, 0.5, 1.0, 3.0, math.inf])
            cache.put(k, step, ttl=ttl)
            model.put(k, step, ttl=ttl)
        elif r < 0.72:
            assert cache.pop(k, None) == model.pop(k), step
        elif r < 0.78:
            assert cache.peek(k) == model.peek(k), step
        elif r < 0.83:
            assert (k in cache) == (model.peek(k) is not None), step
        elif r < 0.93:
            now += rng.choice([0, SEC // 4, SEC // 2, SEC])
            clk.set_time(now)
        elif r < 0.95:
            k2 = rng.choice(keys)
            assert cache.get_many([k, k2]) == [model.get(k), model.get(k2)], step
        elif r < 0.995:
            cache.expire()
        else:
            cache.clear()
            model.clear()
        # identical contents, order and statistics after every step
        assert cache.items() == model.items(), step
        s = cache.stats()
        assert (s.hits, s.misses, s.puts, s.evictions, s.expirations, s.size) == model.stats(), step


def test_get_many_matches_sequential_gets():
    rng = random.Random(11)
    a, b = LRUCache(20), LRUCache(20)
    for i in range(40):
        k = rng.randrange(30)
        a[k] = i
        b[k] = i
    ks = [rng.randrange(30) for _ in range(50)]
    assert a.get_many(ks) == [b.get(k) for k in ks]
    assert a.items() == b.items()
    assert a.stats() == b.stats()


# ---------------------------------------------------------------------------- snapshots


def test_snapshot_round_trip(tmp_path):
    clk = FakeClock(5 * SEC)
    c = LRUCache(5, ttl=100.0, clock=clk)
    c["a"] = {"nested": [1, 2]}
    c.put("b", (1, "x"), ttl=math.inf)
    c.put(("tuple", 1), 3.5, ttl=50.0)
    c.get("a")  # order now: a, ("tuple", 1), b
    p = tmp_path / "snap.bin"
    c.save(p)
    clk2 = FakeClock(1000 * SEC)
    d = LRUCache.load(p, clock=clk2)
    assert d.items() == c.items() == [("a", {"nested": [1, 2]}), (("tuple", 1), 3.5), ("b", (1, "x"))]
    assert d.capacity == 5 and d.ttl == 100.0
    # remaining TTLs carried over as wall-clock deadlines (a few ms of real time may pass)
    assert 99.0 < d.ttl_remaining("a") <= 100.0
    assert 49.0 < d.ttl_remaining(("tuple", 1)) <= 50.0
    assert d.ttl_remaining("b") is None
    assert d.stats().as_dict() == CacheStats(size=3, capacity=5).as_dict()
    assert not [f for f in os.listdir(tmp_path) if f != "snap.bin"]  # no temp file left


def test_snapshot_drops_entries_expired_on_disk(tmp_path):
    clk = FakeClock(0)
    c = LRUCache(5, clock=clk)
    c.put("short", 1, ttl=1e-6)  # wall-clock deadline a microsecond after save
    c["keep"] = 2
    p = tmp_path / "s.bin"
    c.save(p)
    d = LRUCache.load(p, clock=FakeClock(0))
    assert d.items() == [("keep", 2)]


def test_snapshot_pluggable_serializer(tmp_path):
    class JsonSerializer:
        @staticmethod
        def dumps(obj):
            return json.dumps(obj).encode()

        @staticmethod
        def loads(data):
            return json.loads(data.decode())

    c = LRUCache(3)
    c["x"] = 1
    c["y"] = [1, 2]
    p = tmp_path / "j.snap"
    c.save(p, serializer=JsonSerializer)
    assert b'"entries"' in p.read_bytes()
    d = LRUCache.load(p, serializer=JsonSerializer)
    assert d.items() == [("y", [1, 2]), ("x", 1)]


def _header_and_payload(path):
    data = path.read_bytes()
    hdr = struct.Struct("<8sHHQ16s")
    return hdr, data[: hdr.size], data[hdr.size:]


def test_snapshot_errors_name_file_and_problem(tmp_path):
    c = LRUCache(3)
    c["a"] = 1
    good = tmp_path / "good.snap"
    c.save(good)
    hdr, head, payload = _header_and_payload(good)

    trunc = tmp_path / "trunc.snap"
    trunc.write_bytes(good.read_bytes()[:-5])
    with pytest.raises(CacheSnapshotError, match=r"trunc\.snap.*truncated payload"):
        LRUCache.load(trunc)

    short = tmp_path / "short.snap"
    short.write_bytes(good.read_bytes()[:10])
    with pytest.raises(CacheSnapshotError, match=r"short\.snap.*truncated header"):
        LRUCache.load(short)

    corrupt = tmp_path / "corrupt.snap"
    bad = bytearray(good.read_bytes())
    bad[-3] ^= 0xFF
    corrupt.write_bytes(bytes(bad))
    with pytest.raises(CacheSnapshotError, match=r"corrupt\.snap.*checksum mismatch"):
        LRUCache.load(corrupt)

    foreign = tmp_path / "foreign.snap"
    foreign.write_bytes(b"PK\x03\x04 this is a zip file, not a cache snapshot at all")
    with pytest.raises(CacheSnapshotError, match=r"foreign\.snap.*not an LRUCache snapshot"):
        LRUCache.load(foreign)

    newer = tmp_path / "newer.snap"
    magic, _v, flags, length, digest = hdr.unpack(head)
    newer.write_bytes(hdr.pack(magic, 2, flags, length, digest) + payload)
    with pytest.raises(CacheSnapshotError, match=r"newer\.snap.*version 2 is newer"):
        LRUCache.load(newer)

    trailing = tmp_path / "trailing.snap"
    trailing.write_bytes(good.read_bytes() + b"xx")
    with pytest.raises(CacheSnapshotError, match=r"trailing\.snap.*trailing bytes"):
        LRUCache.load(trailing)

    with pytest.raises(CacheSnapshotError, match=r"missing\.snap.*cannot read"):
        LRUCache.load(tmp_path / "missing.snap")

    # valid envelope, payload that is not a snapshot dict
    odd = tmp_path / "odd.snap"
    body = pickle.dumps([1, 2, 3])
    from hashlib import blake2b

    odd.write_bytes(hdr.pack(magic, 1, 0, len(body), blake2b(body, digest_size=16).digest()) + body)
    with pytest.raises(CacheSnapshotError, match=r"odd\.snap.*cannot decode payload"):
        LRUCache.load(odd)


def test_failed_save_keeps_previous_snapshot_and_cache(tmp_path):
    c = LRUCache(3)
    c["a"] = 1
    p = tmp_path / "s.snap"
    c.save(p)
    before = p.read_bytes()

    class Boom:
        @staticmethod
        def dumps(obj):
            raise RuntimeError("serializer failed")

    c["b"] = 2
    with pytest.raises(RuntimeError, match="serializer failed"):
        c.save(p, serializer=Boom)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["s.snap"]
    # a failed load does not touch an existing cache
    p.write_bytes(before[:-1])
    with pytest.raises(CacheSnapshotError):
        c = LRUCache.load(p)
    assert c.items() == [("b", 2), ("a", 1)]


def test_concurrent_writers_leave_one_complete_snapshot(tmp_path):
    p = tmp_path / "shared.snap"
    caches = []
    for t in range(6):
        c = LRUCache(50)
        for i in range(40):
            c[f"t{t}-{i}"] = (t, i)
        caches.append(c)
    errors = []

    def writer(c):
        try:
            for _ in range(15):
                c.save(p)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in caches]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    loaded = LRUCache.load(p)
    assert loaded.items() in [c.items() for c in caches]
    assert os.listdir(tmp_path) == ["shared.snap"]


# ---------------------------------------------------------------------------- threads


def _run_threads(target, n):
    errors = []

    def wrapped(t):
        try:
            target(t)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]


def test_threads_hammering_one_cache_model_check():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        n_threads, n_ops = 4, 6000
        cache = LRUCache(10_000)
        gets = [0] * n_threads
        puts = [0] * n_threads
        last = [dict() for _ in range(n_threads)]
        shared = [f"shared-{i}" for i in range(20)]

        def work(t):
            rng = random.Random(t)
            own = [f"t{t}-{i}" for i in range(200)]
            for i in range(n_ops):
                r = rng.random()
                if r < 0.5:
                    k = rng.choice(own)
                    cache[k] = (t, i)
                    last[t][k] = (t, i)
                    puts[t] += 1
                elif r < 0.6:
                    cache.put(rng.choice(shared), (t, i))
                    puts[t] += 1
                else:
                    k = rng.choice(own + shared)
                    v = cache.get(k)
                    gets[t] += 1
                    if k in last[t]:
                        assert v == last[t][k]  # own keys: always the latest own write

        _run_threads(work, n_threads)
    finally:
        sys.setswitchinterval(old)
    s = cache.stats()
    assert s.hits + s.misses == sum(gets)
    assert s.puts == sum(puts)
    items = dict(cache.items())
    expected = {k: v for d in last for k, v in d.items()}
    for k, v in expected.items():
        assert items[k] == v  # no live entry lost
    assert len(items) == s.size == len(expected) + sum(1 for k in items if k.startswith("shared"))
    assert s.evictions == 0


class PyKey:
    """Key with Python-level __hash__/__eq__ (runs bytecode inside the cache's probe)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __hash__(self):
        return hash(self.v) & 0xF  # many collisions on purpose

    def __eq__(self, other):
        return isinstance(other, PyKey) and other.v == self.v


def test_threads_with_python_level_keys_and_eviction():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        cache = LRUCache(64)
        counts = {"gets": 0, "puts": 0}
        lock = threading.Lock()

        def work(t):
            rng = random.Random(100 + t)
            g = p = 0
            for i in range(3000):
                k = PyKey(rng.randrange(150))
                if rng.random() < 0.5:
                    cache[k] = (k.v, t, i)
                    p += 1
                else:
                    v = cache.get(k)
                    g += 1
                    assert v is None or v[0] == k.v  # never another key's value
            with lock:
                counts["gets"] += g
                counts["puts"] += p

        _run_threads(work, 4)
    finally:
        sys.setswitchinterval(old)
    s = cache.stats()
    assert s.hits + s.misses == counts["gets"]
    assert s.puts == counts["puts"]
    items = cache.items()
    assert len(items) == s.size <= 64
    assert len({k.v for k, _ in items}) == len(items)  # no duplicate keys
    assert all(v[0] == k.v for k, v in items)


# ---------------------------------------------------------------------------- GC


def test_reference_cycle_through_value_is_collected():
    class Holder:
        pass

    c = LRUCache(4)
    h = Holder()
    h.cache = c
    c["h"] = h
    ref = weakref.ref(h)
    del c, h
    gc.collect()
    assert ref() is None


def test_evicted_values_are_released():
    class V:
        pass

    c = LRUCache(2)
    v = V()
    ref = weakref.ref(v)
    c["v"] = v
    del v
    c["a"] = 1
    c["b"] = 2  # evicts "v"
    assert ref() is None


def test_ttl_overwrite_later_and_earlier_deadlines():
    clk = FakeClock(0)
    c = LRUCache(10, clock=clk)
    c.put("k", 1, ttl=1.0)        # deadline 1 s
    c.put("k", 2, ttl=3.0)        # later deadline: the 1 s heap slot re-arms at 3 s
    clk.now = 2 * SEC
    assert c.get("k") == 2 and len(c) == 1
    c.put("k", 3, ttl=0.5)        # earlier deadline: 2.5 s
    clk.now = 2 * SEC + SEC // 2
    assert len(c) == 0
    s = c.stats()
    assert (s.puts, s.expirations, s.hits) == (3, 1, 1)
    c.put("j", 1, ttl=1.0)        # deadline 3.5 s, then made permanent
    c.put("j", 2, ttl=math.inf)
    clk.now = 100 * SEC
    assert c.items() == [("j", 2)]
    assert c.stats().expirations == 1


# ---------------------------------------------------------------------------- cdef API


def test_cdef_api_matches_python_api():
    from alphaforge._core.bench_cache import lru_get_c, lru_mix_c, lru_put_c

    rng = random.Random(5)
    keys = [f"k{rng.randrange(40)}" for _ in range(300)]
    a, b = LRUCache(16), LRUCache(16)
    lru_put_c(a, keys[:100], 7)
    for k in keys[:100]:
        b.put(k, 7)
    assert lru_get_c(a, keys[100:]) == [b.get(k) for k in keys[100:]]
    ops = [(rng.random() < 0.7, k) for k in keys]
    found = lru_mix_c(a, ops, 9)
    ref = 0
    for is_get, k in ops:
        if is_get:
            ref += b.get(k) is not None
        else:
            b[k] = 9
    assert found == ref
    assert a.items() == b.items()
    assert a.stats() == b.stats()
    clk = FakeClock(0)
    t = LRUCache(4, clock=clk)
    lru_put_c(t, ["x"], 1, 5 * SEC)   # explicit TTL in ns through the cdef API
    lru_put_c(t, ["y"], 1, 0)         # 0 = never expires
    clk.now = 5 * SEC
    assert t.items() == [("y", 1)]


def test_default_clock_is_monotonic_and_tracks_clock_monotonic():
    import time

    from alphaforge._core.lru_cache import default_clock_ns

    prev = default_clock_ns()
    checked = 0
    for i in range(20_000):
        a = time.monotonic_ns()
        x = default_clock_ns()
        b = time.monotonic_ns()
        assert x >= prev
        prev = x
        if b - a < 20_000:  # pairs not split by a context switch
            assert a - 50_000 <= x <= b + 50_000
            checked += 1
        if i % 5000 == 0:
            time.sleep(0.003)  # cross a few re-anchoring intervals
    assert checked > 10_000


def test_reentrant_del_during_eviction_and_expiry_keeps_structure_consistent():
    clk = FakeClock(0)
    cache = LRUCache(3, clock=clk)
    dels = []

    class V:
        def __init__(self, n):
            self.n = n

        def __del__(self):  # runs when the cache drops its reference: re-enters the cache
            dels.append(self.n)
            cache.get("anchor")
            if self.n < 50:
                cache[f"from-del-{self.n}"] = V(self.n + 100)

    cache["anchor"] = 0
    for i in range(20):
        cache.put(f"k{i}", V(i), ttl=1.0 if i % 2 else None)
        if i % 5 == 0:
            clk.now += SEC
    clk.now += 10 * SEC
    items = cache.items()
    s = cache.stats()
    assert len(items) == s.size == len(cache) <= 3
    assert len({k for k, _ in items}) == len(items)
    assert s.puts == 21 + sum(1 for n in dels if n < 50)
    assert s.hits + s.misses == len(dels)  # one get per __del__
    # every key was new: each insert is accounted for exactly once
    assert s.evictions + s.expirations + s.size == s.puts


def test_reads_reclaim_expired_entries_in_bounded_steps():
    class V:
        pass

    clk = FakeClock(0)
    c = LRUCache(100, clock=clk)
    vals = [V() for _ in range(10)]
    refs = [weakref.ref(v) for v in vals]
    for i, v in enumerate(vals):
        c.put(f"e{i}", v, ttl=1.0)
    c["live"] = 1
    del vals, v
    clk.now = 2 * SEC
    c.put("fresh", 2, ttl=5.0)   # a write reclaims every due entry...
    assert sum(r() is None for r in refs) == 10
    vals = [V() for _ in range(10)]
    refs = [weakref.ref(v) for v in vals]
    for i, v in enumerate(vals):
        c.put(f"f{i}", v, ttl=1.0)
    del vals, v
    clk.now = 4 * SEC
    c.get("fresh")               # ...a read at most 4 per call, without touching those keys
    assert sum(r() is None for r in refs) == 4
    c.get("fresh")
    assert sum(r() is None for r in refs) == 8
    assert c.stats().expirations == 20 and len(c) == 2
