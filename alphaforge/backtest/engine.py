"""``BacktestEngine``: load venues, instruments, data and strategies, run, read the results.

    engine = BacktestEngine()
    engine.add_venue("SIM", oms_type="NETTING", account_type="MARGIN", base_currency="USD",
                     starting_balances=["1000000 USD"])
    engine.add_instrument(Equity(InstrumentId.from_str("TEST.SIM"), price_precision=2, currency="USD"))
    engine.add_data(BarType.from_str("TEST.SIM-1-MINUTE-LAST-EXTERNAL"), {"ts_event": ..., "open": ...})
    engine.add_strategy(EMACross(EMACrossConfig(bar_type=...)))
    result = engine.run(progress=False)
    result.stats()["final_equity"]; result.fills_report(); result.tearsheet("report.html")

The run itself is the C loop of ``alphaforge._core.backtest_kernel``; this module only wires the
components (one clock per strategy plus the engine's, a message bus, the trading cache, the
portfolio, the data engine, the execution and risk engines and one simulated exchange per venue).
``reset()`` rebuilds every component from the stored configuration and keeps the loaded data, so
the same data can be run again with other strategies (``clear_strategies()``) or parameters.
"""

from __future__ import annotations

import gc
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alphaforge._core import arena_cache
from alphaforge._core.backtest_kernel import BacktestKernel, DataStream
from alphaforge._core.columnar import from_frame
from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId, TraderId, Venue
from alphaforge._core.instruments import Instrument
from alphaforge._core.records import BAR_DTYPE, ORDER_BOOK_DELTA_DTYPE, QUOTE_TICK_DTYPE, TRADE_TICK_DTYPE
from alphaforge.backtest.results import BacktestResult
from alphaforge.common import MessageBus, TestClock

_RECORD_DTYPES = {TRADE_TICK_DTYPE: "trades", QUOTE_TICK_DTYPE: "quotes", BAR_DTYPE: "bars",
                  ORDER_BOOK_DELTA_DTYPE: "deltas"}


class BacktestConfigError(ValueError):
    """The engine was set up inconsistently (unknown venue or instrument, bad data argument...)."""


@dataclass
class VenueConfig:
    """Everything ``add_venue`` was given; the exchange is rebuilt from it on ``reset()``."""

    name: str
    oms_type: str
    account_type: str
    base_currency: str | None
    starting_balances: list[str]
    options: dict[str, Any] = field(default_factory=dict)


class BacktestEngine:
    """A single-process, deterministic backtest (see the module docstring)."""

    def __init__(self, trader_id: str = "BACKTESTER-001", *, validation: str = "raise",
                 sample_interval_ns: int = 60_000_000_000, tick_capacity: int = 10_000,
                 log_level: str = "WARNING") -> None:
        """``validation``: data policy, "raise" (first bad record raises DataError naming it) or
        "skip" (bad records counted per reason in ``result.data_statistics``);
        ``sample_interval_ns``: equity-curve sampling interval (a point at the first event at or
        after each boundary; 0 samples every event); ``tick_capacity``: cache ring buffers."""
        self.trader_id = TraderId(trader_id)
        self._validation = validation
        self._sample_interval_ns = int(sample_interval_ns)
        self._tick_capacity = int(tick_capacity)
        self._log_level = log_level
        self._venues: dict[str, VenueConfig] = {}
        self._instruments: dict[InstrumentId, Instrument] = {}
        self._data: list[tuple[str, np.ndarray]] = []
        self._strategies: list[Any] = []
        self._built = False
        self._runs = 0

    # -- setup -------------------------------------------------------------------------------

    def add_venue(self, name: str, *, oms_type: str = "NETTING", account_type: str = "MARGIN",
                  base_currency: str | None = "USD", starting_balances: list[str] | tuple[str, ...] = ("1000000 USD",),
                  **options: Any) -> None:
        """Add a simulated venue. ``options`` go to ``SimulatedExchange``: fill_model, queue_model,
        latency_model, fee_model, book_type ("L1"/"L2"/"L3"), bar_execution, same_bar_fill (the
        look-ahead opt-in), leverages, default_leverage, allow_cash_borrowing, ..."""
        if name in self._venues:
            raise BacktestConfigError(f"venue {name!r} already added")
        if str(oms_type).upper() not in ("NETTING", "HEDGING"):
            raise BacktestConfigError(f"venue {name!r}: invalid oms_type {oms_type!r} (NETTING or HEDGING)")
        if str(account_type).upper() not in ("CASH", "MARGIN"):
            raise BacktestConfigError(f"venue {name!r}: invalid account_type {account_type!r} (CASH or MARGIN)")
        if isinstance(starting_balances, str):
            starting_balances = [starting_balances]
        self._venues[name] = VenueConfig(name, str(oms_type).upper(), str(account_type).upper(),
                                         base_currency, list(starting_balances), dict(options))
        self._built = False

    def add_instrument(self, instrument: Instrument) -> None:
        """Add an instrument; its venue must have been added first."""
        if not isinstance(instrument, Instrument):
            raise BacktestConfigError(f"add_instrument expects an Instrument, got {type(instrument).__name__}")
        venue = instrument.id.venue.value
        if venue not in self._venues:
            raise BacktestConfigError(f"instrument {instrument.id}: venue {venue!r} not added (call add_venue first)")
        self._instruments[instrument.id] = instrument
        self._built = False

    def add_data(self, data: Any, columns: Any = None, *, kind: str | None = None,
                 price_precision: int | None = None, size_precision: int | None = None,
                 name: str | None = None) -> None:
        """Add market data. Accepted forms:

        * a record array of one of the record dtypes (loader or catalog output);
        * ``(BarType, dict-of-columns | DataFrame)``: bars with ``ts_event`` (or ``ts_ns``: the bar
          close time, UNIX ns), ``open``, ``high``, ``low``, ``close`` and optional ``volume``;
        * ``(InstrumentId, dict | DataFrame, kind="trades"|"quotes"|"deltas")``;
        * an iterable of record arrays (e.g. ``catalog.stream(...)`` chunks).

        Decimal columns are converted at the instrument's precision (override with
        ``price_precision``/``size_precision``). Records must be sorted by ``ts_event``: the
        backtest timeline is venue time (see ``alphaforge._core.backtest_kernel``).
        """
        if isinstance(data, np.ndarray) and columns is None:
            self._add_records(data, name)
            return
        if isinstance(data, (BarType, str)) and columns is not None:
            bar_type = data if isinstance(data, BarType) else BarType.from_str(data)
            inst = self._instrument_for(bar_type.instrument_id)
            recs = from_frame("bars", columns, bar_type=bar_type,
                              price_precision=inst.price_precision if price_precision is None else price_precision,
                              size_precision=inst.size_precision if size_precision is None else size_precision)
            self._add_records(recs, name or str(bar_type))
            return
        if isinstance(data, InstrumentId) and columns is not None:
            if kind not in ("trades", "quotes", "deltas"):
                raise BacktestConfigError(f"add_data({data}, ...): kind must be 'trades', 'quotes' or 'deltas'")
            inst = self._instrument_for(data)
            recs = from_frame(kind, columns, instrument_id=data,
                              price_precision=inst.price_precision if price_precision is None else price_precision,
                              size_precision=inst.size_precision if size_precision is None else size_precision)
            self._add_records(recs, name or f"{kind}:{data}")
            return
        if hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
            chunks = [c for c in data]
            if not chunks:
                return
            by_kind: dict[np.dtype, list[np.ndarray]] = {}
            for c in chunks:
                if not isinstance(c, np.ndarray) or c.dtype not in _RECORD_DTYPES:
                    raise BacktestConfigError("add_data: an iterable must yield record arrays")
                by_kind.setdefault(c.dtype, []).append(c)
            for parts in by_kind.values():
                recs = np.concatenate(parts)
                order = np.argsort(recs["ts_event"], kind="stable")
                self._add_records(recs[order], name)
            return
        raise BacktestConfigError(
            f"add_data: unsupported arguments ({type(data).__name__}, {type(columns).__name__}); "
            "see BacktestEngine.add_data for the accepted forms"
        )

    def _instrument_for(self, instrument_id: InstrumentId) -> Instrument:
        inst = self._instruments.get(instrument_id)
        if inst is None:
            raise BacktestConfigError(f"instrument {instrument_id} not added (call add_instrument first)")
        return inst

    def _add_records(self, records: np.ndarray, name: str | None) -> None:
        if records.dtype not in _RECORD_DTYPES:
            raise BacktestConfigError(f"add_data: dtype {records.dtype} is not an alphaforge record dtype")
        kind = _RECORD_DTYPES[records.dtype]
        if kind == "bars":
            ids = _distinct(records["bar_type_id"])
            for i in ids:
                if i == 0:
                    raise BacktestConfigError("add_data: bar records without a bar type (bar_type_id 0)")
                self._instrument_for(BarType.from_index(int(i)).instrument_id)
        else:
            for i in _distinct(records["instrument_id"]):
                if i == 0:
                    raise BacktestConfigError(f"add_data: {kind} records without an instrument (instrument_id 0)")
                self._instrument_for(InstrumentId.from_index(int(i)))
        stream = DataStream(records, name or kind)  # raises if ts_event goes backwards
        self._data.append((stream.name, stream.records))
        self._built = False

    def add_strategy(self, strategy: Any) -> None:
        """Add a strategy instance (a ``Strategy`` subclass); ids must be unique."""
        from alphaforge.trading import Strategy

        if not isinstance(strategy, Strategy):
            raise BacktestConfigError(f"add_strategy expects a Strategy, got {type(strategy).__name__}")
        if any(s.id == strategy.id for s in self._strategies):
            raise BacktestConfigError(f"strategy id {strategy.id} already added (set a distinct order_id_tag)")
        self._strategies.append(strategy)
        self._built = False

    def clear_strategies(self) -> None:
        """Remove every strategy (keeps venues, instruments and data)."""
        self._strategies = []
        self._built = False

    @property
    def strategies(self) -> list:
        return list(self._strategies)

    # -- build and run -----------------------------------------------------------------------

    def _build(self) -> None:
        from alphaforge._core.data_engine import DataEngine
        from alphaforge._core.exchange import SimulatedExchange
        from alphaforge._core.execution_engine import ExecutionEngine
        from alphaforge._core.portfolio import Portfolio
        from alphaforge._core.risk_engine import RiskEngine
        from alphaforge._core.trading_cache import Cache
        from alphaforge.common import Logger, LogLevel

        if not self._venues:
            raise BacktestConfigError("no venue added (call add_venue)")
        if not self._data:
            raise BacktestConfigError("no data added (call add_data)")
        self.clock = TestClock()
        self.msgbus = MessageBus(self.trader_id)
        self.cache = Cache(tick_capacity=self._tick_capacity)
        base = next(iter(self._venues.values())).base_currency
        self.portfolio = Portfolio(cache=self.cache, base_currency=base, sample_interval_ns=self._sample_interval_ns)
        self.data_engine = DataEngine(self.msgbus, self.cache, self.clock, validation=self._validation)
        self.exec_engine = ExecutionEngine(self.clock, self.cache, self.portfolio, self.msgbus)
        self.risk_engine = RiskEngine(self.exec_engine, self.cache, self.portfolio, self.clock)
        self.kernel = BacktestKernel(self.data_engine, self.portfolio)
        self.kernel.add_clock(self.clock)
        self.exchanges: dict[str, Any] = {}
        for v in self._venues.values():
            ex = SimulatedExchange(Venue(v.name), v.oms_type, v.account_type, v.base_currency,
                                   v.starting_balances, self.clock, **v.options)
            self.exchanges[v.name] = ex
            self.exec_engine.register_venue(ex)
            self.portfolio.register_account(ex.account, Venue(v.name))
            self.kernel.add_exchange(ex)
        for inst in self._instruments.values():
            self.cache.add_instrument(inst)
            self.data_engine.add_instrument(inst)
            self.portfolio.register_instrument(inst)
            self.exchanges[inst.id.venue.value].add_instrument(inst)

        def exchange_for_inst(index: int) -> Any:
            return self.exchanges.get(InstrumentId.from_index(index).venue.value) if index else None

        def exchange_for_bar_type(index: int) -> Any:
            return self.exchanges.get(BarType.from_index(index).instrument_id.venue.value) if index else None

        for name, records in self._data:
            stream = DataStream(records, name)
            self.kernel.add_stream(stream, exchange_for_bar_type if records.dtype == BAR_DTYPE else exchange_for_inst)
        level = LogLevel[self._log_level.upper()] if hasattr(LogLevel, "__getitem__") else self._log_level
        for strategy in self._strategies:
            sclock = TestClock()
            self.kernel.add_clock(sclock)
            logger = Logger(strategy.id.value, level=level, clock=sclock)
            strategy.register(self.trader_id, sclock, self.msgbus, self.cache, self.portfolio,
                              self.data_engine, self.risk_engine, self.exec_engine, logger)
            # StrategyConfig.oms_type (None: the venue's) overrides the venue's OMS for this strategy
            self.exec_engine.register_strategy(strategy.id, strategy, getattr(strategy.config, "oms_type", None))
        # every PositionClosed of the run, in order (kept by the execution engine in C)
        self.closed_positions: list[Any] = self.exec_engine.closed_position_events
        self.starting_equity = float(self.portfolio.equity().as_double())
        self._built = True

    def run(self, start: int | str | None = None, end: int | str | None = None,
            progress: bool | None = None) -> BacktestResult:
        """Run the backtest over [start, end] (UNIX ns or anything pandas.Timestamp accepts; default:
        all data). ``progress`` shows a progress bar (default: on when stderr is a terminal).
        Returns a :class:`BacktestResult`."""
        if self._runs and self._built:
            self.reset()
        if not self._built:
            from alphaforge._core.order_events import reset_event_ids

            reset_event_ids()  # event ids restart at 1: two runs give identical events
            self._build()
        start_ns = _to_ns(start, 0)
        end_ns = _to_ns(end, np.iinfo(np.int64).max)
        first = min((int(r["ts_event"][0]) for _, r in self._data if len(r)), default=0)
        t0 = max(first, start_ns)
        for c in self.kernel.clocks:
            c.set_time(t0)
        for strategy in self._strategies:
            strategy.start()
        show = sys.stderr.isatty() if progress is None else bool(progress)
        n_records = sum(len(r) for _, r in self._data)
        bar, callback = _progress_bar(show, n_records)
        # one equity-curve allocation up front: at most one point per record (or per interval) + the last
        last = max((int(r["ts_event"][-1]) for _, r in self._data if len(r)), default=t0)
        span_points = (min(last, end_ns) - t0) // self._sample_interval_ns + 2 if self._sample_interval_ns > 0 else n_records
        self.portfolio.reserve_samples(self.portfolio.sample_count + min(n_records, span_points) + 2)
        # The cyclic garbage collector is paused while the loop runs: the objects a run creates
        # (orders, events, positions) form no reference cycles, and gen-2 collections rescanning a
        # heap that grows with the run would otherwise cost a fifth of the time. Reference counting
        # still frees everything as usual; collections resume after the loop.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        arena_cache.install()
        arena_cache.start_prefault()
        wall = time.perf_counter()
        try:
            events = self.kernel.run(start_ns, end_ns, callback)
        finally:
            elapsed = time.perf_counter() - wall
            arena_cache.stop_prefault()
            if gc_was_enabled:
                gc.enable()
            if bar is not None:
                bar.close()
        for strategy in self._strategies:
            if strategy.state in ("RUNNING", "DEGRADED"):
                strategy.stop()
        if self.kernel.last_ts:
            self.portfolio.sample(self.kernel.last_ts, force=True)  # the curve ends at the last event
        self._runs += 1
        return BacktestResult(self, events=events, elapsed_s=elapsed, start_ns=t0, end_ns=self.kernel.last_ts)

    def reset(self) -> None:
        """Forget all run state (orders, positions, balances, caches, clocks); keep venues,
        instruments, data and strategies (which are reset to READY)."""
        for strategy in self._strategies:
            if strategy.state in ("RUNNING", "DEGRADED"):
                strategy.stop()
            if strategy.state in ("STOPPED", "FAULTED"):
                strategy.reset()
        self._built = False
        self._runs = 0


def _distinct(ids: np.ndarray) -> np.ndarray:
    """The distinct values of an id column (one comparison pass when it holds a single id, the
    usual case, instead of a sort)."""
    if len(ids) and (ids == ids[0]).all():
        return ids[:1]
    return np.unique(ids)


def _to_ns(value: int | str | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, (int, np.integer)):
        return int(value)
    import pandas as pd

    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.value)


def _progress_bar(show: bool, total: int) -> tuple[Any, Any]:
    if not show:
        return None, None
    import pandas as pd
    from tqdm import tqdm

    bar = tqdm(total=total, unit="ev", unit_scale=True, desc="backtest", dynamic_ncols=True)

    def update(events: int, ts_ns: int) -> None:
        bar.n = events
        bar.set_postfix_str(str(pd.Timestamp(ts_ns, unit="ns", tz="UTC")), refresh=False)
        bar.refresh()

    return bar, update
