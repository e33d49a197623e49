"""Small helpers shared by the command modules."""

from __future__ import annotations

import argparse


def add_command(subparsers: argparse._SubParsersAction, name: str, help_text: str, handler) -> argparse.ArgumentParser:
    """A sub-command with `--json` and its handler attached."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(handler=handler)
    return parser


def group(
    subparsers: argparse._SubParsersAction, groups: dict, name: str, help_text: str
) -> argparse._SubParsersAction:
    """A command group (`secondbrain eval ...`) shared by several modules."""
    if name not in groups:
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        groups[name] = parser.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")
    return groups[name]
