# C drivers for the execution benchmarks (scripts/bench_execution.py,
# asv_benchmarks/benchmarks/bench_execution.py): submit -> risk -> venue -> fill event loops that
# call the cdef APIs with no Python in between (except the strategy handler, when one is given).
from libc.stdint cimport int64_t
