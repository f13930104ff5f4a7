"""Bar aggregation: every rule checked against hand-worked examples and a plain-Python reference
loop written here (independent of the Cython code), plus streaming == batch on random data."""

import numpy as np
import pytest

from alphaforge._core.records import BAR_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE
from alphaforge.data.aggregation import (
    BarAggregator,
    BarSpec,
    TimeBarAggregator,
    aggregate,
    aggregate_bars,
    make_aggregator,
    parse_bar_spec,
    register_aggregator,
    unregister_aggregator,
)

S = 1_000_000_000  # raw scale and ns per second
MIN = 60 * S
BUY, SELL = 1, 2


def trades(rows, price_prec=2, size_prec=0):
    """rows: (ts_ns, price_float, size_float, side) -> TRADE_TICK_DTYPE array (ts_init = ts + 7)."""
    a = np.zeros(len(rows), TRADE_TICK_DTYPE)
    if rows:
        ts, p, s, side = zip(*rows, strict=True)
        a["ts_event"] = ts
        a["ts_init"] = np.asarray(ts, dtype=np.int64) + 7
        a["price"] = np.round(np.asarray(p, dtype=float) * 10**price_prec).astype(np.int64) * 10 ** (9 - price_prec)
        a["size"] = np.round(np.asarray(s, dtype=float) * 10**size_prec).astype(np.int64) * 10 ** (9 - size_prec)
        a["aggressor_side"] = side
    a["price_prec"] = price_prec
    a["size_prec"] = size_prec
    return a


def as_tuples(bars):
    return [tuple(int(b[f]) for f in ("ts_event", "ts_init", "open", "high", "low", "close", "volume")) for b in bars]


def random_trades(n, seed, price_prec=2, size_prec=3, t0=1_600_000_000 * S):
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(2 * S, n).astype(np.int64) * (rng.random(n) >= 0.2)  # 20% duplicates
    ts = t0 + np.cumsum(gaps)
    price = 100 + np.cumsum(rng.choice([-0.01, 0, 0.01], n))
    size = rng.integers(1, 5000, n) / 1000.0
    side = rng.choice([0, 1, 2], n, p=[0.05, 0.5, 0.45])
    return trades(list(zip(ts.tolist(), price.tolist(), size.tolist(), side.tolist(), strict=True)), price_prec, size_prec)


# ------------------------------------------------------------------------------------------------
# Plain-Python references. ticks: list of (ts, ts_init, price_raw, size_raw, side)
# ------------------------------------------------------------------------------------------------

def ticks_of(a):
    return list(zip(a["ts_event"].tolist(), a["ts_init"].tolist(), a["price"].tolist(),
                    a["size"].tolist(), a["aggressor_side"].tolist(), strict=True))


class Bar:
    def __init__(self):
        self.o = self.h = self.l = self.c = None
        self.v = 0

    def add(self, p, s):
        if self.o is None:
            self.o = self.h = self.l = p
        self.h, self.l, self.c = max(self.h, p), min(self.l, p), p
        self.v += s

    def out(self, ts, ts_init):
        return (ts, ts_init, self.o, self.h, self.l, self.c, self.v)


def ref_time(ticks, interval, origin=0, fill=False, close_last=True):
    out, cur, end, last_close = [], None, None, None
    for ts, _ti, p, s, _sd in ticks:
        e = (ts - origin) // interval * interval + interval + origin
        if end is not None and e != end:
            if cur is not None:
                out.append(cur.out(end, end))
                last_close = cur.c
            if fill and last_close is not None:
                k = end + interval
                while k < e:
                    out.append((k, k, last_close, last_close, last_close, last_close, 0))
                    k += interval
            cur = None
        end = e
        if cur is None:
            cur = Bar()
        cur.add(p, s)
    if close_last and cur is not None:
        out.append(cur.out(end, end))
    return out


def ref_tick(ticks, n):
    out, cur = [], Bar()
    k = 0
    for ts, ti, p, s, _ in ticks:
        cur.add(p, s)
        k += 1
        if k == n:
            out.append(cur.out(ts, ti))
            cur, k = Bar(), 0
    return out


def ref_volume(ticks, step):
    out, cur = [], Bar()
    for ts, ti, p, s, _ in ticks:
        while cur.v + s >= step:
            part = step - cur.v
            cur.add(p, part)
            out.append(cur.out(ts, ti))
            cur = Bar()
            s -= part
            if s == 0:
                break
        else:
            cur.add(p, s)
    return out


def ref_value(ticks, step_raw, size_prec):
    """Notional at scale 1e18; split size rounded up to the size increment, capped at the tick."""
    thr = step_raw * S
    unit = 10 ** (9 - size_prec)
    out, cur, acc = [], Bar(), 0
    for ts, ti, p, s, _ in ticks:
        ap = abs(p)
        if acc + ap * s < thr:
            cur.add(p, s)
            acc += ap * s
            continue
        while True:
            need = -(-(thr - acc) // ap)                 # ceil
            need = min(-(-need // unit) * unit, s)       # up to the size increment, capped
            cur.add(p, need)
            out.append(cur.out(ts, ti))
            cur, acc = Bar(), 0
            s -= need
            if s == 0:
                break
            if ap * s < thr:
                cur.add(p, s)
                acc = ap * s
                break
    return out


def contribution(kind, p, s):
    return {"TICK": 1, "VOLUME": s, "VALUE": abs(p) * s}[kind]


def threshold(kind, step_text):
    from decimal import Decimal
    raw = int(Decimal(step_text) * S)
    return {"TICK": raw // S, "VOLUME": raw, "VALUE": raw * S}[kind]


def ref_imbalance(ticks, kind, step_text):
    thr = threshold(kind, step_text)
    out, cur, acc = [], Bar(), 0
    for ts, ti, p, s, sd in ticks:
        cur.add(p, s)
        if sd == BUY:
            acc += contribution(kind, p, s)
        elif sd == SELL:
            acc -= contribution(kind, p, s)
        else:
            continue
        if abs(acc) >= thr:
            out.append(cur.out(ts, ti))
            cur, acc = Bar(), 0
    return out


def ref_runs(ticks, kind, step_text):
    thr = threshold(kind, step_text)
    out, cur, run_side, run = [], Bar(), 0, 0
    for ts, ti, p, s, sd in ticks:
        cur.add(p, s)
        if sd not in (BUY, SELL):
            continue
        if sd != run_side:
            run_side, run = sd, contribution(kind, p, s)
        else:
            run += contribution(kind, p, s)
        if run >= thr:
            out.append(cur.out(ts, ti))
            cur, run_side, run = Bar(), 0, 0
    return out


def ref_renko(ticks, brick):
    out, anchor, vol = [], None, 0
    for ts, ti, p, s, _ in ticks:
        if anchor is None:
            anchor = p
        vol += s
        while p >= anchor + brick:
            out.append((ts, ti, anchor, anchor + brick, anchor, anchor + brick, vol))
            anchor, vol = anchor + brick, 0
        while p <= anchor - brick:
            out.append((ts, ti, anchor, anchor, anchor - brick, anchor - brick, vol))
            anchor, vol = anchor - brick, 0
    return out


# ------------------------------------------------------------------------------------------------
# Specs
# ------------------------------------------------------------------------------------------------

def test_parse_specs():
    s = parse_bar_spec("1-MINUTE-LAST")
    assert (s.aggregation_name, s.price_type_name, s.interval_ns, s.step) == ("MINUTE", "LAST", MIN, 1)
    assert s.aggregation == 12 and s.price_type == 4  # C enum values of enums.pxd
    assert parse_bar_spec("5-second-mid").text == "5-SECOND-MID"
    assert parse_bar_spec("5-SECOND-MID").interval_ns == 5 * S
    assert parse_bar_spec("2-WEEK-BID").interval_ns == 14 * 86_400 * S
    assert parse_bar_spec("250-MILLISECOND-ASK").interval_ns == 250_000_000
    assert parse_bar_spec("0.50-RENKO-LAST").step_raw == 500_000_000
    assert parse_bar_spec("0.50-RENKO-LAST").text == "0.5-RENKO-LAST"
    assert parse_bar_spec("1000000-VALUE-LAST").step_raw == 1_000_000 * S
    assert BarSpec("1-HOUR-LAST") == parse_bar_spec(BarSpec("1-HOUR-LAST"))


@pytest.mark.parametrize(
    "text, msg",
    [
        ("1-MINUTE", "expected"),
        ("1-FORTNIGHT-LAST", "unknown aggregation 'FORTNIGHT'"),
        ("1-MINUTE-CLOSE", "unknown price type 'CLOSE'"),
        ("0-TICK-LAST", "step must be > 0"),
        ("-5-TICK-LAST", "expected"),
        ("1.5-TICK-LAST", "TICK step must be an integer"),
        ("1.5-MINUTE-LAST", "MINUTE step must be an integer"),
        ("x-VOLUME-LAST", "not a decimal number"),
        ("100-VOLUME_IMBALANCE-MID", "need the aggressor side"),
        ("10-TICK_RUNS-BID", "need the aggressor side"),
    ],
)
def test_bad_specs(text, msg):
    with pytest.raises(ValueError, match=msg):
        parse_bar_spec(text)


def test_wrong_record_type_and_options():
    q = np.zeros(3, QUOTE_TICK_DTYPE)
    with pytest.raises(ValueError, match="needs trade records"):
        aggregate(q, "1-MINUTE-LAST")
    with pytest.raises(ValueError, match="needs quote records"):
        aggregate(trades([(1, 1.0, 1.0, 1)]), "1-MINUTE-MID")
    with pytest.raises(TypeError, match="TRADE_TICK_DTYPE"):
        aggregate(np.zeros(3, dtype=[("x", "i8")]), "1-MINUTE-LAST")
    with pytest.raises(ValueError, match="time bars only"):
        aggregate(trades([(1, 1.0, 1.0, 1)]), "10-TICK-LAST", fill_empty=True)
    with pytest.raises(ValueError, match="time bars only"):
        aggregate_bars(np.zeros(1, BAR_DTYPE), "10-TICK-LAST")


# ------------------------------------------------------------------------------------------------
# Time bars
# ------------------------------------------------------------------------------------------------

def test_time_bars_hand_worked():
    t0 = 1_700_000_040 * S  # 2023-11-14 22:14:00 UTC (a minute boundary: 1_700_000_040 % 60 == 0)
    a = trades([
        (t0 + 0, 10.00, 1, BUY),              # exactly at the boundary: bar [t0, t0+1m)
        (t0 + 30 * S, 10.50, 2, SELL),
        (t0 + MIN - 1, 9.75, 3, BUY),         # last ns of the first minute
        (t0 + MIN, 10.25, 4, BUY),            # boundary: opens [t0+1m, t0+2m)
        (t0 + 3 * MIN + 5 * S, 11.00, 5, BUY),  # minutes 2 is empty (skipped)
    ])
    bars = aggregate(a, "1-MINUTE-LAST")
    P = 10**7  # raw per cent
    assert as_tuples(bars) == [
        (t0 + MIN, t0 + MIN, 1000 * P, 1050 * P, 975 * P, 975 * P, 6 * S),
        (t0 + 2 * MIN, t0 + 2 * MIN, 1025 * P, 1025 * P, 1025 * P, 1025 * P, 4 * S),
        (t0 + 4 * MIN, t0 + 4 * MIN, 1100 * P, 1100 * P, 1100 * P, 1100 * P, 5 * S),
    ]
    assert bars["price_prec"].tolist() == [2, 2, 2] and bars["size_prec"].tolist() == [0, 0, 0]
    filled = aggregate(a, "1-MINUTE-LAST", fill_empty=True)
    assert as_tuples(filled)[2] == (t0 + 3 * MIN, t0 + 3 * MIN, 1025 * P, 1025 * P, 1025 * P, 1025 * P, 0)
    assert len(filled) == 4
    assert len(aggregate(a, "1-MINUTE-LAST", close_last=False)) == 2


def test_time_bars_origin_and_week():
    t0 = 1_700_000_040 * S
    a = trades([(t0 + 10 * S, 1.0, 1, 0), (t0 + 40 * S, 2.0, 1, 0)])
    # origin shifted by 30 s: buckets [.., t0+30s), [t0+30s, t0+90s)
    bars = aggregate(a, "1-MINUTE-LAST", origin_ns=30 * S)
    assert bars["ts_event"].tolist() == [t0 + 30 * S, t0 + 90 * S]
    # weeks run Monday 00:00 UTC to Monday: 2023-11-14 is a Tuesday -> closes Monday 2023-11-20
    w = aggregate(a, "1-WEEK-LAST")
    monday = 1_700_438_400 * S  # 2023-11-20 00:00:00 UTC
    assert w["ts_event"].tolist() == [monday]
    d = aggregate(a, "1-DAY-LAST")
    assert d["ts_event"].tolist() == [1_700_006_400 * S]  # 2023-11-15 00:00 UTC


@pytest.mark.parametrize("spec, interval", [("1-MINUTE-LAST", MIN), ("7-SECOND-LAST", 7 * S),
                                            ("250-MILLISECOND-LAST", 250_000_000), ("1-HOUR-LAST", 3600 * S)])
@pytest.mark.parametrize("fill", [False, True])
def test_time_bars_vs_reference(spec, interval, fill):
    a = random_trades(3000, seed=1)
    if interval < S and fill:
        a = a[:300]
    assert as_tuples(aggregate(a, spec, fill_empty=fill)) == ref_time(ticks_of(a), interval, fill=fill)


def test_time_bars_close_on_clock():
    t0 = 1_700_000_040 * S
    agg = make_aggregator("1-MINUTE-LAST")
    assert agg.next_close_ns() == 2**63 - 1  # nothing in progress
    assert agg.update(t0 + 5 * S, 100 * S, 1 * S, BUY) == 0
    assert agg.next_close_ns() == t0 + MIN
    assert agg.on_time(t0 + MIN - 1) == 0
    assert agg.on_time(t0 + MIN) == 1  # closes at the boundary, no later tick needed
    b = agg.pop_bars()
    assert b["ts_event"].tolist() == [t0 + MIN] and b["close"].tolist() == [100 * S]
    assert agg.next_close_ns() == 2**63 - 1
    # fill mode: the clock keeps emitting flat bars at every boundary
    f = make_aggregator("1-MINUTE-LAST", {"fill_empty": True})
    f.update(t0 + 5 * S, 100 * S, 1 * S, BUY)
    assert f.on_time(t0 + 3 * MIN) == 3
    assert f.next_close_ns() == t0 + 4 * MIN
    out = f.pop_bars()
    assert out["ts_event"].tolist() == [t0 + MIN, t0 + 2 * MIN, t0 + 3 * MIN]
    assert out["volume"].tolist() == [S, 0, 0] and out["open"].tolist() == [100 * S] * 3


def test_streaming_time_with_timers_equals_batch():
    a = random_trades(2000, seed=5)
    agg = make_aggregator("1-MINUTE-LAST")
    got = []
    for t in ticks_of(a):
        # fire every due timer before the tick, as the engine's clock does
        while agg.next_close_ns() <= t[0]:
            agg.on_time(agg.next_close_ns())
        agg.update(t[0], t[2], t[3], t[4])
        got.extend(as_tuples(agg.pop_bars()))
    agg.on_time(agg.next_close_ns())
    got.extend(as_tuples(agg.pop_bars()))
    want = [(b[0], b[0], *b[2:]) for b in as_tuples(aggregate(a, "1-MINUTE-LAST"))]
    assert got == want


# ------------------------------------------------------------------------------------------------
# Threshold bars
# ------------------------------------------------------------------------------------------------

def test_tick_bars_hand_worked():
    a = trades([(1, 1.0, 1, 0), (2, 3.0, 1, 0), (3, 2.0, 1, 0), (4, 5.0, 2, 0), (5, 4.0, 1, 0)])
    assert as_tuples(aggregate(a, "2-TICK-LAST")) == [
        (2, 9, 1 * S, 3 * S, 1 * S, 3 * S, 2 * S),
        (4, 11, 2 * S, 5 * S, 2 * S, 5 * S, 3 * S),
    ]


def test_volume_bars_split_hand_worked():
    # step 10: 4 + 4 + (2 | 1 rest) + (25 -> 9 | 10 | 6 rest)
    a = trades([(1, 1.0, 4, 0), (2, 2.0, 4, 0), (3, 3.0, 3, 0), (4, 4.0, 25, 0)])
    assert as_tuples(aggregate(a, "10-VOLUME-LAST")) == [
        (3, 10, 1 * S, 3 * S, 1 * S, 3 * S, 10 * S),
        (4, 11, 3 * S, 4 * S, 3 * S, 4 * S, 10 * S),
        (4, 11, 4 * S, 4 * S, 4 * S, 4 * S, 10 * S),
    ]
    agg = make_aggregator("10-VOLUME-LAST")
    agg.process(a)
    assert agg.volume == 6 * S and agg.open == 4 * S  # the remainder opened the next bar


def test_value_bars_split_hand_worked():
    # step 100 notional, size precision 1 (increment 0.1): price 3, size 50 -> need ceil(100/3)=33.34
    # rounded up to 33.4 -> bar 1 volume 33.4 (notional 100.2), remainder 16.6 (notional 49.8)
    a = trades([(1, 3.0, 50, 0), (2, 5.0, 11, 0)], size_prec=1)
    bars = as_tuples(aggregate(a, "100-VALUE-LAST"))
    assert bars == [
        (1, 8, 3 * S, 3 * S, 3 * S, 3 * S, 33_400_000_000),
        # 49.8 + 5*size >= 100 -> need ceil(50.2/5) = 10.04 -> 10.1 (size precision 1)
        (2, 9, 3 * S, 5 * S, 3 * S, 5 * S, 16_600_000_000 + 10_100_000_000),
    ]


@pytest.mark.parametrize("n", [1, 7, 100])
def test_tick_bars_vs_reference(n):
    a = random_trades(3000, seed=2)
    assert as_tuples(aggregate(a, f"{n}-TICK-LAST")) == ref_tick(ticks_of(a), n)


@pytest.mark.parametrize("step", ["1", "2.5", "100", "0.25"])
def test_volume_bars_vs_reference(step):
    from decimal import Decimal
    a = random_trades(2000, seed=3)
    assert as_tuples(aggregate(a, f"{step}-VOLUME-LAST")) == ref_volume(ticks_of(a), int(Decimal(step) * S))


@pytest.mark.parametrize("step", ["5", "250", "1000.5", "100000"])
def test_value_bars_vs_reference(step):
    from decimal import Decimal
    a = random_trades(2000, seed=4)
    got = as_tuples(aggregate(a, f"{step}-VALUE-LAST"))
    assert got == ref_value(ticks_of(a), int(Decimal(step) * S), 3)
    assert len(got) > 3


@pytest.mark.parametrize("kind", ["TICK", "VOLUME", "VALUE"])
@pytest.mark.parametrize("step", ["3", "25", "700"])
def test_imbalance_bars_vs_reference(kind, step):
    a = random_trades(3000, seed=6)
    got = as_tuples(aggregate(a, f"{step}-{kind}_IMBALANCE-LAST"))
    assert got == ref_imbalance(ticks_of(a), kind, step)


@pytest.mark.parametrize("kind", ["TICK", "VOLUME", "VALUE"])
@pytest.mark.parametrize("step", ["2", "5", "300"])
def test_runs_bars_vs_reference(kind, step):
    a = random_trades(3000, seed=7)
    got = as_tuples(aggregate(a, f"{step}-{kind}_RUNS-LAST"))
    assert got == ref_runs(ticks_of(a), kind, step)


def test_imbalance_runs_hand_worked():
    a = trades([(1, 1.0, 2, BUY), (2, 1.0, 1, SELL), (3, 1.0, 1, 0), (4, 2.0, 3, BUY), (5, 1.0, 1, BUY)])
    # volume imbalance 4: +2 -1 (none) +3 = 4 -> closes at ts 4
    assert as_tuples(aggregate(a, "4-VOLUME_IMBALANCE-LAST")) == [(4, 11, S, 2 * S, S, 2 * S, 7 * S)]
    # tick runs 2: B, S (new run), none, B (new run), B (run 2) -> closes at ts 5
    assert as_tuples(aggregate(a, "2-TICK_RUNS-LAST")) == [(5, 12, S, 2 * S, S, S, 8 * S)]


def test_renko_hand_worked():
    # brick 1.0 anchored at 10: 10.5 (no brick), 12.2 (2 up bricks), 11.5, 10.9 (1 down brick 12->11)
    a = trades([(1, 10.0, 1, 0), (2, 10.5, 1, 0), (3, 12.2, 2, 0), (4, 11.5, 1, 0), (5, 10.9, 1, 0)])
    assert as_tuples(aggregate(a, "1-RENKO-LAST")) == [
        (3, 10, 10 * S, 11 * S, 10 * S, 11 * S, 4 * S),
        (3, 10, 11 * S, 12 * S, 11 * S, 12 * S, 0),
        (5, 12, 12 * S, 12 * S, 11 * S, 11 * S, 2 * S),
    ]


@pytest.mark.parametrize("brick", ["0.01", "0.05", "0.3"])
def test_renko_vs_reference(brick):
    from decimal import Decimal
    a = random_trades(3000, seed=8)
    assert as_tuples(aggregate(a, f"{brick}-RENKO-LAST")) == ref_renko(ticks_of(a), int(Decimal(brick) * S))


# ------------------------------------------------------------------------------------------------
# Quotes, precision, bars from bars
# ------------------------------------------------------------------------------------------------

def test_quote_price_types():
    q = np.zeros(3, QUOTE_TICK_DTYPE)
    q["ts_event"] = [1 * S, 2 * S, 61 * S]
    q["ts_init"] = q["ts_event"]
    q["bid_price"] = [100 * S, 101 * S, 99 * S]
    q["ask_price"] = [101 * S, 102 * S, 100 * S]
    q["bid_size"] = [5 * S, 6 * S, 7 * S]
    q["ask_size"] = [1 * S, 2 * S, 4 * S]
    q["price_prec"] = 0
    q["size_prec"] = 0
    bid = aggregate(q, "1-MINUTE-BID")
    ask = aggregate(q, "1-MINUTE-ASK")
    mid = aggregate(q, "1-MINUTE-MID")
    assert as_tuples(bid)[0] == (60 * S, 60 * S, 100 * S, 101 * S, 100 * S, 101 * S, 11 * S)
    assert as_tuples(ask)[0] == (60 * S, 60 * S, 101 * S, 102 * S, 101 * S, 102 * S, 3 * S)
    assert as_tuples(mid)[0] == (60 * S, 60 * S, 100_500_000_000, 101_500_000_000, 100_500_000_000,
                                 101_500_000_000, 3 * S + 4 * S)
    assert as_tuples(mid)[1][2:] == (99_500_000_000,) * 4 + (5_500_000_000,)
    assert mid["price_prec"].tolist() == [1, 1] and mid["size_prec"].tolist() == [1, 1]
    assert aggregate(q, "2-TICK-ASK")["volume"].tolist() == [3 * S]


def test_fixed_precision_and_bar_type_id():
    a = trades([(1, 1.0, 1, 0), (2, 1.0, 1, 0)])
    b = aggregate(a, "2-TICK-LAST", bar_type_id=42, price_precision=4, size_precision=1)
    assert b["bar_type_id"].tolist() == [42] and b["price_prec"].tolist() == [4] and b["size_prec"].tolist() == [1]
    with pytest.raises(ValueError, match="both"):
        aggregate(a, "2-TICK-LAST", price_precision=4)


def test_aggregate_bars_five_minute_from_one_minute():
    rng = np.random.default_rng(9)
    n = 500
    one = np.zeros(n, BAR_DTYPE)
    t0 = 1_700_000_040 * S
    close_ts = t0 + np.arange(1, n + 1) * MIN
    keep = rng.random(n) > 0.1                     # some missing minutes
    o = 100 + rng.integers(-50, 50, n)
    c = o + rng.integers(-5, 6, n)
    h = np.maximum(o, c) + rng.integers(0, 3, n)
    low = np.minimum(o, c) - rng.integers(0, 3, n)
    one["ts_event"], one["ts_init"] = close_ts, close_ts
    one["open"], one["high"], one["low"], one["close"] = o * S, h * S, low * S, c * S
    one["volume"] = rng.integers(1, 100, n) * S
    one = one[keep]
    got = as_tuples(aggregate_bars(one, "5-MINUTE-LAST"))
    # reference: group by bucket end = ceil(close / 5m) * 5m
    want, groups = [], {}
    for r in one:
        e = -(-int(r["ts_event"]) // (5 * MIN)) * 5 * MIN
        groups.setdefault(e, []).append(r)
    for e in sorted(groups):
        g = groups[e]
        want.append((e, e, int(g[0]["open"]), max(int(x["high"]) for x in g), min(int(x["low"]) for x in g),
                     int(g[-1]["close"]), sum(int(x["volume"]) for x in g)))
    assert got == want
    # streaming: a 1-minute bar ending on the 5-minute boundary completes the output bar at once
    agg = TimeBarAggregator("5-MINUTE-LAST")
    t5 = (t0 // (5 * MIN) + 1) * 5 * MIN
    assert agg.update_bar(t5 - MIN, S, 2 * S, S, 2 * S, S) == 0
    assert agg.update_bar(t5, 2 * S, 3 * S, S, 3 * S, S) == 1
    assert as_tuples(agg.pop_bars()) == [(t5, t5, S, 3 * S, S, 3 * S, 2 * S)]


# ------------------------------------------------------------------------------------------------
# Streaming == batch, user-defined aggregators
# ------------------------------------------------------------------------------------------------

SPECS = ["1-MINUTE-LAST", "10-SECOND-LAST", "50-TICK-LAST", "25.5-VOLUME-LAST", "5000-VALUE-LAST",
         "30-VOLUME_IMBALANCE-LAST", "4-TICK_RUNS-LAST", "2000-VALUE_RUNS-LAST", "0.04-RENKO-LAST",
         "12-TICK_IMBALANCE-LAST", "6-VOLUME_RUNS-LAST", "3000-VALUE_IMBALANCE-LAST"]


@pytest.mark.parametrize("spec", SPECS)
def test_streaming_equals_batch(spec):
    a = random_trades(5000, seed=11)
    prec = {"price_precision": 2, "size_precision": 3}
    agg = make_aggregator(spec, prec)
    tick = type("Tick", (), {})
    for r in a[:2500]:
        agg.update(int(r["ts_event"]), int(r["price"]), int(r["size"]), int(r["aggressor_side"]))
    agg2 = make_aggregator(spec)  # precision from the ticks
    for r in a[:2500]:  # view-object path
        t = tick()
        t.ts_event, t.ts_init = int(r["ts_event"]), int(r["ts_event"])
        t.price = type("P", (), {"raw": int(r["price"]), "precision": 2})()
        t.size = type("Q", (), {"raw": int(r["size"]), "precision": 3})()
        t.aggressor_side = int(r["aggressor_side"])
        agg2.handle_trade_tick(t)
    agg.process(a[2500:])  # the rest through the record path
    agg2.process(a[2500:])
    if agg.next_close_ns() < 2**63 - 1:
        agg.on_time(agg.next_close_ns())
        agg2.on_time(agg2.next_close_ns())
    got = agg.pop_bars()
    assert np.array_equal(got, agg2.pop_bars())
    want = aggregate(a, spec)
    # update() sets ts_init = ts_event, the records carry ts_event + 7: compare ts_init apart
    fields = ["ts_event", "open", "high", "low", "close", "volume", "price_prec", "size_prec"]
    assert np.array_equal(got[fields], want[fields])
    assert np.array_equal(aggregate(a, spec, **prec), want)
    assert len(want) > 2


def test_user_defined_python_aggregator():
    class EveryNthPriceChange(BarAggregator):
        """Closes a bar after `step` price changes."""

        def __init__(self, spec, **kw):
            super().__init__(spec, **kw)
            self.changes = 0
            self.last = None

        def on_tick(self, ts_event, ts_init, price, size, aggressor_side):
            if self.last is not None and price != self.last:
                self.changes += 1
            self.last = price
            self.add(price, size)
            if self.changes >= self.spec.step:
                self.close_bar(ts_event, ts_init)
                self.changes = 0

    register_aggregator("PRICE_CHANGE", EveryNthPriceChange)
    try:
        a = trades([(1, 1.0, 1, 0), (2, 1.0, 1, 0), (3, 2.0, 1, 0), (4, 3.0, 1, 0), (5, 3.0, 1, 0)])
        assert as_tuples(aggregate(a, "2-PRICE_CHANGE-LAST")) == [(4, 11, S, 3 * S, S, 3 * S, 4 * S)]
        agg = make_aggregator("2-PRICE_CHANGE-LAST")
        assert isinstance(agg, EveryNthPriceChange)
        assert [agg.update(t, p, s) for t, _, p, s, _ in ticks_of(a)] == [0, 0, 0, 1, 0]
        with pytest.raises(ValueError, match="built in"):
            register_aggregator("TICK", EveryNthPriceChange)
        with pytest.raises(TypeError, match="subclass BarAggregator"):
            register_aggregator("FOO", object)
    finally:
        unregister_aggregator("PRICE_CHANGE")
    with pytest.raises(ValueError, match="unknown aggregation"):
        parse_bar_spec("2-PRICE_CHANGE-LAST")
    with pytest.raises(NotImplementedError, match="on_tick"):
        BarAggregator("1-TICK-LAST").update(1, 1, 1)


def test_empty_input():
    e = np.zeros(0, TRADE_TICK_DTYPE)
    for spec in ("1-MINUTE-LAST", "10-TICK-LAST", "1-RENKO-LAST"):
        out = aggregate(e, spec)
        assert out.dtype == BAR_DTYPE and len(out) == 0


def test_fill_empty_clock_jump_guard():
    agg = make_aggregator("1-MILLISECOND-LAST", fill_empty=True)
    agg.update(0, S, S)
    with pytest.raises(ValueError, match="more than 100,000,000 flat bars"):
        agg.on_time(2**63 - 1)
    assert agg.on_time(S) == 1000          # 1 real bar + 999 flat ones, ending at 1 s
    out = agg.pop_bars()
    assert out["ts_event"][[0, -1]].tolist() == [1_000_000, S] and out["volume"][1:].sum() == 0


def test_model_view_objects():
    from alphaforge._core.data import QuoteTick, TradeTick

    a = trades([(1, 1.0, 1, BUY), (2, 3.0, 2, SELL), (3, 2.0, 1, BUY)])
    agg = make_aggregator("2-TICK-LAST")
    assert [agg.handle_trade_tick(TradeTick.from_record(a, i)) for i in range(3)] == [0, 1, 0]
    assert as_tuples(agg.pop_bars()) == [(2, 9, S, 3 * S, S, 3 * S, 3 * S)]
    q = np.zeros(2, QUOTE_TICK_DTYPE)
    q["ts_event"], q["ts_init"] = [1, 2], [1, 2]
    q["bid_price"], q["ask_price"] = [1 * S, 2 * S], [3 * S, 4 * S]
    q["bid_size"], q["ask_size"] = [S, S], [S, S]
    mid = make_aggregator("2-TICK-MID")
    assert [mid.handle_quote_tick(QuoteTick.from_record(q, i)) for i in range(2)] == [0, 1]
    assert as_tuples(mid.pop_bars()) == [(2, 2, 2 * S, 3 * S, 2 * S, 3 * S, 2 * S)]
