"""Instructions per order and per bar in the backtest loop, counted by valgrind (callgrind).

Wall-clock figures on a shared VM move by 10-30% from one minute to the next; instruction counts do
not (they repeat to within 0.1%). This script counts the instructions executed inside
``BacktestKernel.run`` (the C loop, strategy code included) for two workloads of
``scripts/bench_backtest.py``, at sizes valgrind runs in about a minute:

* ``orders``: 20,000 market orders round trip (workload 3's strategy) -> instructions per order;
* ``bars``: the EMA(10)/EMA(20) cross on the first 200,000 bars of workload 1 -> instructions per bar.

Usage: ``python scripts/count_instructions.py`` (needs ``valgrind`` on the PATH; Debian package
``valgrind``). Both workloads run in parallel, one per core.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_SYMBOL = "__pyx_pw_10alphaforge_5_core_15backtest_kernel_14BacktestKernel_11run"
WORKLOADS = {"orders": 20_000, "bars": 200_000}


def child(kind: str, n: int) -> None:
    """Run one workload once (the process valgrind measures), through the bench's own drivers."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_backtest as b

    if kind == "orders":
        print(f"fills {b.engine_orders(b.make_bars(n + 1), n)['filled']}")
    else:
        print(f"fills {b.engine_bars(b.make_bars(n))['fills']}")


def main() -> None:
    if len(sys.argv) == 3:
        child(sys.argv[1], int(sys.argv[2]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        procs = {}
        for kind, n in WORKLOADS.items():
            cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/{kind}.out",
                   f"--toggle-collect={RUN_SYMBOL}", sys.executable, __file__, kind, str(n)]
            procs[kind] = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        for kind, proc in procs.items():
            out = proc.communicate()[0]
            m = re.search(r"Collected : (\d+)", out)
            fills = re.search(r"fills (\d+)", out)
            if proc.returncode or not m:
                sys.exit(f"{kind}: valgrind run failed:\n{out[-2000:]}")
            n = WORKLOADS[kind]
            unit = "order" if kind == "orders" else "bar"
            print(f"{kind:6s} {int(m.group(1)) / n:10,.0f} instructions per {unit}"
                  f"   ({n:,} {unit}s, {fills.group(1) if fills else '?'} fills)")


if __name__ == "__main__":
    main()
