"""SQL models (`dbt_like_sql/`): dependencies read from the SQL, parameters bound from settings,
column tests that pass and fail, and a new `.sql` file that becomes an asset with no Python."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dbt_like_sql.loader import MODELS_DIR, sql_model_assets
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.quality.store import QualityScore, QualityStore
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.warehouse.models import load_models, parse_model, run_model, warehouse_path
from secondbrain_core.warehouse.results import read_model
from secondbrain_dagster.automation import AFTER_UPSTREAM
from secondbrain_dagster.resources import SecondBrainSettings

HEADER = "-- description: test model\n"


def write_model(folder: Path, name: str, sql: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.sql"
    path.write_text(sql)
    return path


def score(doc_id: str, quality: float, source: str = "s1") -> QualityScore:
    return QualityScore(
        doc_id=doc_id,
        kind="note",
        source=source,
        title=doc_id.title(),
        url=f"https://example.test/{doc_id}",
        content_hash=doc_id * 4,
        words=100,
        heuristic=quality,
        components={},
        heuristic_version="h",
        judge_status="skipped",
        judge_score=None,
        judge_reason="",
        judge_model="",
        prompt_version="",
        mode="heuristic",
        quality=quality,
        scored_at=datetime(2024, 1, 1, tzinfo=UTC),
    )


def test_dependencies_are_the_tables_the_sql_reads(tmp_path: Path) -> None:
    path = write_model(
        tmp_path,
        "joined",
        HEADER + "WITH good AS (SELECT * FROM quality_scores WHERE quality >= $quality_threshold)\n"
        "SELECT g.doc_id FROM good AS g JOIN raw_notion_pages AS p ON p.doc_id = g.doc_id\n"
        "WHERE g.doc_id IN (SELECT doc_id FROM crawled_pages)",
    )
    model = parse_model(path)
    assert model.deps == ("crawled_pages", "quality_scores", "raw_notion_pages")  # not the CTE `good`
    assert model.parameters == ("quality_threshold",)
    shipped = {m.name: m for m in load_models(MODELS_DIR)}
    assert set(shipped["rag_documents"].deps) == {"quality_scores", "raw_notion_pages", "crawled_pages"}
    assert shipped["finetune_documents"].deps == ("rag_documents",)  # a model reading another model


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM no_such_table", "reads unknown table(s) no_such_table"),
        ("SELECT * FROM quality_scores; SELECT 1", "exactly one SELECT"),
        ("SELEC nonsense FROM", "bad.sql"),
        ("-- test: between quality 0 1\nSELECT * FROM quality_scores", "not 'not_null|unique"),
    ],
)
def test_a_bad_model_file_is_an_error_naming_it(tmp_path: Path, sql: str, message: str) -> None:
    write_model(tmp_path, "bad", sql)
    with pytest.raises(SecondBrainError, match=message.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
        load_models(tmp_path)


def test_parameters_come_from_settings_never_secrets(settings: Settings, tmp_path: Path) -> None:
    secret = parse_model(write_model(tmp_path, "leak", "SELECT $openai_api_key AS k FROM quality_scores"))
    settings.openai_api_key = "sk-test"
    with pytest.raises(SecondBrainError, match=r"\$openai_api_key is not a setting"):
        run_model(secret, settings)
    unknown = parse_model(write_model(tmp_path, "odd", "SELECT * FROM quality_scores WHERE quality > $nope"))
    with pytest.raises(SecondBrainError, match=r"\$nope is not a setting"):
        run_model(unknown, settings)


def test_column_tests_pass_and_fail_on_the_built_table(settings: Settings, tmp_path: Path) -> None:
    QualityStore(open_database(settings)).replace_source("s1", [score("alpha", 0.9), score("beta", 0.4)])
    model = parse_model(
        write_model(
            tmp_path,
            "doubled",
            "-- test: not_null doc_id\n-- test: unique doc_id\n-- test: accepted_range quality 0 1\n"
            "-- test: not_empty title\n"
            "SELECT doc_id, quality * 2 AS quality, title FROM quality_scores WHERE quality >= $quality_threshold",
        )
    )
    settings.quality_threshold = 0.3
    run = run_model(model, settings)
    assert run.rows == 2 and run.parameters == {"quality_threshold": 0.3}
    results = {t.name: (t.passed, t.failing_rows) for t in run.tests}
    assert results == {
        "not_null_doc_id": (True, 0),
        "unique_doc_id": (True, 0),
        "accepted_range_quality": (False, 1),  # 1.8 is out of [0, 1]; 0.8 is not
        "not_empty_title": (True, 0),
    }
    # the table is in the warehouse file and in MongoDB, where Python reads it
    with duckdb.connect(str(warehouse_path(settings)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM doubled").fetchone() == (2,)
    assert sorted(r["doc_id"] for r in read_model(settings, "doubled")) == ["alpha", "beta"]

    settings.quality_threshold = 0.5  # a re-run replaces the rows, bound to the new value
    assert run_model(model, settings).rows == 1
    assert [r["doc_id"] for r in read_model(settings, "doubled")] == ["alpha"]
    settings.quality_threshold = 1.0  # nothing passes: an empty table, not a model that never ran
    assert run_model(model, settings).rows == 0 and read_model(settings, "doubled") == []
    assert read_model(settings, "never_built") is None


def test_a_new_sql_file_is_a_new_asset_with_its_checks(settings: Settings, tmp_path: Path) -> None:
    models = tmp_path / "models"
    write_model(
        models,
        "top_scores",
        "-- description: The best documents.\n-- test: unique doc_id\n"
        "SELECT doc_id, quality FROM quality_scores WHERE quality >= 0.8",
    )
    (asset,) = sql_model_assets(models)
    key = dg.AssetKey("top_scores")
    assert asset.key == key and asset.descriptions_by_key[key] == "The best documents."
    assert set(asset.asset_deps[key]) == {dg.AssetKey("quality_scores")}
    assert {spec.name for spec in asset.check_specs} == {"unique_doc_id"}
    assert all(spec.blocking for spec in asset.check_specs)

    QualityStore(open_database(settings)).replace_source("s1", [score("alpha", 0.9), score("beta", 0.4)])
    result = dg.materialize([asset], resources={"sb": SecondBrainSettings()}, raise_on_error=False)
    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["dagster/row_count"].value == 1
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [("unique_doc_id", True)]


def test_a_failed_column_test_holds_back_what_reads_the_model(settings: Settings, tmp_path: Path) -> None:
    models = tmp_path / "models"
    write_model(
        models,
        "broken",
        "-- test: accepted_range quality 0 1\nSELECT doc_id, quality * 10 AS quality FROM quality_scores",
    )
    write_model(models, "fine", "-- test: accepted_range quality 0 1\nSELECT doc_id, quality FROM quality_scores")
    broken, fine = sorted(sql_model_assets(models), key=lambda a: a.key.to_user_string())

    @dg.asset(deps=[broken], automation_condition=AFTER_UPSTREAM)
    def reads_broken() -> None: ...

    @dg.asset(deps=[fine], automation_condition=AFTER_UPSTREAM)
    def reads_fine() -> None: ...

    defs = dg.Definitions(assets=[broken, fine, reads_broken, reads_fine], resources={"sb": SecondBrainSettings()})
    instance = dg.DagsterInstance.ephemeral()
    QualityStore(open_database(settings)).replace_source("s1", [score("alpha", 0.9)])
    idle = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    run = dg.materialize(
        [broken, fine], instance=instance, resources={"sb": SecondBrainSettings()}, raise_on_error=False
    )
    assert not run.success, "a blocking check failed"
    assert {(e.asset_key.to_user_string(), e.passed) for e in run.get_asset_check_evaluations()} == {
        ("broken", False),
        ("fine", True),
    }
    after = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=idle.cursor)
    assert after.get_num_requested(reads_fine.key) == 1
    assert after.get_num_requested(reads_broken.key) == 0
