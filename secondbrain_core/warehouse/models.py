"""SQL models: one `.sql` file = one table, run on DuckDB over the stored documents.

A model file is a SELECT with a comment header:

    -- description: what the table holds (the asset's description)
    -- test: not_null doc_id
    -- test: unique source,doc_id
    -- test: accepted_range quality 0 1
    -- test: not_empty markdown

Its upstream tables are read from the SQL itself with sqlglot (every table it selects from,
CTE names aside): each is either another model or a source table (`tables.SOURCE_TABLES`,
loaded from MongoDB). `$name` placeholders are bound to the setting of that name (e.g.
`$quality_threshold`), as query parameters, never pasted into the SQL text. A run replaces the
model's table in `$SECONDBRAIN_HOME/warehouse.duckdb` and its MongoDB collection of the same
name (what the Python side reads), under a file lock (DuckDB allows one writing process).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import sqlglot
from filelock import FileLock
from pydantic import BaseModel, SecretStr
from sqlglot import exp

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.warehouse.tables import SOURCE_TABLES

WAREHOUSE_FILE = "warehouse.duckdb"
TestKind = Literal["not_null", "unique", "accepted_range", "not_empty"]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER = re.compile(r"^\s*--\s*(description|test):\s*(.*?)\s*$")
PREVIEW_ROWS = 5


@dataclass(frozen=True)
class ColumnTest:
    kind: TestKind
    columns: tuple[str, ...]
    low: float | None = None
    high: float | None = None

    @property
    def name(self) -> str:
        return f"{self.kind}_{'_'.join(self.columns)}"

    def failing_rows_sql(self, table: str) -> tuple[str, list]:
        """A query counting the rows that break the test, and its parameters."""
        cols = [f'"{c}"' for c in self.columns]
        if self.kind == "not_null":
            return f'SELECT count(*) FROM "{table}" WHERE {" OR ".join(f"{c} IS NULL" for c in cols)}', []
        if self.kind == "not_empty":
            col = cols[0]
            return f'SELECT count(*) FROM "{table}" WHERE {col} IS NULL OR length(trim({col})) = 0', []
        if self.kind == "unique":
            keys = ", ".join(cols)
            return (
                f'SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM "{table}" GROUP BY {keys} HAVING n > 1)',
                [],
            )
        col = cols[0]
        return f'SELECT count(*) FROM "{table}" WHERE {col} IS NULL OR {col} < ? OR {col} > ?', [self.low, self.high]


@dataclass(frozen=True)
class SqlModel:
    name: str
    path: Path
    sql: str
    description: str
    deps: tuple[str, ...]
    parameters: tuple[str, ...]
    tests: tuple[ColumnTest, ...]


class TestResult(BaseModel):
    name: str
    passed: bool
    failing_rows: int


class ModelRun(BaseModel):
    name: str
    rows: int
    columns: list[str]
    parameters: dict[str, float | int | str | bool]
    preview: list[dict]
    tests: list[TestResult]


def parse_test(spec: str, origin: str) -> ColumnTest:
    parts = spec.split()
    if len(parts) < 2 or parts[0] not in ("not_null", "unique", "accepted_range", "not_empty"):
        raise SecondBrainError(f"{origin}: test {spec!r} is not 'not_null|unique|accepted_range|not_empty COLUMNS'")
    columns = tuple(c.strip() for c in parts[1].split(",") if c.strip())
    if not columns or not all(_IDENTIFIER.match(c) for c in columns):
        raise SecondBrainError(f"{origin}: test {spec!r} names an invalid column")
    if parts[0] == "accepted_range":
        try:
            low, high = float(parts[2]), float(parts[3])
        except (IndexError, ValueError):
            raise SecondBrainError(f"{origin}: accepted_range needs a low and a high number: {spec!r}") from None
        return ColumnTest("accepted_range", columns[:1], low, high)
    return ColumnTest(parts[0], columns)  # type: ignore[arg-type]


def parse_model(path: Path) -> SqlModel:
    """The model in `path`; its dependencies and parameters come from parsing the SQL."""
    text = path.read_text()
    name = path.stem
    if not _IDENTIFIER.match(name):
        raise SecondBrainError(f"SQL model file {path.name!r}: the name must be a plain identifier")
    description, tests = "", []
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header and header.group(1) == "description":
            description = header.group(2)
        elif header:
            tests.append(parse_test(header.group(2), path.name))
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise SecondBrainError(f"SQL model {path.name}: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise SecondBrainError(f"SQL model {path.name}: must hold exactly one SELECT")
    tree = statements[0]
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    deps = sorted({t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes})
    parameters = sorted({p.name for p in tree.find_all(exp.Placeholder) if p.name})
    return SqlModel(name, path, text, description, tuple(deps), tuple(parameters), tuple(tests))


def load_models(folder: Path) -> list[SqlModel]:
    """Every `*.sql` model in `folder`; a dependency that is neither a model nor a source table
    is an error naming the file."""
    models = [parse_model(p) for p in sorted(folder.glob("*.sql"))]
    known = {m.name for m in models} | SOURCE_TABLES.keys()
    for model in models:
        if model.name in SOURCE_TABLES:
            raise SecondBrainError(f"SQL model {model.path.name}: {model.name!r} is a source table's name")
        unknown = [d for d in model.deps if d not in known]
        if unknown:
            raise SecondBrainError(f"SQL model {model.path.name} reads unknown table(s) {', '.join(unknown)}")
    return models


def bind_parameters(model: SqlModel, settings: Settings) -> dict[str, float | int | str | bool]:
    """`$name` → the setting `name`; only plain values (no secrets, no unknown names)."""
    values = {}
    for name in model.parameters:
        value = getattr(settings, name, None) if name in Settings.model_fields else None
        if value is None or isinstance(value, SecretStr) or not isinstance(value, float | int | str | bool):
            raise SecondBrainError(f"SQL model {model.path.name}: ${name} is not a setting it may read")
        values[name] = value
    return values


def warehouse_path(settings: Settings) -> Path:
    return settings.home / WAREHOUSE_FILE


@contextmanager
def warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse file, opened for writing by one process at a time."""
    path = warehouse_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=600):
        con = duckdb.connect(str(path))
        try:
            yield con
        finally:
            con.close()


def run_model(model: SqlModel, settings: Settings) -> ModelRun:
    """Build the model's table from its upstream tables, test it, copy it to MongoDB."""
    parameters = bind_parameters(model, settings)
    db = open_database(settings)
    with warehouse(settings) as con:
        for dep in model.deps:
            if dep in SOURCE_TABLES:
                _load_source_table(con, dep, db)
            elif not _has_table(con, dep):
                raise SecondBrainError(f"SQL model {model.name} reads {dep}, which is not materialized yet")
        con.execute(f'CREATE OR REPLACE TABLE "{model.name}" AS {_select_text(model)}', parameters)
        cursor = con.execute(f'SELECT * FROM "{model.name}"')
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        tests = [_run_test(con, model.name, test) for test in model.tests]
    if model.name not in db.list_collection_names():  # an empty result must read as [], not "never ran"
        db.create_collection(model.name)
    collection = db[model.name]
    collection.delete_many({})
    if rows:
        collection.insert_many([dict(r) for r in rows])
    return ModelRun(
        name=model.name,
        rows=len(rows),
        columns=columns,
        parameters=parameters,
        preview=[{k: _short(v) for k, v in r.items()} for r in rows[:PREVIEW_ROWS]],
        tests=tests,
    )


def _select_text(model: SqlModel) -> str:
    return model.sql.strip().rstrip(";")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(found and found[0])


def _load_source_table(con: duckdb.DuckDBPyConnection, name: str, db) -> None:
    table = SOURCE_TABLES[name]
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" ({table.ddl})')
    rows = table.rows(db)
    if rows:
        marks = ", ".join("?" for _ in table.columns)
        con.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)


def _run_test(con: duckdb.DuckDBPyConnection, table: str, test: ColumnTest) -> TestResult:
    sql, params = test.failing_rows_sql(table)
    try:
        failing = int(con.execute(sql, params).fetchone()[0] or 0)
    except duckdb.Error as exc:
        raise SecondBrainError(f"SQL model {table}: test {test.name} cannot run: {exc}") from None
    return TestResult(name=test.name, passed=failing == 0, failing_rows=failing)


def _short(value: object) -> object:
    return value[:80] if isinstance(value, str) else value
