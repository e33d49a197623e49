"""Read a line-oriented test-set file (JSONL, TSV) so that every fault names the file and line."""

from __future__ import annotations

from pathlib import Path

from secondbrain_core.errors import SecondBrainError


def read_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) for each line of a UTF-8 file; a byte that is not UTF-8 names its line.

    Decoded line by line rather than whole: a decoder error on the whole file gives a byte
    offset, which nobody can find in an editor.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SecondBrainError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise SecondBrainError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise SecondBrainError(f"{path} cannot be read: {exc.strerror}") from None
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append((number, raw.decode("utf-8-sig" if number == 1 else "utf-8").removesuffix("\r")))
        except UnicodeDecodeError as exc:
            raise SecondBrainError(f"{path} line {number}: not UTF-8 text (byte {exc.start + 1} of the line)") from None
    if lines and lines[-1][1] == "":
        lines.pop()  # the newline that ends the last line starts no line of its own
    return lines
