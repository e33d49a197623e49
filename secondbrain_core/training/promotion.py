"""The promotion eval: a new registry version against the current champion (or the base model) on
the same held-out test pairs, in every style, scored with ROUGE; one MLflow run per evaluation.

Both models answer the same records with the same prompts and greedy decoding, so the only
difference between the two scores is the weights. The scores are stored (`incremental.py`):
an unchanged rerun (same candidate, incumbent, dataset, settings and code) reuses them.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

from secondbrain_core.dataset.store import DatasetInfo, load_dataset
from secondbrain_core.evals.summarization import SummaryRecord, evaluate_summarizer
from secondbrain_core.experiments import use_experiment
from secondbrain_core.incremental import RUN_ID, input_key, reuse_or_compute
from secondbrain_core.llm.local import LocalChatModel
from secondbrain_core.llm.models import REGISTERED_MODEL, resolve_model
from secondbrain_core.settings import Settings
from secondbrain_core.training import registry

EXPERIMENT = "summarization_eval"


@dataclass
class PromotionEval:
    candidate: str
    incumbent: str  # a version number, or "base"
    candidate_rougeL: float
    incumbent_rougeL: float
    items: int
    by_style: dict[str, dict[str, float]] = field(default_factory=dict)  # style -> {"candidate", "incumbent"}
    run_id: str = ""


# Offline, the teacher is the base model itself (`dataset/pairs.py`): its greedy answer is its own
# reference, so the base scored ROUGE-L 0.87 against it and no tuned model could ever be promoted.
SELF_TAUGHT = "base-"


def test_records(info: DatasetInfo, limit: int) -> dict[str, list[SummaryRecord]]:
    """Up to `limit` test pairs, the styles interleaved so a small limit still covers each one.

    Pairs whose summary the base model wrote are left out: a model is never scored against
    references it (or the base it was tuned from) produced. Human and remote-teacher pairs stay.
    """
    rows = [row for row in load_dataset(info.path)["test"] if not str(row["teacher"]).startswith(SELF_TAUGHT)]
    by_style: dict[str, list[SummaryRecord]] = {}
    for row in rows:
        record = SummaryRecord(id=row["id"], text=row["text"], summary=row["summary"], question=row["question"] or None)
        by_style.setdefault(row["style"], []).append(record)
    share = max(1, limit // max(len(by_style), 1))
    return {style: records[:share] for style, records in sorted(by_style.items())}


def _client(settings: Settings, version: str) -> LocalChatModel:
    spec = "base" if version == "base" else f"models:/{REGISTERED_MODEL}/{version}"
    return LocalChatModel.from_settings(settings, resolve_model(settings, spec))


def evaluate_candidate(settings: Settings, info: DatasetInfo, candidate: str) -> PromotionEval:
    """ROUGE-L of `candidate` and of the incumbent champion (base when none) on the test split.

    Reused from the last evaluation of the same candidate on the same dataset, settings and code
    when it faced the same incumbent, or when the candidate has since become the champion (that
    comparison still stands: scoring the champion against itself would decide nothing).
    """
    incumbent = registry.champion_version(settings) or "base"
    key = input_key(settings, evaluation=EXPERIMENT, candidate=candidate, dataset=info.version)
    stored, _ = reuse_or_compute(
        settings,
        EXPERIMENT,
        key,
        lambda: _stored(_evaluate(settings, info, candidate, incumbent)),
        lambda result: result["incumbent"] == incumbent or incumbent == candidate,
    )
    fields = {name: value for name, value in stored.result.items() if name != RUN_ID}
    return PromotionEval(**fields)


def _stored(result: PromotionEval) -> dict:
    return {**asdict(result), RUN_ID: result.run_id}


def _evaluate(settings: Settings, info: DatasetInfo, candidate: str, incumbent: str) -> PromotionEval:
    import mlflow

    records = test_records(info, settings.train_eval_items)
    scores: dict[str, list[float]] = {"candidate": [], "incumbent": []}
    by_style: dict[str, dict[str, float]] = {}
    for role, version in (("candidate", candidate), ("incumbent", incumbent)):
        client = _client(settings, version)
        for style, style_records in records.items():
            report = evaluate_summarizer(style_records, client, settings, style)
            scores[role] += report.item_rougeL
            by_style.setdefault(style, {})[role] = report.rougeL
    result = PromotionEval(
        candidate,
        incumbent,
        round(statistics.mean(scores["candidate"]), 4) if scores["candidate"] else 0.0,
        round(statistics.mean(scores["incumbent"]), 4) if scores["incumbent"] else 0.0,
        len(scores["candidate"]),
        by_style,
    )
    registry.client(settings)
    use_experiment(settings, EXPERIMENT)
    with mlflow.start_run(
        tags={"candidate": candidate, "incumbent": incumbent, "dataset_version": info.version}
    ) as run:
        mlflow.log_metrics({"candidate_rougeL": result.candidate_rougeL, "incumbent_rougeL": result.incumbent_rougeL})
        for style, values in by_style.items():
            mlflow.log_metrics({f"{role}_rougeL_{style.replace('-', '_')}": v for role, v in values.items()})
        mlflow.log_param("test_items", result.items)
        result.run_id = run.info.run_id
    return result
