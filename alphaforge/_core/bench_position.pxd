# Benchmark drivers for positions, accounts and the portfolio (C loops over their cdef paths).
