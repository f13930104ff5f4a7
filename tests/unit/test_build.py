"""The profile-guided build (``setup.py``): no instrumented extension is ever left installed, and
the training run the build depends on still runs and checks its own outcome on this build."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import alphaforge
import alphaforge._core

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "build_support" / "pgo_training.py"


def extension_files() -> list[Path]:
    core = Path(alphaforge._core.__file__).parent
    return sorted(p for p in core.iterdir() if p.suffix in (".so", ".pyd"))


def test_every_core_module_is_compiled_and_none_is_instrumented():
    files = extension_files()
    compiled = {p.name.split(".")[0] for p in files}
    sources = {p.stem for p in Path(alphaforge._core.__file__).parent.glob("*.pyi")}
    assert sources <= compiled, f"modules without a compiled extension: {sorted(sources - compiled)}"
    # -fprofile-generate links gcov's runtime into the extension (symbols __gcov_*): such a build
    # is 2x slower and writes .gcda files on every exit; the build must always recompile after it.
    instrumented = [p.name for p in files if b"__gcov_" in p.read_bytes()]
    assert instrumented == []


needs_source = pytest.mark.skipif(not TRAINING.exists(), reason="not a source checkout (no build_support/)")


def load_training():
    """``build_support/pgo_training.py`` as a module (registered first: its configs are dataclasses)."""
    if "pgo_training" not in sys.modules:
        spec = importlib.util.spec_from_file_location("pgo_training", TRAINING)
        sys.modules["pgo_training"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["pgo_training"])
    return sys.modules["pgo_training"]


@needs_source
def test_pgo_training_script_exits_cleanly_as_the_build_runs_it():
    package_parent = str(Path(alphaforge.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(TRAINING)], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("alphaforge PGO: trained on bars")


@needs_source
def test_pgo_training_orders_workload_accounts_for_every_order():
    strategy = load_training().train_orders(2_000)
    # 2,000 market orders, alternating BUY/SELL quantity 1, each filled at the next bar's open: the
    # NETTING position ends flat; plus one limit buy per 10 market orders (200), each of which ends
    # filled, canceled (every 100 market orders) or still working.
    assert strategy.submitted == 2_000
    limit_fills = strategy.filled - 2_000
    assert 0 <= limit_fills < 200 and strategy.canceled > 0
    assert limit_fills + strategy.canceled + strategy.cache.orders_open_count() == 200
    assert strategy.portfolio.is_flat(strategy.iid) == (limit_fills == 0)


@needs_source
def test_pgo_training_data_is_a_valid_bar_series():
    module = load_training()
    bars = module.random_walk_bars(1_000, seed=1)
    assert np.all(bars["low"] <= np.minimum(bars["open"], bars["close"]))
    assert np.all(bars["high"] >= np.maximum(bars["open"], bars["close"]))
    assert np.all(np.diff(bars["ts_ns"]) == module.MIN_NS)
    assert np.array_equal(bars["open"][1:], bars["close"][:-1])
