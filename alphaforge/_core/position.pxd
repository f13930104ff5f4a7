# Positions: quantity, side, average prices, realized/unrealized PnL and commissions, updated by
# fills. All quantities are raw int64 at scale 10^9; prices in the averages are doubles (see
# position.pyx for the rounding rules).
from libc.stdint cimport int64_t, uint8_t, uint64_t

from alphaforge._core.currency cimport Currency
from alphaforge._core.order_events cimport OrderFilled
from alphaforge._core.identifiers cimport (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TradeId,
)

# A fill's numbers, read from an OrderFilled (its C fields `side`, `last_qty_raw`, `last_px_raw`,
# `commission_raw`, `commission_currency`) or from any duck-typed fill (`order_side`, `last_qty`,
# `last_px`, `commission`).
cdef struct FillRaw:
    int side                 # OrderSide value: 1 BUY, 2 SELL
    int64_t qty_raw
    int64_t px_raw
    int64_t commission_raw
    int64_t ts_event

# Fills `out` and returns the commission currency (None when no commission); raises naming the field.
cdef Currency read_fill(object fill, FillRaw* out)

# PositionSide values (alphaforge.model.enums.PositionSide)
cdef enum PositionSideC:
    POS_FLAT = 0
    POS_LONG = 1
    POS_SHORT = 2


cdef class Position:
    cdef readonly PositionId id
    cdef readonly InstrumentId instrument_id
    cdef readonly StrategyId strategy_id
    cdef readonly AccountId account_id
    cdef readonly ClientOrderId opening_order_id
    """Client order id of the fill that opened the current cycle (or leg, after a flip)."""
    cdef readonly ClientOrderId closing_order_id
    """Client order id of the fill that last closed the position (None while never closed)."""
    cdef readonly str instrument_class
    """The instrument's class ("SPOT", "PERPETUAL", "FUTURE")."""
    cdef readonly Currency quote_currency
    cdef readonly Currency base_currency
    cdef readonly Currency settlement_currency
    cdef readonly Currency pnl_currency
    """Currency of realized/unrealized PnL: the base currency for inverse instruments, else settlement."""
    cdef readonly double multiplier
    cdef readonly bint is_inverse
    cdef readonly uint8_t price_precision
    cdef readonly uint8_t size_precision

    cdef int _side
    cdef int _entry
    cdef int _cycle_fills
    cdef readonly int64_t signed_qty_raw
    """Signed quantity, raw (value * 10^9): > 0 long, < 0 short."""
    cdef readonly int64_t peak_qty_raw
    cdef readonly int64_t buy_qty_raw
    cdef readonly int64_t sell_qty_raw
    cdef int64_t _closed_qty_raw
    cdef readonly double avg_px_open
    cdef readonly double avg_px_close
    cdef readonly double realized_return
    cdef readonly int64_t realized_pnl_raw
    """Realized PnL of the current cycle, raw, in ``pnl_currency`` (commissions in it included)."""
    cdef readonly int64_t last_pnl_raw
    """PnL (commission excluded) realized by the most recently applied fill, raw, in pnl_currency."""
    cdef readonly int64_t last_commission_raw
    cdef readonly bint last_fill_flipped
    """True when the most recently applied fill flipped the position through zero."""
    cdef readonly TradeId last_trade_id
    cdef readonly int64_t ts_opened
    cdef readonly int64_t ts_last
    cdef readonly int64_t ts_closed
    cdef readonly int event_count
    cdef list _trade_ids
    cdef set _trade_id_set              # the same ids as a set, made when first needed (None before)
    cdef list _client_order_ids         # each id once
    cdef set _client_order_id_set       # the same ids as a set, made when first needed (None before)
    cdef list _fills
    cdef dict _commissions          # currency code -> [Currency, raw int]
    # A trading Cache's bookkeeping (the position never reads it): the serial of the cache that
    # stores this very object under its id (0: none trusted), whether that cache lists it as open,
    # whether its id waits in that cache's _open_closing list, and the opening order id it found
    # linked to this position, at which of its link versions
    cdef uint64_t _cache_owner
    cdef bint _cache_open
    cdef bint _cache_closing
    cdef object _cache_linked
    cdef int64_t _cache_linked_at

    # Fast path (no Python fill object): side is OrderSide (1 BUY, 2 SELL), raw values at 10^9,
    # commission in `commission_currency` (None = no commission).
    cdef int apply_raw(
        self,
        int side,
        int64_t qty_raw,
        int64_t px_raw,
        int64_t commission_raw,
        Currency commission_currency,
        int64_t ts_event,
    ) except -1
    cdef void _reset_cycle(self) noexcept
    cdef double pnl_f64(self, double avg_px_open, double avg_px_close, double quantity) noexcept
    cpdef double unrealized_pnl_f64(self, double last_price) noexcept
    cpdef double notional_f64(self, double last_price) noexcept
    cpdef bint is_opposite_side(self, int order_side) noexcept
    # `apply(fill)` for Cython callers (OrderFilled or duck-typed fill).
    cdef int apply_fill_c(self, object fill) except -1
    # The ExecutionEngine's fill, already applied to its Order (which refuses a trade id it saw):
    # no trade-id check here; ``first_of_order``: the order's first fill (its id is new here).
    cdef int apply_order_fill_c(self, OrderFilled fill, bint first_of_order) except -1
    cdef int _apply_filled(self, OrderFilled f, bint coid_new) except -1
    cdef int _check_fill(self, object iid, object tid) except -1
    cdef int _book_fill(self, int side, int64_t qty_raw, int64_t px_raw, int64_t commission_raw,
                        Currency commission_currency, int64_t ts_event, object tid, object coid,
                        object account_id, object fill, bint coid_new) except -1
    # Record a fill's trade id and client order id (``coid_new``: known not to be listed yet).
    cdef int record_ids_c(self, object tid, object coid, bint coid_new) except -1


cdef class PositionEvent:
    cdef readonly PositionId position_id
    cdef readonly InstrumentId instrument_id
    cdef readonly StrategyId strategy_id
    cdef readonly AccountId account_id
    cdef readonly ClientOrderId opening_order_id
    cdef readonly ClientOrderId closing_order_id
    cdef readonly object entry
    cdef readonly object side
    cdef readonly double signed_qty
    # quantities, price and PnL are kept raw (1e9 scale); the Quantity/Price/Money properties
    # of the same names are built when read
    cdef readonly int64_t quantity_raw
    cdef readonly int64_t peak_qty_raw
    cdef readonly int64_t last_qty_raw
    cdef readonly int64_t last_px_raw
    cdef readonly int64_t realized_pnl_raw
    cdef readonly int64_t unrealized_pnl_raw
    cdef readonly uint8_t size_precision
    cdef readonly uint8_t price_precision
    cdef readonly Currency currency
    cdef readonly double avg_px_open
    cdef readonly double avg_px_close
    cdef readonly double realized_return
    cdef readonly TradeId trade_id
    cdef readonly int64_t duration_ns
    cdef readonly int64_t ts_opened
    cdef readonly int64_t ts_closed
    cdef readonly int64_t ts_event
    cdef readonly int64_t ts_init

    cdef int _fill_from(self, Position p, int64_t last_qty_raw, int64_t last_px_raw,
                        int64_t ts_event, int64_t ts_init) except -1


cdef class PositionOpened(PositionEvent):
    pass


cdef class PositionChanged(PositionEvent):
    pass


cdef class PositionClosed(PositionEvent):
    pass
