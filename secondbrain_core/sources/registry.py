"""Source specs from `SECONDBRAIN_SOURCES` (or `--source`): checked here, once, then opened.

Every use of a spec goes through `check_source` first: the CLI, the demo before it registers
Dagster partitions, the sensor, the assets (through `open_source`). A spec is checked for what
can be told without reading the source (its form, the settings it needs to be usable), so a
typo is refused before anything is registered, started or written.
"""

from __future__ import annotations

from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings, resolve_source
from secondbrain_core.sources.page import Source
from secondbrain_core.sources.s3_location import s3_endpoint, split_s3_uri

EXPORT_PREFIX = "notion-export:"
SPEC_HELP = "use notion, notion-export:PATH (an export folder or .zip) or s3://bucket/prefix"


def check_source(spec: str, settings: Settings) -> str:
    """`spec` itself when it names a source this platform can read; else the error naming it."""
    if spec == "notion":
        return spec
    if spec.startswith(EXPORT_PREFIX):
        path = spec.removeprefix(EXPORT_PREFIX)
        if not path.strip() or "\0" in path:
            raise SecondBrainError(f"source {spec!r} names no usable path: use notion-export:PATH")
        return spec
    if spec.startswith("s3://"):
        split_s3_uri(spec)
        s3_endpoint(settings)
        return spec
    raise SecondBrainError(f"unknown source {spec!r}: {SPEC_HELP}")


def configured_sources(settings: Settings, only: str | None = None) -> list[str]:
    """The specs to ingest (`only`, else `SECONDBRAIN_SOURCES`), each checked, no duplicates;
    the S3 snapshot settings are checked too, as every ingest writes the snapshot."""
    specs = [resolve_source(only)] if only is not None else settings.source_list
    if not specs:
        raise SecondBrainError(f"SECONDBRAIN_SOURCES={settings.sources!r} names no source: {SPEC_HELP}")
    checked = list(dict.fromkeys(check_source(spec, settings) for spec in specs))
    if settings.s3_snapshot_uri:
        split_s3_uri(settings.s3_snapshot_uri)
        s3_endpoint(settings)
    return checked


def open_source(spec: str, settings: Settings) -> Source:
    """`notion`, `notion-export:PATH` (folder or zip) or `s3://bucket/prefix`, checked first."""
    spec = check_source(spec, settings)
    if spec == "notion":
        from secondbrain_core.sources.notion_api import NotionApiSource

        return NotionApiSource(settings)
    if spec.startswith(EXPORT_PREFIX):
        from secondbrain_core.sources.notion_export import NotionExportSource

        return NotionExportSource(Path(spec.removeprefix(EXPORT_PREFIX)), name=spec)
    from secondbrain_core.sources.s3_snapshot import S3SnapshotSource

    return S3SnapshotSource(spec, settings)
