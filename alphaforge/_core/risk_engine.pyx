"""Pre-trade risk checks (see risk_engine.pxd).

Checks, in order, each denial naming its reason:

1. trading state: HALTED denies everything; REDUCING denies orders that would not reduce the
   strategy's position in the instrument (reduce-only orders and orders on the opposite side for at
   most the position quantity pass);
2. the instrument is known (traded on a registered venue);
3. quantity > 0 and price/quantity precision and increments match the instrument;
4. min/max quantity of the instrument;
5. notional (quantity x reference price x multiplier; the reference is the limit price, else the
   trigger price, else the venue's last ask/bid/last price) within the instrument's min/max notional
   and the configured ``max_notional_per_order``;
6. price band: limit/trigger prices within ``price_band`` (a fraction) of the venue's current
   price;
7. reduce-only orders must reduce the position;
8. ``max_position``: the absolute position after the order must not exceed the configured limit;
9. cash accounts: the buy notional (plus taker fee) fits the free quote balance; sells without
   borrowing are limited to the free base currency (pairs) or the held position (equities);
10. throttles: at most N submits (``max_order_submit_rate``) and N modifies
    (``max_order_modify_rate``) per interval, given as ``"N/HH:MM:SS"`` or ``(N, interval_ns)``.

Config (a dict or an object with these attributes, all optional): ``bypass`` (skip every check),
``max_order_submit_rate`` (default "100/00:00:01"), ``max_order_modify_rate`` (default
"100/00:00:01"), ``max_notional_per_order`` ({instrument_id: amount}), ``max_position``
({instrument_id: quantity}), ``price_band`` (fraction, e.g. 0.1), ``trading_state``.
"""
from libc.math cimport fabs
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc

from alphaforge._core.accounts cimport Account
from alphaforge._core.clock cimport clock_now_ns
from alphaforge._core.exchange cimport SimulatedExchange
from alphaforge._core.execution_engine cimport ExecutionEngine
from alphaforge._core.fixed cimport AF_POW10, raw_fits_precision
from alphaforge._core.identifiers cimport InstrumentId, PositionId, StrategyId
from alphaforge._core.instruments cimport Instrument
from alphaforge._core.matching_engine cimport OrderMatchingEngine
from alphaforge._core.order_events cimport (
    OS_INITIALIZED,
    OrderModifyRejected,
)
from alphaforge._core.orders cimport Order
from alphaforge._core.position cimport Position

from alphaforge.model.enums import TradingState


cdef int64_t _parse_interval(str text) except -1:
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"invalid rate interval {text!r}: expected HH:MM:SS")
    h, m, s = int(parts[0]), int(parts[1]), float(parts[2])
    return <int64_t>((h * 3600 + m * 60 + s) * 1_000_000_000)


cdef tuple _parse_rate(object rate, str name):
    if rate is None:
        return None
    if isinstance(rate, str):
        if "/" not in rate:
            raise ValueError(f"invalid {name} {rate!r}: expected 'N/HH:MM:SS'")
        n, interval = rate.split("/", 1)
        lim, ns = int(n), _parse_interval(interval)
    else:
        lim, ns = int(rate[0]), int(rate[1])
    if lim <= 0 or ns <= 0:
        raise ValueError(f"invalid {name} {rate!r}: count and interval must be > 0")
    return lim, ns


cdef object _cfg(object config, str name, object default):
    if config is None:
        return default
    if isinstance(config, dict):
        return config.get(name, default)
    return getattr(config, name, default)


cdef class _Throttle:
    """At most ``limit`` events in any window of ``interval_ns`` (ring of the last times)."""

    def __cinit__(self, Py_ssize_t limit, int64_t interval_ns):
        self._ts = <int64_t*>malloc(limit * sizeof(int64_t))
        if self._ts == NULL:
            raise MemoryError()
        self.limit = limit
        self.interval_ns = interval_ns
        self._head = 0
        self._n = 0

    def __dealloc__(self):
        free(self._ts)

    cdef bint allow_c(self, int64_t now) noexcept:
        cdef Py_ssize_t oldest
        if self._n == self.limit:
            oldest = self._head                 # ring full: head is the oldest entry
            if now - self._ts[oldest] < self.interval_ns:
                return False
            self._ts[oldest] = now
            self._head = (self._head + 1) % self.limit
            return True
        self._ts[(self._head + self._n) % self.limit] = now
        self._n += 1
        return True

    cdef void reset(self) noexcept:
        self._head = 0
        self._n = 0


cdef class RiskEngine:
    """``RiskEngine(exec_engine, cache, portfolio, clock, config=None)``; see the module doc."""

    def __init__(self, ExecutionEngine exec_engine not None, cache, portfolio, clock, config=None):
        self.exec_engine = exec_engine
        self.cache = cache
        self.portfolio = portfolio
        self.clock = clock
        self.config = config
        self.bypass = bool(_cfg(config, "bypass", False))
        r = _parse_rate(_cfg(config, "max_order_submit_rate", "100/00:00:01"), "max_order_submit_rate")
        self._submit_throttle = _Throttle(r[0], r[1]) if r is not None else None
        r = _parse_rate(_cfg(config, "max_order_modify_rate", "100/00:00:01"), "max_order_modify_rate")
        self._modify_throttle = _Throttle(r[0], r[1]) if r is not None else None
        self._max_notional = {}
        for k, v in (_cfg(config, "max_notional_per_order", None) or {}).items():
            self._max_notional[k if isinstance(k, InstrumentId) else InstrumentId.from_str(str(k))] = float(v)
        self._max_position = {}
        for k, v in (_cfg(config, "max_position", None) or {}).items():
            self._max_position[k if isinstance(k, InstrumentId) else InstrumentId.from_str(str(k))] = \
                int(round(float(v) * 1e9)) if not hasattr(v, "raw") else v.raw
        self._price_band = float(_cfg(config, "price_band", 0.0) or 0.0)
        if self._price_band < 0:
            raise ValueError(f"invalid price_band {self._price_band!r}: must be >= 0")
        self.trading_state_c = int(TradingState.parse(_cfg(config, "trading_state", "ACTIVE")))
        self.denied_count = 0

    @property
    def trading_state(self):
        return TradingState(self.trading_state_c)

    def set_trading_state(self, state) -> None:
        """ACTIVE, REDUCING or HALTED (TradingState, int or name)."""
        self.trading_state_c = int(TradingState.parse(state))

    def reset(self) -> None:
        if self._submit_throttle is not None:
            self._submit_throttle.reset()
        if self._modify_throttle is not None:
            self._modify_throttle.reset()
        self.denied_count = 0

    cdef int64_t now_c(self) except? -1:
        return clock_now_ns(self.clock)

    # ------------------------------------------------------------------ checks

    cdef bint _reduces(self, Order order) except -1:
        cdef int64_t net = self.exec_engine.position_qty_c(order)
        if order.side_c == 1:
            return net < 0 and order.quantity_raw <= -net
        return net > 0 and order.quantity_raw <= net

    cdef int64_t _ref_price(self, Order order) except? -1:
        """Limit, else trigger, else the venue's current price for the order's side (0 = unknown)."""
        cdef SimulatedExchange ex
        cdef OrderMatchingEngine e
        if order.has_price:
            return order.price_raw
        if order.has_trigger:
            return order.trigger_price_raw
        ex = self.exec_engine._exchange(order)
        if ex is None:
            return 0
        e = ex.engine_c(order.instrument_id)
        if e is None:
            return 0
        if e.book is not None:
            if order.side_c == 1 and e.book.has_ask():
                return e.book.best_ask_price_c()
            if order.side_c == 2 and e.book.has_bid():
                return e.book.best_bid_price_c()
        if order.side_c == 1 and e.has_ask:
            return e.ask_raw
        if order.side_c == 2 and e.has_bid:
            return e.bid_raw
        if e.has_last:
            return e.last_raw
        return 0

    cdef str check_order_c(self, Order order, PositionId position_id=None):
        """None when the order passes every check, else the denial reason."""
        cdef Instrument inst = self.exec_engine._instrument(order.instrument_id)
        cdef int64_t unit, ref, net, after, lim, cur
        cdef double notional, maxn, need, fee
        cdef SimulatedExchange ex
        cdef Account acc
        cdef object v
        if self.trading_state_c == 3:
            return "trading state is HALTED"
        if self.trading_state_c == 2 and not (order.reduce_only or self._reduces(order)):
            return "trading state is REDUCING: order would not reduce the position"
        if inst is None:
            return f"instrument {order.instrument_id} is not known (no venue trades it)"
        if order.quantity_raw <= 0:
            return "quantity must be positive"
        if order.qty_prec > inst.size_precision or not raw_fits_precision(order.quantity_raw, inst.size_precision):
            return (f"quantity precision {order.qty_prec} exceeds the instrument's size precision "
                    f"{inst.size_precision}")
        # (an increment of one unit at the precision, the usual one, was checked just above)
        if inst.size_increment_raw > 0 and inst.size_increment_raw != AF_POW10[9 - inst.size_precision] \
                and order.quantity_raw % inst.size_increment_raw != 0:
            return f"quantity is not a multiple of the size increment {inst.size_increment}"
        if order.has_price:
            if order.px_prec > inst.price_precision or not raw_fits_precision(order.price_raw, inst.price_precision):
                return (f"price precision {order.px_prec} exceeds the instrument's price precision "
                        f"{inst.price_precision}")
            if inst.price_increment_raw > 0 and inst.price_increment_raw != AF_POW10[9 - inst.price_precision] \
                    and order.price_raw % inst.price_increment_raw != 0:
                return f"price is not a multiple of the price increment {inst.price_increment}"
        if order.has_trigger:
            if not raw_fits_precision(order.trigger_price_raw, inst.price_precision):
                return (f"trigger price precision exceeds the instrument's price precision "
                        f"{inst.price_precision}")
        if inst.min_quantity is not None and order.quantity_raw < inst.min_quantity.raw:
            return f"quantity below the instrument's min_quantity {inst.min_quantity}"
        if inst.max_quantity is not None and order.quantity_raw > inst.max_quantity.raw:
            return f"quantity above the instrument's max_quantity {inst.max_quantity}"
        # the reference price, looked up by the checks that use it (notional limits, cash account)
        ref = -1
        if inst.min_notional is not None or inst.max_notional is not None or self._max_notional:
            ref = self._ref_price(order)
        if ref > 0:
            notional = inst.notional_value(<double>order.quantity_raw / 1e9, <double>ref / 1e9)
            if inst.min_notional is not None and notional < inst.min_notional.as_double():
                return f"notional {notional:g} below the instrument's min_notional {inst.min_notional}"
            if inst.max_notional is not None and notional > inst.max_notional.as_double():
                return f"notional {notional:g} above the instrument's max_notional {inst.max_notional}"
            if self._max_notional:
                v = self._max_notional.get(order.instrument_id)
                if v is not None and notional > <double>v:
                    return f"notional {notional:g} above max_notional_per_order {v:g}"
        if self._price_band > 0 and (order.has_price or order.has_trigger):
            cur = self._market_price(order)
            if cur > 0:
                for px in ((order.price_raw,) if order.has_price else ()) + \
                        ((order.trigger_price_raw,) if order.has_trigger else ()):
                    if fabs(<double>(px - cur)) > self._price_band * <double>cur:
                        return (f"price {<double>px / 1e9:g} outside the price band of {self._price_band:g} "
                                f"around {<double>cur / 1e9:g}")
        if order.reduce_only and not self._reduces_any(order, position_id):
            return "reduce-only order would increase the position"
        if self._max_position:
            v = self._max_position.get(order.instrument_id)
            if v is not None:
                net = self.exec_engine.position_qty_c(order)
                after = net + (order.quantity_raw if order.side_c == 1 else -order.quantity_raw)
                lim = v
                if (after if after >= 0 else -after) > lim and \
                        (after if after >= 0 else -after) > (net if net >= 0 else -net):
                    return f"position after the order would exceed max_position {<double>lim / 1e9:g}"
        ex = self.exec_engine._exchange(order)
        if ex is not None and ex.account is not None and ex.account.account_type_c == 1 \
                and not ex.account.allow_borrowing:
            acc = ex.account
            if order.side_c == 1:
                if ref < 0:
                    ref = self._ref_price(order)
                if ref > 0:
                    fee = inst.taker_fee if inst.taker_fee > 0 else 0.0
                    need = inst.notional_value(<double>order.quantity_raw / 1e9, <double>ref / 1e9) * (1.0 + fee)
                    if need > <double>acc.free_raw(inst.quote_currency) / 1e9 + 1e-9:
                        return (f"insufficient free balance: order needs {need:g} {inst.quote_currency.code}, "
                                f"free {<double>acc.free_raw(inst.quote_currency) / 1e9:g}")
            elif inst.base_currency is not None and inst.base_currency is not inst.quote_currency \
                    and inst.instrument_class == "SPOT":
                if order.quantity_raw > acc.free_raw(inst.base_currency):
                    return (f"short selling not allowed on cash account: sell exceeds free "
                            f"{inst.base_currency.code} balance")
            else:
                net = self.exec_engine.position_qty_c(order)
                if order.quantity_raw > net:
                    return "short selling not allowed on cash account: sell exceeds the position"
        return None

    cdef bint _reduces_any(self, Order order, PositionId position_id) except -1:
        """True when ``order`` reduces a position: the one it targets (``position_id``; under
        HEDGING a strategy holds several), else the one its fill would apply to."""
        cdef int64_t net
        cdef Position p
        if position_id is not None:
            p = self.exec_engine._positions.get(position_id)
            net = p.signed_qty_raw if p is not None else 0
        else:
            net = self.exec_engine.position_qty_c(order)
        return (order.side_c == 1 and net < 0) or (order.side_c == 2 and net > 0)

    cdef int64_t _market_price(self, Order order) except? -1:
        cdef SimulatedExchange ex = self.exec_engine._exchange(order)
        cdef OrderMatchingEngine e
        if ex is None:
            return 0
        e = ex.engine_c(order.instrument_id)
        if e is None:
            return 0
        if e.book is not None and e.book.has_bid() and e.book.has_ask():
            return (e.book.best_bid_price_c() + e.book.best_ask_price_c()) // 2
        if e.has_bid and e.has_ask:
            return (e.bid_raw + e.ask_raw) // 2
        if e.has_last:
            return e.last_raw
        return 0

    def check_order(self, Order order not None):
        """The denial reason for ``order`` (str), or None when it passes (no throttle, no side effects)."""
        return self.check_order_c(order)

    # ------------------------------------------------------------------ commands

    cdef int submit_order_c(self, Order order, PositionId position_id) except -1:
        cdef str reason = None
        if not self.bypass:
            reason = self.check_order_c(order, position_id)
            if reason is None and self._submit_throttle is not None and \
                    not self._submit_throttle.allow_c(self.now_c()):
                reason = "order submit rate above max_order_submit_rate"
        if reason is not None:
            self.denied_count += 1
            return self.exec_engine.deny_c(order, reason)
        return self.exec_engine.submit_order_c(order, position_id)

    def submit_order(self, Order order not None, position_id=None) -> None:
        """Check, then submit to the venue; a denial emits OrderDenied(reason) to the strategy."""
        if position_id is not None and not isinstance(position_id, PositionId):
            position_id = PositionId(str(position_id))
        self.submit_order_c(order, position_id)

    def submit_order_list(self, order_list) -> None:
        """Check every order of the list; if any is denied, all are denied (with that reason)."""
        orders = list(order_list)
        cdef str reason = None
        cdef Order o
        if not orders:
            return
        if not self.bypass:
            for o in orders:
                if o.parent_order_id is not None and self.trading_state_c == 2:
                    continue           # bracket exits are reduce-only by construction
                reason = self.check_order_c(o) if not (o.parent_order_id is not None and o.reduce_only) \
                    else self._check_exit(o)
                if reason is not None:
                    reason = f"order list denied: {o.client_order_id}: {reason}"
                    break
            if reason is None and self._submit_throttle is not None and \
                    not self._submit_throttle.allow_c(self.now_c()):
                reason = "order submit rate above max_order_submit_rate"
        if reason is not None:
            self.denied_count += len(orders)
            for o in orders:
                self.exec_engine.deny_c(o, reason)
            return
        self.exec_engine.submit_order_list_c(orders)

    cdef str _check_exit(self, Order o):
        """Bracket children are reduce-only before their parent fills: only static checks apply."""
        cdef Instrument inst = self.exec_engine._instrument(o.instrument_id)
        if self.trading_state_c == 3:
            return "trading state is HALTED"
        if inst is None:
            return f"instrument {o.instrument_id} is not known (no venue trades it)"
        if o.qty_prec > inst.size_precision:
            return f"quantity precision {o.qty_prec} exceeds the instrument's size precision {inst.size_precision}"
        if o.has_price and o.px_prec > inst.price_precision:
            return f"price precision {o.px_prec} exceeds the instrument's price precision {inst.price_precision}"
        return None

    def modify_order(self, Order order not None, quantity=None, price=None, trigger_price=None) -> None:
        """Check the modify (state, throttle, precision, band) then forward; denial -> OrderModifyRejected."""
        cdef str reason = None
        cdef int64_t ts
        cdef Instrument inst = self.exec_engine._instrument(order.instrument_id)
        if not self.bypass:
            if self.trading_state_c == 3:
                reason = "trading state is HALTED"
            elif self.trading_state_c == 2 and quantity is not None and quantity.raw > order.quantity_raw:
                reason = "trading state is REDUCING: quantity increase denied"
            elif inst is not None and price is not None and price.raw % AF_POW10[9 - inst.price_precision] != 0:
                reason = f"price precision exceeds the instrument's price precision {inst.price_precision}"
            elif inst is not None and quantity is not None and \
                    quantity.raw % AF_POW10[9 - inst.size_precision] != 0:
                reason = f"quantity precision exceeds the instrument's size precision {inst.size_precision}"
            elif self._modify_throttle is not None and not self._modify_throttle.allow_c(self.now_c()):
                reason = "order modify rate above max_order_modify_rate"
        if reason is not None:
            self.denied_count += 1
            ts = self.now_c()
            ev = OrderModifyRejected.create_c(order.trader_id, order.strategy_id, order.instrument_id,
                                              order.client_order_id, order.venue_order_id, order.account_id,
                                              reason, ts, ts)
            order.apply_c(ev)
            if self.cache is not None:
                self.cache.update_order(order)
            self.exec_engine.dispatch_order_c(order, ev)
            return
        self.exec_engine.modify_order_c(order, order.quantity_raw if quantity is None else quantity.raw,
                                        price is not None, 0 if price is None else price.raw,
                                        trigger_price is not None, 0 if trigger_price is None else trigger_price.raw)

    def cancel_order(self, Order order not None) -> None:
        """Cancels always pass (also when HALTED)."""
        self.exec_engine.cancel_order_c(order)

    def cancel_all_orders(self, instrument_id, strategy_id, side=None) -> None:
        self.exec_engine.cancel_all_orders(instrument_id, strategy_id, side)

    def close_position(self, position, tags=None) -> None:
        """Flatten a position with a reduce-only market order (allowed in REDUCING; denied when HALTED)."""
        cdef int64_t q = position.signed_qty_raw
        if q == 0:
            return
        factory = self.exec_engine._factory_for(position.strategy_id)
        from alphaforge._core.fixed import Quantity
        order = factory.market(position.instrument_id, "SELL" if q > 0 else "BUY",
                               Quantity.from_raw(q if q > 0 else -q, position.size_precision),
                               reduce_only=True, tags=tags)
        self.submit_order_c(order, position.id)

    def close_all_positions(self, strategy_id, instrument_id=None, side=None) -> None:
        for p in list(self.exec_engine.positions_open(strategy_id, instrument_id)):
            if side is not None and int(p.side) != int(side):
                continue
            self.close_position(p)
