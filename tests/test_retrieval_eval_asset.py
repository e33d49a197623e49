"""`retrieval_eval` and its regression check: a real materialization on the dev set, then a
simulated regression (a worse metric logged as a newer run), which the check must fail."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg
import pytest

from asset_checks.evals import hybrid_ndcg_no_regression
from secondbrain_core.evals.retrieval import RetrievalReport
from secondbrain_core.evals.tracking import GATE_KEY, gate, log_report
from secondbrain_core.settings import Settings
from secondbrain_dagster.evals.assets import MLFLOW_RUN_ID, retrieval_eval
from secondbrain_dagster.resources import SecondBrainSettings


def _report(hybrid_ndcg: float) -> RetrievalReport:
    scores = {"ndcg@10": hybrid_ndcg, "recall@10": 0.9, "recall@100": 1.0, "mrr@10": 0.7}
    return RetrievalReport(
        metrics={"bm25": dict(scores), "hybrid": scores},
        seconds_index=1.0,
        seconds_query=1.0,
        docs=10,
        chunks=20,
        queries=5,
        context_mode="structural",
        embedder="minilm",
    )


def test_gate_accepts_first_then_holds_the_accepted_baseline(settings: Settings) -> None:
    first = gate(log_report(_report(0.70), settings, "v1", "test"), settings)
    assert first.passed and first.baseline is None
    small_drop = gate(log_report(_report(0.69), settings, "v1", "test"), settings)
    assert small_drop.passed and small_drop.baseline == pytest.approx(0.70)
    big_drop = gate(log_report(_report(0.66), settings, "v1", "test"), settings)
    assert not big_drop.passed and big_drop.baseline == pytest.approx(0.69)
    # a failed run never becomes the baseline: the next compares with 0.69 again
    again = gate(log_report(_report(0.665), settings, "v1", "test"), settings)
    assert not again.passed and again.baseline == pytest.approx(0.69)
    # another dev-set version starts its own baseline
    assert gate(log_report(_report(0.30), settings, "v2", "test"), settings).passed


NOTES = {
    "Sourdough starter": "Feed the sourdough starter with rye flour and water every morning.",
    "Bicycle chain": "Clean the bicycle chain with degreaser, then apply chain lubricant.",
    "Orchid care": "Water the orchid weekly and keep it in bright indirect sunlight.",
    "Tax return": "File the income tax return before the April deadline with your receipts.",
}
QUESTIONS = {"Sourdough starter": "what flour feeds my sourdough", "Tax return": "when is the tax return due"}


@pytest.fixture
def tiny_dev_set(tmp_path: Path) -> dict[str, str]:
    """A Notion export of four notes plus judged questions: the asset's config points at it."""
    export, judged = tmp_path / "export", tmp_path / "devset"
    export.mkdir()
    judged.mkdir()
    ids = {title: hashlib.md5(title.encode()).hexdigest() for title in NOTES}
    for title, text in NOTES.items():
        (export / f"{title} {ids[title]}.md").write_text(f"# {title}\n\n{text}\n")
    (judged / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": t, "text": q}) + "\n" for t, q in QUESTIONS.items())
    )
    rows = "".join(f"{t}\t{ids[t]}\t2\n" for t in QUESTIONS)
    (judged / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + rows)
    return {"dev_set_dir": str(judged), "corpus_source": f"notion-export:{export}"}


@pytest.mark.slow
def test_asset_materializes_then_check_fails_on_regression(settings: Settings, tiny_dev_set: dict[str, str]) -> None:
    instance = dg.DagsterInstance.ephemeral()
    resources = {"sb": SecondBrainSettings(home=str(settings.home))}
    assets = [retrieval_eval, hybrid_ndcg_no_regression]
    run_config = {"ops": {"retrieval_eval": {"config": tiny_dev_set}}}

    result = dg.materialize(assets, resources=resources, instance=instance, run_config=run_config)
    assert result.success
    metadata = result.asset_materializations_for_node("retrieval_eval")[0].metadata
    assert metadata["target"].value == "temp index of the dev corpus"  # no index of that source in this home
    assert metadata["queries"].value == 2
    hybrid = metadata["hybrid_ndcg@10"].value
    assert 0.0 < hybrid <= 1.0
    assert "| hybrid |" in metadata["metrics"].value
    check = result.get_asset_check_evaluations()[0]
    assert check.passed and check.metadata[GATE_KEY].value == pytest.approx(hybrid)

    # simulate a regression: the same evaluation, 0.05 worse, recorded as a newer materialization
    first_run = metadata[MLFLOW_RUN_ID].value
    import mlflow

    version = mlflow.MlflowClient(settings.mlflow_tracking_uri).get_run(first_run).data.tags["dev_set"]
    worse_run = log_report(_report(hybrid - 0.05), settings, version, "simulated regression")
    evaluation = check_after(
        instance, dg.AssetMaterialization(asset_key="retrieval_eval", metadata={MLFLOW_RUN_ID: worse_run}),
        assets, resources, hybrid_ndcg_no_regression,
    )  # fmt: skip
    assert not evaluation.passed
    assert evaluation.metadata["baseline"].value == pytest.approx(hybrid)
    assert evaluation.metadata[MLFLOW_RUN_ID].value == worse_run


def check_after(instance, materialization: dg.AssetMaterialization, assets, resources, check):
    """Record `materialization` as the asset's newest (a later run, simulated), then run only `check`."""
    instance.report_runless_asset_event(materialization)
    result = dg.materialize(
        assets,
        resources=resources,
        instance=instance,
        selection=dg.AssetSelection.checks(check),
        raise_on_error=False,
    )
    return result.get_asset_check_evaluations()[0]
