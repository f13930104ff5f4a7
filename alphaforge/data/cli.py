"""``alphaforge data ...`` subcommands: import files into a Parquet catalog and list its contents.

    alphaforge data import FORMAT FILE --instrument ID --catalog DIR [options]
    alphaforge data ls --catalog DIR

``add_data_commands(subparsers)`` registers the ``data`` command on the top-level CLI's
``argparse`` subparsers; each leaf parser sets ``func`` to its handler ``(args) -> int`` (exit
code). ``main(argv)`` runs the ``data`` commands alone (``python -m alphaforge.data.cli ...``).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path
from typing import Any

import numpy as np

from alphaforge._core.records import BAR_DTYPE
from alphaforge.data.catalog import CatalogError, ParquetCatalog
from alphaforge.data.loaders import LOADERS, LoaderError, load_csv, load_fxcm_bars

__all__ = ["add_data_commands", "main", "FORMATS"]

#: formats accepted by ``data import`` (the loaders' registry plus the two that take extra inputs)
FORMATS = sorted([*LOADERS, "fxcm-bars", "csv"])


def add_data_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``data import`` and ``data ls`` to an ``argparse`` subparsers object; returns the
    ``data`` parser."""
    data = subparsers.add_parser("data", help="import market data files into a Parquet catalog, list it")
    sub = data.add_subparsers(dest="data_command", metavar="{import,ls}")
    sub.required = True

    imp = sub.add_parser("import", help="load a file with a format loader and write it to a catalog")
    imp.add_argument("format", choices=FORMATS, help="file format (loader)")
    imp.add_argument("file", type=Path, help="input file (.csv, .gz, .zip, .zst, .dbn.zst)")
    imp.add_argument("--instrument", required=True, help="instrument id, e.g. BTCUSDT.BINANCE")
    imp.add_argument("--catalog", required=True, type=Path, help="catalog root folder")
    imp.add_argument("--bar-type", help="bar type for bar formats, e.g. BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    imp.add_argument("--price-precision", type=int, help="decimals of prices (default: inferred from the file)")
    imp.add_argument("--size-precision", type=int, help="decimals of sizes (default: inferred from the file)")
    imp.add_argument("--on-overlap", choices=["reject", "dedup"], default="reject",
                     help="data overlapping stored records: refuse (default) or merge without duplicates")
    imp.add_argument("--sort", choices=["stable", "reject"], default="stable",
                     help="out-of-order timestamps: sort stably (default) or fail")
    imp.add_argument("--ask-file", type=Path, help="fxcm-bars: the ask-side file (FILE is the bid side)")
    imp.add_argument("--fxcm-output", choices=["quotes", "bars"], default="quotes",
                     help="fxcm-bars: store quotes at each bar close (default) or BID and ASK bars")
    imp.add_argument("--data-type", choices=["trades", "quotes", "bars", "deltas"], help="csv: record type")
    imp.add_argument("--columns", help="csv: field=column pairs, e.g. ts_event=ts_ns,price=price,size=size")
    imp.add_argument("--ts-unit", default="ns", choices=["ns", "us", "ms", "s", "datetime"],
                     help="csv: timestamp unit")
    imp.add_argument("--label", choices=["close", "open"], default="close",
                     help="ohlc-csv: intraday labels are bar close (default) or open times")
    imp.add_argument("--interval", type=int, help="ohlc-csv with --label open: bar length in ns")
    imp.add_argument("--round-volume", action="store_true",
                     help="ohlc-csv: round float-dump volumes to --size-precision (explicit opt-in)")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)

    ls = sub.add_parser("ls", help="list the series stored in a catalog")
    ls.add_argument("--catalog", required=True, type=Path, help="catalog root folder")
    ls.set_defaults(func=cmd_ls)
    return data


def _progress_bar(path: Path, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=f"reading {path.name}",
                file=sys.stderr, leave=True)


def _load(args: argparse.Namespace, bar: Any) -> list[tuple[np.ndarray, str]]:
    """Run the loader; returns (records, catalog key) pairs."""
    progress = None if bar is None else bar.update
    common: dict[str, Any] = dict(instrument_id=args.instrument, price_precision=args.price_precision,
                                  size_precision=args.size_precision, sort=args.sort)
    if args.format == "fxcm-bars":
        if args.ask_file is None:
            raise SystemExit("fxcm-bars needs --ask-file (FILE is the bid side)")
        if args.fxcm_output == "bars":
            if not args.bar_type:
                raise SystemExit("fxcm-bars --fxcm-output bars needs --bar-type (the BID one; the ASK type is "
                                 "derived by replacing -BID- with -ASK-)")
            ask_type = args.bar_type.replace("-BID-", "-ASK-")
            bid, ask = load_fxcm_bars(args.file, args.ask_file, output="bars", bid_bar_type=_bar_index(args.bar_type),
                                      ask_bar_type=_bar_index(ask_type), **common)
            return [(bid, args.bar_type), (ask, ask_type)]
        return [(load_fxcm_bars(args.file, args.ask_file, output="quotes", **common), args.instrument)]
    if args.format == "csv":
        if not args.data_type or not args.columns:
            raise SystemExit("csv needs --data-type and --columns field=column,...")
        columns = dict(pair.split("=", 1) for pair in args.columns.split(","))
        key = args.bar_type if args.data_type == "bars" else args.instrument
        if args.data_type == "bars" and not key:
            raise SystemExit("csv bars need --bar-type")
        recs = load_csv(args.file, args.data_type, columns, ts_unit=args.ts_unit, progress=progress,
                        bar_type=_bar_index(key) if args.data_type == "bars" else None, **common)
        return [(recs, key)]
    loader = LOADERS[args.format]
    params = inspect.signature(loader).parameters
    kw = dict(common)
    if "progress" in params:
        kw["progress"] = progress
    if "bar_type" in params and args.bar_type:
        kw["bar_type"] = _bar_index(args.bar_type)
    if "label" in params:
        kw["label"] = args.label
        kw["interval"] = args.interval
        kw["round_volume"] = args.round_volume
    recs = loader(args.file, **kw)
    if recs.dtype == BAR_DTYPE:
        if not args.bar_type:
            raise SystemExit(f"{args.format} loaded bars: pass --bar-type (the catalog key of bars)")
        return [(recs, args.bar_type)]
    return [(recs, args.instrument)]


def _bar_index(bar_type: str) -> int:
    from alphaforge._core.data import BarType

    return int(BarType.from_str(bar_type).index)


def cmd_import(args: argparse.Namespace) -> int:
    """``data import``: load FILE with the FORMAT loader and write the records to the catalog."""
    bar = _progress_bar(args.file, not args.no_progress and args.format != "databento-dbn")
    try:
        loaded = _load(args, bar)
    except (LoaderError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.n = bar.total
            bar.refresh()
            bar.close()
    cat = ParquetCatalog(args.catalog, on_overlap=args.on_overlap)
    for recs, key in loaded:
        try:
            added = cat.write(recs, key)
        except CatalogError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
        print(f"{args.file.name}: {len(recs)} records loaded, {added} written to {args.catalog} ({key})")
    return 0


def _iso(ns: int) -> str:
    return str(np.datetime64(int(ns), "ns"))


def cmd_ls(args: argparse.Namespace) -> int:
    """``data ls``: one line per stored series: type, key, files, rows, first and last ts_event (UTC)."""
    if not Path(args.catalog).is_dir():
        print(f"error: no catalog at {args.catalog}", file=sys.stderr)
        return 2
    entries = ParquetCatalog(args.catalog).entries()
    header = ("TYPE", "KEY", "FILES", "ROWS", "START (UTC)", "END (UTC)")
    rows = [(e.data_type, e.key, str(e.files), str(e.rows), _iso(e.start), _iso(e.end)) for e in entries]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``data`` subcommands standalone: ``python -m alphaforge.data.cli data ls --catalog DIR``."""
    parser = argparse.ArgumentParser(prog="alphaforge")
    sub = parser.add_subparsers(dest="command")
    sub.required = True
    add_data_commands(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
