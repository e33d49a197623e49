"""Reading SQL models' results from Python: each model's rows are also a MongoDB collection.

Kept apart from `models.py` so readers (the chunker, the CLI) do not import DuckDB or sqlglot.
"""

from __future__ import annotations

from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database


def read_model(settings: Settings, name: str) -> list[dict] | None:
    """A model's rows as last materialized, or None if it never ran."""
    db = open_database(settings)
    if name not in db.list_collection_names():
        return None
    return list(db[name].find({}, {"_id": 0}))
