"""The document store as files: one canonical Extended JSON document per line per collection
(what `mongoexport --jsonFormat=canonical` writes and `mongoimport` reads), beside a
`<collection>.metadata.json` with its indexes as `mongodump` writes them. Canonical EJSON keeps
every BSON type (dates, int64, binary) exact, so a restore gives back the same documents.
"""

from __future__ import annotations

from pathlib import Path

from bson import json_util
from pymongo.database import Database

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
