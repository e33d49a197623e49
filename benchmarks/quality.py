"""How well each quality score agrees with hand labels: heuristic, local LLM judge, their mean.

    nice -n 10 .venv/bin/python benchmarks/quality.py [--no-judge] [--cached-only] [--threshold 0.5] [--retrieval]

The labels (`benchmarks/quality/labels.jsonl`) were written by reading each document: 52 notes
of the sample KB and 18 SQL reference pages (`sample_data/reference/`, converted to Markdown by
the crawl step's own converter). `grade` 0 = no content (link list), 1 = orientation only,
2 = thin but informative, 3 = good; `label` good means grade >= 2 (worth indexing).

Scores are computed as the pipeline computes them: duplication is measured across the whole
sample KB plus the labelled reference pages (one source's batch). Agreement is reported at the
configured threshold (the filter's real decision) and as Spearman rho against the grade. The
judge is the local SmolLM2-135M (slow: seconds per document); its verdicts are cached in
`benchmarks/quality/judge_cache.jsonl` by content hash, prompt version and model, so a rerun
only judges what changed.

`--retrieval` also scores the retrieval dev set (`benchmarks/retrieval/pgnotes`, hybrid) on
three indexes: every note (what the index held before the filter), the notes that pass, and
those plus the linked reference pages that pass (what `chunks` indexes now).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from secondbrain_core.evals.dev_set import sample_pages  # noqa: E402
from secondbrain_core.quality.documents import Document, from_note  # noqa: E402
from secondbrain_core.quality.judge import PROMPT_VERSION, Verdict, judge  # noqa: E402
from secondbrain_core.quality.scoring import combine, heuristic_scores  # noqa: E402
from secondbrain_core.settings import SAMPLE_SOURCE, Settings  # noqa: E402

LABELS = REPO / "benchmarks" / "quality" / "labels.jsonl"
JUDGE_CACHE = REPO / "benchmarks" / "quality" / "judge_cache.jsonl"
REFERENCE = REPO / "sample_data" / "reference"
REFERENCE_URL = "http://localhost:8765/docs/"
MODES = ("heuristic", "judge", "combined")


def reference_documents(settings: Settings, names: list[str]) -> list[Document]:
    """The labelled reference pages converted exactly as the crawl step converts them."""
    from secondbrain_core.crawl.markdown import Converter

    async def convert() -> list[Document]:
        docs = []
        async with Converter(settings) as converter:
            for name in names:
                url = REFERENCE_URL + name
                title, markdown = await converter.html((REFERENCE / name).read_text(), url)
                docs.append(
                    Document(
                        doc_id=name,
                        kind="crawled",
                        source=SAMPLE_SOURCE,
                        title=title or name,
                        url=url,
                        markdown=markdown,
                        content_hash=hashlib.sha256(markdown.encode()).hexdigest(),
                    )
                )
        return docs

    return asyncio.run(convert())


def load_cache() -> dict[tuple[str, str, str], Verdict]:
    if not JUDGE_CACHE.exists():
        return {}
    cache = {}
    for line in JUDGE_CACHE.read_text().splitlines():
        row = json.loads(line)
        cache[(row["content_hash"], row["prompt_version"], row["model"])] = Verdict.model_validate(row["verdict"])
    return cache


def judge_all(docs: list[Document], settings: Settings, cached_only: bool) -> tuple[dict[str, Verdict], float]:
    """Verdicts of the local model for `docs` (cached on disk); seconds per new call. With
    `cached_only`, only the documents the cache already holds (no model loaded)."""
    from secondbrain_core.llm import local_llm
    from secondbrain_core.llm.models import BASE_NAME

    cache = load_cache()
    client = None
    verdicts, seconds, calls = {}, 0.0, 0
    with JUDGE_CACHE.open("a") as out:
        for i, doc in enumerate(docs):
            key = (doc.content_hash, PROMPT_VERSION, BASE_NAME)
            if key not in cache and cached_only:
                continue
            if key not in cache:
                client = client or local_llm(settings)
                started = time.perf_counter()
                cache[key] = judge(client, doc.title, doc.markdown)
                seconds += time.perf_counter() - started
                calls += 1
                row = {"content_hash": key[0], "prompt_version": key[1], "model": key[2]}
                out.write(json.dumps({**row, "doc": doc.doc_id, "verdict": cache[key].model_dump()}) + "\n")
                out.flush()
                print(f"judged {i + 1}/{len(docs)} {doc.title[:40]!r}: {cache[key].status} {cache[key].score}")
            verdicts[doc.doc_id] = cache[key]
    return verdicts, (seconds / calls if calls else 0.0)


def filtered_retrieval(
    settings: Settings, notes: list[Document], heuristic: dict, threshold: float
) -> dict[str, dict[str, float]]:
    """Hybrid nDCG@10 / Recall@10 of the dev set with every note, the passing notes, and the
    passing notes plus the passing reference pages the notes link (heuristic scores)."""
    from secondbrain_core.evals.dev_set import load_dev_set
    from secondbrain_core.evals.retrieval import evaluate_pages
    from secondbrain_core.quality.documents import crawl_doc_id
    from secondbrain_core.quality.heuristics import HeuristicScore
    from secondbrain_core.quality.scoring import heuristic_scores
    from secondbrain_core.sources.page import Page

    dev = load_dev_set(settings)
    linked = sorted({url.rsplit("/", 1)[1] for p in dev.pages for url in _reference_links(p)})
    refs = reference_documents(settings, linked)
    batch = notes + refs
    scores: dict[str, HeuristicScore] = dict(zip([d.doc_id for d in batch], heuristic_scores(batch), strict=True))
    passing = {d.doc_id for d in batch if scores[d.doc_id].score >= threshold}
    crawled = [
        Page(
            id=crawl_doc_id(d.url),
            source=SAMPLE_SOURCE,
            title=d.title,
            url=d.url,
            markdown=d.markdown,
            last_edited_time="2024-01-01T00:00:00Z",
        )
        for d in refs
        if d.doc_id in passing
    ]
    kept = [p for p in dev.pages if p.id in passing]
    out = {}
    for name, pages in (("all notes", dev.pages), ("passing notes", kept), ("passing notes + crawled", kept + crawled)):
        report = evaluate_pages(pages, dev.queries, dev.qrels, settings, modes=("hybrid",))
        hybrid = report.metrics["hybrid"]
        out[name] = {
            "docs": len(pages),
            "ndcg@10": round(hybrid["ndcg@10"], 4),
            "recall@10": round(hybrid["recall@10"], 4),
        }
        print(name, out[name])
    return out


def _reference_links(page) -> list[str]:
    links = list(page.links) + [str(v) for v in page.properties.values() if isinstance(v, str)]
    return [u for u in links if u.startswith(REFERENCE_URL) and (REFERENCE / u.rsplit("/", 1)[1]).is_file()]


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def agreement(scores: list[float], labels: list[bool], grades: list[int], threshold: float) -> dict[str, float]:
    predicted = [s >= threshold for s in scores]
    good = [p for p, label in zip(predicted, labels, strict=True) if label]
    bad = [not p for p, label in zip(predicted, labels, strict=True) if not label]
    return {
        "accuracy": round(sum(p == label for p, label in zip(predicted, labels, strict=True)) / len(labels), 3),
        "balanced_accuracy": round((sum(good) / len(good) + sum(bad) / len(bad)) / 2, 3),
        "good_kept": round(sum(good) / len(good), 3),
        "bad_dropped": round(sum(bad) / len(bad), 3),
        "spearman_grade": round(spearman(scores, [float(g) for g in grades]), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-judge", action="store_true", help="heuristic only (no local model)")
    parser.add_argument("--threshold", type=float, default=None, help="default: SECONDBRAIN_QUALITY_THRESHOLD")
    parser.add_argument("--cached-only", action="store_true", help="judge scores only from the cache (no model)")
    parser.add_argument("--retrieval", action="store_true", help="dev-set nDCG with and without the filter")
    args = parser.parse_args()

    labels = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=home)
        threshold = settings.quality_threshold if args.threshold is None else args.threshold
        notes = [from_note(p) for p in sample_pages(settings, SAMPLE_SOURCE)]
        refs = reference_documents(settings, [row["id"] for row in labels if row["kind"] == "crawled"])
        batch = notes + refs  # one source's batch: all its notes and the pages they link
        heuristic = {d.doc_id: h for d, h in zip(batch, heuristic_scores(batch), strict=True)}
        by_id = {d.doc_id: d for d in batch}
        labelled = [by_id[row["id"]] for row in labels]
        verdicts, seconds_per_call = ({}, 0.0) if args.no_judge else judge_all(labelled, settings, args.cached_only)
        if args.retrieval:
            retrieval = filtered_retrieval(settings, notes, heuristic, threshold)

    truth = [row["label"] == "good" for row in labels]
    grades = [row["grade"] for row in labels]
    results = {
        "heuristic (all labelled)": agreement([heuristic[d.doc_id].score for d in labelled], truth, grades, threshold)
    }
    judged = [i for i, d in enumerate(labelled) if d.doc_id in verdicts]
    if judged and len({truth[i] for i in judged}) == 2:  # the judged subset: all three modes side by side
        for mode in MODES:
            scores = [combine(mode, heuristic[labelled[i].doc_id].score, verdicts[labelled[i].doc_id]) for i in judged]
            results[mode] = agreement(scores, [truth[i] for i in judged], [grades[i] for i in judged], threshold)
    failed = sum(1 for v in verdicts.values() if v.status == "failed")
    report = {
        "documents": len(labels),
        "judged_documents": len(judged),
        "good": sum(truth),
        "bad": len(truth) - sum(truth),
        "threshold": threshold,
        "judge_failed": failed,
        "judge_seconds_per_call": round(seconds_per_call, 1),
        "modes": results,
        "best_mode_on_judged": max(
            (m for m in MODES if m in results),
            key=lambda m: (results[m]["balanced_accuracy"], results[m]["spearman_grade"]),
            default="heuristic",
        ),
    }
    if args.retrieval:
        report["retrieval_hybrid"] = retrieval
    for row, doc in zip(labels, labelled, strict=True):
        h, v = heuristic[doc.doc_id], verdicts.get(doc.doc_id)
        mark = "" if (h.score >= threshold) == (row["label"] == "good") else "  <- heuristic disagrees"
        judged = f"{v.score}" if v and v.score is not None else (v.status if v else "-")
        print(f"{row['label']:4} g{row['grade']} h={h.score:.2f} j={judged:>6} {row['title'][:45]}{mark}")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
