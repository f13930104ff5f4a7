"""Shared test fixtures. Real market data is read in place from ``../shared/data``."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
BENCH_GEN = (REPO_ROOT / ".." / "shared" / "bench" / "gen_data.py").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to the real market-data recordings (``../shared/data`` from the repo root)."""
    if not SHARED_DATA.is_dir():
        raise RuntimeError(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def gen_data():
    """The deterministic workload generator ``../shared/bench/gen_data.py`` as a module
    (``gen_data.make_bars(n, np.random.default_rng(7))`` etc.)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("alphaforge_gen_data", BENCH_GEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference_ema_cross(open_, close, fast=10, slow=20, size=1.0, cash=1_000_000.0):
    """Plain-Python EMA crossover, independent of the engine: EMA seeded with the SMA of the first
    n closes, alpha 2/(n+1); a cross at bar i (both EMAs defined at i-1 and i) sets the target
    position +size/-size, filled at bar i+1's open, no fees.
    Returns (final equity, number of fills, final position, [(bar index, signed qty, price)])."""
    import math

    def ema(x, n):
        a = 2.0 / (n + 1)
        out = [math.nan] * len(x)
        s = math.fsum(x[:n]) / n
        out[n - 1] = s
        for i in range(n, len(x)):
            s = s * (1 - a) + x[i] * a
            out[i] = s
        return out

    o, c = list(open_), list(close)
    f, s = ema(c, fast), ema(c, slow)
    pos, pending, fill_list = 0.0, None, []
    for i in range(len(c)):
        if pending is not None:
            q = pending - pos
            cash -= q * o[i]
            fill_list.append((i, q, o[i]))
            pos = pending
            pending = None
        if i < slow:
            continue
        if f[i - 1] <= s[i - 1] and f[i] > s[i] and pos != size:
            pending = size
        elif f[i - 1] >= s[i - 1] and f[i] < s[i] and pos != -size:
            pending = -size
    return cash + pos * c[-1], len(fill_list), pos, fill_list


@pytest.fixture(scope="session")
def ema_cross_reference():
    """The plain-Python EMA-crossover reference (see ``_reference_ema_cross``)."""
    return _reference_ema_cross
