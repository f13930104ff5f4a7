"""Market-data view classes over the C records of ``records.pxd``.

Each view (``QuoteTick``, ``TradeTick``, ``Bar``, ``OrderBookDelta``) holds its C record by value;
Price/Quantity objects are made on attribute access. Timestamps are int64 UNIX ns: ``ts_event`` is
venue time, ``ts_init`` receive time. ``to_record()`` returns a one-row record array;
``from_record(arr, i)`` makes a view of row i (``from_rec_c`` does the same from C).
"""
import numpy as np

cimport cython

from libc.stdint cimport int64_t, uint32_t, uint64_t, uint8_t
from libc.string cimport memcmp, memset

from alphaforge._core.enums cimport (
    ACTION_ADD, ACTION_CLEAR, ACTION_DELETE, ACTION_UPDATE, AGG_DAY, AGG_HOUR, AGG_MILLISECOND,
    AGG_MINUTE, AGG_SECOND, AGG_WEEK, SIDE_BUY, SIDE_NONE, SIDE_SELL,
)
from alphaforge._core.fixed cimport Price, Quantity, raw_to_str
from alphaforge._core.identifiers cimport InstrumentId, TradeId
from alphaforge._core.records cimport BarRec, OrderBookDeltaRec, QuoteTickRec, TradeTickRec

from alphaforge._core.records import (
    BAR_DTYPE, ORDER_BOOK_DELTA_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE,
)
from alphaforge.model.enums import (
    AggregationSource, AggressorSide, BarAggregation, BookAction, OrderSide, PriceType,
)

cdef dict _TIME_NS = {
    AGG_MILLISECOND: 1_000_000,
    AGG_SECOND: 1_000_000_000,
    AGG_MINUTE: 60_000_000_000,
    AGG_HOUR: 3_600_000_000_000,
    AGG_DAY: 86_400_000_000_000,
    AGG_WEEK: 604_800_000_000_000,
}


cdef class BarSpecification:
    """``"{step}-{AGGREGATION}-{PRICE_TYPE}"``, e.g. ``BarSpecification.from_str("1-MINUTE-LAST")``."""

    def __init__(self, int64_t step, aggregation, price_type):
        if step <= 0:
            raise ValueError(f"invalid BarSpecification.step {step!r}: must be > 0")
        self.step = step
        self.aggregation = int(BarAggregation.parse(aggregation))
        self.price_type = int(PriceType.parse(price_type))

    @staticmethod
    def from_str(str value not None) -> BarSpecification:
        parts = value.strip().split("-")
        if len(parts) != 3:
            raise ValueError(
                f"invalid bar specification {value!r}: expected 'STEP-AGGREGATION-PRICE_TYPE' like '1-MINUTE-LAST'"
            )
        try:
            step = int(parts[0])
        except ValueError:
            raise ValueError(f"invalid bar specification {value!r}: step {parts[0]!r} is not an integer") from None
        return BarSpecification(step, parts[1], parts[2])

    cpdef int64_t timedelta_ns(self) except -1:
        """Bar interval in ns for time aggregations (ValueError for other aggregations)."""
        unit = _TIME_NS.get(self.aggregation)
        if unit is None:
            raise ValueError(f"{self} is not a time aggregation")
        return self.step * <int64_t>unit

    cpdef bint is_time_aggregated(self):
        return self.aggregation in _TIME_NS

    def __str__(self):
        return f"{self.step}-{BarAggregation(self.aggregation).name}-{PriceType(self.price_type).name}"

    def __repr__(self):
        return f"BarSpecification('{self}')"

    def __eq__(self, other):
        if isinstance(other, BarSpecification):
            return (self.step == (<BarSpecification>other).step
                    and self.aggregation == (<BarSpecification>other).aggregation
                    and self.price_type == (<BarSpecification>other).price_type)
        return NotImplemented

    def __hash__(self):
        return hash((self.step, self.aggregation, self.price_type))

    def __reduce__(self):
        return (BarSpecification, (self.step, self.aggregation, self.price_type))


# BarType interning: value -> index, index -> BarType (slot 0 is "unset").
cdef dict _BAR_TYPE_INDEX = {}
cdef list _BAR_TYPES = [None]


cdef class BarType:
    """Instrument + specification + source: ``"BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"``.

    EXTERNAL bars come from the data; INTERNAL bars are aggregated by the engine from ticks.
    ``index`` is the interned id bar records carry as ``bar_type_id``.
    """

    def __init__(self, InstrumentId instrument_id not None, BarSpecification spec not None,
                 aggregation_source=AggregationSource.EXTERNAL):
        self.instrument_id = instrument_id
        self.spec = spec
        self.aggregation_source = int(AggregationSource.parse(aggregation_source))
        self.value = f"{instrument_id.value}-{spec}-{AggregationSource(self.aggregation_source).name}"
        self._hash = hash(self.value)
        found = _BAR_TYPE_INDEX.get(self.value)
        if found is None:
            found = len(_BAR_TYPES)
            _BAR_TYPES.append(self)
            _BAR_TYPE_INDEX[self.value] = found
        self.index = <uint32_t>found

    @staticmethod
    def from_str(str value not None) -> BarType:
        """Parse ``"INSTRUMENT_ID-STEP-AGGREGATION-PRICE_TYPE[-SOURCE]"`` (source defaults to EXTERNAL)."""
        found = _BAR_TYPE_INDEX.get(value)
        if found is not None:
            return _BAR_TYPES[found]
        parts = value.strip().rsplit("-", 4)
        if len(parts) == 5 and parts[4].upper() in ("EXTERNAL", "INTERNAL"):
            iid, step, agg, pt, src = parts
        else:
            parts = value.strip().rsplit("-", 3)
            if len(parts) != 4:
                raise ValueError(
                    f"invalid BarType {value!r}: expected 'INSTRUMENT_ID-STEP-AGGREGATION-PRICE_TYPE-SOURCE'"
                )
            iid, step, agg, pt = parts
            src = "EXTERNAL"
        try:
            instrument_id = InstrumentId.from_str(iid)
            spec = BarSpecification.from_str(f"{step}-{agg}-{pt}")
            source = AggregationSource.parse(src)
        except ValueError as e:
            raise ValueError(f"invalid BarType {value!r}: {e}") from None
        return BarType(instrument_id, spec, source)

    @staticmethod
    cdef BarType from_index_c(uint32_t index):
        return <BarType>_BAR_TYPES[index]

    @staticmethod
    def from_index(uint32_t index) -> BarType:
        if index == 0 or index >= len(_BAR_TYPES):
            raise KeyError(f"no BarType with index {index}")
        return _BAR_TYPES[index]

    @property
    def is_internally_aggregated(self) -> bool:
        return self.aggregation_source == 2

    @property
    def is_externally_aggregated(self) -> bool:
        return self.aggregation_source == 1

    def with_source(self, source) -> BarType:
        return BarType(self.instrument_id, self.spec, source)

    def __str__(self):
        return self.value

    def __repr__(self):
        return f"BarType('{self.value}')"

    def __eq__(self, other):
        if isinstance(other, BarType):
            return self.value == (<BarType>other).value
        return NotImplemented

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        return (BarType.from_str, (self.value,))


cdef inline InstrumentId _iid(object value):
    if isinstance(value, InstrumentId):
        return <InstrumentId>value
    if isinstance(value, str):
        return InstrumentId.from_str(value)
    raise TypeError(f"instrument_id must be InstrumentId or str, got {value!r}")


cdef inline Price _price(object value, str field, str owner):
    if isinstance(value, Price):
        return <Price>value
    if isinstance(value, str):
        return Price.from_str(value)
    raise TypeError(f"{owner}.{field} must be a Price (or decimal str), got {value!r}")


cdef inline Quantity _qty(object value, str field, str owner):
    if isinstance(value, Quantity):
        return <Quantity>value
    if isinstance(value, str):
        return Quantity.from_str(value)
    raise TypeError(f"{owner}.{field} must be a Quantity (or decimal str), got {value!r}")


@cython.freelist(256)
cdef class QuoteTick:
    """Best bid/ask: ``QuoteTick(instrument_id, bid_price, ask_price, bid_size, ask_size, ts_event, ts_init)``."""

    def __init__(self, instrument_id, bid_price, ask_price, bid_size, ask_size,
                 int64_t ts_event, int64_t ts_init):
        cdef Price bp = _price(bid_price, "bid_price", "QuoteTick")
        cdef Price ap = _price(ask_price, "ask_price", "QuoteTick")
        cdef Quantity bs = _qty(bid_size, "bid_size", "QuoteTick")
        cdef Quantity az = _qty(ask_size, "ask_size", "QuoteTick")
        if bp.precision != ap.precision:
            raise ValueError(
                f"invalid QuoteTick.ask_price {ap}: precision {ap.precision} differs from bid_price {bp} ({bp.precision})"
            )
        if bs.precision != az.precision:
            raise ValueError(
                f"invalid QuoteTick.ask_size {az}: precision {az.precision} differs from bid_size {bs} ({bs.precision})"
            )
        self.instrument_id = _iid(instrument_id)
        self.rec.ts_event = ts_event
        self.rec.ts_init = ts_init
        self.rec.bid_price = bp.raw
        self.rec.ask_price = ap.raw
        self.rec.bid_size = bs.raw
        self.rec.ask_size = az.raw
        self.rec.instrument_id = self.instrument_id.index
        self.rec.price_prec = bp.precision
        self.rec.size_prec = bs.precision
        self.rec.flags = 0

    @staticmethod
    cdef QuoteTick from_rec_c(const QuoteTickRec* rec):
        cdef QuoteTick q = QuoteTick.__new__(QuoteTick)
        q.rec = rec[0]
        q.instrument_id = InstrumentId.from_index_c(rec.instrument_id)
        return q

    @staticmethod
    def from_record(records, Py_ssize_t i=0) -> QuoteTick:
        """View of row ``i`` of a QUOTE_TICK_DTYPE record array."""
        cdef const QuoteTickRec[::1] view = _as_view(records, QUOTE_TICK_DTYPE)
        return QuoteTick.from_rec_c(&view[_row(i, view.shape[0])])

    def to_record(self):
        """This quote as a one-row QUOTE_TICK_DTYPE record array."""
        out = np.zeros(1, dtype=QUOTE_TICK_DTYPE)
        cdef QuoteTickRec[::1] v = out
        v[0] = self.rec
        return out

    @property
    def bid_price(self) -> Price:
        return Price.from_raw_c(self.rec.bid_price, self.rec.price_prec)

    @property
    def ask_price(self) -> Price:
        return Price.from_raw_c(self.rec.ask_price, self.rec.price_prec)

    @property
    def bid_size(self) -> Quantity:
        return Quantity.from_raw_c(self.rec.bid_size, self.rec.size_prec)

    @property
    def ask_size(self) -> Quantity:
        return Quantity.from_raw_c(self.rec.ask_size, self.rec.size_prec)

    @property
    def ts_event(self) -> int:
        return self.rec.ts_event

    @property
    def ts_init(self) -> int:
        return self.rec.ts_init

    def extract_price(self, price_type) -> Price:
        """The BID, ASK or MID price (MID is exact at one extra decimal when needed)."""
        pt = PriceType.parse(price_type)
        if pt == PriceType.BID:
            return self.bid_price
        if pt == PriceType.ASK:
            return self.ask_price
        if pt == PriceType.MID:
            total = self.rec.bid_price + self.rec.ask_price
            prec = self.rec.price_prec
            if total % 2 != 0 or (prec < 9 and (total // 2) % (10 ** (9 - prec)) != 0):
                prec = min(prec + 1, 9)
            return Price.from_raw_c(total // 2, prec)
        raise ValueError(f"invalid price_type {price_type!r} for a quote: use BID, ASK or MID")

    def __eq__(self, other):
        if isinstance(other, QuoteTick):
            return memcmp(&self.rec, &(<QuoteTick>other).rec, sizeof(QuoteTickRec)) == 0
        return NotImplemented

    def __hash__(self):
        return hash((self.rec.instrument_id, self.rec.ts_event, self.rec.bid_price, self.rec.ask_price))

    def __repr__(self):
        return (f"QuoteTick({self.instrument_id.value}, bid={self.bid_price}x{self.bid_size}, "
                f"ask={self.ask_price}x{self.ask_size}, ts_event={self.rec.ts_event})")

    def __reduce__(self):
        return (QuoteTick.from_record, (self.to_record(), 0))


@cython.freelist(256)
cdef class TradeTick:
    """A trade: ``TradeTick(instrument_id, price, size, aggressor_side, trade_id, ts_event, ts_init)``.

    ``aggressor_side`` is an AggressorSide (or its int / name); ``trade_id`` a TradeId or str.
    """

    def __init__(self, InstrumentId instrument_id not None, Price price not None, Quantity size not None,
                 aggressor_side, trade_id, int64_t ts_event, int64_t ts_init):
        cdef int side
        if isinstance(aggressor_side, int):
            side = aggressor_side
            if side < 0 or side > 2:
                raise ValueError(f"invalid TradeTick.aggressor_side {aggressor_side!r}: must be 0, 1 or 2")
        else:
            side = int(AggressorSide.parse(aggressor_side))
        cdef TradeId tid = trade_id if type(trade_id) is TradeId else TradeId(str(trade_id))
        self.instrument_id = instrument_id
        self._trade_id = tid
        self.rec.ts_event = ts_event
        self.rec.ts_init = ts_init
        self.rec.price = price.raw
        self.rec.size = size.raw
        self.rec.trade_id = 0          # filled from _trade_id by c_rec() when a record is needed
        self._tid_pending = True
        self.rec.instrument_id = instrument_id.index
        self.rec.aggressor_side = <uint8_t>side
        self.rec.price_prec = price.precision
        self.rec.size_prec = size.precision
        self.rec.flags = 0

    @staticmethod
    cdef TradeTick from_rec_c(const TradeTickRec* rec):
        cdef TradeTick t = TradeTick.__new__(TradeTick)
        t.rec = rec[0]
        t.instrument_id = InstrumentId.from_index_c(rec.instrument_id)
        return t

    cdef const TradeTickRec* c_rec(self):
        if self._tid_pending:
            self.rec.trade_id = _numeric_trade_id(self._trade_id.value)
            self._tid_pending = False
        return &self.rec

    @staticmethod
    def from_record(records, Py_ssize_t i=0) -> TradeTick:
        """View of row ``i`` of a TRADE_TICK_DTYPE record array."""
        cdef const TradeTickRec[::1] view = _as_view(records, TRADE_TICK_DTYPE)
        return TradeTick.from_rec_c(&view[_row(i, view.shape[0])])

    def to_record(self):
        """This trade as a one-row TRADE_TICK_DTYPE record array."""
        out = np.zeros(1, dtype=TRADE_TICK_DTYPE)
        cdef TradeTickRec[::1] v = out
        v[0] = self.c_rec()[0]
        return out

    @property
    def price(self) -> Price:
        return Price.from_raw_c(self.rec.price, self.rec.price_prec)

    @property
    def size(self) -> Quantity:
        return Quantity.from_raw_c(self.rec.size, self.rec.size_prec)

    @property
    def aggressor_side(self):
        return AggressorSide(self.rec.aggressor_side)

    @property
    def trade_id(self) -> TradeId:
        if self._trade_id is None:
            self._trade_id = TradeId(str(self.rec.trade_id))
        return self._trade_id

    @property
    def ts_event(self) -> int:
        return self.rec.ts_event

    @property
    def ts_init(self) -> int:
        return self.rec.ts_init

    def __eq__(self, other):
        if isinstance(other, TradeTick):
            return (memcmp(self.c_rec(), (<TradeTick>other).c_rec(), sizeof(TradeTickRec)) == 0
                    and self.trade_id == (<TradeTick>other).trade_id)
        return NotImplemented

    def __hash__(self):
        return hash((self.rec.instrument_id, self.rec.ts_event, self.rec.price, self.trade_id.value))

    def __repr__(self):
        return (f"TradeTick({self.instrument_id.value}, {self.price}x{self.size}, "
                f"{self.aggressor_side.name}, id={self.trade_id.value}, ts_event={self.rec.ts_event})")

    def __reduce__(self):
        return (TradeTick, (self.instrument_id, self.price, self.size, self.rec.aggressor_side,
                            self.trade_id, self.rec.ts_event, self.rec.ts_init))


cdef uint64_t _numeric_trade_id(str value):
    if value.isdigit() and value.isascii() and len(value) <= 19:
        return <uint64_t>int(value)
    return 0


@cython.freelist(256)
cdef class Bar:
    """An OHLCV bar: ``Bar(bar_type, open, high, low, close, volume, ts_event, ts_init)``.

    ``ts_event`` is the bar's close time. Raises ValueError naming the field when high/low do not
    bound open and close.
    """

    def __init__(self, BarType bar_type not None, open, high, low, close, volume,
                 int64_t ts_event, int64_t ts_init):
        cdef Price o = _price(open, "open", "Bar")
        cdef Price h = _price(high, "high", "Bar")
        cdef Price l = _price(low, "low", "Bar")
        cdef Price c = _price(close, "close", "Bar")
        cdef Quantity v = _qty(volume, "volume", "Bar")
        if h.raw < o.raw or h.raw < c.raw or h.raw < l.raw:
            raise ValueError(f"invalid Bar.high {h}: below open {o}, low {l} or close {c} ({bar_type}, ts {ts_event})")
        if l.raw > o.raw or l.raw > c.raw:
            raise ValueError(f"invalid Bar.low {l}: above open {o} or close {c} ({bar_type}, ts {ts_event})")
        self.bar_type = bar_type
        self.rec.ts_event = ts_event
        self.rec.ts_init = ts_init
        self.rec.open = o.raw
        self.rec.high = h.raw
        self.rec.low = l.raw
        self.rec.close = c.raw
        self.rec.volume = v.raw
        self.rec.bar_type_id = bar_type.index
        self.rec.price_prec = max(o.precision, h.precision, l.precision, c.precision)
        self.rec.size_prec = v.precision
        self.rec.flags = 0

    @staticmethod
    cdef Bar from_rec_c(const BarRec* rec):
        cdef Bar b = Bar.__new__(Bar)
        b.rec = rec[0]
        b.bar_type = BarType.from_index_c(rec.bar_type_id)
        return b

    @staticmethod
    def from_record(records, Py_ssize_t i=0) -> Bar:
        """View of row ``i`` of a BAR_DTYPE record array (its bar_type_id must be set)."""
        cdef const BarRec[::1] view = _as_view(records, BAR_DTYPE)
        return Bar.from_rec_c(&view[_row(i, view.shape[0])])

    def to_record(self):
        out = np.zeros(1, dtype=BAR_DTYPE)
        cdef BarRec[::1] v = out
        v[0] = self.rec
        return out

    @property
    def open(self) -> Price:
        return Price.from_raw_c(self.rec.open, self.rec.price_prec)

    @property
    def high(self) -> Price:
        return Price.from_raw_c(self.rec.high, self.rec.price_prec)

    @property
    def low(self) -> Price:
        return Price.from_raw_c(self.rec.low, self.rec.price_prec)

    @property
    def close(self) -> Price:
        return Price.from_raw_c(self.rec.close, self.rec.price_prec)

    @property
    def volume(self) -> Quantity:
        return Quantity.from_raw_c(self.rec.volume, self.rec.size_prec)

    @property
    def ts_event(self) -> int:
        return self.rec.ts_event

    @property
    def ts_init(self) -> int:
        return self.rec.ts_init

    @property
    def instrument_id(self) -> InstrumentId:
        return self.bar_type.instrument_id

    def __eq__(self, other):
        if isinstance(other, Bar):
            return memcmp(&self.rec, &(<Bar>other).rec, sizeof(BarRec)) == 0
        return NotImplemented

    def __hash__(self):
        return hash((self.rec.bar_type_id, self.rec.ts_event, self.rec.close))

    def __repr__(self):
        return (f"Bar({self.bar_type.value}, o={self.open}, h={self.high}, l={self.low}, "
                f"c={self.close}, v={self.volume}, ts_event={self.rec.ts_event})")

    def __reduce__(self):
        return (Bar, (self.bar_type, self.open, self.high, self.low, self.close, self.volume,
                      self.rec.ts_event, self.rec.ts_init))


@cython.freelist(256)
cdef class OrderBookDelta:
    """One book change: ``OrderBookDelta(instrument_id, action, side, price, size, order_id=0,
    flags=0, sequence=0, ts_event=0, ts_init=0)``; action is a BookAction, side an OrderSide
    (BUY = bid, SELL = ask; NO_ORDER_SIDE only with CLEAR)."""

    def __init__(self, instrument_id, action, side, price, size, uint64_t order_id=0, int flags=0,
                 uint64_t sequence=0, int64_t ts_event=0, int64_t ts_init=0):
        cdef int act = int(BookAction.parse(action))
        cdef int sd = int(OrderSide.parse(side))
        cdef Price p = _price(price, "price", "OrderBookDelta")
        cdef Quantity q = _qty(size, "size", "OrderBookDelta")
        if sd == SIDE_NONE and act != ACTION_CLEAR:
            raise ValueError(f"invalid OrderBookDelta.side {side!r}: BUY or SELL required for {BookAction(act).name}")
        if flags < 0 or flags > 255:
            raise ValueError(f"invalid OrderBookDelta.flags {flags!r}: must fit in 8 bits")
        self.instrument_id = _iid(instrument_id)
        memset(&self.rec, 0, sizeof(OrderBookDeltaRec))
        self.rec.ts_event = ts_event
        self.rec.ts_init = ts_init
        self.rec.price = p.raw
        self.rec.size = q.raw
        self.rec.order_id = order_id
        self.rec.sequence = sequence
        self.rec.instrument_id = self.instrument_id.index
        self.rec.action = <uint8_t>act
        self.rec.side = <uint8_t>sd
        self.rec.price_prec = p.precision
        self.rec.size_prec = q.precision
        self.rec.flags = <uint8_t>flags

    @staticmethod
    cdef OrderBookDelta from_rec_c(const OrderBookDeltaRec* rec):
        cdef OrderBookDelta d = OrderBookDelta.__new__(OrderBookDelta)
        d.rec = rec[0]
        d.instrument_id = InstrumentId.from_index_c(rec.instrument_id)
        return d

    @staticmethod
    def from_record(records, Py_ssize_t i=0) -> OrderBookDelta:
        cdef const OrderBookDeltaRec[::1] view = _as_view(records, ORDER_BOOK_DELTA_DTYPE)
        return OrderBookDelta.from_rec_c(&view[_row(i, view.shape[0])])

    def to_record(self):
        out = np.zeros(1, dtype=ORDER_BOOK_DELTA_DTYPE)
        cdef OrderBookDeltaRec[::1] v = out
        v[0] = self.rec
        return out

    @property
    def action(self):
        return BookAction(self.rec.action)

    @property
    def side(self):
        return OrderSide(self.rec.side)

    @property
    def price(self) -> Price:
        return Price.from_raw_c(self.rec.price, self.rec.price_prec)

    @property
    def size(self) -> Quantity:
        return Quantity.from_raw_c(self.rec.size, self.rec.size_prec)

    @property
    def order_id(self) -> int:
        return self.rec.order_id

    @property
    def sequence(self) -> int:
        return self.rec.sequence

    @property
    def flags(self) -> int:
        return self.rec.flags

    @property
    def ts_event(self) -> int:
        return self.rec.ts_event

    @property
    def ts_init(self) -> int:
        return self.rec.ts_init

    def __eq__(self, other):
        if isinstance(other, OrderBookDelta):
            return memcmp(&self.rec, &(<OrderBookDelta>other).rec, sizeof(OrderBookDeltaRec)) == 0
        return NotImplemented

    def __hash__(self):
        return hash((self.rec.instrument_id, self.rec.sequence, self.rec.price, self.rec.order_id))

    def __repr__(self):
        return (f"OrderBookDelta({self.instrument_id.value}, {self.action.name}, {self.side.name}, "
                f"{self.price}x{self.size}, order_id={self.rec.order_id}, seq={self.rec.sequence})")


cdef object _as_view(object records, object dtype):
    if not isinstance(records, np.ndarray) or records.dtype != dtype:
        raise TypeError(f"expected a record array of dtype {dtype}, got {getattr(records, 'dtype', type(records))}")
    return np.ascontiguousarray(records)


cdef inline Py_ssize_t _row(Py_ssize_t i, Py_ssize_t n) except -1:
    if i < 0:
        i += n
    if i < 0 or i >= n:
        raise IndexError(f"record index {i} out of range for {n} rows")
    return i
