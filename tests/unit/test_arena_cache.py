"""The arena cache (alphaforge._core.arena_cache): the backtest engine's Python small-object arenas,
faulted in ahead by a helper thread and kept for reuse. Each test runs in a fresh interpreter, so
its counters start at zero and the process's allocator is its own."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from alphaforge.backtest import arena_cache

MIB = 1 << 20
# Small objects enough to need new arenas: ~128 bytes each (a 2-tuple and two ints).
MAKE = "def make(n):\n    return [(i + 1000, i + 2000) for i in range(n)]\n"


def _run(code: str, cache: bool = True, timeout: float = 120) -> dict:
    """Run ``code`` in a fresh interpreter (arena cache on or off), with ``make`` defined; it prints
    one JSON line."""
    env = dict(os.environ)
    env.pop("ALPHAFORGE_ARENA_CACHE", None)
    if not cache:
        env["ALPHAFORGE_ARENA_CACHE"] = "0"
    out = subprocess.run([sys.executable, "-c", MAKE + textwrap.dedent(code)], env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_helper_faults_arenas_in_ahead_and_they_are_handed_out_before_new_ones():
    r = _run("""
        import json, time
        from alphaforge._core import arena_cache as ac
        assert ac.install(cap_mb=64, ahead_mb=8)
        keep = make(20_000)          # the first arena calls through the cache: it learns the size
        del keep
        before = ac.stats()
        ac.start_prefault()
        deadline = time.monotonic() + 30
        while ac.stats()["cached"] * ac.stats()["arena_size"] < 8 << 20:
            assert time.monotonic() < deadline, ac.stats()
            time.sleep(0.01)
        ready = ac.stats()
        big = make(300_000)          # ~38 MB of objects
        taken = ac.stats()
        del big
        freed = ac.stats()
        ac.stop_prefault()
        stopped = ac.stats()
        given = ac.release()
        print(json.dumps({"before": before, "ready": ready, "taken": taken, "freed": freed,
                          "stopped": stopped, "given": given, "after": ac.stats()}))
    """)
    size = r["ready"]["arena_size"]
    assert size >= 256 * 1024 and size & (size - 1) == 0        # 1 MiB on 64-bit CPython 3.10+
    # the helper topped the cache up to ahead_mb (8 MiB) before any arena was asked for
    assert r["ready"]["cached"] * size >= 8 * MIB
    assert r["ready"]["prefaulted"] >= 8 * MIB // size - r["before"]["cached"] >= 1
    # ~38 MB of new objects took the ready arenas first
    assert r["taken"]["reused"] - r["ready"]["reused"] >= 8
    grown = (r["taken"]["reused"] - r["ready"]["reused"]) + (r["taken"]["fresh"] - r["ready"]["fresh"])
    assert grown >= 30 * MIB // size
    # while the run goes, freeing them fills the cache up to its cap (64 MiB)
    assert 30 * MIB <= r["freed"]["cached"] * size <= 64 * MIB
    # the run stops: the cache keeps ahead_mb, the rest goes back to the OS
    assert 0 < r["stopped"]["cached"] * size <= 8 * MIB
    assert r["stopped"]["released"] - r["freed"]["released"] == r["freed"]["cached"] - r["stopped"]["cached"]
    # release() gives back exactly what the cache held
    assert r["given"] == r["stopped"]["cached"] * size
    assert r["after"]["cached"] == 0
    assert r["after"]["released"] - r["stopped"]["released"] == r["stopped"]["cached"]


def test_cap_bounds_the_free_arenas_kept_during_a_run_and_ahead_between_runs():
    r = _run("""
        import json
        from alphaforge._core import arena_cache as ac
        assert ac.install(cap_mb=32, ahead_mb=0)   # no helper: only freed arenas are kept
        ac.start_prefault()
        big = make(400_000)          # ~50 MB
        del big
        full = ac.stats()
        ac.install(cap_mb=4)         # ahead stays 0; lowering the cap gives the excess back now
        low = ac.stats()
        ac.install(cap_mb=32, ahead_mb=2)
        ac.stop_prefault()           # between runs: at most ahead_mb kept
        idle = ac.stats()
        big = make(400_000)
        del big
        print(json.dumps({"full": full, "low": low, "idle": idle, "end": ac.stats()}))
    """)
    size = r["full"]["arena_size"]
    assert 16 * MIB <= r["full"]["cached"] * size <= 32 * MIB
    assert r["full"]["released"] >= 1                    # the arenas beyond the cap went back
    assert r["full"]["prefaulted"] == 0                  # ahead_mb=0: no helper work
    assert r["low"]["cached"] * size <= 4 * MIB
    assert r["low"]["released"] - r["full"]["released"] == r["full"]["cached"] - r["low"]["cached"]
    assert r["idle"]["cached"] * size <= 2 * MIB
    assert r["end"]["cached"] * size <= 2 * MIB
    assert r["end"]["released"] - r["idle"]["released"] >= 30 * MIB // size


def test_forked_child_allocates_and_frees_while_the_parents_helper_runs():
    r = _run("""
        import json, os
        from alphaforge._core import arena_cache as ac
        ac.install(cap_mb=64, ahead_mb=16)
        make(10_000)
        ac.start_prefault()
        pid = os.fork()
        if pid == 0:                 # the child: no helper thread, a fresh lock, no run going
            x = make(200_000)
            del x                    # kept up to ahead_mb only: no run goes in the child
            kept = ac.stats()["cached"] * ac.stats()["arena_size"]
            before = ac.stats()
            ac.start_prefault()      # a helper of its own
            y = make(200_000)
            after = ac.stats()
            ac.stop_prefault()
            ok = (len(y) == 200_000 and kept <= 16 << 20
                  and after["reused"] - before["reused"] >= 16 and after["prefaulted"] >= before["prefaulted"])
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        ac.stop_prefault()
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}))
    """, timeout=60)
    assert r["status"] == 0


ROUND_TRIP_RUN = """
    import hashlib, json
    from alphaforge._core import arena_cache as ac
    from alphaforge.demo import build_demo_engine
    from alphaforge.model import BarType, OrderSide
    from alphaforge.trading import Strategy, StrategyConfig

    class EveryBarConfig(StrategyConfig):
        bar_type: BarType

    class EveryBar(Strategy):
        def on_start(self):
            self.n = 0
            self.subscribe_bars(self.config.bar_type)

        def on_bar(self, bar):
            self.n += 1
            side = OrderSide.BUY if self.n % 2 else OrderSide.SELL
            self.submit_order(self.order_factory.market(bar.bar_type.instrument_id, side, 1))

    engine = build_demo_engine()
    engine.add_strategy(EveryBar(EveryBarConfig(bar_type=BarType.from_str("6EH4.XCME-1-MINUTE-LAST-EXTERNAL"),
                                                strategy_id="EVERY-BAR")))
    out = {}
    for run in ("first", "second"):
        result = engine.run(progress=False)
        fills = result.fills_report()
        out[run] = {"fills": len(fills), "equity": round(result.stats()["final_equity"], 2),
                    "digest": hashlib.sha256(fills.to_csv().encode()).hexdigest(),
                    "positions": hashlib.sha256(result.positions_report().to_csv().encode()).hexdigest(),
                    "cache": ac.stats()}
    print(json.dumps(out))
"""


def test_backtest_results_are_the_same_with_the_cache_on_and_off(shared_data):
    on = _run(ROUND_TRIP_RUN, cache=True)
    off = _run(ROUND_TRIP_RUN, cache=False)
    for run in ("first", "second"):
        for key in ("fills", "equity", "digest", "positions"):
            assert on[run][key] == off[run][key], (run, key)
    assert on["first"]["fills"] > 20_000          # an order every bar of a month of minute bars
    assert on["first"] == {**on["second"], "cache": on["first"]["cache"]}   # a rerun gives the same
    first, second = on["first"]["cache"], on["second"]["cache"]
    assert first["installed"] and first["prefaulted"] >= 1 and first["reused"] >= 1
    # the second run's arenas come from the cache again (the helper's and those kept between runs)
    assert second["reused"] > first["reused"] and second["prefaulted"] >= first["prefaulted"]
    assert off["first"]["cache"] == {"installed": False, "reused": 0, "fresh": 0, "prefaulted": 0,
                                     "released": 0, "cached": 0, "arena_size": 0}


@pytest.mark.parametrize(("cap", "ahead"), [(-1, 0), (8, 16), (8, -2)])
def test_sizes_out_of_range_are_refused_by_name(cap, ahead, monkeypatch):
    monkeypatch.delenv("ALPHAFORGE_ARENA_CACHE", raising=False)
    with pytest.raises(ValueError, match="ahead_mb <= cap_mb"):
        arena_cache.install(cap_mb=cap, ahead_mb=ahead)
