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
