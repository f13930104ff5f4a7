"""Drivers that exercise positions, accounts and the portfolio from C, for benchmarks.

Each ``*_loop`` runs its operation once per element of the given arrays in a C loop and returns
the elapsed CPU time in ns (``time.process_time_ns`` around the loop), so a script can print ns
per operation. Sides are OrderSide values (1 BUY, 2 SELL); quantities and prices are raw int64
at scale 10^9.
"""
import time

from libc.stdint cimport int8_t, int64_t

from alphaforge._core.accounts cimport Account
from alphaforge._core.currency cimport Currency
from alphaforge._core.identifiers cimport InstrumentId
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.portfolio cimport Portfolio
from alphaforge._core.position cimport Position


def apply_raw_loop(Position position not None, const int8_t[::1] sides, const int64_t[::1] qty_raw,
                   const int64_t[::1] px_raw, int64_t commission_raw, Currency commission_currency) -> int:
    """``position.apply_raw`` for every fill; returns elapsed CPU ns."""
    cdef Py_ssize_t i, n = sides.shape[0]
    if qty_raw.shape[0] != n or px_raw.shape[0] != n:
        raise ValueError(f"array lengths differ: sides {n}, qty_raw {qty_raw.shape[0]}, px_raw {px_raw.shape[0]}")
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        position.apply_raw(sides[i], qty_raw[i], px_raw[i], commission_raw, commission_currency, i)
    return time.process_time_ns() - t0


def position_account_loop(Position position not None, Account account not None, Instrument instrument not None,
                          const int8_t[::1] sides, const int64_t[::1] qty_raw, const int64_t[::1] px_raw,
                          int64_t commission_raw, Currency commission_currency) -> int:
    """Per fill: ``position.apply_raw`` then ``account.apply_fill_c`` (emits an AccountState);
    returns elapsed CPU ns."""
    cdef Py_ssize_t i, n = sides.shape[0]
    if qty_raw.shape[0] != n or px_raw.shape[0] != n:
        raise ValueError(f"array lengths differ: sides {n}, qty_raw {qty_raw.shape[0]}, px_raw {px_raw.shape[0]}")
    cdef int64_t t0 = time.process_time_ns()
    for i in range(n):
        position.apply_raw(sides[i], qty_raw[i], px_raw[i], commission_raw, commission_currency, i)
        account.apply_fill_c(instrument, sides[i], qty_raw[i], px_raw[i], commission_raw, commission_currency,
                             position, i)
    return time.process_time_ns() - t0


def unrealized_loop(Position position not None, const double[::1] prices) -> tuple:
    """``position.unrealized_pnl_f64(price)`` for every price; returns (elapsed CPU ns, sum)."""
    cdef Py_ssize_t i
    cdef double total = 0.0
    cdef int64_t t0 = time.process_time_ns()
    for i in range(prices.shape[0]):
        total += position.unrealized_pnl_f64(prices[i])
    return time.process_time_ns() - t0, total


def update_price_loop(Portfolio portfolio not None, InstrumentId instrument_id not None,
                      const int64_t[::1] px_raw) -> int:
    """``portfolio.update_price_c`` for every price; returns elapsed CPU ns."""
    cdef Py_ssize_t i
    cdef int64_t t0 = time.process_time_ns()
    for i in range(px_raw.shape[0]):
        portfolio.update_price_c(instrument_id.index, px_raw[i])
    return time.process_time_ns() - t0
