"""Read a line-oriented test-set file (JSONL, TSV) so that every fault names the file and line."""

from __future__ import annotations

import json
from pathlib import Path

from secondbrain_core.errors import SecondBrainError

MAX_BYTES = 256 * 2**20  # far above any test set; a FIFO or /dev/zero must not be read forever


def read_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) for each line of a UTF-8 file; a byte that is not UTF-8 names its line.

    Decoded line by line rather than whole: a decoder error on the whole file gives a byte
    offset, which nobody can find in an editor.
    """
    data = read_file(path)
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append((number, raw.decode("utf-8-sig" if number == 1 else "utf-8").removesuffix("\r")))
        except UnicodeDecodeError as exc:
            raise SecondBrainError(f"{path} line {number}: not UTF-8 text (byte {exc.start + 1} of the line)") from None
    if lines and lines[-1][1] == "":
        lines.pop()  # the newline that ends the last line starts no line of its own
    return lines


def loads_line(line: str) -> object:
    """`json.loads`, except that a line nested past Python's recursion limit (`[[[[…`) is the
    JSONDecodeError it is for the reader, not a RecursionError that ends the CLI with exit 1."""
    try:
        return json.loads(line)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", line, 0) from None


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; anything else is named and refused."""
    try:
        if not path.exists():
            raise SecondBrainError(f"{path} does not exist")
        if not path.is_file():
            raise SecondBrainError(f"{path} is not a regular file")
        if path.stat().st_size > max_bytes:
            raise SecondBrainError(f"{path} is larger than {max_bytes // 2**20} MB")
        return path.read_bytes()
    except OSError as exc:
        raise SecondBrainError(f"{path} cannot be read: {exc.strerror}") from None
