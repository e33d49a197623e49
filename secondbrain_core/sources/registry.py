"""Turn a source spec from `SECONDBRAIN_SOURCES` into a `Source`."""

from __future__ import annotations

from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Source


def open_source(spec: str, settings: Settings) -> Source:
    """`notion`, `notion-export:PATH` (folder or zip) or `s3://bucket/prefix`."""
    if spec == "notion":
        from secondbrain_core.sources.notion_api import NotionApiSource

        return NotionApiSource(settings)
    if spec.startswith("notion-export:"):
        from secondbrain_core.sources.notion_export import NotionExportSource

        return NotionExportSource(Path(spec.removeprefix("notion-export:")), name=spec)
    if spec.startswith("s3://"):
        from secondbrain_core.sources.s3_snapshot import S3SnapshotSource

        return S3SnapshotSource(spec, settings)
    raise SecondBrainError(
        f"unknown source {spec!r} in SECONDBRAIN_SOURCES: use notion, notion-export:PATH or s3://bucket/prefix"
    )
