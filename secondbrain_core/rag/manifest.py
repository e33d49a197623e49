"""The index's own description, so the CLI and the chat know what they read without Dagster."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

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


def index_dir(settings: Settings) -> Path:
    return settings.home / "index"


def read_manifest(settings: Settings) -> IndexManifest | None:
    path = index_dir(settings) / MANIFEST_FILE
    return IndexManifest.model_validate_json(path.read_text()) if path.exists() else None


def write_manifest(settings: Settings, manifest: IndexManifest) -> None:
    """Written last and atomically: a manifest on disk means the files it describes are complete."""
    path = index_dir(settings) / MANIFEST_FILE
    atomic_write(path, json.dumps(manifest.model_dump(mode="json"), indent=2).encode())


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
