# C-level drivers for the order benchmarks (asv_benchmarks/benchmarks/bench_orders.py,
# scripts/bench_orders.py): loops that call the cdef order APIs without Python in between.
from libc.stdint cimport int64_t
