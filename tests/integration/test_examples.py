"""The ``examples/`` scripts: each one's ``main()`` runs on the real files and its results are
checked against independent references computed here (plain Python / pandas on the raw files)."""

from __future__ import annotations

import contextlib
import csv
import gzip
import importlib.util
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOL = 1e-9


def _load(name: str):
    """Import examples/<name>.py as a module (registered in sys.modules for its config classes)."""
    key = f"alphaforge_example_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def _run(name: str, argv: list[str]):
    """Run the example's main(argv) with its printout captured; returns (result, printout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = _load(name).main(argv)
    return result, out.getvalue()


def _raw(text: str) -> int:
    """A decimal string as a raw fixed-point int at scale 1e9 (exact)."""
    return int(Decimal(text) * 1_000_000_000)


# -- 1. EMA cross on ORCL daily bars --------------------------------------------------------------

def test_ema_cross_bars_matches_plain_python_reference(shared_data, tmp_path, ema_cross_reference):
    result, printed = _run("ema_cross_bars", ["--data-dir", str(shared_data), "--out", str(tmp_path)])
    df = pd.read_csv(shared_data / "bars" / "orcl-1995-2014.txt")
    ref_equity, _, _, ref_fills = ema_cross_reference(df["Open"], df["Close"], size=100.0)

    fills = result.fills_report()
    assert result.events == len(df) == 5036
    assert len(fills) == len(ref_fills) == 217
    np.testing.assert_allclose(fills["last_px"].to_numpy(), [px for _, _, px in ref_fills], rtol=0, atol=TOL)
    signed = np.where(fills["side"] == "BUY", fills["last_qty"], -fills["last_qty"])
    np.testing.assert_allclose(signed, [q for _, q, _ in ref_fills], rtol=0, atol=TOL)
    # each fill is at the open of the bar after the decision bar (ts_event = end of the bar's date)
    dates = pd.to_datetime(df["Date"]).dt.tz_localize("UTC") + pd.Timedelta(days=1)
    assert list(fills["data_ts"]) == [dates[i] for i, _, _ in ref_fills]
    assert round(result.stats()["final_equity"], 2) == round(ref_equity, 2)
    # the reports the script writes
    html = (tmp_path / "tearsheet.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "ORCL" in html
    assert len(pd.read_csv(tmp_path / "fills.csv")) == 217
    assert "217 fills" in printed


# -- 2. trade ticks + internal 1-minute bars -------------------------------------------------------

def test_trade_ticks_internal_bars_vs_pandas_resample_and_vwap(shared_data):
    result, printed = _run("trade_ticks_internal_bars", ["--data-dir", str(shared_data)])
    strategy = result.strategies[0]
    raw = pd.read_csv(shared_data / "trades" / "tardis_trades.csv")
    assert strategy.ticks == len(raw) == 9999

    # bars: pandas resample of the exchange timestamps, [t, t+1m) labelled t+1m
    raw.index = pd.to_datetime(raw["timestamp"], unit="us", utc=True)
    ref = raw.resample("1min", closed="left", label="right").agg(
        {"price": ["first", "max", "min", "last"], "amount": "sum"}).dropna()
    ref.columns = ["open", "high", "low", "close", "volume"]
    got = pd.DataFrame(strategy.bars, columns=["ts", "open", "high", "low", "close", "volume", "vwap"])
    # the last minute (02:05 -> 02:06) has no later data to close it: every other bar is delivered
    assert len(got) == len(ref) - 1 == 125
    assert list(pd.to_datetime(got["ts"], unit="ns", utc=True)) == list(ref.index[:-1])
    np.testing.assert_allclose(got[["open", "high", "low", "close", "volume"]].to_numpy(),
                               ref.iloc[:-1].to_numpy(), rtol=0, atol=TOL)

    # VWAP of every trade up to the bar's close time (trades stamped at the boundary come first)
    ts_ns = raw["timestamp"].to_numpy() * 1000
    pv = np.cumsum(raw["price"].to_numpy() * raw["amount"].to_numpy())
    vol = np.cumsum(raw["amount"].to_numpy())
    k = np.searchsorted(ts_ns, got["ts"].to_numpy(), side="right") - 1
    np.testing.assert_allclose(got["vwap"].to_numpy(), pv[k] / vol[k], rtol=1e-11)

    # the momentum rule replayed on the reference bars and VWAP: one order per target change
    closes, vwaps = ref["close"].to_numpy()[:-1], pv[k] / vol[k]
    position, orders = 0.0, []
    for i in range(1, len(closes)):
        if closes[i] > closes[i - 1] and closes[i] > vwaps[i]:
            target = 0.01
        elif closes[i] < closes[i - 1] and closes[i] < vwaps[i]:
            target = -0.01
        else:
            continue
        if round(target - position, 3) != 0:
            orders.append(round(target - position, 3))
            position = target
    assert len(strategy.submitted) == len(orders) > 0

    # fills: taker fills at the price of a trade the venue saw at or after the order was submitted
    fills = result.fills_report()
    assert len(fills) > 0 and set(fills["liquidity_side"]) == {"TAKER"}
    for _, f in fills.iterrows():
        data_ns = f["data_ts"].value
        assert data_ns >= strategy.submitted[f["client_order_id"]]
        at = raw.loc[ts_ns == data_ns, "price"].to_numpy()
        assert f["last_px"] in set(np.round(at, 2)), f
    # each order filled (in one or more trades) the quantity and side the replayed rule asks for
    fills["signed"] = np.where(fills["side"] == "BUY", fills["last_qty"], -fills["last_qty"])
    filled = fills.groupby("client_order_id")["signed"].sum()
    expected = dict(zip(strategy.submitted, orders, strict=True))
    for coid, qty in filled.items():
        assert qty == pytest.approx(expected[coid], abs=1e-12)
    assert "trade ticks received: 9,999; internal 1-minute bars: 125" in printed


# -- 3. market maker on the Binance spot L2 book ----------------------------------------------------

def _reference_tops(path: Path, query_ts: list[int]) -> dict[int, tuple[int, int]]:
    """Best bid/ask (raw) after the depth message stamped at each query time (E in ns), by a plain
    dict replay of the CSV: the REST snapshot, then the diffs with u > lastUpdateId in file order
    (qty 0 deletes a level)."""
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    diffs: list[tuple[int, int, str, int, int]] = []
    snap_id = None
    with gzip.open(path, "rt", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["is_snapshot"] == "true":
                snap_id = int(row["last_update_id"])
                (bids if row["side"] in ("b", "bid") else asks)[_raw(row["price"])] = _raw(row["qty"])
            else:
                diffs.append((int(row["event_time_ms"]) * 1_000_000, int(row["last_update_id"]), row["side"],
                              _raw(row["price"]), _raw(row["qty"])))
    assert snap_id == 50093239218  # the REST snapshot's lastUpdateId (data README)
    wanted = set(query_ts)
    tops: dict[int, tuple[int, int]] = {}
    for i, (ts, last_id, side, px, qty) in enumerate(diffs):
        if last_id <= snap_id:
            continue
        book = bids if side in ("b", "bid") else asks
        if qty == 0:
            book.pop(px, None)
        else:
            book[px] = qty
        end_of_message = i + 1 == len(diffs) or diffs[i + 1][0] != ts or diffs[i + 1][1] != last_id
        if end_of_message and ts in wanted:
            assert ts not in tops, "two depth messages with one event time"
            tops[ts] = (max(bids), min(asks))
    return tops


def test_market_maker_l2_fills_as_maker_at_posted_best_prices(shared_data):
    module = _load("market_maker_l2")
    result, printed = _run("market_maker_l2", ["--data-dir", str(shared_data)])
    strategy = result.strategies[0]
    fills = result.fills_report()
    assert len(fills) > 0
    assert set(fills["liquidity_side"]) == {"MAKER"}

    # every quote was posted at the best bid (buy) / best ask (sell) of the book at that moment,
    # checked against an independent replay of the raw depth file
    tops = _reference_tops(shared_data / module.DEPTH_FILE, sorted({p[0] for p in strategy.posted.values()}))
    for coid, (ts, side, px, bid, ask) in strategy.posted.items():
        assert (bid, ask) == tops[ts], coid
        assert px == (bid if side == 1 else ask), coid

    # fills: at the quote's own price, on the quote's side, after it reached the venue
    for _, f in fills.iterrows():
        ts, side, px, _, _ = strategy.posted[f["client_order_id"]]
        assert _raw(repr(f["last_px"])) == px
        assert f["side"] == ("BUY" if side == 1 else "SELL")
        assert f["ts_event"].value >= ts + module.LATENCY_NS

    # inventory limit: the running position never exceeds max_inventory
    signed = np.where(fills["side"] == "BUY", fills["last_qty"], -fills["last_qty"])
    assert np.abs(np.cumsum(signed)).max() <= strategy.config.max_inventory + 1e-12

    # queue position: samples for resting quotes; some quote moved up its queue while resting
    assert len(strategy.queue) > 0 and all(a >= 0 for _, _, a in strategy.queue)
    by_order: dict[str, list[int]] = {}
    for _, coid, ahead in strategy.queue:
        by_order.setdefault(coid, []).append(ahead)
    assert any(min(v[1:], default=v[0]) < v[0] for v in by_order.values())
    assert "MAKER" in printed and "queue ahead of resting quotes" in printed


# -- 4. bracket orders --------------------------------------------------------------------------

def test_bracket_orders_exactly_one_exit_per_bracket(shared_data):
    module = _load("bracket_orders")
    result, printed = _run("bracket_orders", [])
    strategy = result.strategies[0]
    orders = result.orders_report().set_index("client_order_id")
    fills = result.fills_report()
    assert len(strategy.brackets) > 10

    bars = pd.read_csv(module.sample_path())
    bars.index = pd.to_datetime(bars["timestamp_utc"]).dt.tz_localize("UTC")
    above = (bars["close"] > bars["close"].rolling(30).mean()).to_numpy()
    position_of = {ts: i for i, ts in enumerate(bars.index)}
    tick, mult = 0.00005, 125_000.0
    pnl = 0.0
    exits = 0
    for n, (entry, tp, sl) in enumerate(strategy.brackets):
        st = {k: orders.at[k, "status"] for k in (entry, tp, sl)}
        assert orders.at[tp, "type"] == "LIMIT" and orders.at[sl, "type"] == "STOP_MARKET"
        assert st[entry] == "FILLED"
        # the signal bar (the one before the entry's fill bar) is an SMA(30) cross of the close, and
        # take-profit / stop-loss are 20 / 15 ticks from its close on the trade's side
        entry_fill = fills[fills["client_order_id"] == entry].iloc[0]
        i = position_of[entry_fill["data_ts"]] - 1
        assert i >= 30 and above[i] != above[i - 1]
        assert entry_fill["side"] == ("BUY" if above[i] else "SELL")
        sign = 1 if above[i] else -1
        close = bars["close"].iloc[i]
        assert orders.at[tp, "price"] == pytest.approx(close + sign * 20 * tick, abs=TOL)
        assert orders.at[sl, "trigger_price"] == pytest.approx(close - sign * 15 * tick, abs=TOL)
        assert entry_fill["last_px"] == pytest.approx(bars["open"].iloc[i + 1], abs=TOL)
        filled = [k for k in (tp, sl) if st[k] == "FILLED"]
        if not filled:  # only the last bracket may still be open when the data ends
            assert n == len(strategy.brackets) - 1
            continue
        assert len(filled) == 1
        other = sl if filled[0] == tp else tp
        assert st[other] == "CANCELED"
        exits += 1
        # the exit fill is consistent with the bar it filled on (independent raw CSV)
        exit_fill = fills[fills["client_order_id"] == filled[0]].iloc[0]
        bar = bars.loc[exit_fill["data_ts"]]
        assert bar["low"] - TOL <= exit_fill["last_px"] <= bar["high"] + TOL
        long = entry_fill["side"] == "BUY"
        if filled[0] == tp:  # a limit fills at its price or better
            limit = orders.at[tp, "price"]
            assert exit_fill["last_px"] >= limit - TOL if long else exit_fill["last_px"] <= limit + TOL
        else:  # the stop was reached on that bar
            trigger = orders.at[sl, "trigger_price"]
            assert bar["low"] <= trigger + TOL if long else bar["high"] >= trigger - TOL
        pnl += (exit_fill["last_px"] - entry_fill["last_px"]) * mult * (1 if long else -1)
    assert exits >= len(strategy.brackets) - 1
    # no fees: the account moved by exactly the sum of the brackets' round-trip PnL
    closed = result.positions_report()
    assert int(closed["is_closed"].sum()) == exits
    assert round(result.stats()["final_equity"] - 100_000.0 - pnl_open(result), 2) == round(pnl, 2)
    assert f"{len(strategy.brackets)} brackets" in printed


def pnl_open(result) -> float:
    """Unrealized PnL of a position still open at the end (0 when flat)."""
    iid = result.strategies[0].instrument_id
    u = result.portfolio.unrealized_pnl(iid)
    return float(u) if u is not None else 0.0


# -- 5. TOML run config --------------------------------------------------------------------------

def test_backtest_config_toml_equals_demo_engine(tmp_path):
    from alphaforge.backtest.config import run_from_config
    from alphaforge.demo import build_demo_engine

    with contextlib.redirect_stdout(io.StringIO()):
        result = run_from_config(EXAMPLES / "backtest_config.toml", out_dir=tmp_path, progress=False)
    for name in ("stats.json", "fills.csv", "orders.csv", "positions.csv", "tearsheet.html"):
        assert (tmp_path / name).stat().st_size > 0, name

    direct = build_demo_engine().run(progress=False)
    got, want = result.stats(), direct.stats()
    got.pop("elapsed_s")  # wall time of the loop
    want.pop("elapsed_s")
    assert got == want
    written = json.loads((tmp_path / "stats.json").read_text())
    assert written["final_equity"] == want["final_equity"] and written["fills"] == want["fills"] > 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "fills.csv"),
                                  pd.read_csv(io.StringIO(direct.fills_report().to_csv(index=False))))
