"""Check a personal-notes question set (a folder with `questions.jsonl` and `export/`) against its export.

Why: a question whose `fact` regex does not occur on the page it names (or whose page id is
mistyped) would score every answer as wrong forever. This proves each answerable question is
grounded in its page and in every page listed as also stating it, that unanswerable questions name
nothing, and that the file is well-formed, before the set is used to evaluate anything. One script
serves every such set (`personal/`, `personal2/`, ...), so a new set is checked by the same rules.

Ids are `<letter>-NNN` (answerable), `<letter>u-NNN` (unanswerable) and `<letter>f-NNN` (answerable
follow-ups, the only ones with a history), one letter per set: `p` in `personal/`, `q` in `personal2/`
(a letter and a digit, such as `a2` in `personal12/`, once single letters run out).

Usage: python benchmarks/agent/check_personal.py [set_dir ...]   (default: benchmarks/agent/personal)
Exit status 0 when every set is clean, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SET = HERE / "personal"
PAGE_ID = re.compile(r" ([0-9a-f]{32})\.md$")
ID_FORMAT = re.compile(r"^([a-z][0-9]?)([uf]?)-\d{3}$")  # a letter, or a letter and a digit (`a2`) once letters run out
FIELDS = {"id", "question", "answerable", "page_id", "also_pages", "fact", "history"}


def load_pages(export_dir: Path) -> dict[str, str]:
    """Map each page id (the 32-hex suffix of a Markdown file name) to the page's text."""
    return {
        match.group(1): path.read_text(encoding="utf-8")
        for path in export_dir.rglob("*.md")
        if (match := PAGE_ID.search(path.name))
    }


def fact_problems(qid: str, fact: str, page_ids: list[str], pages: dict[str, str]) -> list[str]:
    """The fact must compile and occur on its page and on each also-page (all must state it)."""
    try:
        pattern = re.compile(fact, re.IGNORECASE)
    except re.error as exc:
        return [f"{qid}: fact /{fact}/ is not a regex ({exc})"]
    problems = []
    for pid in page_ids:
        if pid not in pages:
            problems.append(f"{qid}: page {pid} is not in the export")
        elif not pattern.search(pages[pid]):
            problems.append(f"{qid}: fact /{fact}/ does not occur on page {pid}")
    return problems


def check_row(row: dict, pages: dict[str, str]) -> list[str]:
    """Problems with one question; an empty list means it is consistent with the export."""
    qid = str(row.get("id", "?"))
    problems = [f"{qid}: fields {sorted(set(row) ^ FIELDS)} differ"] if set(row) != FIELDS else []
    match = ID_FORMAT.match(qid)
    kind = match.group(2) if match else ""
    if not match:
        problems.append(f"{qid}: id is not x-NNN, xu-NNN or xf-NNN")
    history = row.get("history") or []
    if any(set(turn) != {"role", "content"} or turn["role"] not in ("user", "assistant") for turn in history):
        problems.append(f"{qid}: history turns need role user/assistant and content")
    if (kind == "f") != bool(history):
        problems.append(f"{qid}: follow-ups (xf-) and only they carry a history")
    if (kind == "u") == bool(row.get("answerable")):
        problems.append(f"{qid}: unanswerable questions (xu-) and only they have answerable false")
    if not row.get("answerable"):
        if row.get("page_id") is not None or row.get("fact") is not None or row.get("also_pages"):
            problems.append(f"{qid}: unanswerable question names a page or fact")
        return problems
    also = row.get("also_pages") or []
    if row.get("page_id") in also:
        problems.append(f"{qid}: also_pages repeats page_id")
    return problems + fact_problems(qid, str(row.get("fact")), [str(row.get("page_id")), *also], pages)


def check_set(set_dir: Path) -> list[str]:
    """Every problem in one set folder, each line prefixed with the folder name; ends with a summary."""
    pages = load_pages(set_dir / "export")
    lines = (set_dir / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    ids = [str(row.get("id")) for row in rows]
    problems = [f"{qid}: id used more than once" for qid in sorted({i for i in ids if ids.count(i) > 1})]
    if len({m.group(1) for i in ids if (m := ID_FORMAT.match(i))}) > 1:
        problems.append("ids use more than one set letter")
    for row in rows:
        problems += check_row(row, pages)
    answerable = sum(1 for row in rows if row.get("answerable"))
    summary = (
        f"{len(pages)} pages, {len(rows)} questions ({answerable} answerable, {len(rows) - answerable} unanswerable, "
        f"{sum(1 for row in rows if row.get('history'))} follow-ups): "
        f"{'OK' if not problems else f'{len(problems)} problems'}"
    )
    return [f"{set_dir.name}: {line}" for line in [*problems, summary]]


def main(argv: list[str]) -> int:
    set_dirs = [Path(arg) for arg in argv[1:]] or [DEFAULT_SET]
    missing = [str(d) for d in set_dirs if not (d / "questions.jsonl").is_file()]
    if missing:  # "--help" and a mistyped folder alike
        print(f"usage: check_personal.py [SET_DIR ...]; no questions.jsonl in: {', '.join(missing)}", file=sys.stderr)
        return 2
    failed = False
    for set_dir in set_dirs:
        report = check_set(set_dir)
        print("\n".join(report))
        failed = failed or not report[-1].endswith("OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
