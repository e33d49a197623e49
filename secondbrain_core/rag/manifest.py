"""The index's own description, so the CLI and the chat know what they read without Dagster.

For the local index the manifest is also the switch between builds: it names the generation
folder (`rag/generations.py`) holding the files it describes, and is replaced atomically last.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from secondbrain_core.records import read_record, write_record
from secondbrain_core.settings import Settings

MANIFEST_FILE = "manifest.json"


class IndexManifest(BaseModel):
    embedder: str
    dimension: int
    built_at: datetime
    backend: str = "usearch"
    context_mode: str
    tokenizer: str
    chunk_tokens: int
    overlap_tokens: int
    counts: dict[str, int] = Field(default_factory=dict)
    source_versions: dict[str, str] = Field(default_factory=dict, description="source -> digest of its chunk ids")
    generation: str | None = Field(
        default=None, description="folder under index/ with this build's files; None: index/ itself (older builds)"
    )


def index_dir(settings: Settings) -> Path:
    return settings.home / "index"


def files_dir(settings: Settings, manifest: IndexManifest) -> Path:
    """Where the files of the build that `manifest` describes live."""
    return index_dir(settings) / manifest.generation if manifest.generation else index_dir(settings)


def read_manifest(settings: Settings) -> IndexManifest | None:
    """The current manifest, None before the first build; a damaged one is an error naming the file."""
    return read_record(IndexManifest, index_dir(settings) / MANIFEST_FILE)


def write_manifest(settings: Settings, manifest: IndexManifest) -> None:
    """Written last and atomically: a manifest on disk means the files it describes are complete."""
    write_record(index_dir(settings) / MANIFEST_FILE, manifest)
