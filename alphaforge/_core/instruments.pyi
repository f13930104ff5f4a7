from alphaforge._core.currency import Currency, Money
from alphaforge._core.fixed import Price, Quantity
from alphaforge._core.identifiers import InstrumentId

class Instrument:
    id: InstrumentId
    raw_symbol: str
    asset_class: int
    instrument_class: str
    quote_currency: Currency
    base_currency: Currency | None
    settlement_currency: Currency
    is_inverse: bool
    price_precision: int
    size_precision: int
    price_increment: Price
    size_increment: Quantity
    lot_size: Quantity | None
    multiplier: float
    min_quantity: Quantity | None
    max_quantity: Quantity | None
    min_notional: Money | None
    max_notional: Money | None
    min_price: Price | None
    max_price: Price | None
    margin_init: float
    margin_maint: float
    maker_fee: float
    taker_fee: float
    ts_event: int
    ts_init: int
    def make_price(self, value: float) -> Price: ...
    def make_qty(self, value: float, round_down: bool = False) -> Quantity: ...
    def notional_value(self, quantity: float, price: float) -> float: ...
    def __hash__(self) -> int: ...

class Equity(Instrument):
    isin: str | None
    def __init__(
        self,
        instrument_id: InstrumentId | str,
        price_precision: int = 2,
        currency: Currency | str = "USD",
        *,
        size_precision: int = 0,
        price_increment: Price | float | str | None = None,
        lot_size: Quantity | float | None = None,
        min_quantity: Quantity | float | None = None,
        max_quantity: Quantity | float | None = None,
        margin_init: float = 0.0,
        margin_maint: float = 0.0,
        maker_fee: float = 0.0,
        taker_fee: float = 0.0,
        isin: str | None = None,
        ts_event: int = 0,
        ts_init: int = 0,
    ) -> None: ...

class CurrencyPair(Instrument):
    def __init__(
        self,
        instrument_id: InstrumentId | str,
        base_currency: Currency | str,
        quote_currency: Currency | str,
        price_precision: int,
        size_precision: int,
        *,
        price_increment: Price | float | str | None = None,
        size_increment: Quantity | float | str | None = None,
        lot_size: Quantity | float | None = None,
        min_quantity: Quantity | float | None = None,
        max_quantity: Quantity | float | None = None,
        min_notional: Money | float | str | None = None,
        max_notional: Money | float | str | None = None,
        min_price: Price | float | None = None,
        max_price: Price | float | None = None,
        margin_init: float = 0.0,
        margin_maint: float = 0.0,
        maker_fee: float = 0.0,
        taker_fee: float = 0.0,
        asset_class: int | None = None,
        ts_event: int = 0,
        ts_init: int = 0,
    ) -> None: ...

class CryptoPerpetual(Instrument):
    def __init__(
        self,
        instrument_id: InstrumentId | str,
        base_currency: Currency | str,
        quote_currency: Currency | str,
        settlement_currency: Currency | str,
        price_precision: int,
        size_precision: int,
        *,
        is_inverse: bool = False,
        price_increment: Price | float | str | None = None,
        size_increment: Quantity | float | str | None = None,
        multiplier: float = 1.0,
        lot_size: Quantity | float | None = None,
        min_quantity: Quantity | float | None = None,
        max_quantity: Quantity | float | None = None,
        min_notional: Money | float | str | None = None,
        max_notional: Money | float | str | None = None,
        min_price: Price | float | None = None,
        max_price: Price | float | None = None,
        margin_init: float = 0.0,
        margin_maint: float = 0.0,
        maker_fee: float = 0.0,
        taker_fee: float = 0.0,
        ts_event: int = 0,
        ts_init: int = 0,
    ) -> None: ...

class FuturesContract(Instrument):
    underlying: str
    activation_ns: int
    expiration_ns: int
    def __init__(
        self,
        instrument_id: InstrumentId | str,
        underlying: str,
        currency: Currency | str,
        price_precision: int,
        *,
        price_increment: Price | float | str | None = None,
        multiplier: float = 1.0,
        size_precision: int = 0,
        lot_size: Quantity | float | None = None,
        activation_ns: int = 0,
        expiration_ns: int = 0,
        min_quantity: Quantity | float | None = None,
        max_quantity: Quantity | float | None = None,
        margin_init: float = 0.0,
        margin_maint: float = 0.0,
        maker_fee: float = 0.0,
        taker_fee: float = 0.0,
        asset_class: int = 4,
        ts_event: int = 0,
        ts_init: int = 0,
    ) -> None: ...
