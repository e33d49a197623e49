"""Which embedded vector index to use: recall@10 vs exact search, p50/p95 query latency, build time.

Compares usearch (the chosen dependency), faiss-cpu, sqlite-vec and LanceDB on random-but-
clustered 384-d unit vectors (MiniLM's dimension) at 100k and 1M. Each (backend, size) runs in
its own subprocess under a wall-clock bound, so a backend that cannot finish in time is reported
as such instead of stalling the run. Queries are issued one at a time, as the search path does.

Benchmark-only installs (not project dependencies):
    .venv/bin/pip install faiss-cpu sqlite-vec lancedb apsw
(apsw: this Python's sqlite3 module is built without extension loading, which sqlite-vec needs.)

Usage:
    python benchmarks/vector_backends.py --sizes 100000 1000000 --out /tmp/vector_backends.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DIM = 384
K = 10
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128
HNSW_EF_SEARCH = 64
BACKENDS = ("usearch", "faiss", "sqlite-vec", "lancedb")


def clustered(n: int, centres: np.ndarray, seed: int) -> np.ndarray:
    """Unit vectors around the given centres: structure like real embeddings, unlike uniform noise."""
    rng = np.random.default_rng(seed)
    n_clusters = len(centres)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        labels = rng.integers(0, n_clusters, stop - start)
        out[start:stop] = centres[labels] + 0.6 * rng.standard_normal((stop - start, DIM)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def exact_topk(data: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(data), 200_000):
        scores = queries @ data[start : start + 200_000].T
        ids = np.argpartition(-scores, k, axis=1)[:, :k]
        cand_scores = np.take_along_axis(scores, ids, axis=1)
        all_scores = np.hstack([best_scores, cand_scores])
        all_ids = np.hstack([best_ids, ids + start])
        order = np.argsort(-all_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(all_scores, order, axis=1)
        best_ids = np.take_along_axis(all_ids, order, axis=1)
    return best_ids


# --- backends: build(data, workdir) -> search(query) -> ids ------------------------------


def build_usearch(data: np.ndarray, workdir: Path):
    from usearch.index import Index

    index = Index(
        ndim=DIM,
        metric="ip",
        dtype="f32",
        connectivity=HNSW_M,
        expansion_add=HNSW_EF_CONSTRUCTION,
        expansion_search=HNSW_EF_SEARCH,
    )
    index.add(np.arange(len(data), dtype=np.uint64), data, threads=2)
    return lambda q: index.search(q, K).keys


def build_faiss(data: np.ndarray, workdir: Path):
    import faiss

    faiss.omp_set_num_threads(2)
    index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(data)
    index.hnsw.efSearch = HNSW_EF_SEARCH
    faiss.omp_set_num_threads(1)  # one query at a time: threads only add overhead
    return lambda q: index.search(q[None, :], K)[1][0]


def build_sqlite_vec(data: np.ndarray, workdir: Path):
    import apsw
    import sqlite_vec

    db = apsw.Connection(str(workdir / "vec.db"))
    db.enable_load_extension(True)
    db.load_extension(sqlite_vec.loadable_path())
    db.execute(f"CREATE VIRTUAL TABLE v USING vec0(embedding float[{DIM}] distance_metric=cosine)")
    with db:
        for start in range(0, len(data), 10_000):
            rows = ((i + 1, data[i].tobytes()) for i in range(start, min(len(data), start + 10_000)))
            db.executemany("INSERT INTO v(rowid, embedding) VALUES (?, ?)", rows)

    def search(q):
        rows = db.execute("SELECT rowid FROM v WHERE embedding MATCH ? AND k = ? ORDER BY distance", (q.tobytes(), K))
        return [r[0] - 1 for r in rows]

    return search


def build_lancedb(data: np.ndarray, workdir: Path):
    import lancedb
    import pyarrow as pa

    db = lancedb.connect(str(workdir / "lance"))
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(data.reshape(-1)), DIM)
    table = db.create_table("v", pa.table({"id": pa.array(np.arange(len(data))), "vector": vectors}))
    partitions = max(16, int(np.sqrt(len(data))))
    table.create_index(
        metric="dot",
        index_type="IVF_HNSW_SQ",
        num_partitions=partitions // 4,
        m=HNSW_M,
        ef_construction=HNSW_EF_CONSTRUCTION,
    )
    nprobes = max(4, partitions // 40)

    def search(q):
        result = table.search(q).metric("dot").nprobes(nprobes).ef(HNSW_EF_SEARCH).limit(K).select(["id"])
        return result.to_arrow()["id"].to_numpy()

    return search


BUILDERS = {
    "usearch": build_usearch,
    "faiss": build_faiss,
    "sqlite-vec": build_sqlite_vec,
    "lancedb": build_lancedb,
}


def run_case(backend: str, data_path: Path, queries_path: Path, truth_path: Path) -> dict:
    data = np.load(data_path, mmap_mode="r")
    data = np.ascontiguousarray(data)
    queries, truth = np.load(queries_path), np.load(truth_path)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        search = BUILDERS[backend](data, Path(tmp))
        build_s = time.perf_counter() - started
        for q in queries[:5]:
            search(q)  # warm caches
        latencies, recalls = [], []
        for q, expected in zip(queries, truth, strict=True):
            t0 = time.perf_counter()
            ids = search(q)
            latencies.append((time.perf_counter() - t0) * 1000)
            recalls.append(len(set(map(int, ids)) & set(map(int, expected))) / K)
    return {
        "backend": backend,
        "n": len(data),
        "build_s": round(build_s, 1),
        "recall@10": round(float(np.mean(recalls)), 4),
        "p50_ms": round(float(np.percentile(latencies, 50)), 3),
        "p95_ms": round(float(np.percentile(latencies, 95)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--timeout", type=int, default=1500, help="seconds per (backend, size), build + queries")
    parser.add_argument("--out", type=Path, default=Path("vector_backends.json"))
    parser.add_argument("--case", nargs=4, metavar=("BACKEND", "DATA", "QUERIES", "TRUTH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        backend, *paths = args.case
        print(json.dumps(run_case(backend, *map(Path, paths))))
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            centres = np.random.default_rng(n).standard_normal((max(100, n // 1000), DIM)).astype(np.float32)
            data = clustered(n, centres, seed=n + 1)
            queries = clustered(args.queries, centres, seed=n + 2)  # same clusters, unseen points
            truth = exact_topk(data, queries, K)
            paths = [Path(tmp) / f"{name}-{n}.npy" for name in ("data", "queries", "truth")]
            for path, array in zip(paths, (data, queries, truth), strict=True):
                np.save(path, array)
            del data
            for backend in args.backends:
                command = [sys.executable, __file__, "--case", backend, *map(str, paths)]
                try:
                    done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=False)
                    if done.returncode == 0:
                        row = json.loads(done.stdout.strip().splitlines()[-1])
                    else:
                        row = {"backend": backend, "n": n, "error": done.stderr.strip().splitlines()[-1][:200]}
                except subprocess.TimeoutExpired:
                    row = {"backend": backend, "n": n, "error": f"did not finish within {args.timeout}s"}
                print(json.dumps(row), flush=True)
                results.append(row)
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    args.out.write_text(json.dumps({"machine": machine, "results": results}, indent=2))


if __name__ == "__main__":
    main()
