"""Small helpers shared by the command modules."""

from __future__ import annotations

import argparse

from secondbrain_core.errors import one_line


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


def terminal_text(text: str) -> str:
    """`text` for a terminal: its lines kept, every other control character escaped (`\\x1b`), so
    an escape sequence inside a note (colours, a window title, a hyperlink) is shown, not run."""
    return "\n".join(one_line(line) for line in text.split("\n"))
