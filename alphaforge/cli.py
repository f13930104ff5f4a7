"""The ``alphaforge`` command line.

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


def build_parser() -> argparse.ArgumentParser:
    from alphaforge import __version__

    parser = argparse.ArgumentParser(prog="alphaforge", description="AlphaForge trading platform")
    parser.add_argument("--version", action="version", version=f"alphaforge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

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
