"""Per-instrument matching engine of the simulated venue.

Rules (all deterministic; prices/sizes raw int64 at scale 1e9, times UNIX ns):

**Timing.** A command reaches the venue at its arrival time (submit time + latency); the order is
accepted (or rejected) then and is matched only against data points processed at or after its
arrival (the exchange applies due commands before each data point). Every ``OrderFilled`` carries
``data_type`` ("QUOTE", "TRADE", "BAR", "BOOK") and ``data_ts`` (that data point's ts_event);
``ts_event`` of venue events is the engine time (the data point's ts_event - venue time - or the arrival time).

**Taker / maker.** The first data point an order is matched against is its taker pass: a market
order, or a limit order whose price crosses the market, takes liquidity at the market price (ask /
bid, trade price, bar open, book levels) as TAKER. Afterwards a resting limit order fills as MAKER at
its own limit price when the market trades through it (quote ask/bid beyond it, a trade beyond it,
a bar path segment beyond it), or, when the market only *touches* its price, with the FillModel's
``prob_fill_on_limit`` (or by queue position on L2/L3 venues with a QueueModel). Exception: at a
bar's open a resting limit the open gapped through fills at the (better) open price.

**Liquidity.** Quotes: the displayed size (bid_size / ask_size; a size of 0 means unknown =
unlimited), consumed by fills until the next quote replaces it. Trades: the trade size, one pool
for both sides. Bars: the bar volume for the whole bar (0 = unknown = unlimited). Books: each
level's size; the size consumed at a level is remembered until a delta updates that level. An order
that finds no liquidity left keeps working (market orders included) unless its time in force ends.

**Bars** (``bar_execution=True``): a bar is replayed as four points open -> e1 -> e2 -> close
where (e1, e2) is (high, low) or (low, high): ``"closest_extreme_first"`` (default) visits the
extreme nearer the open first (low first on a tie), ``"high_first"`` / ``"low_first"`` fix it.
A stop or if-touched order triggered inside a segment fills at its trigger price (plus FillModel
slippage, clamped into [low, high]); at the open at the open price. A market order arriving before
a bar fills at that bar's open (plus slippage). ``same_bar_fill=True`` (the named look-ahead opt-in):
an order arriving after a bar was processed and before the next data point of its instrument is
also matched once against that bar's close (as a single point at the close price, data_ts = the
bar's ts_event) - i.e. strategies fill at the close of the bar they decided on.

**Triggers.** ``trigger_type`` DEFAULT / BID_ASK: buy-side orders use the ask, sell-side the bid on
quotes and books; MID_POINT / MARK_PRICE: the mid; LAST_PRICE: trades and bars only (quotes do not
trigger them). Trades and bars trigger every type with their price. Stops trigger when the price
reaches the trigger (buy: >=, sell: <=), if-touched orders the other way. Trailing stops
(``trailing_offset_type`` PRICE, BASIS_POINTS, TICKS) start trailing once activated (at their
``activation_price``, or at once): the trigger follows the market (sell: price - offset, only up;
buy: price + offset, only down) and each change emits ``OrderUpdated``; a point is first checked
against the current trigger, then the trigger moves.

**Time in force.** GTC/GTD/DAY keep working; GTD expires at ``expire_time_ns``, DAY at the end of
the UTC day of its arrival (``OrderExpired`` with ts_event = the expiry time, emitted before the
first data point at or after it, or earlier when the exchange is asked to process commands then).
IOC, AT_THE_OPEN: matched against one data point (a bar: its open), the remainder canceled. FOK: the
same, but filled only when the whole quantity is available at that point, else canceled unfilled.
AT_THE_CLOSE: on bar data matched only at the next bar's close point, then canceled; on ticks IOC.

**Flags.** post-only orders that would take at arrival are rejected (``due_post_only``) and never
take afterwards; reduce-only orders are filled only up to the opposite position quantity and
canceled when the position is flat or on the same side; ``reject_stop_orders`` rejects stop orders
whose trigger is already through the market at arrival; ``quote_quantity`` orders are rejected.
Display quantity (iceberg) is not modelled: the full quantity is matched.

**Contingencies** (``support_contingent_orders``): OTO children are held until the parent is fully
filled, then accepted and matched from the next data point; they are canceled when the parent is
canceled, expired or rejected. OCO: a fill of one leg cancels the others; when one data point could
fill several legs of an OCO group, only one is allowed (pessimistic rule): a stop-type leg
(STOP_MARKET, STOP_LIMIT, TRAILING_STOP_*) is assumed first, else the earliest submitted leg; the
other legs are canceled if it fills. OUO: a fill reduces the other legs to this leg's leaves
quantity (``OrderUpdated``), a full fill or a cancel cancels them.

**Numbers.** Prices and quantities stay raw int64; the cash-affordability check (quantity x price x
multiplier x (1 + taker fee)) and basis-point trailing offsets are computed in double.

**Cash accounts.** An accepted priced order (limit / trigger price) locks what it may spend (a buy:
notional at its price plus the taker fee, in the quote currency; a pair sell: the base quantity); an
order whose lock exceeds the free balance is rejected at arrival. Each fill releases its share of
the lock; cancel/expiry releases the rest. A fill the account cannot pay for (buy: notional plus taker fee beyond the free
quote balance; sell: beyond the free base currency of a pair or the position of an equity, unless
borrowing is allowed) is not made: the order is rejected (or canceled when already partly filled).
"""
cimport cython
from libc.stdint cimport INT64_MAX, int64_t, uint32_t, uint64_t

from alphaforge._core.accounts cimport Account
from alphaforge._core.book cimport OrderBook
from alphaforge._core.list_room cimport list_truncate
from alphaforge._core.fixed cimport f64_to_raw, raw_round
from alphaforge._core.currency cimport Currency
from alphaforge._core.execution_models cimport FeeModel, FillModel, QueueModel
from alphaforge._core.identifiers cimport (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    Venue,
    VenueOrderId,
    SeqPrefix,
    seq_id,
)
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.order_events cimport (
    CONT_OCO,
    CONT_OTO,
    CONT_OUO,
    LIQ_MAKER,
    LIQ_TAKER,
    OS_ACCEPTED,
    OS_FILLED,
    OS_PARTIALLY_FILLED,
    OS_PENDING_CANCEL,
    OS_PENDING_UPDATE,
    OS_SUBMITTED,
    OS_TRIGGERED,
    OT_LIMIT,
    OT_LIMIT_IF_TOUCHED,
    OT_MARKET,
    OT_MARKET_IF_TOUCHED,
    OT_MARKET_TO_LIMIT,
    OT_STOP_LIMIT,
    OT_STOP_MARKET,
    OT_TRAILING_STOP_LIMIT,
    OT_TRAILING_STOP_MARKET,
    TIF_AT_THE_CLOSE,
    TIF_AT_THE_OPEN,
    TIF_DAY,
    TIF_FOK,
    TIF_GTD,
    TIF_IOC,
    TOFF_BASIS_POINTS,
    TOFF_TICKS,
    TRIG_LAST_PRICE,
    TRIG_MARK_PRICE,
    TRIG_MID_POINT,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderTriggered,
    OrderUpdated,
)
from alphaforge._core.orders cimport Order
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

cdef int64_t DAY_NS = 86_400_000_000_000
cdef str _DT_QUOTE = "QUOTE"
cdef str _DT_TRADE = "TRADE"
cdef str _DT_BAR = "BAR"
cdef str _DT_BOOK = "BOOK"

# _finish how
cdef enum:
    FIN_CANCEL = 1
    FIN_EXPIRE = 2


cdef inline bint _is_stop_kind(int ot) noexcept:
    return ot == OT_STOP_MARKET or ot == OT_STOP_LIMIT or ot == OT_TRAILING_STOP_MARKET \
        or ot == OT_TRAILING_STOP_LIMIT


cdef inline bint _is_triggered_kind(int ot) noexcept:
    return _is_stop_kind(ot) or ot == OT_MARKET_IF_TOUCHED or ot == OT_LIMIT_IF_TOUCHED


cdef inline bint _is_trailing(int ot) noexcept:
    return ot == OT_TRAILING_STOP_MARKET or ot == OT_TRAILING_STOP_LIMIT


cdef inline int64_t _min(int64_t a, int64_t b) noexcept:
    return a if a < b else b


cdef inline int64_t _max(int64_t a, int64_t b) noexcept:
    return a if a > b else b


cdef class VenueEventSink:
    """Default event sink: applies each venue event to its order, records it in ``events`` and
    tracks the net filled quantity per (instrument, strategy) for reduce-only orders."""

    def __init__(self):
        self.events = []
        self._net = {}

    cdef int on_venue_event_c(self, Order order, OrderEvent event) except -1:
        cdef OrderFilled f
        cdef tuple key
        order.apply_c(event)
        self.events.append(event)
        if type(event) is OrderFilled:
            f = <OrderFilled>event
            key = (order.instrument_id, order.strategy_id)
            self._net[key] = self._net.get(key, 0) + (f.last_qty_raw if f.side == 1 else -f.last_qty_raw)
        return 0

    cdef int on_accepted_c(self, Order order, VenueOrderId venue_order_id, AccountId account_id,
                           int64_t ts) except -1:
        return self.on_venue_event_c(order, OrderAccepted.create_c(
            order.trader_id, order.strategy_id, order.instrument_id, order.client_order_id,
            venue_order_id, account_id, ts, ts))

    cdef int64_t position_qty_c(self, Order order) except? -1:
        return self._net.get((order.instrument_id, order.strategy_id), 0)

    def net_qty_raw(self, instrument_id, strategy_id) -> int:
        """Net filled quantity (raw, > 0 long) recorded for an instrument and strategy."""
        return self._net.get((instrument_id, strategy_id), 0)

    def clear(self) -> None:
        self.events = []
        self._net = {}


cdef class VenueState:
    """Per-venue shared state (ids, account, sink, flags, models) used by its matching engines."""

    def __init__(self, Venue venue not None, AccountId account_id not None):
        self.venue = venue
        self.account_id = account_id
        self.prefix = venue.value
        self._oid_prefix = SeqPrefix(self.prefix + "-")
        self._tid_prefix = SeqPrefix(self.prefix + "-T")
        self.order_seq = 0
        self.trade_seq = 0
        self.sink = VenueEventSink()

    cdef VenueOrderId next_venue_order_id(self):
        """"{venue}-{n}", a sequence id (formatted when first read)."""
        self.order_seq += 1
        return <VenueOrderId>seq_id(VenueOrderId.__new__(VenueOrderId), self._oid_prefix, self.order_seq)

    cdef TradeId next_trade_id(self):
        """"{venue}-T{n}", a sequence id (formatted when first read)."""
        self.trade_seq += 1
        return <TradeId>seq_id(TradeId.__new__(TradeId), self._tid_prefix, self.trade_seq)

    def reset(self) -> None:
        self.order_seq = 0
        self.trade_seq = 0


@cython.freelist(64)      # one per working order, freed when it is done (and out of _unindexed): reuse it
cdef class _Working:
    pass


cdef class OrderMatchingEngine:
    """Matching engine for one instrument (created by ``SimulatedExchange.add_instrument``)."""

    def __init__(self, Instrument instrument not None, VenueState state not None, int book_type=1):
        if book_type not in (1, 2, 3):
            raise ValueError(f"invalid book_type {book_type}: expected 1 (L1), 2 (L2) or 3 (L3)")
        self.instrument = instrument
        self.instrument_id = instrument.id
        self.v = state
        self.book_type = book_type
        self.book = None
        if book_type != 1:
            self.book = OrderBook(instrument, "L2" if book_type == 2 else "L3", gap_policy="ignore",
                                  queue_rule=state.queue_model.book_rule)
        self.reset()

    def reset(self) -> None:
        """Forget market state and working orders (a new run)."""
        self.has_bid = self.has_ask = self.has_last = False
        self.bid_raw = self.ask_raw = self.last_raw = 0
        self.bid_size_raw = self.ask_size_raw = 0
        self._bid_left = self._ask_left = 0
        self._used_bid = {}
        self._used_ask = {}
        self._working = []
        self._by_coid = {}
        self._unindexed = []
        self._unindexed_live = 0
        self._children = {}
        self._seq = 0
        self._own_seq = 0
        self.next_expiry_ns = INT64_MAX
        self._dirty = False
        self._match_depth = 0
        self._oco_working = False
        self._last_bar_ts = -1
        if self.book is not None:
            self.book.clear()

    # ------------------------------------------------------------------ queries

    def working_orders(self) -> list:
        """Orders currently working at the venue (active, not OTO children on hold), in priority order."""
        return [(<_Working>w).order for w in self._working if not (<_Working>w).done and (<_Working>w).active]

    def held_orders(self) -> list:
        """OTO children held until their parent fills."""
        out = []
        for lst in self._children.values():
            for w in lst:
                if not (<_Working>w).done:
                    out.append((<_Working>w).order)
        return out

    @property
    def best_bid_raw(self):
        if self.book is not None:
            return self.book.best_bid_price_c() if self.book.has_bid() else None
        return self.bid_raw if self.has_bid else None

    @property
    def best_ask_raw(self):
        if self.book is not None:
            return self.book.best_ask_price_c() if self.book.has_ask() else None
        return self.ask_raw if self.has_ask else None

    # ------------------------------------------------------------------ events

    cdef int _emit(self, Order order, OrderEvent event) except -1:
        return self.v.sink.on_venue_event_c(order, event)

    cdef int _reject(self, Order order, str reason, bint post_only, int64_t ts) except -1:
        return self._emit(order, OrderRejected.create_c(
            order.trader_id, order.strategy_id, order.instrument_id, order.client_order_id,
            self.v.account_id, reason, post_only, ts, ts))

    cdef int _accept(self, _Working w, int64_t ts) except -1:
        cdef Order o = w.order
        return self.v.sink.on_accepted_c(o, self.v.next_venue_order_id(), self.v.account_id, ts)

    cdef int _finish(self, _Working w, int how, int64_t ts) except -1:
        """Cancel or expire a working/held order (no-op when it is already closed)."""
        cdef Order o = w.order
        if w.done:
            return 0
        w.done = True
        self._dirty = True
        if not o.is_closed_c():
            if how == FIN_EXPIRE:
                self._emit(o, OrderExpired.create_c(o.trader_id, o.strategy_id, o.instrument_id,
                                                    o.client_order_id, o.venue_order_id, self.v.account_id,
                                                    ts, ts))
            else:
                self._emit(o, OrderCanceled.create_c(o.trader_id, o.strategy_id, o.instrument_id,
                                                     o.client_order_id, o.venue_order_id,
                                                     self.v.account_id, ts, ts))
        self._on_closed(w, ts)
        return 0

    cdef int _on_closed(self, _Working w, int64_t ts) except -1:
        """Bookkeeping once an order is closed (filled, canceled, expired, rejected)."""
        cdef Order o = w.order
        cdef list kids
        cdef _Working k
        w.done = True
        self._dirty = True
        self._unindex(w)
        if w.lock_raw != 0:
            self._unlock(w, -1, ts)
        if w.own_id != 0 and self.book is not None:
            self.book.remove_own_c(w.own_id)
            w.own_id = 0
        kids = self._children.pop(o.client_order_id, None) if self._children else None
        if kids is not None:
            for k in kids:
                if o.status_c == OS_FILLED:
                    self._activate(k, ts)
                else:
                    self._finish(k, FIN_CANCEL, ts)
        if o.status_c != OS_FILLED and o.contingency_type_c == CONT_OUO:
            self._cancel_linked(o, ts)
        return 0

    cdef int _cancel_linked(self, Order order, int64_t ts) except -1:
        cdef tuple linked = order._linked_order_ids
        cdef _Working w2
        if linked is None:
            return 0
        for cid in linked:
            w2 = self._working_for(cid)
            if w2 is not None and not w2.done and w2.order is not order:
                self._finish(w2, FIN_CANCEL, ts)
        return 0

    # ------------------------------------------------------------------ commands

    cdef _Working _add_working(self, Order order, int64_t ts, bint active):
        cdef _Working w = _Working.__new__(_Working)
        w.order = order
        w.arrival_ns = ts
        self._seq += 1
        w.seq = self._seq
        w.fresh = True
        w.active = active
        w.expire_ns = 0
        if len(self._unindexed) >= 32:      # bounded: entries done by now are dropped here
            self._index_working()
        self._unindexed.append(w)
        self._unindexed_live += 1
        return w

    cdef int _index_working(self) except -1:
        """Put the entries added since the last lookup by id into ``_by_coid``, in the order they
        were added (those done since are left out). Entries are indexed when something looks an
        order up by id, not when they are added: a market order that fills on the next bar is
        never indexed."""
        cdef list pending = self._unindexed
        cdef _Working w
        if not pending:
            return 0
        self._unindexed_live = 0
        for item in pending:
            w = <_Working>item
            if w.index_state != 0:
                continue
            if w.done:                      # done, and its _unindex still to come
                w.index_state = 2
            else:
                self._by_coid[w.order.client_order_id] = w
                w.index_state = 1
        return list_truncate(pending, 0)    # emptied in place: the next 32 entries reuse its array

    cdef _Working _working_for(self, object client_order_id):
        """The working or held entry of this client order id, or None."""
        self._index_working()
        return self._by_coid.get(client_order_id)

    cdef bint _is_working_id(self, object client_order_id) except -1:
        """True when an order with this client order id is working or held here."""
        cdef _Working w
        if self._by_coid and client_order_id in self._by_coid:
            return True
        if self._unindexed_live == 0:
            return False
        for item in self._unindexed:
            w = <_Working>item
            if not w.done and (w.order.client_order_id is client_order_id
                               or w.order.client_order_id == client_order_id):
                return True
        return False

    cdef int _unindex(self, _Working w) except -1:
        """``w`` is done: drop it from ``_by_coid`` (an unindexed entry stays in ``_unindexed``
        and is left out when indexed). Idempotent."""
        if w.index_state == 1:
            self._by_coid.pop(w.order.client_order_id, None)
        elif w.index_state == 0:
            self._unindexed_live -= 1
        w.index_state = 2
        return 0

    cdef int _activate(self, _Working w, int64_t ts) except -1:
        """Accept an order and put it to work (from a submit, or an OTO child released)."""
        cdef Order o = w.order
        cdef int ot = o.order_type_c
        cdef str reason = None
        cdef int64_t ask, bid
        cdef bint has_ask, has_bid
        w.active = True
        w.arrival_ns = ts
        if o.quote_quantity:
            reason = "quote_quantity orders are not supported by the simulated venue"
        elif o.reduce_only and self._room(w, o.leaves_qty_raw) == 0:
            reason = "reduce-only order would increase the position"
        if reason is None and (o.post_only or (self.v.reject_stop_orders and (ot == OT_STOP_MARKET
                                                                               or ot == OT_STOP_LIMIT))):
            if self.book is not None:
                has_ask = self.book.has_ask()
                has_bid = self.book.has_bid()
                ask = self.book.best_ask_price_c()
                bid = self.book.best_bid_price_c()
            else:
                has_ask = self.has_ask or self.has_last
                has_bid = self.has_bid or self.has_last
                ask = self.ask_raw if self.has_ask else self.last_raw
                bid = self.bid_raw if self.has_bid else self.last_raw
            if o.post_only and o.has_price:
                if (o.side_c == 1 and has_ask and o.price_raw >= ask) or \
                        (o.side_c == 2 and has_bid and o.price_raw <= bid):
                    w.done = True
                    self._unindex(w)
                    self._reject(o, "post-only order would take liquidity (price crosses the market)", True, ts)
                    self._on_closed(w, ts)
                    return 0
            if ot == OT_STOP_MARKET or ot == OT_STOP_LIMIT:
                if (o.side_c == 1 and has_ask and o.trigger_price_raw <= ask) or \
                        (o.side_c == 2 and has_bid and o.trigger_price_raw >= bid):
                    reason = "stop order trigger price is already through the market"
        if reason is None and not self._lock(w, ts):
            reason = "insufficient free balance to lock for the order on the cash account"
        if reason is not None:
            w.done = True
            self._unindex(w)
            self._reject(o, reason, False, ts)
            self._on_closed(w, ts)
            return 0
        self._accept(w, ts)
        if o.time_in_force_c == TIF_GTD and o.expire_time_ns > 0:
            w.expire_ns = o.expire_time_ns
        elif o.time_in_force_c == TIF_DAY:
            w.expire_ns = (ts // DAY_NS + 1) * DAY_NS
        if o.contingency_type_c == CONT_OCO:
            self._oco_working = True
        if w.expire_ns > 0:
            if w.expire_ns <= ts:
                self._working.append(w)
                self._finish(w, FIN_EXPIRE, ts)
                return 0
            if w.expire_ns < self.next_expiry_ns:
                self.next_expiry_ns = w.expire_ns
        self._working.append(w)
        return 0

    cdef int submit_c(self, Order order, int64_t ts) except -1:
        if self._is_working_id(order.client_order_id):
            self._reject(order, f"duplicate client order id {order.client_order_id}", False, ts)
            return 0
        cdef _Working w = self._add_working(order, ts, True)
        self._activate(w, ts)
        if self._last_bar_ts >= 0 and self.v.same_bar_fill and not w.done:
            self._same_bar(w)
        return 0

    cdef int submit_list_c(self, list orders, int64_t ts) except -1:
        cdef Order o, parent
        cdef _Working w
        cdef list held = []
        if not self.v.support_contingent_orders:
            for o in orders:
                if o.contingency_type_c != 0 or o.parent_order_id is not None:
                    for o2 in orders:
                        self._reject(<Order>o2, "contingent orders are not supported by this venue", False, ts)
                    return 0
        for o in orders:
            if o.parent_order_id is not None and (self._working_for(o.parent_order_id) is not None
                                                   or any((<Order>x).client_order_id == o.parent_order_id
                                                          for x in orders)):
                w = self._add_working(o, ts, False)
                self._children.setdefault(o.parent_order_id, []).append(w)
                held.append(w)
            else:
                self.submit_c(o, ts)
        # a parent that closed immediately (rejected) cancels its held children
        for w in held:
            parent_w = self._working_for(w.order.parent_order_id)
            if parent_w is None and not w.done:
                self._children.pop(w.order.parent_order_id, None)
                self._finish(w, FIN_CANCEL, ts)
        return 0

    cdef int modify_c(self, Order order, int64_t qty_raw, bint has_price, int64_t price_raw,
                      bint has_trigger, int64_t trigger_raw, int64_t ts) except -1:
        cdef _Working w = self._working_for(order.client_order_id)
        cdef str reason = None
        if w is None or w.done or order.is_closed_c():
            reason = "order is not working at the venue"
        elif qty_raw <= order.filled_qty_raw:
            reason = "new quantity must exceed the filled quantity"
        elif has_price and not order.has_price and order.order_type_c != OT_MARKET_TO_LIMIT:
            reason = "order has no limit price"
        elif has_trigger and not _is_triggered_kind(order.order_type_c):
            reason = "order has no trigger price"
        elif order.post_only and has_price and (
                (order.side_c == 1 and self._market_ask_ok() and price_raw >= self._market_ask())
                or (order.side_c == 2 and self._market_bid_ok() and price_raw <= self._market_bid())):
            reason = "post-only order would take liquidity at the new price"
        if reason is not None:
            self._emit(order, OrderModifyRejected.create_c(
                order.trader_id, order.strategy_id, order.instrument_id, order.client_order_id,
                order.venue_order_id, self.v.account_id, reason, ts, ts))
            return 0
        self._emit(order, OrderUpdated.create_c(
            order.trader_id, order.strategy_id, order.instrument_id, order.client_order_id,
            order.venue_order_id, self.v.account_id, qty_raw, order.qty_prec, has_price,
            price_raw if has_price else order.price_raw, has_trigger,
            trigger_raw if has_trigger else order.trigger_price_raw, order.px_prec, ts, ts))
        if w.own_id != 0:
            # a modified order loses its queue position
            self.book.remove_own_c(w.own_id)
            w.own_id = 0
        return 0

    cdef int cancel_c(self, Order order, int64_t ts) except -1:
        cdef _Working w = self._working_for(order.client_order_id)
        if w is None or w.done or order.is_closed_c():
            self._emit(order, OrderCancelRejected.create_c(
                order.trader_id, order.strategy_id, order.instrument_id, order.client_order_id,
                order.venue_order_id, self.v.account_id, "order is not working at the venue", ts, ts))
            return 0
        self._finish(w, FIN_CANCEL, ts)
        return 0

    cdef bint _market_ask_ok(self):
        if self.book is not None:
            return self.book.has_ask()
        return self.has_ask

    cdef int64_t _market_ask(self):
        if self.book is not None:
            return self.book.best_ask_price_c()
        return self.ask_raw

    cdef bint _market_bid_ok(self):
        if self.book is not None:
            return self.book.has_bid()
        return self.has_bid

    cdef int64_t _market_bid(self):
        if self.book is not None:
            return self.book.best_bid_price_c()
        return self.bid_raw

    # ------------------------------------------------------------------ expiry

    cdef int expire_c(self, int64_t ts_now) except -1:
        cdef _Working w
        if self.next_expiry_ns > ts_now:
            return 0
        for w in list(self._working):
            if not w.done and w.expire_ns > 0 and w.expire_ns <= ts_now:
                self._finish(w, FIN_EXPIRE, w.expire_ns)
        self._recompute_expiry()
        return 0

    cdef int _recompute_expiry(self) except -1:
        cdef int64_t best = INT64_MAX
        cdef _Working w
        for w in self._working:
            if not w.done and w.expire_ns > 0 and w.expire_ns < best:
                best = w.expire_ns
        self.next_expiry_ns = best
        return 0

    cdef int _compact(self) except -1:
        """Drop the finished entries from ``_working``: in place, keeping the list's item array for
        the next orders, unless a ``_match`` is walking the list by index (a fill's handlers can
        activate and finish orders); that walk keeps its list and ``_working`` becomes a new one."""
        cdef list lst = self._working
        cdef Py_ssize_t i, j = 0
        cdef object w
        if not self._dirty:
            return 0
        self._dirty = False
        if self._match_depth:
            self._working = [w for w in lst if not (<_Working>w).done]
        else:
            for i in range(len(lst)):
                w = lst[i]
                if not (<_Working>w).done:
                    if i != j:
                        lst[j] = w
                    j += 1
            list_truncate(lst, j)
        if not self._working:
            self._oco_working = False
        return 0

    # ------------------------------------------------------------------ data points

    cdef int process_quote_c(self, const QuoteTickRec* rec) except -1:
        cdef MatchPoint p
        if self.book is not None:
            return 0                    # book venues match on the book (and trades)
        self.bid_raw = rec.bid_price
        self.ask_raw = rec.ask_price
        self.bid_size_raw = rec.bid_size
        self.ask_size_raw = rec.ask_size
        self.has_bid = True
        self.has_ask = True
        self._bid_left = rec.bid_size if rec.bid_size > 0 else INT64_MAX
        self._ask_left = rec.ask_size if rec.ask_size > 0 else INT64_MAX
        self._last_bar_ts = -1
        if not self._working:
            return 0
        self.expire_c(rec.ts_event)
        p.kind = DK_QUOTE
        p.ts_event = rec.ts_event
        p.ts = rec.ts_event
        p.ask = rec.ask_price
        p.bid = rec.bid_price
        p.buy_lo = p.buy_hi = rec.ask_price
        p.sell_lo = p.sell_hi = rec.bid_price
        p.ask_avail = &self._ask_left
        p.bid_avail = &self._bid_left
        p.has_ask = p.has_bid = True
        p.continuous = False
        p.is_last_point = True
        p.quote_only = True
        p.clamp_lo = p.clamp_hi = 0
        return self._match(&p)

    cdef int process_trade_c(self, const TradeTickRec* rec) except -1:
        cdef MatchPoint p
        cdef int64_t pool = rec.size if rec.size > 0 else INT64_MAX
        self.last_raw = rec.price
        self.has_last = True
        self._last_bar_ts = -1
        if self._working:
            self.expire_c(rec.ts_event)
            p.kind = DK_TRADE
            p.ts_event = rec.ts_event
            p.ts = rec.ts_event
            p.ask = p.bid = rec.price
            p.buy_lo = p.buy_hi = p.sell_lo = p.sell_hi = rec.price
            p.ask_avail = &pool
            p.bid_avail = &pool
            p.has_ask = p.has_bid = True
            p.continuous = False
            p.is_last_point = True
            p.quote_only = False
            p.clamp_lo = p.clamp_hi = 0
            self._trade_aggressor = rec.aggressor_side
            self._match(&p)
        if self.book is not None:
            self.book.on_trade_c(rec.price, rec.size, rec.aggressor_side)
        return 0

    cdef int process_bar_c(self, const BarRec* rec) except -1:
        cdef MatchPoint p
        cdef int64_t pool = rec.volume if rec.volume > 0 else INT64_MAX
        cdef int64_t pts[4]
        cdef int64_t prev
        cdef bint high_first
        cdef int i
        if not self.v.bar_execution:
            return 0
        if self.v.bar_path == PATH_HIGH_FIRST:
            high_first = True
        elif self.v.bar_path == PATH_LOW_FIRST:
            high_first = False
        else:
            high_first = (rec.high - rec.open) < (rec.open - rec.low)
        pts[0] = rec.open
        pts[1] = rec.high if high_first else rec.low
        pts[2] = rec.low if high_first else rec.high
        pts[3] = rec.close
        self._last_bar_ts = -1
        if self._working:
            self.expire_c(rec.ts_event)
            p.kind = DK_BAR
            p.ts_event = rec.ts_event
            p.ts = rec.ts_event
            p.ask_avail = &pool
            p.bid_avail = &pool
            p.has_ask = p.has_bid = True
            p.quote_only = False
            p.clamp_lo = rec.low
            p.clamp_hi = rec.high
            self._oco_pessimistic(rec.low, rec.high)
            prev = rec.open
            for i in range(4):
                p.ask = p.bid = pts[i]
                p.buy_lo = p.sell_lo = _min(prev, pts[i])
                p.buy_hi = p.sell_hi = _max(prev, pts[i])
                p.continuous = i > 0
                p.is_last_point = i == 3
                self._bar_point = i
                self.last_raw = pts[i]
                self.has_last = True
                self._match(&p)
                prev = pts[i]
                if not self._working:       # every order done (a market order at the open)
                    break
            if self._oco_working:           # (only _oco_pessimistic blocks entries)
                for w in self._working:
                    (<_Working>w).blocked = False
        self.last_raw = rec.close
        self.has_last = True
        self._last_bar_ts = rec.ts_event
        self._last_bar_tsi = rec.ts_event
        self._last_bar_close = rec.close
        self._last_bar_pool = pool
        self._last_bar_lo = rec.low
        self._last_bar_hi = rec.high
        return 0

    cdef int _same_bar(self, _Working w) except -1:
        """same_bar_fill: match a just-arrived order once at the last bar's close."""
        cdef MatchPoint p
        p.kind = DK_BAR
        p.ts_event = self._last_bar_ts
        p.ts = w.arrival_ns
        p.ask = p.bid = self._last_bar_close
        p.buy_lo = p.buy_hi = p.sell_lo = p.sell_hi = self._last_bar_close
        p.ask_avail = &self._last_bar_pool
        p.bid_avail = &self._last_bar_pool
        p.has_ask = p.has_bid = True
        p.continuous = False
        p.is_last_point = True
        p.quote_only = False
        p.clamp_lo = self._last_bar_lo
        p.clamp_hi = self._last_bar_hi
        self._bar_point = 3
        self._match_order(w, &p)
        self._compact()
        return 0

    cdef int process_delta_c(self, const OrderBookDeltaRec* rec) except -1:
        cdef MatchPoint p
        cdef int64_t unlimited = INT64_MAX
        if self.book is None:
            return 0                    # L1 venues do not use book data
        self.book.apply_raw(rec.action, rec.side, rec.price, rec.size, rec.order_id, rec.ts_event,
                            rec.sequence, rec.flags)
        if rec.action == 4:
            self._used_bid.clear()
            self._used_ask.clear()
        elif rec.side == 1:
            if self._used_bid:
                self._used_bid.pop(rec.price, None)
        elif self._used_ask:
            self._used_ask.pop(rec.price, None)
        self._last_bar_ts = -1
        if not self._working or (rec.flags != 0 and (rec.flags & 128) == 0):
            return 0
        self.expire_c(rec.ts_event)
        p.kind = DK_BOOK
        p.ts_event = rec.ts_event
        p.ts = rec.ts_event
        p.has_ask = self.book.has_ask()
        p.has_bid = self.book.has_bid()
        p.ask = self.book.best_ask_price_c()
        p.bid = self.book.best_bid_price_c()
        p.buy_lo = p.buy_hi = p.ask
        p.sell_lo = p.sell_hi = p.bid
        p.ask_avail = &unlimited
        p.bid_avail = &unlimited
        p.continuous = False
        p.is_last_point = True
        p.quote_only = True
        p.clamp_lo = p.clamp_hi = 0
        return self._match(&p)

    # ------------------------------------------------------------------ matching

    cdef int _oco_pessimistic(self, int64_t lo, int64_t hi) except -1:
        """Within one bar, allow only one leg of each OCO group that the bar could fill."""
        if not self._oco_working:
            return 0
        cdef _Working w, w2
        cdef Order o, o2
        cdef dict best = None
        cdef object key
        for w in self._working:
            o = w.order
            if w.done or not w.active or o.contingency_type_c != CONT_OCO or o._linked_order_ids is None:
                continue
            if not _could_fill(o, lo, hi):
                continue
            if best is None:
                best = {}
            key = o.order_list_id if o.order_list_id is not None else frozenset(o._linked_order_ids + (o.client_order_id,))
            w2 = best.get(key)
            if w2 is None:
                best[key] = w
                continue
            o2 = w2.order
            if (_is_stop_kind(o.order_type_c) and not _is_stop_kind(o2.order_type_c)):
                w2.blocked = True
                best[key] = w
            else:
                w.blocked = True
        return 0

    cdef int _match(self, MatchPoint* p) except -1:
        cdef list snapshot = self._working
        cdef Py_ssize_t i, n = len(snapshot)
        cdef _Working w
        if p.kind != DK_BAR:
            self._oco_pessimistic(_min(p.buy_lo, p.sell_lo), _max(p.buy_hi, p.sell_hi))
        # orders activated while matching (OTO children) are appended beyond n: not matched now.
        # _match_depth > 0 keeps _compact from moving entries under this walk (after an exception
        # it stays > 0: _compact then only ever makes new lists, which is slower, never wrong).
        self._match_depth += 1
        for i in range(n):
            w = <_Working>snapshot[i]
            if w.done or not w.active or w.blocked or w.arrival_ns > p.ts:
                continue
            self._match_order(w, p)
        self._match_depth -= 1
        if p.kind != DK_BAR:
            for i in range(n):
                (<_Working>snapshot[i]).blocked = False
        self._compact()
        return 0

    cdef int _match_order(self, _Working w, MatchPoint* p) except -1:
        cdef Order o = w.order
        cdef int ot = o.order_type_c
        cdef bint buy = o.side_c == 1
        cdef int tif = o.time_in_force_c
        cdef int64_t trig_px = 0, limit, qty, avail, px
        cdef bint market_like = False
        cdef bint was_fresh = w.fresh
        cdef int r
        if o.is_closed_c():
            self._on_closed(w, p.ts)
            return 0
        if tif == TIF_AT_THE_CLOSE and p.kind == DK_BAR and not p.is_last_point:
            return 0
        if _is_triggered_kind(ot) and not o.is_triggered:
            if _is_trailing(ot):
                if not o.has_trigger or (o.has_activation and not o.is_activated):
                    self._update_trailing(w, p)
                    w.fresh = False
                    return self._tif_after(w, p, was_fresh)
            r = self._trigger_check(w, p, &trig_px)
            if r == 0:
                if _is_trailing(ot):
                    self._update_trailing(w, p)
                w.fresh = False
                return self._tif_after(w, p, was_fresh)
            if ot == OT_STOP_LIMIT or ot == OT_LIMIT_IF_TOUCHED or ot == OT_TRAILING_STOP_LIMIT:
                self._emit(o, OrderTriggered.create_c(o.trader_id, o.strategy_id, o.instrument_id,
                                                      o.client_order_id, o.venue_order_id,
                                                      self.v.account_id, p.ts, p.ts))
                w.fresh = not o.post_only        # the limit gets a taker pass at this point
            else:
                market_like = True
        elif ot == OT_MARKET or (ot == OT_MARKET_TO_LIMIT and not o.has_price):
            market_like = True
            trig_px = 0
        if market_like:
            qty = o.leaves_qty_raw
            if self.book is not None:
                if tif == TIF_FOK and self.book.qty_up_to_raw(o.side_c, INT64_MAX if buy else 0) < qty:
                    return self._finish(w, FIN_CANCEL, p.ts)
                self._take_book(w, p, False, 0, qty, True)
            else:
                if not (p.has_ask if buy else p.has_bid):
                    return self._tif_after(w, p, was_fresh)
                if trig_px != 0 and p.continuous:
                    px = trig_px
                else:
                    px = p.ask if buy else p.bid
                avail = p.ask_avail[0] if buy else p.bid_avail[0]
                if tif == TIF_FOK and avail < qty:
                    return self._finish(w, FIN_CANCEL, p.ts)
                self._take_l1(w, p, px, qty, True, True)
            w.fresh = False
            return self._tif_after(w, p, was_fresh)
        # limit behaviour
        if not o.has_price:
            return 0
        limit = o.price_raw
        if w.fresh and not o.post_only:
            w.fresh = False
            if self.book is not None:
                if tif == TIF_FOK and self._book_avail(o.side_c, True, limit) < o.leaves_qty_raw:
                    return self._finish(w, FIN_CANCEL, p.ts)
                self._take_book(w, p, True, limit, o.leaves_qty_raw, True)
            elif buy and p.has_ask and p.ask <= limit:
                if tif == TIF_FOK and p.ask_avail[0] < o.leaves_qty_raw:
                    return self._finish(w, FIN_CANCEL, p.ts)
                self._take_l1(w, p, p.ask, o.leaves_qty_raw, True, False)
            elif not buy and p.has_bid and p.bid >= limit:
                if tif == TIF_FOK and p.bid_avail[0] < o.leaves_qty_raw:
                    return self._finish(w, FIN_CANCEL, p.ts)
                self._take_l1(w, p, p.bid, o.leaves_qty_raw, True, False)
            elif tif == TIF_FOK:
                return self._finish(w, FIN_CANCEL, p.ts)
            self._tif_after(w, p, was_fresh)
            return self._join_queue(w)
        w.fresh = False
        self._maker(w, p, limit)
        return self._tif_after(w, p, was_fresh)

    cdef int _tif_after(self, _Working w, MatchPoint* p, bint was_fresh) except -1:
        """IOC/FOK/AT_THE_OPEN end after the first point; AT_THE_CLOSE after the bar's close."""
        cdef int tif = w.order.time_in_force_c
        if w.done or w.order.is_closed_c():
            return 0
        if tif == TIF_IOC or tif == TIF_FOK or tif == TIF_AT_THE_OPEN:
            if was_fresh or p.kind != DK_BAR or self._bar_point == 0:
                return self._finish(w, FIN_CANCEL, p.ts)
        elif tif == TIF_AT_THE_CLOSE and p.is_last_point:
            return self._finish(w, FIN_CANCEL, p.ts)
        return 0

    cdef int _maker(self, _Working w, MatchPoint* p, int64_t limit) except -1:
        """Resting limit order: fills at its price when the market trades through (or touches)."""
        cdef Order o = w.order
        cdef bint buy = o.side_c == 1
        cdef int64_t px, qty, ahead, pool
        cdef bint through, touch
        if self.book is not None:
            self._join_queue(w)
            if p.kind == DK_BOOK:
                if buy and p.has_ask and p.ask < limit:
                    return <int>self._take_book(w, p, True, limit, o.leaves_qty_raw, False)
                if not buy and p.has_bid and p.bid > limit:
                    return <int>self._take_book(w, p, True, limit, o.leaves_qty_raw, False)
                return 0
            if p.kind != DK_TRADE:
                return 0
            px = p.ask
            pool = p.ask_avail[0]
            if (buy and px < limit) or (not buy and px > limit):
                qty = _min(pool, o.leaves_qty_raw)
            elif px == limit:
                if self.v.queue_model.uses_queue:
                    ahead = self.book.queue_ahead_c(w.own_id)
                    if self._trade_aggressor == o.side_c:
                        return 0
                    qty = pool - ahead if pool > ahead else 0
                    qty = _min(qty, o.leaves_qty_raw)
                elif self.v.fill_model.limit_filled_c():
                    qty = _min(pool, o.leaves_qty_raw)
                else:
                    return 0
            else:
                return 0
            qty = self._room(w, qty)
            if qty > 0 and self._fill(w, qty, limit, LIQ_MAKER, p):
                p.ask_avail[0] = pool - qty if pool != INT64_MAX else pool
                self._after_fill(w, p.ts)
            return 0
        # L1: quotes, trades, bars
        if buy:
            if not p.has_ask:
                return 0
            through = p.buy_lo < limit
            touch = p.buy_lo == limit
        else:
            if not p.has_bid:
                return 0
            through = p.sell_hi > limit
            touch = p.sell_hi == limit
        if not through:
            if not touch or not self.v.fill_model.limit_filled_c():
                return 0
        px = limit
        if p.kind == DK_BAR and not p.continuous:
            # gap at the bar open: the better open price
            px = _min(limit, p.ask) if buy else _max(limit, p.bid)
        self._take_l1(w, p, px, o.leaves_qty_raw, False, False)
        return 0

    cdef int _join_queue(self, _Working w) except -1:
        """Book venues with a queue model: track a resting limit order's queue position."""
        cdef Order o = w.order
        if w.own_id != 0 or self.book is None or not self.v.queue_model.uses_queue or w.done \
                or o.is_closed_c() or not o.has_price:
            return 0
        self._own_seq += 1
        w.own_id = self._own_seq
        self.book.add_own_c(w.own_id, o.side_c, o.price_raw, o.leaves_qty_raw)
        if self.book.book_type != 3:
            self.book._own[self.book._own_n - 1].ahead = self.v.queue_model.size_ahead_on_join_c(
                self.book.size_at_raw(o.side_c, o.price_raw))
        return 0

    cdef int64_t _book_avail(self, int side, bint has_limit, int64_t limit) except -1:
        """Unconsumed book size a `side` order could take (up to `limit`)."""
        cdef int64_t total = 0, price, size, used
        cdef Py_ssize_t i, n
        cdef dict usedd
        if side == 1:
            n = self.book._asks.n
            usedd = self._used_ask
        else:
            n = self.book._bids.n
            usedd = self._used_bid
        for i in range(n - 1, -1, -1):
            if side == 1:
                price = -self.book._asks.keys[i]
                size = self.book._asks.sizes[i]
                if has_limit and price > limit:
                    break
            else:
                price = self.book._bids.keys[i]
                size = self.book._bids.sizes[i]
                if has_limit and price < limit:
                    break
            used = usedd.get(price, 0) if usedd else 0
            if size > used:
                total += size - used
        return total

    cdef int64_t _take_book(self, _Working w, MatchPoint* p, bint has_limit, int64_t limit,
                            int64_t qty, bint taker) except -1:
        """Walk the opposite book side (up to `limit`), consuming level sizes. Takers fill at each
        level's price (one fill per level); a resting (maker) order fills once at its limit."""
        cdef Order o = w.order
        cdef int side = o.side_c
        cdef int64_t remaining = self._room(w, qty), price, size, used, take, total = 0
        cdef Py_ssize_t i, n
        cdef dict usedd = self._used_ask if side == 1 else self._used_bid
        cdef list takes = []
        if remaining <= 0:
            return 0
        n = self.book._asks.n if side == 1 else self.book._bids.n
        for i in range(n - 1, -1, -1):
            if remaining <= 0:
                break
            if side == 1:
                price = -self.book._asks.keys[i]
                size = self.book._asks.sizes[i]
                if has_limit and (price > limit or (not taker and price == limit)):
                    break
            else:
                price = self.book._bids.keys[i]
                size = self.book._bids.sizes[i]
                if has_limit and (price < limit or (not taker and price == limit)):
                    break
            used = usedd.get(price, 0) if usedd else 0
            if size <= used:
                continue
            take = _min(size - used, remaining)
            takes.append((price, take))
            remaining -= take
            total += take
        if total == 0:
            return 0
        if taker:
            for price, take in takes:
                if not self._fill(w, take, price, LIQ_TAKER, p):
                    return 0
                usedd[price] = usedd.get(price, 0) + take
                if w.order.is_closed_c():
                    break
        else:
            if not self._fill(w, total, limit, LIQ_MAKER, p):
                return 0
            for price, take in takes:
                usedd[price] = usedd.get(price, 0) + take
        self._after_fill(w, p.ts)
        return total

    cdef int64_t _take_l1(self, _Working w, MatchPoint* p, int64_t px, int64_t qty, bint taker,
                          bint slip) except -1:
        cdef Order o = w.order
        cdef bint buy = o.side_c == 1
        cdef int64_t* pool = p.ask_avail if buy else p.bid_avail
        cdef int ticks
        if slip:
            ticks = self.v.fill_model.slippage_ticks_c()
            if ticks > 0:
                px = px + ticks * self.instrument.price_increment_raw if buy else \
                    px - ticks * self.instrument.price_increment_raw
        if p.clamp_hi > 0:
            px = _max(p.clamp_lo, _min(p.clamp_hi, px))
        qty = _min(qty, pool[0])
        qty = self._room(w, qty)
        if qty <= 0:
            return 0
        if not self._fill(w, qty, px, LIQ_TAKER if taker else LIQ_MAKER, p):
            return 0
        if pool[0] != INT64_MAX:
            pool[0] -= qty
        self._after_fill(w, p.ts)
        return qty

    cdef int64_t _room(self, _Working w, int64_t want) except -1:
        """Reduce-only cap: the opposite position quantity; cancels the order when it is zero."""
        cdef Order o = w.order
        cdef int64_t net, room
        if not o.reduce_only or want <= 0:
            return want
        net = self.v.sink.position_qty_c(o)
        if o.side_c == 1:
            room = -net if net < 0 else 0
        else:
            room = net if net > 0 else 0
        if room == 0 and o.status_c != 1 and o.status_c != OS_SUBMITTED:
            self._finish(w, FIN_CANCEL, w.arrival_ns if w.fresh else self._now_hint(w))
            return 0
        return _min(want, room)

    cdef int64_t _now_hint(self, _Working w):
        return self._cur_ts

    cdef bint _lock(self, _Working w, int64_t ts) except -1:
        """Cash accounts (no borrowing): lock what a priced open order may spend - a buy its
        notional at the limit (else trigger) price plus the taker fee in the quote currency, a sell
        of a currency pair its base quantity. False when the free balance is short."""
        cdef Account acc = self.v.account
        cdef Instrument inst = self.instrument
        cdef Order o = w.order
        cdef int64_t px, raw
        cdef double fee
        cdef Currency ccy
        if acc is None or acc.account_type_c != 1 or acc.allow_borrowing:
            return True
        if o.has_price:
            px = o.price_raw
        elif o.has_trigger:
            px = o.trigger_price_raw
        else:
            return True                 # market orders fill at the next data point: checked then
        if o.side_c == 1:
            ccy = inst.quote_currency
            fee = inst.taker_fee if inst.taker_fee > 0 else 0.0
            raw = f64_to_raw((<double>o.leaves_qty_raw / 1e9) * (<double>px / 1e9) * inst.multiplier
                             * (1.0 + fee), ccy.precision)
        elif inst.base_currency is not None and inst.instrument_class == "SPOT" and \
                inst.base_currency is not inst.quote_currency:
            ccy = inst.base_currency
            raw = raw_round(o.leaves_qty_raw, ccy.precision)
        else:
            return True
        if raw <= 0:
            return True
        if raw > acc.free_raw(ccy):
            return False
        acc._lock_c(inst.id, ccy, raw)
        acc._record("lock", ts, False)
        w.lock_raw = raw
        w.lock_ccy = ccy
        return True

    cdef int _unlock(self, _Working w, int64_t qty_raw, int64_t ts) except -1:
        """Release the lock share of `qty_raw` of the order's leaves quantity (-1 or all: everything)."""
        cdef Order o = w.order
        cdef int64_t part
        if w.lock_raw == 0:
            return 0
        if qty_raw < 0 or qty_raw >= o.leaves_qty_raw or o.leaves_qty_raw <= 0:
            part = w.lock_raw
        else:
            part = <int64_t>((<double>w.lock_raw) * (<double>qty_raw) / (<double>o.leaves_qty_raw))
        if part <= 0:
            return 0
        self.v.account._lock_c(self.instrument.id, w.lock_ccy, -part)
        self.v.account._record("unlock", ts, False)
        w.lock_raw -= part
        return 0

    cdef bint _can_afford(self, Order order, int64_t qty, int64_t px) except -1:
        cdef Account acc = self.v.account
        cdef Instrument inst = self.instrument
        cdef double need, fee
        cdef int64_t held
        if acc is None or acc.account_type_c != 1 or acc.allow_borrowing:
            return True
        if order.side_c == 1:
            fee = inst.taker_fee if inst.taker_fee > 0 else 0.0
            need = (<double>qty / 1e9) * (<double>px / 1e9) * inst.multiplier * (1.0 + fee)
            return need <= <double>acc.free_raw(inst.quote_currency) / 1e9 + 1e-9
        if inst.base_currency is not None and inst.instrument_class == "SPOT" and \
                inst.base_currency is not inst.quote_currency:
            return qty <= acc.free_raw(inst.base_currency)
        held = self.v.sink.position_qty_c(order)
        return qty <= held

    cdef int _fill(self, _Working w, int64_t qty, int64_t px, int liq, MatchPoint* p) except -1:
        """Emit one OrderFilled; returns 1, or 0 when a cash account cannot pay (order rejected/canceled)."""
        cdef Order o = w.order
        cdef FeeModel fm = self.v.fee_model
        cdef int64_t comm
        cdef str dt
        self._cur_ts = p.ts
        if w.lock_raw != 0:
            self._unlock(w, qty, p.ts)
        if not self._can_afford(o, qty, px):
            if o.status_c == OS_ACCEPTED or o.status_c == OS_TRIGGERED:
                w.done = True
                self._dirty = True
                self._reject(o, "insufficient free balance on the cash account for the fill", False, p.ts)
                self._on_closed(w, p.ts)
            else:
                self._finish(w, FIN_CANCEL, p.ts)
            return 0
        comm = fm.commission_raw_c(o, qty, px, liq, self.instrument, not w.first_fill_done)
        w.first_fill_done = True
        if p.kind == DK_QUOTE:
            dt = _DT_QUOTE
        elif p.kind == DK_TRADE:
            dt = _DT_TRADE
        elif p.kind == DK_BAR:
            dt = _DT_BAR
        else:
            dt = _DT_BOOK
        self._emit(o, OrderFilled.create_c(
            o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id, o.venue_order_id,
            self.v.account_id, self.v.next_trade_id(), o.position_id, o.side_c, o.order_type_c, qty,
            self.instrument.size_precision, px, self.instrument.price_precision,
            self.instrument.quote_currency, comm, fm.last_currency, liq, dt, p.ts_event, p.ts, p.ts))
        return 1

    cdef int _after_fill(self, _Working w, int64_t ts) except -1:
        cdef Order o = w.order
        cdef tuple linked
        cdef _Working w2
        cdef Order o2
        if o.contingency_type_c == CONT_OCO:
            self._cancel_linked(o, ts)
        elif o.contingency_type_c == CONT_OUO:
            linked = o._linked_order_ids
            if linked is not None:
                for cid in linked:
                    w2 = self._working_for(cid)
                    if w2 is None or w2.done or w2.order is o:
                        continue
                    o2 = w2.order
                    if o.leaves_qty_raw == 0 or o.leaves_qty_raw <= o2.filled_qty_raw:
                        self._finish(w2, FIN_CANCEL, ts)
                    elif o2.quantity_raw != o.leaves_qty_raw and o2.is_open_c():
                        self._emit(o2, OrderUpdated.create_c(
                            o2.trader_id, o2.strategy_id, o2.instrument_id, o2.client_order_id,
                            o2.venue_order_id, self.v.account_id, o.leaves_qty_raw, o2.qty_prec, False,
                            o2.price_raw, False, o2.trigger_price_raw, o2.px_prec, ts, ts))
        if o.status_c == OS_FILLED:
            self._on_closed(w, ts)
        return 0

    cdef int _trigger_check(self, _Working w, MatchPoint* p, int64_t* fill_px) except -1:
        cdef Order o = w.order
        cdef int ot = o.order_type_c
        cdef bint buy = o.side_c == 1
        cdef int tt = o.trigger_type_c
        cdef int64_t lo, hi, t = o.trigger_price_raw
        cdef bint hit
        if not o.has_trigger:
            return 0
        if p.quote_only and tt == TRIG_LAST_PRICE:
            return 0
        if p.quote_only and (tt == TRIG_MID_POINT or tt == TRIG_MARK_PRICE):
            if not (p.has_ask and p.has_bid):
                return 0
            lo = hi = (p.ask + p.bid) // 2
        elif buy:
            if not p.has_ask:
                return 0
            lo = p.buy_lo
            hi = p.buy_hi
        else:
            if not p.has_bid:
                return 0
            lo = p.sell_lo
            hi = p.sell_hi
        if _is_stop_kind(ot):
            hit = hi >= t if buy else lo <= t
        else:
            hit = lo <= t if buy else hi >= t
        if hit:
            fill_px[0] = t
        return 1 if hit else 0

    cdef int _update_trailing(self, _Working w, MatchPoint* p) except -1:
        cdef Order o = w.order
        cdef bint buy = o.side_c == 1
        cdef int64_t ref, off, new_t, tick = self.instrument.price_increment_raw, new_px = 0
        cdef bint has_px = False
        if buy:
            if not p.has_ask:
                return 0
            ref = p.ask
        else:
            if not p.has_bid:
                return 0
            ref = p.bid
        if o.has_activation and not o.is_activated:
            if (buy and ref <= o.activation_price_raw) or (not buy and ref >= o.activation_price_raw):
                o.set_activated()
            else:
                return 0
        elif not o.is_activated:
            o.set_activated()
        if o.trailing_offset_type_c == TOFF_BASIS_POINTS:
            off = <int64_t>((<double>ref) * (<double>o.trailing_offset_raw / 1e9) / 10000.0)
        elif o.trailing_offset_type_c == TOFF_TICKS:
            off = <int64_t>((<double>o.trailing_offset_raw / 1e9) * <double>tick + 0.5)
        else:
            off = o.trailing_offset_raw
        if buy:
            new_t = ref + off
            new_t = ((new_t + tick - 1) // tick) * tick if tick > 0 else new_t   # round up (away)
            if o.has_trigger and new_t >= o.trigger_price_raw:
                return 0
        else:
            new_t = ref - off
            new_t = (new_t // tick) * tick if tick > 0 and new_t >= 0 else new_t  # round down (away)
            if o.has_trigger and new_t <= o.trigger_price_raw:
                return 0
        if o.order_type_c == OT_TRAILING_STOP_LIMIT:
            has_px = True
            if o.trailing_offset_type_c == TOFF_BASIS_POINTS:
                off = <int64_t>((<double>ref) * (<double>o.limit_offset_raw / 1e9) / 10000.0)
            elif o.trailing_offset_type_c == TOFF_TICKS:
                off = <int64_t>((<double>o.limit_offset_raw / 1e9) * <double>tick + 0.5)
            else:
                off = o.limit_offset_raw
            new_px = new_t + off if buy else new_t - off
        self._emit(o, OrderUpdated.create_c(
            o.trader_id, o.strategy_id, o.instrument_id, o.client_order_id, o.venue_order_id,
            self.v.account_id, o.quantity_raw, o.qty_prec, has_px, new_px, True, new_t,
            self.instrument.price_precision, p.ts, p.ts))
        return 0


cdef bint _could_fill(Order o, int64_t lo, int64_t hi) noexcept:
    """Could a bar (or point) ranging over [lo, hi] fill / trigger this order?"""
    cdef int ot = o.order_type_c
    cdef bint buy = o.side_c == 1
    if ot == OT_MARKET:
        return True
    if _is_triggered_kind(ot) and not o.is_triggered:
        if not o.has_trigger:
            return False
        if _is_stop_kind(ot):
            return hi >= o.trigger_price_raw if buy else lo <= o.trigger_price_raw
        return lo <= o.trigger_price_raw if buy else hi >= o.trigger_price_raw
    if o.has_price:
        return lo <= o.price_raw if buy else hi >= o.price_raw
    return True
