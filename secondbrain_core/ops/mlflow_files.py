"""MLflow's registry and runs point at artifact folders by absolute path (MLflow resolves its
default `./mlruns` against the working directory of whoever created the experiment). A backup
carries each local artifact root of the home's `mlflow.db`; a restore puts them under the new
home and rewrites every path that pointed into them, so the registry's champion loads there.

Read with sqlite3, not MLflow: a backup must not need MLflow's import time or its migrations.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlparse

ARTIFACTS = "mlflow-artifacts"
# every column that holds an artifact location (those absent from an older schema are skipped)
PATH_COLUMNS = [
    ("experiments", "artifact_location"),
    ("runs", "artifact_uri"),
    ("model_versions", "source"),
    ("model_versions", "storage_location"),
    ("logged_models", "artifact_location"),
]


def local_path(location: str) -> Path | None:
    """The folder of a `file:` URI or an absolute path; None for remote stores (s3:, http:, ...)."""
    if location.startswith("file:"):
        return Path(unquote(urlparse(location).path))
    return Path(location) if location.startswith("/") else None


def artifact_roots(db_file: Path) -> dict[str, str]:
    """experiment id -> artifact location, for every experiment of the db."""
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
        return {str(eid): loc for eid, loc in conn.execute("SELECT experiment_id, artifact_location FROM experiments")}


def copy_artifacts(roots: dict[str, str], target: Path) -> dict[str, str]:
    """Each local root into `target/<experiment id>` (when it has files yet); the local roots,
    all of which a restore points into its home."""
    local = {}
    for eid, location in roots.items():
        folder = local_path(location)
        if folder is None:
            continue
        local[eid] = location
        if folder.is_dir():
            shutil.copytree(folder, target / eid, symlinks=True)
    return local


def relocate(db_file: Path, roots: dict[str, str], new_root: Path) -> None:
    """Point every column that named an old root (`roots`: experiment id -> location), as a path
    or as a `file:` URI, at `new_root/<experiment id>` in the same form."""
    with sqlite3.connect(db_file) as conn:
        columns = {table: _columns(conn, table) for table, _ in PATH_COLUMNS}
        for eid, location in roots.items():
            old_path = str(local_path(location)).rstrip("/")
            folder = new_root / eid
            for old, new in ((old_path, str(folder)), (Path(old_path).as_uri(), folder.as_uri())):
                for table, column in PATH_COLUMNS:
                    if column in columns[table]:
                        # table and column names are the constants above
                        conn.execute(
                            f"UPDATE {table} SET {column} = ? || substr({column}, ?) "
                            f"WHERE {column} = ? OR {column} LIKE ? ESCAPE '\\'",
                            (new, len(old) + 1, old, _like_prefix(old + "/")),
                        )


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
