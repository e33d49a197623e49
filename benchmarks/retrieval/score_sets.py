"""Score the product's retrieval on several judged sets' halves, from cached vectors.

    python benchmarks/retrieval/build_manpages_names.py --out /tmp/ir/manpages_names   # etc.
    python benchmarks/retrieval/score_sets.py --half test /tmp/ir/manpages_names /tmp/ir/python_index ...

Each set goes through the same path as `secondbrain eval retrieval` (`evaluate_pages`: the
product's chunker, context, index and `Retriever` with the current settings) in a temp home;
the only difference is that the vectors come from the cache `lab_sets` keeps (`--cache`), so a
set is embedded once for every run. Beside bm25, dense and hybrid it scores the reference the
issue names, plain RRF (k 60, equal weights) of the same two rankers on the same index.
Prints one JSON object per set: {set, half, queries, bm25, dense, hybrid, rrf} with nDCG@10,
Recall@10, Recall@100 and MRR@10 each.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lab_sets import CachedEmbedder, load_lab_set

from secondbrain_core.evals.retrieval import corpus_pages, eval_settings, evaluate_index, evaluate_pages
from secondbrain_core.rag.embedders import embedder_for
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings
from secondbrain_core.stores.local_mongo import temporary_home

DEFAULT_CACHE = Path("/tmp/secondbrain-retrieval-cache")


def score_set(folder: Path, half: str, settings: Settings, cache: Path) -> dict:
    """One set's half scored in every mode, plus plain RRF over the same index."""
    embedder = embedder_for(settings)
    lab = load_lab_set(folder, settings, embedder, cache)
    cached = CachedEmbedder(embedder, lab)
    qrels = lab.halves[half]
    pages = corpus_pages(lab.data, f"eval:{folder.name}")
    with temporary_home(prefix="secondbrain-score-") as home:
        report = evaluate_pages(pages, lab.data.queries, qrels, settings, home=home, embedder=cached)
        plain = eval_settings(settings, home).model_copy(update={"hybrid_fusion": "rrf", "hybrid_dense_weight": 0.5})
        reference = evaluate_index(plain, lab.data.queries, qrels, ("hybrid",), cached)
    rounded = {mode: {k: round(v, 4) for k, v in scores.items()} for mode, scores in report.metrics.items()}
    rrf = {k: round(v, 4) for k, v in reference.metrics["hybrid"].items()}
    return {"set": folder.name, "half": half, "queries": len(qrels), **rounded, "rrf": rrf}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", type=Path, nargs="+", help="set folders (corpus/, queries.jsonl, qrels.tsv)")
    parser.add_argument("--half", choices=("tune", "test"), required=True)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where vectors are kept between runs")
    args = parser.parse_args()
    settings = Settings()
    apply_runtime_env(settings)
    for folder in args.sets:
        print(json.dumps(score_set(folder, args.half, settings, args.cache)), flush=True)


if __name__ == "__main__":
    main()
