"""`agent_eval` and its blocking check: a real materialization on a small question set, then a
simulated regression and an invalid citation, each of which the check must fail."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest
from test_dagster_ingest import write_export
from test_retrieval_eval_asset import check_after

from asset_checks.evals import agent_quality_no_regression
from secondbrain_core.agent.metrics import DevQuestion
from secondbrain_core.agent.types import Answer, Source
from secondbrain_core.evals.agent import AgentEvaluation, AgentReport, judge, log_report
from secondbrain_core.settings import Settings
from secondbrain_dagster.evals.assets import MLFLOW_RUN_ID, agent_eval
from secondbrain_dagster.resources import SecondBrainSettings

NOTES = {
    "Sourdough": "Feed the sourdough starter with rye flour and water every morning.",
    "Bicycle": "Clean the bicycle chain with degreaser, then apply chain lubricant every 300 km.",
    "Orchid": "Water the orchid once a week and keep it in bright indirect sunlight.",
    "Taxes": "File the income tax return before the April deadline with all receipts.",
}


@pytest.fixture
def tiny_agent_set(tmp_path: Path) -> dict[str, str]:
    spec = write_export(tmp_path / "export", NOTES)
    page = {title: f"{index:032x}" for index, title in enumerate(NOTES)}
    questions = [
        {"id": "a1", "question": "which flour do I feed my starter?", "answerable": True,
         "page_id": page["Sourdough"], "fact": "rye"},
        {"id": "a2", "question": "how often should the orchid get water?", "answerable": True,
         "page_id": page["Orchid"], "fact": "once a week"},
        {"id": "u1", "question": "what is the boiling point of mercury in kelvin?", "answerable": False},
    ]  # fmt: skip
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions))
    return {"questions_file": str(path), "corpus_source": spec}


@pytest.mark.slow
def test_agent_eval_materializes_then_check_blocks_regressions(settings: Settings, tiny_agent_set: dict) -> None:
    instance = dg.DagsterInstance.ephemeral()
    resources = {"sb": SecondBrainSettings(home=str(settings.home))}
    assets = [agent_eval, agent_quality_no_regression]
    run_config = {"ops": {"agent_eval": {"config": tiny_agent_set}}}

    result = dg.materialize(assets, resources=resources, instance=instance, run_config=run_config)
    assert result.success
    metadata = result.asset_materializations_for_node("agent_eval")[0].metadata
    assert metadata["target"].value == "temp index of the dev corpus"
    assert metadata["answerable"].value == 2 and metadata["unanswerable"].value == 1
    assert metadata["page_in_top3"].value == 1.0 and metadata["fact_in_answer"].value == 1.0
    assert metadata["unanswerable_declined"].value == 1.0 and metadata["invalid_citations"].value == 0
    check = result.get_asset_check_evaluations()[0]
    assert check.passed, check.metadata

    import mlflow

    first_run = metadata[MLFLOW_RUN_ID].value
    version = mlflow.MlflowClient(settings.mlflow_tracking_uri).get_run(first_run).data.tags["dev_set"]
    question = DevQuestion(id="a1", question="q", answerable=True, page_id="p", fact="rye")
    wrong = Answer(answer="wheat [1]", found=True, sources=[Source(title="t", url="", page_id="p", chunk_id="c",
                                                                    passage="not in the page")])  # fmt: skip
    worse = AgentEvaluation(AgentReport([judge(question, wrong, 0.1, lambda _: "rye flour")]), version, "simulated")
    simulated = dg.AssetMaterialization(
        asset_key="agent_eval", metadata={MLFLOW_RUN_ID: log_report(worse, settings), "invalid_citations": 1.0}
    )
    evaluation = check_after(instance, simulated, assets, resources, agent_quality_no_regression)
    assert not evaluation.passed
    assert evaluation.metadata["baseline"].value == pytest.approx(1.0)
    assert "invalid citations" in evaluation.metadata["reason"].value
