"""One contract for every index back-end (`rag/backend.py`), run against each implementation.

The local back-end runs every test here. Atlas runs them only against a real Atlas search
engine: set `SECONDBRAIN_TEST_ATLAS_URI` to a `mongodb/mongodb-atlas-local` (or Atlas) URI
(`docker run -p 27017:27017 mongodb/mongodb-atlas-local`, then
`SECONDBRAIN_TEST_ATLAS_URI=mongodb://localhost:27017/?directConnection=true`). Without one
(these build machines have no Docker) the Atlas parameter is skipped, and the Atlas code that
needs no search engine is tested below it: the query builders as pure functions, and the
writes and chunk reads against the test suite's plain MongoDB wire server.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import numpy as np
import pytest
from hash_embedder import HashEmbedder

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag import atlas
from secondbrain_core.rag.atlas import AtlasIndex
from secondbrain_core.rag.backend import IndexBackend, SearchFilters
from secondbrain_core.rag.backends import BACKENDS, backend_name, open_backend
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.local_index import LocalIndex
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.rag.search import Retriever
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.mongo import open_database

ATLAS_URI = os.environ.get("SECONDBRAIN_TEST_ATLAS_URI")


def page(pid: str, body: str, source: str = "notes", tags: tuple[str, ...] = (), year: int = 2024) -> Page:
    return Page(
        id=pid,
        source=source,
        title=pid.title(),
        url=f"https://example.test/{pid}",
        markdown=f"# {pid.title()}\n\n{body}",
        properties={"Tags": list(tags)},
        last_edited_time=datetime(year, 3, 1, tzinfo=UTC),
    )


PAGES = [
    page("cats", "Cats sleep sixteen hours and purr on the windowsill."),
    page("tomatoes", "Water tomato plants deeply at the roots every morning.", tags=("garden",)),
    page("python", "A list comprehension builds lists from iterables.", source="code", tags=("dev",)),
    page("taxes", "The deadline for the 1040 form is April fifteenth.", year=2023),
]


@pytest.fixture(params=["local", "atlas"])
def indexed(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Settings for one back-end (same home, own database)."""
    if request.param == "local":
        return settings.model_copy(update={"vector_backend": "local"})
    if not ATLAS_URI:
        pytest.skip("SECONDBRAIN_TEST_ATLAS_URI is not set: no Atlas search engine here (no Docker)")
    database = f"t_{uuid.uuid4().hex[:12]}"
    return settings.model_copy(
        update={"vector_backend": "atlas", "mongodb_uri": ATLAS_URI, "mongodb_database": database}
    )


def chunks_of(pages: list[Page], settings: Settings) -> list[Chunk]:
    return build_chunks(pages, settings)


def sync(settings: Settings, pages: list[Page], embedder=None):
    return sync_index(chunks_of(pages, settings), settings, embedder or HashEmbedder())


def pages_of(backend: IndexBackend, ranking) -> list[str]:
    rows = backend.chunks([key for key, _ in ranking])
    return [rows[key].page_id for key, _ in ranking if key in rows]


# --- the contract ---------------------------------------------------------------------------


def test_the_factory_opens_the_configured_backend(indexed: Settings) -> None:
    backend = open_backend(indexed)
    assert isinstance(backend, BACKENDS[backend_name(indexed)])
    assert isinstance(backend, LocalIndex if indexed.vector_backend == "local" else AtlasIndex)


def test_no_index_yet_is_a_user_error(indexed: Settings) -> None:
    with pytest.raises(SecondBrainError, match="materialize vector_index"):
        open_backend(indexed).refresh()


def test_sync_embeds_only_new_ids_and_deletes_removed_pages(indexed: Settings) -> None:
    embedder = HashEmbedder()
    first = sync(indexed, PAGES, embedder)
    total = len(chunks_of(PAGES, indexed))
    assert (first.added, first.embedded, first.removed, first.kept) == (total, total, 0, 0)
    assert set(open_backend(indexed).counts().values()) == {total}

    again = sync(indexed, PAGES, embedder)
    assert (again.added, again.embedded, again.removed, again.kept) == (0, 0, 0, total)

    edited = [PAGES[0].model_copy(update={"markdown": "# Cats\n\nCats sleep fourteen hours."}), *PAGES[1:3]]
    report = sync(indexed, edited, embedder)
    gone = len(chunks_of(PAGES[:1] + PAGES[3:], indexed))
    assert (report.added, report.embedded, report.removed) == (1, 1, gone)
    kept = len(chunks_of(edited, indexed))
    assert set(open_backend(indexed).counts().values()) == {kept}
    assert report.manifest.counts == {"chunks": kept, "pages": 3, "sources": 2}


def test_another_embedder_starts_over(indexed: Settings) -> None:
    sync(indexed, PAGES)
    other = HashEmbedder()
    other.name = "bge-small"
    report = sync(indexed, PAGES, other)
    total = len(chunks_of(PAGES, indexed))
    assert (report.embedded, report.removed, report.manifest.embedder) == (total, 0, "bge-small")
    assert set(open_backend(indexed).counts().values()) == {total}


def test_keyword_and_dense_rankings_and_chunk_lookup(indexed: Settings) -> None:
    sync(indexed, PAGES)
    backend = open_backend(indexed)
    manifest = backend.refresh()
    assert (manifest.embedder, manifest.dimension, manifest.counts["pages"]) == ("minilm", 16, len(PAGES))

    keyword = backend.keyword("tomato roots", 3, None)
    assert pages_of(backend, keyword)[0] == "tomatoes"
    assert keyword == sorted(keyword, key=lambda hit: -hit[1])
    assert backend.keyword("zzzz qqqq", 3, None) == []

    target = next(c for c in chunks_of(PAGES, indexed) if c.page_id == "taxes")
    dense = backend.dense(HashEmbedder().embed_query(target.embedding_text), 2, None)
    assert len(dense) == 2 and np.isclose(dense[0][1], 1.0, atol=1e-4)
    row = backend.chunks([dense[0][0]])[dense[0][0]]
    assert row.model_dump() == target.model_dump()  # the whole chunk comes back, metadata included


def test_filters_restrict_both_rankers(indexed: Settings) -> None:
    sync(indexed, PAGES)
    backend = open_backend(indexed)
    backend.refresh()
    anything = HashEmbedder().embed_query("anything")
    cases = {
        "code only": (SearchFilters(sources=["code"]), {"python"}),
        "garden or none": (SearchFilters(tags=["garden", "none"]), {"tomatoes"}),
        "edited in 2024": (SearchFilters(edited_after=datetime(2024, 1, 1)), {"cats", "tomatoes", "python"}),
        "edited before 2024": (SearchFilters(edited_before=datetime(2024, 1, 1)), {"taxes"}),
    }
    for name, (filters, expected) in cases.items():
        assert set(pages_of(backend, backend.dense(anything, 10, filters))) == expected, name
        found = set(pages_of(backend, backend.keyword("sleep roots lists deadline", 10, filters)))
        assert found == expected, name
    assert backend.tags() == ["dev", "garden"]


def test_refresh_follows_a_new_build(indexed: Settings) -> None:
    sync(indexed, PAGES[:2])
    backend = open_backend(indexed)
    first = backend.refresh()
    assert pages_of(backend, backend.keyword("deadline 1040", 5, None)) == []
    sync(indexed, PAGES)
    if indexed.vector_backend == "local":  # the local reader re-opens the new generation
        assert backend.refresh().built_at > first.built_at
    assert pages_of(backend, backend.keyword("deadline 1040", 5, None)) == ["taxes"]


def test_the_retriever_searches_any_backend_it_is_given(indexed: Settings) -> None:
    sync(indexed, PAGES)
    retriever = Retriever(indexed, HashEmbedder(), backend=open_backend(indexed))
    taxes = next(c for c in chunks_of(PAGES, indexed) if c.page_id == "taxes")
    hybrid = retriever.search(taxes.embedding_text, mode="hybrid", k=3)  # both rankers put it first
    assert hybrid[0].page_id == "taxes" and hybrid[0].url == "https://example.test/taxes"
    assert hybrid == sorted(hybrid, key=lambda hit: -hit.score)
    assert {h.page_id for h in retriever.search("lists", k=10, filters=SearchFilters(sources=["code"]))} == {"python"}
    tomato = next(c for c in chunks_of(PAGES, indexed) if c.page_id == "tomatoes")
    (hit,) = retriever.search(tomato.embedding_text, mode="dense", k=1)
    assert (hit.chunk_id, hit.text, hit.heading_path) == (tomato.chunk_id, tomato.text, tomato.heading_path)


# --- Atlas without an Atlas: pure builders, plain-MongoDB writes and reads ------------------


def test_atlas_filters_become_the_same_clauses_in_both_pipelines() -> None:
    after, before = datetime(2024, 1, 1), datetime(2025, 1, 1)
    filters = SearchFilters(sources=["notes", "code"], tags=["dev"], edited_after=after, edited_before=before)
    vector = atlas.vector_search_pipeline([0.5, 0.5], 4, filters)
    assert vector[0]["$vectorSearch"]["filter"] == {
        "source": {"$in": ["notes", "code"]},
        "tags": {"$in": ["dev"]},
        "last_edited_time": {"$gte": after, "$lt": before},
    }
    assert vector[1] == {"$project": {"_id": 1, "score": {"$meta": "vectorSearchScore"}}}
    text = atlas.text_search_pipeline("lists", 4, filters)
    assert text[0]["$search"]["compound"]["filter"] == [
        {"in": {"path": "source", "value": ["notes", "code"]}},
        {"in": {"path": "tags", "value": ["dev"]}},
        {"range": {"path": "last_edited_time", "gte": after, "lt": before}},
    ]
    assert text[2] == {"$project": {"_id": 1, "score": {"$meta": "searchScore"}}}
    assert atlas.vector_filter(None) == atlas.vector_filter(SearchFilters()) == {}
    assert "filter" not in atlas.text_search_pipeline("lists", 4, SearchFilters())[0]["$search"]["compound"]


def test_atlas_document_round_trips_to_its_chunk(settings: Settings) -> None:
    chunk = next(c for c in chunks_of(PAGES, settings) if c.page_id == "tomatoes")
    doc = atlas.chunk_document(chunk, np.ones(16, dtype=np.float32))
    assert atlas.document_chunk(doc).model_dump() == chunk.model_dump()
    older = {key: value for key, value in doc.items() if key != "metadata"}  # written before metadata was kept
    assert atlas.document_chunk(older).metadata == {
        "source": "notes",
        "tags": ["garden"],
        "last_edited_time": chunk.metadata["last_edited_time"],
    }


def test_atlas_writes_are_incremental_on_plain_mongodb(settings: Settings) -> None:
    """The Atlas back-end's writes and reads need no search engine: the wire server runs them."""
    collection = open_database(settings)[atlas.COLLECTION]
    chunks = chunks_of(PAGES, settings)
    first = atlas.write_chunks(collection, chunks, HashEmbedder(), restart=False)
    assert (first.added, first.removed, first.dimension) == (len(chunks), 0, 16)
    again = atlas.write_chunks(collection, chunks, HashEmbedder(), restart=False)
    assert (again.added, again.removed) == (0, 0)
    fewer = atlas.write_chunks(collection, chunks[1:], HashEmbedder(), restart=False)
    assert (fewer.added, fewer.removed) == (0, 1)
    restarted = atlas.write_chunks(collection, chunks[1:], HashEmbedder(), restart=True)
    assert (restarted.added, restarted.removed) == (len(chunks) - 1, 0)

    backend = AtlasIndex(settings.model_copy(update={"vector_backend": "atlas"}))
    rows = backend.chunks([c.chunk_id for c in chunks])
    assert {key: row.model_dump() for key, row in rows.items()} == {c.chunk_id: c.model_dump() for c in chunks[1:]}
    assert backend.counts() == {"manifest": 0, "documents": len(chunks) - 1}
    assert backend.tags() == sorted({t for c in chunks[1:] for t in c.metadata.get("tags", [])})
