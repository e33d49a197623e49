"""Choose the hybrid fusion and its weight on one half of a set, never on the set it is reported on.

    python benchmarks/retrieval/build_python_faq.py --out /tmp/faq
    python benchmarks/retrieval/fusion_sweep.py --set /tmp/faq --qrels qrels-tune.tsv

Indexes the set's notes once in a temp home, then scores hybrid search for each fusion
(`SECONDBRAIN_HYBRID_FUSION`: rrf, zscore) and dense weight (`SECONDBRAIN_HYBRID_DENSE_WEIGHT`;
0.5 with rrf = plain RRF) on the given judgments; bm25 and dense alone are printed for
reference. Only the query side is repeated per setting.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from secondbrain_core.evals.beir import load_beir
from secondbrain_core.evals.retrieval import corpus_pages, eval_settings, evaluate_index
from secondbrain_core.rag.embedders import embedder_for
from secondbrain_core.rag.fusion import FUSIONS
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings

WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, required=True, help="folder with corpus/, queries.jsonl and qrels files")
    parser.add_argument("--qrels", default="qrels-tune.tsv", help="judgments to choose on (file in --set)")
    args = parser.parse_args()
    settings = Settings()
    apply_runtime_env(settings)
    data = load_beir(args.set / "corpus", args.set / "queries.jsonl", args.set / args.qrels)
    with tempfile.TemporaryDirectory(prefix="secondbrain-sweep-") as tmp:
        local = eval_settings(settings, Path(tmp))
        embedder = embedder_for(local)
        sync_index(build_chunks(corpus_pages(data, "eval:sweep"), local), local, embedder)
        alone = evaluate_index(local, data.queries, data.qrels, ("bm25", "dense"), embedder).metrics
        results = {mode: round(alone[mode]["ndcg@10"], 4) for mode in alone}
        for fusion in FUSIONS:
            for weight in WEIGHTS if fusion != "adaptive" else (None,):  # adaptive sets its own weight
                weighted = local.model_copy(update={"hybrid_fusion": fusion, "hybrid_dense_weight": weight or 0.5})
                report = evaluate_index(weighted, data.queries, data.qrels, ("hybrid",), embedder)
                results[f"{fusion}@{weight}" if weight else fusion] = round(report.metrics["hybrid"]["ndcg@10"], 4)
    print(json.dumps({"set": str(args.set), "qrels": args.qrels, "ndcg@10": results}, indent=1))


if __name__ == "__main__":
    main()
