"""Small helpers shared by the command modules."""

from __future__ import annotations

import argparse

from secondbrain_core.errors import SecondBrainError, one_line


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
    """`text` for a terminal: its lines and tabs kept (code in `show`), every other control character
    escaped (`\\x1b`), so an escape sequence inside a note (colours, a window title, a hyperlink) is
    shown, not run."""
    return "\n".join("\t".join(one_line(cell) for cell in line.split("\t")) for line in text.split("\n"))


def check_utf8(args: argparse.Namespace) -> None:
    """Refuse an argument whose bytes were not UTF-8: Python passes them on as lone surrogates, which
    fail deep inside (the trace store, the tokenizer, JSON) as a traceback instead of bad input."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as exc:
                    flag = "--" + name.replace("_", "-")
                    raise SecondBrainError(
                        f"{flag} {text!r} is not UTF-8 text (invalid bytes at {exc.start + 1})"
                    ) from exc
