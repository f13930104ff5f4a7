"""Benchmark alphaforge.cache.LRUCache against a plain dict (and peers) on the issue's workloads.

Prints ns/op per implementation and the ratio to a plain ``dict`` running the same Python loop in
the same process (lower is better; the targets are W-get <= 1.4, W-put <= 1.05, W-mix <= 1.15,
W-ttl <= 1.3). Rounds are interleaved (dict, alphaforge, peers, dict, ...) and the minimum per
implementation is kept, so machine load affects every implementation alike.

Workloads (keys are pre-built ``str`` like ``"EURUSD.SIM-123456"``, values small ints, seed 7):

* W-get: 1,000,000 ``get`` on a warm cache of 100,000 keys, random order, all hits.
* W-put: 1,000,000 ``c[k] = v`` into a full cache of capacity 100,000, keys uniform over 1,000,000
  (constant eviction; the dict baseline just grows).
* W-mix: 1,000,000 ops, 80% ``get`` / 20% ``c[k] = v``, keys ``numpy.random.zipf(1.2) % 1_000_000``,
  capacity 10,000, starting empty.
* W-ttl: W-mix with a default TTL: ``long`` (1 hour, nothing expires) and ``short`` (1 ms, entries
  expire during the run).

Times are CPU time of the benchmarking thread (``time.thread_time_ns``), GC disabled during each
timed loop. Each round times every implementation once, back to back (order reversed every other round); the table shows the best
round per implementation and its ratio to the best dict round, and ``median paired`` is the
median over rounds of (implementation / dict of the same round).

Usage: ``python scripts/bench_cache.py [--rounds 7] [--n 1000000] [--only W-get,W-mix] [--wall]``
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import numpy as np

from alphaforge.cache import LRUCache

N_KEYS = 1_000_000

# CPU time of this thread: on a loaded machine wall time is dominated by scheduling noise, while the
# CPU time each implementation spends on the identical loop is what the ratios are about.
_clock_ns = time.thread_time_ns


def _peers() -> dict:
    peers = {}
    try:
        import cachebox

        peers["cachebox"] = (
            lambda cap: cachebox.LRUCache(cap),
            lambda cap, ttl: cachebox.TTLCache(cap, ttl),
        )
    except ImportError:
        pass
    try:
        import cachetools

        peers["cachetools"] = (
            lambda cap: cachetools.LRUCache(cap),
            lambda cap, ttl: cachetools.TTLCache(cap, ttl),
        )
    except ImportError:
        pass
    try:
        import lru

        peers["lru-dict"] = (lambda cap: lru.LRU(cap), None)
    except ImportError:
        pass
    return peers


def build_workloads(n: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    keys = [f"EURUSD.SIM-{i}" for i in range(N_KEYS)]
    get_keys = [keys[i] for i in rng.integers(0, 100_000, n)]
    put_keys = [keys[i] for i in rng.integers(0, N_KEYS, n)]
    z = np.random.default_rng(seed).zipf(1.2, n) % N_KEYS
    is_get = (rng.random(n) < 0.8).tolist()
    mix_ops = list(zip(is_get, [keys[i] for i in z], strict=True))
    return {"keys": keys, "get_keys": get_keys, "put_keys": put_keys, "mix_ops": mix_ops}


# The timed loops: identical text for every implementation.
def loop_get(c, ks):
    g = c.get
    t0 = _clock_ns()
    for k in ks:
        g(k)
    return _clock_ns() - t0


def loop_put(c, ks):
    t0 = _clock_ns()
    for k in ks:
        c[k] = 1
    return _clock_ns() - t0


def loop_mix(c, ops):
    g = c.get
    t0 = _clock_ns()
    for op, k in ops:
        if op:
            g(k)
        else:
            c[k] = 1
    return _clock_ns() - t0


def run(rounds: int, n: int, only: set[str] | None) -> dict:
    w = build_workloads(n)
    keys = w["keys"]
    peers = _peers()
    impls = {"dict": (lambda cap: {}, lambda cap, ttl: {}), "alphaforge": (
        lambda cap: LRUCache(cap), lambda cap, ttl: LRUCache(cap, ttl=ttl))}
    impls.update(peers)

    def warm(c, cap):
        for i in range(cap):
            c[keys[i]] = i & 255
        return c

    cases = {
        "W-get": (lambda mk: warm(mk[0](100_000), 100_000), loop_get, w["get_keys"]),
        "W-put": (lambda mk: warm(mk[0](100_000), 100_000), loop_put, w["put_keys"]),
        "W-mix": (lambda mk: mk[0](10_000), loop_mix, w["mix_ops"]),
        "W-ttl(long)": (lambda mk: mk[1](10_000, 3600.0), loop_mix, w["mix_ops"]),
        "W-ttl(short)": (lambda mk: mk[1](10_000, 0.001), loop_mix, w["mix_ops"]),
    }
    results = {}
    for name, (make, loop, data) in cases.items():
        if only and name.split("(")[0] not in only and name not in only:
            continue
        best: dict[str, int] = {}
        paired: dict[str, list[float]] = {}
        extra = ""
        for rnd in range(rounds):
            this_round: dict[str, int] = {}
            order = list(impls.items())
            if rnd % 2:
                order.reverse()  # ABBA ordering: no implementation always runs first
            for impl, mk in order:
                if name.startswith("W-ttl") and mk[1] is None:
                    continue
                c = make(mk)
                gc.collect()
                gc.disable()
                try:
                    dt = loop(c, data)
                finally:
                    gc.enable()
                best[impl] = min(best.get(impl, dt), dt)
                this_round[impl] = dt
                if impl == "alphaforge" and name.startswith("W-ttl"):
                    st = c.stats()
                    extra = f"  (alphaforge expirations={st.expirations}, hit_rate={st.hit_rate:.3f})"
                del c
            for impl, dt in this_round.items():
                paired.setdefault(impl, []).append(dt / this_round["dict"])
        base = best["dict"]
        print(f"{name}:{extra}")
        for impl, dt in best.items():
            med = statistics.median(paired[impl])
            print(f"  {impl:<11} {dt / n:8.1f} ns/op  ratio {dt / base:5.2f}x  median paired {med:5.2f}x")
        results[name] = {k: statistics.median(v) for k, v in paired.items()}
    if not only or "cdef" in only:
        from alphaforge._core.bench_cache import lru_mix_c

        best_c = best_py = None
        for _ in range(rounds):
            c = LRUCache(10_000)
            t0 = _clock_ns()
            lru_mix_c(c, w["mix_ops"], 1)
            dt = _clock_ns() - t0
            best_c = dt if best_c is None else min(best_c, dt)
            dt = loop_mix(LRUCache(10_000), w["mix_ops"])
            best_py = dt if best_py is None else min(best_py, dt)
        print("W-mix through the cdef API (C loop, get_c/put_c) vs the Python loop:")
        print(f"  cdef        {best_c / n:8.1f} ns/op")
        print(f"  python      {best_py / n:8.1f} ns/op")
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--only", default="", help="comma-separated workload names (W-get,W-put,...,cdef)")
    ap.add_argument("--wall", action="store_true", help="time with wall clock (perf_counter_ns)")
    a = ap.parse_args()
    if a.wall:
        global _clock_ns
        _clock_ns = time.perf_counter_ns
    only = {s.strip() for s in a.only.split(",") if s.strip()} or None
    res = run(a.rounds, a.n, only)
    print("summary (alphaforge / dict, median paired):",
          ", ".join(f"{k} {v['alphaforge']:.2f}x" for k, v in res.items()))


if __name__ == "__main__":
    main()
