"""Check the personal-workspace question set against the export it was written for.

Why: a question whose `fact` regex does not occur on the page it names (or whose page id is
mistyped) would score every answer as wrong forever. This proves each answerable question is
grounded in its page and the also-pages exist, and that the file is well-formed, before the set
is used to evaluate anything.

Usage: python benchmarks/agent/personal/check.py [questions.jsonl] [export_dir]
Exit status 0 when clean, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE_ID = re.compile(r" ([0-9a-f]{32})\.md$")
ID_FORMAT = re.compile(r"^p[uf]?-\d{3}$")
FIELDS = {"id", "question", "answerable", "page_id", "also_pages", "fact", "history"}


def load_pages(export_dir: Path) -> dict[str, str]:
    """Map each page id (the 32-hex suffix of a Markdown file name) to the page's text."""
    return {
        match.group(1): path.read_text(encoding="utf-8")
        for path in export_dir.rglob("*.md")
        if (match := PAGE_ID.search(path.name))
    }


def check_row(row: dict, pages: dict[str, str]) -> list[str]:
    """Problems with one question; an empty list means it is consistent with the export."""
    qid = row.get("id", "?")
    problems = [f"{qid}: fields {sorted(set(row) ^ FIELDS)} differ"] if set(row) != FIELDS else []
    if not ID_FORMAT.match(str(qid)):
        problems.append(f"{qid}: id is not p-NNN, pu-NNN or pf-NNN")
    history = row.get("history") or []
    if any(set(turn) != {"role", "content"} or turn["role"] not in ("user", "assistant") for turn in history):
        problems.append(f"{qid}: history turns need role user/assistant and content")
    if str(qid).startswith("pf-") != bool(history):
        problems.append(f"{qid}: follow-ups (pf-) and only they carry a history")
    if not row.get("answerable"):
        if row.get("page_id") is not None or row.get("fact") is not None or row.get("also_pages"):
            problems.append(f"{qid}: unanswerable question names a page or fact")
        return problems
    page = pages.get(row.get("page_id") or "")
    if page is None:
        return [*problems, f"{qid}: page {row.get('page_id')} is not in the export"]
    problems += [f"{qid}: also-page {pid} is not in the export" for pid in row["also_pages"] if pid not in pages]
    if not re.search(row["fact"], page, re.IGNORECASE):
        problems.append(f"{qid}: fact /{row['fact']}/ does not occur on its page")
    return problems


def main(argv: list[str]) -> int:
    questions_path = Path(argv[1]) if len(argv) > 1 else HERE / "questions.jsonl"
    export_dir = Path(argv[2]) if len(argv) > 2 else HERE / "export"
    pages = load_pages(export_dir)
    rows = [json.loads(line) for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [row.get("id") for row in rows]
    problems = [f"{qid}: id used more than once" for qid in sorted({i for i in ids if ids.count(i) > 1})]
    for row in rows:
        problems += check_row(row, pages)
    for line in problems:
        print(line)
    answerable = sum(1 for row in rows if row.get("answerable"))
    print(
        f"{len(pages)} pages, {len(rows)} questions ({answerable} answerable, "
        f"{len(rows) - answerable} unanswerable, {sum(1 for row in rows if row.get('history'))} follow-ups): "
        f"{'OK' if not problems else f'{len(problems)} problems'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
