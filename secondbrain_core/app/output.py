"""What a command hands back to the CLI: machine data for `--json`, text for people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CommandResult:
    data: Any
    text: str
