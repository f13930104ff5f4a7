"""Indicators against references computed independently in this file (numpy/pandas) on real series.

Real data: ORCL daily bars 1995-2014 (Yahoo CSV, 5,036 rows) and 1-minute futures bars with volume
(2006, 41 days) for the day-reset VWAP. Every value after warm-up is compared to 1e-9 relative
(plus an absolute floor of 1e-9 x the price level for outputs that cross zero, such as MACD).
"""

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from alphaforge.indicators import (
    ATR,
    EMA,
    HMA,
    MACD,
    OBV,
    ROC,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    DonchianChannel,
    ExponentialMovingAverage,
    Indicator,
    KeltnerChannel,
    Stochastics,
    compute,
    update_from_bars,
    update_from_quotes,
    update_from_trades,
)

RTOL = 1e-9


# ------------------------------------------------------------------------------------------------
# data and independent references

@pytest.fixture(scope="module")
def orcl(shared_data: Path) -> pd.DataFrame:
    df = pd.read_csv(shared_data / "bars" / "orcl-1995-2014.txt")
    assert len(df) == 5036
    return df


@pytest.fixture(scope="module")
def minute_bars(shared_data: Path) -> pd.DataFrame:
    # Header has 7 names but rows have 8 fields (Date,Time,...): read positionally.
    names = ["date", "time", "open", "high", "low", "close", "volume", "oi"]
    df = pd.read_csv(shared_data / "bars" / "2006-01-02-volume-min-001.txt.gz", header=None, skiprows=1, names=names)
    ts = pd.to_datetime(df["date"] + " " + df["time"], format="%Y-%m-%d %H:%M:%S")
    df["ts_ns"] = ts.astype("datetime64[ns]").astype(np.int64)
    assert len(df) == 30889
    return df


def ref_sma_seeded_ewm(x: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """EMA-type recursion y = (1 - alpha) y + alpha x seeded at index n-1 with mean(x[:n]); NaN before."""
    out = np.full(len(x), np.nan)
    seed = math.fsum(x[:n]) / n
    s = pd.Series(np.concatenate([[seed], x[n:]]))
    out[n - 1 :] = s.ewm(alpha=alpha, adjust=False).mean().to_numpy()
    return out


def ref_ema(x: np.ndarray, n: int) -> np.ndarray:
    return ref_sma_seeded_ewm(x, n, 2.0 / (n + 1))


def ref_wma(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(x), np.nan)
    w = np.arange(1, n + 1, dtype=np.float64)
    valid = ~np.isnan(x)
    first = int(np.argmax(valid))
    win = np.lib.stride_tricks.sliding_window_view(x[first:], n)
    out[first + n - 1 :] = win @ w / w.sum()
    return out


def ref_true_range(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> np.ndarray:
    pc = pd.Series(c).shift(1)
    tr = pd.concat([pd.Series(h - lo), (pd.Series(h) - pc).abs(), (pd.Series(lo) - pc).abs()], axis=1).max(axis=1)
    tr[0] = np.nan  # no previous close
    return tr.to_numpy()


def ref_atr_wilder(h, lo, c, n):
    tr = ref_true_range(h, lo, c)
    out = np.full(len(c), np.nan)
    out[1:] = ref_sma_seeded_ewm(tr[1:], n, 1.0 / n)
    return out


def assert_after_warmup(got: dict, key: str, ref: np.ndarray, *, atol: float = 0.0) -> None:
    valid = ~np.isnan(ref)
    assert valid.sum() > 1000
    # `initialized` is True exactly where the reference is defined
    np.testing.assert_array_equal(got["initialized"], valid)
    np.testing.assert_allclose(got[key][valid], ref[valid], rtol=RTOL, atol=atol)


def cols(df: pd.DataFrame) -> dict:
    return {
        "close": df["Close"].to_numpy(np.float64),
        "high": df["High"].to_numpy(np.float64),
        "low": df["Low"].to_numpy(np.float64),
        "volume": df["Volume"].to_numpy(np.float64),
    }


# ------------------------------------------------------------------------------------------------
# moving averages

@pytest.mark.parametrize("n", [1, 10, 50])
def test_sma(orcl, n):
    c = orcl["Close"].to_numpy()
    got = compute(SMA(n), c)
    assert_after_warmup(got, "value", orcl["Close"].rolling(n).mean().to_numpy())
    # warm-up value: mean of the inputs so far
    k = min(n - 1, 5)
    np.testing.assert_allclose(got["value"][:k], np.cumsum(c[:k]) / np.arange(1, k + 1), rtol=RTOL)


@pytest.mark.parametrize("n", [10, 20, 26])
def test_ema_sma_seeded(orcl, n):
    c = orcl["Close"].to_numpy()
    got = compute(EMA(n), c)
    assert_after_warmup(got, "value", ref_ema(c, n))
    np.testing.assert_allclose(got["value"][: n - 1], np.cumsum(c[: n - 1]) / np.arange(1, n), rtol=RTOL)


def test_ema_exact_backtrader_recursion(orcl):
    """The acceptance EMA(10)/EMA(20): bit-for-bit the plain loop fsum(first n)/n then
    prev * (1 - alpha) + x * alpha, with initialized flipping on the n-th input."""
    c = orcl["Close"].tolist()
    for n in (10, 20):
        ema = EMA(n)
        alpha = 2.0 / (n + 1)
        prev = None
        for i, x in enumerate(c):
            ema.update_raw(x)
            if i == n - 1:
                prev = math.fsum(c[:n]) / n
            elif i >= n:
                prev = prev * (1.0 - alpha) + x * alpha
            assert ema.initialized == (i >= n - 1)
            assert ema.count == i + 1
            if prev is not None:
                assert ema.value == prev, (n, i)


def test_ema_alias_and_handle_bar(orcl):
    assert ExponentialMovingAverage is EMA
    ema = EMA(10)
    for row in orcl.head(30).itertuples():
        ema.handle_bar(SimpleNamespace(open=row.Open, high=row.High, low=row.Low, close=row.Close, volume=row.Volume))
    assert ema.value == pytest.approx(ref_ema(orcl["Close"].to_numpy()[:30], 10)[-1], rel=RTOL)


@pytest.mark.parametrize("n", [1, 9, 30])
def test_wma(orcl, n):
    c = orcl["Close"].to_numpy()
    assert_after_warmup(compute(WMA(n), c), "value", ref_wma(c, n))


@pytest.mark.parametrize("n", [9, 16, 20])
def test_hma(orcl, n):
    c = orcl["Close"].to_numpy()
    diff = 2.0 * ref_wma(c, n // 2) - ref_wma(c, n)
    ref = ref_wma(diff, int(math.floor(math.sqrt(n))))
    assert_after_warmup(compute(HMA(n), c), "value", ref)


# ------------------------------------------------------------------------------------------------
# oscillators

@pytest.mark.parametrize("n", [14, 5])
def test_rsi_wilder(orcl, n):
    close = orcl["Close"]
    d = close.diff().to_numpy()
    gain = np.where(d > 0, d, 0.0)
    loss = np.where(d < 0, -d, 0.0)
    ag = np.full(len(d), np.nan)
    al = np.full(len(d), np.nan)
    ag[1:] = ref_sma_seeded_ewm(gain[1:], n, 1.0 / n)
    al[1:] = ref_sma_seeded_ewm(loss[1:], n, 1.0 / n)
    ref = 100.0 - 100.0 / (1.0 + ag / al)
    got = compute(RSI(n), close.to_numpy())
    assert_after_warmup(got, "value", ref)
    assert np.all((got["value"] >= 0) & (got["value"] <= 100))


def test_rsi_flat_and_monotone_hand_worked():
    r = RSI(3)
    for x in [5.0, 5.0, 5.0, 5.0]:
        r.update_raw(x)
    assert r.initialized and r.value == 50.0
    r = RSI(3)
    for x in [1.0, 2.0, 3.0, 4.0]:
        r.update_raw(x)
    assert r.value == 100.0
    # hand-worked: changes +2, -1, +1 -> avg gain 1, avg loss 1/3 -> RSI 75; then -2 (Wilder)
    r = RSI(3)
    for x in [10.0, 12.0, 11.0, 12.0]:
        r.update_raw(x)
    assert r.value == pytest.approx(75.0, rel=1e-12)
    r.update_raw(10.0)  # gain (1*2+0)/3 = 2/3, loss (1/3*2+2)/3 = 8/9 -> 100 * (2/3) / (14/9)
    assert r.value == pytest.approx(100.0 * (2 / 3) / (2 / 3 + 8 / 9), rel=1e-12)


def test_macd(orcl):
    c = orcl["Close"].to_numpy()
    macd = ref_ema(c, 12) - ref_ema(c, 26)
    sig = np.full(len(c), np.nan)
    sig[25:] = ref_ema(macd[25:], 9)
    got = compute(MACD(12, 26, 9), c)
    atol = 1e-9 * np.abs(c).max()
    valid = ~np.isnan(sig)
    assert got["initialized"].argmax() == 33
    assert_after_warmup(got, "signal", sig, atol=atol)
    np.testing.assert_allclose(got["value"][valid], macd[valid], rtol=RTOL, atol=atol)
    np.testing.assert_allclose(got["histogram"][valid], (macd - sig)[valid], rtol=RTOL, atol=atol)


def test_stochastics(orcl):
    df = orcl
    hh = df["High"].rolling(14).max()
    ll = df["Low"].rolling(14).min()
    k = 100.0 * (df["Close"] - ll) / (hh - ll)
    d = k.rolling(3).mean()
    got = compute(Stochastics(14, 3), **cols(df))
    valid = d.notna().to_numpy()
    assert_after_warmup(got, "value_d", d.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(got["value_k"][valid], k.to_numpy()[valid], rtol=RTOL, atol=1e-9)
    np.testing.assert_array_equal(got["value"], got["value_k"])


def test_stochastics_zero_range_is_50():
    s = Stochastics(2, 1)
    s.update_raw(3.0, 3.0, 3.0)
    s.update_raw(3.0, 3.0, 3.0)
    assert s.initialized and s.value_k == 50.0 and s.value_d == 50.0
    s.update_raw(5.0, 3.0, 4.5)  # HH 5, LL 3 -> 75
    assert s.value_k == 75.0


@pytest.mark.parametrize("use_log", [False, True])
def test_roc(orcl, use_log):
    close = orcl["Close"]
    ref = np.log(close / close.shift(10)) if use_log else close.pct_change(10)
    got = compute(ROC(10, use_log=use_log), close.to_numpy())
    assert_after_warmup(got, "value", ref.to_numpy(), atol=1e-12)


# ------------------------------------------------------------------------------------------------
# bands and channels

def test_bollinger_population_std(orcl):
    c = orcl["Close"].to_numpy()
    win = np.lib.stride_tricks.sliding_window_view(c, 20)
    mid = np.full(len(c), np.nan)
    std = np.full(len(c), np.nan)
    mid[19:] = win.mean(axis=1)
    std[19:] = win.std(axis=1, ddof=0)
    got = compute(BollingerBands(20, 2.0), c)
    assert_after_warmup(got, "middle", mid)
    v = ~np.isnan(mid)
    np.testing.assert_allclose(got["std"][v], std[v], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(got["upper"][v], (mid + 2 * std)[v], rtol=RTOL)
    np.testing.assert_allclose(got["lower"][v], (mid - 2 * std)[v], rtol=RTOL)
    np.testing.assert_array_equal(got["value"], got["middle"])


@pytest.mark.parametrize("n", [14, 5])
def test_atr_wilder(orcl, n):
    c = cols(orcl)
    ref = ref_atr_wilder(c["high"], c["low"], c["close"], n)
    got = compute(ATR(n), **c)
    assert_after_warmup(got, "value", ref)
    assert got["initialized"].argmax() == n  # first ATR on input n + 1


def test_atr_sma_and_ema(orcl):
    c = cols(orcl)
    tr = ref_true_range(c["high"], c["low"], c["close"])
    got = compute(ATR(14, ma_type="sma"), **c)
    assert_after_warmup(got, "value", pd.Series(tr).rolling(14).mean().to_numpy())
    ref = np.full(len(tr), np.nan)
    ref[1:] = ref_ema(tr[1:], 14)
    assert_after_warmup(compute(ATR(14, ma_type="ema"), **c), "value", ref)


def test_donchian(orcl):
    up = orcl["High"].rolling(20).max().to_numpy()
    lo = orcl["Low"].rolling(20).min().to_numpy()
    got = compute(DonchianChannel(20), high=orcl["High"].to_numpy(), low=orcl["Low"].to_numpy())
    assert_after_warmup(got, "upper", up)
    v = ~np.isnan(up)
    np.testing.assert_array_equal(got["lower"][v], lo[v])
    np.testing.assert_allclose(got["middle"][v], ((up + lo) / 2)[v], rtol=RTOL)


@pytest.mark.parametrize("n", [1, 2, 5, 60])
def test_donchian_window_with_ties(orcl, n):
    """Integer-rounded prices (many ties, long monotone runs) through the sliding max/min."""
    h = np.round(orcl["High"].to_numpy())
    lo = np.round(orcl["Low"].to_numpy())
    got = compute(DonchianChannel(n), high=h, low=lo)
    assert_after_warmup(got, "upper", pd.Series(h).rolling(n).max().to_numpy())
    v = got["initialized"]
    np.testing.assert_array_equal(got["lower"][v], pd.Series(lo).rolling(n).min().to_numpy()[v])
    # warm-up: extremes of the inputs so far
    k = n - 1
    np.testing.assert_array_equal(got["upper"][:k], np.maximum.accumulate(h[:k]))


@pytest.mark.parametrize("n", [1, 3, 17])
def test_donchian_adversarial_sequences(n):
    """Monotone runs (the extreme leaves the window every step) and small-range integer noise
    (constant ties) against pandas rolling max/min."""
    rng = np.random.default_rng(3)
    seqs = [np.arange(300.0), np.arange(300.0)[::-1], rng.integers(0, 4, 500).astype(np.float64),
            np.concatenate([np.arange(50.0), np.arange(50.0)[::-1], np.full(40, 7.0)])]
    for x in seqs:
        got = compute(DonchianChannel(n), high=x, low=x)
        np.testing.assert_array_equal(got["upper"][n - 1 :], pd.Series(x).rolling(n).max().to_numpy()[n - 1 :])
        np.testing.assert_array_equal(got["lower"][n - 1 :], pd.Series(x).rolling(n).min().to_numpy()[n - 1 :])


def test_keltner(orcl):
    c = cols(orcl)
    mid = ref_ema(c["close"], 20)
    atr = ref_atr_wilder(c["high"], c["low"], c["close"], 10)
    got = compute(KeltnerChannel(20, 1.5, atr_period=10), **c)
    ref_up = mid + 1.5 * atr
    assert_after_warmup(got, "upper", ref_up)
    v = ~np.isnan(ref_up)
    np.testing.assert_allclose(got["middle"][v], mid[v], rtol=RTOL)
    np.testing.assert_allclose(got["lower"][v], (mid - 1.5 * atr)[v], rtol=RTOL)


# ------------------------------------------------------------------------------------------------
# volume

def test_obv_cumulative_and_rolling(orcl):
    c = cols(orcl)
    sign = np.sign(np.diff(c["close"], prepend=-np.inf))  # first bar counts +volume
    signed = sign * c["volume"]
    got = compute(OBV(), **c)
    np.testing.assert_allclose(got["value"], np.cumsum(signed), rtol=RTOL, atol=1e-3)
    assert got["initialized"].all()
    got = compute(OBV(20), **c)
    assert_after_warmup(got, "value", pd.Series(signed).rolling(20).sum().to_numpy(), atol=1e-3)


def test_vwap_cumulative_typical(orcl):
    c = cols(orcl)
    tp = (c["high"] + c["low"] + c["close"]) / 3.0
    ref = np.cumsum(tp * c["volume"]) / np.cumsum(c["volume"])
    got = compute(VWAP(reset_daily=False), **c)
    np.testing.assert_allclose(got["value"], ref, rtol=RTOL)
    got = compute(VWAP(reset_daily=False, price_source="close"), **c)
    np.testing.assert_allclose(got["value"], np.cumsum(c["close"] * c["volume"]) / np.cumsum(c["volume"]), rtol=RTOL)


def test_vwap_resets_each_utc_day(minute_bars):
    df = minute_bars
    tp = (df["high"] + df["low"] + df["close"]) / 3.0
    day = df["ts_ns"] // 86_400_000_000_000
    pv = (tp * df["volume"]).groupby(day).cumsum()
    vol = df["volume"].groupby(day).cumsum()
    ref = (pv / vol).to_numpy()
    got = compute(
        VWAP(),
        df["close"].to_numpy(np.float64),
        high=df["high"].to_numpy(np.float64),
        low=df["low"].to_numpy(np.float64),
        volume=df["volume"].to_numpy(np.float64),
        ts_ns=df["ts_ns"].to_numpy(),
    )
    np.testing.assert_allclose(got["value"], ref, rtol=RTOL)
    # session days starting 08:00 UTC: the same reference shifted
    off = 8 * 3600 * 10**9
    day8 = (df["ts_ns"] - off) // 86_400_000_000_000
    ref8 = ((tp * df["volume"]).groupby(day8).cumsum() / df["volume"].groupby(day8).cumsum()).to_numpy()
    got8 = compute(VWAP(day_offset_ns=off), df["close"].to_numpy(np.float64), high=df["high"].to_numpy(np.float64),
                   low=df["low"].to_numpy(np.float64), volume=df["volume"].to_numpy(np.float64),
                   ts_ns=df["ts_ns"].to_numpy())
    np.testing.assert_allclose(got8["value"], ref8, rtol=RTOL)


def test_vwap_zero_volume_is_last_price():
    v = VWAP()
    v.update_raw(10.0, 0.0)
    assert v.initialized and v.value == 10.0
    v.update_raw(12.0, 2.0)
    v.update_raw(9.0, 1.0)
    assert v.value == pytest.approx((24.0 + 9.0) / 3.0, rel=1e-15)


# ------------------------------------------------------------------------------------------------
# input paths, reset, validation

ALL = [
    lambda: SMA(10), lambda: EMA(10), lambda: WMA(10), lambda: HMA(16), lambda: RSI(14), lambda: MACD(),
    lambda: BollingerBands(), lambda: ATR(14), lambda: DonchianChannel(20), lambda: KeltnerChannel(),
    lambda: Stochastics(), lambda: ROC(10), lambda: OBV(), lambda: VWAP(reset_daily=False),
]


@pytest.mark.parametrize("make", ALL)
def test_record_path_equals_float_path(orcl, make):
    """handle_bar_rec on BAR_DTYPE records (raw fixed-point at 1e9) == compute on the CSV floats,
    and == handle_bar on duck-typed bars; reset() restarts from scratch."""
    from alphaforge._core.records import BAR_DTYPE

    df = orcl.head(300)
    c = cols(df)
    recs = np.zeros(len(df), dtype=BAR_DTYPE)
    for f in ("high", "low", "close", "volume"):
        recs[f] = np.round(c[f] * 1e6).astype(np.int64) * 1000  # 6 decimals in the file
    ind = make()
    ref = compute(make(), **c)
    update_from_bars(ind, recs)
    for name in ind.output_names:
        assert ind.outputs()[name] == ref[name][-1], name
    assert ind.count == len(df) and ind.initialized
    ind.reset()
    assert ind.count == 0 and not ind.initialized and not ind.has_inputs and ind.value == 0.0
    for row in df.itertuples():
        ind.handle_bar(SimpleNamespace(open=row.Open, high=row.High, low=row.Low, close=row.Close,
                                       volume=row.Volume, ts_event=0))
    for name in ind.output_names:
        assert ind.outputs()[name] == ref[name][-1], name


def test_quote_and_trade_ticks():
    from alphaforge._core.records import QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

    bids = np.array([100.00, 100.10, 100.05, 100.20])
    asks = np.array([100.02, 100.12, 100.09, 100.22])
    mids = (bids + asks) / 2
    sma = SMA(3)
    for b, a in zip(bids, asks, strict=True):
        sma.handle_quote_tick(SimpleNamespace(bid_price=b, ask_price=a, ts_event=0))
    assert sma.value == pytest.approx(mids[1:].mean(), rel=1e-15)
    q = np.zeros(4, dtype=QUOTE_TICK_DTYPE)
    q["bid_price"] = np.round(bids * 100).astype(np.int64) * 10_000_000
    q["ask_price"] = np.round(asks * 100).astype(np.int64) * 10_000_000
    sma2 = SMA(3)
    update_from_quotes(sma2, q)
    assert sma2.value == sma.value

    prices = np.array([10.0, 11.0, 10.5])
    sizes = np.array([2.0, 1.0, 3.0])
    vwap = VWAP(reset_daily=False)
    obv = OBV()
    for p, s in zip(prices, sizes, strict=True):
        t = SimpleNamespace(price=p, size=s, ts_event=0)
        vwap.handle_trade_tick(t)
        obv.handle_trade_tick(t)
    assert vwap.value == pytest.approx((prices * sizes).sum() / sizes.sum(), rel=1e-15)
    assert obv.value == 2.0 + 1.0 - 3.0
    tr = np.zeros(3, dtype=TRADE_TICK_DTYPE)
    tr["price"] = (prices * 1e9).astype(np.int64)
    tr["size"] = (sizes * 1e9).astype(np.int64)
    vwap2 = VWAP(reset_daily=False)
    update_from_trades(vwap2, tr)
    assert vwap2.value == vwap.value


def test_named_outputs_and_repr():
    assert MACD().output_names == ("value", "signal", "histogram")
    assert BollingerBands().output_names == ("value", "upper", "middle", "lower", "std")
    assert Stochastics().output_names == ("value", "value_k", "value_d")
    assert repr(EMA(10)) == "EMA(10)" and EMA(10).name == "EMA"
    assert repr(MACD()) == "MACD(12, 26, 9)"
    assert isinstance(RSI(), Indicator)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: SMA(0), "period"),
        (lambda: EMA(-1), "period"),
        (lambda: HMA(1), "period"),
        (lambda: MACD(26, 12), "slow_period"),
        (lambda: BollingerBands(20, 0.0), "k"),
        (lambda: ATR(14, ma_type="hull"), "ma_type"),
        (lambda: KeltnerChannel(20, atr_period=0), "atr_period"),
        (lambda: Stochastics(14, 0), "period_d"),
        (lambda: OBV(-1), "period"),
        (lambda: VWAP(price_source="open"), "price_source"),
    ],
)
def test_bad_parameters_name_the_field(make, field):
    with pytest.raises(ValueError, match=field):
        make()


def test_abstract_base_and_compute_errors():
    with pytest.raises(TypeError):
        Indicator()
    with pytest.raises(ValueError, match="'high'"):
        compute(ATR(3), np.ones(5))
    with pytest.raises(ValueError, match="'volume'"):
        compute(OBV(), np.ones(5))
    with pytest.raises(ValueError, match="expected 5"):
        compute(ATR(3), np.ones(5), high=np.ones(4), low=np.ones(5))


def test_real_model_objects_match_record_path(minute_bars):
    """alphaforge.model Bar/TradeTick/QuoteTick views (Price/Quantity fields, ts_event) through
    handle_bar/handle_*_tick give exactly what the C record path gives (VWAP day resets included)."""
    from alphaforge.model import (
        Bar,
        BarType,
        QuoteTick,
        TradeTick,
        bars_from_arrays,
        quotes_from_arrays,
        trades_from_arrays,
    )

    df = minute_bars.iloc[:2000]  # spans 3 days
    bt = BarType.from_str("ES.SIM-1-MINUTE-LAST-EXTERNAL")
    recs = bars_from_arrays(df["ts_ns"].to_numpy(), df["open"].to_numpy(np.float64), df["high"].to_numpy(np.float64),
                            df["low"].to_numpy(np.float64), df["close"].to_numpy(np.float64),
                            df["volume"].to_numpy(np.float64), bar_type=bt, price_precision=2)
    for make in (lambda: VWAP(), lambda: KeltnerChannel(), lambda: OBV(), lambda: Stochastics()):
        a, b = make(), make()
        update_from_bars(a, recs)
        for i in range(len(recs)):
            b.handle_bar(Bar.from_record(recs, i))
        assert a.outputs() == b.outputs() and a.count == b.count == len(df)
    assert VWAP().inputs == ("high", "low", "close", "volume")

    ts = df["ts_ns"].to_numpy()
    px = df["close"].to_numpy(np.float64)
    sz = df["volume"].to_numpy(np.float64)
    trades = trades_from_arrays(ts, px, sz, price_precision=2, size_precision=0, instrument_id="ES.SIM")
    quotes = quotes_from_arrays(ts, px - 0.25, px + 0.25, sz, sz, price_precision=2, size_precision=0,
                                instrument_id="ES.SIM")
    a, b = VWAP(), VWAP()
    update_from_trades(a, trades)
    for i in range(len(trades)):
        b.handle_trade_tick(TradeTick.from_record(trades, i))
    assert a.value == b.value
    day = ts // 86_400_000_000_000
    last = day == day[-1]
    assert a.value == pytest.approx((px[last] * sz[last]).sum() / sz[last].sum(), rel=RTOL)
    a, b = EMA(20), EMA(20)
    update_from_quotes(a, quotes)
    for i in range(len(quotes)):
        b.handle_quote_tick(QuoteTick.from_record(quotes, i))
    assert a.value == b.value == pytest.approx(ref_ema(px, 20)[-1], rel=RTOL)


@pytest.mark.parametrize("make", ALL)
def test_pickle_fresh_indicator_round_trips(orcl, make):
    import pickle

    ind = pickle.loads(pickle.dumps(make()))
    assert repr(ind) == repr(make())
    c = cols(orcl.head(200))
    got, ref = compute(ind, **c), compute(make(), **c)
    for name in ind.output_names:
        np.testing.assert_array_equal(got[name], ref[name])
    with pytest.raises(TypeError, match="after 200 inputs"):
        pickle.dumps(ind)


def test_quote_price_type_bid_ask():
    from alphaforge._core.records import QUOTE_TICK_DTYPE
    from alphaforge.model.enums import PriceType

    q = np.zeros(3, dtype=QUOTE_TICK_DTYPE)
    q["bid_price"] = np.array([100, 101, 102]) * 1_000_000_000
    q["ask_price"] = np.array([102, 103, 106]) * 1_000_000_000
    for setting, ref in (("BID", 101.0), (PriceType.ASK, 103.0 + 2 / 3), ("MID", 102.5 - 1 / 6), (PriceType.MID, None)):
        s1 = SMA(3)
        s1.quote_price_type = setting
        update_from_quotes(s1, q)
        s2 = SMA(3)
        s2.quote_price_type = setting
        for i in range(3):
            s2.handle_quote_tick(SimpleNamespace(bid_price=float(q["bid_price"][i]) / 1e9,
                                                 ask_price=float(q["ask_price"][i]) / 1e9, ts_event=0))
        assert s1.value == s2.value
        if ref is not None:
            assert s1.value == pytest.approx(ref, rel=1e-15)
    e = EMA(5)
    e.quote_price_type = "ASK"
    assert e.quote_price_type == "ASK"
    import pickle

    assert pickle.loads(pickle.dumps(e)).quote_price_type == "ASK"
    with pytest.raises(ValueError, match="quote_price_type"):
        e.quote_price_type = "LAST"


def test_bad_inputs_raise_naming_the_field():
    with pytest.raises(ValueError, match="close must be finite"):
        EMA(3).update_raw(float("nan"))
    with pytest.raises(ValueError, match="high 1.0 is below low 2.0"):
        ATR(3).update_raw(1.0, 2.0, 1.5)
    with pytest.raises(ValueError, match="volume must be finite and >= 0"):
        OBV().update_raw(1.0, -5.0)
    with pytest.raises(ValueError, match="high must be finite"):
        KeltnerChannel().handle_bar(SimpleNamespace(high=float("inf"), low=1.0, close=1.0, volume=1.0))
    with pytest.raises(ValueError, match="close must be finite"):
        SMA(2).handle_trade_tick(SimpleNamespace(price=float("nan"), size=1.0, ts_event=0))
    with pytest.raises(ValueError, match="'close' row 2"):
        compute(SMA(2), np.array([1.0, 2.0, np.nan]))
    with pytest.raises(ValueError, match="'volume' row 1"):
        compute(VWAP(), np.ones(3), high=np.ones(3), low=np.ones(3), volume=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="row 1 has high"):
        compute(ATR(2), np.ones(3), high=np.array([1.0, 0.5, 1.0]), low=np.ones(3))
    ema = EMA(3)
    ema.update_raw(1.0)
    with pytest.raises(ValueError):
        ema.update_raw(float("inf"))
    assert ema.count == 1 and ema.value == 1.0  # a rejected input leaves the state untouched


@pytest.mark.parametrize("make", ALL)
def test_python_value_and_initialized_follow_every_update(orcl, make):
    """``value`` / ``initialized`` as Python attributes are boxes refreshed by every update entry
    point: after each step they equal the C state that ``compute`` reports for a fresh twin fed the
    same prefix, through handle_bar, update_from_bars/trades/quotes, compute and reset."""
    from alphaforge._core.records import BAR_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE

    df = orcl.head(80)
    c = cols(df)
    ref = compute(make(), **c)
    ind = make()
    assert ind.value == 0.0 and ind.initialized is False
    for i, row in enumerate(df.itertuples()):
        ind.handle_bar(SimpleNamespace(open=row.Open, high=row.High, low=row.Low, close=row.Close,
                                       volume=row.Volume, ts_event=0))
        assert ind.value == ref["value"][i] or (math.isnan(ind.value) and math.isnan(ref["value"][i])), i
        assert ind.initialized is bool(ref["initialized"][i]), i
    ind.reset()
    assert ind.value == 0.0 and ind.initialized is False
    recs = np.zeros(len(df), dtype=BAR_DTYPE)
    for f in ("high", "low", "close", "volume"):
        recs[f] = np.round(c[f] * 1e6).astype(np.int64) * 1000
    update_from_bars(ind, recs[:1])
    assert ind.value == ind.outputs()["value"] and ind.count == 1
    update_from_bars(ind, recs[1:])
    assert ind.value == ind.outputs()["value"] and ind.initialized is True
    for dtype, fill, update in ((TRADE_TICK_DTYPE, ("price", "size"), update_from_trades),
                                (QUOTE_TICK_DTYPE, ("bid_price", "ask_price"), update_from_quotes)):
        ind.reset()
        ticks = np.zeros(3, dtype=dtype)
        ticks[fill[0]] = 10_000_000_000 + np.arange(3) * 1_000_000_000
        ticks[fill[1]] = 2_000_000_000 if dtype is TRADE_TICK_DTYPE else ticks[fill[0]] + 1_000_000_000
        update(ind, ticks)
        assert ind.value == ind.outputs()["value"] and ind.count == 3
    fresh = make()
    compute(fresh, **c)
    assert fresh.value == ref["value"][-1] and fresh.initialized is True
    with pytest.raises(AttributeError):
        fresh.value = 1.0


def test_indicator_value_loads_specialize():
    """Strategies read ``indicator.value`` / ``.initialized`` every bar: the loads must specialize
    in the interpreter (slot members, LOAD_ATTR_SLOT); a getset property never does."""
    import dis
    import sys

    ema = EMA(3)

    def read(ind):
        return ind.value if ind.initialized else -1.0

    for x in range(200):  # past the specializer's warm-up
        ema.update_raw(float(x))
        assert read(ema) == (ema.outputs()["value"] if x >= 2 else -1.0)
    if sys.version_info >= (3, 11):
        ops = [i.opname for i in dis.get_instructions(read, adaptive=True) if i.opname.startswith("LOAD_ATTR")]
        assert ops == ["LOAD_ATTR_SLOT", "LOAD_ATTR_SLOT"], ops


def test_value_read_before_an_update_keeps_its_number():
    # the indicator may rewrite its boxed value in place only while nothing else holds it
    from alphaforge.indicators import EMA

    ema = EMA(2)
    closes = [10.0, 11.0, 13.0, 12.0, 15.0]
    alpha = 2.0 / 3.0
    expected = []
    e = (closes[0] + closes[1]) / 2.0            # seeded with the SMA of the first 2
    expected.append(e)
    for c in closes[2:]:
        e = alpha * c + (1 - alpha) * e
        expected.append(e)
    held = []
    for c in closes:
        ema.update_raw(c)
        if ema.initialized:
            held.append(ema.value)               # kept across the next updates
    assert held == pytest.approx(expected)
    assert ema.value == pytest.approx(expected[-1])
    assert held[0] is not held[1]
