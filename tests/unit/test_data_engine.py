"""DataEngine: validation (raise/skip) per instrument stream, internal bar aggregation, clock-driven
closes, order books, cache forwarding, bus publishing and statistics - values checked against
hand-worked examples and plain-Python/pandas references written here."""

import numpy as np
import pandas as pd
import pytest

from alphaforge._core.columnar import bars_from_arrays, quotes_from_arrays, trades_from_arrays
from alphaforge._core.data import BarType
from alphaforge._core.instruments import CryptoPerpetual
from alphaforge._core.records import ORDER_BOOK_DELTA_DTYPE, TRADE_TICK_DTYPE
from alphaforge.common import MessageBus
from alphaforge.data.engine import DataEngine, DataError

S = 1_000_000_000
MIN = 60 * S
T0 = 1_700_000_040 * S  # a minute boundary (2023-11-14 22:14:00 UTC)
BTC = "BTCUSDT.BINANCE"
ETH = "ETHUSDT.BINANCE"


@pytest.fixture(scope="module")
def btc():
    return CryptoPerpetual(BTC, "BTC", "USDT", "USDT", 2, 3)


@pytest.fixture(scope="module")
def eth():
    return CryptoPerpetual(ETH, "ETH", "USDT", "USDT", 2, 4)


def engine(*instruments, validation="raise", **kw):
    e = DataEngine(MessageBus(), validation=validation, **kw)
    for i in instruments:
        e.add_instrument(i)
    return e


def trades(inst, ts, px, sz, side=None):
    return trades_from_arrays(np.asarray(ts, dtype=np.int64), np.asarray(px, dtype=float),
                              np.asarray(sz, dtype=float), price_precision=inst.price_precision,
                              size_precision=inst.size_precision, aggressor_side=side, instrument_id=inst.id)


def quotes(inst, ts, bid, ask, bsz, asz):
    return quotes_from_arrays(np.asarray(ts, dtype=np.int64), np.asarray(bid, float), np.asarray(ask, float),
                              np.asarray(bsz, float), np.asarray(asz, float), price_precision=inst.price_precision,
                              size_precision=inst.size_precision, instrument_id=inst.id)


# ------------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------------

def bad_trades(btc):
    """Six trades, records 1..5 each broken in one field (raw values set directly)."""
    a = trades(btc, [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5], [100.0] * 6, [1.0] * 6)
    a["ts_event"][1] = T0 - 1                    # backwards
    a["price"][2] = 0                            # not positive
    a["size"][3] = -1_000_000                    # negative
    a["price"][4] = 100 * S + 1_000_000          # 100.001 at precision 2
    a["size"][5] = 1_000_000 + 1                 # 0.001000001 at precision 3
    return a


@pytest.mark.parametrize("row, field, reason", [
    (1, "ts_event", "ts_backwards"), (2, "price", "non_positive_price"), (3, "size", "negative_size"),
    (4, "price", "price_precision"), (5, "size", "size_precision"),
])
def test_trade_validation_raises_naming_record_and_field(btc, row, field, reason):
    a = bad_trades(btc)
    keep = np.ones(len(a), bool)
    keep[1:] = False
    keep[row] = True
    e = engine(btc)
    with pytest.raises(DataError) as ei:
        e.process(a[keep])
    err = ei.value
    assert (err.kind, err.instrument_id, err.index, err.field, err.reason) == ("trade", BTC, 1, field, reason)
    assert f"trade record 1 for {BTC}: field '{field}'" in str(err)
    assert e.statistics()["processed"]["trades"] == 1


def test_unknown_instrument(btc, eth):
    e = engine(btc)
    a = trades(eth, [T0], [10.0], [1.0])
    with pytest.raises(DataError, match="field 'instrument_id'") as ei:
        e.process(a)
    assert ei.value.reason == "unknown_instrument" and ei.value.index == 0
    with pytest.raises(KeyError, match="add_instrument"):
        e.subscribe_trades(ETH, print)


def test_skip_policy_counts_every_reason(btc):
    e = engine(btc, validation="skip")
    a = bad_trades(btc)
    assert e.process(a) == 1
    st = e.statistics()
    assert st["processed"]["trades"] == 1
    assert st["rejected"]["trades"] == {"ts_backwards": 1, "non_positive_price": 1, "negative_size": 1,
                                        "price_precision": 1, "size_precision": 1}
    assert st["rejected_total"] == 5
    # the accepted record is the latest trade; the stream's clock was not moved by rejected ones
    assert e.last_trade(BTC).ts_event == T0
    good = trades(btc, [T0 + 1], [101.0], [2.0])
    assert e.process(good) == 1 and e.last_trade(BTC).price.raw == 101 * S


def test_streams_are_per_instrument_and_type(btc, eth):
    e = engine(btc, eth)
    e.process(trades(btc, [T0 + 10], [100.0], [1.0]))
    e.process(trades(eth, [T0 + 5], [10.0], [1.0]))                   # other instrument: fine
    e.process(quotes(btc, [T0 + 1], [99.0], [101.0], [1.0], [1.0]))   # other type: fine
    with pytest.raises(DataError, match="ts_event"):
        e.process(trades(btc, [T0 + 9], [100.0], [1.0]))
    assert e.statistics()["processed"] == {"quotes": 1, "trades": 2, "bars": 0, "deltas": 0}


@pytest.mark.parametrize("field, value, reason", [
    ("bid_price", -1 * S, "non_positive_price"), ("ask_price", 0, "non_positive_price"),
    ("bid_size", -S, "negative_size"), ("ask_size", 1, "size_precision"), ("ask_price", 101 * S + 1, "price_precision"),
])
def test_quote_validation(btc, field, value, reason):
    q = quotes(btc, [T0, T0 + 1], [99.0, 99.0], [101.0, 101.0], [1.0, 1.0], [1.0, 1.0])
    q[field][1] = value
    with pytest.raises(DataError) as ei:
        engine(btc).process(q)
    assert (ei.value.kind, ei.value.index, ei.value.field, ei.value.reason) == ("quote", 1, field, reason)
    e = engine(btc, validation="skip")
    assert e.process(q) == 1 and e.statistics()["rejected"]["quotes"] == {reason: 1}


def test_delta_validation_and_book(btc):
    # L2: bids 100.00 x1, 99.50 x2; asks 100.50 x3; then update, delete, bad rows
    d = np.zeros(7, ORDER_BOOK_DELTA_DTYPE)
    d["ts_event"] = [T0, T0, T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4]
    d["action"] = [1, 1, 1, 2, 3, 1, 9]                 # add, add, add, update, delete, add, (bad)
    d["side"] = [1, 1, 2, 1, 1, 1, 1]
    d["price"] = np.array([10000, 9950, 10050, 10000, 9950, 9800, 9800]) * 10_000_000
    d["size"] = np.array([1000, 2000, 3000, 4000, 0, 1000, 1000]) * 1_000_000
    d["instrument_id"] = btc.id.index
    d["price_prec"], d["size_prec"] = 2, 3
    d["price"][5] = -98 * S
    e = engine(btc, validation="skip")
    book = e.subscribe_book_deltas(BTC)
    got = []
    e.subscribe_book_deltas(BTC, got.append)
    assert e.process(d) == 5
    assert e.statistics()["rejected"]["deltas"] == {"non_positive_price": 1, "bad_enum": 1}
    assert book is e.book(BTC)
    assert book.best_bid_price_raw() == 100 * S and book.best_ask_price_raw() == 100_500_000_000
    assert book.best_bid_size_raw() == 4 * S and book.best_ask_size_raw() == 3 * S
    assert len(got) == 5 and got[3].size.raw == 4 * S
    with pytest.raises(DataError, match="field 'action'"):
        engine(btc).process(d[6:])


def test_bar_validation(btc):
    bt = BarType.from_str(f"{BTC}-1-MINUTE-LAST-EXTERNAL")
    b = bars_from_arrays(np.array([T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]), np.array([1.0, 2.0, 3.0]),
                         np.array([2.0, 3.0, 4.0]), np.array([0.5, 1.5, 2.5]), np.array([1.5, 2.5, 3.5]),
                         np.array([10.0, 20.0, 30.0]), bar_type=bt, price_precision=2, size_precision=3)
    b["low"][1] = 3_500_000_000   # low above high
    with pytest.raises(DataError) as ei:
        engine(btc).process(b)
    assert (ei.value.kind, ei.value.index, ei.value.field, ei.value.reason) == ("bar", 1, "low", "bad_bar")
    assert ei.value.instrument_id == str(bt)
    e = engine(btc, validation="skip")
    got = []
    e.subscribe_bars(bt, got.append)
    assert e.process(b) == 2
    assert [x.close.raw for x in got] == [1_500_000_000, 3_500_000_000]
    assert e.last_bar(bt).ts_event == T0 + 3 * MIN


# ------------------------------------------------------------------------------------------------
# Aggregation inside the engine
# ------------------------------------------------------------------------------------------------

def random_trades(inst, n, seed):
    rng = np.random.default_rng(seed)
    ts = T0 + np.cumsum(rng.exponential(3 * S, n).astype(np.int64))
    px = np.round(100 + np.cumsum(rng.choice([-0.01, 0, 0.01], n)), 2)
    sz = rng.integers(1, 3000, n) / 1000
    side = rng.choice([1, 2], n)
    return trades(inst, ts, px, sz, side)


def test_internal_minute_bars_equal_pandas(btc):
    a = random_trades(btc, 3000, seed=1)
    e = engine(btc)
    got = []
    bt = f"{BTC}-1-MINUTE-LAST-INTERNAL"
    e.subscribe_bars(bt, got.append)
    e.process(a)
    e.on_time(e.next_close_ns())
    df = pd.DataFrame({"px": a["price"], "qty": a["size"]}, index=pd.to_datetime(a["ts_event"], unit="ns"))
    g = df.resample("1min", closed="left", label="right")
    ref = pd.DataFrame({"o": g["px"].first(), "h": g["px"].max(), "l": g["px"].min(), "c": g["px"].last(),
                        "v": g["qty"].sum(), "n": g["px"].count()})
    ref = ref[ref["n"] > 0]
    assert [b.ts_event for b in got] == pd.DatetimeIndex(ref.index).as_unit("ns").asi8.tolist()
    assert [(b.open.raw, b.high.raw, b.low.raw, b.close.raw, b.volume.raw) for b in got] == \
        [tuple(int(x) for x in r) for r in ref[["o", "h", "l", "c", "v"]].itertuples(index=False)]
    assert all(str(b.bar_type) == bt for b in got)
    st = e.statistics()
    assert st["bars_built"] == len(ref) and st["bars_built_by_type"] == {bt: len(ref)}


def test_time_bar_closes_on_clock_and_event_order(btc):
    e = engine(btc)
    log = []
    e.subscribe_bars(f"{BTC}-1-MINUTE-LAST-INTERNAL", lambda b: log.append(("bar", b.ts_event)))
    e.subscribe_trades(BTC, lambda t: log.append(("trade", t.ts_event)))
    e.process(trades(btc, [T0 + 5 * S], [100.0], [1.0]))
    assert e.next_close_ns() == T0 + MIN
    e.on_time(T0 + MIN - 1)
    assert log == [("trade", T0 + 5 * S)]
    e.on_time(T0 + MIN)                      # closes at the boundary with no further tick
    assert log[-1] == ("bar", T0 + MIN)
    # after a gap: the bar closing at T is published after the data stamped T (data before timers
    # at equal timestamps) and before any later data
    e.process(trades(btc, [T0 + 3 * MIN + 1], [101.0], [1.0]))
    e.process(trades(btc, [T0 + 4 * MIN], [102.0], [1.0]))
    assert log[-3:] == [("trade", T0 + 3 * MIN + 1), ("trade", T0 + 4 * MIN), ("bar", T0 + 4 * MIN)]
    e.process(trades(btc, [T0 + 5 * MIN + 1], [103.0], [1.0]))
    assert log[-2:] == [("bar", T0 + 5 * MIN), ("trade", T0 + 5 * MIN + 1)]


def test_two_time_aggregators_close_in_time_order(btc, eth):
    e = engine(btc, eth)
    log = []
    e.subscribe_bars(f"{BTC}-1-MINUTE-LAST-INTERNAL", lambda b: log.append((b.ts_event, "btc1m")))
    e.subscribe_bars(f"{ETH}-30-SECOND-LAST-INTERNAL", lambda b: log.append((b.ts_event, "eth30s")))
    e.process(trades(btc, [T0 + 1], [100.0], [1.0]))
    e.process(trades(eth, [T0 + 2], [10.0], [1.0]))
    e.process(trades(eth, [T0 + 40 * S], [10.5], [1.0]))
    e.on_time(T0 + 2 * MIN)
    # time order; equal close times in subscription order
    assert log == [(T0 + 30 * S, "eth30s"), (T0 + MIN, "btc1m"), (T0 + MIN, "eth30s")]


def test_tick_and_quote_bars_and_unsubscribe(btc):
    e = engine(btc)
    tick_bars, mid_bars = [], []
    e.subscribe_bars(f"{BTC}-2-TICK-LAST-INTERNAL", tick_bars.append)
    e.subscribe_bars(f"{BTC}-2-TICK-MID-INTERNAL", mid_bars.append)
    e.process(trades(btc, [T0, T0 + 1, T0 + 2, T0 + 3], [1.0, 3.0, 2.0, 5.0], [1.0, 1.0, 1.0, 2.0]))
    e.process(quotes(btc, [T0, T0 + 1], [99.0, 100.0], [100.0, 101.0], [1.0, 3.0], [2.0, 1.0]))
    assert [(b.open.raw, b.high.raw, b.low.raw, b.close.raw, b.volume.raw) for b in tick_bars] == [
        (S, 3 * S, S, 3 * S, 2 * S), (2 * S, 5 * S, 2 * S, 5 * S, 3 * S)]
    (m,) = mid_bars
    assert (m.open.raw, m.close.raw, m.volume.raw) == (99_500_000_000, 100_500_000_000, 1_500_000_000 + 2 * S)
    assert m.open.precision == 3   # MID adds one decimal
    assert e.unsubscribe_bars(f"{BTC}-2-TICK-LAST-INTERNAL", tick_bars.append)
    assert e.aggregator(f"{BTC}-2-TICK-LAST-INTERNAL") is None
    e.process(trades(btc, [T0 + 4, T0 + 5], [1.0, 1.0], [1.0, 1.0]))
    assert len(tick_bars) == 2


def test_bars_from_bars(btc):
    ext = BarType.from_str(f"{BTC}-1-MINUTE-LAST-EXTERNAL")
    five = f"{BTC}-5-MINUTE-LAST-INTERNAL"
    b5 = 1_700_000_100 * S  # a 5-minute boundary
    e = engine(btc)
    got = []
    e.subscribe_bars(five, got.append, from_bar_type=ext)
    n = 12
    o = np.arange(1, n + 1, dtype=float)
    b = bars_from_arrays(b5 + np.arange(1, n + 1) * MIN, o, o + 1, o - 0.5, o + 0.5, np.ones(n),
                         bar_type=ext, price_precision=2, size_precision=3)
    e.process(b)
    # 1-minute bars closing at +1..+5 min make the first 5-minute bar, completed by the +5 bar
    # itself; +6..+10 the second; +11, +12 are still in progress (no clock yet)
    assert [(x.ts_event, x.open.raw, x.high.raw, x.low.raw, x.close.raw, x.volume.raw) for x in got] == [
        (b5 + 5 * MIN, S, 6 * S, S // 2, 5_500_000_000, 5 * S),
        (b5 + 10 * MIN, 6 * S, 11 * S, 5_500_000_000, 10_500_000_000, 5 * S),
    ]
    assert e.next_close_ns() == b5 + 15 * MIN
    e.on_time(b5 + 15 * MIN)
    assert (got[-1].ts_event, got[-1].open.raw, got[-1].close.raw, got[-1].volume.raw) == (
        b5 + 15 * MIN, 11 * S, 12_500_000_000, 2 * S)


def test_cache_forwarding_and_lazy_views(btc):
    class FakeCache:
        def __init__(self):
            self.calls = []

        def add_instrument(self, inst):
            self.calls.append(("instrument", str(inst.id)))

        def add_trade(self, t):
            self.calls.append(("trade", t.price.raw))

        def add_bar(self, b):
            self.calls.append(("bar", b.close.raw))

    cache = FakeCache()
    e = engine(btc, cache=cache)
    e.subscribe_bars(f"{BTC}-2-TICK-LAST-INTERNAL")      # no handler: bars built, cached, not published
    e.process(trades(btc, [T0, T0 + 1], [1.0, 2.0], [1.0, 1.0]))
    assert cache.calls == [("instrument", BTC), ("trade", S), ("trade", 2 * S), ("bar", 2 * S)]
    assert e.msgbus.delivered_count == 0


def test_single_record_api_and_errors(btc):
    from alphaforge._core.data import TradeTick
    a = trades(btc, [T0, T0 + 1], [1.0, 2.0], [1.0, 1.0])
    e = engine(btc)
    assert e.process_trade_tick(TradeTick.from_record(a, 0))
    assert e.process_trade_tick(TradeTick.from_record(a, 1))
    with pytest.raises(DataError) as ei:
        e.process_trade_tick(TradeTick.from_record(a, 0))   # backwards again: index = records seen
    assert ei.value.index == 2
    with pytest.raises(TypeError, match="unsupported record dtype"):
        e.process(np.zeros(2, dtype=[("x", "i8")]))
    with pytest.raises(ValueError, match="validation policy"):
        DataEngine(validation="ignore")
    with pytest.raises(ValueError, match="needs ts_ns"):
        e.on_time()
    assert e.process(np.zeros(0, TRADE_TICK_DTYPE)) == 0


def test_trading_cache_gets_records(btc):
    from alphaforge.cache import Cache

    cache = Cache(tick_capacity=3, bar_capacity=2)
    e = engine(btc, cache=cache)
    bt = f"{BTC}-2-TICK-LAST-INTERNAL"
    e.subscribe_bars(bt)
    book = e.subscribe_book_deltas(BTC)
    a = trades(btc, [T0 + i for i in range(7)], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [1.0] * 7)
    e.process(a)
    e.process(quotes(btc, [T0], [99.0], [101.0], [1.0], [2.0]))
    assert cache.instrument(BTC) is btc and cache.order_book(BTC) is book
    # ring of 3 trades, newest first; bars (1,2) (3,4) (5,6) -> the 2 newest kept
    assert cache.trades(BTC)["price"].tolist() == [7 * S, 6 * S, 5 * S]
    assert [(int(b["open"]), int(b["close"])) for b in cache.bars(bt)] == [(5 * S, 6 * S), (3 * S, 4 * S)]
    assert cache.quote(BTC).ask_price.raw == 101 * S


def test_time_bars_close_from_clock_alerts(btc):
    from alphaforge.common import TestClock

    clock = TestClock(T0)
    e = engine(btc, clock=clock)
    got = []
    e.subscribe_bars(f"{BTC}-1-MINUTE-LAST-INTERNAL", got.append)
    clock.set_time(T0 + 5 * S)
    e.process(trades(btc, [T0 + 5 * S], [100.0], [1.0]))
    assert clock.next_event_time_ns == T0 + MIN
    events = clock.advance_time(T0 + 10 * MIN)    # the backtest loop: pop due events, handle them
    assert [ev.name for ev in events] == [e.alert_name] and events[0].ts_event == T0 + MIN
    for ev in events:
        ev.handle()
    assert [b.ts_event for b in got] == [T0 + MIN]
    assert clock.next_event_time_ns is None      # nothing pending, no alert
    e.process(trades(btc, [T0 + 10 * MIN + 1], [101.0], [1.0]))
    assert clock.next_event_time_ns == T0 + 11 * MIN


def test_unknown_bar_type_and_bar_instrument(btc, eth):
    from alphaforge._core.records import BAR_DTYPE

    b = np.zeros(1, BAR_DTYPE)
    b["ts_event"] = T0
    b["open"] = b["high"] = b["low"] = b["close"] = S
    b["bar_type_id"] = 4_000_000_000
    with pytest.raises(DataError) as ei:
        engine(btc).process(b)
    assert (ei.value.reason, ei.value.field, ei.value.index) == ("unknown_bar_type", "bar_type_id", 0)
    b["bar_type_id"] = BarType.from_str(f"{ETH}-1-MINUTE-LAST-EXTERNAL").index
    with pytest.raises(DataError) as ei:
        engine(btc).process(b)
    assert ei.value.reason == "unknown_instrument" and ei.value.instrument_id == ETH
    e = engine(btc, validation="skip")
    assert e.process(b) == 0 and e.statistics()["rejected"]["bars"] == {"unknown_instrument": 1}
