"""Statistics against hand-worked examples and independent plain-Python / numpy references."""

from __future__ import annotations

import csv
import math
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from alphaforge.analysis import (
    StatisticsError,
    compute_statistics,
    drawdown_series,
    format_statistics,
    infer_periods_per_year,
    monthly_returns,
    returns_from_equity,
    to_equity_series,
)

DAY = pd.Timedelta(days=1)


def daily(values, start="2024-01-01"):
    idx = pd.date_range(start, periods=len(values), freq="D", tz="UTC")
    return pd.Series(np.asarray(values, dtype=float), index=idx)


# -- hand-worked equity curve [100, 110, 99, 120] ---------------------------------------------------


def test_hand_worked_returns_drawdown_and_duration():
    eq = daily([100, 110, 99, 120])
    r = returns_from_equity(eq)
    assert r.tolist() == pytest.approx([0.10, -0.10, 120 / 99 - 1])
    assert list(r.index) == list(eq.index[1:])
    assert drawdown_series(eq).tolist() == pytest.approx([0.0, 0.0, -0.10, 0.0])

    s = compute_statistics(eq)
    assert s["final_equity"] == 120.0
    assert s["starting_equity"] == 100.0
    assert s["total_pnl"] == pytest.approx(20.0)
    assert s["total_return"] == pytest.approx(0.20)
    assert s["max_drawdown"] == pytest.approx(-0.10)
    assert s["max_drawdown_peak"] == pd.Timestamp("2024-01-02", tz="UTC")
    assert s["max_drawdown_trough"] == pd.Timestamp("2024-01-03", tz="UTC")
    # peak at day 2 (110), back at/above 110 on day 4 (120): 2 days under water
    assert s["max_drawdown_duration"] == pd.Timedelta(days=2)
    assert s["max_drawdown_duration_ns"] == 2 * 86_400 * 10**9
    assert s["max_drawdown_recovered"] is True
    assert s["samples"] == 4
    assert s["start"] == eq.index[0] and s["end"] == eq.index[-1]


def test_hand_worked_sharpe_sortino_volatility_on_four_points():
    s = compute_statistics(daily([100, 110, 99, 120]), periods_per_year=252)
    r = [0.10, -0.10, 120 / 99 - 1]
    mean = sum(r) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in r) / 2)
    dd = math.sqrt((0.10**2) / 3)  # only the -10% period is below the 0 target
    assert s["volatility"] == pytest.approx(sd * math.sqrt(252))
    assert s["sharpe"] == pytest.approx(mean / sd * math.sqrt(252))
    assert s["sortino"] == pytest.approx(mean / dd * math.sqrt(252))
    years = 3 / 365.25
    cagr = 1.2 ** (1 / years) - 1
    assert s["cagr"] == pytest.approx(cagr)
    assert s["calmar"] == pytest.approx(cagr / 0.10)


def test_unrecovered_drawdown_runs_to_last_sample():
    s = compute_statistics(daily([100, 120, 90, 100, 110]))
    assert s["max_drawdown"] == pytest.approx(-0.25)
    assert s["max_drawdown_duration"] == pd.Timedelta(days=3)  # peak day 1 -> last sample day 4
    assert s["max_drawdown_recovered"] is False


def test_duration_is_longest_episode_not_deepest():
    # episode 1: peak 100 at day 0, recovered at day 3 (101): 3 days, -10%
    # episode 2: peak 101 at day 3, recovered at day 5 (102): 2 days, -20.8%
    s = compute_statistics(daily([100, 90, 95, 101, 80, 102]))
    assert s["max_drawdown"] == pytest.approx(80 / 101 - 1)
    assert s["max_drawdown_peak"] == pd.Timestamp("2024-01-04", tz="UTC")
    assert s["max_drawdown_duration"] == pd.Timedelta(days=3)
    assert s["max_drawdown_recovered"] is True


def test_cagr_exact_two_years_and_starting_equity():
    t0 = pd.Timestamp("2020-01-01", tz="UTC")
    eq = pd.Series([100.0, 121.0], index=[t0, t0 + pd.Timedelta(days=730.5)])
    s = compute_statistics(eq)
    assert s["cagr"] == pytest.approx(0.10)
    # an explicit starting equity is the base of total return and CAGR
    s2 = compute_statistics(eq, starting_equity=84.03)
    assert s2["total_return"] == pytest.approx(121 / 84.03 - 1)
    assert s2["cagr"] == pytest.approx((121 / 84.03) ** 0.5 - 1)
    # everything lost
    s3 = compute_statistics(pd.Series([100.0, 0.0], index=eq.index))
    assert s3["cagr"] == -1.0
    assert s3["total_return"] == -1.0


def test_risk_free_rate_is_compounded_per_period():
    eq = daily([100, 101, 100.5, 102, 101.7, 103])
    s = compute_statistics(eq, risk_free_rate=0.05, periods_per_year=252)
    v = eq.to_numpy()
    r = v[1:] / v[:-1] - 1
    rf = 1.05 ** (1 / 252) - 1
    ex = r - rf
    assert s["sharpe"] == pytest.approx(ex.mean() / r.std(ddof=1) * math.sqrt(252))
    assert s["sortino"] == pytest.approx(ex.mean() / math.sqrt(np.mean(np.minimum(ex, 0) ** 2)) * math.sqrt(252))
    assert s["risk_free_rate"] == 0.05


# -- independent reference on a real series ------------------------------------------------------


def _orcl_closes(shared_data):
    dates, closes = [], []
    with open(shared_data / "bars" / "orcl-1995-2014.txt", newline="") as fh:
        for row in csv.DictReader(fh):
            dates.append(datetime.strptime(row["Date"], "%Y-%m-%d").replace(tzinfo=timezone.utc))
            closes.append(float(row["Close"]))
    return dates, closes


def test_real_series_against_numpy_reference(shared_data):
    dates, closes = _orcl_closes(shared_data)
    assert len(closes) == 5036
    eq = pd.Series(closes, index=pd.DatetimeIndex(dates))
    s = compute_statistics(eq, risk_free_rate=0.02)

    # plain numpy / Python reference, written independently of the module
    c = np.array(closes)
    r = c[1:] / c[:-1] - 1.0
    ppy = 252.0  # weekday daily bars
    rf = 1.02 ** (1 / ppy) - 1
    ex = r - rf
    sharpe = ex.mean() / r.std(ddof=1) * np.sqrt(ppy)
    downside = np.sqrt(np.mean(np.where(ex < 0, ex, 0.0) ** 2))
    sortino = ex.mean() / downside * np.sqrt(ppy)
    years = (dates[-1] - dates[0]).total_seconds() / (365.25 * 86400)
    cagr = (closes[-1] / closes[0]) ** (1 / years) - 1
    peak, mdd, peak_date, longest, recovered = closes[0], 0.0, dates[0], 0.0, True
    under = False
    for d, x in zip(dates, closes, strict=True):
        if x >= peak:
            if under:
                longest = max(longest, (d - peak_date).total_seconds())
                under = False
            peak, peak_date = x, d
        else:
            under = True
            mdd = min(mdd, x / peak - 1)
    if under and (dates[-1] - peak_date).total_seconds() > longest:
        longest, recovered = (dates[-1] - peak_date).total_seconds(), False

    assert s["periods_per_year"] == 252.0
    assert s["sharpe"] == pytest.approx(sharpe, rel=1e-10)
    assert s["sortino"] == pytest.approx(sortino, rel=1e-10)
    assert s["volatility"] == pytest.approx(r.std(ddof=1) * np.sqrt(ppy), rel=1e-10)
    assert s["cagr"] == pytest.approx(cagr, rel=1e-10)
    assert s["max_drawdown"] == pytest.approx(mdd, rel=1e-12)
    assert s["max_drawdown_duration"].total_seconds() == longest
    assert s["max_drawdown_recovered"] is recovered
    assert s["calmar"] == pytest.approx(cagr / abs(mdd), rel=1e-10)
    # ORCL lost more than 80% from the 2000 peak
    assert s["max_drawdown"] < -0.8


def test_monthly_returns_real_series_against_pandas_free_reference(shared_data):
    dates, closes = _orcl_closes(shared_data)
    table = monthly_returns(pd.Series(closes, index=pd.DatetimeIndex(dates)))
    last: dict[tuple[int, int], float] = {}
    for d, x in zip(dates, closes, strict=True):
        last[(d.year, d.month)] = x
    keys = sorted(last)
    prev = closes[0]
    for k in keys:
        assert table.loc[k[0], k[1]] == pytest.approx(last[k] / prev - 1, rel=1e-12)
        prev = last[k]
    assert list(table.index) == list(range(1995, 2015))
    assert not table.isna().any().any()


# -- trade statistics ------------------------------------------------------------------------------


def _positions(pnls, closed=None, opened=None, closed_at=None):
    n = len(pnls)
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    closed = [True] * n if closed is None else closed
    opened = opened or [t0 + i * DAY for i in range(n)]
    closed_at = closed_at or [o + pd.Timedelta(hours=1) if c else pd.NaT for o, c in zip(opened, closed, strict=True)]
    return pd.DataFrame({
        "position_id": [f"P-{i}" for i in range(n)], "instrument_id": "TEST.SIM", "strategy_id": "S-1",
        "side": "LONG", "quantity": 1.0, "avg_px_open": 100.0, "avg_px_close": 101.0,
        "realized_pnl": pnls, "commissions": 0.0, "ts_opened": opened,
        "ts_closed": pd.to_datetime(pd.Series(closed_at), utc=True), "is_closed": closed,
    })


def test_trade_statistics_hand_table():
    pos = _positions([100.0, -50.0, 0.0, 30.0, -20.0, 999.0], closed=[True] * 5 + [False])
    s = compute_statistics(daily([100.0] * 8), pos)
    assert s["trade_count"] == 5  # the open position is not a trade
    assert s["winners"] == 2 and s["losers"] == 2
    assert s["win_rate"] == pytest.approx(0.4)
    assert s["gross_profit"] == pytest.approx(130.0)
    assert s["gross_loss"] == pytest.approx(-70.0)
    assert s["profit_factor"] == pytest.approx(130 / 70)
    assert s["expectancy"] == pytest.approx(60 / 5)
    assert s["avg_win"] == pytest.approx(65.0)
    assert s["avg_loss"] == pytest.approx(-35.0)
    assert s["largest_win"] == 100.0 and s["largest_loss"] == -50.0


def test_profit_factor_edge_cases():
    eq = daily([100.0, 101.0, 102.0])
    only_wins = compute_statistics(eq, _positions([5.0, 7.0]))
    assert only_wins["profit_factor"] == math.inf
    assert only_wins["win_rate"] == 1.0
    assert math.isnan(only_wins["avg_loss"])
    only_flat = compute_statistics(eq, _positions([0.0]))
    assert math.isnan(only_flat["profit_factor"]) and only_flat["win_rate"] == 0.0
    assert only_flat["expectancy"] == 0.0
    none = compute_statistics(eq, _positions([]))
    assert none["trade_count"] == 0
    for key in ("win_rate", "profit_factor", "expectancy", "avg_win", "avg_loss"):
        assert math.isnan(none[key]), key
    assert compute_statistics(eq, None)["trade_count"] == 0


def test_is_closed_inferred_from_ts_closed_and_int_ns_times():
    pos = _positions([10.0, -4.0, 3.0], closed=[True, True, False]).drop(columns=["is_closed"])
    s = compute_statistics(daily([100.0] * 5), pos)
    assert s["trade_count"] == 2
    assert s["profit_factor"] == pytest.approx(10 / 4)
    # int64 ns times, 0 meaning "not closed": 1 h + 1 h + open from day 2 to day 4 = 2 days 2 h of 4 days
    pos["ts_opened"] = pd.DatetimeIndex(pos["ts_opened"]).as_unit("ns").asi8
    pos["ts_closed"] = pos["ts_closed"].dt.as_unit("ns").astype("int64").where(pos["ts_closed"].notna(), 0)
    s2 = compute_statistics(daily([100.0] * 5), pos)
    assert s2["trade_count"] == 2
    assert s2["exposure"] == pytest.approx((2 / 24 + 2) / 4)


def test_exposure_is_union_of_open_intervals_clipped_to_window():
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    eq = daily([100.0] * 11)  # day 0 .. day 10
    opened = [t0 + 1 * DAY, t0 + 2 * DAY, t0 + 8 * DAY, t0 - 2 * DAY]
    closed_at = [t0 + 3 * DAY, t0 + 5 * DAY, pd.NaT, t0 + 0.5 * DAY]
    pos = _positions([1.0, 1.0, 0.0, 1.0], closed=[True, True, False, True], opened=opened, closed_at=closed_at)
    s = compute_statistics(eq, pos)
    # [1,3] u [2,5] = 4 days; [8, open -> 10] = 2 days; [-2, 0.5] clipped to [0, 0.5] = 0.5 day
    assert s["exposure"] == pytest.approx(6.5 / 10)


def test_turnover_and_commissions_from_fills():
    eq = daily([100.0, 200.0, 300.0])  # mean equity 200
    fills = pd.DataFrame({
        "ts_event": eq.index, "instrument_id": "TEST.SIM", "client_order_id": ["O-1", "O-2", "O-3"],
        "side": ["BUY", "SELL", "BUY"], "last_px": [10.0, 10.0, 5.0], "last_qty": [100.0, 100.0, 100.0],
        "liquidity_side": "TAKER", "commission": [1.0, 1.0, 0.5], "notional": [1000.0, 1000.0, 500.0],
    })
    s = compute_statistics(eq, None, fills)
    assert s["traded_notional"] == 2500.0
    assert s["turnover"] == pytest.approx(2500 / 200)
    assert s["total_commissions"] == pytest.approx(2.5)
    assert s["fill_count"] == 3
    # without a notional column: |last_px * last_qty|
    s2 = compute_statistics(eq, None, fills.drop(columns=["notional"]).assign(last_qty=[100.0, -100.0, 100.0]))
    assert s2["traded_notional"] == 2500.0
    # no fills frame: commissions from the positions report
    pos = _positions([1.0, 2.0]).assign(commissions=[0.25, 0.5])
    assert compute_statistics(eq, pos, None)["total_commissions"] == pytest.approx(0.75)


# -- edge cases -------------------------------------------------------------------------------------


def test_constant_equity():
    s = compute_statistics(daily([1000.0] * 30))
    assert s["volatility"] == 0.0
    assert math.isnan(s["sharpe"]) and math.isnan(s["sortino"]) and math.isnan(s["calmar"])
    assert s["max_drawdown"] == 0.0
    assert s["max_drawdown_duration"] == pd.Timedelta(0)
    assert s["total_return"] == 0.0 and s["cagr"] == 0.0


def test_only_gains_gives_infinite_sortino():
    s = compute_statistics(daily([100.0, 101.0, 103.0, 104.0]))
    assert s["sortino"] == math.inf
    assert s["max_drawdown"] == 0.0


def test_single_sample_and_empty():
    one = compute_statistics(daily([105.0]), starting_equity=100.0)
    assert one["final_equity"] == 105.0
    assert one["total_return"] == pytest.approx(0.05)
    for key in ("cagr", "volatility", "sharpe", "sortino", "calmar", "exposure", "win_rate"):
        assert math.isnan(one[key]), key
    assert one["max_drawdown"] == 0.0
    assert returns_from_equity(daily([105.0])).empty
    empty = compute_statistics(pd.Series([], dtype=float, index=pd.DatetimeIndex([], tz="UTC")),
                               starting_equity=100.0)
    assert empty["final_equity"] == 100.0 and empty["samples"] == 0
    assert empty["start"] is None


# -- periods per year ---------------------------------------------------------------------------------


def test_periods_per_year_rule():
    weekdays = pd.bdate_range("2024-01-01", periods=60, tz="UTC")
    assert infer_periods_per_year(pd.Series(1.0, index=weekdays)) == 252.0
    every_day = pd.date_range("2024-01-01", periods=60, freq="D", tz="UTC")
    assert infer_periods_per_year(pd.Series(1.0, index=every_day)) == 365.0
    minutes_247 = pd.date_range("2024-01-05", periods=3 * 1440, freq="min", tz="UTC")  # Fri..Sun
    assert infer_periods_per_year(pd.Series(1.0, index=minutes_247)) == 365.0 * 1440
    # Mon..Wed only: no Saturday seen, so the 252-day year applies (pass periods_per_year= to override)
    minutes_weekdays = pd.date_range("2024-01-01", periods=3 * 1440, freq="min", tz="UTC")
    assert infer_periods_per_year(pd.Series(1.0, index=minutes_weekdays)) == 252.0 * 1440
    session = [pd.date_range(d + pd.Timedelta(hours=14, minutes=30), periods=390, freq="min")
               for d in pd.bdate_range("2024-01-01", periods=10, tz="UTC")]
    intraday = session[0].append(session[1:])
    assert infer_periods_per_year(pd.Series(1.0, index=intraday)) == 252.0 * 390
    weekly = pd.date_range("2024-01-05", periods=20, freq="W-FRI", tz="UTC")
    assert infer_periods_per_year(pd.Series(1.0, index=weekly)) == 52.0
    monthly = pd.date_range("2020-01-31", periods=24, freq=pd.offsets.MonthEnd(), tz="UTC")
    assert infer_periods_per_year(pd.Series(1.0, index=monthly)) == 12.0
    assert infer_periods_per_year(daily([1.0])) == 252.0


def test_periods_per_year_override_changes_annualisation():
    eq = daily([100, 101, 100.5, 102, 101.7, 103])
    a = compute_statistics(eq, periods_per_year=252)
    b = compute_statistics(eq, periods_per_year=365)
    assert b["periods_per_year"] == 365.0
    assert b["sharpe"] == pytest.approx(a["sharpe"] * math.sqrt(365 / 252))
    assert b["volatility"] == pytest.approx(a["volatility"] * math.sqrt(365 / 252))


# -- monthly table ------------------------------------------------------------------------------------


def test_monthly_returns_hand_worked():
    idx = pd.DatetimeIndex(["2023-12-01", "2024-01-15", "2024-01-31", "2024-02-29", "2024-04-30"], tz="UTC")
    eq = pd.Series([100.0, 105.0, 110.0, 99.0, 120.0], index=idx)
    t = monthly_returns(eq)
    assert list(t.index) == [2023, 2024] and list(t.columns) == list(range(1, 13))
    assert t.loc[2023, 12] == 0.0  # one sample: base is the first sample itself
    assert t.loc[2024, 1] == pytest.approx(0.10)
    assert t.loc[2024, 2] == pytest.approx(-0.10)
    assert math.isnan(t.loc[2024, 3])  # no sample in March
    assert t.loc[2024, 4] == pytest.approx(120 / 99 - 1)  # spans the gap
    assert t.loc[2023, 1:11].isna().all()
    t50 = monthly_returns(eq, starting_equity=50.0)
    assert t50.loc[2023, 12] == pytest.approx(1.0)


# -- inputs ---------------------------------------------------------------------------------------------


def test_input_forms_agree():
    eq = daily([100, 110, 99, 120])
    ns = eq.index.as_unit("ns").asi8
    ref = compute_statistics(eq)
    for form in ((ns, eq.to_numpy()),
                 pd.DataFrame({"ts_ns": ns, "equity": eq.to_numpy()}),
                 pd.Series(eq.to_numpy(), index=eq.index.tz_localize(None)),
                 pd.Series(eq.to_numpy(), index=ns),
                 pd.Series(eq.to_numpy(), index=eq.index.as_unit("us")),
                 pd.Series(eq.to_numpy(), index=eq.index.tz_convert("America/New_York"))):
        s = compute_statistics(form)
        for key in ("total_return", "sharpe", "max_drawdown", "max_drawdown_duration_ns", "cagr"):
            assert s[key] == ref[key], (key, type(form))


def test_duplicate_timestamps_keep_last():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"], tz="UTC")
    s = to_equity_series(pd.Series([100.0, 50.0, 110.0, 120.0], index=idx))
    assert s.tolist() == [100.0, 110.0, 120.0]


def test_bad_inputs_raise_naming_the_problem():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-02"], tz="UTC")
    with pytest.raises(StatisticsError, match="sample 2"):
        compute_statistics(pd.Series([1.0, 2.0, 3.0], index=idx))
    with pytest.raises(StatisticsError, match="non-finite value nan at sample 1"):
        compute_statistics(daily([1.0, float("nan"), 2.0]))
    with pytest.raises(StatisticsError, match="realized_pnl"):
        compute_statistics(daily([1.0, 2.0]), pd.DataFrame({"ts_opened": [0]}))
    with pytest.raises(StatisticsError, match="starting_equity"):
        compute_statistics(daily([1.0, 2.0]), starting_equity=0.0)
    t0 = pd.Timestamp("2024-01-02", tz="UTC")
    pos = _positions([1.0], opened=[t0], closed_at=[t0 - DAY])
    with pytest.raises(StatisticsError, match="row 0 closes"):
        compute_statistics(daily([1.0, 2.0, 3.0]), pos)
    with pytest.raises(StatisticsError, match="equity"):
        compute_statistics(pd.DataFrame({"a": [1.0], "b": [2.0]}))


def test_format_statistics_text():
    s = compute_statistics(daily([100, 110, 99, 120]), _positions([5.0]), base_currency="USD")
    text = format_statistics(s)
    lines = {line.split("  ")[0].strip(): line.split()[-1] for line in text.splitlines()[2:-1]}
    assert lines["Max drawdown"] == "-10.00%"
    assert lines["Total return"] == "20.00%"
    assert lines["Final equity"] == "120.00"
    assert lines["Profit factor"] == "inf"
    assert lines["Average loss"] == "n/a"
    assert lines["Base currency"] == "USD"
    assert "2 days 00:00:00" in text
    assert text.splitlines()[0] == "Performance statistics"


def test_format_statistics_engine_extras():
    s = compute_statistics(daily([100.0, 101.0]))
    s.update({"events": 12345, "elapsed_s": 0.5, "fills": 0, "custom_metric": 1.5})
    text = format_statistics(s, title=None)
    assert sum(1 for line in text.splitlines() if line.startswith("Fills ")) == 1
    assert "Data events processed" in text and "12,345" in text
    assert any(line.startswith("Custom metric") and line.endswith("1.5") for line in text.splitlines())
    assert "duration ns" not in text.lower()
