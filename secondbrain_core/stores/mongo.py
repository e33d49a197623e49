"""Open the document store: `MONGODB_URI` when set, else this home's local wire server."""

from __future__ import annotations

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from secondbrain_core.errors import service_errors
from secondbrain_core.settings import Settings
from secondbrain_core.stores import local_mongo

_CLIENTS: dict[str, MongoClient] = {}


def mongo_uri(settings: Settings) -> str:
    return settings.mongodb_uri or local_mongo.ensure_running(settings.home, idle_stop_s=settings.db_idle_stop_s)


def is_atlas(uri: str) -> bool:
    """Atlas (or the atlas-local image) offers $vectorSearch/$search; other servers do not."""
    return "mongodb.net" in uri or "atlas" in uri


def open_database(settings: Settings) -> Database:
    """A database handle; clients are pooled per URI for the life of the process."""
    uri = mongo_uri(settings)
    client = _CLIENTS.get(uri)
    if client is None:
        with service_errors(f"MongoDB at MONGODB_URI={uri}", settings, PyMongoError):
            client = MongoClient(uri, tz_aware=True, **_timeout(uri))
            client.admin.command("ping")
        _CLIENTS[uri] = client
    return client[settings.mongodb_database]


def _timeout(uri: str) -> dict[str, int]:
    """10 s to find a server, unless the URI's own `serverSelectionTimeoutMS` says otherwise."""
    return {} if "serverselectiontimeoutms=" in uri.lower() else {"serverSelectionTimeoutMS": 10_000}
