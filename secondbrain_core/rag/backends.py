"""Which index back-end a home uses, chosen by `SECONDBRAIN_VECTOR_BACKEND` (and `MONGODB_URI`).

A third back-end is one module implementing `backend.IndexBackend` plus its line in `BACKENDS`
(and its name among the setting's choices in `settings.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.atlas import AtlasIndex
from secondbrain_core.rag.backend import IndexBackend
from secondbrain_core.rag.local_index import LocalIndex
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import is_atlas

BACKENDS: dict[str, Callable[[Settings], IndexBackend]] = {
    "local": LocalIndex,
    "atlas": AtlasIndex,
}


def backend_name(settings: Settings) -> str:
    """`auto`: Atlas for an Atlas URI, else local (the local wire server has no vector search).

    `mongodb-atlas-local` listens on a plain `mongodb://localhost` URI that cannot be told
    from any other server, hence `SECONDBRAIN_VECTOR_BACKEND=atlas`.
    """
    if settings.vector_backend == "auto":
        return "atlas" if settings.mongodb_uri and is_atlas(settings.mongodb_uri) else "local"
    if settings.vector_backend == "atlas" and not settings.mongodb_uri:
        raise SecondBrainError("SECONDBRAIN_VECTOR_BACKEND=atlas needs MONGODB_URI pointing at Atlas or atlas-local")
    return settings.vector_backend


def open_backend(settings: Settings) -> IndexBackend:
    """The configured back-end; nothing is opened until it is used."""
    return BACKENDS[backend_name(settings)](settings)
