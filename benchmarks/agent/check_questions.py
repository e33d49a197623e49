"""Check the agent development question set against the sample notes it was written from.

Why: a question whose `fact` regex does not occur on its `page_id` page (or whose page id is
mistyped) would silently score the agent as wrong forever. This script proves every answerable
question is grounded in the page it names, and that the file is well-formed, before the set is
used to tune or evaluate anything.

Usage: python benchmarks/agent/check_questions.py [questions.jsonl] [notes_dir]
Exit status 0 when clean, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = Path(__file__).with_name("questions.jsonl")
DEFAULT_NOTES = ROOT / "sample_data" / "notes"
PAGE_ID = re.compile(r" ([0-9a-f]{32})\.md$")
ID_FORMAT = re.compile(r"^[afu]-\d{3}$")


def load_pages(notes_dir: Path) -> dict[str, str]:
    """Map each page id (the 32-hex suffix of a Markdown file name) to the page's text."""
    pages: dict[str, str] = {}
    for path in notes_dir.rglob("*.md"):
        match = PAGE_ID.search(path.name)
        if match:
            pages[match.group(1)] = path.read_text(encoding="utf-8")
    return pages


def check_row(row: dict, pages: dict[str, str]) -> list[str]:
    """Problems with one question; an empty list means it is consistent with the notes."""
    qid = row.get("id", "?")
    problems: list[str] = []
    if not ID_FORMAT.match(str(qid)):
        problems.append(f"{qid}: id must look like a-001, u-001 or f-001")
    if not str(row.get("question", "")).strip():
        problems.append(f"{qid}: empty question")
    if qid.startswith("f-"):
        history = row.get("history") or []
        if not history or any(turn.get("role") not in {"user", "assistant"} for turn in history):
            problems.append(f"{qid}: follow-up needs a history of user/assistant turns")
    if row.get("answerable") is False:
        if not str(row.get("why", "")).strip():
            problems.append(f"{qid}: unanswerable question needs a 'why'")
        return problems
    try:
        fact = re.compile(row["fact"], re.IGNORECASE)
    except (KeyError, re.error) as exc:
        return [*problems, f"{qid}: bad fact regex: {exc}"]
    for page_id in [row.get("page_id"), *row.get("also_pages", [])]:
        if page_id not in pages:
            problems.append(f"{qid}: page {page_id} is not in the notes")
        elif not fact.search(pages[page_id]):
            problems.append(f"{qid}: fact /{row['fact']}/ not found on page {page_id}")
    return problems


def check_file(questions: Path, notes_dir: Path) -> list[str]:
    """All problems in the question file: malformed lines, ordering, duplicates and ungrounded facts."""
    pages = load_pages(notes_dir)
    problems: list[str] = []
    ids: list[str] = []
    for number, line in enumerate(questions.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON: {exc}")
            continue
        ids.append(str(row.get("id")))
        problems.extend(check_row(row, pages))
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")
    if ids != sorted(ids):
        problems.append("file is not sorted by id")
    return problems


def main(argv: list[str]) -> int:
    questions = Path(argv[1]) if len(argv) > 1 else DEFAULT_QUESTIONS
    notes_dir = Path(argv[2]) if len(argv) > 2 else DEFAULT_NOTES
    problems = check_file(questions, notes_dir)
    for problem in problems:
        print(problem)
    rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [r for r in rows if r.get("answerable") is not False]
    print(
        f"{len(rows)} questions: {sum(r['id'].startswith('a-') for r in rows)} answerable, "
        f"{sum(r['id'].startswith('u-') for r in rows)} unanswerable, "
        f"{sum(r['id'].startswith('f-') for r in rows)} follow-ups, "
        f"{len({r['page_id'] for r in answerable})} distinct pages; {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
