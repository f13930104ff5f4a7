# SimulatedExchange: one venue of a backtest - its instruments' matching engines, its account, the
# queue of in-flight commands (latency) and the execution models.
#
# Interface used by the backtest loop (BacktestKernel), all times UNIX ns:
#   process_quote/process_trade/process_bar/process_delta(const XRec* rec): first apply every
#     in-flight command with arrival <= rec.ts_init, then update the instrument's market state/book
#     and match its working orders against THAT data point (records of unknown instruments are ignored).
#   next_command_ns(): earliest arrival of an in-flight command or order expiry (INT64_MAX if none).
#   process_commands(ts_now): apply every in-flight command with arrival <= ts_now in (arrival,
#     sequence) order, then expire GTD/DAY orders due by ts_now.
# Interface used by the ExecutionEngine: send_*_c(...) enqueue a command sent at ts_sent; it arrives
# at ts_sent + LatencyModel latency.
from cpython.object cimport PyObject
from libc.stdint cimport int64_t

from alphaforge._core.accounts cimport Account
from alphaforge._core.currency cimport Currency
from alphaforge._core.execution_models cimport FeeModel, FillModel, LatencyModel, QueueModel
from alphaforge._core.identifiers cimport Venue
from alphaforge._core.matching_engine cimport OrderMatchingEngine, VenueEventSink, VenueState
from alphaforge._core.orders cimport Order
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

cdef enum ExchangeCmdC:
    XCMD_SUBMIT = 1
    XCMD_SUBMIT_LIST = 2
    XCMD_MODIFY = 3
    XCMD_CANCEL = 4


ctypedef struct CmdEntry:
    int64_t arrival          # arrival time at the venue (ns)
    int64_t seq              # send sequence (ties)
    int kind                 # XCMD_*
    PyObject* payload        # a reference owned by the heap: the order, order list or modify tuple


cdef class SimulatedExchange:
    cdef readonly Venue venue
    cdef readonly int oms_type                 # OmsType value: 1 NETTING, 2 HEDGING
    cdef readonly int account_type             # AccountType value: 1 CASH, 2 MARGIN
    cdef readonly Currency base_currency
    cdef readonly list starting_balances
    cdef readonly object clock
    cdef readonly Account account
    cdef readonly VenueState state
    cdef readonly LatencyModel latency_model
    cdef readonly int book_type                # 1 L1, 2 L2, 3 L3
    cdef readonly bint use_position_ids
    cdef readonly bint allow_cash_borrowing
    cdef readonly double default_leverage
    cdef object _leverages
    cdef dict _engines                         # InstrumentId -> OrderMatchingEngine
    cdef list _engine_list
    cdef list _by_index                        # InstrumentId.index -> engine or None
    cdef list _by_bar                          # BarType.index -> engine or None (lazy)
    cdef CmdEntry* _heap                       # C binary min-heap on (arrival, seq); owns its payloads
    cdef Py_ssize_t _heap_n
    cdef Py_ssize_t _heap_cap
    cdef int64_t _cmd_seq
    cdef int64_t _next_cmd_ns                  # heap top arrival (INT64_MAX if empty)
    cdef readonly int64_t commands_processed

    cdef int process_quote(self, const QuoteTickRec* rec) except -1
    cdef int process_trade(self, const TradeTickRec* rec) except -1
    cdef int process_bar(self, const BarRec* rec) except -1
    cdef int process_delta(self, const OrderBookDeltaRec* rec) except -1
    cdef int64_t next_command_ns(self) noexcept
    cdef int process_commands(self, int64_t ts_now) except -1
    cdef int _clear_heap(self) except -1

    cdef OrderMatchingEngine engine_c(self, object instrument_id)
    cdef OrderMatchingEngine _engine_for_index(self, Py_ssize_t index)
    cdef OrderMatchingEngine _engine_for_bar(self, Py_ssize_t bar_type_index)
    cdef int set_sink_c(self, VenueEventSink sink) except -1
    cdef int _push(self, int64_t arrival, int kind, object payload) except -1
    cdef CmdEntry _pop(self) noexcept
    cdef int send_submit_c(self, Order order, int64_t ts_sent) except -1
    cdef int send_submit_list_c(self, list orders, int64_t ts_sent) except -1
    cdef int send_modify_c(self, Order order, int64_t qty_raw, bint has_price, int64_t price_raw,
                           bint has_trigger, int64_t trigger_raw, int64_t ts_sent) except -1
    cdef int send_cancel_c(self, Order order, int64_t ts_sent) except -1
    cdef int64_t _now(self) except? -1
    cdef int _reject_unknown(self, Order order, int64_t ts) except -1
