"""`secondbrain backup PATH` / `restore PATH`: a home and its document store, to a folder and back.

A backup folder holds `backup.json` (the manifest, written last: without it the folder is not a
backup), `mongo/<collection>.json` (`ops/mongo_dump.py`), `home/` (the home's files: index,
datasets, models, raw snapshots, MLflow db, Dagster instance, caches) and `mlflow-artifacts/`
(`ops/mlflow_files.py`). Left out: what a process recreates on start (the local MongoDB's own
files, which the dump replaces; the endpoint's state; built tools; crawl4ai's browser cache).

Both refuse while an ingest or a Dagster run writes to the home (`ops/home_lock.py`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.ops import mlflow_files
from secondbrain_core.ops.home_lock import LOCK_FILE, quiet
from secondbrain_core.ops.home_version import (
    HOME_FILE,
    HOME_SCHEMA,
    check_home,
    check_schema,
    package_version,
    stamp_home,
)
from secondbrain_core.ops.mongo_dump import check_dump, dump_database, load_database
from secondbrain_core.rag.chunk_store import CHUNKS
from secondbrain_core.records import parse_record, write_record
from secondbrain_core.settings import Settings
from secondbrain_core.stores.page_store import PAGES

FORMAT = "secondbrain-backup"
MANIFEST = "backup.json"
INDEX_MANIFEST = "index/manifest.json"  # rag/manifest.py, relative to the home
# top-level names under the home; MLflow's artifacts are copied once, by experiment (`ops/mlflow_files.py`)
SKIPPED = {"mongo", "endpoint", "tools", "crawl4ai", mlflow_files.ARTIFACTS, LOCK_FILE, HOME_FILE}


class FileEntry(BaseModel):
    size: int
    sha256: str


class BackupManifest(BaseModel):
    """What a backup holds; `schema_version` says which secondbrain can restore it."""

    format: Literal["secondbrain-backup"] = FORMAT
    schema_version: int = HOME_SCHEMA
    secondbrain_version: str
    created_at: datetime
    home: str
    database: str
    collections: dict[str, int] = Field(description="collection -> documents")
    files: dict[str, FileEntry] = Field(description="path under home/ -> size and digest")
    mlflow_db: str | None = Field(default=None, description="path of the MLflow db under home/, when it is there")
    mlflow_artifacts: dict[str, str] = Field(
        default_factory=dict, description="experiment id -> its local artifact location (moved into the home)"
    )

    @field_validator("files", "collections", "mlflow_artifacts", "mlflow_db")
    @classmethod
    def _names_stay_inside(cls, value: dict | str | None) -> dict | str | None:
        """Restore joins these names to the home (and the backup) and writes or deletes there, so an
        edited or damaged manifest must not name `../..` or `/etc/...`."""
        for name in [value] if isinstance(value, str) else value or ():
            path = PurePosixPath(name)
            if not name or "\\" in name or "\0" in name or path.is_absolute() or ".." in path.parts:
                raise ValueError(f"{name!r} is not a path inside the backup")
        return value


class BackupSummary(BaseModel):
    """What `--json` prints."""

    path: str
    pages: int
    chunks: int
    collections: dict[str, int]
    files: int
    bytes: int


def backup(settings: Settings, target: Path) -> BackupSummary:
    """The home of `settings` and its document store into the new or empty folder `target`."""
    from secondbrain_core.stores.mongo import open_database

    home = settings.home.resolve()
    target = target.resolve()
    if not home.is_dir():
        raise SecondBrainError(f"SECONDBRAIN_HOME={home} does not exist: nothing to back up")
    if target.exists() and not target.is_dir():
        raise SecondBrainError(f"backup folder {target} is a file: name a new or empty folder")
    if target.exists() and any(target.iterdir()):
        raise SecondBrainError(f"backup folder {target} is not empty: name a new folder")
    if target == home or home in target.parents:
        raise SecondBrainError(f"backup folder {target} is inside SECONDBRAIN_HOME={home}: name a folder outside it")
    check_home(home)
    with quiet(settings, "back up"):
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SecondBrainError(f"cannot create backup folder {target}: {exc.strerror}") from None
        collections = dump_database(open_database(settings), target / "mongo")
        files = _copy_tree(home, target / "home")
        db_file = _home_mlflow_db(settings)
        artifacts = {}
        if db_file is not None:
            artifacts = mlflow_files.copy_artifacts(
                mlflow_files.artifact_roots(db_file), target / mlflow_files.ARTIFACTS
            )
        manifest = BackupManifest(
            secondbrain_version=package_version(),
            created_at=datetime.now(UTC),
            home=str(home),
            database=settings.mongodb_database,
            collections=collections,
            files=files,
            mlflow_db=str(db_file.relative_to(home)) if db_file else None,
            mlflow_artifacts=artifacts,
        )
        write_record(target / MANIFEST, manifest)
        stamp_home(home)
    return _summary(target, manifest)


def restore(settings: Settings, source: Path, replace: bool = False) -> BackupSummary:
    """The backup at `source` into the home and database of `settings`; refuses a home that holds
    data (or a database with documents) unless `replace`."""
    from secondbrain_core.stores.mongo import open_database

    source = source.resolve()
    manifest = read_manifest(source)
    home = settings.home.resolve()
    if home == source or source in home.parents:  # each file would be copied onto itself
        raise SecondBrainError(f"SECONDBRAIN_HOME={home} is inside the backup {source}: restore into a home outside it")
    check_home(home)
    with quiet(settings, "restore into"):
        db = open_database(settings)
        if not replace:
            _refuse_if_used(home, db.list_collection_names())
        _verify(source / "home", manifest.files)
        check_dump(source / "mongo", manifest.collections)
        load_database(db, source / "mongo", sorted(manifest.collections))
        for relative in manifest.files:
            destination = home / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / "home" / relative, destination)
        if manifest.mlflow_db:
            artifacts = source / mlflow_files.ARTIFACTS
            for eid in manifest.mlflow_artifacts:
                shutil.rmtree(home / mlflow_files.ARTIFACTS / eid, ignore_errors=True)
                if (artifacts / eid).is_dir():
                    shutil.copytree(artifacts / eid, home / mlflow_files.ARTIFACTS / eid, symlinks=True)
            mlflow_files.relocate(home / manifest.mlflow_db, manifest.mlflow_artifacts, home / mlflow_files.ARTIFACTS)
        stamp_home(home)
    return _summary(source, manifest)


def read_manifest(folder: Path) -> BackupManifest:
    """The manifest of the backup at `folder`; a missing, foreign or too new one is a `SecondBrainError`."""
    path = folder / MANIFEST
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise SecondBrainError(
            f"{folder} is not a secondbrain backup (no {MANIFEST}; an interrupted backup?)"
        ) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise SecondBrainError(f"{path} cannot be read: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("schema_version"), int):
        raise SecondBrainError(f"{path} is not a secondbrain backup manifest (format {FORMAT!r}, schema_version)")
    check_schema(raw["schema_version"], f"the backup {folder}", str(raw.get("secondbrain_version", "")))
    return parse_record(BackupManifest, raw, str(path))


def _copy_tree(home: Path, target: Path) -> dict[str, FileEntry]:
    """Every regular file under `home` but the skipped top-level names, with its digest."""
    files = {}
    for path in sorted(home.rglob("*")):
        relative = path.relative_to(home)
        if relative.parts[0] in SKIPPED or path.is_symlink() or not path.is_file():
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files[relative.as_posix()] = FileEntry(size=destination.stat().st_size, sha256=_digest(destination))
    return files


def _verify(folder: Path, files: dict[str, FileEntry]) -> None:
    """Every file the manifest lists is there with its digest, before anything is overwritten; a
    link is refused (a backup holds none), so restore copies no file from elsewhere on this machine."""
    for relative, entry in files.items():
        path = folder / relative
        if not _plain(path):
            raise SecondBrainError(f"the backup is damaged: {path} is a link (a backup holds only regular files)")
        if not path.is_file() or _digest(path) != entry.sha256:
            raise SecondBrainError(f"the backup is damaged: {path} is missing or differs from its manifest entry")


def _plain(path: Path) -> bool:
    """No link on the way to `path` (its folder is resolved): it resolves to itself, and no loop."""
    try:
        return path.resolve() == path
    except (OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
        return False


def _refuse_if_used(home: Path, collections: list[str]) -> None:
    """A home with files (an empty Dagster folder aside) or a database with collections is not fresh."""
    files = [p.name for p in home.iterdir() if p.name not in SKIPPED and not (p.name == "dagster" and _empty(p))]
    used = files + [c for c in collections if not c.startswith("system.")]
    if used:
        raise SecondBrainError(
            f"SECONDBRAIN_HOME={home} (or its database) already holds data ({', '.join(sorted(used))}): "
            "restore into a fresh home, or pass --replace to overwrite it"
        )


def _empty(folder: Path) -> bool:
    return folder.is_dir() and not any(folder.iterdir())


def _home_mlflow_db(settings: Settings) -> Path | None:
    """The MLflow sqlite db when it lives in the home (the default); a server or another file is not ours to copy."""
    uri = settings.mlflow_tracking_uri
    if not uri.startswith("sqlite:///"):
        return None
    path = Path(uri.removeprefix("sqlite:///")).resolve()
    home = settings.home.resolve()
    return path if home in path.parents and path.is_file() else None


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _summary(folder: Path, manifest: BackupManifest) -> BackupSummary:
    """Pages from the store; chunks as the backed-up index counts them (else the chunk collection)."""
    index = folder / "home" / INDEX_MANIFEST
    chunks = json.loads(index.read_text()).get("counts", {}).get(CHUNKS) if index.is_file() else None
    return BackupSummary(
        path=str(folder),
        pages=manifest.collections.get(PAGES, 0),
        chunks=chunks if isinstance(chunks, int) else manifest.collections.get(CHUNKS, 0),
        collections=manifest.collections,
        files=len(manifest.files),
        bytes=sum(entry.size for entry in manifest.files.values()),
    )
