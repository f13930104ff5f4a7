import pickle

import pytest

from alphaforge.model import AccountId, InstrumentId, StrategyId, Symbol, TraderId, Venue


def test_instrument_id_parse_and_parts():
    iid = InstrumentId.from_str("BTCUSDT.BINANCE")
    assert iid.symbol == Symbol("BTCUSDT") and iid.venue == Venue("BINANCE")
    assert str(iid) == "BTCUSDT.BINANCE"
    # symbols may themselves contain dots: the venue is after the last one
    brk = InstrumentId.from_str("BRK.B.XNYS")
    assert brk.symbol.value == "BRK.B" and brk.venue.value == "XNYS"


def test_interning_gives_stable_index_and_identity():
    a = InstrumentId.from_str("ETHUSDT.BINANCE")
    b = InstrumentId(Symbol("ETHUSDT"), Venue("BINANCE"))
    assert a == b and hash(a) == hash(b) and a.index == b.index >= 1
    assert InstrumentId.from_index(a.index) is a
    with pytest.raises(KeyError):
        InstrumentId.from_index(0)


@pytest.mark.parametrize(
    "text, reason",
    [("BTCUSDT", "missing '.'"), (".BINANCE", "empty symbol"), ("BTC.", "empty venue"),
     ("BTC USDT.X", "whitespace"), ("", "empty string")],
)
def test_malformed_instrument_ids(text, reason):
    with pytest.raises(ValueError, match=reason):
        InstrumentId.from_str(text)


def test_other_ids_validate():
    with pytest.raises(ValueError, match="'NAME-TAG'"):
        TraderId("TRADER")
    with pytest.raises(ValueError, match="ISSUER-NUMBER"):
        AccountId("SIM")
    assert AccountId("SIM-001").issuer == "SIM"
    with pytest.raises(ValueError, match="must not contain '.'"):
        Venue("A.B")
    with pytest.raises(TypeError):
        StrategyId(123)  # type: ignore[arg-type]


def test_different_id_types_are_not_equal_and_pickle():
    assert StrategyId("X-1") != TraderId("X-1")
    iid = InstrumentId.from_str("AAPL.XNAS")
    assert pickle.loads(pickle.dumps(iid)) is iid
    assert sorted([StrategyId("b-1"), StrategyId("a-1")])[0].value == "a-1"
