"""`python -m secondbrain_dagster.demo`: the whole graph, materialized into the real instance.

Runs go into the persistent Dagster instance at `$SECONDBRAIN_HOME/dagster` (`DAGSTER_HOME`),
so `dagster dev -w workspace.yaml` shows them afterwards. The graph is read from the merged
`secondbrain_dagster.definitions.defs`, never listed here: an asset another domain adds is
materialized too. Assets run in dependency order, in stages that share one partitioning; a
source-partitioned stage runs once per configured source. The demo ends with one question,
answered by the assistant (`secondbrain_core.agent`) over the index the run built.
"""

import argparse
import contextlib
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import SAMPLE_SOURCE, Settings
from secondbrain_core.sources.reference_site import ReferenceSite
from secondbrain_dagster.ingest.partitions import SOURCES, configured_partition_keys
from secondbrain_dagster.pools import LOCAL_CONFIG

SAMPLE_QUESTION = "How does autovacuum decide when to vacuum a table?"  # the sample KB is the PostgreSQL manual
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class Stage:
    """Assets that run together: same partitioning, upstreams already materialized."""

    partitions_def: dg.PartitionsDefinition | None
    assets: list[dg.AssetKey] = field(default_factory=list)


@dataclass
class RunSummary:
    """One run of the demo, in the shape `--json` prints."""

    run_id: str
    partition: str | None
    success: bool
    assets: list[str]
    materializations: list[dict]
    checks: list[dict]


def open_instance(settings: Settings) -> dg.DagsterInstance:
    """The persistent instance of this home; `deploy/dagster/local.yaml` becomes its dagster.yaml on first use."""
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(LOCAL_CONFIG.read_text())
    return dg.DagsterInstance.from_config(str(home))


def plan_stages(defs: dg.Definitions, only: Sequence[str] = ()) -> list[Stage]:
    """Split the materializable assets (or just `only`) into the fewest ordered stages of one
    partitioning each.

    Walking keys in topological order, a stage takes every remaining asset with its
    partitioning whose parents are done, in the stage itself, or not to be run at all.
    """
    graph = defs.resolve_asset_graph()
    unknown = sorted(set(only) - {k.to_user_string() for k in graph.materializable_asset_keys})
    if unknown:
        raise SecondBrainError(f"--select names no materializable asset: {', '.join(unknown)}")
    todo = [
        k
        for k in graph.toposorted_asset_keys
        if k in graph.materializable_asset_keys and (not only or k.to_user_string() in only)
    ]
    wanted = set(todo)
    done: set[dg.AssetKey] = set()
    stages: list[Stage] = []
    while todo:
        stage = Stage(graph.get(todo[0]).partitions_def)
        for key in todo:
            ready = all(p in done or p in stage.assets or p not in wanted for p in graph.get(key).parent_keys)
            if ready and graph.get(key).partitions_def == stage.partitions_def:
                stage.assets.append(key)
        done.update(stage.assets)
        todo = [k for k in todo if k not in done]
        stages.append(stage)
    return stages


def register_sources(instance: dg.DagsterInstance, settings: Settings) -> list[str]:
    """Add a `sources` partition for every configured source not registered yet; one bad
    spec registers none (a partition, once added, stays in the instance)."""
    keys = configured_partition_keys(settings)
    missing = [k for k in keys if not instance.has_dynamic_partition(SOURCES.name, k)]
    if missing:
        instance.add_dynamic_partitions(SOURCES.name, missing)
    return keys


def run_stage(
    defs: dg.Definitions, stage: Stage, instance: dg.DagsterInstance, sources: list[str], run_config: dict = QUIET_LOGS
) -> list[RunSummary]:
    job = defs.resolve_implicit_job_def_def_for_assets(stage.assets)
    if stage.partitions_def is None:
        partitions: Sequence[str | None] = [None]
    elif stage.partitions_def == SOURCES:
        partitions = sources
    else:
        partitions = stage.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
    return [
        _summarize(
            job.execute_in_process(
                instance=instance,
                partition_key=key,
                asset_selection=stage.assets,
                run_config=run_config,
                raise_on_error=False,
            ),
            key,
            stage.assets,
        )
        for key in partitions
    ]


def _summarize(result: dg.ExecuteInProcessResult, partition: str | None, assets: list[dg.AssetKey]) -> RunSummary:
    materializations = [
        {
            "asset": event.asset_key.to_user_string(),
            "partition": event.partition,
            "metadata": {
                name: value.value
                for name, value in event.materialization.metadata.items()
                if isinstance(value, dg.IntMetadataValue | dg.FloatMetadataValue)
            },
        }
        for event in result.get_asset_materialization_events()
    ]
    checks = [
        {
            "asset": ev.asset_key.to_user_string(),
            "check": ev.check_name,
            "passed": ev.passed,
            "severity": ev.severity.value,  # a failed WARN check does not stop the graph
        }
        for ev in result.get_asset_check_evaluations()
    ]
    return RunSummary(
        run_id=result.run_id,
        partition=partition,
        success=result.success,
        assets=[k.to_user_string() for k in assets],
        materializations=materializations,
        checks=checks,
    )


def demo_question(settings: Settings) -> str:
    """The sample's question on the sample KB; on a person's own notes, one about their longest
    note (asked of their notes, the PostgreSQL question only showed the assistant declining)."""
    if SAMPLE_SOURCE in settings.source_list:
        return SAMPLE_QUESTION
    from secondbrain_core.rag.pipeline import configured_chunks

    chunks_per_title = Counter(chunk.title.strip() for chunk in configured_chunks(settings) if chunk.title.strip())
    if not chunks_per_title:
        return SAMPLE_QUESTION
    return f"What do my notes say about {chunks_per_title.most_common(1)[0][0]}?"


def ask_demo_question(settings: Settings) -> dict:
    """The assistant's answer to `demo_question` (`ask --json` shape); never fails the demo."""
    from secondbrain_core.agent import ask

    question = demo_question(settings)
    asked: dict = {"question": question}
    try:
        return {**asked, **ask(question, settings).as_json()}
    except SecondBrainError as exc:
        return {**asked, "error": str(exc)}


def failed_assets(stage_runs: list[RunSummary], assets: list[dg.AssetKey]) -> set[dg.AssetKey]:
    """Assets of a stage that did not materialize in every run, or whose blocking check failed:
    what they feed does not run, while the rest of the graph (the index, when training's
    promotion gate refuses a model) still does."""
    failed: set[str] = set()
    for run in stage_runs:
        if not run.success:
            made = {m["asset"] for m in run.materializations}
            failed |= {a for a in run.assets if a not in made}
        failed |= {c["asset"] for c in run.checks if not c["passed"] and c.get("severity") != "WARN"}
    return {k for k in assets if k.to_user_string() in failed}


def _text(summary: dict) -> str:
    lines = [f"Dagster instance: {summary['dagster_home']}", f"Sources: {', '.join(summary['sources'])}", ""]
    for run in summary["runs"]:
        where = f" [{run['partition']}]" if run["partition"] else ""
        lines.append(f"{'ok    ' if run['success'] else 'FAILED'} run {run['run_id'][:8]}{where}")
        for m in run["materializations"]:
            counts = " ".join(f"{k}={v}" for k, v in m["metadata"].items())
            lines.append(f"    {m['asset']}: {counts}")
        for c in run["checks"]:
            verdict = "passed" if c["passed"] else "warning" if c.get("severity") == "WARN" else "FAILED"
            lines.append(f"    check {c['asset']}.{c['check']}: {verdict}")
    if summary["skipped"]:
        lines.append(f"not run (upstream failed): {', '.join(summary['skipped'])}")
    question = summary["question"]
    lines += ["", f"Q: {question['question']}"]
    if "answer" in question:
        lines.append(f"A: {question['answer']}")
        for number, source in enumerate(question["sources"], 1):
            lines.append(f"   [{number}] {source['title']} — {source['url'] or source['page_id']}")
        if question.get("trace_id"):
            lines.append(f"   trace: {question['trace_id']}")
    if "error" in question:
        lines.append(f"   not answered: {question['error']}")
    if summary.get("reference_site"):
        lines.append(f"SQL reference pages the notes link to: {summary['reference_site']}")
    return "\n".join([*lines, "", "Next:", *next_steps(summary["dagster_home"], question["question"])])


def next_steps(dagster_home: str, question: str = SAMPLE_QUESTION) -> list[str]:
    """What to open after the demo: only commands this install has (the chat comes with its app)."""
    steps = [f"  DAGSTER_HOME={dagster_home} dagster dev -w workspace.yaml   # these runs, the asset graph, sensors"]
    if importlib.util.find_spec("secondbrain_core.app.chat") is not None:
        steps.append("  secondbrain chat                                      # ask your notes in the browser")
    steps += [
        f"  secondbrain search {question!r}   # the hybrid index",
        "  secondbrain serve --port 8000                         # the OpenAI-compatible summarizer",
    ]
    return steps


def serve_sample_reference(settings: Settings, stack: contextlib.ExitStack) -> str | None:
    """Serve the SQL reference the sample notes link to (localhost:8765) while the graph runs.

    Only with the sample source configured. A busy port is reported, not fatal: the pages may
    already be served by `python -m secondbrain_core.sources.reference_site`. Returns what
    the summary shows: the base URL, the reason it is not served, or None.
    """
    if SAMPLE_SOURCE not in settings.source_list:
        return None
    try:
        return stack.enter_context(ReferenceSite()).base_url
    except SecondBrainError as exc:
        return f"not served: {exc}"


def demo_run_config(reference: str | None) -> dict:
    """Quiet logs; and, when the demo serves the reference site, its host:port allowed to the
    crawl guard for these runs only (the resource's `crawl_allow_extra`, not the environment)."""
    if not reference or not reference.startswith("http"):
        return QUIET_LOGS
    return {**QUIET_LOGS, "resources": {"sb": {"config": {"crawl_allow_extra": urlsplit(reference).netloc}}}}


def run_demo(settings: Settings, only: Sequence[str] = ()) -> dict:
    """Materialize every asset (or `only` these) for every configured source; the `--json` summary."""
    from secondbrain_dagster.definitions import defs

    instance = open_instance(settings)
    sources = register_sources(instance, settings)
    runs: list[RunSummary] = []
    stages = plan_stages(defs, only)
    graph = defs.resolve_asset_graph()
    stopped: set[dg.AssetKey] = set()  # failed, or behind a failed blocking check, or downstream of those
    skipped: list[str] = []
    with contextlib.ExitStack() as stack:
        reference = serve_sample_reference(settings, stack)
        for stage in stages:
            runnable = [k for k in stage.assets if not stopped & graph.get(k).parent_keys]
            stopped.update(k for k in stage.assets if k not in runnable)
            skipped += [k.to_user_string() for k in stage.assets if k not in runnable]
            if not runnable:
                continue
            stage_runs = run_stage(
                defs, Stage(stage.partitions_def, runnable), instance, sources, demo_run_config(reference)
            )
            runs += stage_runs
            stopped |= failed_assets(stage_runs, runnable)
    return {
        "dagster_home": str(Path(instance.root_directory)),
        "sources": sources,
        "reference_site": reference,
        "runs": [asdict(r) for r in runs],
        "skipped": skipped,
        "success": all(r.success for r in runs) and not skipped,
        "question": ask_demo_question(settings),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m secondbrain_dagster.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the summary of runs as JSON")
    parser.add_argument("--select", default="", help="comma list of asset keys to run instead of the whole graph")
    args = parser.parse_args(argv)
    settings = Settings()
    apply_runtime_env(settings)
    try:
        summary = run_demo(settings, [key.strip() for key in args.select.split(",") if key.strip()])
    except SecondBrainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, default=str) if args.json else _text(summary))
    return 0 if summary["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
