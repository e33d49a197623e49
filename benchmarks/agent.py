"""The assistant's targets, measured: choose on the tune half, report on the test half.

    .venv/bin/python benchmarks/agent.py [--home DIR] [--cli-runs 10] [--skip-lead]

Needs an index of the sample KB under --home (default: `benchmarks/.cache/agent-home`, built
here on first use, ~3 min on 2 cores). The rule, fixed before any test-half number was seen:
1. For each candidate (k, lexical weight, answer-shape bonus) on the tune half, the decline rule
   (threshold, and the support lost per share of question terms no note contains) is the one
   with the best page-and-fact rate among those that decline at least 90 % of the tune half's
   unanswerable questions (the target is 80 %; the margin is for notes the rule was not fitted
   on); ties: more declines, the smaller penalty, the lower threshold. (Until 2026-12-02 the
   rule was the best balanced accuracy, which bought declines beyond the target with answers.)
   The candidate with the highest page-and-fact rate at its rule wins (ties: more declines,
   then the earlier candidate).
   Since 2026-12-02 (after a check on other notes found the pgnotes-fitted rule refusing a third
   of the Django FAQ's answerable questions) the decline rule of the winner is then chosen anew
   by its worst case over domains: the pgnotes tune half and, given `--cross`, the tune halves of
   other judged note sets (each with the agent set's questions as out-of-domain unanswerables).
   Among (support lexical weight, threshold, penalty) that decline >= 90 % of every domain's
   unanswerable questions, the highest minimum over domains of the answered-with-the-right-page
   rate wins (ties: pgnotes page-and-fact, more declines, smaller penalty, lower threshold).
   Since 2026-12-06 (a personal-notes set written blind to the system, `benchmarks/agent/personal/`,
   where near-miss questions such as "what's my GP's email?" were answered): that set is a domain
   too (`--personal`), and the rule is the highest *mean* over domains of the answered-with-the-
   right-page rate among rules declining >= 85 % of every domain's unanswerable questions (ties:
   the higher worst case, pgnotes page-and-fact, smaller penalty, lower threshold). The worst case
   alone was pinned by one retrieval-bound domain (debian-tags), and a 90 % floor on 12 questions
   left less than one question of margin.
   Since 2026-12-06 (a second personal set written blind, `benchmarks/agent/personal2/`, whose
   near misses sit above most answerable questions' support at every threshold, so a floor per
   domain of 12 such questions bought one decline with a third of the answers): the floor is
   >= 85 % of the near-miss questions pooled over the sets written for their notes (pgnotes and
   the personal sets, `NEAR_MISS_DOMAINS`) and >= 90 % of each other domain's (questions about
   other notes); then the highest mean right-page rate, ties as above.
2. The small model's lead sentence is adopted only if it does not lower page-and-fact on the
   tune half.
3. The test half is scored once with the winner; latency is measured there in-process (warm,
   no caches) and from cold CLI processes (`secondbrain ask --json`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from secondbrain_core.agent import evidence as ev  # noqa: E402
from secondbrain_core.agent.assistant import Assistant  # noqa: E402
from secondbrain_core.evals.agent import AgentReport, evaluate_agent, load_questions, select  # noqa: E402
from secondbrain_core.evals.dev_set import sample_pages  # noqa: E402
from secondbrain_core.rag.embedders import embedder_for  # noqa: E402
from secondbrain_core.rag.manifest import read_manifest  # noqa: E402
from secondbrain_core.rag.search import Retriever  # noqa: E402
from secondbrain_core.settings import SAMPLE_SOURCE, Settings  # noqa: E402

GRID = {"k": (4, 6, 10), "lexical_weight": (0.3, 0.5, 0.7), "answer_type_bonus": (0.0, 0.1)}
THRESHOLDS = np.round(np.arange(0.20, 0.80, 0.01), 2)
PENALTIES = (0.0, 0.1, 0.2, 0.3, 0.4)
SUPPORT_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
MIN_DECLINED = 0.90
NEAR_MISS_MIN_DECLINED = 0.85  # pooled over the domains whose unanswerable questions were written for their notes
PERSONAL_SETS = (REPO / "benchmarks" / "agent" / "personal", REPO / "benchmarks" / "agent" / "personal2")


class CachedRetriever:
    """The index searched once per distinct query (the grid re-asks the same questions)."""

    def __init__(self, retriever: Retriever) -> None:
        self._retriever = retriever
        self._hits: dict[str, list] = {}

    def __getattr__(self, name: str):
        return getattr(self._retriever, name)

    def search(self, query: str, **kwargs):
        key = json.dumps([query, {k: str(v) for k, v in kwargs.items()}], sort_keys=True)
        if key not in self._hits:
            self._hits[key] = self._retriever.search(query, **kwargs)
        return self._hits[key]


class CachedEmbedder:
    """Each sentence embedded once across the grid."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.name = embedder.name
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def embed_query(self, text: str) -> np.ndarray:
        if ("q", text) not in self._vectors:
            self._vectors["q", text] = self._embedder.embed_query(text)
        return self._vectors["q", text]

    def embed_short(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if ("d", t) not in self._vectors]
        if missing:
            for text, vector in zip(missing, self._embedder.embed_short(missing), strict=True):
                self._vectors["d", text] = vector
        return np.stack([self._vectors["d", t] for t in texts])


def _select_detail(outcome, name: str) -> float:
    detail = next(s.detail for s in outcome.answer.steps if s.name == "select")
    return float(detail.split(f"{name} ")[1].split(" ")[0].rstrip(","))


def support_of(outcome, penalty: float = 0.0, weight: float | None = None) -> float:
    """The answer's recorded support (run with no penalty) as it would be with `penalty`, and with
    `weight` on term coverage against embedding similarity when given; an answer that lacks the
    form its question asks for (an email address, ...), or whose question names what no note
    holds or tells the assistant to drop its instructions, is declined whatever its support, and
    one whose question names a note by its title (or picks it among notes titled alike) is
    answered from it whatever its support."""
    if "; lacks the " in next(s.detail for s in outcome.answer.steps if s.name == "select"):
        return float("-inf")
    if any(s.name in ("unheard", "instruction") for s in outcome.answer.steps):
        return float("-inf")
    # answered from the note it names, by its title or among notes titled alike, as the program does
    if any(s.name in ("named", "alike") for s in outcome.answer.steps):
        return float("inf")
    if weight is None:
        bare = _select_detail(outcome, "support")
    else:
        bare = weight * _select_detail(outcome, "coverage") + (1 - weight) * _select_detail(outcome, "similarity")
    return bare - penalty * _select_detail(outcome, "unknown")


def at_threshold(report, threshold: float, penalty: float = 0.0, weight: float | None = None) -> dict[str, float]:
    """The report's rates had the program declined below `threshold` (support is recorded per answer)."""
    answerable = [o for o in report.outcomes if o.question.answerable]
    unanswerable = [o for o in report.outcomes if not o.question.answerable]
    kept = [support_of(o, penalty, weight) >= threshold for o in answerable]
    declined = [support_of(o, penalty, weight) < threshold for o in unanswerable]
    return {
        "answered": float(np.mean(kept)),
        "unanswerable_declined": float(np.mean(declined)),
        "page_in_top3": float(np.mean([k and o.page_hit for k, o in zip(kept, answerable, strict=True)])),
        "fact_in_answer": float(np.mean([k and o.fact for k, o in zip(kept, answerable, strict=True)])),
        "page_and_fact": float(np.mean([k and o.page_hit and o.fact for k, o in zip(kept, answerable, strict=True)])),
    }


def cross_report(folder: Path, half: str, cache: Path, k: int, params: ev.SelectionParams) -> SimpleNamespace:
    """Another judged note set (BEIR layout: corpus/, queries.jsonl, qrels-<half>.tsv) asked through
    the assistant: its queries are answerable (right page = a judged page in the top-3 sources,
    no fact regex); the agent set's questions of the same half without history are out of its
    domain (so the test rows' declines are of questions the rule was not chosen on)."""
    from secondbrain_core.evals.beir import load_beir
    from secondbrain_core.evals.retrieval import corpus_pages
    from secondbrain_core.rag.pipeline import build_chunks, sync_index

    data = load_beir(folder / "corpus", folder / "queries.jsonl", folder / f"qrels-{half}.tsv")
    source = f"eval:{folder.name}"
    settings = Settings(
        home=cache / f"agent-cross-{folder.name}",
        sources=source,
        agent_tracing=False,
        agent_evidence_threshold=0.0,
        agent_k=k,
        agent_lead=False,
    )
    if read_manifest(settings) is None:
        print(f"indexing {folder.name} under {settings.home} ...", file=sys.stderr)
        sync_index(build_chunks(corpus_pages(data, source), settings), settings)
    assistant = Assistant(settings, params=params)
    outcomes = []
    for query_id, judged in data.qrels.items():
        answer = assistant.ask(data.queries[query_id])
        hit = any(s.page_id in judged for s in answer.sources[:3])
        asked = SimpleNamespace(answerable=True)
        outcomes.append(SimpleNamespace(question=asked, answer=answer, page_hit=hit, fact=False))
    elsewhere = SimpleNamespace(answerable=False)  # every agent-set question is out of this set's domain
    for question in select(load_questions(), half):
        if not question.history:
            answer = assistant.ask(question.question)
            outcomes.append(SimpleNamespace(question=elsewhere, answer=answer, page_hit=False, fact=False))
    return SimpleNamespace(outcomes=outcomes)


def personal_report(folder: Path, half: str, k: int, params: ev.SelectionParams) -> AgentReport:
    """The personal-notes set (a Notion export and its questions, fact regexes included) ingested,
    indexed and asked through the product's own path in a throw-away home."""
    from secondbrain_core.ingest import ingest_all
    from secondbrain_core.rag.pipeline import index_store
    from secondbrain_core.stores.local_mongo import temporary_home
    from secondbrain_core.stores.mongo import open_database
    from secondbrain_core.stores.page_store import PageStore

    with temporary_home(prefix="sb-personal-") as home:
        settings = Settings(
            home=home,
            sources=f"notion-export:{folder / 'export'}",
            agent_tracing=False,
            agent_evidence_threshold=0.0,
            agent_k=k,
            agent_lead=False,
        )
        ingest_all(settings)
        index_store(settings)
        texts = {p.id: f"{p.title}\n{p.markdown}" for p in PageStore(open_database(settings)).live_pages()}
        questions = select(load_questions(folder / "questions.jsonl"), half)
        return evaluate_agent(Assistant(settings, params=params), questions, texts.get)


def decline_rule(reports: dict[str, object]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(weight, threshold, penalty) with the best mean over domains (module docstring, 1)."""
    near_miss = [name for name in reports if name == "pgnotes" or name.startswith("personal")]
    rules = []
    best_pooled = 0.0
    for weight, (p_index, penalty), (t_index, threshold) in itertools.product(
        SUPPORT_WEIGHTS, enumerate(PENALTIES), enumerate(THRESHOLDS)
    ):
        rates = {name: at_threshold(r, float(threshold), penalty, weight) for name, r in reports.items()}
        pooled = [
            support_of(o, penalty, weight) < threshold
            for name in near_miss
            for o in reports[name].outcomes
            if not o.question.answerable
        ]
        best_pooled = max(best_pooled, float(np.mean(pooled)))
        if float(np.mean(pooled)) < NEAR_MISS_MIN_DECLINED - 1e-9 or any(
            rates[name]["unanswerable_declined"] < MIN_DECLINED - 1e-9 for name in reports if name not in near_miss
        ):
            continue
        pages = [r["page_in_top3"] for r in rates.values()]
        key = (
            round(statistics.mean(pages), 6),
            round(min(pages), 6),
            round(rates["pgnotes"]["page_and_fact"], 6),
            -p_index,
            -t_index,
        )
        rule = {"support_lexical_weight": weight, "threshold": float(threshold), "unknown_penalty": penalty}
        rules.append((key, rule, rates))
    if not rules:  # three blind personal sets' near misses pooled reach 0.845 at best (RESULTS.md)
        raise SystemExit(
            f"no decline rule declines {NEAR_MISS_MIN_DECLINED:.0%} of the near misses pooled over {near_miss} "
            f"and {MIN_DECLINED:.0%} of every other domain's (best pooled: {best_pooled:.3f})"
        )
    _, rule, rates = max(rules, key=lambda r: r[0])
    return rule, rates


def calibrate(report: AgentReport) -> tuple[float, float, dict[str, float]]:
    """The (threshold, penalty) of the rule in the module docstring."""
    rules = []
    for p_index, penalty in enumerate(PENALTIES):
        for t_index, threshold in enumerate(THRESHOLDS):
            rates = at_threshold(report, float(threshold), penalty)
            rules.append((float(threshold), penalty, rates, (-p_index, -t_index)))
    enough = [r for r in rules if r[2]["unanswerable_declined"] >= MIN_DECLINED - 1e-9]
    best = max(enough, key=lambda r: (round(r[2]["page_and_fact"], 6), round(r[2]["unanswerable_declined"], 6), r[3]))
    return best[0], best[1], best[2]


def ensure_index(home: Path) -> Settings:
    settings = Settings(home=home, sources=SAMPLE_SOURCE, agent_tracing=False)
    manifest = read_manifest(settings)
    if manifest is None or set(manifest.source_versions) != {SAMPLE_SOURCE}:
        from secondbrain_core.rag.pipeline import build_chunks, sync_index

        print(f"indexing the sample KB under {home} ...", file=sys.stderr)
        sync_index(build_chunks(sample_pages(settings), settings), settings)
    return settings


def cli_latency(home: Path, questions: list[str]) -> list[float]:
    """Wall seconds of `secondbrain ask --json` from a cold process, one per question."""
    env = {**os.environ, "SECONDBRAIN_HOME": str(home), "SECONDBRAIN_SOURCES": SAMPLE_SOURCE}
    seconds = []
    for question in questions:
        started = time.perf_counter()
        subprocess.run(
            [str(REPO / ".venv" / "bin" / "secondbrain"), "ask", question, "--json"],
            env=env,
            check=True,
            capture_output=True,
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=REPO / "benchmarks" / ".cache" / "agent-home")
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument("--skip-lead", action="store_true", help="do not try the small model's lead sentence")
    parser.add_argument("--cross", type=Path, nargs="*", default=[], help="other judged note sets (BEIR layout)")
    parser.add_argument("--personal", type=Path, nargs="*", default=list(PERSONAL_SETS), help="personal-notes sets")
    args = parser.parse_args()
    settings = ensure_index(args.home.resolve())
    pages = {p.id: p.markdown for p in sample_pages(settings)}
    questions = load_questions()
    tune, test = select(questions, "tune"), select(questions, "test")
    retriever = CachedRetriever(Retriever(settings))
    embedder = CachedEmbedder(embedder_for(settings))
    open_door = settings.model_copy(update={"agent_evidence_threshold": 0.0})  # decide declines afterwards

    def run(candidate: dict, subset, lead: bool = False) -> AgentReport:
        local = open_door.model_copy(update={"agent_k": candidate["k"], "agent_lead": lead})
        params = ev.SelectionParams(
            budget_words=local.agent_answer_words,
            lexical_weight=candidate["lexical_weight"],
            answer_type_bonus=candidate["answer_type_bonus"],
            unknown_penalty=0.0,  # support recorded bare; calibrate() applies each penalty afterwards
        )
        return evaluate_agent(Assistant(local, retriever, params=params, embedder=embedder), subset, pages.get)

    rows, tune_reports = [], []
    for values in itertools.product(*GRID.values()):
        candidate = dict(zip(GRID, values, strict=True))
        tune_reports.append(run(candidate, tune))
        threshold, penalty, rates = calibrate(tune_reports[-1])
        rows.append({**candidate, "threshold": threshold, "unknown_penalty": penalty, **rates})
        print(json.dumps(rows[-1]), file=sys.stderr)
    best = max(
        range(len(rows)), key=lambda i: (round(rows[i]["page_and_fact"], 6), round(rows[i]["unanswerable_declined"], 6))
    )
    winner = rows[best]
    chosen = {name: winner[name] for name in GRID}
    bare = ev.SelectionParams(
        budget_words=settings.agent_answer_words,
        lexical_weight=chosen["lexical_weight"],
        answer_type_bonus=chosen["answer_type_bonus"],
        unknown_penalty=0.0,
    )
    cache = args.home.resolve().parent
    domains = {"pgnotes": tune_reports[best]}
    domains.update({f.name: personal_report(f.resolve(), "tune", chosen["k"], bare) for f in args.personal})
    domains.update({f.name: cross_report(f.resolve(), "tune", cache, chosen["k"], bare) for f in args.cross})
    decline, domain_rates = decline_rule(domains)
    winner.update(threshold=decline["threshold"], unknown_penalty=decline["unknown_penalty"])
    lead_row = None
    if not args.skip_lead:
        lead_report = run(chosen, tune, lead=True)
        rule = (winner["threshold"], winner["unknown_penalty"], decline["support_lexical_weight"])
        lead_row = {"threshold": winner["threshold"], **at_threshold(lead_report, *rule)}
        lead_row["seconds_per_question"] = statistics.mean(o.seconds for o in lead_report.outcomes)
    use_lead = lead_row is not None and lead_row["page_and_fact"] >= winner["page_and_fact"]

    final = settings.model_copy(
        update={"agent_k": chosen["k"], "agent_evidence_threshold": winner["threshold"], "agent_lead": use_lead}
    )
    params = ev.SelectionParams(
        budget_words=final.agent_answer_words,
        lexical_weight=chosen["lexical_weight"],
        answer_type_bonus=chosen["answer_type_bonus"],
        unknown_penalty=winner["unknown_penalty"],
        support_lexical_weight=decline["support_lexical_weight"],
    )
    held_out = {
        folder.name: at_threshold(
            personal_report(folder.resolve(), "test", chosen["k"], bare),
            decline["threshold"],
            decline["unknown_penalty"],
            decline["support_lexical_weight"],
        )
        for folder in args.personal
    }
    for folder in args.cross:
        report_cross = cross_report(folder.resolve(), "test", cache, chosen["k"], bare)
        held_out[folder.name] = at_threshold(
            report_cross, decline["threshold"], decline["unknown_penalty"], decline["support_lexical_weight"]
        )
    fresh = Assistant(final, params=params)  # no caches: the latency a user sees in a warm process
    fresh.ask(test[0].question)  # warm-up (loads the query encoder)
    report = evaluate_agent(fresh, test, pages.get)
    steps: dict[str, float] = {}
    for outcome in report.outcomes:
        for step in outcome.answer.steps:
            steps[step.name] = steps.get(step.name, 0.0) + step.seconds
    cli = cli_latency(args.home.resolve(), [q.question for q in test[: args.cli_runs]]) if args.cli_runs else []
    result = {
        "rule": "candidate: best page_and_fact on the pgnotes tune half at its own decline rule; then the "
        "decline rule by its worst case over the domains' tune halves (module docstring)",
        "chosen": {**chosen, **decline, "lead": use_lead},
        "tune_grid": rows,
        "tune_domains": domain_rates,
        "cross_test": held_out,
        "tune_lead": lead_row,
        "test": report.metrics(),
        "test_questions": len(test),
        "seconds_by_step": {k: round(v, 2) for k, v in steps.items()},
        "cli_seconds": {"p50": statistics.median(cli), "p95": p95(cli), "runs": len(cli)} if cli else None,
        "machine": f"{os.cpu_count()} cores",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
