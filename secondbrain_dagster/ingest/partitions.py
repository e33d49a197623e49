"""One dynamic partition per configured source spec (`SECONDBRAIN_SOURCES`).

Dagster accepts almost any string as a partition key (`notion`, `s3://b/p`,
`notion-export:/abs/path` all pass as they are); it rejects only `...` (the UI's range
syntax) and control characters. `partition_key` escapes exactly those, percent-style, so a
key stays the readable spec in the UI and `source_spec` gets the spec back unchanged.
"""

from __future__ import annotations

from urllib.parse import unquote

import dagster as dg

from secondbrain_core.settings import Settings
from secondbrain_core.sources.registry import configured_sources

SOURCES = dg.DynamicPartitionsDefinition(name="sources")

_ESCAPES = {"...": "%2E%2E%2E", **{c: f"%{ord(c):02X}" for c in "\a\b\f\n\r\t\v\0"}}


def partition_key(spec: str) -> str:
    """The partition key of a source spec: the spec itself unless it holds a forbidden substring."""
    key = spec.replace("%", "%25")
    for raw, escaped in _ESCAPES.items():
        key = key.replace(raw, escaped)
    return key


def source_spec(key: str) -> str:
    """Inverse of `partition_key`."""
    return unquote(key)


def configured_partition_keys(settings: Settings) -> list[str]:
    """The partition keys of the sources `settings` names, in configured order, no duplicates;
    every spec is checked first (`SecondBrainError` naming a bad one), so none is registered."""
    return list(dict.fromkeys(partition_key(spec) for spec in configured_sources(settings)))
