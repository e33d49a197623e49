"""Local rerank on every set's half: MiniLM similarity of the query to each fused candidate's best sentence.

    python benchmarks/retrieval/rerank_candidates.py /tmp/ir/manpages_names /tmp/ir/pgnotes ... [--half tune]

The fused ranking is the product's default (`fusion_options` of today's settings) over the same
rankings `fusion_candidates` reads; the first `--depth` candidates are reordered by
`rag.rerank.sentence_rerank_order` (the product's code) at each weight. Sentence vectors are
the default embedder's, cached per set under `--cache` by sentence text, so a set is embedded
once. The table ends with the worst-case columns of the fusion rule: the minimum over sets of
reranked / max(bm25, dense), and of reranked / hybrid.

`--stored` adds the chosen weight reranked from the vectors an index build stores
(`rag/sentence_store.write_store`: `embed_short` per chunk, float16), to check that storing them
does not change the rerank's figures (RESULTS.md, issue 11, round 4).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from fusion_candidates import CANDIDATES, PLAIN, metrics, rankings
from lab_sets import LabSet, lab_arguments, open_lab_sets

from secondbrain_core.rag.embedders import Embedder
from secondbrain_core.rag.fusion import fuse_hybrid, fusion_options
from secondbrain_core.rag.rerank import LOCAL_RERANK_WEIGHT, best_sentence_scores, sentence_rerank_order, sentences
from secondbrain_core.rag.sentence_store import SentenceStore, write_store
from secondbrain_core.settings import Settings

WEIGHTS = (0.25, 0.5, 1.0, 2.0, 3.0, 4.0)
STORED = f"rerank {LOCAL_RERANK_WEIGHT} (stored float16)"


def sentence_vectors(lab: LabSet, wanted: set[int], embedder: Embedder, cache: Path) -> dict[str, np.ndarray]:
    """Vectors of the sentences of chunks `wanted`, from the set's cache, embedding what is missing."""
    texts_file, vectors_file = cache / f"{lab.name}-sentences.json", cache / f"{lab.name}-sentences.npy"
    known: dict[str, np.ndarray] = {}
    if texts_file.exists():
        known = dict(zip(json.loads(texts_file.read_text()), np.load(vectors_file), strict=True))
    needed = [s for i in sorted(wanted) for s in sentences(lab.chunks[i].text)]
    missing = [s for s in dict.fromkeys(needed) if s not in known]
    if missing:
        print(f"{lab.name}: embedding {len(missing)} sentences", flush=True)
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            known.update(zip(batch, embedder.embed_documents(batch), strict=True))
        cache.mkdir(parents=True, exist_ok=True)
        texts_file.write_text(json.dumps(list(known)))
        np.save(vectors_file, np.vstack(list(known.values())).astype(np.float32))
    return known


def stored_vectors(lab: LabSet, wanted: set[int], embedder: Embedder) -> dict[int, np.ndarray]:
    """Sentence vectors of chunks `wanted` as an index build stores them (float16, read back)."""
    keys = sorted(wanted)
    with tempfile.TemporaryDirectory() as tmp:
        write_store(Path(tmp), {i: lab.chunks[i].text for i in keys}, None, embedder, lab.vectors.shape[1])
        return dict(zip(keys, SentenceStore.load(Path(tmp)).matrices(keys), strict=True))


def table(
    labs: list[LabSet], half: str, depth: int, embedder: Embedder, cache: Path, stored: bool = False
) -> dict[str, dict[str, dict]]:
    """Metrics (nDCG/Recall/MRR at the eval's cut-offs) per row and set."""
    options = fusion_options(Settings())
    rows: dict[str, dict[str, dict]] = {"bm25": {}, "dense": {}, "hybrid": {}, "rrf (plain)": {}}
    rows |= {f"rerank {w}": {} for w in WEIGHTS} | {"best sentence alone": {}} | ({STORED: {}} if stored else {})
    for lab in labs:
        bm25, dense, coverage = rankings(lab, half)
        pages = lab.page_ids
        fused = {q: fuse_hybrid(bm25[q], dense[q], pages=pages, coverage=coverage[q], **options) for q in bm25}
        vectors = sentence_vectors(lab, {i for f in fused.values() for i, _ in f[:depth]}, embedder, cache)
        best = {}
        for q, ranked in fused.items():
            per = [np.vstack([vectors[s] for s in sentences(lab.chunks[i].text)]) for i, _ in ranked[:depth]]
            best[q] = best_sentence_scores(lab.query_vectors[q], per)
        rows["bm25"][lab.name], rows["dense"][lab.name] = metrics(lab, half, bm25), metrics(lab, half, dense)
        rows["hybrid"][lab.name] = metrics(lab, half, fused)
        plain = {q: fuse_hybrid(bm25[q], dense[q], **CANDIDATES[PLAIN]) for q in bm25}
        rows["rrf (plain)"][lab.name] = metrics(lab, half, plain)
        runs = [(f"rerank {w}", w, best) for w in WEIGHTS] + [("best sentence alone", 1e6, best)]
        if stored:
            kept = stored_vectors(lab, {i for f in fused.values() for i, _ in f[:depth]}, embedder)
            from_store = {
                q: best_sentence_scores(lab.query_vectors[q], [kept[i] for i, _ in ranked[:depth]])
                for q, ranked in fused.items()
            }
            gap = max(abs(a - b) for q in fused for a, b in zip(best[q], from_store[q], strict=True))
            print(f"{lab.name}: largest best-sentence cosine difference, stored vs embedded: {gap:.5f}", flush=True)
            runs.append((STORED, LOCAL_RERANK_WEIGHT, from_store))
        for name, weight, scores in runs:
            run = {}
            for q, ranked in fused.items():
                head = ranked[:depth]
                order = sentence_rerank_order([s for _, s in head], scores[q], weight)
                run[q] = [head[j] for j in order] + ranked[depth:]
            rows[name][lab.name] = metrics(lab, half, run)
        print(lab.name, {name: round(by_set[lab.name]["ndcg@10"], 4) for name, by_set in rows.items()}, flush=True)
    return rows


def markdown(rows: dict[str, dict[str, dict]]) -> str:
    """nDCG@10 per row and set, and the rule's two worst cases (against the best single ranker
    and against the fused ranking the rerank starts from)."""
    ndcg = {name: {s: m["ndcg@10"] for s, m in by_set.items()} for name, by_set in rows.items()}
    sets = list(ndcg["bm25"])
    best = {s: max(ndcg["bm25"][s], ndcg["dense"][s]) for s in sets}
    lines = ["| candidate | " + " | ".join(sets) + " | min /best | min /hybrid |", "|---" * (len(sets) + 3) + "|"]
    for name, by_set in ndcg.items():
        worst = min(by_set[s] / best[s] for s in sets)
        versus = min(by_set[s] / ndcg["hybrid"][s] for s in sets)
        lines.append(f"| {name} | " + " | ".join(f"{by_set[s]:.4f}" for s in sets) + f" | {worst:.4f} | {versus:.4f} |")
    return "\n".join(lines)


def main() -> None:
    parser = lab_arguments(__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=20, help="fused candidates reranked")
    parser.add_argument("--json", type=Path, help="also write every row's metrics per set here")
    parser.add_argument("--stored", action="store_true", help="also rerank from float16 vectors as an index stores")
    args = parser.parse_args()
    labs, embedder = open_lab_sets(args)
    rows = table(labs, args.half, args.depth, embedder, args.cache, args.stored)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(markdown(rows))


if __name__ == "__main__":
    main()
