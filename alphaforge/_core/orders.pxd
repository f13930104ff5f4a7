# Order: one cdef class for every order type, driven by ONE table-driven state machine.
#
# C callers (matching engine, risk, execution) read the readonly C fields directly: enum values in
# `*_c` ints (constants OT_*, TIF_*, OS_*, ... from order_events.pxd), prices/quantities as `*_raw`
# int64 at scale 1e9 with `px_prec` / `qty_prec`. Python properties without the suffix return
# IntEnums / Price / Quantity. State changes only through apply_c(event) (or apply(event)).
from libc.stdint cimport int64_t, uint8_t, uint64_t

from alphaforge._core.currency cimport Currency

from alphaforge._core.identifiers cimport (
    AccountId,
    ClientOrderId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from alphaforge._core.order_events cimport (
    OrderAccepted,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderSubmitted,
    OrderUpdated,
)

# True when an order in status `from_status` may move to `to_status` (both OrderStatus values).
cdef bint transition_valid(int from_status, int to_status) noexcept nogil


cdef class Order:
    cdef readonly TraderId trader_id
    cdef readonly StrategyId strategy_id
    cdef readonly InstrumentId instrument_id
    cdef readonly ClientOrderId client_order_id
    cdef readonly VenueOrderId venue_order_id      # None until accepted / filled
    cdef readonly PositionId position_id           # None until the OMS assigns one
    cdef readonly AccountId account_id             # None until submitted
    cdef readonly OrderListId order_list_id
    cdef readonly ClientOrderId parent_order_id
    cdef readonly TradeId last_trade_id
    cdef readonly int64_t init_id                  # event_id of the OrderInitialized
    # enums (values of alphaforge.model.enums)
    cdef readonly int side_c
    cdef readonly int order_type_c
    cdef readonly int time_in_force_c
    cdef readonly int status_c
    cdef readonly int previous_status_c            # status before the current PENDING_* state
    cdef readonly int trigger_type_c
    cdef readonly int trailing_offset_type_c
    cdef readonly int contingency_type_c
    cdef readonly int liquidity_side_c             # of the last fill (0 before any fill)
    # fixed-point fields (1e9 scale)
    cdef readonly int64_t quantity_raw
    cdef readonly int64_t filled_qty_raw
    cdef readonly int64_t leaves_qty_raw
    cdef readonly uint8_t qty_prec
    cdef readonly int64_t price_raw                # limit price, valid when has_price
    cdef readonly int64_t trigger_price_raw        # valid when has_trigger
    cdef readonly int64_t activation_price_raw     # valid when has_activation
    cdef readonly uint8_t px_prec
    cdef readonly bint has_price
    cdef readonly bint has_trigger
    cdef readonly bint has_activation
    cdef readonly int64_t display_qty_raw          # -1 = none
    cdef readonly int64_t trailing_offset_raw      # price units / basis points / ticks at 1e9
    cdef readonly int64_t limit_offset_raw
    cdef readonly int64_t expire_time_ns           # 0 = none
    cdef readonly bint post_only
    cdef readonly bint reduce_only
    cdef readonly bint quote_quantity
    cdef readonly bint is_triggered
    cdef readonly bint is_activated
    cdef readonly double avg_px                    # volume-weighted fill price (0.0 before fills)
    cdef readonly double slippage                  # avg_px vs limit price, adverse > 0 (price units)
    cdef readonly int64_t ts_init
    cdef readonly int64_t ts_last                  # ts_event of the last applied event
    # collections (Python-visible copies through properties)
    # The applied events, oldest first: the first four in _ev0.._ev3 (_n_ev of them) while
    # _events is None, all in the list _events from the fifth on (then _n_ev == 0). Read and
    # written through orders.pyx's _ev_* helpers. Event 0 is None when the OrderInitialized is
    # implicit; marks stand for implicit OrderSubmitted/OrderAccepted. A market order's whole life
    # (initialized, submitted, accepted, filled) fits the slots: no list per order.
    cdef object _ev0, _ev1, _ev2, _ev3
    cdef Py_ssize_t _n_ev
    cdef list _events
    cdef int64_t _ts_submitted                     # ts and event_id of the implicit OrderSubmitted /
    cdef int64_t _ts_accepted                      # OrderAccepted (ids taken when applied, in sequence)
    cdef int64_t _submitted_id
    cdef int64_t _accepted_id
    cdef uint8_t _implicit                         # bits: an implicit submitted (1) / accepted (2) mark
    cdef int64_t _init_ts_event                    # ts_event of the OrderInitialized
    cdef list _trade_ids                           # None until the second fill (last_trade_id holds the first)
    cdef Currency _comm_ccy                        # first commission currency (None before fills)
    cdef int64_t _comm_raw                         # total commission in _comm_ccy (1e9 scale)
    cdef dict _commissions                         # other currencies: Currency -> int raw (rare)
    cdef tuple _linked_order_ids                   # tuple of ClientOrderId or None
    cdef tuple _tags
    cdef double _px_qty_sum                        # sum(last_px * last_qty) in decimal units
    # The serial of the trading Cache that stores this very object under its client order id (0:
    # none trusted), and which of that cache's state sets hold it (its bookkeeping; the order never
    # reads either)
    cdef uint64_t _cache_owner
    cdef uint8_t _cache_flags
    # The serial of the trading Cache that numbered this order first (0: none) and that number (its
    # add sequence there); other caches keep theirs in a dict
    cdef uint64_t _seq_owner
    cdef Py_ssize_t _seq_in_owner

    @staticmethod
    cdef Order create_c(OrderInitialized init)
    # An order whose OrderInitialized is not kept (no reference to ``init`` stays: the caller may
    # reuse it): it is rebuilt from the order's own fields when read (kept from the first modify
    # or market-to-limit fill on). For the OrderFactory, which drops its event anyway; saves the
    # event's memory for every order of a run.
    @staticmethod
    cdef Order create_implicit_c(OrderInitialized init)
    cdef OrderInitialized _init_event_c(self)
    cdef OrderInitialized _rebuild_init_c(self)
    cdef int _keep_init(self) except -1
    cdef int apply_c(self, OrderEvent event) except -1
    # The engine's OrderSubmitted / OrderAccepted (kind EVK_SUBMITTED / EVK_ACCEPTED; venue_order_id
    # None for a submit) when nobody receives the event: the same state change as apply_c, the
    # event itself rebuilt from the order's fields when read (then kept).
    cdef int apply_implicit_c(self, int kind, VenueOrderId venue_order_id, AccountId account_id,
                              int64_t ts) except -1
    cdef int _set_ids(self, VenueOrderId venue_order_id, AccountId account_id) except -1
    cdef int _keep_implicit(self) except -1
    cpdef void apply(self, OrderEvent event) except *
    cdef void _init_from(self, OrderInitialized init, bint keep_init) noexcept
    cdef int _fill(self, OrderFilled fill, int64_t new_filled) except -1
    cdef int _update(self, OrderUpdated upd) except -1
    cdef int set_contingency_c(self, OrderListId order_list_id, int contingency_type,
                               tuple linked_order_ids, ClientOrderId parent_order_id) except -1
    cdef inline bint is_open_c(self) noexcept:
        return (self.status_c == 4 or self.status_c == 6 or self.status_c == 7
                or self.status_c == 8 or self.status_c == 9)
    cdef inline bint is_closed_c(self) noexcept:
        return (self.status_c == 2 or self.status_c == 5 or self.status_c == 10
                or self.status_c == 11 or self.status_c == 12)
    cdef inline bint is_inflight_c(self) noexcept:
        return self.status_c == 3 or self.status_c == 7 or self.status_c == 8
    cpdef void set_activated(self) except *
    cpdef bint would_reduce_only(self, int position_side, int64_t position_qty_raw)
