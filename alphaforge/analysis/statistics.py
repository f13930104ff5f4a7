"""Performance statistics of a backtest: returns, risk, drawdowns and trade statistics.

Inputs (what ``BacktestResult`` passes; any of them may be empty):

* ``equity``: account equity in the base currency, sampled at a fixed interval. A pandas Series
  indexed by a DatetimeIndex (tz-naive is taken as UTC) or by int64 UNIX ns, a one-column
  DataFrame (or one with an ``equity`` column, optionally a ``ts_ns``/``ts_event``/``timestamp``
  column for the time), or a pair ``(ts_ns, equity)`` of arrays. Times must be non-decreasing;
  for repeated timestamps the last sample wins. Non-finite values raise ``StatisticsError``.
* ``positions``: one row per position (closed round trips and open ones) with at least
  ``realized_pnl`` (float, base currency, net of commissions) and ``ts_opened``/``ts_closed``
  (UTC datetimes or int64 ns; ``ts_closed`` NaT/0 while open); ``is_closed`` (if absent a position
  is closed when it has a ``ts_closed``).
* ``fills``: one row per fill with ``commission`` and ``notional`` (or ``last_px`` and
  ``last_qty``, notional = |last_px * last_qty|). Amounts are summed as given (the engine reports
  them in the base currency).

Definitions (``E_0..E_n`` the equity samples at times ``t_0..t_n``; ``S`` the starting equity,
by default ``E_0``; ``P`` periods per year; ``r_i = E_i / E_{i-1} - 1`` for ``i = 1..n``):

* ``final_equity`` = ``E_n``; ``total_pnl`` = ``E_n - S``; ``total_return`` = ``E_n / S - 1``.
* ``cagr`` = ``(E_n / S) ** (1 / years) - 1`` with ``years = (t_n - t_0) ns / (365.25 days)``;
  NaN when ``years == 0``; ``-1.0`` when ``E_n <= 0`` (everything lost).
* ``rf_period`` = ``(1 + risk_free_rate) ** (1 / P) - 1`` (the annual rate compounded per period).
* ``volatility`` = ``std(r, ddof=1) * sqrt(P)``; NaN with fewer than 2 returns.
* ``sharpe`` = ``mean(r - rf_period) / std(r, ddof=1) * sqrt(P)``; NaN with fewer than 2 returns
  or when ``std(r) == 0`` (constant equity has no defined Sharpe ratio; NaN, never 0 or inf).
  ``volatility``, ``sharpe`` and ``sortino`` are also NaN when some return is not finite (an
  equity sample of exactly 0 followed by another).
* ``sortino`` = ``mean(r - rf_period) / DD * sqrt(P)`` with the downside deviation
  ``DD = sqrt(mean(min(r - rf_period, 0) ** 2))`` over all ``n`` returns (target = the risk-free
  rate, population form); NaN with fewer than 2 returns; when ``DD == 0``: ``+inf`` if the mean
  excess return is positive, NaN otherwise.
* ``drawdown_i`` = ``E_i / max(E_0..E_i) - 1`` (<= 0); ``max_drawdown`` = ``min(drawdown)`` (a
  negative fraction, 0.0 when equity never fell); ``max_drawdown_peak`` / ``max_drawdown_trough``
  are the times of the peak before and of the bottom of that deepest drawdown.
* ``max_drawdown_duration``: the longest time under water, i.e. the maximum over drawdown episodes
  of ``t_recovery - t_peak``, where ``t_peak`` is the time of the last running maximum before the
  equity fell below it and ``t_recovery`` the first sample back at or above that maximum (the last
  sample ``t_n`` if it never recovered; ``max_drawdown_recovered`` says whether the longest one
  did). Given as ``max_drawdown_duration_ns`` (int ns) and ``max_drawdown_duration``
  (``pandas.Timedelta``); 0 when there is no drawdown.
* ``calmar`` = ``cagr / |max_drawdown|``; NaN when ``max_drawdown == 0`` or ``cagr`` is NaN.
* Trades are the closed positions; ``pnl_k`` their ``realized_pnl``. ``trade_count`` = number of
  closed positions; winners have ``pnl > 0``, losers ``pnl < 0`` (break-even trades count in
  ``trade_count`` only). ``win_rate`` = ``winners / trade_count``; ``gross_profit`` = sum of
  winners' PnL, ``gross_loss`` = sum of losers' PnL (<= 0); ``profit_factor`` =
  ``gross_profit / |gross_loss|`` (``+inf`` when there are winners and no losers, NaN when there
  are no trades or neither winners nor losers); ``expectancy`` = ``mean(pnl)`` over closed trades;
  ``avg_win`` = mean PnL of winners, ``avg_loss`` = mean PnL of losers (negative);
  ``largest_win``/``largest_loss`` the extremes. All trade ratios are NaN when undefined (no
  trades, no winners for ``avg_win``, ...).
* ``exposure`` = length of the union of the intervals ``[ts_opened, ts_closed]`` of all positions
  (open positions run to ``t_n``), clipped to ``[t_0, t_n]``, divided by ``t_n - t_0`` (fraction
  of time at least one position was open); NaN when ``t_n == t_0``.
* ``traded_notional`` = ``sum(|notional|)`` over fills; ``turnover`` = ``traded_notional /
  mean(E)``; ``total_commissions`` = ``sum(commission)`` over fills (over positions'
  ``commissions`` when no fills frame is given); ``fill_count`` = number of fills.

Periods per year (``infer_periods_per_year``; pass ``periods_per_year=`` to override): with
``dt`` the median interval between samples and "24/7" meaning some sample falls on a Saturday
(UTC), ``dt >= 4 days`` -> ``round(365.25 days / dt)`` (weekly 52, monthly 12); ``20 h <= dt < 4
days`` (daily) -> 365 if 24/7 else 252; ``dt < 20 h`` (intraday) -> ``(365 if 24/7 else 252) *
median number of samples per UTC calendar day``; fewer than 2 distinct samples -> 252.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "StatisticsError",
    "compute_statistics",
    "drawdown_series",
    "infer_periods_per_year",
    "monthly_returns",
    "returns_from_equity",
    "to_equity_series",
]

NS_PER_DAY = 86_400_000_000_000
NS_PER_YEAR = 36525 * NS_PER_DAY // 100  # 365.25 days, the CAGR year
_TIME_COLUMNS = ("ts_ns", "ts_event", "timestamp", "ts", "time")


class StatisticsError(ValueError):
    """Bad input to the statistics (names the frame, column and row or time at fault)."""


# -- input coercion ------------------------------------------------------------------------------


def _to_utc_index(values: Any, what: str) -> pd.DatetimeIndex:
    """UTC DatetimeIndex from datetimes (tz-naive taken as UTC) or int64 UNIX ns."""
    if isinstance(values, pd.DatetimeIndex):
        idx = values
    else:
        arr = values.to_numpy() if isinstance(values, (pd.Index, pd.Series)) else np.asarray(values)
        if arr.dtype.kind in "iu":
            idx = pd.DatetimeIndex(pd.to_datetime(arr.astype(np.int64), unit="ns", utc=True))
        else:
            try:
                idx = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
            except (TypeError, ValueError) as exc:
                raise StatisticsError(f"{what}: times are neither datetimes nor int64 ns ({exc})") from exc
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    elif str(idx.tz) != "UTC":
        idx = idx.tz_convert("UTC")
    return idx.as_unit("ns")


def to_equity_series(equity: Any) -> pd.Series:
    """The equity curve as a float64 Series on a UTC DatetimeIndex (ns), sorted, one value per time.

    Accepts the forms listed in the module docstring. Raises ``StatisticsError`` for decreasing
    times (naming the first offending position and times), non-finite values (naming the first
    time) or an unrecognised shape. Repeated timestamps keep the last sample.
    """
    if isinstance(equity, pd.Series):
        values, times = equity.to_numpy(dtype=np.float64, copy=True), equity.index
    elif isinstance(equity, pd.DataFrame):
        df = equity
        tcol = next((c for c in _TIME_COLUMNS if c in df.columns), None)
        vcols = [c for c in df.columns if c != tcol]
        if "equity" in df.columns:
            vcol = "equity"
        elif len(vcols) == 1:
            vcol = vcols[0]
        else:
            raise StatisticsError(f"equity: DataFrame needs an 'equity' column (has {list(df.columns)})")
        values = df[vcol].to_numpy(dtype=np.float64, copy=True)
        times = df[tcol] if tcol is not None else df.index
    elif isinstance(equity, (tuple, list)) and len(equity) == 2:
        times = np.asarray(equity[0])
        values = np.asarray(equity[1], dtype=np.float64).copy()
        if times.shape != values.shape or values.ndim != 1:
            raise StatisticsError(
                f"equity: ts_ns and equity arrays differ in shape ({times.shape} vs {values.shape})")
    else:
        raise StatisticsError(
            "equity: expected a pandas Series, a DataFrame with an 'equity' column or a (ts_ns, equity) "
            f"pair, got {type(equity).__name__}")
    idx = _to_utc_index(times, "equity")
    if len(idx) != len(values):
        raise StatisticsError("equity: times and values differ in length")
    ns = idx.asi8
    steps = np.diff(ns) if len(ns) > 1 else np.empty(0, dtype=np.int64)
    if len(steps) and steps.min() < 0:
        back = np.flatnonzero(steps < 0)
        if len(back):
            i = int(back[0]) + 1
            raise StatisticsError(
                f"equity: timestamps must be non-decreasing; sample {i} at {idx[i]} comes before "
                f"sample {i - 1} at {idx[i - 1]}")
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        i = int(bad[0])
        raise StatisticsError(f"equity: non-finite value {values[i]} at sample {i} ({idx[i]})")
    s = pd.Series(values, index=idx, name="equity")
    if len(steps) and steps.min() == 0:
        s = s[~s.index.duplicated(keep="last")]
    return s


def _frame(obj: Any, what: str) -> pd.DataFrame | None:
    if obj is None:
        return None
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, Mapping) or isinstance(obj, (list, tuple)):
        return pd.DataFrame(obj)
    raise StatisticsError(f"{what}: expected a pandas DataFrame, got {type(obj).__name__}")


def _require(df: pd.DataFrame, what: str, *cols: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise StatisticsError(f"{what}: missing column(s) {missing} (has {list(df.columns)})")


def _float_col(df: pd.DataFrame, what: str, col: str) -> np.ndarray:
    try:
        arr = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatisticsError(f"{what}: column {col!r} is not numeric ({exc})") from exc
    bad = np.flatnonzero(~np.isfinite(arr))
    if len(bad):
        i = int(bad[0])
        raise StatisticsError(f"{what}: non-finite {col!r} in row {df.index[i]!r}: {arr[i]}")
    return arr


def _ns_col(series: pd.Series) -> np.ndarray:
    """int64 ns from a datetime or int column; NaT/NaN/0 become -1 (meaning 'none')."""
    if pd.api.types.is_integer_dtype(series.dtype):
        out = series.to_numpy(dtype=np.int64).copy()
        out[out == 0] = -1
        return out
    if pd.api.types.is_numeric_dtype(series.dtype):
        arr = series.to_numpy(dtype=np.float64)
        out = np.where(np.isfinite(arr) & (arr != 0), arr, -1).astype(np.int64)
        return out
    idx = pd.DatetimeIndex(pd.to_datetime(series, utc=True)).as_unit("ns")
    out = idx.asi8.copy()
    out[idx.isna()] = -1
    return out


# -- returns-based helpers -----------------------------------------------------------------------


def returns_from_equity(equity: Any) -> pd.Series:
    """Simple period returns ``r_i = E_i / E_{i-1} - 1`` (fractions), indexed by the time of ``E_i``.

    One fewer value than equity samples (empty for 0 or 1 sample). A zero previous equity gives
    ``inf``/NaN, as the division does.
    """
    s = to_equity_series(equity)
    v = s.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = v[1:] / v[:-1] - 1.0
    return pd.Series(r, index=s.index[1:], name="returns")


def drawdown_series(equity: Any) -> pd.Series:
    """Drawdown from the running peak, ``E_i / max(E_0..E_i) - 1`` (fractions, <= 0), per sample."""
    s = to_equity_series(equity)
    v = s.to_numpy()
    peak = np.maximum.accumulate(v) if len(v) else v
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = v / peak - 1.0
    return pd.Series(dd, index=s.index, name="drawdown")


def monthly_returns(equity: Any, starting_equity: float | None = None) -> pd.DataFrame:
    """Calendar-month returns as a year x month table (index: year, columns: 1..12; fractions).

    The return of a month is ``last equity of the month / last equity of the previous month - 1``;
    for the first month the base is ``starting_equity`` (default: the first sample). Months with
    no sample are NaN (the next month's return spans the gap); months outside the data are NaN.
    Months are UTC calendar months.
    """
    s = to_equity_series(equity)
    cols = list(range(1, 13))
    if s.empty:
        return pd.DataFrame(columns=cols, dtype=np.float64).rename_axis(index="year", columns="month")
    base0 = float(s.iloc[0]) if starting_equity is None else float(starting_equity)
    naive = s.tz_localize(None)
    period = naive.index.to_period("M")
    last = naive.groupby(period).last()
    prev = np.concatenate([[base0], last.to_numpy()[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = last.to_numpy() / prev - 1.0
    table = pd.DataFrame({"year": last.index.year, "month": last.index.month, "ret": rets})
    out = table.pivot(index="year", columns="month", values="ret")
    out = out.reindex(index=range(int(out.index.min()), int(out.index.max()) + 1), columns=cols)
    return out.rename_axis(index="year", columns="month").astype(np.float64)


def infer_periods_per_year(equity: Any) -> float:
    """Annualisation factor from the sampling of ``equity`` (rule in the module docstring)."""
    ns = to_equity_series(equity).index.asi8
    if len(ns) < 2:
        return 252.0
    dt = float(np.median(np.diff(ns)))
    day = ns // NS_PER_DAY  # UTC calendar day number (times are sorted)
    days_per_year = 365.0 if bool(((day + 3) % 7 == 5).any()) else 252.0  # 1970-01-01 was a Thursday
    if dt >= 4 * NS_PER_DAY:
        return float(max(1, round(365.25 * NS_PER_DAY / dt)))
    if dt >= 20 * 3_600_000_000_000:
        return days_per_year
    starts = np.flatnonzero(np.diff(day, prepend=day[0] - 1) != 0)
    per_day = np.diff(np.append(starts, len(day)))
    return days_per_year * float(np.median(per_day))


# -- statistics ----------------------------------------------------------------------------------


def _max_drawdown_duration(ns: np.ndarray, v: np.ndarray, peak: np.ndarray) -> tuple[int, bool]:
    """Longest under-water time (ns) and whether that episode recovered (see module docstring);
    ``peak`` is the running maximum of ``v``."""
    n = len(v)
    if n < 2:
        return 0, True
    under = v < peak
    if not under.any():
        return 0, True
    idx = np.arange(n)
    last_peak = np.maximum.accumulate(np.where(under, 0, idx))
    rec = np.flatnonzero(~under[1:] & under[:-1]) + 1  # first sample back at/above the peak
    durations = list(ns[rec] - ns[last_peak[rec - 1]])
    recovered = [True] * len(durations)
    if under[-1]:
        durations.append(ns[-1] - ns[last_peak[-1]])
        recovered.append(False)
    k = int(np.argmax(durations))
    return int(durations[k]), recovered[k]


def _union_length(starts: np.ndarray, ends: np.ndarray) -> int:
    """Total length of the union of the closed intervals [starts_i, ends_i] (ns)."""
    if len(starts) == 0:
        return 0
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    run_end = np.maximum.accumulate(e)
    new_block = np.empty(len(s), dtype=bool)
    new_block[0] = True
    new_block[1:] = s[1:] > run_end[:-1]
    block = np.cumsum(new_block) - 1
    block_start = s[new_block]
    block_end = np.zeros(len(block_start), dtype=np.int64)
    np.maximum.at(block_end, block, e)
    return int((block_end - block_start).sum())


def _nan() -> float:
    return float("nan")


def compute_statistics(
    equity: Any,
    positions: Any = None,
    fills: Any = None,
    starting_equity: float | None = None,
    *,
    base_currency: str | None = None,
    risk_free_rate: float = 0.0,
    periods_per_year: float | None = None,
) -> dict[str, Any]:
    """Performance statistics of one run as a dict (every formula is in the module docstring).

    ``equity``: base-currency equity curve (see ``to_equity_series``); ``positions``/``fills``:
    the positions and fills reports (None or empty for none); ``starting_equity``: the account's
    starting equity in the base currency (default: the first equity sample); ``risk_free_rate``:
    annual, as a fraction (0.02 = 2 %); ``periods_per_year``: annualisation factor (default
    ``infer_periods_per_year(equity)``).

    Keys: final_equity, starting_equity, total_pnl, total_return, cagr, volatility, sharpe,
    sortino, calmar, max_drawdown, max_drawdown_peak, max_drawdown_trough, max_drawdown_duration
    (Timedelta), max_drawdown_duration_ns (int), max_drawdown_recovered, trade_count, winners,
    losers, win_rate, gross_profit, gross_loss, profit_factor, expectancy, avg_win, avg_loss,
    largest_win, largest_loss, exposure, fill_count, traded_notional, turnover, total_commissions,
    start, end (UTC Timestamps or None), samples, periods_per_year, risk_free_rate, base_currency.
    Ratios are plain floats (NaN when undefined, as documented); counts are ints.
    """
    s = to_equity_series(equity)
    v = s.to_numpy()
    ns = s.index.asi8
    n = len(v)
    if starting_equity is None:
        start_eq = float(v[0]) if n else _nan()
    else:
        start_eq = float(starting_equity)
        if not math.isfinite(start_eq) or start_eq <= 0:
            raise StatisticsError(f"starting_equity must be a positive finite amount, got {starting_equity!r}")
    ppy = float(periods_per_year) if periods_per_year is not None else infer_periods_per_year(s)
    if not math.isfinite(ppy) or ppy <= 0:
        raise StatisticsError(f"periods_per_year must be positive, got {periods_per_year!r}")
    rf = float(risk_free_rate)
    if not math.isfinite(rf) or rf <= -1.0:
        raise StatisticsError(f"risk_free_rate must be a finite annual fraction > -1, got {risk_free_rate!r}")

    out: dict[str, Any] = {}
    final = float(v[-1]) if n else (start_eq if starting_equity is not None else _nan())
    out["final_equity"] = final
    out["starting_equity"] = start_eq
    out["total_pnl"] = final - start_eq
    out["total_return"] = final / start_eq - 1.0 if start_eq == start_eq and start_eq != 0 else _nan()

    # CAGR
    elapsed = int(ns[-1] - ns[0]) if n else 0
    years = elapsed / NS_PER_YEAR
    if years <= 0 or not math.isfinite(out["total_return"]):
        cagr = _nan()
    elif final <= 0:
        cagr = -1.0
    else:
        cagr = (final / start_eq) ** (1.0 / years) - 1.0
    out["cagr"] = float(cagr)

    # return-based ratios
    with np.errstate(divide="ignore", invalid="ignore"):
        r = v[1:] / v[:-1] - 1.0 if n > 1 else np.empty(0)
    rf_p = (1.0 + rf) ** (1.0 / ppy) - 1.0
    vol = sharpe = sortino = _nan()
    if len(r) >= 2 and np.isfinite(r).all():
        sd = float(np.std(r, ddof=1))
        excess = r - rf_p
        mean_ex = float(np.mean(excess))
        vol = sd * math.sqrt(ppy)
        sharpe = mean_ex / sd * math.sqrt(ppy) if sd > 0 else _nan()
        dd_dev = math.sqrt(float(np.mean(np.minimum(excess, 0.0) ** 2)))
        if dd_dev > 0:
            sortino = mean_ex / dd_dev * math.sqrt(ppy)
        else:
            sortino = float("inf") if mean_ex > 0 else _nan()
    out["volatility"] = float(vol)
    out["sharpe"] = float(sharpe)
    out["sortino"] = float(sortino)

    # drawdown
    peak = np.maximum.accumulate(v) if n else v
    if n:
        with np.errstate(divide="ignore", invalid="ignore"):
            dd = v / peak - 1.0
        trough = int(np.argmin(dd))
        mdd = float(dd[trough])
        if mdd < 0:
            pk = int(np.flatnonzero(v[: trough + 1] == peak[trough])[-1])
            out_peak, out_trough = s.index[pk], s.index[trough]
        else:
            mdd, out_peak, out_trough = 0.0, None, None
    else:
        mdd, out_peak, out_trough = _nan(), None, None
    dur_ns, recovered = _max_drawdown_duration(ns, v, peak)
    out["max_drawdown"] = mdd
    out["max_drawdown_peak"] = out_peak
    out["max_drawdown_trough"] = out_trough
    out["max_drawdown_duration"] = pd.Timedelta(dur_ns, unit="ns")
    out["max_drawdown_duration_ns"] = dur_ns
    out["max_drawdown_recovered"] = recovered
    out["calmar"] = float(cagr / abs(mdd)) if (mdd < 0 and math.isfinite(cagr)) else _nan()

    # trades (closed positions)
    pos = _frame(positions, "positions")
    pnl = np.empty(0)
    exposure = _nan() if elapsed <= 0 else 0.0
    if pos is not None and len(pos):
        _require(pos, "positions", "realized_pnl")
        if "is_closed" in pos.columns:
            closed = pos["is_closed"].fillna(False).astype(bool).to_numpy()
        else:
            _require(pos, "positions", "ts_closed")
            closed = _ns_col(pos["ts_closed"]) >= 0
        pnl_all = _float_col(pos, "positions", "realized_pnl")
        pnl = pnl_all[closed]
        if elapsed > 0:
            _require(pos, "positions", "ts_opened")
            t_open = _ns_col(pos["ts_opened"])
            if (t_open < 0).any():
                i = int(np.flatnonzero(t_open < 0)[0])
                raise StatisticsError(f"positions: missing 'ts_opened' in row {pos.index[i]!r}")
            t_close = _ns_col(pos["ts_closed"]) if "ts_closed" in pos.columns else np.full(len(pos), -1)
            t_close = np.where(closed & (t_close >= 0), t_close, ns[-1])
            bad = np.flatnonzero(t_close < t_open)
            if len(bad):
                i = int(bad[0])
                raise StatisticsError(
                    f"positions: row {pos.index[i]!r} closes ({t_close[i]} ns) before it opens ({t_open[i]} ns)")
            a = np.clip(t_open, ns[0], ns[-1])
            b = np.clip(t_close, ns[0], ns[-1])
            exposure = _union_length(a, b) / elapsed
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    count = len(pnl)
    gp, gl = float(wins.sum()), float(losses.sum())
    out["trade_count"] = int(count)
    out["winners"] = int(len(wins))
    out["losers"] = int(len(losses))
    out["win_rate"] = len(wins) / count if count else _nan()
    out["gross_profit"] = gp
    out["gross_loss"] = gl
    if len(losses):
        pf = gp / abs(gl)
    elif len(wins):
        pf = float("inf")
    else:
        pf = _nan()
    out["profit_factor"] = float(pf)
    out["expectancy"] = float(pnl.mean()) if count else _nan()
    out["avg_win"] = float(wins.mean()) if len(wins) else _nan()
    out["avg_loss"] = float(losses.mean()) if len(losses) else _nan()
    out["largest_win"] = float(wins.max()) if len(wins) else _nan()
    out["largest_loss"] = float(losses.min()) if len(losses) else _nan()
    out["exposure"] = float(exposure)

    # fills: turnover and commissions
    fl = _frame(fills, "fills")
    notional = commissions = 0.0
    fill_count = 0
    if fl is not None and len(fl):
        fill_count = len(fl)
        if "notional" in fl.columns:
            notional = float(np.abs(_float_col(fl, "fills", "notional")).sum())
        else:
            _require(fl, "fills", "last_px", "last_qty")
            notional = float(np.abs(_float_col(fl, "fills", "last_px") * _float_col(fl, "fills", "last_qty")).sum())
        if "commission" in fl.columns:
            commissions = float(_float_col(fl, "fills", "commission").sum())
    elif fl is None and pos is not None and len(pos) and "commissions" in pos.columns:
        commissions = float(_float_col(pos, "positions", "commissions").sum())
    mean_eq = float(v.mean()) if n else _nan()
    out["fill_count"] = int(fill_count)
    out["traded_notional"] = notional
    out["turnover"] = notional / mean_eq if (n and mean_eq != 0) else _nan()
    out["total_commissions"] = commissions

    out["start"] = s.index[0] if n else None
    out["end"] = s.index[-1] if n else None
    out["samples"] = int(n)
    out["periods_per_year"] = ppy
    out["risk_free_rate"] = rf
    out["base_currency"] = base_currency
    return out
