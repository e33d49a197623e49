"""Export the sample KB as the BEIR-style corpus `secondbrain eval retrieval` reads.

    python benchmarks/retrieval/export_corpus.py --out .secondbrain/datasets/pgnotes
    secondbrain eval retrieval --corpus .secondbrain/datasets/pgnotes/corpus \\
        --queries benchmarks/retrieval/pgnotes/queries.jsonl --qrels benchmarks/retrieval/pgnotes/qrels.tsv

Pages are read by the same Notion-export reader the pipeline ingests with, so each file's
stem is exactly the page id the qrels name; the title becomes the note's `# ` heading.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from secondbrain_core.evals.dev_set import sample_pages
from secondbrain_core.settings import SAMPLE_SOURCE, Settings


def export(out: Path, spec: str = SAMPLE_SOURCE) -> int:
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    pages = sample_pages(Settings(), spec)
    for page in pages:
        (corpus / f"{page.id}.md").write_text(f"# {page.title}\n\n{page.markdown}\n", encoding="utf-8")
    return len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="cache dir; corpus/ is written under it")
    parser.add_argument("--source", default=SAMPLE_SOURCE, help="a notion-export:PATH spec (default: the sample KB)")
    args = parser.parse_args()
    print(f"{export(args.out, args.source)} pages written to {args.out / 'corpus'}")


if __name__ == "__main__":
    main()
