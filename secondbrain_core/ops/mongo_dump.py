"""The document store as files: one canonical Extended JSON document per line per collection
(what `mongoexport --jsonFormat=canonical` writes and `mongoimport` reads), beside a
`<collection>.metadata.json` with its indexes as `mongodump` writes them. Canonical EJSON keeps
every BSON type (dates, int64, binary) exact, so a restore gives back the same documents.
"""

from __future__ import annotations

from pathlib import Path

from bson import json_util
from bson.errors import BSONError
from pymongo.database import Database

from secondbrain_core.errors import SecondBrainError

JSON = json_util.CANONICAL_JSON_OPTIONS
BATCH = 1000


def dump_database(db: Database, folder: Path) -> dict[str, int]:
    """Every collection of `db` into `folder`; the document count of each."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in sorted(db.list_collection_names()):
        if name.startswith("system."):
            continue
        collection = db[name]
        count = 0
        with (folder / f"{name}.json").open("w") as out:
            for doc in collection.find({}, sort=[("_id", 1)]):
                out.write(json_util.dumps(doc, json_options=JSON) + "\n")
                count += 1
        metadata = {"collectionName": name, "type": "collection", "indexes": list(collection.list_indexes())}
        (folder / f"{name}.metadata.json").write_text(json_util.dumps(metadata, json_options=JSON) + "\n")
        counts[name] = count
    return counts


def check_dump(folder: Path, counts: dict[str, int]) -> None:
    """Every dumped collection parses and holds the count its manifest gives, checked before
    `load_database` drops anything: a cut or damaged dump would leave a collection dropped and half loaded."""
    for name, expected in counts.items():
        _count_documents(folder / f"{name}.metadata.json")
        found = _count_documents(folder / f"{name}.json")
        if found != expected:
            raise SecondBrainError(
                f"the backup is damaged: {folder / name}.json holds {found} documents, not {expected}"
            )


def _count_documents(path: Path) -> int:
    """How many Extended JSON lines `path` holds; the first that does not parse is named."""
    number = 0
    try:
        with path.open() as lines:
            for line in lines:
                number += 1
                json_util.loads(line, json_options=JSON)
    except (OSError, UnicodeDecodeError) as exc:
        raise SecondBrainError(f"the backup is damaged: {path} cannot be read ({exc})") from None
    except (ValueError, TypeError, KeyError, BSONError, RecursionError) as exc:
        raise SecondBrainError(f"the backup is damaged: {path} line {number} is not Extended JSON ({exc})") from None
    return number


def load_database(db: Database, folder: Path, collections: list[str]) -> dict[str, int]:
    """The dumped `collections` into `db` (each dropped first), indexes included; counts loaded."""
    counts = {}
    for name in collections:
        collection = db[name]
        collection.drop()
        count, batch = 0, []
        with (folder / f"{name}.json").open() as lines:
            for line in lines:
                batch.append(json_util.loads(line, json_options=JSON))
                if len(batch) == BATCH:
                    count += len(collection.insert_many(batch).inserted_ids)
                    batch = []
        if batch:
            count += len(collection.insert_many(batch).inserted_ids)
        metadata = json_util.loads((folder / f"{name}.metadata.json").read_text(), json_options=JSON)
        for index in metadata["indexes"]:
            if index["name"] != "_id_":
                options = {k: v for k, v in index.items() if k in ("name", "unique", "sparse", "expireAfterSeconds")}
                collection.create_index(list(index["key"].items()), **options)
        counts[name] = count
    return counts
