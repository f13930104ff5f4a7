"""C drivers for order benchmarks: each loop runs entirely through cdef APIs (no Python calls
inside the loop) and returns a checksum so the work cannot be skipped."""
from libc.stdint cimport int64_t

from alphaforge._core.currency cimport Currency
from alphaforge._core.identifiers cimport AccountId, InstrumentId, SeqPrefix, TradeId, VenueOrderId, seq_id
from alphaforge._core.order_events cimport (
    LIQ_TAKER,
    OT_MARKET,
    TIF_GTC,
    OrderAccepted,
    OrderFilled,
    OrderSubmitted,
)
from alphaforge._core.order_factory cimport OrderFactory
from alphaforge._core.orders cimport Order


def create_market_orders(OrderFactory factory not None, InstrumentId instrument_id not None,
                         int64_t n) -> int:
    """Create ``n`` MARKET orders (1 unit, precision 0) via ``OrderFactory.market_c``.
    Returns the sum of quantity raws."""
    cdef int64_t i, total = 0
    cdef Order o
    for i in range(n):
        o = factory.market_c(instrument_id, 1 + (i & 1), 1000000000, 0, TIF_GTC, False)
        total += o.quantity_raw
    return total


def order_round_trips(OrderFactory factory not None, InstrumentId instrument_id not None,
                      AccountId account_id not None, Currency currency not None, int64_t n,
                      bint fresh_ids=False) -> int:
    """``n`` times: create a MARKET order, then create and apply OrderSubmitted, OrderAccepted and
    OrderFilled (full fill at 100.00 with a commission). ``fresh_ids`` also builds a new
    VenueOrderId and TradeId per order (what a venue pays); otherwise one of each is reused.
    Returns the sum of filled quantity raws (== n * 1e9)."""
    cdef int64_t i, total = 0, ts
    cdef Order o
    cdef VenueOrderId vid = VenueOrderId("V-0")
    cdef TradeId tid = TradeId("T-0")
    cdef SeqPrefix vid_prefix = SeqPrefix("V-"), tid_prefix = SeqPrefix("T-")
    for i in range(n):
        o = factory.market_c(instrument_id, 1 + (i & 1), 1000000000, 0, TIF_GTC, False)
        ts = o.ts_init
        if fresh_ids:
            vid = <VenueOrderId>seq_id(VenueOrderId.__new__(VenueOrderId), vid_prefix, i)
            tid = <TradeId>seq_id(TradeId.__new__(TradeId), tid_prefix, i)
        o.apply_c(OrderSubmitted.create_c(o.trader_id, o.strategy_id, instrument_id,
                                          o.client_order_id, account_id, ts, ts))
        o.apply_c(OrderAccepted.create_c(o.trader_id, o.strategy_id, instrument_id,
                                         o.client_order_id, vid, account_id, ts, ts))
        o.apply_c(OrderFilled.create_c(o.trader_id, o.strategy_id, instrument_id, o.client_order_id,
                                       vid, account_id, tid, None, o.side_c, OT_MARKET,
                                       1000000000, 0, 100000000000, 2, currency, 50000000,
                                       currency, LIQ_TAKER, "TRADE", ts, ts, ts))
        total += o.filled_qty_raw
    return total
