"""`chunks` and `vector_index`: raw pages → contextualized chunks → the hybrid search index.

`chunks` is partitioned per source like `raw_notion_pages` (same "sources" partitions) and
follows the `rag_documents` SQL model: a source's notes and crawled pages that passed the
quality filter. Before a source is scored (or without the SQL models) it chunks the source's
live pages, so it still runs on raw pages alone. `vector_index` is
unpartitioned: the index serves one query over all sources, so it syncs to the union of all
chunk partitions (embedding only new chunk ids, deleting stale ones).
"""

from datetime import timedelta

import dagster as dg

from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.rag.manifest import index_dir
from secondbrain_core.rag.pipeline import chunk_source, index_chunk_store
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_dagster.automation import AFTER_LATER_STEP, AFTER_UPSTREAM
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.policies import PER_SOURCE_BACKFILL, SEARCH_OWNERS
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.scale import INDEX_POD

PREVIEW_ROWS = 5


@dg.asset(
    partitions_def=SOURCES,
    deps=[dg.AssetKey("raw_notion_pages"), dg.AssetKey("rag_documents")],
    group_name="rag",
    automation_condition=AFTER_LATER_STEP,
    kinds={"python", "mongodb"},
    owners=SEARCH_OWNERS,
    backfill_policy=PER_SOURCE_BACKFILL,
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2), warn_window=timedelta(days=1)),
)
def chunks(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """One source's documents (its `rag_documents` rows: notes and crawled pages that passed the
    quality filter) cut into token-bounded, structure-aware chunks with their context.

    Chunk ids are content hashes: re-running replaces this source's chunks, never duplicates.
    """
    settings = sb.get()
    source = open_source(source_spec(context.partition_key), settings).name
    report = chunk_source(source, settings)
    sample = ChunkStore(open_database(settings)).chunks(source)[:PREVIEW_ROWS]
    rows = [f"| {' › '.join(c.heading_path) or c.title} | {len(c.text)} | {c.context[:60]!r} |" for c in sample]
    return dg.MaterializeResult(
        metadata={
            "pages": report.pages,
            "chunks": report.chunks,
            "written": report.written,
            "deleted": report.deleted,
            "max_chunk_tokens": report.max_chunk_tokens,
            "token_bound": settings.chunk_tokens,
            "context_mode": report.context_mode,
            "preview": dg.MetadataValue.md("\n".join(["| heading path | chars | context |", "|---|---|---|", *rows])),
        }
    )


@dg.asset(
    deps=[chunks],
    group_name="rag",
    automation_condition=AFTER_UPSTREAM,
    kinds={"usearch", "python"},
    owners=SEARCH_OWNERS,
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2), warn_window=timedelta(days=1)),
    op_tags=INDEX_POD,
)
def vector_index(sb: SecondBrainSettings) -> dg.MaterializeResult:
    """Dense (usearch HNSW, or Atlas Vector Search) + BM25 index over all chunks, with a manifest.

    Incremental: only chunk ids not yet indexed are embedded; a different embedder rebuilds.
    """
    settings = sb.get()
    report = index_chunk_store(settings)
    manifest = report.manifest
    return dg.MaterializeResult(
        metadata={
            "added": report.added,
            "removed": report.removed,
            "kept": report.kept,
            "embedded": report.embedded,
            "chunks": manifest.counts.get("chunks", 0),
            "embedder": manifest.embedder,
            "dimension": manifest.dimension,
            "backend": manifest.backend,
            "context_mode": manifest.context_mode,
            "seconds_embedding": report.seconds_embedding,
            "seconds_total": report.seconds_total,
            "index": dg.MetadataValue.path(str(index_dir(settings).resolve())),
        }
    )
