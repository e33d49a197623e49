"""Build the public BEIR-style set "python-faq" from Debian's python3-doc (offline).

The Python FAQ is a set of real user questions, each answered under its own heading. We turn
each answer into one corpus note and its question into the query (grade 2 for its own answer),
so the set has natural questions with unambiguous judgments and needs no internet:

    apt-get install -y python3-doc
    python benchmarks/retrieval/build_python_faq.py --out .secondbrain/datasets/python-faq

The note keeps its FAQ chapter and section as its title ("Programming FAQ / Performance"), as a
Notion page keeps its parents, but never the question itself: otherwise a query would just
match a title. Queries are split in two halves by a hash of their id (`qrels-tune.tsv`,
`qrels-test.tsv`) so a parameter can be chosen on one half and reported on the other.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOURCE = Path("/usr/share/doc/python3-doc/html/_sources/faq")
UNDERLINE = re.compile(r"^([=\-])\1{3,}\s*$")
ROLE = re.compile(r":[a-z:]+:`(?:[^`<]*?<([^`>]+)>|~?([^`]+))`")
LINK = re.compile(r"`([^`<]+?)\s*<[^`>]+>`_+")
LITERAL = re.compile(r"``([^`]+)``")


def plain(text: str) -> str:
    """RST inline markup to plain text: roles, links and literals keep only their words."""
    text = ROLE.sub(lambda m: (m.group(2) or m.group(1) or "").lstrip("~!."), text)
    text = LINK.sub(r"\1", text)
    text = LITERAL.sub(r"\1", text)
    return text.replace("`", "")


def parse_faq(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """(chapter title, [(section, question, answer), ...]) of one FAQ chapter."""
    lines = path.read_text(encoding="utf-8").splitlines()
    chapter, section = path.stem, ""
    entries: list[tuple[str, str, str]] = []
    question: str | None = None
    body: list[str] = []

    def flush() -> None:
        if question and question.rstrip().endswith("?"):
            answer = "\n".join(b for b in body if not b.startswith(".. _")).strip()
            if answer:
                entries.append((section, plain(question), plain(answer)))

    for index, line in enumerate(lines):
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if UNDERLINE.match(line) or not UNDERLINE.match(nxt) or not line.strip():
            if not UNDERLINE.match(line):
                body.append(line)
            continue
        is_overlined = index > 0 and UNDERLINE.match(lines[index - 1])
        if is_overlined:
            chapter = line.strip()
            body = []
        elif nxt.startswith("="):
            flush()
            section, question, body = line.strip(), None, []
        else:
            flush()
            question, body = line.strip(), []
    flush()
    return chapter, entries


@dataclass(frozen=True)
class FaqEntry:
    """One answered question: the answer becomes a note titled `title`, the question its query."""

    doc_id: str
    title: str
    question: str
    answer: str


def collect(source: Path) -> list[FaqEntry]:
    """Every answered question of the FAQ chapters (`*.rst.txt`) under `source`."""
    entries = []
    for path in sorted(source.glob("*.rst.txt")):
        chapter, found = parse_faq(path)
        for number, (section, question, answer) in enumerate(found, start=1):
            title = f"{chapter} / {section}" if section else chapter
            entries.append(FaqEntry(f"{path.name.split('.')[0]}-{number:03d}", title, question, answer))
    return entries


def write_note(out: Path, doc_id: str, title: str, body: str) -> None:
    """One corpus note, `corpus/<doc_id>.md`, its title as the heading (the eval reads it back as the title)."""
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / f"{doc_id}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")


def query_id(text: str) -> str:
    """A query id from its words, lowercased and joined ("get/set hostname" -> "get-set-hostname")."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def half_of(qid: str) -> str:
    """A query's half, from a hash of its id alone: adding or removing other queries never moves it."""
    return "tune" if int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 2 == 0 else "test"


def write_judged(out: Path, queries: dict[str, str], judgments: list[tuple[str, str, int]]) -> None:
    """queries.jsonl ({id: text}, in the given order), qrels.tsv and its tune/test halves.

    A query's half is fixed by a hash of its id alone, so adding or removing other queries never
    moves it; every judgment of a query lands in the same half.
    """
    out.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps({"_id": qid, "text": text}) + "\n" for qid, text in queries.items())
    (out / "queries.jsonl").write_text(lines, encoding="utf-8")
    header = "query-id\tcorpus-id\tscore\n"
    halves: dict[str, list[str]] = {"tune": [], "test": []}
    for qid, doc_id, grade in judgments:
        halves[half_of(qid)].append(f"{qid}\t{doc_id}\t{grade}\n")
    (out / "qrels.tsv").write_text(header + "".join(halves["tune"] + halves["test"]), encoding="utf-8")
    for half, rows in halves.items():
        (out / f"qrels-{half}.tsv").write_text(header + "".join(rows), encoding="utf-8")


def write_faq_set(entries: list[FaqEntry], out: Path) -> int:
    """corpus/ (one note per answer), queries.jsonl, qrels.tsv and its tune/test halves."""
    for entry in entries:
        write_note(out, entry.doc_id, entry.title, entry.answer)
    write_judged(out, {e.doc_id: e.question for e in entries}, [(e.doc_id, e.doc_id, 2) for e in entries])
    return len(entries)


def set_cli(
    description: str, default_source: Path, source_help: str, packages: str, build: Callable[[Path, Path], str]
) -> None:
    """The command line every set builder shares: a `--source` folder in, a BEIR-style set out,
    and `build(source, out)`'s one-line summary printed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--source", type=Path, default=default_source, help=source_help)
    parser.add_argument("--out", type=Path, required=True, help="where to write corpus/, queries.jsonl, qrels*.tsv")
    args = parser.parse_args()
    if not args.source.is_dir():
        raise SystemExit(f"{args.source} not found: apt-get install -y {packages}")
    print(build(args.source, args.out))


def notes_and_queries(build: Callable[[Path, Path], tuple[int, int]]) -> Callable[[Path, Path], str]:
    """A builder returning (notes, queries) written, as `set_cli` runs it."""

    def run(source: Path, out: Path) -> str:
        notes, queries = build(source, out)
        return f"{queries} queries, {notes} notes written to {out}"

    return run


def faq_cli(
    description: str, default_source: Path, debian_package: str, collect: Callable[[Path], list[FaqEntry]]
) -> None:
    """The command line both FAQ builders share."""
    set_cli(
        description,
        default_source,
        f"the FAQ pages of {debian_package}",
        debian_package,
        lambda source, out: f"{write_faq_set(collect(source), out)} questions written to {out}",
    )


def main() -> None:
    faq_cli(__doc__.splitlines()[0], DEFAULT_SOURCE, "python3-doc", collect)


if __name__ == "__main__":
    main()
