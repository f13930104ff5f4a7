"""Self-contained HTML tearsheet of a backtest (plotly; plotly.js is inlined, no network needed).

Sections, in order: a header (title, period, base currency), the statistics table
(``reports.statistics_rows``), "Equity and drawdown" (equity in the base currency over time and the
drawdown from the running peak in percent), "Price with fills" (close prices per instrument with
buy fills as green up-triangles and sell fills as red down-triangles at the fill price and time;
without ``prices`` the fill prices themselves are drawn), "Monthly returns (%)" (a year x month
heatmap of ``statistics.monthly_returns``), and "Trade PnL distribution" (a histogram of the
closed positions' realized PnL, winners and losers in two colours).

Long series are decimated for drawing only (statistics use every sample): a line with more than
``max_points`` points keeps, per bucket of consecutive samples, the first sample, the minimum and
the maximum (so drawdowns and spikes stay visible) plus the last sample; more than
``max_fill_markers`` fills per instrument are thinned to evenly spaced ones and the chart title
says how many are shown. Times are drawn in UTC.

Requires plotly (``pip install "plotly>=5.20"``); it is imported when ``write_tearsheet`` runs.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from alphaforge.analysis.reports import statistics_rows
from alphaforge.analysis.statistics import (
    StatisticsError,
    compute_statistics,
    drawdown_series,
    monthly_returns,
    to_equity_series,
)

__all__ = ["FIGURE_TITLES", "write_tearsheet"]

FIGURE_TITLES = {
    "equity": "Equity and drawdown",
    "prices": "Price with fills",
    "monthly": "Monthly returns (%)",
    "pnl": "Trade PnL distribution",
    "stats": "Statistics",
}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_GREEN, _RED, _BLUE = "#2ca02c", "#d62728", "#1f77b4"
_CSS = """
body { font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; margin: 24px auto;
       max-width: 1200px; color: #222; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; }
.sub { color: #666; margin-bottom: 16px; }
table.stats { border-collapse: collapse; font-size: 13px; }
table.stats td { padding: 3px 14px; border-bottom: 1px solid #eee; }
table.stats td.v { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: flex; gap: 32px; flex-wrap: wrap; }
.note { color: #888; font-size: 12px; }
"""


def _naive_utc(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return idx.tz_convert("UTC").tz_localize(None) if idx.tz is not None else idx


def _decimate(s: pd.Series, max_points: int) -> pd.Series:
    """Keep first/min/max of each bucket and the last point when ``len(s) > max_points``."""
    n = len(s)
    if n <= max_points or max_points < 4:
        return s
    buckets = max(1, max_points // 3)
    bucket = (np.arange(n, dtype=np.int64) * buckets) // n
    v = s.to_numpy()
    frame = pd.Series(v).groupby(bucket)
    keep = np.concatenate([
        frame.idxmin().to_numpy(), frame.idxmax().to_numpy(),
        np.flatnonzero(np.diff(bucket, prepend=-1) != 0), [n - 1],
    ])
    keep = np.unique(keep)
    return s.iloc[keep]


def _price_series(obj: Any, iid: str) -> pd.Series:
    if isinstance(obj, pd.DataFrame):
        if "close" in obj.columns:
            ser = obj["close"]
        elif obj.shape[1] == 1:
            ser = obj.iloc[:, 0]
        else:
            raise StatisticsError(f"prices[{iid!r}]: DataFrame needs a 'close' column (has {list(obj.columns)})")
        tcol = next((c for c in ("ts_ns", "ts_event", "timestamp") if c in obj.columns), None)
        if tcol is not None:
            ser = pd.Series(ser.to_numpy(), index=obj[tcol].to_numpy())
    elif isinstance(obj, pd.Series):
        ser = obj
    else:
        raise StatisticsError(f"prices[{iid!r}]: expected a Series or DataFrame, got {type(obj).__name__}")
    ser = pd.Series(pd.to_numeric(ser).to_numpy(dtype=np.float64), index=ser.index)
    return to_equity_series(ser[np.isfinite(ser.to_numpy())]).rename(iid)  # gaps (NaN) are not drawn


def _empty_note(fig: Any, text: str) -> None:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font={"size": 14, "color": "#888"})


def _equity_figure(eq: pd.Series, max_points: int) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04,
                        subplot_titles=("Equity", "Drawdown (%)"))
    if len(eq):
        e = _decimate(eq, max_points)
        dd = _decimate(drawdown_series(eq) * 100.0, max_points)
        fig.add_trace(go.Scatter(x=_naive_utc(e.index), y=e.to_numpy(), mode="lines", name="Equity",
                                 line={"color": _BLUE, "width": 1.5}), row=1, col=1)
        fig.add_trace(go.Scatter(x=_naive_utc(dd.index), y=dd.to_numpy(), mode="lines", name="Drawdown %",
                                 fill="tozeroy", line={"color": _RED, "width": 1}), row=2, col=1)
    else:
        _empty_note(fig, "no equity samples")
    fig.update_layout(title=FIGURE_TITLES["equity"], height=560, showlegend=False,
                      margin={"l": 60, "r": 20, "t": 70, "b": 40})
    fig.update_xaxes(title_text="time (UTC)", row=2, col=1)
    return fig


def _side_is_buy(side: pd.Series) -> np.ndarray:
    return side.astype(str).str.upper().str.replace("ORDERSIDE.", "", regex=False).str.startswith("BUY").to_numpy()


def _prices_figure(prices: Mapping[Any, Any] | None, fills: pd.DataFrame | None, max_points: int,
                   max_fill_markers: int) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    series: dict[str, pd.Series] = {}
    if prices:
        for key, obj in prices.items():
            iid = str(getattr(key, "value", key))
            series[iid] = _price_series(obj, iid)
    fills_by: dict[str, pd.DataFrame] = {}
    if fills is not None and len(fills):
        missing = [c for c in ("ts_event", "side", "last_px") if c not in fills.columns]
        if missing:
            raise StatisticsError(f"fills: missing column(s) {missing} (has {list(fills.columns)})")
        iids = (fills["instrument_id"].map(lambda x: str(getattr(x, "value", x)))
                if "instrument_id" in fills.columns else pd.Series([""] * len(fills), index=fills.index))
        for iid in dict.fromkeys(iids.tolist()):
            fills_by[iid] = fills[(iids == iid).to_numpy()]
    names = list(series) + [k for k in fills_by if k not in series]
    rows = max(1, len(names))
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06 if rows > 1 else 0.0,
                        subplot_titles=names or None)
    title = FIGURE_TITLES["prices"]
    notes = []
    for r, iid in enumerate(names, start=1):
        f = fills_by.get(iid)
        if iid in series:
            p = _decimate(series[iid], max_points)
            fig.add_trace(go.Scattergl(x=_naive_utc(p.index), y=p.to_numpy(), mode="lines", name=f"{iid} close",
                                       line={"color": "#555", "width": 1}), row=r, col=1)
        if f is None or not len(f):
            continue
        t = _naive_utc(pd.DatetimeIndex(pd.to_datetime(f["ts_event"], utc=True)))
        px = pd.to_numeric(f["last_px"]).to_numpy(dtype=np.float64)
        qty = pd.to_numeric(f["last_qty"]).to_numpy(dtype=np.float64) if "last_qty" in f.columns else None
        if iid not in series:
            fig.add_trace(go.Scattergl(x=t, y=px, mode="lines", name=f"{iid} fill price",
                                       line={"color": "#999", "width": 1}), row=r, col=1)
        keep = np.arange(len(f))
        if len(f) > max_fill_markers:
            keep = np.unique(np.linspace(0, len(f) - 1, max_fill_markers).round().astype(np.int64))
            notes.append(f"{iid}: showing {len(keep):,} of {len(f):,} fills")
        buy = _side_is_buy(f["side"])
        for mask, name, color, symbol in ((buy, "Buy", _GREEN, "triangle-up"),
                                          (~buy, "Sell", _RED, "triangle-down")):
            sel = keep[mask[keep]]
            if not len(sel):
                continue
            text = None if qty is None else [f"qty {q:g}" for q in qty[sel]]
            fig.add_trace(go.Scattergl(x=t[sel], y=px[sel], mode="markers", name=f"{name} {iid}", text=text,
                                       marker={"color": color, "symbol": symbol, "size": 9,
                                               "line": {"width": 0.5, "color": "#222"}}), row=r, col=1)
    if not names:
        _empty_note(fig, "no prices and no fills")
    if notes:
        title += " (" + "; ".join(notes) + ")"
    fig.update_layout(title=title, height=max(380, 300 * rows), margin={"l": 60, "r": 20, "t": 70, "b": 40})
    return fig


def _monthly_figure(eq: pd.Series, starting_equity: float | None) -> Any:
    import plotly.graph_objects as go

    table = monthly_returns(eq, starting_equity) * 100.0 if len(eq) else pd.DataFrame()
    fig = go.Figure()
    if len(table):
        z = table.to_numpy()
        text = [["" if np.isnan(x) else f"{x:.2f}" for x in row] for row in z]
        lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
        fig.add_trace(go.Heatmap(z=z, x=_MONTHS, y=[str(y) for y in table.index], text=text,
                                 texttemplate="%{text}", colorscale="RdYlGn", zmid=0.0, zmin=-lim, zmax=lim,
                                 colorbar={"title": "%"}, hovertemplate="%{y} %{x}: %{z:.2f}%<extra></extra>"))
        fig.update_yaxes(autorange="reversed", type="category")
    else:
        _empty_note(fig, "no equity samples")
    fig.update_layout(title=FIGURE_TITLES["monthly"], height=max(300, 80 + 26 * len(table)),
                      margin={"l": 60, "r": 20, "t": 60, "b": 40})
    return fig


def _pnl_figure(positions: pd.DataFrame | None) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    pnl = np.empty(0)
    if positions is not None and len(positions) and "realized_pnl" in positions.columns:
        closed = (positions["is_closed"].fillna(False).astype(bool).to_numpy() if "is_closed" in positions.columns
                  else np.ones(len(positions), dtype=bool))
        pnl = pd.to_numeric(positions["realized_pnl"]).to_numpy(dtype=np.float64)[closed]
    if len(pnl):
        nb = int(min(80, max(10, np.sqrt(len(pnl)))))
        edges = np.histogram_bin_edges(pnl, bins=nb)
        size = float(edges[1] - edges[0]) if len(edges) > 1 and edges[1] > edges[0] else 1.0
        xbins = {"start": float(edges[0]), "end": float(edges[-1]) + size, "size": size}
        for sel, name, color in ((pnl > 0, "Winners", _GREEN), (pnl <= 0, "Losers / flat", _RED)):
            if sel.any():
                fig.add_trace(go.Histogram(x=pnl[sel], name=name, marker={"color": color}, xbins=xbins,
                                           opacity=0.8))
        fig.update_layout(barmode="overlay")
        fig.update_xaxes(title_text="realized PnL per closed position (base currency)")
        fig.update_yaxes(title_text="positions")
    else:
        _empty_note(fig, "no closed trades")
    fig.update_layout(title=FIGURE_TITLES["pnl"], height=380, margin={"l": 60, "r": 20, "t": 60, "b": 50})
    return fig


def _stats_html(stats: Mapping[str, Any]) -> str:
    rows = statistics_rows(stats)
    half = (len(rows) + 1) // 2
    parts = []
    for chunk in (rows[:half], rows[half:]):
        body = "".join(f'<tr data-key="{html.escape(k)}"><td>{html.escape(label)}</td>'
                       f'<td class="v">{html.escape(text)}</td></tr>' for k, label, text in chunk)
        parts.append(f'<table class="stats">{body}</table>')
    return f'<div class="grid">{"".join(parts)}</div>'


def write_tearsheet(
    path: str | os.PathLike[str],
    equity: Any,
    positions: Any = None,
    fills: Any = None,
    stats: Mapping[str, Any] | None = None,
    prices: Mapping[Any, Any] | None = None,
    title: str = "AlphaForge backtest",
    *,
    starting_equity: float | None = None,
    max_points: int = 5000,
    max_fill_markers: int = 20000,
) -> str:
    """Write the HTML tearsheet to ``path`` and return the path (as a str).

    ``equity``/``positions``/``fills`` as for ``compute_statistics``; ``stats``: its result
    (computed here from the inputs when None); ``prices``: instrument id (str or InstrumentId) ->
    close prices (Series on time, or DataFrame with ``close``); ``starting_equity``: base of the
    first month's return (default: ``stats["starting_equity"]`` or the first sample);
    ``max_points``/``max_fill_markers``: drawing limits (module docstring). Missing parent
    directories are created. The file embeds plotly.js (about 4.7 MB) and loads nothing from the
    network.
    """
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    eq = to_equity_series(equity)
    pos = positions if positions is None or isinstance(positions, pd.DataFrame) else pd.DataFrame(positions)
    fl = fills if fills is None or isinstance(fills, pd.DataFrame) else pd.DataFrame(fills)
    if stats is None:
        stats = compute_statistics(eq, pos, fl, starting_equity=starting_equity)
    if starting_equity is None:
        se = stats.get("starting_equity")
        starting_equity = float(se) if se is not None and np.isfinite(se) else None
    figs = [
        _equity_figure(eq, max_points),
        _prices_figure(prices, fl, max_points, max_fill_markers),
        _monthly_figure(eq, starting_equity),
        _pnl_figure(pos),
    ]
    config = {"displaylogo": False, "responsive": True}
    divs = [pio.to_html(f, full_html=False, include_plotlyjs=False, config=config, div_id=f"af-fig-{i}")
            for i, f in enumerate(figs)]
    if len(eq):
        period = f"{eq.index[0].isoformat()} to {eq.index[-1].isoformat()}"
    else:
        period = "no equity samples"
    ccy = stats.get("base_currency")
    sub = period + (f" &middot; base currency {html.escape(str(ccy))}" if ccy else "")
    esc_title = html.escape(title)
    doc = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{esc_title}</title>\n<style>{_CSS}</style>\n"
        f"<script type=\"text/javascript\">{get_plotlyjs()}</script>\n</head>\n<body>\n"
        f"<h1>{esc_title}</h1>\n<div class=\"sub\">{sub}</div>\n"
        f"<h2>{FIGURE_TITLES['stats']}</h2>\n{_stats_html(stats)}\n"
        + "\n".join(f"<section>{d}</section>" for d in divs)
        + "\n<p class=\"note\">Generated by AlphaForge; formulas in alphaforge.analysis.statistics.</p>\n"
        "</body>\n</html>\n"
    )
    out = os.fspath(path)
    parent = os.path.dirname(out)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return out
