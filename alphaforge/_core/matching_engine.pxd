# Matching engine of the simulated venue: one per instrument (SimulatedExchange owns them).
#
# It keeps the instrument's market state (L1 bid/ask/last from quotes, trades and bars, or an
# OrderBook on L2/L3 venues), the working orders and the liquidity already consumed, and matches
# working orders against each data point. Events it produces go to a VenueEventSink (the
# ExecutionEngine, or the default sink that applies them to the orders and records them).
# All prices/sizes are raw int64 at scale 1e9; times are int64 UNIX ns.
from libc.stdint cimport int64_t, uint32_t, uint64_t

from alphaforge._core.accounts cimport Account
from alphaforge._core.book cimport OrderBook
from alphaforge._core.currency cimport Currency
from alphaforge._core.execution_models cimport FeeModel, FillModel, QueueModel
from alphaforge._core.identifiers cimport AccountId, InstrumentId, SeqPrefix, TradeId, Venue, VenueOrderId
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.order_events cimport OrderEvent
from alphaforge._core.orders cimport Order
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

cdef enum DataKindC:
    DK_QUOTE = 1
    DK_TRADE = 2
    DK_BAR = 3
    DK_BOOK = 4

cdef enum BarPathC:
    PATH_CLOSEST_EXTREME_FIRST = 0    # open -> the extreme nearer the open -> the other -> close
    PATH_HIGH_FIRST = 1               # open -> high -> low -> close
    PATH_LOW_FIRST = 2                # open -> low -> high -> close


cdef class VenueEventSink:
    """Receives every event a venue produces. The base class applies the event to the order and
    records it (standalone venues, tests); the ExecutionEngine overrides both methods."""
    cdef readonly list events
    cdef dict _net                      # (InstrumentId, StrategyId) -> signed filled qty (raw)
    # Deliver one event for `order` (the venue never applies events itself).
    cdef int on_venue_event_c(self, Order order, OrderEvent event) except -1
    # The venue accepted `order` (as on_venue_event_c with an OrderAccepted; a sink may apply it
    # without building the event when nobody receives it).
    cdef int on_accepted_c(self, Order order, VenueOrderId venue_order_id, AccountId account_id,
                           int64_t ts) except -1
    # Signed quantity (raw, > 0 long) of the position a reduce-only `order` would reduce.
    cdef int64_t position_qty_c(self, Order order) except? -1


cdef class VenueState:
    """Shared per-venue state: ids, account, sink and the configuration flags."""
    cdef readonly Venue venue
    cdef readonly AccountId account_id
    cdef public Account account
    cdef public VenueEventSink sink
    cdef int64_t order_seq
    cdef int64_t trade_seq
    cdef str prefix
    cdef SeqPrefix _oid_prefix        # "{venue}-": venue order ids are prefix + order_seq
    cdef SeqPrefix _tid_prefix        # "{venue}-T": trade ids are prefix + trade_seq
    cdef public bint bar_execution
    cdef public bint same_bar_fill
    cdef public bint reject_stop_orders
    cdef public bint support_contingent_orders
    cdef public int bar_path
    cdef public FillModel fill_model
    cdef public QueueModel queue_model
    cdef public FeeModel fee_model
    cdef VenueOrderId next_venue_order_id(self)
    cdef TradeId next_trade_id(self)


cdef class _Working:
    cdef Order order
    cdef int64_t arrival_ns
    cdef int64_t expire_ns               # 0 = never (GTD / DAY)
    cdef int64_t seq
    cdef uint64_t own_id                 # book own-order id (0 = not tracked)
    cdef bint fresh                      # not yet matched against a data point (taker semantics)
    cdef bint active                     # False: OTO child waiting for its parent
    cdef bint blocked                    # OCO pessimistic rule: skip for the current bar
    cdef bint done
    cdef int index_state                 # 0: in _unindexed (not done), 1: in _by_coid, 2: in neither
    cdef bint first_fill_done
    cdef bint was_post_only_checked
    cdef int64_t lock_raw                # cash accounts: balance locked for this open order (raw)
    cdef Currency lock_ccy


# One data point as the matcher sees it.
ctypedef struct MatchPoint:
    int kind                  # DataKindC
    int64_t ts_event          # data ts_event (recorded in fills as data_ts)
    int64_t ts                # engine time (ts_init of the data point)
    int64_t ask               # price a buyer takes at
    int64_t bid               # price a seller takes at
    int64_t buy_lo            # range of buyer-side prices crossed since the previous point
    int64_t buy_hi
    int64_t sell_lo
    int64_t sell_hi
    int64_t* ask_avail        # size left for buyers (INT64_MAX = unlimited); shared pool allowed
    int64_t* bid_avail
    bint has_ask
    bint has_bid
    bint continuous           # bar path segment (not the open): stops fill at their trigger
    bint is_last_point        # bar close / single-point data: IOC-like orders finish after it
    bint quote_only           # quote / book point: LAST_PRICE triggers are not evaluated
    int64_t clamp_lo          # bar: fills clamped into [low, high] after slippage (0/0 = none)
    int64_t clamp_hi


cdef class OrderMatchingEngine:
    cdef readonly Instrument instrument
    cdef readonly InstrumentId instrument_id
    cdef readonly int book_type            # 1 L1, 2 L2, 3 L3
    cdef readonly OrderBook book           # None on L1 venues
    cdef VenueState v
    # L1 market state
    cdef readonly int64_t bid_raw
    cdef readonly int64_t ask_raw
    cdef readonly int64_t last_raw
    cdef readonly int64_t bid_size_raw
    cdef readonly int64_t ask_size_raw
    cdef readonly bint has_bid
    cdef readonly bint has_ask
    cdef readonly bint has_last
    cdef int64_t _bid_left                 # displayed quote size not yet consumed
    cdef int64_t _ask_left
    cdef dict _used_bid                    # book: price raw -> size consumed at that level
    cdef dict _used_ask
    cdef list _working                     # _Working in priority (arrival) order
    cdef dict _by_coid                     # ClientOrderId -> _Working (working or held), once indexed
    cdef list _unindexed                   # added since the last lookup by id (see _index_working)
    cdef Py_ssize_t _unindexed_live        # entries of _unindexed not done yet
    cdef dict _children                    # parent ClientOrderId -> list of held _Working (OTO)
    cdef int64_t _seq
    cdef uint64_t _own_seq
    cdef readonly int64_t next_expiry_ns
    cdef bint _dirty                       # _working holds finished entries to drop
    cdef int _match_depth                  # _match calls walking _working now (see _compact)
    cdef bint _oco_working                 # an OCO order went to work since _working was last empty
    cdef int64_t _cur_ts                   # engine time of the point being matched
    cdef int _bar_point                    # index 0..3 of the bar path point being matched
    cdef int _trade_aggressor              # aggressor side of the trade being matched
    cdef int64_t _last_bar_ts              # same_bar_fill: ts_event of the last bar (-1 none)
    cdef int64_t _last_bar_tsi
    cdef int64_t _last_bar_close
    cdef int64_t _last_bar_pool
    cdef int64_t _last_bar_lo
    cdef int64_t _last_bar_hi

    cdef int process_quote_c(self, const QuoteTickRec* rec) except -1
    cdef int process_trade_c(self, const TradeTickRec* rec) except -1
    cdef int process_bar_c(self, const BarRec* rec) except -1
    cdef int process_delta_c(self, const OrderBookDeltaRec* rec) except -1
    cdef int expire_c(self, int64_t ts_now) except -1

    # commands arriving at the venue (ts = arrival time)
    cdef int submit_c(self, Order order, int64_t ts) except -1
    cdef int submit_list_c(self, list orders, int64_t ts) except -1
    cdef int modify_c(self, Order order, int64_t qty_raw, bint has_price, int64_t price_raw,
                      bint has_trigger, int64_t trigger_raw, int64_t ts) except -1
    cdef int cancel_c(self, Order order, int64_t ts) except -1

    cdef _Working _add_working(self, Order order, int64_t ts, bint active)
    cdef int _index_working(self) except -1
    cdef _Working _working_for(self, object client_order_id)
    cdef bint _is_working_id(self, object client_order_id) except -1
    cdef int _unindex(self, _Working w) except -1
    cdef int _activate(self, _Working w, int64_t ts) except -1
    cdef int _emit(self, Order order, OrderEvent event) except -1
    cdef int _reject(self, Order order, str reason, bint post_only, int64_t ts) except -1
    cdef int _accept(self, _Working w, int64_t ts) except -1
    cdef int _finish(self, _Working w, int how, int64_t ts) except -1
    cdef int _on_closed(self, _Working w, int64_t ts) except -1
    cdef int _match(self, MatchPoint* p) except -1
    cdef int _match_order(self, _Working w, MatchPoint* p) except -1
    cdef int _trigger_check(self, _Working w, MatchPoint* p, int64_t* fill_px) except -1
    cdef int _update_trailing(self, _Working w, MatchPoint* p) except -1
    cdef int64_t _take_l1(self, _Working w, MatchPoint* p, int64_t px, int64_t qty, bint taker,
                          bint slip) except -1
    cdef int64_t _take_book(self, _Working w, MatchPoint* p, bint has_limit, int64_t limit,
                            int64_t qty, bint taker) except -1
    cdef int64_t _room(self, _Working w, int64_t want) except -1
    cdef int _fill(self, _Working w, int64_t qty, int64_t px, int liq, MatchPoint* p) except -1
    cdef int _after_fill(self, _Working w, int64_t ts) except -1
    cdef int _cancel_linked(self, Order order, int64_t ts) except -1
    cdef int _compact(self) except -1
    cdef int _recompute_expiry(self) except -1
    cdef int _oco_pessimistic(self, int64_t lo, int64_t hi) except -1
    cdef bint _can_afford(self, Order order, int64_t qty, int64_t px) except -1
    cdef int _same_bar(self, _Working w) except -1
    cdef bint _lock(self, _Working w, int64_t ts) except -1
    cdef int _unlock(self, _Working w, int64_t qty_raw, int64_t ts) except -1
    cdef int _tif_after(self, _Working w, MatchPoint* p, bint was_fresh) except -1
    cdef int _maker(self, _Working w, MatchPoint* p, int64_t limit) except -1
    cdef int _join_queue(self, _Working w) except -1
    cdef int64_t _book_avail(self, int side, bint has_limit, int64_t limit) except -1
    cdef bint _market_ask_ok(self)
    cdef int64_t _market_ask(self)
    cdef bint _market_bid_ok(self)
    cdef int64_t _market_bid(self)
    cdef int64_t _now_hint(self, _Working w)
