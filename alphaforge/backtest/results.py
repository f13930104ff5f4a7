"""``BacktestResult``: the reports, equity curve, statistics and tearsheet of one run.

Reports are pandas DataFrames built once on first use from the run's orders, positions and
account (prices and quantities as floats, timestamps as UTC datetimes):

* ``fills_report()``: one row per fill - ts_event, instrument_id, strategy_id, client_order_id,
  venue_order_id, trade_id, side, last_px, last_qty, notional (qty * price * multiplier; inverse:
  qty * multiplier / price), liquidity_side, commission,
  commission_currency, data_type and data_ts (the data point that produced the fill);
* ``orders_report()``: one row per order with its final state;
* ``positions_report()``: one row per closed position cycle (round trip) plus the open ones;
* ``account_report()``: balances per currency after every account change.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from alphaforge._core.identifiers import InstrumentId


def _ts(values: Any) -> Any:
    import pandas as pd

    return pd.to_datetime(np.asarray(values, dtype=np.int64), unit="ns", utc=True)


class BacktestResult:
    """What a ``BacktestEngine.run`` produced. ``events`` is the number of data records processed,
    ``elapsed_s`` the wall time of the loop."""

    def __init__(self, engine: Any, *, events: int, elapsed_s: float, start_ns: int, end_ns: int) -> None:
        self._engine = engine
        self.events = int(events)
        self.elapsed_s = float(elapsed_s)
        self.start_ns = int(start_ns)
        self.end_ns = int(end_ns)
        self.cache = engine.cache
        self.portfolio = engine.portfolio
        self.strategies = list(engine.strategies)
        self.data_statistics = engine.data_engine.statistics()
        self.closed_positions = list(engine.closed_positions)
        self.base_currency = engine.portfolio.base_currency
        self.starting_equity = engine.starting_equity

    @property
    def events_per_second(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s > 0 else float("inf")

    # -- reports -------------------------------------------------------------------------------

    def fills_report(self):
        """One row per fill, in the order they happened (see the module docstring)."""
        return self._fills.copy()

    @cached_property
    def _fills(self):
        import pandas as pd

        rows = [ev for order in self.cache.orders() for ev in order.fill_events]
        rows.sort(key=lambda e: (e.ts_event, e.event_id))
        cols = {
            "ts_event": _ts([e.ts_event for e in rows]),
            "instrument_id": [e.instrument_id.value for e in rows],
            "strategy_id": [e.strategy_id.value for e in rows],
            "client_order_id": [e.client_order_id.value for e in rows],
            "venue_order_id": [e.venue_order_id.value if e.venue_order_id is not None else "" for e in rows],
            "trade_id": [e.trade_id.value for e in rows],
            "side": [e.order_side.name for e in rows],
            "last_px": np.array([float(e.last_px) for e in rows], dtype=np.float64),
            "last_qty": np.array([float(e.last_qty) for e in rows], dtype=np.float64),
            "liquidity_side": [e.liquidity_side.name for e in rows],
            "commission": np.array([float(e.commission) for e in rows], dtype=np.float64),
            "commission_currency": [e.commission.currency.code for e in rows],
            "data_type": [e.data_type for e in rows],
            "data_ts": _ts([e.data_ts for e in rows]),
        }
        df = pd.DataFrame(cols)
        notional = np.empty(len(df), dtype=np.float64)
        for iid in df["instrument_id"].unique():
            mask = (df["instrument_id"] == iid).to_numpy()
            inst = self.cache.instrument(InstrumentId.from_str(iid))
            px, qty = df["last_px"].to_numpy()[mask], df["last_qty"].to_numpy()[mask]
            notional[mask] = qty * inst.multiplier / px if inst.is_inverse else qty * px * inst.multiplier
        df.insert(9, "notional", notional)
        return df

    def orders_report(self):
        """One row per order: ids, side, type, quantity, filled, avg_px, status, times."""
        import pandas as pd

        rows = []
        for o in self.cache.orders():
            rows.append({
                "ts_init": o.ts_init, "ts_last": o.ts_last,
                "client_order_id": o.client_order_id.value, "strategy_id": o.strategy_id.value,
                "instrument_id": o.instrument_id.value, "side": o.side.name, "type": o.order_type.name,
                "time_in_force": o.time_in_force.name, "quantity": float(o.quantity),
                "filled_qty": float(o.filled_qty), "avg_px": o.avg_px,
                "price": float(o.price) if o.has_price else np.nan,
                "trigger_price": float(o.trigger_price) if o.has_trigger else np.nan,
                "status": o.status.name,
            })
        df = pd.DataFrame(rows)
        if len(df):
            df["ts_init"] = _ts(df["ts_init"])
            df["ts_last"] = _ts(df["ts_last"])
        return df

    def positions_report(self):
        """One row per closed position cycle (round trip), then the open positions."""
        return self._positions.copy()

    @cached_property
    def _positions(self):
        import pandas as pd

        rows = []
        for ev in self.closed_positions:
            rows.append(_position_row(ev, closed=True))
        for p in self.cache.positions_open():
            rows.append(_position_row(p, closed=False))
        df = pd.DataFrame(rows, columns=[
            "position_id", "instrument_id", "strategy_id", "side", "quantity", "avg_px_open",
            "avg_px_close", "realized_pnl", "commissions", "ts_opened", "ts_closed", "is_closed",
        ])
        if len(df):
            df["ts_opened"] = _ts(df["ts_opened"])
            df["ts_closed"] = pd.to_datetime(df["ts_closed"].where(df["is_closed"]), unit="ns", utc=True)
        return df

    def account_report(self, venue: str | None = None):
        """Balances (total, locked, free per currency) after every account change of ``venue``
        (default: the first venue)."""
        import pandas as pd

        exchanges = self._engine.exchanges
        name = venue or next(iter(exchanges))
        account = exchanges[name].account
        rows = []
        for state in account.events:
            for bal in state.balances:
                rows.append({"ts_event": state.ts_event, "currency": bal.currency.code,
                             "total": float(bal.total), "locked": float(bal.locked), "free": float(bal.free)})
        df = pd.DataFrame(rows, columns=["ts_event", "currency", "total", "locked", "free"])
        if len(df):
            df["ts_event"] = _ts(df["ts_event"])
        return df

    # -- equity and statistics -------------------------------------------------------------------

    def equity_curve(self):
        """Total equity in the base currency (balance + unrealized PnL) as a pandas Series indexed
        by UTC time, sampled at the engine's ``sample_interval_ns``."""
        import pandas as pd

        arrs = self.portfolio.equity_curve_arrays()
        return pd.Series(arrs["equity"], index=_ts(arrs["ts"]), name="equity")

    def stats(self) -> dict[str, Any]:
        """Performance statistics (formulas in ``alphaforge.analysis.statistics``); includes
        ``final_equity`` (exact, from the account and open positions at the end of the run)."""
        return dict(self._stats)

    @cached_property
    def _stats(self) -> dict[str, Any]:
        from alphaforge.analysis import compute_statistics

        stats = compute_statistics(
            self.equity_curve(), self._positions, self._fills, starting_equity=self.starting_equity,
            base_currency=self.base_currency.code if self.base_currency is not None else None,
        )
        stats["final_equity"] = round(float(self.portfolio.equity().as_double()), 8)
        stats["events"] = self.events
        stats["elapsed_s"] = self.elapsed_s
        stats["fills"] = len(self._fills)
        return stats

    def strategy_statistics(self) -> list[dict[str, Any]]:
        """Per strategy: state, events handled, handler time mean/p50/p99 (ns), faults."""
        return [s.statistics() for s in self.strategies]

    def prices(self) -> dict[str, Any]:
        """Close prices per instrument from the run's bar data (for charts)."""
        import pandas as pd

        from alphaforge._core.data import BarType
        from alphaforge._core.records import BAR_DTYPE, TRADE_TICK_DTYPE

        out: dict[str, Any] = {}
        for _, recs in self._engine._data:
            if recs.dtype == BAR_DTYPE and len(recs):
                iid = BarType.from_index(int(recs["bar_type_id"][0])).instrument_id.value
                s = pd.Series(recs["close"] / 1e9, index=_ts(recs["ts_event"]))
            elif recs.dtype == TRADE_TICK_DTYPE and len(recs):
                from alphaforge._core.identifiers import InstrumentId

                iid = InstrumentId.from_index(int(recs["instrument_id"][0])).value
                s = pd.Series(recs["price"] / 1e9, index=_ts(recs["ts_event"]))
            else:
                continue
            if iid not in out:
                out[iid] = s
        return out

    def tearsheet(self, path: str, title: str | None = None) -> str:
        """Write a self-contained HTML report (equity and drawdown, prices with fills, monthly
        returns, trade PnL distribution, statistics table); returns the path."""
        from alphaforge.analysis import write_tearsheet

        return write_tearsheet(
            path, self.equity_curve(), self._positions, self._fills, self.stats(),
            prices=self.prices(), title=title or "AlphaForge backtest",
        )

    def __repr__(self) -> str:
        return (f"BacktestResult(events={self.events}, elapsed={self.elapsed_s:.3f}s, "
                f"fills={len(self._fills)})")


def _position_row(p: Any, closed: bool) -> dict[str, Any]:
    return {
        "position_id": p.position_id.value if hasattr(p, "position_id") else p.id.value,
        "instrument_id": p.instrument_id.value,
        "strategy_id": p.strategy_id.value,
        "side": (p.entry.name if closed else p.side.name).replace("BUY", "LONG").replace("SELL", "SHORT"),
        "quantity": float(p.peak_qty),
        "avg_px_open": float(p.avg_px_open),
        "avg_px_close": float(p.avg_px_close),
        "realized_pnl": float(p.realized_pnl),
        "commissions": 0.0 if closed else sum(float(c) for c in p.commissions()),
        "ts_opened": int(p.ts_opened),
        "ts_closed": int(p.ts_closed) if closed else 0,
        "is_closed": closed,
    }
