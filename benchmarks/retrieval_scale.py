"""Scale check: a generated folder of 10,000 notes must index and evaluate in under 10 minutes.

    python benchmarks/retrieval_scale.py --notes 10000 --out /tmp/scale   # writes + runs the CLI

Notes are built from the sentences of the sample KB (real prose, real code words), 4-12
sentences each (100-300 tokens, the length of a typical personal note: one or two chunks),
and each carries one unique fact; a query asks for that fact, so the run also has answers
to score (the quality numbers of this synthetic set mean little; the seconds are the point).
The CLI runs with the default embedder on whatever cores the machine has (2 here).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENTENCE = re.compile(r"(?<=[.!?])\s+")
COLORS = ["amber", "cobalt", "crimson", "ivory", "jade", "onyx", "saffron", "teal", "umber", "violet"]
ANIMALS = ["badger", "condor", "falcon", "gecko", "heron", "lynx", "marmot", "otter", "puffin", "walrus"]


def sentences() -> list[str]:
    pool: list[str] = []
    for path in sorted((REPO / "sample_data" / "notes").rglob("*.md")):
        text = " ".join(line for line in path.read_text().splitlines() if line and not line.startswith(("#", "|", "`")))
        pool.extend(s for s in SENTENCE.split(text) if 40 <= len(s) <= 300)
    return pool


def generate(out: Path, count: int, queries: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    pool = sentences()
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    asked = set(rng.sample(range(count), min(queries, count)))
    with open(out / "queries.jsonl", "w") as fq, open(out / "qrels.tsv", "w") as fr:
        fr.write("query-id\tcorpus-id\tscore\n")
        for i in range(count):
            codename = f"{rng.choice(COLORS)} {rng.choice(ANIMALS)} {i}"
            body = rng.sample(pool, rng.randint(4, 12))
            fact = f"The {codename} migration is scheduled for week {i % 52 + 1} and owned by team {i % 17}."
            body.insert(rng.randrange(len(body) + 1), fact)
            (corpus / f"note-{i:05d}.md").write_text(f"# Note {i}\n\n" + " ".join(body) + "\n")
            if i in asked:
                fq.write(
                    json.dumps({"_id": f"q{i}", "text": f"when is the {codename} migration and who owns it"}) + "\n"
                )
                fr.write(f"q{i}\tnote-{i:05d}\t2\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.notes, args.queries)
    command = [sys.executable, "-m", "secondbrain_core.app.cli", "eval", "retrieval", "--json"]
    command += ["--corpus", str(args.out / "corpus"), "--queries", str(args.out / "queries.jsonl")]
    command += ["--qrels", str(args.out / "qrels.tsv")]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=args.out)
    wall = time.perf_counter() - started
    print(json.dumps({"notes": args.notes, "wall_seconds": round(wall, 1), **json.loads(result.stdout)}))


if __name__ == "__main__":
    main()
