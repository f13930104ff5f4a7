"""Market-data views, dtypes and columnar bridges."""

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from alphaforge.model import (
    BAR_DTYPE,
    ORDER_BOOK_DELTA_DTYPE,
    QUOTE_TICK_DTYPE,
    TRADE_TICK_DTYPE,
    AggressorSide,
    Bar,
    BarAggregation,
    BarSpecification,
    BarType,
    BookAction,
    InstrumentId,
    OrderBookDelta,
    OrderSide,
    Price,
    PriceType,
    Quantity,
    QuoteTick,
    TradeId,
    TradeTick,
    bars_from_arrays,
    deltas_from_arrays,
    from_frame,
    quotes_from_arrays,
    to_pandas,
    trades_from_arrays,
)
from alphaforge.model import enums as py_enums

IID = InstrumentId.from_str("BTCUSDT.BINANCE")


def test_record_sizes_match_c_structs():
    assert TRADE_TICK_DTYPE.itemsize == 48
    assert QUOTE_TICK_DTYPE.itemsize == 56
    assert BAR_DTYPE.itemsize == 64
    assert ORDER_BOOK_DELTA_DTYPE.itemsize == 64


def test_c_enums_match_python_enums():
    pxd = (Path(__file__).resolve().parents[2] / "alphaforge" / "_core" / "enums.pxd").read_text()
    pairs = dict(re.findall(r"^\s+([A-Z_]+) = (\d+)", pxd, re.M))
    assert int(pairs["SIDE_BUY"]) == py_enums.OrderSide.BUY
    assert int(pairs["SIDE_SELL"]) == py_enums.OrderSide.SELL
    assert int(pairs["AGGRESSOR_SELLER"]) == py_enums.AggressorSide.SELLER
    for action in py_enums.BookAction:
        assert int(pairs[f"ACTION_{action.name}"]) == action
    for agg in py_enums.BarAggregation:
        assert int(pairs[f"AGG_{agg.name}"]) == agg
    for pt in py_enums.PriceType:
        assert int(pairs[f"PRICE_{pt.name}"]) == pt
    for flag in py_enums.RecordFlag:
        assert int(pairs[f"FLAG_{flag.name}"]) == flag


def test_enum_class_attributes_resolve_like_enum_type():
    """The public enums' metaclass looks attributes up like ``type`` on 3.11 (no ``__getattr__``
    hook): every member, method and enum attribute still resolves, a missing name still raises."""
    import enum
    import pickle

    classes = [c for c in vars(py_enums).values()
               if isinstance(c, type) and issubclass(c, enum.IntEnum) and c is not enum.IntEnum]
    assert len(classes) == 21
    for cls in classes:
        assert isinstance(cls, py_enums._EnumType) and issubclass(py_enums._EnumType, enum.EnumType)
        for name, member in cls.__members__.items():
            assert getattr(cls, name) is member is cls[name] is cls(member.value)
            assert pickle.loads(pickle.dumps(member)) is member
        assert cls._member_names_ == list(cls.__members__)
        with pytest.raises(AttributeError, match="NOT_A_MEMBER"):
            cls.NOT_A_MEMBER  # noqa: B018
        with pytest.raises(AttributeError):
            cls.__not_a_dunder__  # noqa: B018
    assert py_enums.OrderSide.parse("sell") is py_enums.OrderSide.SELL
    assert py_enums.OrderSide.BUY.name == "BUY" and py_enums.OrderSide.BUY.value == 1
    if sys.version_info < (3, 12):
        # EnumType.__getattr__ would raise AttributeError(name); type's own lookup says more,
        # so this message shows the hook is out of the metaclass's slot
        with pytest.raises(AttributeError, match="type object 'OrderSide' has no attribute 'NOT_A_MEMBER'"):
            py_enums.OrderSide.NOT_A_MEMBER  # noqa: B018


def test_trade_tick_view_and_record_round_trip():
    t = TradeTick(IID, Price.from_str("61837.63"), Quantity.from_str("0.00140"), AggressorSide.SELLER,
                  TradeId("3717238061"), 1_723_161_254_088_000_000, 1_723_161_254_090_000_000)
    assert t.price == Price.from_str("61837.63") and t.size.precision == 5
    assert t.aggressor_side == AggressorSide.SELLER and t.trade_id.value == "3717238061"
    rec = t.to_record()
    assert rec.dtype == TRADE_TICK_DTYPE
    assert rec["price"][0] == 61_837_630_000_000 and rec["trade_id"][0] == 3717238061
    assert rec["instrument_id"][0] == IID.index
    back = TradeTick.from_record(rec)
    assert back == t and back.instrument_id is IID


def test_trade_tick_rejects_bad_side():
    with pytest.raises(ValueError, match="aggressor_side 7"):
        TradeTick(IID, Price.from_str("1"), Quantity.from_str("1"), 7, "1", 0, 0)


def test_quote_tick_and_mid():
    q = QuoteTick(IID, Price.from_str("100.01"), Price.from_str("100.02"), Quantity.from_str("1.5"),
                  Quantity.from_str("2.0"), 10, 11)
    assert q.extract_price(PriceType.MID) == Price.from_str("100.015")
    assert q.extract_price("BID") == Price.from_str("100.01")
    assert QuoteTick.from_record(q.to_record()) == q
    with pytest.raises(ValueError, match="precision 3 differs"):
        QuoteTick(IID, Price.from_str("1.00"), Price.from_str("1.001"), Quantity.from_str("1"),
                  Quantity.from_str("1"), 0, 0)


def test_bar_type_parse_and_interning():
    bt = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    assert bt.instrument_id is IID
    assert bt.spec == BarSpecification(1, BarAggregation.MINUTE, PriceType.LAST)
    assert bt.spec.timedelta_ns() == 60_000_000_000
    assert bt.is_externally_aggregated and BarType.from_index(bt.index) is bt
    dashed = BarType.from_str("BTC-PERP.FTX-5-SECOND-MID-INTERNAL")
    assert dashed.instrument_id.value == "BTC-PERP.FTX" and dashed.is_internally_aggregated
    assert str(BarType.from_str("ES.XCME-1000-TICK-LAST")) == "ES.XCME-1000-TICK-LAST-EXTERNAL"
    with pytest.raises(ValueError, match="invalid BarType"):
        BarType.from_str("BTCUSDT.BINANCE-1-FORTNIGHT-LAST-EXTERNAL")
    with pytest.raises(ValueError, match="not a time aggregation"):
        BarSpecification.from_str("100-TICK-LAST").timedelta_ns()


def test_bar_validation_names_field():
    bt = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    b = Bar(bt, "10.0", "12.0", "9.5", "11.0", "100", 60_000_000_000, 60_000_000_000)
    assert b.high == Price.from_str("12.0") and b.volume == Quantity.from_str("100")
    assert Bar.from_record(b.to_record()) == b
    with pytest.raises(ValueError, match="Bar.high 10.5: below"):
        Bar(bt, "10.0", "10.5", "9.5", "11.0", "1", 0, 0)
    with pytest.raises(ValueError, match="Bar.low 10.5: above"):
        Bar(bt, "10.0", "12.0", "10.5", "11.0", "1", 0, 0)


def test_order_book_delta_view():
    d = OrderBookDelta(IID, BookAction.ADD, OrderSide.BUY, Price.from_str("100.5"), Quantity.from_str("3"),
                       order_id=42, flags=128, sequence=7, ts_event=5)
    r = d.to_record()
    assert r["action"][0] == 1 and r["side"][0] == 1 and r["order_id"][0] == 42 and r["flags"][0] == 128
    assert OrderBookDelta.from_record(r) == d
    with pytest.raises(ValueError, match="BUY or SELL required"):
        OrderBookDelta(IID, "ADD", 0, "1", "1")


def test_trades_from_arrays_values():
    ts = np.array([1, 2, 3], dtype=np.int64)
    recs = trades_from_arrays(ts, [100.25, 100.5, 99.75], [1.5, 2.0, 0.25], price_precision=2,
                              size_precision=2, aggressor_side=[1, 2, 1], trade_id=[10, 11, 12],
                              instrument_id=IID)
    assert recs["price"].tolist() == [100_250_000_000, 100_500_000_000, 99_750_000_000]
    assert recs["size"].tolist() == [1_500_000_000, 2_000_000_000, 250_000_000]
    assert recs["ts_init"].tolist() == [1, 2, 3]
    assert TradeTick.from_record(recs, 1).price == Price.from_str("100.50")
    assert TradeTick.from_record(recs, -1).trade_id.value == "12"


@pytest.mark.parametrize(
    "price, size, match",
    [
        ([1.0, float("nan")], [1.0, 1.0], "trade record 1: field 'price' .* not a finite number"),
        ([1.0, 1.005], [1.0, 1.0], "trade record 1: field 'price' .* more decimals"),
        ([1.0, 1.0], [1.0, -2.0], "trade record 1: field 'size' .* negative"),
        ([1.0, 2e10], [1.0, 1.0], "trade record 1: field 'price' .* out of range"),
    ],
)
def test_trades_from_arrays_bad_rows_named(price, size, match):
    with pytest.raises(ValueError, match=match):
        trades_from_arrays([1, 2], price, size, price_precision=2, size_precision=0)


def test_bars_quotes_deltas_from_arrays():
    bt = BarType.from_str("TEST.SIM-1-MINUTE-LAST-EXTERNAL")
    bars = bars_from_arrays([60, 120], [1.0, 2.0], [2.0, 3.0], [0.5, 1.5], [1.5, 2.5], None,
                            bar_type=bt, price_precision=2)
    assert bars["close"].tolist() == [1_500_000_000, 2_500_000_000] and bars["volume"].tolist() == [0, 0]
    assert Bar.from_record(bars, 0).bar_type is bt
    with pytest.raises(ValueError, match="bar record 1: field 'high'"):
        bars_from_arrays([60, 120], [1.0, 2.0], [2.0, 1.9], [0.5, 1.5], [1.5, 1.8], price_precision=2)
    # conversion errors name the row and field, in either build path (decimal or raw columns)
    with pytest.raises(ValueError, match="bar record 1: field 'close' value nan is not a finite number"):
        bars_from_arrays([60, 120], [1.0, 2.0], [2.0, 3.0], [0.5, 1.5], [1.5, float("nan")], price_precision=2)
    with pytest.raises(ValueError, match="bar record 0: field 'low' value 0.505 is more decimals than the precision allows"):
        bars_from_arrays([60, 120], [1.0, 2.0], [2.0, 3.0], [0.505, 1.5], [1.5, 2.5], price_precision=2)
    with pytest.raises(ValueError, match="bar record 1: field 'volume'"):
        bars_from_arrays([60, 120], [1.0, 2.0], [2.0, 3.0], [0.5, 1.5], [1.5, 2.5], [1.0, -1.0], price_precision=2)
    with pytest.raises(ValueError, match="bar record 1: field 'high'"):
        bars_from_arrays([60, 120], [10**8, 2 * 10**8], [2 * 10**8, 10**8], [10**8, 10**8], [10**8, 10**8],
                         price_precision=2, raw=True)
    quotes = quotes_from_arrays([1], [86.836], [86.836], price_precision=3)
    assert quotes["bid_size"][0] == 0 and quotes["ask_price"][0] == 86_836_000_000
    deltas = deltas_from_arrays([1, 2], [1, 3], [1, 2], [10.5, 11.0], [3.0, 0.0], order_id=[5, 6],
                                price_precision=1, size_precision=0)
    assert deltas["action"].tolist() == [1, 3] and deltas["order_id"].tolist() == [5, 6]
    with pytest.raises(ValueError, match="delta record 0: field 'action' value 9"):
        deltas_from_arrays([1], [9], [1], [1.0], [1.0], price_precision=1, size_precision=0)


def test_from_frame_pandas_arrow_and_dict_agree():
    ts = pd.to_datetime(["2024-01-01 00:01", "2024-01-01 00:02"], utc=True)
    df = pd.DataFrame({"ts_event": ts, "price": [10.5, 10.75], "size": [1.0, 2.0]})
    a = from_frame("trades", df, price_precision=2, size_precision=0)
    b = from_frame("trades", pa.Table.from_pandas(df), price_precision=2, size_precision=0)
    c = from_frame("trades", {"ts_ns": ts.as_unit("ns").asi8, "price": [10.5, 10.75], "size": [1.0, 2.0]},
                   price_precision=2, size_precision=0)
    assert (a == b).all() and (a == c).all()
    assert a["ts_event"][0] == 1_704_067_260_000_000_000
    indexed = df.set_index("ts_event")
    assert (from_frame("trades", indexed, price_precision=2, size_precision=0) == a).all()
    with pytest.raises(ValueError, match="missing column 'size'"):
        from_frame("trades", df.drop(columns=["size"]), price_precision=2, size_precision=0)


def test_to_pandas_for_humans():
    recs = trades_from_arrays([1_704_067_260_000_000_000], [10.5], [2.0], price_precision=2, size_precision=0,
                              instrument_id=IID)
    df = to_pandas(recs)
    assert df["price"].tolist() == [10.5] and df["size"].tolist() == [2.0]
    assert str(df["ts_event"].iloc[0]) == "2024-01-01 00:01:00+00:00"
    assert list(df["instrument_id"]) == ["BTCUSDT.BINANCE"]
