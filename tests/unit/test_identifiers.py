import os
import pickle
import subprocess
import sys

import pytest

from alphaforge._core.clock import TestClock
from alphaforge._core.order_factory import OrderFactory
from alphaforge.model import AccountId, ClientOrderId, InstrumentId, StrategyId, Symbol, TraderId, Venue


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


def _reference_id_hash(text: str) -> int:
    """The identifier hash written out independently: a value ending in a decimal number of 1-18
    digits without a leading zero hashes to mix(FNV-1a(head)) + number, any other value to
    mix(FNV-1a(value)); FNV-1a is 64-bit over the code points; the result is a signed 64-bit
    integer (-1 is reserved by CPython and becomes -2)."""
    mask = (1 << 64) - 1

    def mixed_fnv(s: str) -> int:
        h = 14695981039346656037
        for ch in s:
            h = ((h ^ ord(ch)) * 1099511628211) & mask
        h ^= h >> 31
        h = (h * 0x9E3779B97F4A7C15) & mask
        return h ^ (h >> 29)

    head = text.rstrip("0123456789")
    tail = text[len(head):]
    if tail and len(tail) <= 18 and (tail == "0" or not tail.startswith("0")):
        h = (mixed_fnv(head) + int(tail)) & mask
    else:
        h = mixed_fnv(text)
    signed = h - (1 << 64) if h >= 1 << 63 else h
    return -2 if signed == -1 else signed


@pytest.mark.parametrize("text", ["O-S-1", "BTCUSDT.BINANCE", "SIM-T123456789", "Ordre-été-7", "注文-42", "x",
                                  "S-001", "A0", "0", "12345", "T-" + "9" * 18, "T-1" + "0" * 18, "x٣"])
def test_identifier_hash_is_the_documented_function_of_the_value(text):
    cls = InstrumentId.from_str if "." in text else ClientOrderId
    assert hash(cls(text)) == _reference_id_hash(text)


def test_ids_numbered_in_sequence_hash_consecutively():
    """Ids that differ only in their number hash like ints: consecutive numbers, consecutive
    hashes (a dict keyed by them fills its table in order); leading zeros make a plain value."""
    ids = [ClientOrderId(f"O-EMA-{n}") for n in range(1, 1001)]
    h = [hash(c) for c in ids]
    assert all(b - a == 1 for a, b in zip(h, h[1:], strict=False))
    assert hash(ClientOrderId("O-EMA-07")) != h[6]
    assert len({hash(ClientOrderId(f"O-EMB-{n}")) for n in range(1, 1001)} & set(h)) < 5


def test_a_sequence_prefix_must_not_end_in_a_digit():
    from alphaforge._core.identifiers import SeqPrefix

    assert SeqPrefix("O-S1-").prefix == "O-S1-" and SeqPrefix("").prefix == ""
    with pytest.raises(ValueError, match="ends in a digit"):
        SeqPrefix("O-S1")


def test_identifier_hash_does_not_depend_on_the_hash_seed():
    code = "from alphaforge.model import ClientOrderId; print(hash(ClientOrderId('O-S-1')), hash('O-S-1'))"
    out = [subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                          capture_output=True, text=True, check=True).stdout.split() for seed in ("1", "2")]
    assert out[0][0] == out[1][0] == str(_reference_id_hash("O-S-1"))
    assert out[0][1] != out[1][1]       # str's own hash does change with the seed


@pytest.mark.parametrize("strategy", ["S-001", "Stratégie-1"])
def test_sequence_ids_hash_compare_and_format_like_ids_made_from_their_string(strategy):
    factory = OrderFactory(TraderId("TRADER-001"), StrategyId(strategy), TestClock(), initial_count=98)
    ids = [factory.generate_client_order_id() for _ in range(3)]     # numbers 99, 100, 101
    texts = [f"O-{strategy}-{n}" for n in (99, 100, 101)]
    # hashed before the string exists, then compared with ids made from the string
    assert [hash(c) for c in ids] == [_reference_id_hash(t) for t in texts]
    same = [ClientOrderId(t) for t in texts]
    assert ids == same and same == ids and ids[0] != ids[1] and ids[1] != same[2]
    assert {c: i for i, c in enumerate(same)}[ids[2]] == 2
    assert [c.value for c in ids] == texts and str(ids[1]) == texts[1]
    assert repr(ids[0]) == f"ClientOrderId('{texts[0]}')"
    assert sorted(ids, key=str) == sorted(same, key=str) and max(ids) == max(same)
    assert pickle.loads(pickle.dumps(ids[1])) == same[1]
    # two unformatted sequence ids of one prefix compare by number
    a, b = factory.generate_client_order_id(), factory.generate_client_order_id()
    assert a != b and a == a and a.value == f"O-{strategy}-102"
