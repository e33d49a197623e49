"""Load a BEIR-style retrieval test set: a folder of Markdown notes, queries.jsonl, qrels.tsv.

The corpus is Markdown rather than BEIR's corpus.jsonl because that is what a knowledge base
looks like to this project (a Notion export is a folder of `.md` files), so the same files go
through the same chunker as real pages. Every problem a user can cause is a `SecondBrainError`
naming the file and, where there is one, the line: a typo in line 812 of a qrels file must be
findable without a debugger.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.evals.lines import loads_line, read_file, read_lines


@dataclass(frozen=True)
class CorpusDoc:
    """One note of the corpus; `id` is the file stem, which the qrels refer to."""

    id: str
    title: str
    text: str


@dataclass
class BeirSet:
    corpus: dict[str, CorpusDoc]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)


def load_corpus(folder: Path) -> dict[str, CorpusDoc]:
    """Every `*.md` under `folder`; title = the first `# ` heading (removed from the text) or the stem."""
    if not folder.is_dir():
        raise SecondBrainError(f"corpus folder {folder} does not exist or is not a folder")
    corpus: dict[str, CorpusDoc] = {}
    for path in sorted(folder.rglob("*.md")):
        if path.stem in corpus:
            raise SecondBrainError(f"corpus {folder}: two files with doc id {path.stem!r} ({path})")
        if not path.resolve().is_relative_to(folder.resolve()):
            raise SecondBrainError(f"corpus {folder}: {path} links outside the corpus")
        try:
            markdown = read_file(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SecondBrainError(f"corpus file {path} is not UTF-8 text: {exc}") from exc
        corpus[path.stem] = _parse_note(path.stem, markdown)
    if not corpus:
        raise SecondBrainError(f"corpus folder {folder} holds no .md files")
    return corpus


def _parse_note(doc_id: str, markdown: str) -> CorpusDoc:
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("# "):
            body = "\n".join(lines[:index] + lines[index + 1 :]).strip()
            return CorpusDoc(id=doc_id, title=line[2:].strip() or doc_id, text=body)
    return CorpusDoc(id=doc_id, title=doc_id, text=markdown.strip())


def load_queries(path: Path) -> dict[str, str]:
    """`{"_id": ..., "text": ...}` per line; blank lines are skipped."""
    queries: dict[str, str] = {}
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            record = loads_line(line)
        except json.JSONDecodeError as exc:
            raise SecondBrainError(f"{path} line {number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise SecondBrainError(f"{path} line {number}: expected a JSON object with _id and text")
        for key in ("_id", "text"):
            if not isinstance(record.get(key), str | int) or str(record[key]).strip() == "":
                raise SecondBrainError(f"{path} line {number}: missing or empty field {key!r}")
        query_id = str(record["_id"])
        if query_id in queries:
            raise SecondBrainError(f"{path} line {number}: duplicate query id {query_id!r}")
        queries[query_id] = str(record["text"])
    if not queries:
        raise SecondBrainError(f"{path} holds no queries")
    return queries


def load_qrels(path: Path, query_ids: Collection[str], doc_ids: Collection[str]) -> dict[str, dict[str, int]]:
    """`query-id<TAB>corpus-id<TAB>score`, after BEIR's header line; ids must exist in the set."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in read_lines(path):
        if not line.strip() or (number == 1 and line.startswith("query-id")):
            continue
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != 3:
            raise SecondBrainError(f"{path} line {number}: expected 3 tab-separated fields, got {len(parts)}")
        query_id, doc_id, score = (p.strip() for p in parts)
        try:
            grade = int(score)
        except ValueError as exc:
            raise SecondBrainError(f"{path} line {number}: score {score!r} is not an integer") from exc
        if query_id not in query_ids:
            raise SecondBrainError(f"{path} line {number}: unknown query id {query_id!r} (not in the queries file)")
        if doc_id not in doc_ids:
            raise SecondBrainError(f"{path} line {number}: unknown corpus id {doc_id!r} (not in the corpus)")
        qrels.setdefault(query_id, {})[doc_id] = grade
    if not qrels:
        raise SecondBrainError(f"{path} holds no judgments")
    return qrels


def load_beir(corpus_dir: Path, queries_path: Path, qrels_path: Path) -> BeirSet:
    corpus = load_corpus(corpus_dir)
    queries = load_queries(queries_path)
    return BeirSet(corpus=corpus, queries=queries, qrels=load_qrels(qrels_path, queries.keys(), corpus.keys()))
