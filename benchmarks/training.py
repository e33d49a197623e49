"""Training benchmarks: the teacher choice, the public one-line sets, tuned vs base vs first sentence.

    python benchmarks/training.py teachers            # candidate teachers on the notes' human summaries
    python benchmarks/training.py sets --out DIR      # python-modules-oneline.jsonl, debian-packages-oneline.jsonl
    python benchmarks/training.py score --data F --model base|champion|PATH --out F.json  # per-item ROUGE-L
    python benchmarks/training.py compare A.json B.json   # paired bootstrap 95% CI of mean ROUGE-L (B - A)

The public sets are one-line human summaries of technical texts from corpora training never
sees (the seed is the Linux man-pages project; the notes are PostgreSQL's documentation):
- python-modules-oneline: each Python library reference page titled "name --- what it is for"
  (Debian's python3-doc): text = the page's opening (as a pair holds it), summary = the words after
  the dashes.
- debian-packages-oneline: the packages installed on this machine (/var/lib/dpkg/status) whose
  long description has at least 300 characters: text = the long description, summary = the
  package's one-line synopsis. Picked by a hash of the package name, at most 200.

Run under `nice -n 10`. Every number in RESULTS.md "Training" comes from these commands.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

from secondbrain_core.dataset.documents import from_page
from secondbrain_core.dataset.judge import Judge
from secondbrain_core.dataset.pairs import SAMPLING_TEMPERATURE, document_text
from secondbrain_core.evals.rouge import rouge_scores
from secondbrain_core.evals.summarization import evaluate_summarizer, load_records
from secondbrain_core.llm import local_llm
from secondbrain_core.llm.styles import STYLES, first_sentence
from secondbrain_core.llm.summarize import summary_messages, truncate_for_context
from secondbrain_core.settings import SAMPLE_SOURCE, Settings
from secondbrain_core.sources.registry import open_source

BOOTSTRAP_SAMPLES = 2000
ROUGE_NAMES = ("rouge1", "rouge2", "rougeL")
SET_LIMIT = 200
PYTHON_LIBRARY = Path("/usr/share/doc/python3-doc/html/_sources/library")
DPKG_STATUS = Path("/var/lib/dpkg/status")


def sample_notes(settings: Settings):
    """The sample KB's documents, read straight from its export (no document store needed)."""
    source = open_source(SAMPLE_SOURCE, settings)
    return [d for stub in source.list_pages() if (d := from_page(source.fetch_page(stub)))]


def teachers(args) -> None:
    """Lead-1, base zero-shot and base best-of-N (judge-picked) against the notes' human summaries."""
    settings = Settings(home=args.home)
    docs = [d for d in sample_notes(settings) if d.summary]
    client, judge, style = local_llm(settings, "base"), Judge.local(), STYLES["one-sentence"]
    scores: dict[str, list[float]] = {"lead-1": [], "base-zero-shot": [], f"base-best-of-{args.n}": [], "oracle": []}
    judge_vs_rouge = []
    started = time.perf_counter()
    for doc in docs:
        text = document_text(doc, settings)
        messages = summary_messages(text, settings, "one-sentence")
        candidates = [
            style.shape(
                client.chat(
                    messages, max_tokens=style.max_tokens, temperature=0.0 if i == 0 else SAMPLING_TEMPERATURE
                ).text
            )
            for i in range(args.n)
        ]
        verdicts = judge.verdicts(doc.title, text, candidates, "one-sentence")
        rouge = [rouge_scores(c, doc.summary)["rougeL"] for c in candidates]
        judge_vs_rouge += [(v.score, r) for v, r in zip(verdicts, rouge, strict=True)]
        best = max(range(args.n), key=lambda i: verdicts[i].score)
        scores["lead-1"].append(rouge_scores(first_sentence(text), doc.summary)["rougeL"])
        scores["base-zero-shot"].append(rouge[0])
        scores[f"base-best-of-{args.n}"].append(rouge[best])
        scores["oracle"].append(max(rouge))
        print(
            json.dumps(
                {"title": doc.title, "human": doc.summary, "zero_shot": candidates[0], "picked": candidates[best]}
            )
        )
    result = {name: round(statistics.mean(v), 4) for name, v in scores.items()}
    result["n"] = len(docs)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["judge_rouge_spearman"] = round(spearman(judge_vs_rouge), 3)
    print(json.dumps(result))


def spearman(pairs: list[tuple[float, float]]) -> float:
    def ranks(values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        for rank, i in enumerate(order):
            out[i] = float(rank)
        return out

    a, b = ranks([p[0] for p in pairs]), ranks([p[1] for p in pairs])
    return statistics.correlation(a, b)


def python_modules(settings: Settings) -> list[dict]:
    sys.path.insert(0, str(Path(__file__).parent / "retrieval"))
    from build_python_modules import read_page

    items = []
    for path in sorted(PYTHON_LIBRARY.glob("*.rst.txt")):
        name, topic, body = read_page(path)
        if topic and len(body) >= 300:
            items.append({"id": path.name.removesuffix(".rst.txt"), "title": name, "text": body, "summary": topic})
    return items


def debian_packages(settings: Settings) -> list[dict]:
    items = []
    for stanza in DPKG_STATUS.read_text(encoding="utf-8").split("\n\n"):
        name = re.search(r"^Package: (\S+)", stanza, re.M)
        description = re.search(r"^Description: (.*)\n((?: .*\n?)*)", stanza, re.M)
        if not (name and description):
            continue
        lines = [line[1:] for line in description[2].splitlines()]
        text = "\n".join("" if line.strip() == "." else line for line in lines).strip()
        if len(text) >= 300:
            items.append({"id": name[1], "title": name[1], "text": text, "summary": description[1].strip()})
    items.sort(key=lambda item: hashlib.sha256(item["id"].encode()).hexdigest())
    return items[:SET_LIMIT]


def sets(args) -> None:
    """Write both public sets as eval-summarize JSONL (text cut as the dataset cuts it)."""
    settings = Settings(home=args.home)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build in (("python-modules-oneline", python_modules), ("debian-packages-oneline", debian_packages)):
        items = build(settings)[:SET_LIMIT]
        with (args.out / f"{name}.jsonl").open("w") as out:
            for item in items:
                text = truncate_for_context(item["text"], settings.dataset_max_chars)
                out.write(json.dumps({"id": item["id"], "text": text, "summary": item["summary"]}) + "\n")
        print(f"{name}: {len(items)} items")


def score(args) -> None:
    """Per-item ROUGE-L of a model (one-sentence style) and of the first sentence on a JSONL set."""
    settings = Settings(home=args.home)
    records = load_records(args.data, limit=args.limit)
    started = time.perf_counter()
    report = evaluate_summarizer(records, local_llm(settings, args.model), settings, args.style)
    lead_scores = [rouge_scores(first_sentence(r.text), r.summary) for r in records]
    lead = [round(scores["rougeL"], 4) for scores in lead_scores]
    result = {
        "data": str(args.data),
        "model": args.model,
        "n": report.n,
        "rouge1": report.rouge1,
        "rouge2": report.rouge2,
        "rougeL": report.rougeL,
        **{f"lead1_{name}": round(statistics.mean(x[name] for x in lead_scores), 4) for name in ROUGE_NAMES},
        "seconds_per_item": report.seconds_per_item,
        "seconds": round(time.perf_counter() - started, 1),
        "items": report.item_rougeL,
        "lead1_items": lead,
    }
    args.out.write_text(json.dumps(result))
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("items")}))


def paired_bootstrap(a: list[float], b: list[float], samples: int = BOOTSTRAP_SAMPLES) -> tuple[float, float, float]:
    """Mean of b - a over the same items, and its 95% percentile interval from resampled items."""
    rng = random.Random(0)
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    means = sorted(statistics.mean(rng.choices(diffs, k=len(diffs))) for _ in range(samples))
    return statistics.mean(diffs), means[int(0.025 * samples)], means[int(0.975 * samples)]


def compare(args) -> None:
    a, b = (json.loads(Path(p).read_text()) for p in (args.a, args.b))
    key_a = "lead1_items" if args.lead_a else "items"
    mean, low, high = paired_bootstrap(a[key_a], b["items"])
    ratio = statistics.mean(b["items"]) / max(statistics.mean(a[key_a]), 1e-9)
    print(
        json.dumps(
            {
                "a": a["model"] if not args.lead_a else "lead-1",
                "b": b["model"],
                "diff": round(mean, 4),
                "ci95": [round(low, 4), round(high, 4)],
                "ratio": round(ratio, 2),
                "n": len(b["items"]),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("teachers")
    p.add_argument("--home", default="/tmp/sb-teachers")
    p.add_argument("-n", type=int, default=4)
    p.set_defaults(run=teachers)
    p = sub.add_parser("sets")
    p.add_argument("--home", default="/tmp/sb-sets")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=sets)
    p = sub.add_parser("score")
    p.add_argument("--home", default="/tmp/sb-score")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--model", default="base")
    p.add_argument("--style", default="one-sentence")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=score)
    p = sub.add_parser("compare")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--lead-a", action="store_true", help="compare b with a's first-sentence baseline")
    p.set_defaults(run=compare)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
