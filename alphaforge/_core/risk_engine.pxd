# RiskEngine: pre-trade checks between strategies and the ExecutionEngine.
#
# Every strategy command goes through it. A denied submit emits OrderDenied (with the reason) to the
# strategy; a denied modify emits OrderModifyRejected. Trading state: ACTIVE (all pass the checks),
# REDUCING (only orders that reduce the current position pass; cancels always pass), HALTED (kill
# switch: every submit and modify is denied; cancels still pass).
from libc.stdint cimport int64_t

from alphaforge._core.execution_engine cimport ExecutionEngine
from alphaforge._core.identifiers cimport PositionId
from alphaforge._core.orders cimport Order


cdef class _Throttle:
    cdef int64_t* _ts                  # ring of the last `limit` accepted command times (ns)
    cdef Py_ssize_t limit
    cdef int64_t interval_ns
    cdef Py_ssize_t _head
    cdef Py_ssize_t _n
    cdef bint allow_c(self, int64_t now) noexcept
    cdef void reset(self) noexcept


cdef class RiskEngine:
    cdef readonly ExecutionEngine exec_engine
    cdef readonly object cache
    cdef readonly object portfolio
    cdef readonly object clock
    cdef readonly object config
    cdef readonly int trading_state_c          # TradingState value: 1 ACTIVE, 2 REDUCING, 3 HALTED
    cdef readonly bint bypass
    cdef _Throttle _submit_throttle
    cdef _Throttle _modify_throttle
    cdef dict _max_notional                    # InstrumentId -> double (quote currency units)
    cdef dict _max_position                    # InstrumentId -> int raw quantity
    cdef double _price_band                    # fraction around the reference price (0 = off)
    cdef readonly int64_t denied_count

    cdef int64_t now_c(self) except? -1
    # position_id: the position the order targets (close_position / submit with a position id)
    cdef str check_order_c(self, Order order, PositionId position_id=*)
    cdef bint _reduces(self, Order order) except -1
    cdef int64_t _ref_price(self, Order order) except? -1
    cdef int submit_order_c(self, Order order, PositionId position_id) except -1
    cdef bint _reduces_any(self, Order order, PositionId position_id) except -1
    cdef int64_t _market_price(self, Order order) except? -1
    cdef str _check_exit(self, Order o)
