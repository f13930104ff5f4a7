"""Instrument definitions: Equity, CurrencyPair, CryptoPerpetual, FuturesContract.

Prices and sizes are kept at the instrument's ``price_precision``/``size_precision``;
``make_price``/``make_qty`` round a float to the tick/size increment. Fees and margins are
fractions of notional (0.001 = 10 bps). ``notional_value`` is price * quantity * multiplier
(inverse instruments: quantity * multiplier / price), computed in double.
"""
from libc.math cimport floor, isfinite, nearbyint
from libc.stdint cimport int64_t, uint8_t

from alphaforge._core.currency cimport Currency, Money
from alphaforge._core.fixed cimport AF_POW10, Price, Quantity, f64_to_raw
from alphaforge._core.identifiers cimport InstrumentId

from alphaforge.model.enums import AssetClass


cdef Currency _cur(object c, str field, str owner):
    if c is None:
        return None
    if isinstance(c, Currency):
        return <Currency>c
    try:
        return Currency.from_str(str(c))
    except ValueError as e:
        raise ValueError(f"invalid {owner}.{field}: {e}") from None


cdef object _price_arg(object v, int precision, str field, str owner):
    if v is None:
        return None
    if isinstance(v, Price):
        return v
    if isinstance(v, str):
        return Price.from_str(v)
    try:
        return Price(float(v), precision)
    except ValueError as e:
        raise ValueError(f"invalid {owner}.{field}: {e}") from None


cdef object _qty_arg(object v, int precision, str field, str owner):
    if v is None:
        return None
    if isinstance(v, Quantity):
        return v
    if isinstance(v, str):
        return Quantity.from_str(v)
    try:
        return Quantity(float(v), precision)
    except ValueError as e:
        raise ValueError(f"invalid {owner}.{field}: {e}") from None


cdef object _money_arg(object v, Currency cur, str field, str owner):
    if v is None:
        return None
    if isinstance(v, Money):
        return v
    if isinstance(v, str):
        return Money.from_str(v) if " " in v.strip() else Money(float(v), cur)
    try:
        return Money(float(v), cur)
    except ValueError as e:
        raise ValueError(f"invalid {owner}.{field}: {e}") from None


cdef class Instrument:
    """Base instrument. Use a concrete subclass; all share these attributes and methods."""

    def __init__(
        self,
        instrument_id,
        *,
        str instrument_class,
        int asset_class,
        quote_currency,
        int price_precision,
        int size_precision,
        price_increment=None,
        size_increment=None,
        base_currency=None,
        settlement_currency=None,
        bint is_inverse=False,
        lot_size=None,
        double multiplier=1.0,
        min_quantity=None,
        max_quantity=None,
        min_notional=None,
        max_notional=None,
        min_price=None,
        max_price=None,
        double margin_init=0.0,
        double margin_maint=0.0,
        double maker_fee=0.0,
        double taker_fee=0.0,
        str raw_symbol=None,
        int64_t ts_event=0,
        int64_t ts_init=0,
    ):
        owner = type(self).__name__
        if isinstance(instrument_id, str):
            instrument_id = InstrumentId.from_str(instrument_id)
        if not isinstance(instrument_id, InstrumentId):
            raise TypeError(f"invalid {owner}.instrument_id: expected InstrumentId or str, got {instrument_id!r}")
        if price_precision < 0 or price_precision > 9:
            raise ValueError(f"invalid {owner}.price_precision {price_precision!r}: must be 0-9")
        if size_precision < 0 or size_precision > 9:
            raise ValueError(f"invalid {owner}.size_precision {size_precision!r}: must be 0-9")
        if not isfinite(multiplier) or multiplier <= 0:
            raise ValueError(f"invalid {owner}.multiplier {multiplier!r}: must be > 0")
        for fname, fval in (("margin_init", margin_init), ("margin_maint", margin_maint)):
            if not isfinite(fval) or fval < 0:
                raise ValueError(f"invalid {owner}.{fname} {fval!r}: must be >= 0")
        for fname, fval in (("maker_fee", maker_fee), ("taker_fee", taker_fee)):
            if not isfinite(fval) or abs(fval) >= 1:
                raise ValueError(f"invalid {owner}.{fname} {fval!r}: a fraction of notional, |fee| < 1")
        self.id = instrument_id
        self.raw_symbol = raw_symbol or instrument_id.symbol.value
        self.instrument_class = instrument_class
        self.asset_class = asset_class
        self.quote_currency = _cur(quote_currency, "quote_currency", owner)
        if self.quote_currency is None:
            raise ValueError(f"invalid {owner}.quote_currency: required")
        self.base_currency = _cur(base_currency, "base_currency", owner)
        self.settlement_currency = _cur(settlement_currency, "settlement_currency", owner) or self.quote_currency
        self.is_inverse = is_inverse
        self.price_precision = <uint8_t>price_precision
        self.size_precision = <uint8_t>size_precision
        self.price_increment = _price_arg(price_increment, price_precision, "price_increment", owner)
        if self.price_increment is None:
            self.price_increment = Price.from_raw_c(AF_POW10[9 - price_precision], <uint8_t>price_precision)
        self.size_increment = _qty_arg(size_increment, size_precision, "size_increment", owner)
        if self.size_increment is None:
            self.size_increment = Quantity.from_raw_c(AF_POW10[9 - size_precision], <uint8_t>size_precision)
        if self.price_increment.raw <= 0:
            raise ValueError(f"invalid {owner}.price_increment {self.price_increment}: must be > 0")
        if self.size_increment.raw <= 0:
            raise ValueError(f"invalid {owner}.size_increment {self.size_increment}: must be > 0")
        if self.price_increment.precision > price_precision:
            raise ValueError(
                f"invalid {owner}.price_increment {self.price_increment}: finer than price_precision {price_precision}"
            )
        if self.size_increment.precision > size_precision:
            raise ValueError(
                f"invalid {owner}.size_increment {self.size_increment}: finer than size_precision {size_precision}"
            )
        self.price_increment_raw = self.price_increment.raw
        self.size_increment_raw = self.size_increment.raw
        self.lot_size = _qty_arg(lot_size, size_precision, "lot_size", owner)
        self.multiplier = multiplier
        self.min_quantity = _qty_arg(min_quantity, size_precision, "min_quantity", owner)
        self.max_quantity = _qty_arg(max_quantity, size_precision, "max_quantity", owner)
        if self.min_quantity is not None and self.max_quantity is not None and self.min_quantity > self.max_quantity:
            raise ValueError(f"invalid {owner}.min_quantity {self.min_quantity}: above max_quantity {self.max_quantity}")
        self.min_notional = _money_arg(min_notional, self.quote_currency, "min_notional", owner)
        self.max_notional = _money_arg(max_notional, self.quote_currency, "max_notional", owner)
        self.min_price = _price_arg(min_price, price_precision, "min_price", owner)
        self.max_price = _price_arg(max_price, price_precision, "max_price", owner)
        self.margin_init = margin_init
        self.margin_maint = margin_maint
        self.maker_fee = maker_fee
        self.taker_fee = taker_fee
        self.ts_event = ts_event
        self.ts_init = ts_init

    cpdef Price make_price(self, double value):
        """Round ``value`` to the nearest tick (price_increment) at the instrument's precision."""
        if not isfinite(value):
            raise ValueError(f"invalid price {value!r} for {self.id}: not a finite number")
        cdef double ticks = nearbyint(value * 1e9 / <double>self.price_increment_raw)
        cdef int64_t raw = <int64_t>ticks * self.price_increment_raw
        return Price.from_raw_c(raw, self.price_precision)

    cpdef Quantity make_qty(self, double value, bint round_down=False):
        """Round ``value`` to the size increment (nearest, or down with ``round_down``); >= 0."""
        if not isfinite(value) or value < 0:
            raise ValueError(f"invalid quantity {value!r} for {self.id}: must be finite and >= 0")
        cdef double steps = value * 1e9 / <double>self.size_increment_raw
        # 1e-9 guards against 2.9999999999 -> 2 when rounding down a value that is really 3
        steps = floor(steps + 1e-9) if round_down else nearbyint(steps)
        return Quantity.from_raw_c(<int64_t>steps * self.size_increment_raw, self.size_precision)

    cpdef double notional_value(self, double quantity, double price):
        """Notional in the settlement/quote currency: qty*price*multiplier (inverse: qty*multiplier/price)."""
        if self.is_inverse:
            return quantity * self.multiplier / price
        return quantity * price * self.multiplier

    def __eq__(self, other):
        if isinstance(other, Instrument):
            return self.id == (<Instrument>other).id
        return NotImplemented

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return (
            f"{type(self).__name__}(id={self.id.value}, price_precision={self.price_precision}, "
            f"size_precision={self.size_precision}, tick={self.price_increment}, "
            f"quote={self.quote_currency.code})"
        )


cdef class Equity(Instrument):
    """A listed share: ``Equity(InstrumentId.from_str("AAPL.XNAS"), price_precision=2, currency="USD")``.

    Size precision 0 (whole shares) unless given; multiplier 1.
    """

    def __init__(self, instrument_id, int price_precision=2, currency="USD", *, int size_precision=0,
                 price_increment=None, lot_size=None, min_quantity=None, max_quantity=None,
                 double margin_init=0.0, double margin_maint=0.0, double maker_fee=0.0, double taker_fee=0.0,
                 str isin=None, int64_t ts_event=0, int64_t ts_init=0):
        Instrument.__init__(
            self, instrument_id, instrument_class="SPOT", asset_class=AssetClass.EQUITY,
            quote_currency=currency, price_precision=price_precision, size_precision=size_precision,
            price_increment=price_increment, lot_size=lot_size, min_quantity=min_quantity,
            max_quantity=max_quantity, margin_init=margin_init, margin_maint=margin_maint,
            maker_fee=maker_fee, taker_fee=taker_fee, ts_event=ts_event, ts_init=ts_init,
        )
        self.isin = isin


cdef class CurrencyPair(Instrument):
    """A spot FX or crypto pair: base/quote, e.g. EUR/USD or BTC/USDT."""

    def __init__(self, instrument_id, base_currency, quote_currency, int price_precision, int size_precision,
                 *, price_increment=None, size_increment=None, lot_size=None, min_quantity=None,
                 max_quantity=None, min_notional=None, max_notional=None, min_price=None, max_price=None,
                 double margin_init=0.0, double margin_maint=0.0, double maker_fee=0.0,
                 double taker_fee=0.0, asset_class=None, int64_t ts_event=0, int64_t ts_init=0):
        base = _cur(base_currency, "base_currency", "CurrencyPair")
        if asset_class is None:
            asset_class = AssetClass.CRYPTOCURRENCY if base is not None and base.is_crypto else AssetClass.FX
        Instrument.__init__(
            self, instrument_id, instrument_class="SPOT", asset_class=int(asset_class),
            quote_currency=quote_currency, base_currency=base, price_precision=price_precision,
            size_precision=size_precision, price_increment=price_increment, size_increment=size_increment,
            lot_size=lot_size, min_quantity=min_quantity, max_quantity=max_quantity,
            min_notional=min_notional, max_notional=max_notional, min_price=min_price, max_price=max_price,
            margin_init=margin_init, margin_maint=margin_maint, maker_fee=maker_fee, taker_fee=taker_fee,
            ts_event=ts_event, ts_init=ts_init,
        )


cdef class CryptoPerpetual(Instrument):
    """A perpetual swap; linear (settles in quote, e.g. BTCUSDT) or inverse (settles in base)."""

    def __init__(self, instrument_id, base_currency, quote_currency, settlement_currency,
                 int price_precision, int size_precision, *, bint is_inverse=False, price_increment=None,
                 size_increment=None, double multiplier=1.0, lot_size=None, min_quantity=None,
                 max_quantity=None, min_notional=None, max_notional=None, min_price=None, max_price=None,
                 double margin_init=0.0, double margin_maint=0.0, double maker_fee=0.0,
                 double taker_fee=0.0, int64_t ts_event=0, int64_t ts_init=0):
        Instrument.__init__(
            self, instrument_id, instrument_class="PERPETUAL", asset_class=AssetClass.CRYPTOCURRENCY,
            quote_currency=quote_currency, base_currency=base_currency,
            settlement_currency=settlement_currency, is_inverse=is_inverse,
            price_precision=price_precision, size_precision=size_precision,
            price_increment=price_increment, size_increment=size_increment, multiplier=multiplier,
            lot_size=lot_size, min_quantity=min_quantity, max_quantity=max_quantity,
            min_notional=min_notional, max_notional=max_notional, min_price=min_price,
            max_price=max_price, margin_init=margin_init, margin_maint=margin_maint,
            maker_fee=maker_fee, taker_fee=taker_fee, ts_event=ts_event, ts_init=ts_init,
        )


cdef class FuturesContract(Instrument):
    """A dated future, e.g. ESU4 on XCME: tick 0.25, multiplier 50, USD."""

    def __init__(self, instrument_id, str underlying, currency, int price_precision, *,
                 price_increment=None, double multiplier=1.0, int size_precision=0, lot_size=None,
                 int64_t activation_ns=0, int64_t expiration_ns=0, min_quantity=None, max_quantity=None,
                 double margin_init=0.0, double margin_maint=0.0, double maker_fee=0.0,
                 double taker_fee=0.0, asset_class=AssetClass.INDEX, int64_t ts_event=0, int64_t ts_init=0):
        Instrument.__init__(
            self, instrument_id, instrument_class="FUTURE", asset_class=int(asset_class),
            quote_currency=currency, price_precision=price_precision, size_precision=size_precision,
            price_increment=price_increment, multiplier=multiplier, lot_size=lot_size,
            min_quantity=min_quantity, max_quantity=max_quantity, margin_init=margin_init,
            margin_maint=margin_maint, maker_fee=maker_fee, taker_fee=taker_fee,
            ts_event=ts_event, ts_init=ts_init,
        )
        if expiration_ns and activation_ns and expiration_ns <= activation_ns:
            raise ValueError(
                f"invalid FuturesContract.expiration_ns {expiration_ns}: not after activation_ns {activation_ns}"
            )
        self.underlying = underlying
        self.activation_ns = activation_ns
        self.expiration_ns = expiration_ns
