"""Open the document store: `MONGODB_URI` when set, else this home's local wire server."""

from __future__ import annotations

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.stores import local_mongo

_CLIENTS: dict[str, MongoClient] = {}


def mongo_uri(settings: Settings) -> str:
    return settings.mongodb_uri or local_mongo.ensure_running(settings.home)


def is_atlas(uri: str) -> bool:
    """Atlas (or the atlas-local image) offers $vectorSearch/$search; other servers do not."""
    return "mongodb.net" in uri or "atlas" in uri


def open_database(settings: Settings) -> Database:
    """A database handle; clients are pooled per URI for the life of the process."""
    uri = mongo_uri(settings)
    client = _CLIENTS.get(uri)
    if client is None:
        client = MongoClient(uri, serverSelectionTimeoutMS=10_000, tz_aware=True)
        try:
            client.admin.command("ping")
        except PyMongoError as exc:
            raise SecondBrainError(f"cannot reach MongoDB at MONGODB_URI={uri}: {exc}") from exc
        _CLIENTS[uri] = client
    return client[settings.mongodb_database]
