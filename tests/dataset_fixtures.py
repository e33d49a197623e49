"""Small summarization documents and a tiny dataset for the dataset and training tests (no model needed)."""

from __future__ import annotations

from pathlib import Path

from hash_embedder import HashEmbedder

from secondbrain_core.dataset.build import build_dataset
from secondbrain_core.dataset.documents import Document
from secondbrain_core.dataset.judge import Judge
from secondbrain_core.dataset.store import DatasetInfo
from secondbrain_core.llm.models import ModelRef, base_model
from secondbrain_core.settings import Settings

SALT = 11  # with it, the 12 ids hash into all three splits (3 validation, 2 test)
TOPICS = [
    ("VACUUM", "garbage-collect and optionally analyze a database"),
    ("REINDEX", "rebuild indexes"),
    ("TRUNCATE", "empty a table or set of tables"),
    ("PREPARE", "prepare a statement for execution"),
    ("ANALYZE", "collect statistics about a database"),
    ("CLUSTER", "cluster a table according to an index"),
    ("LISTEN", "listen for a notification"),
    ("NOTIFY", "generate a notification"),
    ("COPY", "copy data between a file and a table"),
    ("LOCK", "lock a table"),
    ("GRANT", "define access privileges"),
    ("REVOKE", "remove access privileges"),
]


def topic_document(index: int, title: str, summary: str, source: str = "notes") -> Document:
    text = (
        f"The {title} command is one of the SQL commands of the server, described in its own page. "
        f"Administrators run {title} from a session with enough privileges. The server checks the "
        f"arguments of {title} before it does any work, and reports an error for a bad one. "
        f"See the manual for the options of {title} and for examples of its use in scripts."
    )
    return Document(f"doc-{index:02d}-{SALT}", title, text, source, summary)


def tiny_documents() -> list[Document]:
    return [topic_document(i, title, summary) for i, (title, summary) in enumerate(TOPICS)]


def tiny_base_model(folder: Path) -> ModelRef:
    """A 2-layer Llama with SmolLM2's tokenizer and chat template: trains in seconds, loads like the base."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    base = base_model()
    tokenizer = AutoTokenizer.from_pretrained(base.path, gguf_file=base.gguf_file)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return ModelRef(name="tiny", version="tiny", source="path", path=folder)


TINY_TRAINING = {
    "train_steps": 2,
    "train_batch_size": 2,
    "train_eval_every": 1,
    "train_gguf": False,
    "train_max_tokens": 160,
}


def hash_judge() -> Judge:
    return Judge(HashEmbedder().embed_documents)


def tiny_dataset(settings: Settings) -> DatasetInfo:
    """Human-written pairs only (no teacher: the summaries and what is composed from them), split and saved."""
    return build_dataset(settings, tiny_documents(), [], teacher=None)
