"""A short self-check of an installed AlphaForge: compiled modules load, the build's Cython
directives, and a few exact fixed-point and record round trips."""

from __future__ import annotations

import importlib
import pkgutil
import platform


def compiled_modules() -> list[str]:
    """Names of the compiled ``alphaforge._core`` extension modules that are importable."""
    import alphaforge._core as core

    names = []
    for info in pkgutil.iter_modules(core.__path__):
        importlib.import_module(f"alphaforge._core.{info.name}")
        names.append(info.name)
    return sorted(names)


def run_selfcheck(verbose: bool = True) -> int:
    """Run the checks; print a report when ``verbose``. Returns 0 if all pass, 1 otherwise."""
    import numpy as np

    from alphaforge import __version__
    from alphaforge.model import Price, TradeTick, trades_from_arrays

    checks: list[tuple[str, bool]] = []
    mods = compiled_modules()
    checks.append((f"{len(mods)} compiled modules import", len(mods) > 0))
    checks.append(("0.1 + 0.2 == 0.3 exactly", Price.from_str("0.1") + Price.from_str("0.2") == Price.from_str("0.3")))
    recs = trades_from_arrays(np.array([1, 2], dtype=np.int64), [61837.63, 61837.64], [0.5, 1.0],
                              price_precision=2, size_precision=3, instrument_id="BTCUSDT.BINANCE")
    t = TradeTick.from_record(recs, 1)
    checks.append(("record array -> TradeTick view", str(t.price) == "61837.64" and str(t.size) == "1.000"))
    ok = all(passed for _, passed in checks)
    if verbose:
        print(f"alphaforge {__version__} on Python {platform.python_version()} ({platform.machine()})")
        print(f"compiled modules: {', '.join(mods)}")
        for name, passed in checks:
            print(f"  [{'ok' if passed else 'FAIL'}] {name}")
        print("self-check passed" if ok else "self-check FAILED")
    return 0 if ok else 1
