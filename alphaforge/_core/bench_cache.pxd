# C drivers of the cache cdef APIs (benchmarks and tests call them from Python; the loops run in C).
