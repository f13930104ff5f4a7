"""Positions and position events.

A :class:`Position` is opened by a fill and updated by every later fill for the same instrument
(``apply``). Quantities are exact raw int64 (scale 10^9). Average prices are doubles:

* ``avg_px_open`` - quantity-weighted average of the fills that opened/increased the position;
* ``avg_px_close`` - quantity-weighted average of the fills that reduced it (this cycle).

PnL (in ``pnl_currency``: the settlement currency, or the base currency for inverse instruments):

* linear:  ``(exit - entry) * qty * multiplier`` (long; the negative for short);
* inverse: ``qty * multiplier * (1/entry - 1/exit)`` (long; the negative for short).

Each reducing fill's PnL is computed in double and kept at the full fixed-point precision (10^-9,
not rounded to the currency's display precision) when it is added to ``realized_pnl``, so many
fills do not accumulate rounding: a backtest's PnL agrees to the cent with an exact reference.
Money values print rounded to the currency's precision. As in NautilusTrader, **realized PnL includes commissions**: a fill's
commission is subtracted from ``realized_pnl`` when it is charged in the PnL currency; commissions
in other currencies are only accumulated in ``commissions()``.

Flips: a fill on the opposite side for more than the open quantity is applied in place by
``apply``: the open quantity is closed at the fill price (its PnL realized), the remainder opens
the other side at the fill price (``avg_px_open`` = fill price, ``ts_opened`` = fill time, ``entry``
= fill side), and the whole commission is charged to this position. An execution engine that wants
NautilusTrader's behaviour (close the position, open a *new* position id with the remainder) calls
``split_fill_for_flip(fill)`` first and applies the two parts to two positions itself.

Re-opening: a fill on a flat (closed) position starts a new cycle: realized PnL, commissions, the
averages, peak quantity, buy/sell quantities and ``ts_closed`` reset (emit/keep the
``PositionClosed`` event first: it carries the closed cycle's figures). Trade ids, client order
ids and the applied fills accumulate over the position's whole life (duplicate trade ids raise).

A Position does not assume one position per instrument: HEDGING engines hold several positions
for one instrument, each with its own id.
"""
cimport cython
from libc.math cimport fabs, isfinite
from libc.stdint cimport INT64_MAX, int64_t, uint8_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport AF_POW10, Price, Quantity, f64_to_raw
from alphaforge._core.identifiers cimport (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TradeId,
)
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.order_events cimport OrderFilled

from alphaforge.model.enums import OrderSide, PositionSide

cdef enum:
    _BUY = 1
    _SELL = 2

cdef tuple _POSITION_SIDES = (PositionSide.FLAT, PositionSide.LONG, PositionSide.SHORT)
cdef tuple _ORDER_SIDES = (OrderSide.NO_ORDER_SIDE, OrderSide.BUY, OrderSide.SELL)


cdef inline int64_t _checked_add(int64_t a, int64_t b, str what) except? -1:
    if (b > 0 and a > INT64_MAX - b) or (b < 0 and a < -INT64_MAX - b):
        raise OverflowError(f"position {what} overflow adding raw values {a} and {b}")
    return a + b


cdef int64_t _pnl_to_raw(double pnl, Currency cur) except? -1:
    if not isfinite(pnl) or fabs(pnl) >= 9.2e9:
        if not isfinite(pnl):
            raise ValueError(f"position PnL is not finite ({pnl!r}): check prices (inverse needs price > 0)")
        raise OverflowError(f"position PnL {pnl!r} {cur.code} exceeds the int64 raw range")
    return f64_to_raw(pnl, 9)


cdef int _order_side_of(object fill) except -1:
    cdef object s = getattr(fill, "order_side", None)
    if s is None:
        s = getattr(fill, "side", None)
    cdef int side
    if isinstance(s, int) and -128 < s < 128:
        side = s
    elif isinstance(s, str):
        side = int(OrderSide.parse(s))
    else:
        try:
            side = int(s)
        except (TypeError, ValueError):
            raise ValueError(f"invalid fill.order_side {s!r}: expected OrderSide BUY or SELL") from None
    if side != _BUY and side != _SELL:
        raise ValueError(f"invalid fill.order_side {s!r}: expected OrderSide BUY or SELL")
    return side


cdef object _ORDER_FILLED = None      # alphaforge._core.order_events.OrderFilled, looked up lazily
cdef bint _ORDER_FILLED_CHECKED = False


cdef int _read_raw_fields(object fill, FillRaw* out) except -1:
    # OrderFilled C fields (Python ints): no Price/Quantity/Money objects
    out.side = fill.side
    if out.side != _BUY and out.side != _SELL:
        raise ValueError(f"invalid fill.side {out.side!r}: expected 1 (BUY) or 2 (SELL)")
    out.qty_raw = fill.last_qty_raw
    out.px_raw = fill.last_px_raw
    out.commission_raw = getattr(fill, "commission_raw", 0)
    return 0


cdef Currency read_fill(object fill, FillRaw* out):
    global _ORDER_FILLED, _ORDER_FILLED_CHECKED
    cdef object comm, q, p
    cdef Currency cur = None
    if not _ORDER_FILLED_CHECKED:
        _ORDER_FILLED_CHECKED = True
        try:
            from alphaforge._core.order_events import OrderFilled
            _ORDER_FILLED = OrderFilled
        except ImportError:
            _ORDER_FILLED = None
    if _ORDER_FILLED is not None and type(fill) is _ORDER_FILLED:
        q = None
    else:
        q = getattr(fill, "last_qty", None)
    if q is None:
        _read_raw_fields(fill, out)
        cur = getattr(fill, "commission_currency", None)
        if cur is None:
            out.commission_raw = 0
    else:
        out.side = _order_side_of(fill)
        p = fill.last_px
        if not isinstance(q, Quantity):
            raise TypeError(f"invalid fill.last_qty {q!r}: expected Quantity")
        if not isinstance(p, Price):
            raise TypeError(f"invalid fill.last_px {p!r}: expected Price")
        out.qty_raw = (<Quantity>q).raw
        out.px_raw = (<Price>p).raw
        out.commission_raw = 0
        comm = getattr(fill, "commission", None)
        if comm is not None:
            if not isinstance(comm, Money):
                raise TypeError(f"invalid fill.commission {comm!r}: expected Money or None")
            out.commission_raw = (<Money>comm).raw
            cur = (<Money>comm).currency
    out.ts_event = fill.ts_event
    if out.qty_raw <= 0:
        raise ValueError(f"invalid fill.last_qty raw {out.qty_raw} (trade {getattr(fill, 'trade_id', None)}): must be > 0")
    return cur


cdef double _price_arg(object price, str what) except? -1.0:
    cdef double v
    if isinstance(price, Price):
        return <double>(<Price>price).raw / 1e9
    try:
        v = float(price)
    except (TypeError, ValueError):
        raise TypeError(f"invalid {what} {price!r}: expected Price or float") from None
    if not isfinite(v):
        raise ValueError(f"invalid {what} {price!r}: not a finite number")
    return v


cdef class Position:
    """A position in one instrument, opened by ``fill`` and updated with ``apply(fill)``.

    ``Position(instrument, fill, position_id=None)``: ``position_id`` defaults to
    ``fill.position_id`` (one of the two is required). Fills are duck-typed: any object with
    ``instrument_id, strategy_id, client_order_id, position_id, account_id, trade_id,
    order_side, last_qty (Quantity), last_px (Price), commission (Money or None), ts_event``.
    """

    def __init__(self, Instrument instrument not None, fill not None, PositionId position_id=None):
        if position_id is None:
            position_id = getattr(fill, "position_id", None)
        if position_id is None:
            raise ValueError(
                f"Position for {instrument.id}: no position id (fill.position_id is None and no position_id given)"
            )
        if not isinstance(position_id, PositionId):
            raise TypeError(f"invalid position_id {position_id!r}: expected PositionId")
        self.id = position_id
        self.instrument_id = instrument.id
        self.strategy_id = getattr(fill, "strategy_id", None)
        self.account_id = getattr(fill, "account_id", None)
        self.instrument_class = instrument.instrument_class
        self.quote_currency = instrument.quote_currency
        self.base_currency = instrument.base_currency
        self.settlement_currency = instrument.settlement_currency
        if instrument.is_inverse:
            if instrument.base_currency is None:
                raise ValueError(f"inverse instrument {instrument.id} has no base currency for PnL")
            self.pnl_currency = instrument.base_currency
        else:
            self.pnl_currency = instrument.settlement_currency
        self.multiplier = instrument.multiplier
        self.is_inverse = instrument.is_inverse
        self.price_precision = instrument.price_precision
        self.size_precision = instrument.size_precision
        self._trade_ids = []
        self._client_order_ids = []
        self._fills = []
        self._commissions = {}
        self._side = POS_FLAT
        self.apply(fill)

    # ------------------------------------------------------------------------------------------
    # updates

    def apply(self, fill not None) -> None:
        """Apply a fill (see the module doc for flips and re-opening).

        Raises ValueError when the fill is for another instrument, repeats a trade id, has a
        non-positive quantity or an invalid side; nothing is changed in that case.
        """
        self.apply_fill_c(fill)

    cdef int apply_fill_c(self, object fill) except -1:
        """``apply`` for Cython callers (no Python method call)."""
        cdef FillRaw fr
        cdef Currency comm_cur
        if type(fill) is OrderFilled:               # the engine's own event: read its C fields
            self._check_fill((<OrderFilled>fill).instrument_id, (<OrderFilled>fill).trade_id)
            return self._apply_filled(<OrderFilled>fill, False)
        cdef object tid = getattr(fill, "trade_id", None)
        self._check_fill(getattr(fill, "instrument_id", None), tid)
        comm_cur = read_fill(fill, &fr)
        return self._book_fill(fr.side, fr.qty_raw, fr.px_raw, fr.commission_raw, comm_cur, fr.ts_event, tid,
                               getattr(fill, "client_order_id", None), getattr(fill, "account_id", None), fill,
                               False)

    cdef int apply_order_fill_c(self, OrderFilled fill, bint first_of_order) except -1:
        if fill.instrument_id is not self.instrument_id and fill.instrument_id != self.instrument_id:
            self._check_fill(fill.instrument_id, None)      # raises the mismatch
        return self._apply_filled(fill, first_of_order)

    cdef int _apply_filled(self, OrderFilled f, bint coid_new) except -1:
        if f.side != _BUY and f.side != _SELL:
            raise ValueError(f"invalid fill.side {f.side!r}: expected 1 (BUY) or 2 (SELL)")
        if f.last_qty_raw <= 0:
            raise ValueError(f"invalid fill.last_qty raw {f.last_qty_raw} (trade {f.trade_id}): must be > 0")
        return self._book_fill(f.side, f.last_qty_raw, f.last_px_raw,
                               f.commission_raw if f.commission_currency is not None else 0,
                               f.commission_currency, f.ts_event, f.trade_id, f.client_order_id,
                               f.account_id, f, coid_new)

    cdef int _check_fill(self, object iid, object tid) except -1:
        if iid is not None and iid is not self.instrument_id and iid != self.instrument_id:
            raise ValueError(f"fill.instrument_id {iid} does not match position {self.id} ({self.instrument_id})")
        if tid is not None and self._trade_ids:
            if self._trade_id_set is None:
                self._trade_id_set = set(self._trade_ids)
            if tid in self._trade_id_set:
                raise ValueError(f"duplicate fill.trade_id {tid} for position {self.id}")
        return 0

    cdef int record_ids_c(self, object tid, object coid, bint coid_new) except -1:
        if tid is not None:
            self._trade_ids.append(tid)
            if self._trade_id_set is not None:
                self._trade_id_set.add(tid)
            self.last_trade_id = tid
        if coid is None:
            return 0
        if self._client_order_id_set is None and (coid_new or not self._client_order_ids):
            self._client_order_ids.append(coid)     # nothing to repeat: no set needed yet
            return 0
        if self._client_order_id_set is None:
            self._client_order_id_set = set(self._client_order_ids)
        if coid not in self._client_order_id_set:
            self._client_order_ids.append(coid)
            self._client_order_id_set.add(coid)
        return 0

    cdef int _book_fill(self, int side, int64_t qty_raw, int64_t px_raw, int64_t commission_raw,
                        Currency commission_currency, int64_t ts_event, object tid, object coid,
                        object account_id, object fill, bint coid_new) except -1:
        """Apply a checked fill and record its ids (opening/closing order, trade ids, the fill)."""
        cdef bint was_flat = self._side == POS_FLAT
        self.apply_raw(side, qty_raw, px_raw, commission_raw, commission_currency, ts_event)
        if was_flat:
            self.opening_order_id = coid
        elif self._side == POS_FLAT:
            self.closing_order_id = coid
        elif self.last_fill_flipped:
            # flipped through zero: the remainder opened a new leg
            self.closing_order_id = coid
            self.opening_order_id = coid
        if self.account_id is None:
            self.account_id = account_id
        self.record_ids_c(tid, coid, coid_new)
        self._fills.append(fill)
        return 0

    cdef int apply_raw(
        self,
        int side,
        int64_t qty_raw,
        int64_t px_raw,
        int64_t commission_raw,
        Currency commission_currency,
        int64_t ts_event,
    ) except -1:
        """Apply a fill given as raw values (no duplicate-trade check, no id bookkeeping)."""
        if side != _BUY and side != _SELL:
            raise ValueError(f"invalid fill side {side} for position {self.id}: expected 1 (BUY) or 2 (SELL)")
        if qty_raw <= 0:
            raise ValueError(f"invalid fill.last_qty raw {qty_raw} for position {self.id}: must be > 0")
        if self.is_inverse and px_raw <= 0:
            raise ValueError(f"invalid fill.last_px raw {px_raw} for inverse position {self.id}: must be > 0")
        cdef int64_t delta = qty_raw if side == _BUY else -qty_raw
        cdef int64_t new_signed = _checked_add(self.signed_qty_raw, delta, "quantity")
        cdef int64_t cur_abs = self.signed_qty_raw if self.signed_qty_raw >= 0 else -self.signed_qty_raw
        cdef double px = <double>px_raw / 1e9
        cdef double qd, cd
        cdef int64_t close_raw, remainder, pnl_raw = 0
        cdef list slot
        cdef int64_t comm_in_pnl = 0
        cdef bint flipped = False

        if commission_currency is not None and commission_raw != 0 and \
                commission_currency.code == self.pnl_currency.code:
            comm_in_pnl = commission_raw

        if self._side == POS_FLAT:
            # open (or re-open: a new cycle)
            self._reset_cycle()
            self.avg_px_open = px
            self.ts_opened = ts_event
            self._entry = side
        elif (self.signed_qty_raw > 0) == (side == _BUY):
            # increase
            qd = <double>qty_raw / 1e9
            cd = <double>cur_abs / 1e9
            self.avg_px_open = (self.avg_px_open * cd + px * qd) / (cd + qd)
        else:
            # reduce, close or flip
            close_raw = qty_raw if qty_raw < cur_abs else cur_abs
            pnl_raw = _pnl_to_raw(
                self.pnl_f64(self.avg_px_open, px, <double>close_raw / 1e9), self.pnl_currency
            )
            qd = <double>close_raw / 1e9
            cd = <double>self._closed_qty_raw / 1e9
            self.avg_px_close = (self.avg_px_close * cd + px * qd) / (cd + qd)
            self._closed_qty_raw += close_raw
            if self.avg_px_open != 0.0:
                if self._side == POS_LONG:
                    self.realized_return = (self.avg_px_close - self.avg_px_open) / self.avg_px_open
                else:
                    self.realized_return = (self.avg_px_open - self.avg_px_close) / self.avg_px_open
            remainder = qty_raw - close_raw
            flipped = remainder > 0
            if flipped:
                # flip: the remainder opens the other side at the fill price
                self.avg_px_open = px
                self.ts_opened = ts_event
                self._entry = side
                self.avg_px_close = 0.0
                self._closed_qty_raw = 0

        self.realized_pnl_raw = _checked_add(
            _checked_add(self.realized_pnl_raw, pnl_raw, "realized PnL"), -comm_in_pnl, "realized PnL"
        )
        self.last_pnl_raw = pnl_raw
        self.last_fill_flipped = flipped
        self.last_commission_raw = commission_raw
        if commission_currency is not None and commission_raw != 0:
            slot = self._commissions.get(commission_currency.code)
            if slot is None:
                self._commissions[commission_currency.code] = [commission_currency, commission_raw]
            else:
                slot[1] = _checked_add(slot[1], commission_raw, "commission")
        if side == _BUY:
            self.buy_qty_raw = _checked_add(self.buy_qty_raw, qty_raw, "buy quantity")
        else:
            self.sell_qty_raw = _checked_add(self.sell_qty_raw, qty_raw, "sell quantity")

        self.signed_qty_raw = new_signed
        if new_signed > 0:
            self._side = POS_LONG
        elif new_signed < 0:
            self._side = POS_SHORT
        else:
            self._side = POS_FLAT
        cur_abs = new_signed if new_signed >= 0 else -new_signed
        if cur_abs > self.peak_qty_raw:
            self.peak_qty_raw = cur_abs
        self.ts_last = ts_event
        if self._side == POS_FLAT:
            self.ts_closed = ts_event
        self.event_count += 1
        self._cycle_fills += 1
        return 0

    cdef void _reset_cycle(self) noexcept:
        self.avg_px_open = 0.0
        self.avg_px_close = 0.0
        self.realized_return = 0.0
        self.realized_pnl_raw = 0
        self.peak_qty_raw = 0
        self.buy_qty_raw = 0
        self.sell_qty_raw = 0
        self._closed_qty_raw = 0
        self.ts_closed = 0
        self._cycle_fills = 0
        if self._commissions:             # nothing else holds it: a cycle without fees keeps it
            self._commissions = {}

    def split_fill_for_flip(self, fill not None) -> tuple:
        """Split a flipping fill into its closing and opening parts.

        Returns ``(close_qty, open_qty, close_commission, open_commission)``: ``close_qty`` is this
        position's quantity, ``open_qty`` the remainder (Quantity at the fill's precision); the
        commission (Money or None) is split pro rata to quantity, the closing part rounded half away
        from zero to the currency precision and the opening part the exact rest.
        Raises ValueError when the fill does not flip this position (same side, or not larger).
        """
        cdef int side = _order_side_of(fill)
        cdef Quantity q = fill.last_qty
        cdef int64_t cur_abs = self.signed_qty_raw if self.signed_qty_raw >= 0 else -self.signed_qty_raw
        if not self.is_opposite_side(side) or q.raw <= cur_abs:
            raise ValueError(
                f"fill {getattr(fill, 'trade_id', None)} does not flip position {self.id}: "
                f"side {_ORDER_SIDES[side].name} qty {q} vs position {self.side.name} {self.quantity}"
            )
        cdef Quantity close_q = Quantity.from_raw_c(cur_abs, max(q.precision, self.size_precision))
        cdef Quantity open_q = Quantity.from_raw_c(q.raw - cur_abs, q.precision)
        cdef object comm = getattr(fill, "commission", None)
        if comm is None:
            return close_q, open_q, None, None
        cdef Money m = comm
        cdef object unit = AF_POW10[9 - m.currency.precision]
        cdef object units = (<object>m.raw) // unit
        cdef object num = abs(units) * cur_abs
        cdef object close_units = (2 * num + q.raw) // (2 * q.raw)   # half away from zero
        if units < 0:
            close_units = -close_units
        cdef int64_t close_raw = close_units * unit
        return (
            close_q,
            open_q,
            Money.from_raw_c(close_raw, m.currency),
            Money.from_raw_c(m.raw - close_raw, m.currency),
        )

    # ------------------------------------------------------------------------------------------
    # PnL

    cdef double pnl_f64(self, double avg_px_open, double avg_px_close, double quantity) noexcept:
        """PnL of closing ``quantity`` (units, >= 0) opened at avg_px_open at avg_px_close, for
        the current side, in pnl_currency (double). Flat -> 0."""
        cdef double points
        if self.is_inverse:
            if avg_px_open == 0.0 or avg_px_close == 0.0:
                return 0.0
            points = 1.0 / avg_px_open - 1.0 / avg_px_close
        else:
            points = avg_px_close - avg_px_open
        if self._side == POS_LONG:
            return quantity * self.multiplier * points
        if self._side == POS_SHORT:
            return -quantity * self.multiplier * points
        return 0.0

    cpdef double unrealized_pnl_f64(self, double last_price) noexcept:
        """Unrealized PnL at ``last_price`` in pnl_currency units (double, not rounded)."""
        if self._side == POS_FLAT:
            return 0.0
        cdef int64_t a = self.signed_qty_raw if self.signed_qty_raw >= 0 else -self.signed_qty_raw
        return self.pnl_f64(self.avg_px_open, last_price, <double>a / 1e9)

    cpdef double notional_f64(self, double last_price) noexcept:
        """Signed notional at ``last_price`` (double): qty*price*multiplier in the quote currency,
        inverse: qty*multiplier/price in the base currency; negative when short."""
        cdef double q = <double>self.signed_qty_raw / 1e9
        if self.is_inverse:
            if last_price == 0.0:
                return 0.0
            return q * self.multiplier / last_price
        return q * last_price * self.multiplier

    cpdef bint is_opposite_side(self, int order_side) noexcept:
        """True when an order on ``order_side`` (1 BUY, 2 SELL) would reduce this position."""
        return (self._side == POS_LONG and order_side == _SELL) or (self._side == POS_SHORT and order_side == _BUY)

    def unrealized_pnl(self, last_price) -> Money:
        """Unrealized PnL marked at ``last_price`` (Price or float), rounded to pnl_currency."""
        cdef double v = self.unrealized_pnl_f64(_price_arg(last_price, "last_price"))
        return Money.from_raw_c(_pnl_to_raw(v, self.pnl_currency), self.pnl_currency)

    def total_pnl(self, last_price) -> Money:
        """``realized_pnl + unrealized_pnl(last_price)`` in pnl_currency."""
        cdef double v = self.unrealized_pnl_f64(_price_arg(last_price, "last_price"))
        return Money.from_raw_c(
            _checked_add(self.realized_pnl_raw, _pnl_to_raw(v, self.pnl_currency), "total PnL"),
            self.pnl_currency,
        )

    def notional_value(self, last_price) -> Money:
        """Absolute notional at ``last_price``: quote currency (inverse: base currency)."""
        cdef double v = fabs(self.notional_f64(_price_arg(last_price, "last_price")))
        cdef Currency cur = self.base_currency if self.is_inverse else self.quote_currency
        return Money.from_raw_c(_pnl_to_raw(v, cur), cur)

    # ------------------------------------------------------------------------------------------
    # views

    @property
    def side(self):
        """PositionSide: FLAT, LONG or SHORT."""
        return _POSITION_SIDES[self._side]

    @property
    def entry(self):
        """OrderSide of the fill that opened the current cycle/leg."""
        return _ORDER_SIDES[self._entry]

    @property
    def quantity(self) -> Quantity:
        """Absolute open quantity."""
        cdef int64_t a = self.signed_qty_raw if self.signed_qty_raw >= 0 else -self.signed_qty_raw
        return Quantity.from_raw_c(a, self.size_precision)

    @property
    def signed_qty(self) -> float:
        """Signed open quantity in units (float): > 0 long, < 0 short."""
        return <double>self.signed_qty_raw / 1e9

    @property
    def peak_qty(self) -> Quantity:
        """Largest absolute quantity held during the current cycle (flips included)."""
        return Quantity.from_raw_c(self.peak_qty_raw, self.size_precision)

    @property
    def realized_pnl(self) -> Money:
        """Realized PnL of the current cycle (commissions in pnl_currency included)."""
        return Money.from_raw_c(self.realized_pnl_raw, self.pnl_currency)

    def commissions(self) -> list:
        """Total commission per currency this cycle (list of Money, in first-charged order)."""
        return [Money.from_raw_c(slot[1], slot[0]) for slot in self._commissions.values()]

    def commission(self, currency) -> Money:
        """Total commission in ``currency`` (Currency or code) this cycle (zero if none)."""
        cdef Currency cur = currency if isinstance(currency, Currency) else Currency.from_str(str(currency))
        cdef list slot = self._commissions.get(cur.code)
        return Money.from_raw_c(0 if slot is None else slot[1], cur)

    @property
    def is_open(self) -> bool:
        return self._side != POS_FLAT

    @property
    def is_closed(self) -> bool:
        return self._side == POS_FLAT

    @property
    def is_long(self) -> bool:
        return self._side == POS_LONG

    @property
    def is_short(self) -> bool:
        return self._side == POS_SHORT

    @property
    def duration_ns(self) -> int:
        """ts_closed - ts_opened (ns) once closed; 0 while open."""
        return self.ts_closed - self.ts_opened if self._side == POS_FLAT else 0

    @property
    def trade_ids(self) -> list:
        """Trade ids of every fill applied through ``apply`` (position life, in order)."""
        return list(self._trade_ids)

    @property
    def client_order_ids(self) -> list:
        """Distinct client order ids of the applied fills, in first-seen order."""
        return list(self._client_order_ids)

    @property
    def events(self) -> list:
        """The fill objects applied through ``apply`` (position life, in order)."""
        return list(self._fills)

    @property
    def last_event(self):
        """The most recently applied fill object (None if only raw fills were applied)."""
        return self._fills[len(self._fills) - 1] if self._fills else None

    def make_event(self, fill not None, int64_t ts_init=-1):
        """The event for the fill just applied: PositionOpened (first fill of a cycle),
        PositionClosed (now flat) or PositionChanged. ``ts_init`` defaults to ``fill.ts_init``."""
        cdef type cls
        if self._side == POS_FLAT:
            cls = PositionClosed
        elif self._cycle_fills == 1:
            cls = PositionOpened
        else:
            cls = PositionChanged
        return cls.create(self, fill, ts_init)

    def __repr__(self):
        return (
            f"Position(id={self.id}, {self.instrument_id}, {self.side.name} {self.quantity}, "
            f"avg_px_open={self.avg_px_open}, realized_pnl={self.realized_pnl})"
        )


@cython.no_gc          # ids, enums and a Currency only: no reference cycles
cdef class PositionEvent:
    """Snapshot of a position after a fill. Build with ``<EventClass>.create(position, fill)``."""

    def __init__(self):
        raise TypeError(f"{type(self).__name__} is created with {type(self).__name__}.create(position, fill)")

    @classmethod
    def create(cls, Position position not None, fill not None, int64_t ts_init=-1):
        """Snapshot ``position`` (after ``fill`` was applied); ts_event = fill.ts_event,
        ts_init = ``ts_init`` if >= 0 else fill.ts_init (or fill.ts_event)."""
        cdef PositionEvent e = cls.__new__(cls)
        cdef Quantity q = fill.last_qty
        cdef Price p = fill.last_px
        cdef int64_t ts_event = fill.ts_event
        if ts_init < 0:
            ts_init = getattr(fill, "ts_init", ts_event)
        e._fill_from(position, q.raw, p.raw, ts_event, ts_init)
        e.trade_id = getattr(fill, "trade_id", None)
        return e

    cdef int _fill_from(self, Position p, int64_t last_qty_raw, int64_t last_px_raw,
                        int64_t ts_event, int64_t ts_init) except -1:
        self.position_id = p.id
        self.instrument_id = p.instrument_id
        self.strategy_id = p.strategy_id
        self.account_id = p.account_id
        self.opening_order_id = p.opening_order_id
        self.closing_order_id = p.closing_order_id
        self.entry = _ORDER_SIDES[p._entry]
        self.side = _POSITION_SIDES[p._side]
        self.signed_qty = <double>p.signed_qty_raw / 1e9
        self.quantity_raw = p.signed_qty_raw if p.signed_qty_raw >= 0 else -p.signed_qty_raw
        self.peak_qty_raw = p.peak_qty_raw
        self.last_qty_raw = last_qty_raw
        self.last_px_raw = last_px_raw
        self.size_precision = p.size_precision
        self.price_precision = p.price_precision
        self.currency = p.pnl_currency
        self.avg_px_open = p.avg_px_open
        self.avg_px_close = p.avg_px_close
        self.realized_return = p.realized_return
        self.realized_pnl_raw = p.realized_pnl_raw
        self.unrealized_pnl_raw = _pnl_to_raw(p.unrealized_pnl_f64(<double>last_px_raw / 1e9), p.pnl_currency)
        self.trade_id = p.last_trade_id
        self.ts_opened = p.ts_opened
        self.ts_closed = p.ts_closed if p._side == POS_FLAT else 0
        self.duration_ns = p.ts_closed - p.ts_opened if p._side == POS_FLAT else 0
        self.ts_event = ts_event
        self.ts_init = ts_init
        return 0

    @property
    def quantity(self) -> Quantity:
        """Absolute position size after the fill."""
        return Quantity.from_raw_c(self.quantity_raw, self.size_precision)

    @property
    def peak_qty(self) -> Quantity:
        """Largest absolute size of the current cycle."""
        return Quantity.from_raw_c(self.peak_qty_raw, self.size_precision)

    @property
    def last_qty(self) -> Quantity:
        """Quantity of the fill (the part of it this event covers when a fill flips the position)."""
        return Quantity.from_raw_c(self.last_qty_raw, self.size_precision)

    @property
    def last_px(self) -> Price:
        """Price of the fill."""
        return Price.from_raw_c(self.last_px_raw, self.price_precision)

    @property
    def realized_pnl(self) -> Money:
        """Realized PnL of the cycle so far, in ``currency``."""
        return Money.from_raw_c(self.realized_pnl_raw, self.currency)

    @property
    def unrealized_pnl(self) -> Money:
        """Unrealized PnL marked at the fill price, in ``currency``."""
        return Money.from_raw_c(self.unrealized_pnl_raw, self.currency)

    def __repr__(self):
        return (
            f"{type(self).__name__}(position_id={self.position_id}, instrument_id={self.instrument_id}, "
            f"side={self.side.name}, quantity={self.quantity}, avg_px_open={self.avg_px_open}, "
            f"realized_pnl={self.realized_pnl}, ts_event={self.ts_event})"
        )


@cython.no_gc
cdef class PositionOpened(PositionEvent):
    """A position was opened (first fill of a cycle)."""


@cython.no_gc
cdef class PositionChanged(PositionEvent):
    """An open position changed (increase, partial reduce or flip)."""


@cython.no_gc
cdef class PositionClosed(PositionEvent):
    """A position went flat; ``realized_pnl``/``duration_ns`` describe the closed cycle."""
