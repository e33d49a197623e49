"""A sentence-transformers BERT model (MiniLM, BGE-small) run in numpy: the query side of search
(and the assistant's few dozen evidence sentences, `embed_short`).

A search embeds one short query. Through sentence-transformers that meant importing it and
torch first (~6.5 s of an 8.7 s CLI search, for a 15 ms forward pass). This reads the same
files (`model.safetensors`, `tokenizer.json`, the pooling and max-length configs) and runs
the same float32 computation with numpy and the `tokenizers` package, which import in tens
of milliseconds; its vectors match the sentence-transformers ones within 1e-6 cosine
(tests/test_embedders.py). Bulk document embedding stays on torch (threads, bfloat16).
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

_POOLING_MODES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
_MODULE_TYPES = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling")
_NORMALIZE = "sentence_transformers.models.Normalize"
_DTYPES = {"F32": np.float32, "I64": np.int64}
# tokens one pass runs through the dense layers together: large enough for efficient matmuls,
# small enough to bound memory (the widest activation is 2,048 x 1,536 floats, 12 MB)
TOKENS_PER_PASS = 2048


@dataclass(frozen=True)
class _Layer:
    """One encoder block's weights; each projection is `(weight as (in, out), bias)`."""

    query: tuple[np.ndarray, np.ndarray]
    key: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]


class NumpyBertEncoder:
    """Loads a sentence-transformers folder of a BERT model with mean or CLS pooling.

    `encode` runs under a lock with numpy's BLAS on one thread: on a busy 2-core machine
    OpenBLAS threads spin-wait on each other (measured: 300-600 ms instead of 10-20 ms for one
    short query), the same trap the torch query path had; and a lock because thread limits are
    process-wide, so two overlapping callers would restore each other's setting.
    """

    def __init__(self, model_dir: Path) -> None:
        config = _read_json(model_dir / "config.json")
        modules = _read_json(model_dir / "modules.json")
        types = [module["type"] for module in modules]
        if (
            config.get("model_type") != "bert"
            or config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
            or tuple(types[:2]) != _MODULE_TYPES
            or any(kind != _NORMALIZE for kind in types[2:])
        ):
            raise ValueError(f"{model_dir} is not a sentence-transformers BERT model this encoder runs")
        pooling = _read_json(model_dir / modules[1]["path"] / "config.json")
        modes = [key for key, on in pooling.items() if key.startswith("pooling_mode_") and on]
        if len(modes) != 1 or modes[0] not in _POOLING_MODES:
            raise ValueError(f"{model_dir}: pooling {modes} is not mean or CLS alone")
        self.pooling = _POOLING_MODES[modes[0]]
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        max_length = min(
            int(_read_json(model_dir / "sentence_bert_config.json").get("max_seq_length") or 512),
            int(config["max_position_embeddings"]),
        )
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_length)  # the file's own 128 is not what the model uses
        self._tokenizer.no_padding()
        weights = _map_safetensors(model_dir / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def pair(name: str) -> tuple[np.ndarray, np.ndarray]:
            return weights[f"{prefix}{name}.weight"], weights[f"{prefix}{name}.bias"]

        def dense(name: str) -> tuple[np.ndarray, np.ndarray]:
            # stored (out, in) like torch's Linear; copied once as (in, out): with a handful of
            # query rows OpenBLAS runs `x @ w` about twice as fast as `x @ w.T` (7.5 vs 15 ms a query)
            weight, bias = pair(name)
            return np.ascontiguousarray(weight.T), bias

        self._word = weights[prefix + "embeddings.word_embeddings.weight"]
        self._position = weights[prefix + "embeddings.position_embeddings.weight"]
        self._token_type = weights[prefix + "embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = pair("embeddings.LayerNorm")
        self._layers = [
            _Layer(
                query=dense(f"encoder.layer.{i}.attention.self.query"),
                key=dense(f"encoder.layer.{i}.attention.self.key"),
                value=dense(f"encoder.layer.{i}.attention.self.value"),
                attention_out=dense(f"encoder.layer.{i}.attention.output.dense"),
                attention_norm=pair(f"encoder.layer.{i}.attention.output.LayerNorm"),
                intermediate=dense(f"encoder.layer.{i}.intermediate.dense"),
                output=dense(f"encoder.layer.{i}.output.dense"),
                output_norm=pair(f"encoder.layer.{i}.output.LayerNorm"),
            )
            for i in range(int(config["num_hidden_layers"]))
        ]
        self._lock = Lock()
        self._blas = ThreadpoolController()

    @property
    def dimension(self) -> int:
        return int(self._word.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text (stripped first, as sentence-transformers does)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = [np.asarray(e.ids, dtype=np.int64) for e in self._tokenizer.encode_batch([t.strip() for t in texts])]
        with self._lock, self._blas.limit(limits=1, user_api="blas"):
            return np.vstack([self._encode_pass(group) for group in _passes(ids)])

    def _encode_pass(self, ids: list[np.ndarray]) -> np.ndarray:
        """Several texts in one pass, unpadded: every layer but attention works token by token, so
        their tokens run through the projections as one matrix (a few dozen evidence sentences
        cost about what their tokens cost, not a slow small matmul per sentence), and attention
        runs per text on its own rows — no padding, no mask, the same numbers as one at a time."""
        spans = list(itertools.pairwise(itertools.accumulate((len(row) for row in ids), initial=0)))
        x = self._word[np.concatenate(ids)] + self._token_type
        x += np.concatenate([self._position[: len(row)] for row in ids])
        x = _layer_norm(x, *self._embedding_norm, self.eps)
        for layer in self._layers:
            x = self._block(x, spans, layer)
        pooled = np.vstack([x[a:b].mean(axis=0) if self.pooling == "mean" else x[a] for a, b in spans])
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.where(norms == 0, 1.0, norms)).astype(np.float32)

    def _block(self, x: np.ndarray, spans: list[tuple[int, int]], layer: _Layer) -> np.ndarray:
        query, key, value = _dense(x, layer.query), _dense(x, layer.key), _dense(x, layer.value)
        context = np.empty_like(query)
        for a, b in spans:
            context[a:b] = _attention(query[a:b], key[a:b], value[a:b], self.heads)
        x = _layer_norm(x + _dense(context, layer.attention_out), *layer.attention_norm, self.eps)
        inner = _gelu(_dense(x, layer.intermediate))
        return _layer_norm(x + _dense(inner, layer.output), *layer.output_norm, self.eps)


def _passes(ids: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Consecutive texts grouped up to `TOKENS_PER_PASS` tokens (a text alone may pass it)."""
    groups: list[list[np.ndarray]] = [[]]
    size = 0
    for row in ids:
        if groups[-1] and size + len(row) > TOKENS_PER_PASS:
            groups.append([])
            size = 0
        groups[-1].append(row)
        size += len(row)
    return groups


def _attention(query: np.ndarray, key: np.ndarray, value: np.ndarray, heads: int) -> np.ndarray:
    """Multi-head self-attention of one text's `(tokens, hidden)` projections."""
    tokens, hidden = query.shape
    head_dim = hidden // heads

    def split(m: np.ndarray) -> np.ndarray:  # (heads, tokens, head_dim)
        return m.reshape(tokens, heads, head_dim).transpose(1, 0, 2)

    scores = split(query) @ split(key).transpose(0, 2, 1) / np.float32(math.sqrt(head_dim))
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    context = (scores / scores.sum(axis=-1, keepdims=True)) @ split(value)
    return context.transpose(1, 0, 2).reshape(tokens, hidden)


def _dense(x: np.ndarray, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return x @ weights[0] + weights[1]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + np.float32(eps)) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Φ(x), with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7,
    below float32's own rounding here; numpy has no erf and scipy costs ~0.2 s to import)."""
    z = np.abs(x) / np.float32(math.sqrt(2.0))
    t = 1.0 / (1.0 + np.float32(0.3275911) * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return (x * 0.5 * (1.0 + erf)).astype(np.float32)


def _map_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The file's tensors as read-only views of one memory map (the format: an 8-byte header
    length, a JSON header of dtype/shape/byte offsets, then the raw data). Mapping instead of
    `safetensors.numpy.load_file` reads only the pages used: a query touches a few rows of the
    47 MB word-embedding table, and loading took 0.1-1 s on a busy machine against ~1 ms."""
    with path.open("rb") as handle:
        header_size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(header_size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}; this encoder reads float32 weights")
        start, end = info["data_offsets"]
        tensors[name] = data[start:end].view(_DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def _read_json(path: Path) -> dict | list:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)
