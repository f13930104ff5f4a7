"""Simulated venue: matching engines per instrument, account, in-flight commands and models.

See exchange.pxd for the interface the backtest loop uses and matching_engine.pyx for the matching
rules (timing, taker/maker, liquidity, bar path, triggers, time in force, contingencies).
"""
import numpy as np

from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from cpython.ref cimport Py_DECREF, Py_INCREF
from libc.stdint cimport INT64_MAX, int64_t, uint32_t
from libc.stdlib cimport free, realloc

from alphaforge._core.accounts cimport Account
from alphaforge._core.clock cimport TestClock, clock_now_ns
from alphaforge._core.currency cimport Currency
from alphaforge._core.data cimport Bar, BarType, OrderBookDelta, QuoteTick, TradeTick
from alphaforge._core.execution_models cimport (
    CMD_CANCEL,
    CMD_MODIFY,
    CMD_SUBMIT,
    FeeModel,
    FillModel,
    LatencyModel,
    QueueModel,
)
from alphaforge._core.identifiers cimport AccountId, InstrumentId, Venue
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.matching_engine cimport (
    PATH_CLOSEST_EXTREME_FIRST,
    PATH_HIGH_FIRST,
    PATH_LOW_FIRST,
    OrderMatchingEngine,
    VenueEventSink,
    VenueState,
)
from alphaforge._core.order_events cimport OrderRejected
from alphaforge._core.orders cimport Order
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

from alphaforge._core.accounts import CashAccount, MarginAccount
from alphaforge._core.currency import Currency as _Currency
from alphaforge._core.records import BAR_DTYPE, ORDER_BOOK_DELTA_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE
from alphaforge.model.enums import AccountType, BookType, OmsType

_PATHS = {"closest_extreme_first": PATH_CLOSEST_EXTREME_FIRST, "high_first": PATH_HIGH_FIRST,
          "low_first": PATH_LOW_FIRST}


cdef int _parse_book_type(object book_type) except -1:
    if isinstance(book_type, str):
        s = book_type.strip().upper()
        if s in ("L1", "L1_MBP"):
            return 1
        if s in ("L2", "L2_MBP"):
            return 2
        if s in ("L3", "L3_MBO"):
            return 3
        raise ValueError(f"invalid book_type {book_type!r}: expected 'L1', 'L2' or 'L3'")
    cdef int v = int(book_type)
    if v not in (1, 2, 3):
        raise ValueError(f"invalid book_type {book_type!r}: expected 1, 2 or 3")
    return v


cdef class SimulatedExchange:
    """A simulated venue.

    ``SimulatedExchange(venue, oms_type, account_type, base_currency, starting_balances, clock,
    fill_model=None, queue_model=None, latency_model=None, fee_model=None, book_type="L1",
    bar_execution=True, bar_path="closest_extreme_first", same_bar_fill=False,
    reject_stop_orders=True, support_contingent_orders=True, use_position_ids=True,
    allow_cash_borrowing=False, leverages=None, default_leverage=1.0)``

    * ``oms_type``: "NETTING" / "HEDGING" (or OmsType); the ExecutionEngine uses it unless a
      strategy overrides it. ``use_position_ids``: on HEDGING venues the venue names new positions
      ("{venue}-P{n}"); otherwise the engine does ("{instrument_id}-{strategy_id}-{n}").
    * ``account_type``: "CASH" (CashAccount, no negative balances unless ``allow_cash_borrowing``)
      or "MARGIN" (MarginAccount with ``default_leverage`` / per-instrument ``leverages``); created
      from ``starting_balances`` such as ``["1000000 USD"]`` as ``exchange.account`` (id
      "{venue}-001"); ``base_currency`` None = multi-currency.
    * ``book_type``: "L1" matches on quotes/trades/bars; "L2"/"L3" keep an order book per
      instrument from deltas and match on it (quotes are then ignored, trades drive queues).
    * ``bar_path``: "closest_extreme_first" (open, the extreme nearer the open, the other, close;
      low first on a tie), "high_first" or "low_first". ``same_bar_fill=True`` is the named
      look-ahead opt-in (orders arriving after a bar also match once at that bar's close).

    Events go to the registered ExecutionEngine (``ExecutionEngine.register_venue``); without one a
    default VenueEventSink applies them to the orders only (no positions, no account changes) and
    records them in ``exchange.events``. In-flight commands due at a data point's ts_event (arrival
    <= ts_event) are applied before that data point is matched.
    """

    def __init__(self, venue, oms_type, account_type, base_currency, starting_balances, clock,
                 FillModel fill_model=None, QueueModel queue_model=None, LatencyModel latency_model=None,
                 FeeModel fee_model=None, book_type="L1", bint bar_execution=True,
                 str bar_path="closest_extreme_first", bint same_bar_fill=False,
                 bint reject_stop_orders=True, bint support_contingent_orders=True,
                 bint use_position_ids=True, bint allow_cash_borrowing=False, leverages=None,
                 double default_leverage=1.0):
        self.venue = venue if isinstance(venue, Venue) else Venue(str(venue))
        self.oms_type = int(OmsType.parse(oms_type))
        if self.oms_type not in (1, 2):
            raise ValueError(f"invalid oms_type {oms_type!r}: expected NETTING or HEDGING")
        self.account_type = int(AccountType.parse(account_type))
        if base_currency is not None and not isinstance(base_currency, Currency):
            base_currency = _Currency.from_str(str(base_currency))
        self.base_currency = base_currency
        if isinstance(starting_balances, (str, bytes)) or not hasattr(starting_balances, "__iter__"):
            starting_balances = [starting_balances]
        self.starting_balances = list(starting_balances)
        if clock is None or not hasattr(clock, "timestamp_ns"):
            raise TypeError("clock must be an alphaforge Clock (e.g. TestClock)")
        self.clock = clock
        if bar_path not in _PATHS:
            raise ValueError(f"invalid bar_path {bar_path!r}: expected one of {', '.join(_PATHS)}")
        self.book_type = _parse_book_type(book_type)
        self.use_position_ids = use_position_ids
        self.allow_cash_borrowing = allow_cash_borrowing
        if default_leverage <= 0:
            raise ValueError(f"invalid default_leverage {default_leverage!r}: must be > 0")
        self.default_leverage = default_leverage
        self._leverages = dict(leverages) if leverages else None
        self.state = VenueState(self.venue, AccountId(f"{self.venue.value}-001"))
        self.state.fill_model = fill_model if fill_model is not None else FillModel()
        self.state.queue_model = queue_model if queue_model is not None else QueueModel("none")
        self.state.fee_model = fee_model if fee_model is not None else FeeModel()
        self.latency_model = latency_model if latency_model is not None else LatencyModel(0)
        self.state.bar_execution = bar_execution
        self.state.same_bar_fill = same_bar_fill
        self.state.reject_stop_orders = reject_stop_orders
        self.state.support_contingent_orders = support_contingent_orders
        self.state.bar_path = _PATHS[bar_path]
        self._engines = {}
        self._engine_list = []
        self._by_index = []
        self._by_bar = []
        self._new_account()
        self._heap_n = 0
        self._cmd_seq = 0
        self._next_cmd_ns = INT64_MAX
        self.commands_processed = 0

    def _new_account(self) -> None:
        acc_id = self.state.account_id
        if self.account_type == 1:
            self.account = CashAccount(acc_id, self.starting_balances, self.base_currency,
                                       allow_borrowing=self.allow_cash_borrowing)
        else:
            self.account = MarginAccount(acc_id, self.starting_balances, self.base_currency,
                                         default_leverage=self.default_leverage, leverages=self._leverages)
        self.state.account = self.account

    # ------------------------------------------------------------------ setup

    def add_instrument(self, Instrument instrument not None) -> None:
        """Trade ``instrument`` on this venue (its venue must match). Creates its matching engine."""
        if instrument.id.venue != self.venue:
            raise ValueError(f"instrument {instrument.id} is not on venue {self.venue}")
        if instrument.id in self._engines:
            raise ValueError(f"instrument {instrument.id} already added to {self.venue}")
        cdef OrderMatchingEngine eng = OrderMatchingEngine(instrument, self.state, self.book_type)
        self._engines[instrument.id] = eng
        self._engine_list.append(eng)
        cdef Py_ssize_t idx = instrument.id.index
        while len(self._by_index) <= idx:
            self._by_index.append(None)
        self._by_index[idx] = eng

    def instruments(self) -> list:
        return [(<OrderMatchingEngine>e).instrument for e in self._engine_list]

    def matching_engine(self, instrument_id) -> OrderMatchingEngine:
        """The matching engine of an instrument (KeyError if not added)."""
        cdef OrderMatchingEngine e = self.engine_c(instrument_id)
        if e is None:
            raise KeyError(f"instrument {instrument_id} is not traded on {self.venue}")
        return e

    cdef OrderMatchingEngine engine_c(self, object instrument_id):
        cdef uint32_t idx
        if not isinstance(instrument_id, InstrumentId):
            instrument_id = InstrumentId.from_str(str(instrument_id))
        idx = (<InstrumentId>instrument_id).index      # interned: one index per instrument id
        if idx < <uint32_t>PyList_GET_SIZE(self._by_index):
            return <OrderMatchingEngine><PyObject*>PyList_GET_ITEM(self._by_index, idx)   # None if not here
        return None

    cdef int set_sink_c(self, VenueEventSink sink) except -1:
        self.state.sink = sink
        return 0

    @property
    def fill_model(self):
        return self.state.fill_model

    @property
    def queue_model(self):
        return self.state.queue_model

    @property
    def fee_model(self):
        return self.state.fee_model

    @property
    def events(self) -> list:
        """Events recorded by the default sink (empty once an ExecutionEngine is registered)."""
        return list(self.state.sink.events) if self.state.sink.events is not None else []

    def __dealloc__(self):
        self._clear_heap()
        free(self._heap)

    cdef int _clear_heap(self) except -1:
        """Drop every queued command (releasing the heap's payload references)."""
        cdef Py_ssize_t i, n = self._heap_n
        self._heap_n = 0
        self._next_cmd_ns = INT64_MAX
        for i in range(n):
            Py_DECREF(<object>self._heap[i].payload)
        return 0

    def reset(self) -> None:
        """Prepare a new run: fresh account from the starting balances, empty books, no orders or
        in-flight commands, id counters and model random sequences restarted. Call
        ``ExecutionEngine.reset()`` afterwards so the engine and portfolio use the new account."""
        self._clear_heap()
        self._cmd_seq = 0
        self.commands_processed = 0
        self.state.reset()
        self.state.fill_model.reset()
        self.latency_model.reset()
        for e in self._engine_list:
            (<OrderMatchingEngine>e).reset()
        self._new_account()
        if type(self.state.sink) is VenueEventSink:
            self.state.sink.clear()

    # ------------------------------------------------------------------ commands

    cdef int64_t _now(self) except? -1:
        return clock_now_ns(self.clock)

    cdef int _push(self, int64_t arrival, int kind, object payload) except -1:
        cdef Py_ssize_t cap, i, parent
        cdef CmdEntry* p
        cdef CmdEntry e
        if self._heap_n == self._heap_cap:
            cap = self._heap_cap * 2 if self._heap_cap else 64
            p = <CmdEntry*>realloc(self._heap, cap * sizeof(CmdEntry))
            if p == NULL:
                raise MemoryError()
            self._heap = p
            self._heap_cap = cap
        self._cmd_seq += 1
        e.arrival = arrival
        e.seq = self._cmd_seq
        e.kind = kind
        Py_INCREF(payload)
        e.payload = <PyObject*>payload
        i = self._heap_n
        self._heap_n += 1
        while i > 0:
            parent = (i - 1) >> 1
            if self._heap[parent].arrival < arrival or (self._heap[parent].arrival == arrival):
                break
            self._heap[i] = self._heap[parent]
            i = parent
        self._heap[i] = e
        if arrival < self._next_cmd_ns:
            self._next_cmd_ns = arrival
        return 0

    cdef CmdEntry _pop(self) noexcept:
        """Remove and return the (arrival, seq)-smallest entry (the heap must not be empty)."""
        cdef CmdEntry top = self._heap[0]
        cdef CmdEntry last
        cdef Py_ssize_t i = 0, c, n
        self._heap_n -= 1
        n = self._heap_n
        if n > 0:
            last = self._heap[n]
            while True:
                c = 2 * i + 1
                if c >= n:
                    break
                if c + 1 < n and (self._heap[c + 1].arrival < self._heap[c].arrival or (
                        self._heap[c + 1].arrival == self._heap[c].arrival and
                        self._heap[c + 1].seq < self._heap[c].seq)):
                    c += 1
                if last.arrival < self._heap[c].arrival or (last.arrival == self._heap[c].arrival
                                                            and last.seq < self._heap[c].seq):
                    break
                self._heap[i] = self._heap[c]
                i = c
            self._heap[i] = last
        self._next_cmd_ns = self._heap[0].arrival if n > 0 else INT64_MAX
        return top

    cdef int send_submit_c(self, Order order, int64_t ts_sent) except -1:
        return self._push(ts_sent + self.latency_model.latency_c(CMD_SUBMIT), XCMD_SUBMIT, order)

    cdef int send_submit_list_c(self, list orders, int64_t ts_sent) except -1:
        return self._push(ts_sent + self.latency_model.latency_c(CMD_SUBMIT), XCMD_SUBMIT_LIST, orders)

    cdef int send_modify_c(self, Order order, int64_t qty_raw, bint has_price, int64_t price_raw,
                           bint has_trigger, int64_t trigger_raw, int64_t ts_sent) except -1:
        return self._push(ts_sent + self.latency_model.latency_c(CMD_MODIFY), XCMD_MODIFY,
                          (order, qty_raw, has_price, price_raw, has_trigger, trigger_raw))

    cdef int send_cancel_c(self, Order order, int64_t ts_sent) except -1:
        return self._push(ts_sent + self.latency_model.latency_c(CMD_CANCEL), XCMD_CANCEL, order)

    def send_submit(self, Order order not None, ts_sent=None) -> None:
        """Enqueue a submit sent at ``ts_sent`` (default: clock time); normally via the ExecutionEngine."""
        self.send_submit_c(order, self._now() if ts_sent is None else ts_sent)

    def send_cancel(self, Order order not None, ts_sent=None) -> None:
        self.send_cancel_c(order, self._now() if ts_sent is None else ts_sent)

    cdef int64_t next_command_ns(self) noexcept:
        cdef int64_t best = self._next_cmd_ns, t
        cdef list engines = self._engine_list
        cdef Py_ssize_t i
        for i in range(PyList_GET_SIZE(engines)):    # borrowed items: runs for every data record
            t = (<OrderMatchingEngine><PyObject*>PyList_GET_ITEM(engines, i)).next_expiry_ns
            if t < best:
                best = t
        return best

    cdef int process_commands(self, int64_t ts_now) except -1:
        cdef object payload
        cdef int kind
        cdef int64_t arrival
        cdef Order order
        cdef OrderMatchingEngine eng
        cdef CmdEntry top
        while self._heap_n > 0 and self._next_cmd_ns <= ts_now:
            top = self._pop()
            payload = <object>top.payload          # a new reference; the heap's one is released:
            Py_DECREF(payload)                     # payload now holds the only one taken from it
            arrival = top.arrival
            kind = top.kind
            self.commands_processed += 1
            if kind == XCMD_SUBMIT_LIST:
                orders = payload
                eng = self.engine_c((<Order>orders[0]).instrument_id)
                if eng is None:
                    for o in orders:
                        self._reject_unknown(<Order>o, arrival)
                    continue
                eng.submit_list_c(orders, arrival)
                continue
            if kind == XCMD_MODIFY:
                order = payload[0]
            else:
                order = payload
            eng = self.engine_c(order.instrument_id)
            if eng is None:
                self._reject_unknown(order, arrival)
                continue
            if kind == XCMD_SUBMIT:
                eng.submit_c(order, arrival)
            elif kind == XCMD_CANCEL:
                eng.cancel_c(order, arrival)
            else:
                p = payload
                eng.modify_c(order, p[1], p[2], p[3], p[4], p[5], arrival)
        for eng in self._engine_list:
            if eng.next_expiry_ns <= ts_now:
                eng.expire_c(ts_now)
        return 0

    cdef int _reject_unknown(self, Order order, int64_t ts) except -1:
        return self.state.sink.on_venue_event_c(order, OrderRejected.create_c(
            order.trader_id, order.strategy_id, order.instrument_id, order.client_order_id,
            self.state.account_id, f"instrument {order.instrument_id} is not traded on {self.venue}",
            False, ts, ts))

    def process_commands_until(self, int64_t ts_now) -> None:
        """Python entry to process_commands (tests)."""
        self.process_commands(ts_now)

    def next_command_time_ns(self) -> int:
        """Python entry to next_command_ns (INT64_MAX if nothing is pending)."""
        return self.next_command_ns()

    # ------------------------------------------------------------------ data

    cdef OrderMatchingEngine _engine_for_index(self, Py_ssize_t index):
        if index < len(self._by_index):
            return <OrderMatchingEngine>self._by_index[index]
        return None

    cdef OrderMatchingEngine _engine_for_bar(self, Py_ssize_t bar_type_index):
        cdef BarType bt
        cdef object e
        if bar_type_index < len(self._by_bar):
            e = self._by_bar[bar_type_index]
            if e is not None:
                return <OrderMatchingEngine>e
        bt = BarType.from_index_c(<int>bar_type_index)
        e = self._engines.get(bt.instrument_id)
        while len(self._by_bar) <= bar_type_index:
            self._by_bar.append(None)
        self._by_bar[bar_type_index] = e
        return <OrderMatchingEngine>e

    cdef int process_quote(self, const QuoteTickRec* rec) except -1:
        if self._next_cmd_ns <= rec.ts_event:
            self.process_commands(rec.ts_event)
        cdef OrderMatchingEngine e = self._engine_for_index(rec.instrument_id)
        if e is not None:
            e.process_quote_c(rec)
        return 0

    cdef int process_trade(self, const TradeTickRec* rec) except -1:
        if self._next_cmd_ns <= rec.ts_event:
            self.process_commands(rec.ts_event)
        cdef OrderMatchingEngine e = self._engine_for_index(rec.instrument_id)
        if e is not None:
            e.process_trade_c(rec)
        return 0

    cdef int process_bar(self, const BarRec* rec) except -1:
        if self._next_cmd_ns <= rec.ts_event:
            self.process_commands(rec.ts_event)
        cdef OrderMatchingEngine e = self._engine_for_bar(rec.bar_type_id)
        if e is not None:
            e.process_bar_c(rec)
        return 0

    cdef int process_delta(self, const OrderBookDeltaRec* rec) except -1:
        if self._next_cmd_ns <= rec.ts_event:
            self.process_commands(rec.ts_event)
        cdef OrderMatchingEngine e = self._engine_for_index(rec.instrument_id)
        if e is not None:
            e.process_delta_c(rec)
        return 0

    def process(self, data) -> int:
        """Feed data (tests / manual driving): a QuoteTick, TradeTick, Bar or OrderBookDelta view, or
        a record array of one of the record dtypes (rows in order). The clock (a TestClock) is moved
        to each record's ts_event first. Returns the number of records processed."""
        cdef Py_ssize_t i, n
        cdef const QuoteTickRec[::1] q
        cdef const TradeTickRec[::1] t
        cdef const BarRec[::1] b
        cdef const OrderBookDeltaRec[::1] d
        if isinstance(data, QuoteTick):
            self._move_clock((<QuoteTick>data).rec.ts_event)
            self.process_quote(&(<QuoteTick>data).rec)
            return 1
        if isinstance(data, TradeTick):
            self._move_clock((<TradeTick>data).rec.ts_event)
            self.process_trade(&(<TradeTick>data).rec)
            return 1
        if isinstance(data, Bar):
            self._move_clock((<Bar>data).rec.ts_event)
            self.process_bar(&(<Bar>data).rec)
            return 1
        if isinstance(data, OrderBookDelta):
            self._move_clock((<OrderBookDelta>data).rec.ts_event)
            self.process_delta(&(<OrderBookDelta>data).rec)
            return 1
        if not isinstance(data, np.ndarray):
            raise TypeError(f"cannot process {type(data).__name__}: expected a data view or record array")
        arr = np.ascontiguousarray(data)
        n = arr.shape[0]
        if arr.dtype == QUOTE_TICK_DTYPE:
            q = arr
            for i in range(n):
                self._move_clock(q[i].ts_event)
                self.process_quote(&q[i])
        elif arr.dtype == TRADE_TICK_DTYPE:
            t = arr
            for i in range(n):
                self._move_clock(t[i].ts_event)
                self.process_trade(&t[i])
        elif arr.dtype == BAR_DTYPE:
            b = arr
            for i in range(n):
                self._move_clock(b[i].ts_event)
                self.process_bar(&b[i])
        elif arr.dtype == ORDER_BOOK_DELTA_DTYPE:
            d = arr
            for i in range(n):
                self._move_clock(d[i].ts_event)
                self.process_delta(&d[i])
        else:
            raise TypeError(f"record array dtype {arr.dtype} is not an alphaforge record dtype")
        return n

    def _move_clock(self, int64_t ts) -> None:
        if isinstance(self.clock, TestClock) and (<TestClock>self.clock)._now_ns < ts:
            (<TestClock>self.clock).set_time_c(ts)

    def __repr__(self) -> str:
        return (f"SimulatedExchange({self.venue}, {OmsType(self.oms_type).name}, "
                f"{AccountType(self.account_type).name}, book_type=L{self.book_type})")

