"""The text files of an export, read from a folder or a zip without extracting anything.

Reading entries in memory (never writing them out) rules out zip-slip by construction; entry
names are still checked so a crafted `../x.md` cannot pose as a page outside the export. A
cap on the text read keeps a zip bomb (or a folder of huge files) from exhausting memory.
Notion's newer exports wrap the real archive in an outer zip (`Export-…-Part-N.zip` parts
and nothing else, or a folder of them once the browser unzipped it); the parts are streamed,
one level deep, as they also hold every image and attachment. In a folder, a linked file is read only when it resolves
inside the export, and linked folders are never entered (outside, they are not the export's;
inside, they would repeat pages or loop).
"""

from __future__ import annotations

import logging
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.sources.export_html import HTML_SUFFIXES, from_html
from secondbrain_core.sources.paths import resolves_inside

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".md", ".csv", *HTML_SUFFIXES)  # an HTML export is read as its Markdown twin
PAGE_SUFFIXES = (".md", *HTML_SUFFIXES)
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # of .md/.csv/.html text read from one export
# What zipfile raises on a damaged archive: zlib.error for corrupt deflate data (a broken
# download), RuntimeError for an encrypted entry, NotImplementedError for an unknown method.
UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    zlib.error,
    RuntimeError,
    NotImplementedError,
)


@dataclass(frozen=True)
class ExportFile:
    """One page or database file: its path inside the export, its text and its edit time."""

    path: PurePosixPath
    text: str
    modified: datetime

    @property
    def suffix(self) -> str:
        """`.md` or `.csv` in any case: Notion writes lower case, an export copied by hand may say `.MD`."""
        return self.path.suffix.lower()


def read_export(path: Path) -> list[ExportFile]:
    """All `.md` and `.csv` files of an export folder or zip (an HTML export's pages converted
    to them); errors name `path`."""
    if not path.exists():
        raise SecondBrainError(f"Notion export {path} does not exist")
    if path.is_dir():
        files = _read_folder(path)
    elif not path.is_file():  # a FIFO would block forever, /dev/zero would fill the memory
        raise SecondBrainError(f"Notion export {path} is neither a folder nor a regular (zip) file")
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                files = _read_zip(archive, path, _Budget(path))
        except UNREADABLE_ZIP as exc:
            raise SecondBrainError(f"Notion export {path} is not a readable zip file: {exc}") from exc
    files = from_html(files)
    if not any(f.suffix == ".md" for f in files):
        raise SecondBrainError(f"Notion export {path} holds no pages (.md files, or Notion's .html pages)")
    return sorted(files, key=lambda f: f.path)


class _Budget:
    """Bytes left to read from one export (zip or folder) before it counts as too big."""

    def __init__(self, path: Path) -> None:
        self.path, self.left = path, MAX_TOTAL_BYTES

    def read(self, handle: BinaryIO, size: int) -> bytes:
        """The rest of `handle`, whose stated `size` (a zip header's, a file's) may lie."""
        self._check(size)
        data = handle.read(self.left + 1)
        self._check(len(data))
        self.left -= len(data)
        return data

    def read_entry(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        self._check(info.file_size)
        with archive.open(info) as handle:
            return self.read(handle, info.file_size)

    def _check(self, size: int) -> None:
        if size > self.left:
            raise SecondBrainError(f"Notion export {self.path} unpacks to more than {MAX_TOTAL_BYTES} bytes")


def _read_folder(root: Path) -> list[ExportFile]:
    """The folder's text files; when it holds no pages but zips, the zips' (a newer export that
    the browser or Finder unzipped once: `Export-…/Export-…-Part-1.zip`)."""
    budget, files, parts = _Budget(root), [], []
    for file in _walk(root):
        suffix = file.suffix.lower()
        if suffix not in (*TEXT_SUFFIXES, ".zip") or _is_os_metadata(PurePosixPath(file.name)):
            continue
        if not _is_utf8(file.relative_to(root)):
            log.warning("skipping %r in Notion export %s: its name is not UTF-8", str(file), root)
            continue
        if not resolves_inside(file, root):
            log.warning("skipping %r in Notion export %s: it links outside the export (or in a loop)", str(file), root)
            continue
        if not file.is_file():
            continue  # a device, a pipe, a link to nothing or to a folder
        if suffix == ".zip":
            parts.append(file)
            continue
        try:
            with file.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                data = budget.read(handle, stat.st_size)
        except OSError as exc:
            raise SecondBrainError(f"cannot read {file} in Notion export {root}: {exc.strerror}") from exc
        path = PurePosixPath(file.relative_to(root).as_posix())
        files.append(ExportFile(path, _decode(data, file), _file_time(stat.st_mtime, file)))
    if any(f.suffix in PAGE_SUFFIXES for f in files):
        return files  # its zips are attachments
    for part in parts:
        try:
            with zipfile.ZipFile(part) as archive:
                files.extend(_read_zip(archive, part, budget, nested=True))
        except UNREADABLE_ZIP as exc:
            raise SecondBrainError(f"{part} in Notion export {root} is not a readable zip file: {exc}") from exc
    return files


def _walk(root: Path) -> Iterator[Path]:
    """Every entry under `root` but folders, at any depth (a loop, not recursion: os.walk recursed
    per level); linked folders are yielded as entries, never entered."""
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            raise SecondBrainError(f"cannot read {folder} in Notion export {root}: {exc.strerror}") from exc
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            else:
                yield Path(entry.path)


def _read_zip(archive: zipfile.ZipFile, path: Path, budget: _Budget, nested: bool = False) -> list[ExportFile]:
    """The archive's text files. Its zips are opened when it holds no pages of its own (newer
    exports: `Export-…-Part-N.zip` and nothing else); beside pages, a zip is an attachment."""
    entries = [(info, _safe_name(_utf8_name(info), path)) for info in archive.infolist() if not info.is_dir()]
    entries = [(info, name) for info, name in entries if not _is_os_metadata(name)]
    open_parts = not nested and not any(name.suffix.lower() in PAGE_SUFFIXES for _, name in entries)
    files: list[ExportFile] = []
    for info, name in sorted(entries, key=lambda entry: entry[0].header_offset):  # forward through a stream
        suffix = name.suffix.lower()
        if suffix == ".zip" and open_parts:
            # Streamed, not read into memory: a part holds every image and attachment of the
            # export (gigabytes; it once counted against the text budget and failed the export).
            with archive.open(info) as stream, zipfile.ZipFile(stream) as inner:
                files.extend(_read_zip(inner, path, budget, nested=True))
        elif suffix in TEXT_SUFFIXES:
            # Zip times carry no zone; Notion writes them in UTC.
            modified = _zip_time(info, path)
            files.append(ExportFile(name, _decode(budget.read_entry(archive, info), path / name), modified))
    return files


def _is_os_metadata(name: PurePosixPath) -> bool:
    """macOS's `__MACOSX/` copies and `._Page <id>.md` resource forks: binary files named like
    pages (a Finder-zipped export has one per file), which took the real pages' ids."""
    return "__MACOSX" in name.parts or name.name.startswith("._")


def _utf8_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; one stored as UTF-8 bytes without the zip's UTF-8 flag (as some zip
    tools write it) was decoded as cp437 (`Ãœber` for `Über`), and then no link found it."""
    if info.flag_bits & 0x800 or info.filename.isascii():
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename  # really cp437: a name from an old DOS tool


def _safe_name(name: str, archive: Path) -> PurePosixPath:
    """The entry's path, refused when absolute or climbing out of the export (zip-slip)."""
    posix = PurePosixPath(name.replace("\\", "/"))
    drive = bool(posix.parts) and len(posix.parts[0]) == 2 and posix.parts[0][1] == ":"  # C:/x, as zipped on Windows
    if posix.is_absolute() or ".." in posix.parts or drive:
        raise SecondBrainError(f"Notion export {archive} has an unsafe entry name {name!r}")
    return posix


def _is_utf8(name: Path) -> bool:
    """Whether the file system gave a UTF-8 name (undecodable bytes arrive as lone surrogates)."""
    try:
        str(name).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _file_time(mtime: float, file: Path) -> datetime:
    try:
        return datetime.fromtimestamp(mtime, UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise SecondBrainError(f"{file} has an impossible modification time ({mtime}): {exc}") from exc


def _zip_time(info: zipfile.ZipInfo, archive: Path) -> datetime:
    """The entry's time; an entry zipped without one (DOS date 0, read as 1980-00-00: Go's
    archive/zip writes that) gets the archive's, so a new archive is read again, never skipped."""
    if info.date_time[1:3] == (0, 0):
        return _file_time(archive.stat().st_mtime, archive)
    try:
        return datetime(*info.date_time, tzinfo=UTC)
    except ValueError as exc:
        raise SecondBrainError(f"Notion export {archive}: entry {info.filename!r} has an impossible time") from exc


def _decode(data: bytes, where: Path) -> str:
    """The file's text with `\n` line ends: an export saved on Windows (`\r\n`, or old Mac `\r`)
    kept them in the stored page while its chunks had `\n`, so a cited passage was no longer
    text of its page."""
    try:
        text = data.decode("utf-8-sig")  # Notion's CSVs start with a byte-order mark
    except UnicodeDecodeError as exc:
        raise SecondBrainError(f"{where} is not UTF-8 text: {exc}") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")
