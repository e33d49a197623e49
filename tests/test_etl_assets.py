"""The ETL assets on small real data: an export ingested, a crawled page stored as the crawl
stores it, then `quality_scores` → `rag_documents`/`finetune_documents` → `chunks` →
`vector_index` with `dg.materialize`: the crawled page becomes searchable under its URL, the
link-list note drops out of the index."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from test_dagster_ingest import write_export

from asset_checks.etl import ETL_CHECKS
from asset_checks.ingest import INGEST_CHECKS
from asset_checks.rag import CHUNK_CHECKS, INDEX_CHECKS
from secondbrain_core.crawl.store import CrawledPage, CrawlStore, LinkRef
from secondbrain_core.quality.documents import crawl_doc_id, find_document
from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.rag.search import Retriever
from secondbrain_core.settings import Settings
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.warehouse.results import read_model
from secondbrain_dagster.etl.assets import SQL_MODELS, quality_scores
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key
from secondbrain_dagster.rag.assets import chunks, vector_index
from secondbrain_dagster.resources import SecondBrainSettings

RESOURCES = {"sb": SecondBrainSettings()}
URL = "http://docs.example.test/sql-vacuum.html"
VACUUM = (
    "VACUUM reclaims storage occupied by dead tuples. In normal PostgreSQL operation, tuples that are deleted "
    "or obsoleted by an update are not physically removed from their table; they remain present until a VACUUM "
    "is done. Therefore it's necessary to do VACUUM periodically, especially on frequently-updated tables. "
    "Without a table list, VACUUM processes every table and materialized view in the current database."
)
NOTES = {
    "Maintenance": (
        "Routine maintenance keeps the database healthy: backups on a schedule, vacuuming so that space from "
        "deleted rows is reused, and analyzing tables so the planner has current statistics. The vacuum page "
        f"of the manual is [here]({URL}). Each task is repetitive and can be automated with cron."
    ),
    "Contents": "\n".join(f"[Chapter {i}](https://example.test/chapter-{i})" for i in range(10)),
}


def test_scores_sql_models_and_chunks_index_what_passed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_export(tmp_path / "export", NOTES)
    monkeypatch.setenv("SECONDBRAIN_SOURCES", spec)
    key = partition_key(spec)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [key])
    run = dg.materialize([raw_notion_pages, *INGEST_CHECKS], instance=instance, partition_key=key, resources=RESOURCES)
    assert run.success
    source = open_source(spec, settings).name
    db = open_database(settings)
    note_id = next(p.id for p in open_source(spec, settings).list_pages() if p.title == "Maintenance")
    CrawlStore(db).upsert(  # what `crawled_pages` stores for the link (the crawl itself is tested apart)
        CrawledPage(
            url=URL,
            final_url=URL,
            status="ok",
            http_status=200,
            title="VACUUM",
            markdown=f"# VACUUM\n\n{VACUUM}\n\n## Notes\n\n{VACUUM.upper()}",
            content_hash="v" * 64,
            fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
            linked_from=[LinkRef(source=source, page_id=note_id)],
            sources=[source],
        )
    )

    scored = dg.materialize([quality_scores, *ETL_CHECKS], instance=instance, partition_key=key, resources=RESOURCES)
    meta = {k: v.value for k, v in scored.get_asset_materialization_events()[0].materialization.metadata.items()}
    assert (meta["documents"], meta["notes"], meta["crawled"], meta["passed"], meta["judged"]) == (3, 2, 1, 2, 0)
    assert {e.check_name: e.passed for e in scored.get_asset_check_evaluations()} == {
        "scores_in_range": True,
        "judge_failures_under_share": True,
    }

    models = dg.materialize(SQL_MODELS, instance=instance, resources=RESOURCES)
    assert models.success
    counts = {
        e.asset_key.to_user_string(): e.materialization.metadata["dagster/row_count"].value
        for e in models.get_asset_materialization_events()
    }
    assert counts == {"rag_documents": 2, "finetune_documents": 1}  # the short note is not training data
    assert all(e.passed for e in models.get_asset_check_evaluations())
    assert {r["title"] for r in read_model(settings, "rag_documents")} == {"Maintenance", "VACUUM"}

    indexed = dg.materialize(
        [chunks, *CHUNK_CHECKS], instance=instance, partition_key=key, resources=RESOURCES
    ).get_asset_materialization_events()[0]
    assert indexed.materialization.metadata["pages"].value == 2
    stored = ChunkStore(db).chunks(source)
    assert {c.title for c in stored} == {"Maintenance", "VACUUM"}, "the link list dropped out"
    assert dg.materialize([vector_index, *INDEX_CHECKS], instance=instance, resources=RESOURCES).success

    (hit, *_) = Retriever(settings).search("which tuples does vacuum reclaim", k=3)
    assert (hit.page_id, hit.url, hit.title) == (crawl_doc_id(URL), URL, "VACUUM")
    page = find_document(db, hit.page_id)  # what `show`, read_note and the citation check read
    assert page is not None and hit.text.split("\n")[-1][:40] in page.markdown
