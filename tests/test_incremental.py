"""Evaluations reuse their stored result while nothing they read changed, and recompute when
anything did: the questions, the pages, a scored setting, the incumbent model, or their MLflow run.
Also: MLflow experiments keep their artifacts under the home, not in the current directory."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg
import pytest
from test_dagster_ingest import edit_export_page, write_export
from test_retrieval_eval_asset import NOTES, tiny_dev_set  # noqa: F401 (fixture)

from asset_checks.evals import hybrid_ndcg_no_regression
from secondbrain_core.evals import agent as agent_evals
from secondbrain_core.evals.tracking import tracking
from secondbrain_core.experiments import use_experiment
from secondbrain_core.incremental import RUN_ID, input_key, result_path, reuse_or_compute
from secondbrain_core.settings import Settings
from secondbrain_core.training import promotion
from secondbrain_dagster.evals.assets import MLFLOW_RUN_ID, retrieval_eval
from secondbrain_dagster.resources import SecondBrainSettings


@pytest.fixture(scope="module")
def tracking_db(tmp_path_factory) -> str:
    """One MLflow db for the module: creating its tables costs seconds, once is enough."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


@pytest.fixture
def settings(settings: Settings, tracking_db: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_db)  # the Dagster resource builds its own Settings
    return settings.model_copy(update={"mlflow_tracking_uri_override": tracking_db})


class Counter:
    """An evaluation that logs one real MLflow run per call and counts its calls."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self.calls = settings, 0

    def __call__(self) -> dict:
        self.calls += 1
        with tracking(self.settings, "cache_test") as (client, experiment_id):
            run_id = client.create_run(experiment_id).info.run_id
        return {"score": 0.5 + self.calls, RUN_ID: run_id}


def test_same_key_reuses_and_any_change_recomputes(settings: Settings) -> None:
    evaluate = Counter(settings)
    key = input_key(settings, questions="v1")
    first, reused = reuse_or_compute(settings, "demo_eval", key, evaluate)
    assert not reused and evaluate.calls == 1 and result_path(settings, "demo_eval").is_file()
    again, reused = reuse_or_compute(settings, "demo_eval", key, evaluate)
    assert reused and evaluate.calls == 1
    assert again.result == first.result and again.computed_at == first.computed_at

    changed = input_key(settings, questions="v2")
    assert changed != key
    _, reused = reuse_or_compute(settings, "demo_eval", changed, evaluate)
    assert not reused and evaluate.calls == 2

    # a scored setting changes the key; one no evaluation reads (the crawler's pacing) does not
    assert input_key(settings.model_copy(update={"chunk_tokens": 128}), questions="v2") != changed
    assert input_key(settings.model_copy(update={"crawl_host_delay_s": 3.0}), questions="v2") == changed

    # a stored result whose MLflow run is gone is recomputed (the gate reads that run)
    stored, _ = reuse_or_compute(settings, "demo_eval", changed, evaluate)
    with tracking(settings, "cache_test") as (client, _):
        client.delete_run(stored.result[RUN_ID])
    _, reused = reuse_or_compute(settings, "demo_eval", changed, evaluate)
    assert not reused and evaluate.calls == 3

    # a damaged file is recomputed, not an error
    result_path(settings, "demo_eval").write_text("{not json")
    _, reused = reuse_or_compute(settings, "demo_eval", changed, evaluate)
    assert not reused and evaluate.calls == 4


@pytest.mark.slow
def test_retrieval_eval_rematerialized_unchanged_reuses_then_recomputes_on_new_questions(
    settings: Settings,
    tiny_dev_set: dict[str, str],  # noqa: F811
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    resources = {"sb": SecondBrainSettings(home=str(settings.home))}
    assets = [retrieval_eval, hybrid_ndcg_no_regression]
    run_config = {"ops": {"retrieval_eval": {"config": tiny_dev_set}}}

    def materialize() -> tuple[dict, dg.AssetCheckEvaluation]:
        result = dg.materialize(assets, resources=resources, instance=instance, run_config=run_config)
        assert result.success
        metadata = result.asset_materializations_for_node("retrieval_eval")[0].metadata
        return {k: v.value for k, v in metadata.items()}, result.get_asset_check_evaluations()[0]

    first, check = materialize()
    assert first["reused"] is False and check.passed
    second, check = materialize()
    assert second["reused"] is True and check.passed  # the gate still evaluates the stored run
    assert second[MLFLOW_RUN_ID] == first[MLFLOW_RUN_ID] and second["computed_at"] == first["computed_at"]
    assert second["hybrid_ndcg@10"] == first["hybrid_ndcg@10"]

    queries = Path(tiny_dev_set["dev_set_dir"]) / "queries.jsonl"
    with queries.open("a") as handle:
        handle.write(json.dumps({"_id": "Orchid care", "text": "how often to water the orchid"}) + "\n")
    with (Path(tiny_dev_set["dev_set_dir"]) / "qrels.tsv").open("a") as handle:
        handle.write(f"Orchid care\t{hashlib.md5(b'Orchid care').hexdigest()}\t2\n")
    third, _ = materialize()
    assert third["reused"] is False and third[MLFLOW_RUN_ID] != first[MLFLOW_RUN_ID]
    assert third["dev_set_version"] != first["dev_set_version"]


def test_agent_key_follows_questions_and_pages(settings: Settings, tmp_path: Path) -> None:
    spec = write_export(tmp_path / "export", NOTES)
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"id": "u1", "question": "what is mercury's boiling point?", "answerable": False}))
    key = agent_evals.evaluation_key(settings, questions, spec)
    assert agent_evals.evaluation_key(settings, questions, spec) == key
    edit_export_page(tmp_path / "export", "Orchid care", "Water the orchid every ten days.")
    edited = agent_evals.evaluation_key(settings, questions, spec)
    assert edited != key
    questions.write_text(questions.read_text() + "\n")
    assert agent_evals.evaluation_key(settings, questions, spec) != edited


def test_promotion_eval_reused_once_the_candidate_is_champion(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Candidate 1 vs base is computed; after its promotion the rerun reuses it (not 1 vs itself);
    a new champion (another incumbent) recomputes."""
    from secondbrain_core.dataset.store import DatasetInfo

    generated: list[tuple[str, str]] = []

    def evaluate(settings: Settings, info: DatasetInfo, candidate: str, incumbent: str) -> promotion.PromotionEval:
        generated.append((candidate, incumbent))
        with tracking(settings, promotion.EXPERIMENT) as (client, experiment_id):
            run_id = client.create_run(experiment_id).info.run_id
        return promotion.PromotionEval(candidate, incumbent, 0.36, 0.19, 40, {"one-sentence": {}}, run_id)

    monkeypatch.setattr(promotion, "_evaluate", evaluate)
    client = promotion.registry.client(settings)
    client.create_registered_model(promotion.REGISTERED_MODEL)
    with tracking(settings, "summarization_training") as (_, experiment_id):
        run_id = client.create_run(experiment_id).info.run_id
    for _ in range(2):
        client.create_model_version(promotion.REGISTERED_MODEL, f"runs:/{run_id}/model", run_id=run_id)
    info = DatasetInfo(version="d1", path=settings.home / "datasets" / "d1", counts={}, by_source_style={})

    assert promotion.evaluate_candidate(settings, info, "1").incumbent == "base"
    promotion.registry.promote(settings, "1", 0.36, "base", 0.19)
    reused = promotion.evaluate_candidate(settings, info, "1")
    assert generated == [("1", "base")] and reused.incumbent == "base" and reused.candidate_rougeL == 0.36
    promotion.evaluate_candidate(settings, info, "2")
    promotion.registry.promote(settings, "2", 0.40, "1", 0.36)
    promotion.evaluate_candidate(settings, info, "1")  # champion 2 is a new incumbent for version 1
    assert generated == [("1", "base"), ("2", "1"), ("1", "2")]


def test_experiments_keep_artifacts_under_the_home(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    use_experiment(settings, "artifacts_test")
    with mlflow.start_run() as run:
        mlflow.log_text("weights", "model/weights.txt")
    with tracking(settings, "artifacts_eval_test") as (client, experiment_id):
        location = client.get_experiment(experiment_id).artifact_location
    assert not (cwd / "mlruns").exists()
    stored = settings.home.resolve() / "mlflow-artifacts" / "artifacts_test" / run.info.run_id / "artifacts"
    assert (stored / "model" / "weights.txt").read_text() == "weights"
    assert location == (settings.home.resolve() / "mlflow-artifacts" / "artifacts_eval_test").as_uri()


def test_dataset_rebuilt_only_when_documents_change(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """No teacher and no seed here: the build is quick, the count of builds is what is checked."""
    import shutil

    from dataset_fixtures import tiny_documents
    from note_pages import note_page

    from secondbrain_core.dataset import build
    from secondbrain_core.sources.notion_blocks import render_properties
    from secondbrain_core.stores.mongo import open_database
    from secondbrain_core.stores.page_store import PageStore

    settings = settings.model_copy(update={"dataset_seed_limit": 0, "dataset_teacher_notes": 0})
    store = PageStore(open_database(settings))

    def store_notes(extra: str = "") -> None:
        store.upsert(
            [
                note_page(
                    d.doc_id, "sample", d.title, f"{render_properties({'Summary': d.summary})}\n\n{d.text}{extra}"
                )
                for d in tiny_documents()
            ]
        )

    builds = []
    real_build = build.build_dataset
    monkeypatch.setattr(build, "build_dataset", lambda *args: builds.append(1) or real_build(*args))
    store_notes()
    first = build.build_configured_dataset(settings)
    assert build.build_configured_dataset(settings) == first and len(builds) == 1
    store_notes(" An edited sentence.")
    edited = build.build_configured_dataset(settings)
    assert len(builds) == 2 and edited.version != first.version
    shutil.rmtree(edited.path)  # a stored result whose dataset folder is gone is rebuilt
    assert build.build_configured_dataset(settings).path.is_dir() and len(builds) == 3


def test_dev_set_key_follows_the_index_content_not_its_build_time(
    settings: Settings,
    tiny_dev_set: dict[str, str],  # noqa: F811
) -> None:
    from datetime import UTC, datetime

    from secondbrain_core.evals.dev_set import evaluation_key, sample_pages
    from secondbrain_core.rag.manifest import read_manifest, write_manifest
    from secondbrain_core.rag.pipeline import build_chunks, sync_index

    folder, spec = Path(tiny_dev_set["dev_set_dir"]), tiny_dev_set["corpus_source"]
    temp_index = evaluation_key(settings, folder, spec)
    sync_index(build_chunks(sample_pages(settings, spec), settings), settings)
    indexed = evaluation_key(settings, folder, spec)
    assert indexed != temp_index  # now scored on the materialized index
    manifest = read_manifest(settings)
    assert manifest is not None
    write_manifest(settings, manifest.model_copy(update={"built_at": datetime.now(UTC)}))
    assert evaluation_key(settings, folder, spec) == indexed  # rebuilt, same chunks: reused
    write_manifest(settings, manifest.model_copy(update={"source_versions": {spec: "other chunk ids"}}))
    assert evaluation_key(settings, folder, spec) != indexed
