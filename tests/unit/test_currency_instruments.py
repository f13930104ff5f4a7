import pytest

from alphaforge.model import (
    CryptoPerpetual,
    Currency,
    CurrencyPair,
    Equity,
    FuturesContract,
    InstrumentId,
    Money,
    Price,
    Quantity,
)


def test_currency_registry_and_types():
    usd = Currency.from_str("USD")
    assert usd.precision == 2 and usd.is_fiat and not usd.is_crypto
    assert Currency.from_str("BTC").precision == 8 and Currency.from_str("BTC").is_crypto
    with pytest.raises(ValueError, match="unknown currency 'XYZ'"):
        Currency.from_str("XYZ")
    with pytest.raises(ValueError, match="invalid Currency precision"):
        Currency("ABC", 12)


def test_money_arithmetic_and_mismatch():
    a = Money.from_str("1000000 USD")
    b = Money(0.25, "USD")
    assert str(a + b) == "1000000.25 USD"
    assert (a - b).raw == 999_999_750_000_000
    with pytest.raises(ValueError, match="currency mismatch: USD and EUR"):
        a + Money(1, "EUR")
    with pytest.raises(ValueError, match="more decimals than USD precision 2"):
        Money.from_str("1.001 USD")
    with pytest.raises(ValueError, match="expected '<amount> <CURRENCY>'"):
        Money.from_str("100")


def test_equity_acceptance_signature_and_rounding():
    eq = Equity(InstrumentId.from_str("TEST.SIM"), price_precision=2, currency="USD")
    assert eq.price_increment == Price.from_str("0.01")
    assert eq.size_increment == Quantity.from_str("1")
    assert eq.make_price(101.234) == Price.from_str("101.23")
    assert eq.make_price(101.235).precision == 2
    assert eq.make_qty(3.6) == Quantity.from_str("4")
    assert eq.make_qty(3.6, round_down=True) == Quantity.from_str("3")
    assert eq.notional_value(10, 101.5) == 1015.0


def test_futures_tick_and_multiplier():
    es = FuturesContract("ESU4.XCME", "ES", "USD", 2, price_increment="0.25", multiplier=50.0)
    assert es.make_price(5528.6) == Price.from_str("5528.50")
    assert es.make_price(5528.63) == Price.from_str("5528.75")
    assert es.notional_value(2, 5528.75) == 2 * 5528.75 * 50


def test_pairs_and_perpetuals():
    pair = CurrencyPair("BTCUSDT.BINANCE", "BTC", "USDT", 2, 5, maker_fee=0.001, taker_fee=0.001)
    assert pair.base_currency.code == "BTC" and pair.quote_currency.code == "USDT"
    assert pair.make_qty(0.123456, round_down=True) == Quantity.from_str("0.12345")
    inv = CryptoPerpetual("BTCUSD-PERP.BINANCE", "BTC", "USD", "BTC", 1, 0, is_inverse=True, multiplier=100)
    assert inv.settlement_currency.code == "BTC"
    assert inv.notional_value(10, 50_000.0) == pytest.approx(10 * 100 / 50_000.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"price_precision": 10}, "Equity.price_precision 10"),
        ({"price_precision": 2, "taker_fee": 1.5}, "Equity.taker_fee"),
        ({"price_precision": 2, "price_increment": "0.001"}, "finer than price_precision 2"),
        ({"price_precision": 2, "currency": "XYZ"}, "Equity.quote_currency"),
    ],
)
def test_instrument_validation_names_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Equity(InstrumentId.from_str("BAD.SIM"), **kwargs)
