"""Price / Quantity fixed-point behaviour, checked against Python's decimal module."""

import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alphaforge.model import Price, Quantity


def test_exact_addition_keeps_precision():
    assert Price.from_str("0.1") + Price.from_str("0.2") == Price.from_str("0.3")
    total = Price.from_str("0.1") + Price.from_str("0.25")
    assert str(total) == "0.35" and total.precision == 2


def test_constructors_agree():
    a = Price(1.2345, precision=4)
    b = Price.from_str("1.2345")
    c = Price.from_raw(1_234_500_000, 4)
    assert a == b == c
    assert a.raw == 1_234_500_000 and a.precision == 4
    assert str(a) == "1.2345" and float(a) == 1.2345
    assert hash(a) == hash(b) == hash(c)


def test_str_is_exact_decimal_with_precision():
    assert str(Price(100, 2)) == "100.00"
    assert str(Price.from_str("-0.05")) == "-0.05"
    assert str(Price.from_raw(-1, 9)) == "-0.000000001"
    assert str(Quantity.from_str("0.00000001")) == "0.00000001"
    assert str(Price.from_str("9200000000")) == "9200000000"


def test_equal_values_with_different_precision_compare_equal():
    assert Price.from_str("1.0") == Price.from_str("1.00")
    assert hash(Price.from_str("1.0")) == hash(Price.from_str("1.00"))
    assert Price.from_str("1.01") > Price.from_str("1.0")
    assert Price.from_str("1.5") < 2 and Price.from_str("1.5") == 1.5


@pytest.mark.parametrize(
    "value, message",
    [
        (float("nan"), "nan: not a finite number"),
        (float("inf"), "inf: not a finite number"),
        (1e10, "out of range"),
        (1.23456, "more decimals than precision 4"),
    ],
)
def test_bad_float_values_raise_naming_the_value(value, message):
    with pytest.raises(ValueError, match=message):
        Price(value, 4)


def test_bad_strings_and_precisions():
    with pytest.raises(ValueError, match="'abc': not a decimal number"):
        Price.from_str("abc")
    with pytest.raises(ValueError, match="more than 9 decimals"):
        Price.from_str("1.0000000001")
    with pytest.raises(ValueError, match="precision 10"):
        Price(1.0, 10)
    with pytest.raises(ValueError, match="more decimals than precision 2"):
        Price.from_raw(1_234_000_000, 2)
    with pytest.raises(ValueError, match="out of range"):
        Price.from_str("99999999999")


def test_quantity_is_never_negative():
    with pytest.raises(ValueError, match="must not be negative"):
        Quantity(-1.0, 0)
    with pytest.raises(ValueError, match="must not be negative"):
        Quantity.from_str("-3")
    with pytest.raises(ValueError, match="must not be negative"):
        Quantity.from_raw(-1, 9)
    with pytest.raises(ValueError, match="would be negative"):
        Quantity.from_str("1") - Quantity.from_str("2")
    assert Quantity.from_str("2.5") - Quantity.from_str("1") == Quantity.from_str("1.5")


def test_float_noise_is_tolerated_but_real_decimals_are_not():
    assert Price(0.1 + 0.2, 1) == Price.from_str("0.3")
    assert Quantity(3 * 1.1, 2) == Quantity.from_str("3.30")


def test_scientific_notation_string():
    q = Quantity.from_str("1.5e-3")
    assert q.raw == 1_500_000 and q.precision == 4


def test_mul_div_give_floats():
    assert Price.from_str("2.5") * Quantity.from_str("4") == 10.0
    assert Price.from_str("3") / 2 == 1.5


def test_pickle_round_trip():
    p = Price.from_str("123.456")
    q = Quantity.from_str("7.25")
    assert pickle.loads(pickle.dumps(p)) == p and pickle.loads(pickle.dumps(p)).precision == 3
    assert pickle.loads(pickle.dumps(q)) == q


decimals = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4,
                       allow_nan=False, allow_infinity=False)


@given(decimals, decimals)
def test_addition_matches_decimal(a, b):
    pa, pb = Price.from_str(f"{a:.4f}"), Price.from_str(f"{b:.4f}")
    assert (pa + pb).as_decimal() == a + b
    assert (pa - pb).as_decimal() == a - b
    assert str(pa + pb) == f"{a + b:.4f}"
    assert (pa < pb) == (a < b)


def test_precision_check_without_division_agrees_with_modulo():
    """Price.from_raw's "no more decimals than the precision" test multiplies by the inverse of 5^k
    instead of dividing; compare it with Python's % on edge values and random raws."""
    import random

    rng = random.Random(7)
    int64_min, int64_max = -(1 << 63), (1 << 63) - 1
    raws = [0, 1, -1, 10, -10, int64_max, int64_min, int64_min + 1, 5 ** 27, 2 ** 62, -(2 ** 62)]
    for k in range(10):
        unit = 10 ** k
        raws += [unit, -unit, unit * 3, unit + 1, unit - 1, unit * 5 ** 5, unit * 2 ** 20, unit // 2,
                 unit * 7 + unit // 5, (int64_max // unit) * unit, (int64_min // unit) * unit]
    raws += [rng.randrange(int64_min, int64_max) for _ in range(3000)]
    raws += [rng.randrange(-10 ** 12, 10 ** 12) * 10 ** rng.randrange(0, 10) for _ in range(3000)]
    checked = 0
    for raw in raws:
        if not int64_min <= raw <= int64_max:
            continue
        for precision in range(10):
            fits = raw % 10 ** (9 - precision) == 0
            if fits:
                assert Price.from_raw(raw, precision).raw == raw
            else:
                with pytest.raises(ValueError, match="more decimals"):
                    Price.from_raw(raw, precision)
            checked += 1
    assert checked > 50_000
