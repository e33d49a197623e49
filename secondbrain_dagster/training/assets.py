"""`summarization_dataset`, `tuned_model` and `summarization_eval`: distill, fine-tune, evaluate.

Library imports sit in the asset bodies: torch, peft and ROUGE load when a run needs them,
not with the definitions. Training is not re-run on every note edit: the dataset is rebuilt when missing and weekly
(`TRAINING_CRON`; change the conditions below to taste), and `tuned_model` trains only when the
dataset's content version differs from the one the newest registered model was trained on.
"""

from datetime import timedelta

import dagster as dg

from secondbrain_core.dataset.store import latest_dataset
from secondbrain_core.training import registry
from secondbrain_dagster.policies import ML_OWNERS, NETWORK_RETRY
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.scale import MODEL_POD, TRAINING_POD

TRAINING_CRON = "0 3 * * 0"  # Sundays 03:00: the dataset (and so a new model) at most weekly
DATASET_WHEN = (dg.AutomationCondition.on_missing() | dg.AutomationCondition.on_cron(TRAINING_CRON)).with_label(
    "missing_or_weekly"
)
AFTER_DATASET = (
    dg.AutomationCondition.on_missing()
    | (dg.AutomationCondition.any_deps_updated() & dg.AutomationCondition.all_deps_blocking_checks_passed())
).with_label("after_new_dataset")
WEEKLY_FRESH = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=15), warn_window=timedelta(days=8))
CANDIDATE_VERSION = "candidate_version"  # metadata keys the promotion check reads
CANDIDATE_SCORE, INCUMBENT, INCUMBENT_SCORE = "candidate_rougeL", "incumbent", "incumbent_rougeL"


@dg.asset(
    group_name="training",
    kinds={"huggingface", "python"},
    owners=ML_OWNERS,
    deps=[dg.AssetKey("finetune_documents")],
    retry_policy=NETWORK_RETRY,  # the teacher may be a remote LLM, the push goes to the Hub
    automation_condition=DATASET_WHEN,
    freshness_policy=WEEKLY_FRESH,
)
def summarization_dataset(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """Instruction/summary pairs for every note in each style (one-sentence, key-points,
    answer-focused), plus public seed pairs (human one-liners of man pages, Python distributions,
    Perl modules: `dataset_seed_mix`); filtered, split by document hash, saved as a
    Hugging Face DatasetDict under `$SECONDBRAIN_HOME/datasets/<version>` with a dataset card.

    A note's own Summary property is its one-sentence pair, and its other styles are composed from
    that summary and the note's opening sentences; the teacher (an OpenAI-compatible LLM when
    configured; offline the base model only when asked) writes pairs for notes without a summary.
    The version is a content hash.
    """
    from secondbrain_core.dataset.build import build_configured_dataset  # torch and ROUGE load only when run

    settings = sb.get()
    info = build_configured_dataset(settings, lambda done, total: context.log.info(f"notes {done}/{total}"))
    rows = "\n".join(f"| {k} | {v} |" for k, v in info.by_source_style.items())
    return dg.MaterializeResult(
        metadata={
            "version": info.version,
            "path": dg.MetadataValue.path(str(info.path)),
            **{f"{split}_pairs": n for split, n in info.counts.items()},
            **{f"dropped_{name}": n for name, n in info.dropped.items()},
            "teacher": info.teacher or "none (human-written pairs only)",
            "mix": dg.MetadataValue.md("| source/style | pairs |\n|---|---|\n" + rows),
        },
        data_version=dg.DataVersion(info.version),
    )


@dg.asset(
    group_name="training",
    kinds={"pytorch", "mlflow"},
    owners=ML_OWNERS,
    deps=[summarization_dataset],
    automation_condition=AFTER_DATASET,
    freshness_policy=WEEKLY_FRESH,
    op_tags=TRAINING_POD,
)
def tuned_model(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """SmolLM2-135M-Instruct LoRA-tuned on the dataset's train split (validated during training),
    merged, converted to GGUF and registered in MLflow as `summarizer` with its lineage (dataset
    version, base model, git commit). Not retrained when the dataset version has not changed.
    """
    from secondbrain_core.training.run import train_and_register

    settings = sb.get()
    info = latest_dataset(settings)
    existing = registry.version_for_dataset(settings, info.version)
    if existing is not None:
        context.log.info(f"version {existing} was trained on dataset {info.version}: not retrained")
        return dg.MaterializeResult(
            metadata={"registry_version": existing, "dataset_version": info.version, "retrained": False},
            data_version=dg.DataVersion(existing),
        )
    trained = train_and_register(settings, info)
    report = trained.report
    return dg.MaterializeResult(
        metadata={
            "registry_version": trained.version,
            "mlflow_run_id": trained.run_id,
            "dataset_version": info.version,
            "retrained": True,
            "steps": report.steps,
            "train_examples": report.train_examples,
            "final_train_loss": round(report.final_loss, 4),
            "validation_loss": dg.MetadataValue.json(report.validation_loss),
            "seconds_per_step": report.seconds_per_step,
            "tokens_per_second": report.tokens_per_second,
            "peak_memory_mb": report.peak_memory_mb,
            "gguf": trained.gguf,
        },
        data_version=dg.DataVersion(trained.version),
    )


@dg.asset(
    group_name="training",
    kinds={"mlflow", "python"},
    owners=ML_OWNERS,
    deps=[tuned_model],
    automation_condition=AFTER_DATASET,
    freshness_policy=WEEKLY_FRESH,
    op_tags=MODEL_POD,
)
def summarization_eval(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """ROUGE-1/2/L (rouge-score, stemmed) of the newest registered model and of the current
    champion (the base model when none) on the same held-out test pairs, per style; one MLflow
    run in `summarization_eval`. The blocking check `champion_promotion` decides the alias.
    """
    from secondbrain_core.training.promotion import evaluate_candidate

    settings = sb.get()
    info = latest_dataset(settings)
    candidate = registry.latest_version(settings)
    if candidate is None:
        raise dg.Failure("no registered summarizer version: materialize tuned_model first")
    result = evaluate_candidate(settings, info, candidate)
    rows = "\n".join(
        f"| {style} | {v.get('candidate', 0):.4f} | {v.get('incumbent', 0):.4f} |"
        for style, v in result.by_style.items()
    )
    context.log.info(f"candidate {candidate} {result.candidate_rougeL} vs {result.incumbent} {result.incumbent_rougeL}")
    return dg.MaterializeResult(
        metadata={
            CANDIDATE_VERSION: candidate,
            CANDIDATE_SCORE: result.candidate_rougeL,
            INCUMBENT: result.incumbent,
            INCUMBENT_SCORE: result.incumbent_rougeL,
            "test_items": result.items,
            "dataset_version": info.version,
            "mlflow_run_id": result.run_id,
            "by_style": dg.MetadataValue.md("| style | candidate | incumbent |\n|---|---|---|\n" + rows),
        }
    )
