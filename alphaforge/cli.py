"""The ``alphaforge`` command line.

    alphaforge demo [--out DIR]              EMA-cross backtest on bundled CME 6EH4 minute bars
    alphaforge backtest run CONFIG.toml      a backtest described by a TOML file
    alphaforge selfcheck                     version, build info and a short self-check
    alphaforge data import|ls ...            market data into / out of a Parquet catalog
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _selfcheck(args: argparse.Namespace) -> int:
    from alphaforge.selfcheck import run_selfcheck

    return run_selfcheck(verbose=True)


def _demo(args: argparse.Namespace) -> int:
    from alphaforge.demo import run_demo

    return run_demo(out_dir=args.out, progress=False if args.no_progress else None)


def _backtest_run(args: argparse.Namespace) -> int:
    from alphaforge.backtest.config import RunConfigError, run_from_config

    try:
        run_from_config(args.config, out_dir=args.out, progress=False if args.no_progress else None)
    except RunConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    from alphaforge import __version__

    parser = argparse.ArgumentParser(prog="alphaforge", description="AlphaForge trading platform")
    parser.add_argument("--version", action="version", version=f"alphaforge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    demo = sub.add_parser("demo", help="EMA-cross backtest on bundled real futures data; writes a tearsheet")
    demo.add_argument("--out", default="alphaforge-demo", help="output folder (default: ./alphaforge-demo)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(func=_demo)

    bt = sub.add_parser("backtest", help="config-driven backtests")
    bt_sub = bt.add_subparsers(dest="backtest_command", metavar="{run}")
    bt_sub.required = True
    run = bt_sub.add_parser("run", help="run the backtest a TOML file describes and write its reports")
    run.add_argument("config", help="TOML run configuration")
    run.add_argument("--out", help="report folder (default: [output].dir of the file, else ./results)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=_backtest_run)

    check = sub.add_parser("selfcheck", help="print version and build information and run a self-check")
    check.set_defaults(func=_selfcheck)

    from alphaforge.data.cli import add_data_commands

    add_data_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
