"""DataEngine: validate records, feed aggregators and order books, update the cache, publish.

``DataEngine(msgbus=None, cache=None, clock=None, validation="raise")`` takes quote, trade, bar and
order-book-delta records one C record at a time (``process_*_c`` from the backtest loop) or from
Python (``process(records)`` for a record array, ``process_trade_tick(tick)`` etc. for views).

Per record, in this order:

1. **Validation** per instrument stream (the instrument must have been added with
   ``add_instrument``): ``ts_event`` not going backwards within the instrument's stream of that
   type (bars: within the bar type's stream); prices > 0 (quotes: bid and ask; deltas: ADD/UPDATE
   only; bars: open/high/low/close); sizes >= 0; raw prices/sizes within the instrument's
   precision (a multiple of 10^(9 - precision)); book action 1-4 and side 1-2 (not needed for
   CLEAR); bars: low <= open, close <= high. Policy ``"raise"``: a ``DataError`` naming the data
   type, instrument, record index (position in the array given to ``process``; for single records
   the count of records of that type seen so far) and field. Policy ``"skip"``: the record is
   dropped and counted per type and reason in ``statistics()["rejected"]``. Nothing is silent.
2. **Clock**: internal time bars due strictly before the record's ``ts_event`` are closed first
   (bars never wait for a late tick); at equal timestamps data comes before timers (DESIGN 1.3),
   so a bar closing at T is published after the records stamped T (a trade at exactly T opens the
   next bar; an input bar ending at T completes its bar). ``on_time(ts)`` closes everything due at
   or before ``ts`` when the clock moves (the backtest loop calls it after the data at ``ts``).
3. **State**: the latest record per instrument stream is kept (``last_trade``/``last_quote``/
   ``last_bar``); a delta is applied to the instrument's ``OrderBook`` when one was created by
   ``subscribe_book_deltas``. The cache gets quotes, trades and bars (external and built): an
   ``alphaforge.cache.Cache`` through its cdef record API (no Python object), any other object
   through its ``add_quote``/``add_trade``/``add_bar`` methods with view objects; instruments and
   order books through ``add_instrument``/``add_order_book``.
4. **Publish** on the bus, building a Python view object only if a handler is subscribed to the
   topic: ``data.quotes.{instrument_id}``, ``data.trades.{instrument_id}``,
   ``data.book.deltas.{instrument_id}``, ``data.bars.{bar_type}``.
5. **Aggregation**: internal bar aggregators of the instrument get the trade (LAST) or quote
   (BID/ASK/MID); each completed bar is stored, cached and published on its bar type's topic.

With a ``clock`` (TestClock or LiveClock), the engine keeps one alert (``alert_name``) at the next
internal bar close, so time bars close on the clock with no data: a TestClock's events are popped
and handled by the backtest loop (after the data at that time); a LiveClock fires it itself.

Subscribing to an INTERNAL bar type creates its aggregator (``subscribe_bars``); the last
unsubscribe removes it. Statistics: records processed per type, rejected per type and reason,
bars built in total and per bar type.
"""
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.ref cimport Py_REFCNT
from cpython.tuple cimport PyTuple_GET_SIZE
from libc.stdint cimport INT64_MAX, INT64_MIN, int64_t, uint32_t

from alphaforge._core.aggregation cimport BarAggregator, TimeBarAggregator
from alphaforge._core.book cimport OrderBook
from alphaforge._core.data cimport Bar, BarType, OrderBookDelta, QuoteTick, TradeTick
from alphaforge._core.enums cimport (
    AGG_MILLISECOND,
    AGG_WEEK,
    ACTION_ADD,
    ACTION_CLEAR,
    ACTION_DELETE,
    ACTION_UPDATE,
    PRICE_LAST,
    SIDE_BUY,
    SIDE_SELL,
    SOURCE_INTERNAL,
)
from alphaforge._core.fixed cimport raw_multiple_of_pow10
from alphaforge._core.msgbus cimport MessageBus, _Route
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec
from alphaforge._core.trading_cache cimport Cache

import numpy as np

from alphaforge._core.aggregation import BarAggregator as _PyBarAggregator
from alphaforge._core.aggregation import make_aggregator, parse_bar_spec
from alphaforge._core.records import BAR_DTYPE, ORDER_BOOK_DELTA_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

_BASE_ON_TIME = _PyBarAggregator.on_time
cdef int _ENGINE_SEQ = 0   # engines created in this process (unique, deterministic alert names)
KIND_NAMES = ("quotes", "trades", "bars", "deltas")
_KIND_SINGULAR = ("quote", "trade", "bar", "delta")
REASON_NAMES = (
    "", "unknown_instrument", "ts_backwards", "non_positive_price", "negative_size",
    "price_precision", "size_precision", "bad_bar", "bad_enum", "unknown_bar_type",
)


class DataError(ValueError):
    """A record failed validation under the ``"raise"`` policy.

    Attributes: ``kind`` ("quote", "trade", "bar", "delta"), ``instrument_id`` (str, or the raw
    index/bar type id when unknown), ``index`` (record index), ``field``, ``reason`` (one of
    ``REASON_NAMES``) and ``value`` (the offending raw value).
    """

    def __init__(self, message, *, kind, instrument_id, index, field, reason, value):
        super().__init__(message)
        self.kind = kind
        self.instrument_id = instrument_id
        self.index = index
        self.field = field
        self.reason = reason
        self.value = value


cdef inline bint _is_time_kind(int kind) noexcept:
    return AGG_MILLISECOND <= kind <= AGG_WEEK


cdef str _raw_text(object raw):
    return f"{raw} raw ({raw / 1e9:.9g})"


cdef class _InstrumentCtx:
    pass


cdef class _BarTypeCtx:
    pass


cdef class DataEngine:
    """Validating, publishing data engine (see the module docstring for the exact pipeline)."""

    def __init__(self, msgbus=None, cache=None, clock=None, str validation="raise"):
        if validation not in ("raise", "skip"):
            raise ValueError(f"invalid validation policy {validation!r}: use 'raise' or 'skip'")
        if msgbus is None:
            msgbus = MessageBus()
        if not isinstance(msgbus, MessageBus):
            raise TypeError(f"msgbus must be a MessageBus, got {type(msgbus).__name__}")
        if clock is not None and not all(hasattr(clock, m) for m in ("timestamp_ns", "set_time_alert", "cancel_timer")):
            raise TypeError(f"clock must be a Clock (TestClock/LiveClock), got {type(clock).__name__}")
        self.msgbus = msgbus
        self.cache = cache
        self.clock = clock
        self.validation = validation
        self._skip = validation == "skip"
        self._inst = []
        self._bar_types = {}
        self._time_aggs = []
        self._next_close = INT64_MAX
        self._alert_ns = INT64_MAX
        global _ENGINE_SEQ
        _ENGINE_SEQ += 1
        self.alert_name = "DataEngine.bar_close" if _ENGINE_SEQ == 1 else f"DataEngine.bar_close.{_ENGINE_SEQ}"
        self.bars_built = 0
        self._reset_counts()
        self._tcache = cache if isinstance(cache, Cache) else None
        self._cache_quote = self._cache_method(("add_quote", "add_quote_tick"))
        self._cache_trade = self._cache_method(("add_trade", "add_trade_tick"))
        self._cache_bar = self._cache_method(("add_bar",))
        self._cache_delta = self._cache_method(("add_delta", "add_order_book_delta"))

    def _cache_method(self, names):
        if self.cache is None or self._tcache is not None:
            return None
        for n in names:
            m = getattr(self.cache, n, None)
            if m is not None:
                return m
        return None

    def _reset_counts(self):
        cdef int k, r
        for k in range(4):
            self.processed[k] = 0
            for r in range(10):
                self.rejected[k][r] = 0

    # -- instruments -----------------------------------------------------------------------------

    def add_instrument(self, instrument):
        """Register an instrument (its ``id.index`` keys the C records; its precisions bound the
        records' raw values). Re-adding the same id replaces the definition, keeping the state."""
        iid = instrument.id
        cdef uint32_t idx = iid.index
        while len(self._inst) <= idx:
            self._inst.append(None)
        cdef _InstrumentCtx ctx = self._inst[idx]
        cdef int k
        if ctx is None:
            ctx = _InstrumentCtx()
            ctx.instrument_id = iid
            for k in range(4):
                ctx.last_ts[k] = INT64_MIN
            ctx.has_trade = False
            ctx.has_quote = False
            ctx.trade_route = self.msgbus.route_c(f"data.trades.{iid}")
            ctx.quote_route = self.msgbus.route_c(f"data.quotes.{iid}")
            ctx.delta_route = self.msgbus.route_c(f"data.book.deltas.{iid}")
            ctx.trade_aggs = []
            ctx.quote_aggs = []
            ctx.book = None
            self._inst[idx] = ctx
        ctx.instrument = instrument
        ctx.price_k = 9 - <int>instrument.price_precision
        ctx.size_k = 9 - <int>instrument.size_precision
        if self.cache is not None and hasattr(self.cache, "add_instrument"):
            self.cache.add_instrument(instrument)

    def instrument(self, instrument_id):
        """The registered instrument for ``instrument_id`` (InstrumentId or str); KeyError if none."""
        return (<_InstrumentCtx>self._require(instrument_id)).instrument

    cdef _InstrumentCtx _ctx(self, uint32_t index):
        if index < <uint32_t>PyList_GET_SIZE(self._inst):
            return <_InstrumentCtx>PyList_GET_ITEM(self._inst, index)
        return None

    cdef _InstrumentCtx _require(self, object instrument_id):
        from alphaforge._core.identifiers import InstrumentId
        iid = InstrumentId.from_str(instrument_id) if isinstance(instrument_id, str) else instrument_id
        cdef _InstrumentCtx ctx = self._ctx(iid.index)
        if ctx is None:
            raise KeyError(f"unknown instrument {iid}: call add_instrument() first")
        return ctx

    # -- validation ------------------------------------------------------------------------------

    cdef int _reject(self, int kind, int reason, Py_ssize_t index, object inst_id, str field,
                     object value) except -1:
        if self._skip:
            self.rejected[kind][reason] += 1
            return 0
        cdef str what = _KIND_SINGULAR[kind]
        cdef str detail
        if reason == 1:
            detail = f"instrument index {value} is not registered (add_instrument first)"
        elif reason == 2:
            detail = f"ts_event {value} ns is earlier than the previous record of this stream"
        elif reason == 3:
            detail = f"= {_raw_text(value)} is not positive"
        elif reason == 4:
            detail = f"= {_raw_text(value)} is negative"
        elif reason == 5 or reason == 6:
            detail = f"= {_raw_text(value)} has more decimals than the instrument's precision"
        elif reason == 7:
            detail = f"= {_raw_text(value)} is outside the bar's [low, high] range"
        elif reason == 8:
            detail = f"= {value} is not a valid value"
        else:
            detail = f"bar type id {value} is not known"
        raise DataError(
            f"invalid {what} record {index} for {inst_id}: field '{field}' {detail}",
            kind=what, instrument_id=str(inst_id), index=index, field=field,
            reason=REASON_NAMES[reason], value=value,
        )

    # -- C entry points --------------------------------------------------------------------------

    cdef int process_trade_c(self, const TradeTickRec* rec, Py_ssize_t index) except -1:
        """Validate and process one trade; returns 1 if accepted, 0 if skipped by policy."""
        cdef _InstrumentCtx ctx = self._ctx(rec.instrument_id)
        cdef BarAggregator agg
        cdef list aggs
        cdef Py_ssize_t i
        if ctx is None:
            return self._reject(1, 1, index, rec.instrument_id, "instrument_id", rec.instrument_id)
        if rec.ts_event < ctx.last_ts[1]:
            return self._reject(1, 2, index, ctx.instrument_id, "ts_event", rec.ts_event)
        if rec.price <= 0:
            return self._reject(1, 3, index, ctx.instrument_id, "price", rec.price)
        if rec.size < 0:
            return self._reject(1, 4, index, ctx.instrument_id, "size", rec.size)
        if not raw_multiple_of_pow10(rec.price, ctx.price_k):
            return self._reject(1, 5, index, ctx.instrument_id, "price", rec.price)
        if not raw_multiple_of_pow10(rec.size, ctx.size_k):
            return self._reject(1, 6, index, ctx.instrument_id, "size", rec.size)
        ctx.last_ts[1] = rec.ts_event
        self.processed[1] += 1
        if rec.ts_event > self._next_close:      # data before timers at equal timestamps
            self.on_time_c(rec.ts_event - 1)
        ctx.last_trade = rec[0]
        ctx.has_trade = True
        if self._tcache is not None:
            self._tcache.add_trade_rec_c(rec)
        elif self._cache_trade is not None:
            self._cache_trade(TradeTick.from_rec_c(rec))
        if PyTuple_GET_SIZE(ctx.trade_route.handlers):
            self.msgbus.publish_route_c(ctx.trade_route, TradeTick.from_rec_c(rec))
        aggs = ctx.trade_aggs
        for i in range(PyList_GET_SIZE(aggs)):
            agg = <BarAggregator>PyList_GET_ITEM(aggs, i)
            if agg.handle_trade(rec):
                self._drain(agg)
            self._note_next_close(agg)
        return 1

    cdef int process_quote_c(self, const QuoteTickRec* rec, Py_ssize_t index) except -1:
        """Validate and process one quote; returns 1 if accepted, 0 if skipped by policy."""
        cdef _InstrumentCtx ctx = self._ctx(rec.instrument_id)
        cdef BarAggregator agg
        cdef list aggs
        cdef Py_ssize_t i
        if ctx is None:
            return self._reject(0, 1, index, rec.instrument_id, "instrument_id", rec.instrument_id)
        if rec.ts_event < ctx.last_ts[0]:
            return self._reject(0, 2, index, ctx.instrument_id, "ts_event", rec.ts_event)
        if rec.bid_price <= 0:
            return self._reject(0, 3, index, ctx.instrument_id, "bid_price", rec.bid_price)
        if rec.ask_price <= 0:
            return self._reject(0, 3, index, ctx.instrument_id, "ask_price", rec.ask_price)
        if rec.bid_size < 0:
            return self._reject(0, 4, index, ctx.instrument_id, "bid_size", rec.bid_size)
        if rec.ask_size < 0:
            return self._reject(0, 4, index, ctx.instrument_id, "ask_size", rec.ask_size)
        if not raw_multiple_of_pow10(rec.bid_price, ctx.price_k):
            return self._reject(0, 5, index, ctx.instrument_id, "bid_price", rec.bid_price)
        if not raw_multiple_of_pow10(rec.ask_price, ctx.price_k):
            return self._reject(0, 5, index, ctx.instrument_id, "ask_price", rec.ask_price)
        if not raw_multiple_of_pow10(rec.bid_size, ctx.size_k):
            return self._reject(0, 6, index, ctx.instrument_id, "bid_size", rec.bid_size)
        if not raw_multiple_of_pow10(rec.ask_size, ctx.size_k):
            return self._reject(0, 6, index, ctx.instrument_id, "ask_size", rec.ask_size)
        ctx.last_ts[0] = rec.ts_event
        self.processed[0] += 1
        if rec.ts_event > self._next_close:      # data before timers at equal timestamps
            self.on_time_c(rec.ts_event - 1)
        ctx.last_quote = rec[0]
        ctx.has_quote = True
        if self._tcache is not None:
            self._tcache.add_quote_rec_c(rec)
        elif self._cache_quote is not None:
            self._cache_quote(QuoteTick.from_rec_c(rec))
        if PyTuple_GET_SIZE(ctx.quote_route.handlers):
            self.msgbus.publish_route_c(ctx.quote_route, QuoteTick.from_rec_c(rec))
        aggs = ctx.quote_aggs
        for i in range(PyList_GET_SIZE(aggs)):
            agg = <BarAggregator>PyList_GET_ITEM(aggs, i)
            if agg.handle_quote(rec):
                self._drain(agg)
            self._note_next_close(agg)
        return 1

    cdef int process_delta_c(self, const OrderBookDeltaRec* rec, Py_ssize_t index) except -1:
        """Validate and process one book delta; returns 1 if accepted, 0 if skipped by policy."""
        cdef _InstrumentCtx ctx = self._ctx(rec.instrument_id)
        if ctx is None:
            return self._reject(3, 1, index, rec.instrument_id, "instrument_id", rec.instrument_id)
        if rec.ts_event < ctx.last_ts[3]:
            return self._reject(3, 2, index, ctx.instrument_id, "ts_event", rec.ts_event)
        if rec.action < ACTION_ADD or rec.action > ACTION_CLEAR:
            return self._reject(3, 8, index, ctx.instrument_id, "action", rec.action)
        if rec.action != ACTION_CLEAR:
            if rec.side != SIDE_BUY and rec.side != SIDE_SELL:
                return self._reject(3, 8, index, ctx.instrument_id, "side", rec.side)
            if rec.price <= 0 and rec.action != ACTION_DELETE:
                return self._reject(3, 3, index, ctx.instrument_id, "price", rec.price)
            if rec.size < 0:
                return self._reject(3, 4, index, ctx.instrument_id, "size", rec.size)
            if not raw_multiple_of_pow10(rec.price, ctx.price_k):
                return self._reject(3, 5, index, ctx.instrument_id, "price", rec.price)
            if not raw_multiple_of_pow10(rec.size, ctx.size_k):
                return self._reject(3, 6, index, ctx.instrument_id, "size", rec.size)
        ctx.last_ts[3] = rec.ts_event
        self.processed[3] += 1
        if rec.ts_event > self._next_close:      # data before timers at equal timestamps
            self.on_time_c(rec.ts_event - 1)
        if ctx.book is not None:
            ctx.book.apply_raw(rec.action, rec.side, rec.price, rec.size, rec.order_id,
                               rec.ts_event, rec.sequence, rec.flags)
        if self._cache_delta is not None:
            self._cache_delta(OrderBookDelta.from_rec_c(rec))
        if PyTuple_GET_SIZE(ctx.delta_route.handlers):
            self.msgbus.publish_route_c(ctx.delta_route, OrderBookDelta.from_rec_c(rec))
        return 1

    cdef int process_bar_c(self, const BarRec* rec, Py_ssize_t index) except -1:
        """Validate and process one external bar; returns 1 if accepted, 0 if skipped."""
        cdef _BarTypeCtx bctx
        cdef BarAggregator agg
        cdef int64_t nc
        if rec.bar_type_id == self._last_bar_type_id and self._last_bar_type_id != 0:
            bctx = self._last_bctx
        else:
            bctx = self._bar_types.get(rec.bar_type_id)
            if bctx is None:
                bctx = self._bar_ctx_from_index(rec.bar_type_id, index)
                if bctx is None:
                    return 0
            self._last_bar_type_id = rec.bar_type_id
            self._last_bctx = bctx
        cdef int64_t px[4]
        cdef int j
        if rec.ts_event < bctx.last_ts:
            return self._reject(2, 2, index, bctx.bar_type, "ts_event", rec.ts_event)
        if rec.open <= 0:
            return self._reject(2, 3, index, bctx.bar_type, "open", rec.open)
        if rec.high <= 0:
            return self._reject(2, 3, index, bctx.bar_type, "high", rec.high)
        if rec.low <= 0:
            return self._reject(2, 3, index, bctx.bar_type, "low", rec.low)
        if rec.close <= 0:
            return self._reject(2, 3, index, bctx.bar_type, "close", rec.close)
        if rec.volume < 0:
            return self._reject(2, 4, index, bctx.bar_type, "volume", rec.volume)
        if rec.low > rec.high:
            return self._reject(2, 7, index, bctx.bar_type, "low", rec.low)
        if rec.open < rec.low or rec.open > rec.high:
            return self._reject(2, 7, index, bctx.bar_type, "open", rec.open)
        if rec.close < rec.low or rec.close > rec.high:
            return self._reject(2, 7, index, bctx.bar_type, "close", rec.close)
        px[0] = rec.open
        px[1] = rec.high
        px[2] = rec.low
        px[3] = rec.close
        for j in range(4):
            if not raw_multiple_of_pow10(px[j], bctx.inst.price_k):
                return self._reject(2, 5, index, bctx.bar_type, ("open", "high", "low", "close")[j], px[j])
        if not raw_multiple_of_pow10(rec.volume, bctx.inst.size_k):
            return self._reject(2, 6, index, bctx.bar_type, "volume", rec.volume)
        bctx.last_ts = rec.ts_event
        self.processed[2] += 1
        if rec.ts_event > self._next_close:      # data before timers at equal timestamps
            self.on_time_c(rec.ts_event - 1)
        bctx.last_bar = rec[0]
        bctx.has_bar = True
        if self._tcache is not None:
            self._tcache.add_bar_rec_c(rec)
        elif self._cache_bar is not None:
            self._cache_bar(Bar.from_rec_c(rec))
        if PyTuple_GET_SIZE(bctx.route.handlers):
            self.msgbus.publish_route_c(bctx.route, self._bar_for(rec))
        for agg in bctx.bar_aggs:
            if agg.handle_bar(rec):
                self._drain(agg)
            self._note_next_close(agg)
        return 1

    def _bar_ctx_from_index(self, uint32_t bar_type_id, Py_ssize_t index):
        try:
            bt = BarType.from_index(bar_type_id)
        except (KeyError, ValueError, IndexError):
            self._reject(2, 9, index, bar_type_id, "bar_type_id", bar_type_id)
            return None
        ctx = self._ctx(bt.instrument_id.index)
        if ctx is None:
            self._reject(2, 1, index, bt.instrument_id, "bar_type_id", bt.instrument_id.index)
            return None
        return self._bar_ctx(bt)

    cdef _BarTypeCtx _bar_ctx(self, object bt):
        cdef _BarTypeCtx b = self._bar_types.get(bt.index)
        if b is None:
            b = _BarTypeCtx()
            b.bar_type = bt
            b.inst = self._require(bt.instrument_id)
            b.route = self.msgbus.route_c(f"data.bars.{bt}")
            b.last_ts = INT64_MIN
            b.has_bar = False
            b.aggregator = None
            b.built = 0
            b.subscribers = 0
            b.bar_aggs = []
            self._bar_types[bt.index] = b
        return b

    cdef inline int _note_next_close(self, BarAggregator agg) except -1:
        # After a record reached `agg`: lower the engine's next close if the aggregator now has a
        # time bar due earlier (time aggregators: its bucket end; clock-driven user aggregators
        # through next_close_ns()).
        cdef int64_t nc
        if _is_time_kind(agg.st.kind):
            if agg.st.has_bar and agg.st.cur_end < self._next_close:
                self._next_close = agg.st.cur_end
                if self.clock is not None:
                    self._sync_alert()
        elif agg.st.kind == 0 and agg in self._time_aggs:
            nc = agg.next_close_ns()
            if nc < self._next_close:
                self._next_close = nc
                if self.clock is not None:
                    self._sync_alert()
        return 0

    cdef int on_time_c(self, int64_t ts_ns) except -1:
        """Clock at ``ts_ns``: close every internal time bar due at or before it, in time order
        (ties in subscription order), publishing each."""
        cdef BarAggregator agg
        cdef int64_t t
        while self._next_close <= ts_ns:
            t = self._next_close
            for agg in list(self._time_aggs):
                if agg.next_close_ns() == t:
                    agg.on_time(t)
                    self._drain(agg)
            self._refresh_next_close()
        return 0

    cdef int _refresh_next_close(self) except -1:
        cdef BarAggregator agg
        cdef int64_t nc, best = INT64_MAX
        for agg in self._time_aggs:
            nc = agg.next_close_ns()
            if nc < best:
                best = nc
        self._next_close = best
        if self.clock is not None:
            self._sync_alert()
        return 0

    cdef int _sync_alert(self) except -1:
        # Keep one clock alert at the next bar close, so time bars close on the clock (TestClock:
        # the backtest loop pops and handles it after the data at that time; LiveClock: asyncio).
        if self._next_close == self._alert_ns:
            return 0
        if self._alert_ns != INT64_MAX:
            try:
                self.clock.cancel_timer(self.alert_name)
            except KeyError:
                pass  # already fired
            self._alert_ns = INT64_MAX
        if self._next_close != INT64_MAX and self._next_close >= self.clock.timestamp_ns():
            self.clock.set_time_alert(self.alert_name, self._next_close, self._on_alert)
            self._alert_ns = self._next_close
        return 0

    def _on_alert(self, event):
        """Clock alert callback: close the time bars due at ``event.ts_event``."""
        self._alert_ns = INT64_MAX
        self.on_time_c(event.ts_event)
        self._sync_alert()

    cdef int _drain(self, BarAggregator agg) except -1:
        cdef Py_ssize_t k, n = agg.st.n_out
        cdef BarRec b
        for k in range(n):
            b = agg.st.out[k]
            self._publish_bar(&b)
        agg.clear_output()
        return 0

    cdef Bar _bar_for(self, const BarRec* rec):
        """A Bar view of ``rec`` for the bus. The previous view is refilled in place when the
        engine holds its only reference (no handler kept it), saving an allocation per bar; a
        view a handler kept is never touched."""
        cdef Bar view = self._bar_view
        if view is not None and Py_REFCNT(view) == 2:      # self._bar_view + the local `view`
            view.rec = rec[0]
            if view.bar_type.index != rec.bar_type_id:
                view.bar_type = BarType.from_index_c(rec.bar_type_id)
            return view
        view = Bar.from_rec_c(rec)
        self._bar_view = view
        return view

    cdef int _publish_bar(self, const BarRec* rec) except -1:
        cdef _BarTypeCtx bctx = self._bar_types.get(rec.bar_type_id)
        self.bars_built += 1
        if bctx is None:
            return 0
        bctx.built += 1
        bctx.last_bar = rec[0]
        bctx.has_bar = True
        bctx.last_ts = rec.ts_event
        if self._tcache is not None:
            self._tcache.add_bar_rec_c(rec)
        elif self._cache_bar is not None:
            self._cache_bar(Bar.from_rec_c(rec))
        if PyTuple_GET_SIZE(bctx.route.handlers):
            self.msgbus.publish_route_c(bctx.route, self._bar_for(rec))
        return 0

    # -- Python entry points ---------------------------------------------------------------------

    def process(self, records):
        """Process a TRADE_TICK_DTYPE, QUOTE_TICK_DTYPE, BAR_DTYPE or ORDER_BOOK_DELTA_DTYPE record
        array in order (C loop, no Python call per record unless a handler subscribed). Returns the
        number of records accepted; error indices are positions in ``records``. Under the "raise"
        policy the records before the bad one stay processed (published, aggregated)."""
        records = np.ascontiguousarray(records)
        cdef Py_ssize_t i, n = len(records), ok = 0
        cdef TradeTickRec[::1] tv
        cdef QuoteTickRec[::1] qv
        cdef BarRec[::1] bv
        cdef OrderBookDeltaRec[::1] dv
        if n == 0:
            return 0
        dt = records.dtype
        if dt == TRADE_TICK_DTYPE:
            tv = records
            for i in range(n):
                ok += self.process_trade_c(&tv[i], i)
        elif dt == QUOTE_TICK_DTYPE:
            qv = records
            for i in range(n):
                ok += self.process_quote_c(&qv[i], i)
        elif dt == BAR_DTYPE:
            bv = records
            for i in range(n):
                ok += self.process_bar_c(&bv[i], i)
        elif dt == ORDER_BOOK_DELTA_DTYPE:
            dv = records
            for i in range(n):
                ok += self.process_delta_c(&dv[i], i)
        else:
            raise TypeError(f"unsupported record dtype {dt}: expected one of the record dtypes")
        return ok

    def process_trade_tick(self, TradeTick tick not None):
        """Process one TradeTick view; returns True if accepted (False: skipped by policy)."""
        return self.process_trade_c(tick.c_rec(), self.processed[1]) == 1

    def process_quote_tick(self, QuoteTick tick not None):
        """Process one QuoteTick view; returns True if accepted (False: skipped by policy)."""
        return self.process_quote_c(&tick.rec, self.processed[0]) == 1

    def process_bar(self, Bar bar not None):
        """Process one (external) Bar view; returns True if accepted (False: skipped by policy)."""
        return self.process_bar_c(&bar.rec, self.processed[2]) == 1

    def process_delta(self, OrderBookDelta delta not None):
        """Process one OrderBookDelta view; returns True if accepted (False: skipped by policy)."""
        return self.process_delta_c(&delta.rec, self.processed[3]) == 1

    def on_time(self, ts_ns=None):
        """Clock at ``ts_ns`` (default: ``clock.timestamp_ns()``): close and publish every internal
        time bar due at or before it."""
        if ts_ns is None:
            if self.clock is None:
                raise ValueError("on_time() needs ts_ns when the engine has no clock")
            ts_ns = self.clock.timestamp_ns()
        self.on_time_c(ts_ns)

    def next_close_ns(self) -> int:
        """Earliest time (ns) an internal time bar is due; INT64_MAX when none."""
        return self._next_close

    # -- subscriptions ---------------------------------------------------------------------------

    def subscribe_trades(self, instrument_id, handler, int priority=0):
        """Deliver TradeTick views of ``instrument_id`` to ``handler`` (topic data.trades.{id})."""
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return self.msgbus.subscribe(f"data.trades.{ctx.instrument_id}", handler, priority)

    def unsubscribe_trades(self, instrument_id, handler):
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return self.msgbus.unsubscribe(f"data.trades.{ctx.instrument_id}", handler)

    def subscribe_quotes(self, instrument_id, handler, int priority=0):
        """Deliver QuoteTick views of ``instrument_id`` to ``handler`` (topic data.quotes.{id})."""
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return self.msgbus.subscribe(f"data.quotes.{ctx.instrument_id}", handler, priority)

    def unsubscribe_quotes(self, instrument_id, handler):
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return self.msgbus.unsubscribe(f"data.quotes.{ctx.instrument_id}", handler)

    def subscribe_book_deltas(self, instrument_id, handler=None, book_type="L2", int priority=0,
                              **book_kwargs):
        """Maintain an OrderBook for ``instrument_id`` from its deltas (created on the first call,
        ``book_type`` and ``book_kwargs`` as for ``OrderBook``) and, with a handler, deliver
        OrderBookDelta views (topic data.book.deltas.{id}). Returns the book."""
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        if ctx.book is None:
            ctx.book = OrderBook(ctx.instrument, book_type, **book_kwargs)
            if self.cache is not None and hasattr(self.cache, "add_order_book"):
                self.cache.add_order_book(ctx.book, ctx.instrument_id)
        if handler is not None:
            self.msgbus.subscribe(f"data.book.deltas.{ctx.instrument_id}", handler, priority)
        return ctx.book

    def unsubscribe_book_deltas(self, instrument_id, handler):
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return self.msgbus.unsubscribe(f"data.book.deltas.{ctx.instrument_id}", handler)

    def book(self, instrument_id):
        """The instrument's OrderBook (None until subscribe_book_deltas)."""
        return (<_InstrumentCtx>self._require(instrument_id)).book

    def subscribe_bars(self, bar_type, handler=None, int priority=0, *, fill_empty=False,
                       origin_ns=None, from_bar_type=None):
        """Deliver Bar views of ``bar_type`` (BarType or its string) to ``handler`` (topic
        data.bars.{bar_type}). For an INTERNAL bar type the first subscription creates its
        aggregator, fed by the instrument's trades (LAST) or quotes (BID/ASK/MID) - or by the bars of
        ``from_bar_type`` (time bars from time bars). ``fill_empty``/``origin_ns`` configure
        internal time bars (module docstring of alphaforge.data.aggregation)."""
        bt = BarType.from_str(bar_type) if isinstance(bar_type, str) else bar_type
        cdef _BarTypeCtx b = self._bar_ctx(bt)
        cdef _BarTypeCtx src
        cdef BarAggregator agg
        if bt.aggregation_source == SOURCE_INTERNAL and b.aggregator is None:
            spec = parse_bar_spec(bt.spec)
            kw = {"bar_type_id": bt.index}
            if spec.is_time:
                kw.update(fill_empty=fill_empty, origin_ns=origin_ns)
            elif fill_empty or origin_ns is not None or from_bar_type is not None:
                raise ValueError(f"fill_empty/origin_ns/from_bar_type apply to time bars only, not {bt}")
            agg = make_aggregator(spec, kw)
            if from_bar_type is not None:
                sbt = BarType.from_str(from_bar_type) if isinstance(from_bar_type, str) else from_bar_type
                if sbt.instrument_id != bt.instrument_id:
                    raise ValueError(f"{bt} cannot be built from bars of another instrument ({sbt})")
                src = self._bar_ctx(sbt)
                src.bar_aggs.append(agg)
            elif spec.price_type == PRICE_LAST:
                b.inst.trade_aggs.append(agg)
            else:
                b.inst.quote_aggs.append(agg)
            if spec.is_time or type(agg).on_time is not _BASE_ON_TIME:
                self._time_aggs.append(agg)
            b.aggregator = agg
        b.subscribers += 1
        if handler is not None:
            self.msgbus.subscribe(f"data.bars.{bt}", handler, priority)
        return True

    def unsubscribe_bars(self, bar_type, handler=None):
        """Undo one subscribe_bars; the last one removes an internal bar type's aggregator (its bar
        in progress is dropped)."""
        bt = BarType.from_str(bar_type) if isinstance(bar_type, str) else bar_type
        cdef _BarTypeCtx b = self._bar_types.get(bt.index)
        cdef _BarTypeCtx other
        if b is None or b.subscribers == 0:
            return False
        if handler is not None:
            self.msgbus.unsubscribe(f"data.bars.{bt}", handler)
        b.subscribers -= 1
        if b.subscribers == 0 and b.aggregator is not None:
            agg = b.aggregator
            for lst in (b.inst.trade_aggs, b.inst.quote_aggs, self._time_aggs):
                if agg in lst:
                    lst.remove(agg)
            for other in self._bar_types.values():
                if agg in other.bar_aggs:
                    other.bar_aggs.remove(agg)
            b.aggregator = None
            self._refresh_next_close()
        return True

    def aggregator(self, bar_type):
        """The aggregator building an internal bar type (None if not subscribed)."""
        bt = BarType.from_str(bar_type) if isinstance(bar_type, str) else bar_type
        b = self._bar_types.get(bt.index)
        return None if b is None else (<_BarTypeCtx>b).aggregator

    # -- state -----------------------------------------------------------------------------------

    def last_trade(self, instrument_id):
        """Latest accepted TradeTick of the instrument, or None."""
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return TradeTick.from_rec_c(&ctx.last_trade) if ctx.has_trade else None

    def last_quote(self, instrument_id):
        """Latest accepted QuoteTick of the instrument, or None."""
        cdef _InstrumentCtx ctx = self._require(instrument_id)
        return QuoteTick.from_rec_c(&ctx.last_quote) if ctx.has_quote else None

    def last_bar(self, bar_type):
        """Latest bar (external or built) of ``bar_type``, or None."""
        bt = BarType.from_str(bar_type) if isinstance(bar_type, str) else bar_type
        b = self._bar_types.get(bt.index)
        if b is None or not (<_BarTypeCtx>b).has_bar:
            return None
        return Bar.from_rec_c(&(<_BarTypeCtx>b).last_bar)

    def statistics(self) -> dict:
        """``{"processed": {type: n}, "rejected": {type: {reason: n}}, "rejected_total": n,
        "bars_built": n, "bars_built_by_type": {bar_type str: n}}`` (types: quotes, trades, bars,
        deltas; only non-zero reasons are listed)."""
        cdef int k, r
        cdef _BarTypeCtx b
        rejected = {}
        total = 0
        for k in range(4):
            d = {}
            for r in range(1, 10):
                if self.rejected[k][r]:
                    d[REASON_NAMES[r]] = self.rejected[k][r]
                    total += self.rejected[k][r]
            rejected[KIND_NAMES[k]] = d
        by_type = {}
        for b in self._bar_types.values():
            if b.aggregator is not None or b.built:
                by_type[str(b.bar_type)] = b.built
        return {
            "processed": {KIND_NAMES[k]: self.processed[k] for k in range(4)},
            "rejected": rejected,
            "rejected_total": total,
            "bars_built": self.bars_built,
            "bars_built_by_type": by_type,
        }
