"""The backtest loop (see backtest_kernel.pxd for the merge and tie-break rules).

``BacktestKernel.run(start_ns, end_ns, progress)`` walks every data stream in C; the only Python
objects made per record are the views the DataEngine publishes to Python subscribers.
"""
import numpy as np

from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.stdint cimport INT64_MAX, int64_t, uint32_t

from alphaforge._core.clock cimport TestClock, TimeEvent
from alphaforge._core.data_engine cimport DataEngine
from alphaforge._core.portfolio cimport Portfolio
from alphaforge._core.exchange cimport SimulatedExchange
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

from alphaforge._core.data import BarType
from alphaforge._core.records import BAR_DTYPE, ORDER_BOOK_DELTA_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

_KIND_BY_DTYPE = {
    ORDER_BOOK_DELTA_DTYPE: STREAM_DELTA,
    QUOTE_TICK_DTYPE: STREAM_QUOTE,
    TRADE_TICK_DTYPE: STREAM_TRADE,
    BAR_DTYPE: STREAM_BAR,
}
KIND_NAMES = {STREAM_DELTA: "deltas", STREAM_QUOTE: "quotes", STREAM_TRADE: "trades", STREAM_BAR: "bars"}


cdef class DataStream:
    """One time-sorted record array fed to the loop."""

    def __init__(self, records not None, str name=""):
        if not isinstance(records, np.ndarray) or records.dtype not in _KIND_BY_DTYPE:
            raise TypeError(f"stream {name!r}: expected a record array of an alphaforge record dtype")
        records = np.ascontiguousarray(records)
        if records.shape[0] > 1 and not (np.diff(records["ts_event"]) >= 0).all():
            bad = int(np.argmax(np.diff(records["ts_event"]) < 0)) + 1
            raise ValueError(
                f"stream {name!r}: record {bad} field 'ts_event' goes backwards "
                f"({records['ts_event'][bad]} < {records['ts_event'][bad - 1]}); sort the data by ts_event first"
            )
        self.kind = _KIND_BY_DTYPE[records.dtype]
        self.records = records
        self.name = name
        self.itemsize = records.dtype.itemsize
        self.n = records.shape[0]
        self.pos = 0
        cdef const unsigned char[::1] raw = records.view(np.uint8).reshape(-1) if self.n else np.zeros(1, np.uint8)
        self.base = <const char*>&raw[0]
        self.exchange = None
        self.exchange_by_id = None
        self.bar_inst = 0
        self.bar_inst_by_id = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def position(self) -> int:
        return self.pos

    def first_ts(self) -> int:
        return int(self.records["ts_event"][0]) if self.n else INT64_MAX

    def last_ts(self) -> int:
        return int(self.records["ts_event"][self.n - 1]) if self.n else INT64_MAX

    def seek(self, int64_t start_ns) -> None:
        """Position the stream at its first record with ts_event >= start_ns."""
        self.pos = int(np.searchsorted(self.records["ts_event"], start_ns, side="left")) if self.n else 0

    def ids(self):
        """The instrument (or, for bars, bar-type) indices the stream's records carry."""
        field = "bar_type_id" if self.kind == STREAM_BAR else "instrument_id"
        col = self.records[field]
        if self.n == 0:
            return []
        if (col == col[0]).all():
            return [int(col[0])]
        return [int(x) for x in np.unique(col)]


cdef class BacktestKernel:
    """Owns the streams and drives the merge; built and configured by ``BacktestEngine``."""

    def __init__(self, DataEngine data_engine not None, Portfolio portfolio=None):
        self.streams = []
        self.clocks = []
        self.exchanges = []
        self._clock_t = ()
        self._exchange_t = ()
        self.data_engine = data_engine
        self.portfolio = portfolio
        self.events = 0
        self.last_ts = 0

    def add_stream(self, DataStream stream not None, exchange_for_id) -> None:
        """Add a stream; ``exchange_for_id(index) -> SimulatedExchange or None`` routes its records."""
        ids = stream.ids()
        if stream.kind == STREAM_BAR:
            if len(ids) == 1:
                stream.bar_inst = BarType.from_index(ids[0]).instrument_id.index if ids[0] else 0
            elif ids:
                stream.bar_inst_by_id = [0] * (max(ids) + 1)
                for i in ids:
                    stream.bar_inst_by_id[i] = BarType.from_index(i).instrument_id.index if i else 0
        if len(ids) == 1:
            stream.exchange = exchange_for_id(ids[0])
        elif ids:
            table = [None] * (max(ids) + 1)
            for i in ids:
                table[i] = exchange_for_id(i)
            stream.exchange_by_id = table
        self.streams.append(stream)

    def add_clock(self, TestClock clock not None) -> None:
        if clock not in self.clocks:
            self.clocks.append(clock)
            self._clock_t = tuple(self.clocks)

    def add_exchange(self, SimulatedExchange exchange not None) -> None:
        if exchange not in self.exchanges:
            self.exchanges.append(exchange)
            self._exchange_t = tuple(self.exchanges)

    def reset(self) -> None:
        for s in self.streams:
            (<DataStream>s).pos = 0
        self.events = 0
        self.last_ts = 0

    # The per-record helpers walk tuple snapshots of the clocks and exchanges by index (borrowed
    # items, no list iterator or type test per element; they run for every record).

    cdef int _set_time(self, int64_t ts) except -1:
        cdef tuple cs = self._clock_t
        cdef Py_ssize_t i
        cdef TestClock c
        for i in range(PyTuple_GET_SIZE(cs)):
            c = <TestClock><PyObject*>PyTuple_GET_ITEM(cs, i)
            if c._now_ns < ts:
                c.set_time_c(ts)
        self.last_ts = ts
        return 0

    cdef int64_t _next_timer_ns(self) noexcept:
        cdef tuple cs = self._clock_t
        cdef Py_ssize_t i
        cdef int64_t best = INT64_MAX, t
        for i in range(PyTuple_GET_SIZE(cs)):
            t = (<TestClock><PyObject*>PyTuple_GET_ITEM(cs, i)).next_event_ns()
            if t < best:
                best = t
        return best

    cdef int _fire_timers(self, int64_t ts) except -1:
        """Fire every timer due at ``ts`` across clocks, in (time, name) order."""
        cdef TimeEvent ev
        self._set_time(ts)
        events = []
        for c in self.clocks:
            while True:
                ev = (<TestClock>c).pop_next_event_c(ts)
                if ev is None:
                    break
                events.append(ev)
        if len(events) > 1:
            events.sort(key=lambda e: (e.ts_event, e.name))
        for ev in events:
            ev.handle()
        return 0

    cdef int64_t _next_command_ns(self) except? -1:
        cdef tuple xs = self._exchange_t
        cdef Py_ssize_t i
        cdef int64_t best = INT64_MAX, t
        for i in range(PyTuple_GET_SIZE(xs)):
            t = (<SimulatedExchange><PyObject*>PyTuple_GET_ITEM(xs, i)).next_command_ns()
            if t < best:
                best = t
        return best

    cdef int _process_commands(self, int64_t ts) except -1:
        self._set_time(ts)
        for ex in self.exchanges:
            (<SimulatedExchange>ex).process_commands(ts)
        return 0

    cdef int _sample(self, int64_t ts) except -1:
        if self.portfolio is not None:
            self.portfolio.sample_c(ts)
        return 0

    cdef int _process_record(self, DataStream s, int64_t ts) except -1:
        cdef const char* p = s.base + s.pos * s.itemsize
        cdef Py_ssize_t index = s.pos
        cdef object ex = s.exchange
        cdef int kind = s.kind
        self._set_time(ts)
        cdef uint32_t inst
        if kind == STREAM_BAR:
            if self.portfolio is not None:
                inst = s.bar_inst if s.bar_inst_by_id is None else s.bar_inst_by_id[(<const BarRec*>p).bar_type_id]
                if inst:
                    self.portfolio.update_price_c(inst, (<const BarRec*>p).close)
            if s.exchange_by_id is not None:
                ex = s.exchange_by_id[(<const BarRec*>p).bar_type_id]
            if ex is not None:
                (<SimulatedExchange>ex).process_bar(<const BarRec*>p)
            self.data_engine.process_bar_c(<const BarRec*>p, index)
        elif kind == STREAM_TRADE:
            if self.portfolio is not None:
                self.portfolio.update_price_c((<const TradeTickRec*>p).instrument_id, (<const TradeTickRec*>p).price)
            if s.exchange_by_id is not None:
                ex = s.exchange_by_id[(<const TradeTickRec*>p).instrument_id]
            if ex is not None:
                (<SimulatedExchange>ex).process_trade(<const TradeTickRec*>p)
            self.data_engine.process_trade_c(<const TradeTickRec*>p, index)
        elif kind == STREAM_QUOTE:
            if self.portfolio is not None:
                self.portfolio.update_price_c(
                    (<const QuoteTickRec*>p).instrument_id,
                    ((<const QuoteTickRec*>p).bid_price + (<const QuoteTickRec*>p).ask_price) // 2,
                )
            if s.exchange_by_id is not None:
                ex = s.exchange_by_id[(<const QuoteTickRec*>p).instrument_id]
            if ex is not None:
                (<SimulatedExchange>ex).process_quote(<const QuoteTickRec*>p)
            self.data_engine.process_quote_c(<const QuoteTickRec*>p, index)
        else:
            if s.exchange_by_id is not None:
                ex = s.exchange_by_id[(<const OrderBookDeltaRec*>p).instrument_id]
            if ex is not None:
                (<SimulatedExchange>ex).process_delta(<const OrderBookDeltaRec*>p)
            self.data_engine.process_delta_c(<const OrderBookDeltaRec*>p, index)
        s.pos += 1
        self.events += 1
        return 0

    def run(self, int64_t start_ns=0, int64_t end_ns=INT64_MAX, progress=None) -> int:
        """Run the merge from ``start_ns`` to ``end_ns`` (inclusive, UNIX ns). ``progress`` is a
        callable ``(events, ts_ns)`` invoked every 65,536 events, or None. Returns events processed."""
        cdef list streams = self.streams
        cdef Py_ssize_t ns = len(streams), i
        cdef DataStream s, best
        cdef int64_t t, best_ts, t_timer, t_cmd
        cdef int64_t start_events = self.events
        for s in streams:
            s.seek(start_ns)
        while True:
            best = None
            best_ts = INT64_MAX
            for i in range(ns):
                s = <DataStream>streams[i]
                if s.pos < s.n:
                    t = s.head_ts()
                    if t < best_ts or (t == best_ts and s.kind < best.kind):
                        best_ts = t
                        best = s
            if best_ts > end_ns:
                best = None
                best_ts = INT64_MAX
            # internal time bars close on the DataEngine's clock alert (the same path as live)
            t_timer = self._next_timer_ns()
            t_cmd = self._next_command_ns()
            if best is not None and best_ts <= t_timer and best_ts <= t_cmd:
                self._process_record(best, best_ts)
                self._sample(best_ts)
                if progress is not None and (self.events & 0xFFFF) == 0:
                    progress(self.events, best_ts)
                continue
            # nothing left to process within the window: stop (pending timers/commands beyond the
            # last data point are not run - there is no data for them to act on)
            if best is None:
                t = min(t_timer, t_cmd)
                if t == INT64_MAX or t > end_ns or t > self.last_ts:
                    break
            if t_timer <= t_cmd:
                self._fire_timers(t_timer)
            else:
                self._process_commands(t_cmd)
        if progress is not None:
            progress(self.events, self.last_ts)
        return self.events - start_events
