"""HTML tearsheet: self-contained file with every figure, the statistics table and the fills."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")

from alphaforge.analysis import compute_statistics, write_tearsheet  # noqa: E402
from alphaforge.analysis.tearsheet import FIGURE_TITLES, _decimate  # noqa: E402

SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc\s*=", re.IGNORECASE)
LINK_HREF = re.compile(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", re.IGNORECASE)


def _run():
    # three months of daily equity: +10% in January, -10% in February, then back above the peak
    jan = pd.date_range("2024-01-01", "2024-01-31", freq="D", tz="UTC")
    feb = pd.date_range("2024-02-01", "2024-02-29", freq="D", tz="UTC")
    mar = pd.date_range("2024-03-01", "2024-03-31", freq="D", tz="UTC")
    values = np.concatenate([np.linspace(100.0, 110.0, len(jan)), np.linspace(109.0, 99.0, len(feb)),
                             np.linspace(100.0, 120.0, len(mar))])
    equity = pd.Series(values, index=jan.append(feb).append(mar), name="equity")
    t = equity.index
    positions = pd.DataFrame({
        "position_id": ["P-1", "P-2", "P-3"], "instrument_id": "TEST.SIM", "strategy_id": "S-1",
        "side": ["LONG", "SHORT", "LONG"], "quantity": 1.0, "avg_px_open": [10.0, 11.0, 9.9],
        "avg_px_close": [11.0, 9.9, 0.0], "realized_pnl": [10.0, -4.0, 0.0], "commissions": 0.0,
        "ts_opened": [t[0], t[40], t[70]], "ts_closed": [t[30], t[59], pd.NaT], "is_closed": [True, True, False],
    })
    fills = pd.DataFrame({
        "ts_event": [t[0], t[30], t[40], t[59], t[70]], "instrument_id": "TEST.SIM",
        "client_order_id": [f"O-{i}" for i in range(5)], "side": ["BUY", "SELL", "SELL", "BUY", "BUY"],
        "last_px": [10.0, 11.0, 11.0, 9.9, 10.05], "last_qty": 1.0, "liquidity_side": "TAKER",
        "commission": 0.0, "notional": [10.0, 11.0, 11.0, 9.9, 10.05],
    })
    prices = {"TEST.SIM": pd.Series(values / 10.0, index=t)}
    return equity, positions, fills, prices


def _arr(value):
    """A trace array as a list: plain JSON lists, or plotly's typed-array form {dtype, bdata[, shape]}."""
    if isinstance(value, dict) and "bdata" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            a = a.reshape([int(x) for x in str(value["shape"]).split(",")])
        return a.tolist()
    return list(value)


def _figures(html: str) -> list[dict]:
    """The plotly figures in the page, parsed from the Plotly.newPlot(...) calls."""
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"af-fig-\d+",\s*', html):
        dec = json.JSONDecoder()
        data, end = dec.raw_decode(html, m.end())
        comma = html.index(",", end)
        start = comma + 1 + (len(html[comma + 1:comma + 200]) - len(html[comma + 1:comma + 200].lstrip()))
        layout, _ = dec.raw_decode(html, start)
        out.append({"data": data, "layout": layout})
    return out


def test_tearsheet_is_self_contained_with_titles_and_stats(tmp_path):
    equity, positions, fills, prices = _run()
    stats = compute_statistics(equity, positions, fills, starting_equity=100.0, base_currency="USD")
    path = tmp_path / "report.html"
    out = write_tearsheet(path, equity, positions, fills, stats, prices=prices, title="EMA <cross> test")
    assert out == str(path)
    html = path.read_text(encoding="utf-8")

    # self-contained: plotly.js inlined, nothing loaded from the network
    assert SCRIPT_SRC.search(html) is None
    assert LINK_HREF.search(html) is None
    assert "plotly.js v" in html and len(html) > 3_000_000
    assert html.count("Plotly.newPlot(") == 4
    assert "<title>EMA &lt;cross&gt; test</title>" in html

    for title in FIGURE_TITLES.values():
        assert title in html, title

    # statistics table rows with the formatted values
    def row(key):
        m = re.search(rf'<tr data-key="{key}"><td>[^<]*</td><td class="v">([^<]*)</td>', html)
        assert m, key
        return m.group(1)

    assert row("final_equity") == "120.00"
    assert row("total_return") == "20.00%"
    # peak 110 on Jan 31, trough 99 on Feb 29: -10%
    assert row("max_drawdown") == "-10.00%"
    assert row("trade_count") == "2"
    assert row("win_rate") == "50.00%"
    assert row("profit_factor") == "2.500"
    assert row("base_currency") == "USD"
    assert "2024-01-01T00:00:00+00:00 to 2024-03-31T00:00:00+00:00" in html


def test_tearsheet_figure_contents(tmp_path):
    equity, positions, fills, prices = _run()
    path = tmp_path / "r.html"
    write_tearsheet(path, equity, positions, fills, None, prices=prices)
    figs = _figures(path.read_text(encoding="utf-8"))
    assert [f["layout"]["title"]["text"] for f in figs] == [
        FIGURE_TITLES["equity"], FIGURE_TITLES["prices"], FIGURE_TITLES["monthly"], FIGURE_TITLES["pnl"]]

    eq_fig, px_fig, month_fig, pnl_fig = figs
    eq_trace, dd_trace = eq_fig["data"]
    assert _arr(eq_trace["y"])[0] == 100.0 and _arr(eq_trace["y"])[-1] == 120.0
    assert min(_arr(dd_trace["y"])) == pytest.approx(-10.0)  # percent

    markers = {t["name"]: t for t in px_fig["data"] if t.get("mode") == "markers"}
    buys, sells = markers["Buy TEST.SIM"], markers["Sell TEST.SIM"]
    assert buys["marker"]["symbol"] == "triangle-up" and sells["marker"]["symbol"] == "triangle-down"
    assert _arr(buys["y"]) == [10.0, 9.9, 10.05] and _arr(sells["y"]) == [11.0, 11.0]
    assert buys["x"][0].startswith("2024-01-01")

    heat = month_fig["data"][0]
    assert heat["type"] == "heatmap" and heat["y"] == ["2024"]
    jan, feb, mar = _arr(heat["z"])[0][:3]
    assert jan == pytest.approx(10.0) and feb == pytest.approx(-10.0) and mar == pytest.approx(120 / 99 * 100 - 100)
    assert heat["text"][0][0] == "10.00" and heat["text"][0][3] == ""

    hist = {t["name"]: _arr(t["x"]) for t in pnl_fig["data"]}
    assert hist["Winners"] == [10.0] and hist["Losers / flat"] == [-4.0]  # the open position is left out


def test_tearsheet_without_trades_fills_or_prices(tmp_path):
    equity = pd.Series([100.0, 100.0], index=pd.date_range("2024-01-01", periods=2, tz="UTC"))
    path = write_tearsheet(tmp_path / "empty.html", equity, None, None, None)
    html = open(path, encoding="utf-8").read()
    assert "no closed trades" in html and "no prices and no fills" in html
    assert SCRIPT_SRC.search(html) is None
    assert re.search(r'data-key="sharpe"><td>[^<]*</td><td class="v">n/a<', html)


def test_fills_without_prices_and_marker_thinning(tmp_path):
    equity, _, _, _ = _run()
    n = 50
    fills = pd.DataFrame({
        "ts_event": equity.index[:n], "instrument_id": "BTCUSDT.BINANCE",
        "side": ["BUY", "SELL"] * (n // 2), "last_px": np.arange(n, dtype=float) + 100.0, "last_qty": 0.5,
        "commission": 0.01, "notional": 50.0,
    })
    path = tmp_path / "f.html"
    write_tearsheet(path, equity, None, fills, None, max_fill_markers=10)
    figs = _figures(path.read_text(encoding="utf-8"))
    px_fig = figs[1]
    assert px_fig["layout"]["title"]["text"] == "Price with fills (BTCUSDT.BINANCE: showing 10 of 50 fills)"
    line = next(t for t in px_fig["data"] if t["mode"] == "lines")
    assert _arr(line["y"]) == list(np.arange(n, dtype=float) + 100.0)  # fill prices drawn when no prices given
    shown = [y for t in px_fig["data"] if t["mode"] == "markers" for y in _arr(t["y"])]
    assert len(shown) == 10
    assert min(shown) == 100.0 and max(shown) == 149.0  # first and last fills are kept


def test_decimate_keeps_extremes_and_ends():
    n = 100_000
    idx = pd.date_range("2024-01-01", periods=n, freq="min", tz="UTC")
    v = np.sin(np.arange(n) / 500.0)
    v[12_345] = 9.0
    v[67_890] = -9.0
    s = pd.Series(v, index=idx)
    d = _decimate(s, 1000)
    assert len(d) <= 1001
    assert d.index.is_monotonic_increasing
    assert d.iloc[0] == v[0] and d.iloc[-1] == v[-1]
    assert d.max() == 9.0 and d.min() == -9.0
    assert d.index[d.argmax()] == idx[12_345]
    assert _decimate(s.iloc[:500], 1000) is not None and len(_decimate(s.iloc[:500], 1000)) == 500
