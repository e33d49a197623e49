"""`secondbrain` console script: one sub-command per module in `app/commands`.

Exit codes: 0 ok, 2 bad input (one line naming the input), 1 any other failure (one line;
`SECONDBRAIN_DEBUG=1` shows the traceback). Every command takes `--json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from secondbrain_core.app.commands import COMMAND_MODULES
from secondbrain_core.app.commands.common import terminal_text
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="secondbrain", description="Your Notion workspace as an assistant.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    for module in COMMAND_MODULES:
        module.register(subparsers, groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # imported once the arguments parse: `--help` and a usage error never load pydantic (~0.2 s)
    from secondbrain_core.redact import redact
    from secondbrain_core.runtime_env import apply_runtime_env
    from secondbrain_core.settings import load_settings

    settings: Settings | None = None
    try:
        settings = load_settings()
        apply_runtime_env(settings)
        result: CommandResult = args.handler(args, settings)
    except SecondBrainError as exc:
        print(redact(f"error: {exc}", settings), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # every message is redacted: a driver or a server may echo a URI's password or a key
        if os.environ.get("SECONDBRAIN_DEBUG"):
            print(redact(traceback.format_exc(), settings), file=sys.stderr, end="")
        print(redact(f"error: {_describe(exc)}", settings), file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(json.dumps(result.data, default=str, indent=None))
    elif result.text:
        print(terminal_text(result.text))  # a note's escape sequence is shown, never run (any command)
    return 0


def _describe(exc: Exception) -> str:
    """An unexpected failure in one line; a pydantic error names its model and field, not a dump."""
    from pydantic import ValidationError

    from secondbrain_core.records import first_problem

    if isinstance(exc, ValidationError):
        return f"invalid {exc.title} record: {first_problem(exc)}"
    return f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    sys.exit(main())
