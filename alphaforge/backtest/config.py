"""Config-driven backtests: a TOML file names the venues, instruments, data and strategies.

    alphaforge backtest run config.toml [--out DIR] [--no-progress]

Layout (every table is checked; an unknown or bad key raises ``RunConfigError`` naming the table,
the entry and the key)::

    [engine]                       # optional: BacktestEngine keyword arguments
    trader_id = "BACKTESTER-001"
    sample_interval_ns = 60_000_000_000

    [[venues]]                     # BacktestEngine.add_venue(name, **rest)
    name = "XCME"
    oms_type = "NETTING"
    account_type = "MARGIN"
    base_currency = "USD"
    starting_balances = ["100000 USD"]

    [[instruments]]                # type = Equity | CurrencyPair | CryptoPerpetual | FuturesContract
    type = "FuturesContract"
    id = "6EH4.XCME"
    underlying = "6E"
    currency = "USD"
    price_precision = 5
    price_increment = "0.00005"
    multiplier = 125000.0

    [[data]]                       # a loader from alphaforge.data.loaders.LOADERS ...
    loader = "ohlc-csv"
    path = "bars.csv.gz"           # relative paths are relative to the TOML file
    instrument = "6EH4.XCME"
    bar_type = "6EH4.XCME-1-MINUTE-LAST-EXTERNAL"
    # ... or a catalog query: catalog = "DIR", data_type = "bars", instrument_ids = [...],
    # start/end = "2024-01-02" (anything pandas.Timestamp accepts)

    [[strategies]]                 # import paths "module:Class"
    strategy = "alphaforge.strategies:EMACross"
    config = "alphaforge.strategies:EMACrossConfig"
    [strategies.params]
    bar_type = "6EH4.XCME-1-MINUTE-LAST-EXTERNAL"
    fast = 10

    [output]                       # optional
    dir = "results"                # reports: stats.json, fills.csv, orders.csv, positions.csv, tearsheet.html
    tearsheet = true
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_INSTRUMENT_TYPES = ("Equity", "CurrencyPair", "CryptoPerpetual", "FuturesContract")
_TOP_KEYS = {"engine", "venues", "instruments", "data", "strategies", "output"}


class RunConfigError(ValueError):
    """The run configuration is invalid; the message names the table, entry and key."""


def _import(path: str, where: str) -> Any:
    module, _, name = path.partition(":")
    if not module or not name:
        raise RunConfigError(f"{where}: import path {path!r} must look like 'package.module:Name'")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as e:
        raise RunConfigError(f"{where}: cannot import {path!r}: {e}") from None


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def load_run_config(path: str | Path) -> dict[str, Any]:
    """Parse and check the TOML file's top level; returns the raw tables."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            cfg = tomllib.load(f)
    except FileNotFoundError:
        raise RunConfigError(f"run config {path} not found") from None
    except tomllib.TOMLDecodeError as e:
        raise RunConfigError(f"run config {path}: invalid TOML: {e}") from None
    unknown = sorted(set(cfg) - _TOP_KEYS)
    if unknown:
        raise RunConfigError(f"run config {path}: unknown table {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    for key in ("venues", "instruments", "data", "strategies"):
        if not cfg.get(key):
            raise RunConfigError(f"run config {path}: at least one [[{key}]] entry is required")
    return cfg


def build_engine(cfg: dict[str, Any], base_dir: Path) -> Any:
    """A ``BacktestEngine`` set up from a parsed run config."""
    from alphaforge import model
    from alphaforge.backtest import BacktestEngine
    from alphaforge.data import loaders
    from alphaforge.data.catalog import ParquetCatalog

    engine = BacktestEngine(**cfg.get("engine", {}))
    for i, v in enumerate(cfg["venues"]):
        v = dict(v)
        if "name" not in v:
            raise RunConfigError(f"[[venues]] #{i + 1}: key 'name' is required")
        engine.add_venue(v.pop("name"), **v)
    instruments = {}
    for i, spec in enumerate(cfg["instruments"]):
        spec = dict(spec)
        kind = spec.pop("type", None)
        if kind not in _INSTRUMENT_TYPES:
            raise RunConfigError(f"[[instruments]] #{i + 1}: key 'type' must be one of {', '.join(_INSTRUMENT_TYPES)}")
        if "id" not in spec:
            raise RunConfigError(f"[[instruments]] #{i + 1}: key 'id' is required")
        iid = spec.pop("id")
        try:
            inst = getattr(model, kind)(iid, **spec)
        except (TypeError, ValueError) as e:
            raise RunConfigError(f"[[instruments]] {iid}: {e}") from None
        instruments[iid] = inst
        engine.add_instrument(inst)
    for i, d in enumerate(cfg["data"]):
        d = dict(d)
        where = f"[[data]] #{i + 1}"
        if "catalog" in d:
            catalog = ParquetCatalog(_resolve(base_dir, d.pop("catalog")))
            data_type = d.pop("data_type", None)
            if data_type is None:
                raise RunConfigError(f"{where}: key 'data_type' is required with 'catalog'")
            records = catalog.query(data_type, d.pop("instrument_ids", None), d.pop("start", None), d.pop("end", None))
            if d:
                raise RunConfigError(f"{where}: unknown key {sorted(d)[0]!r}")
            engine.add_data(records)
            continue
        name = d.pop("loader", None)
        if name not in loaders.LOADERS:
            raise RunConfigError(f"{where}: key 'loader' must be one of {', '.join(sorted(loaders.LOADERS))}")
        if "path" not in d:
            raise RunConfigError(f"{where}: key 'path' is required")
        source = _resolve(base_dir, d.pop("path"))
        inst_id = d.pop("instrument", None)
        inst = instruments.get(inst_id)
        if inst is None:
            raise RunConfigError(f"{where}: key 'instrument' must name one of the [[instruments]] ids")
        if "bar_type" in d:
            d["bar_type"] = model.BarType.from_str(d["bar_type"])
        try:
            records = loaders.LOADERS[name](source, inst, **d)
        except TypeError as e:
            raise RunConfigError(f"{where}: {e}") from None
        engine.add_data(records)
    for i, s in enumerate(cfg["strategies"]):
        s = dict(s)
        where = f"[[strategies]] #{i + 1}"
        cls = _import(s.pop("strategy", ""), where)
        config_cls = _import(s.pop("config", ""), where)
        params = s.pop("params", {})
        if s:
            raise RunConfigError(f"{where}: unknown key {sorted(s)[0]!r} (use strategy, config, params)")
        engine.add_strategy(cls(config_cls.parse(params)))
    return engine


def run_from_config(path: str | Path, out_dir: str | Path | None = None, progress: bool | None = None) -> Any:
    """Run the backtest a TOML file describes, write its reports; returns the BacktestResult."""
    from alphaforge.analysis import format_statistics

    path = Path(path)
    cfg = load_run_config(path)
    engine = build_engine(cfg, path.parent)
    result = engine.run(progress=progress)
    output = cfg.get("output", {})
    out = Path(out_dir) if out_dir is not None else _resolve(path.parent, output.get("dir", "results"))
    out.mkdir(parents=True, exist_ok=True)
    stats = result.stats()
    print(format_statistics(stats))
    (out / "stats.json").write_text(json.dumps(stats, indent=2, default=str))
    result.fills_report().to_csv(out / "fills.csv", index=False)
    result.orders_report().to_csv(out / "orders.csv", index=False)
    result.positions_report().to_csv(out / "positions.csv", index=False)
    if output.get("tearsheet", True):
        result.tearsheet(str(out / "tearsheet.html"))
    print(f"reports written to {out}")
    return result
