"""Checks on `chunks` (per source partition) and `vector_index`."""

import warnings

import dagster as dg

from secondbrain_core.rag.backends import open_backend
from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.rag.manifest import read_manifest
from secondbrain_core.rag.pipeline import configured_chunks
from secondbrain_core.rag.tokens import count_tokens
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.rag.assets import chunks, vector_index
from secondbrain_dagster.resources import SecondBrainSettings

warnings.filterwarnings("ignore", message=".*Specifying a partitions_def on an AssetCheckSpec.*")


@dg.asset_check(asset=chunks, partitions_def=SOURCES, blocking=True)
def chunks_within_token_bound(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Context + chunk over the bound would be truncated by the embedder: its tail would be unsearchable."""
    settings = sb.get()
    source = open_source(source_spec(context.partition_key), settings).name
    stored = ChunkStore(open_database(settings)).chunks(source)
    sizes = [count_tokens(c.embedding_text) for c in stored]
    over = [size for size in sizes if size > settings.chunk_tokens]
    return dg.AssetCheckResult(
        passed=not over,
        metadata={
            "chunks": len(stored),
            "over_bound": len(over),
            "bound": settings.chunk_tokens,
            "max_tokens": max(sizes, default=0),
        },
    )


@dg.asset_check(asset=vector_index, blocking=True)
def index_matches_chunks(sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Every part of the index (local: vectors, chunk rows, BM25 documents; Atlas: documents) and
    the manifest count every stored chunk of the configured sources once."""
    settings = sb.get()
    expected = len(configured_chunks(settings))
    counts = open_backend(settings).counts()
    return dg.AssetCheckResult(
        passed=all(value == expected for value in counts.values()),
        metadata={"stored_chunks": expected, **counts},
    )


@dg.asset_check(asset=vector_index, blocking=True)
def manifest_embedder_is_configured(sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Queries are embedded with the configured model; an index from another model is useless."""
    settings = sb.get()
    manifest = read_manifest(settings)
    built_with = manifest.embedder if manifest else "(no manifest)"
    return dg.AssetCheckResult(
        passed=built_with == settings.embedder.strip(),
        metadata={"manifest_embedder": built_with, "configured_embedder": settings.embedder},
    )


CHUNK_CHECKS = [chunks_within_token_bound]
INDEX_CHECKS = [index_matches_chunks, manifest_embedder_is_configured]
RAG_CHECKS = CHUNK_CHECKS + INDEX_CHECKS
