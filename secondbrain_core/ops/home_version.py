"""The schema stamp of a home (`$SECONDBRAIN_HOME/home.json`).

A home written by a newer secondbrain may hold files this version would misread; reading or
restoring over it stops with a message (exit 2) instead. `backup` and `restore` write the stamp;
a home without one is taken as schema 1 (every home before the stamp existed).
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.records import write_atomically

HOME_SCHEMA = 1
HOME_FILE = "home.json"


def package_version() -> str:
    try:
        return version("secondbrain")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def home_schema(home: Path) -> int:
    """The home's schema; 1 when unstamped. A damaged stamp is an error naming the file."""
    path = home / HOME_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return 1
    except (OSError, ValueError, RecursionError) as exc:
        raise SecondBrainError(f"{path} cannot be read: {exc}") from None
    schema = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(schema, int):
        raise SecondBrainError(f"{path} has no integer schema_version")
    return schema


def check_schema(schema: int, what: str, written_by: str = "") -> None:
    """Refuse data (`what`, e.g. a home or a backup) whose schema this version does not read."""
    if schema > HOME_SCHEMA:
        by = f" by secondbrain {written_by}" if written_by else ""
        raise SecondBrainError(
            f"{what} was written{by} with schema {schema}; this secondbrain ({package_version()}) reads schema "
            f"{HOME_SCHEMA} at most: upgrade secondbrain (pip install -U, or git pull && make install)"
        )


def check_home(home: Path) -> None:
    check_schema(home_schema(home), f"the home {home}")


def stamp_home(home: Path) -> None:
    stamp = {"schema_version": HOME_SCHEMA, "written_by": package_version()}
    write_atomically(home / HOME_FILE, (json.dumps(stamp, indent=2) + "\n").encode())  # half a stamp bricks the home
