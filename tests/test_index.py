"""The local index: incremental sync, deletions, embedder switch, RRF, search modes, filters,
the document-store entry point, and the Atlas pipeline builders (pure: no Atlas here)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag import atlas
from secondbrain_core.rag.backends import backend_name
from secondbrain_core.rag.embedders import embedder_for
from secondbrain_core.rag.fusion import CANDIDATES, FUSIONS, fuse_hybrid, rrf
from secondbrain_core.rag.local_index import LocalIndex
from secondbrain_core.rag.manifest import read_manifest
from secondbrain_core.rag.pipeline import build_chunks, index_store, sync_index
from secondbrain_core.rag.search import Retriever, SearchFilters
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore


class CountingEmbedder:
    """The real MiniLM, counting the texts it embeds (optionally under another name)."""

    def __init__(self, settings: Settings, name: str = "minilm") -> None:
        self._inner = embedder_for(settings)
        self.name = name
        self.embedded = 0

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)

    def embed_short(self, texts: list[str]) -> np.ndarray:
        return self._inner.embed_short(texts)  # the local rerank's sentences: not chunk embeddings


def page(pid: str, title: str, body: str, source: str = "notes", tags=(), edited=datetime(2024, 3, 1)) -> Page:
    return Page(
        id=pid,
        source=source,
        title=title,
        url=f"https://example.test/{pid}",
        markdown=body,
        properties={"Tags": list(tags)},
        last_edited_time=edited.replace(tzinfo=UTC),
    )


def corpus() -> list[Page]:
    return [
        page("cats", "Cats", "# Care\n\nFeed your cat twice a day.\n\n# Sleep\n\nCats sleep sixteen hours daily."),
        page("tomato", "Garden", "# Tomatoes\n\nWater tomato plants deeply at the roots.", tags=["garden"]),
        page("py", "Python", "# Lists\n\nA list comprehension builds lists.", source="code", tags=["dev"]),
        page("tax", "Taxes", "# Filing\n\nThe deadline for the 1040 form is April 15.", edited=datetime(2023, 1, 1)),
    ]


@pytest.fixture
def small(settings: Settings) -> Settings:
    settings.chunk_tokens, settings.chunk_overlap_tokens = 48, 8
    return settings


def test_resync_embeds_nothing_and_edits_embed_only_changed_chunks(small: Settings) -> None:
    embedder = CountingEmbedder(small)
    pages = corpus()
    first_chunks = build_chunks(pages, small)
    first = sync_index(first_chunks, small, embedder)
    assert first.embedded == first.added == len(first_chunks) == embedder.embedded
    assert first.manifest.counts["chunks"] == len(first_chunks)

    again = sync_index(build_chunks(pages, small), small, embedder)
    assert (again.embedded, again.added, again.removed, again.kept) == (0, 0, 0, len(first_chunks))
    assert embedder.embedded == len(first_chunks)

    pages[0] = pages[0].model_copy(update={"markdown": pages[0].markdown.replace("sixteen", "fourteen")})
    edited_chunks = build_chunks(pages, small)
    changed = {c.chunk_id for c in edited_chunks} - {c.chunk_id for c in first_chunks}
    report = sync_index(edited_chunks, small, embedder)
    assert len(changed) == 1 and report.embedded == 1 and report.removed == 1
    assert embedder.embedded == len(first_chunks) + 1
    hits = Retriever(small, embedder).search("fourteen", mode="bm25", k=3)
    assert hits[0].page_id == "cats" and "fourteen" in hits[0].text


def test_deleted_pages_leave_the_index(small: Settings) -> None:
    embedder = CountingEmbedder(small)
    pages = corpus()
    sync_index(build_chunks(pages, small), small, embedder)
    retriever = Retriever(small, embedder)
    assert retriever.search("1040 deadline", mode="bm25")[0].page_id == "tax"

    kept = build_chunks(pages[:-1], small)
    report = sync_index(kept, small, embedder)

    assert report.removed == len(build_chunks(pages[-1:], small)) and report.embedded == 0
    assert set(LocalIndex(small).counts().values()) == {len(kept)}
    for mode in ("bm25", "dense", "hybrid"):
        assert "tax" not in {h.page_id for h in retriever.search("1040 tax form deadline", mode=mode, k=10)}


def test_changing_the_embedder_rebuilds(small: Settings) -> None:
    chunks = build_chunks(corpus(), small)
    sync_index(chunks, small, CountingEmbedder(small))
    other = CountingEmbedder(small, name="minilm-v2")
    report = sync_index(chunks, small, other)
    assert report.embedded == other.embedded == len(chunks) and report.removed == 0
    assert read_manifest(small).embedder == "minilm-v2"
    assert set(LocalIndex(small).counts().values()) == {len(chunks)}
    with pytest.raises(SecondBrainError, match="minilm-v2"):
        Retriever(small)  # configured embedder is still minilm: querying would mix vector spaces


def test_rrf_matches_a_hand_computed_example() -> None:
    fused = rrf([["a", "b", "c"], ["c", "a", "d"]], k=60)
    expected = {
        "a": 1 / 61 + 1 / 62,
        "c": 1 / 63 + 1 / 61,
        "b": 1 / 62,
        "d": 1 / 63,
    }
    assert [item for item, _ in fused] == ["a", "c", "b", "d"]
    assert all(np.isclose(score, expected[item]) for item, score in fused)
    scored = lambda items: [(item, 10.0 - rank) for rank, item in enumerate(items)]  # noqa: E731
    assert fuse_hybrid(scored(["a", "b", "c"]), scored(["c", "a", "d"]), k=60, dense_weight=0.5) == fused


def test_weighted_hybrid_fusion_matches_a_hand_computed_example() -> None:
    fused = dict(fuse_hybrid([("a", 9.0), ("b", 3.0)], [("b", 0.9), ("c", 0.8)], k=10, dense_weight=0.75))
    assert np.isclose(fused["a"], 0.5 / 11) and np.isclose(fused["c"], 1.5 / 12)
    assert np.isclose(fused["b"], 0.5 / 12 + 1.5 / 11)
    assert list(fused) == ["b", "c", "a"]


def test_zscore_fusion_matches_a_hand_computed_example() -> None:
    # bm25: one standout hit (a rare term matched) over 20 bunched ones; dense ranks it last
    bm25 = [("exact", 12.0)] + [(f"b{i}", 3.0 - 0.05 * i) for i in range(20)]
    dense = [(f"d{i}", 0.70 - 0.01 * i) for i in range(8)] + [("exact", 0.62)]
    fused = dict(fuse_hybrid(bm25, dense, method="zscore", dense_weight=0.5))

    def z(ranking, item):
        values = np.array([score for _, score in ranking])
        score = dict(ranking).get(item, values.min())  # missing: the ranker's lowest
        return (score - values.mean()) / values.std()

    for item in ("exact", "b0", "d0"):
        assert np.isclose(fused[item], z(bm25, item) + z(dense, item)), item
    assert next(iter(fused)) == "exact", "the standout lexical hit wins though dense ranked it last"
    assert len(fused) == 29

    # a lone candidate or tied scores say nothing about order: z = 1 present, 0 missing
    lone = dict(fuse_hybrid([("only", 4.2)], [("v", 0.5), ("w", 0.3)], method="zscore", dense_weight=0.5))
    assert np.isclose(lone["only"], 1.0 - 1.0) and np.isclose(lone["v"], 0.0 + 1.0)
    assert fuse_hybrid([], [], method="zscore") == []
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse_hybrid(bm25, dense, method="max")


@pytest.mark.parametrize("method", FUSIONS)
def test_fused_head_does_not_depend_on_how_deep_the_rankers_were_read(method: str) -> None:
    # search -k 10 reads 50 hits per ranker, the eval reads 200: both must rank the top alike
    rng = np.random.default_rng(7)
    bm25 = sorted(((f"c{i}", float(s)) for i, s in enumerate(rng.gamma(2.0, 3.0, 200))), key=lambda p: -p[1])
    dense = sorted(((f"c{i}", float(s)) for i, s in enumerate(rng.uniform(0.1, 0.8, 200))), key=lambda p: -p[1])
    shallow = fuse_hybrid(bm25[:CANDIDATES], dense[:CANDIDATES], method=method, dense_weight=0.8)
    deep = fuse_hybrid(bm25, dense, method=method, dense_weight=0.8)
    bottom = shallow[-1][1]  # what a hit below both heads (or at the end of one) is worth
    placed = sum(score > bottom for _, score in shallow)
    assert placed > 50 and deep[:placed] == shallow[:placed]
    in_a_head = {item for item, _ in bm25[:CANDIDATES]} | {item for item, _ in dense[:CANDIDATES]}
    assert {item for item, _ in deep[:placed]} <= in_a_head, "hits below every head come last"
    unbounded = fuse_hybrid(bm25, dense, method=method, dense_weight=0.8, head=None)
    assert [item for item, _ in unbounded[:10]] != [item for item, _ in shallow[:10]], "without a head, depth leaks in"


def test_search_modes_filters_and_manifest(small: Settings) -> None:
    embedder = CountingEmbedder(small)
    sync_index(build_chunks(corpus(), small), small, embedder)
    retriever = Retriever(small, embedder)

    assert retriever.search("tomato", mode="bm25", k=1)[0].page_id == "tomato"
    assert retriever.search("how much do kittens nap", mode="dense", k=1)[0].page_id == "cats"
    hybrid = retriever.search("when is the 1040 due", mode="hybrid", k=3)
    assert hybrid[0].page_id == "tax" and hybrid[0].url == "https://example.test/tax"
    assert hybrid == sorted(hybrid, key=lambda h: -h.score)
    assert retriever.search("zzzz qqqq", mode="bm25") == []

    by_source = retriever.search("lists", k=10, filters=SearchFilters(sources=["code"]))
    assert by_source and {h.page_id for h in by_source} == {"py"}
    by_tag = retriever.search("water plants", k=10, filters=SearchFilters(tags=["garden", "none"]))
    assert {h.page_id for h in by_tag} == {"tomato"}
    recent = retriever.search("deadline form", k=10, filters=SearchFilters(edited_after=datetime(2024, 1, 1)))
    assert recent and "tax" not in {h.page_id for h in recent}
    before_2024 = SearchFilters(edited_before=datetime(2024, 1, 1))
    old = retriever.search("deadline form", mode="dense", k=10, filters=before_2024)
    assert {h.page_id for h in old} == {"tax"}

    manifest = retriever.manifest
    assert (manifest.embedder, manifest.dimension, manifest.context_mode) == ("minilm", 384, "structural")
    assert set(manifest.source_versions) == {"notes", "code"}
    with pytest.raises(SecondBrainError, match="mode"):
        retriever.search("x", mode="fuzzy")  # type: ignore[arg-type]


def test_no_index_is_a_user_error_and_an_empty_one_finds_nothing(settings: Settings) -> None:
    with pytest.raises(SecondBrainError, match="materialize vector_index"):
        Retriever(settings)
    report = sync_index([], settings, CountingEmbedder(settings))
    assert (report.added, report.manifest.counts["chunks"]) == (0, 0)
    assert Retriever(settings).search("anything", mode="hybrid") == []


def test_index_store_reads_live_pages(small: Settings) -> None:
    store = PageStore(open_database(small))
    pages = corpus()
    store.upsert(pages)
    store.mark_deleted("notes", ["tax"])

    report = index_store(small)

    assert report.manifest.counts["pages"] == len(pages) - 1
    hits = Retriever(small).search("deadline 1040 form", mode="bm25", k=10)
    assert "tax" not in {h.page_id for h in hits}


# --- Atlas: definitions and pipelines are pure; nothing here talks to Atlas --------------------


def test_atlas_definitions_and_pipelines() -> None:
    vector_def = atlas.vector_index_definition(384)
    assert vector_def["fields"][0] == {
        "type": "vector",
        "path": "embedding",
        "numDimensions": 384,
        "similarity": "dotProduct",
    }
    assert {f["path"] for f in vector_def["fields"][1:]} == {"source", "tags", "last_edited_time"}
    assert atlas.text_index_definition()["mappings"]["fields"]["search_text"]["type"] == "string"

    filters = SearchFilters(sources=["notes"], tags=["a"], edited_after=datetime(2024, 1, 1))
    vector_stage = atlas.vector_search_pipeline([0.1, 0.2], 5, filters)[0]["$vectorSearch"]
    assert vector_stage["limit"] == 5 and vector_stage["numCandidates"] >= 50
    assert vector_stage["filter"] == {
        "source": {"$in": ["notes"]},
        "tags": {"$in": ["a"]},
        "last_edited_time": {"$gte": datetime(2024, 1, 1)},
    }
    assert "filter" not in atlas.vector_search_pipeline([0.1], 5)[0]["$vectorSearch"]

    text = atlas.text_search_pipeline("tomato", 7, filters)
    compound = text[0]["$search"]["compound"]
    assert compound["must"] == [{"text": {"query": "tomato", "path": "search_text"}}]
    assert {"range": {"path": "last_edited_time", "gte": datetime(2024, 1, 1)}} in compound["filter"]
    assert text[1] == {"$limit": 7} and text[2]["$project"]["score"] == {"$meta": "searchScore"}


def test_atlas_document_carries_vector_and_filter_fields(small: Settings) -> None:
    chunk = build_chunks(corpus()[1:2], small)[0]
    doc = atlas.chunk_document(chunk, np.ones(3, dtype=np.float32))
    assert doc["_id"] == chunk.chunk_id and doc["embedding"] == [1.0, 1.0, 1.0]
    assert doc["tags"] == ["garden"] and doc["last_edited_time"] == datetime(2024, 3, 1, tzinfo=UTC)
    assert doc["search_text"].startswith("Garden › Tomatoes")


class _BuildingIndexes:
    """What `list_search_indexes` reports while Atlas builds: not queryable for `polls` calls."""

    full_name = "sb.chunk_index"

    def __init__(self, polls: int, status: str = "BUILDING") -> None:
        self.polls, self.status = polls, status

    def list_search_indexes(self) -> list[dict]:
        self.polls -= 1
        ready = self.polls < 0
        return [
            {"name": name, "queryable": ready, "status": "READY" if ready else self.status}
            for name in (atlas.VECTOR_INDEX, atlas.TEXT_INDEX)
        ]


def test_atlas_index_build_waits_until_both_indexes_are_queryable() -> None:
    building = _BuildingIndexes(polls=3)
    atlas.wait_until_queryable(building, timeout_s=5, poll_s=0.01)
    assert building.polls == -1, "returned on the first poll that reported both queryable"
    with pytest.raises(SecondBrainError, match=r"not queryable after 0 s"):
        atlas.wait_until_queryable(_BuildingIndexes(polls=100), timeout_s=0.05, poll_s=0.01)
    with pytest.raises(SecondBrainError, match="failed to build"):
        atlas.wait_until_queryable(_BuildingIndexes(polls=100, status="FAILED"), timeout_s=5, poll_s=0.01)


def test_vector_backend_setting_picks_atlas_for_atlas_local(monkeypatch) -> None:
    assert backend_name(Settings(mongodb_uri="mongodb://localhost:27017/")) == "local"
    assert backend_name(Settings(mongodb_uri="mongodb+srv://u:p@cluster0.abcd.mongodb.net/")) == "atlas"
    assert backend_name(Settings(mongodb_uri="mongodb://localhost:27017/", vector_backend="atlas")) == "atlas"
    assert backend_name(Settings(mongodb_uri="mongodb+srv://c.mongodb.net/", vector_backend="local")) == "local"
    with pytest.raises(SecondBrainError, match="VECTOR_BACKEND=atlas needs MONGODB_URI"):
        backend_name(Settings(mongodb_uri=None, vector_backend="atlas"))
