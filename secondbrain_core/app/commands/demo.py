"""`secondbrain demo`: the whole graph on the configured sources, then one question.

The work happens in `python -m secondbrain_dagster.demo`, started as a child process so the
library never imports Dagster; the child inherits the environment `Settings` was built from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings

DEMO_MODULE = "secondbrain_dagster.demo"


def register(subparsers, groups) -> None:
    demo = add_command(subparsers, "demo", "materialize the whole graph on the sample KB and ask one question", _demo)
    demo.add_argument("--select", default="", help="comma list of asset keys to run instead of the whole graph")


def _demo(args, settings: Settings) -> CommandResult:
    from secondbrain_core.sources.registry import configured_sources

    configured_sources(settings)  # a bad spec: one line here, before the child starts Dagster
    command = [sys.executable, "-m", DEMO_MODULE, "--select", args.select, *(["--json"] if args.json else [])]
    # Text mode streams the child's report straight to the terminal; --json captures it.
    completed = subprocess.run(command, stdout=subprocess.PIPE if args.json else None, text=True, check=False)
    if completed.returncode == 2:
        raise SecondBrainError(f"{DEMO_MODULE} rejected its input (its message is above)")
    if completed.returncode != 0:
        raise RuntimeError(f"{DEMO_MODULE} exited with status {completed.returncode}")
    return CommandResult(data=json.loads(completed.stdout) if args.json else None, text="")
