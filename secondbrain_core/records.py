"""Records read from outside (manifests, state files, stored documents): faults name the record.

pydantic's own error for a bad file names a field path but not the file; a user who finds an
empty `manifest.json` needs the path. Reading every such file through `read_record` turns any
fault into a `SecondBrainError` that says which file and what is wrong with it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from secondbrain_core.errors import SecondBrainError

M = TypeVar("M", bound=BaseModel)


def parse_record(model: type[M], data: str | bytes | dict, origin: str) -> M:
    """`data` (JSON text, or a document already decoded) as a `model`; a fault names `origin`
    (a path, a key, a stored record), the field and the reason."""
    try:
        return model.model_validate(data) if isinstance(data, dict) else model.model_validate_json(data)
    except ValidationError as exc:
        raise SecondBrainError(f"{origin} is not a valid {model.__name__}: {first_problem(exc)}") from None


def first_problem(exc: ValidationError) -> str:
    """The first fault pydantic found, in one line: the field (if any) and what is wrong with it."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    return f"field {field!r}: {first['msg']}" if field else first["msg"]


def read_record(model: type[M], path: Path) -> M | None:
    """The file at `path` as a `model`, or None when there is no such file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SecondBrainError(f"{path} cannot be read: {exc.strerror}") from None
    return parse_record(model, data, str(path))


def write_record(path: Path, record: BaseModel) -> None:
    """Replace `path` with `record` atomically: a reader sees the old file or the new, never half."""
    write_atomically(path, record.model_dump_json(indent=2).encode())


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: written beside it, synced, then renamed over it, so a crash
    leaves the old file or the new one, never a half-written one that later reads refuse. The
    file is readable by this user only (`mkstemp`'s 0600): state files holding tokens rely on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(data)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)
