"""The agent dev set scored end to end: right page, fact in answer, declines, citations, latency.

Questions (`benchmarks/agent/questions.jsonl`, written by reading the sample KB) are split
into a tune half and a test half by a hash of their id; what the local program lets us choose
(the evidence threshold, k, the passage budget) is chosen on the tune half only
(`benchmarks/agent.py`) and reported on the test half. The `agent_eval` asset scores every
question with the configured settings and gates on the last accepted run.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_core.agent import metrics
from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.agent.evidence import answer_words
from secondbrain_core.agent.metrics import DevQuestion
from secondbrain_core.agent.types import Answer, Turn
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.evals.lines import read_lines
from secondbrain_core.settings import REPO_ROOT, SAMPLE_SOURCE, Settings

AGENT_SET = REPO_ROOT / "benchmarks" / "agent" / "questions.jsonl"
SPLITS = ("all", "tune", "test")


def load_questions(path: Path = AGENT_SET) -> list[DevQuestion]:
    """The dev questions; a malformed line is the user's error, named by file and line."""
    from pydantic import ValidationError

    questions = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            questions.append(DevQuestion.model_validate_json(line))
        except ValidationError as exc:
            raise SecondBrainError(f"{path} line {number}: not an agent question: {exc.errors()[0]['msg']}") from None
    return questions


def split_of(question_id: str) -> str:
    """tune or test, fixed by the id alone (sha256's first byte even → tune)."""
    return "tune" if hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0 else "test"


def select(questions: Iterable[DevQuestion], split: str) -> list[DevQuestion]:
    if split not in SPLITS:
        raise SecondBrainError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    return [q for q in questions if split == "all" or split_of(q.id) == split]


def dataset_version(path: Path = AGENT_SET) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@dataclass
class Outcome:
    """One question's answer and its judgement."""

    question: DevQuestion
    answer: Answer
    seconds: float
    page_hit: bool
    fact: bool
    declined: bool
    invalid_citations: int
    words: int


@dataclass
class AgentReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        answerable = [o for o in self.outcomes if o.question.answerable]
        unanswerable = [o for o in self.outcomes if not o.question.answerable]
        latencies = sorted(o.seconds for o in self.outcomes)
        return {
            "page_in_top3": _share(o.page_hit for o in answerable),
            "fact_in_answer": _share(o.fact for o in answerable),
            "page_and_fact": _share(o.page_hit and o.fact for o in answerable),
            "answered": _share(not o.declined for o in answerable),
            "unanswerable_declined": _share(o.declined for o in unanswerable),
            "invalid_citations": float(sum(o.invalid_citations for o in self.outcomes)),
            "max_answer_words": float(max((o.words for o in self.outcomes), default=0)),
            "latency_p50_s": _percentile(latencies, 0.50),
            "latency_p95_s": _percentile(latencies, 0.95),
            "answerable": float(len(answerable)),
            "unanswerable": float(len(unanswerable)),
        }

    def as_text(self) -> str:
        return "\n".join(f"{name:>22}: {value:.4f}" for name, value in self.metrics().items())


def _share(values: Iterable[bool]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[round(q * 100) - 1]


def judge(question: DevQuestion, answer: Answer, seconds: float, page_text: Callable[[str], str | None]) -> Outcome:
    return Outcome(
        question=question,
        answer=answer,
        seconds=seconds,
        page_hit=metrics.page_hit(question, answer),
        fact=metrics.fact_found(question, answer),
        declined=metrics.declined(answer),
        invalid_citations=metrics.invalid_citations(answer, page_text),
        words=answer_words(answer.answer),
    )


def evaluate_agent(
    assistant: Assistant, questions: list[DevQuestion], page_text: Callable[[str], str | None]
) -> AgentReport:
    """Ask every question (follow-ups with their history) and judge each answer."""
    report = AgentReport()
    for question in questions:
        history = [Turn.model_validate(turn) for turn in question.history]
        started = time.perf_counter()
        answer = assistant.ask(question.question, history)
        report.outcomes.append(judge(question, answer, time.perf_counter() - started, page_text))
    return report


@dataclass
class AgentEvaluation:
    report: AgentReport
    version: str
    target: str  # "materialized index" or "temp index of the dev corpus"
    optimization: object | None = None  # agent.optimize.Optimization when the tool agent was compiled


def evaluate_dev_set(
    settings: Settings, path: Path = AGENT_SET, spec: str = SAMPLE_SOURCE, split: str = "all"
) -> AgentEvaluation:
    """Ask the dev questions on the user's index when it holds exactly the sample KB, else on
    the sample KB indexed in a temp home with the same settings (as `retrieval_eval` does)."""
    from secondbrain_core.evals.dev_set import holds_exactly, sample_pages

    questions = select(load_questions(path), split)
    pages = sample_pages(settings, spec)
    page_text = {p.id: p.markdown for p in pages}.get
    quiet = settings.model_copy(update={"agent_tracing": False})  # one MLflow run, not 160 traces
    if holds_exactly(settings, pages, spec):
        assistant = Assistant(quiet)
        optimization = _optimize(assistant, load_questions(path))
        report = evaluate_agent(assistant, questions, page_text)
        return AgentEvaluation(report, dataset_version(path), "materialized index", optimization)
    from secondbrain_core.evals.retrieval import eval_settings
    from secondbrain_core.rag.pipeline import build_chunks, sync_index
    from secondbrain_core.stores.local_mongo import temporary_home

    with temporary_home(prefix="secondbrain-agent-eval-") as home:
        local = eval_settings(quiet, home)
        sync_index(build_chunks(pages, local), local)
        assistant = Assistant(local)
        optimization = _optimize(assistant, load_questions(path))
        report = evaluate_agent(assistant, questions, page_text)
    return AgentEvaluation(report, dataset_version(path), "temp index of the dev corpus", optimization)


def evaluation_key(settings: Settings, path: Path = AGENT_SET, spec: str = SAMPLE_SOURCE, split: str = "all") -> str:
    """The content key of `evaluate_dev_set` with these arguments (`incremental.py`): the
    questions, the index or pages, and the champion summarizer (the answer's lead line)."""
    from secondbrain_core.evals.dev_set import index_inputs, sample_pages
    from secondbrain_core.incremental import input_key
    from secondbrain_core.training.registry import champion_version

    inputs = index_inputs(settings, sample_pages(settings, spec), spec)
    return input_key(
        settings,
        evaluation="agent",
        questions=dataset_version(path),
        split=split,
        champion=champion_version(settings),
        **inputs,
    )


def _optimize(assistant: Assistant, questions: list[DevQuestion]):
    """With a capable model: compile the tool agent on the tune half (saved, then loaded by
    every later answer, the evaluation's included); None on the local path."""
    from secondbrain_core.agent.assistant import uses_tools

    if not (uses_tools(assistant.settings) and assistant.settings.agent_optimize):
        return None
    from secondbrain_core.agent.optimize import optimize_tool_agent

    return optimize_tool_agent(assistant, select(questions, "tune"))


EXPERIMENT = "agent_eval"
GATE_METRIC = "page_and_fact"
TOLERANCE = 0.03


def log_report(evaluation: AgentEvaluation, settings: Settings) -> str:
    """One MLflow run in `agent_eval`: the agent settings as params, every metric; its run id."""
    from secondbrain_core.evals.tracking import tracking

    params = {name: getattr(settings, name) for name in type(settings).model_fields if name.startswith("agent_")}
    params |= {"embedder": settings.embedder, "hybrid_fusion": settings.hybrid_fusion}
    with tracking(settings, EXPERIMENT) as (client, experiment_id):
        tags = {"dev_set": evaluation.version, "target": evaluation.target}
        run_id = client.create_run(experiment_id, tags=tags).info.run_id
        for key, value in params.items():
            client.log_param(run_id, key, value)
        for key, value in evaluation.report.metrics().items():
            client.log_metric(run_id, key, value)
        if evaluation.optimization is not None:
            client.log_metric(run_id, "optimization_tune_before", evaluation.optimization.before)
            client.log_metric(run_id, "optimization_tune_after", evaluation.optimization.after)
            client.log_param(run_id, "compiled_program", str(evaluation.optimization.path))
        client.set_terminated(run_id)
    return run_id
