"""Build `sample_data/` (the shipped knowledge base) from Debian's `postgresql-doc-15` HTML.

Why a builder and not hand-written notes: the demo, the retrieval evaluation and the tests
need a realistic workspace of real prose with real code blocks, tables, a page hierarchy, a
database and links into a reference site. The PostgreSQL manual (PostgreSQL License) gives
all of that, and rebuilding from the package keeps the result reproducible:

    apt-get update && apt-get install -y postgresql-doc-15
    python scripts/build_sample_data.py

Output (deterministic; ids are derived from the source file names, file times from the
package's file times):
- `sample_data/notes/`: a Notion "Markdown & CSV" export folder: `Title <32-hex-id>.md` pages,
  child pages in `Title <id>/` folders, a "Reading list" database (`.csv`, `_all.csv`, and
  one row page per row), relative percent-encoded links between notes.
- `sample_data/reference/`: the SQL command reference pages (`sql-*.html` + stylesheet) that
  the notes link to as `http://localhost:8765/docs/...` (served by
  `python -m secondbrain_core.sources.reference_site`).
- `sample_data/LICENSE`: the PostgreSQL License text from the manual's legal notice.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

DOC_DIR = Path("/usr/share/doc/postgresql-doc-15/html")
REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_BASE = "http://localhost:8765/docs/"
ROOT_KEY = "notes-root"
ROOT_TITLE = "PostgreSQL notes"
READING_LIST_KEY = "reading-list"
READING_LIST_TITLE = "Reading list"
READING_LIST_ROWS = 40
# The parts of the manual we keep and, under them, the chapters we keep whole.
PARTS = {"tutorial.html": None, "sql.html": None, "admin.html": None}
CHAPTERS = [
    "indexes.html",
    "mvcc.html",
    "performance-tips.html",
    "textsearch.html",
    "maintenance.html",
    "backup.html",
    "monitoring.html",
    "wal.html",
]
# Commands a reader of these chapters would also want to read, after the ones the notes link to.
ALSO_READ = [
    f"sql-{name}.html"
    for name in [
        "createtable",
        "altertable",
        "insert",
        "update",
        "delete",
        "merge",
        "copy",
        "truncate",
        "createview",
        "creatematerializedview",
        "refreshmaterializedview",
        "grant",
        "revoke",
        "createrole",
        "createfunction",
        "createtrigger",
        "prepare",
        "execute",
        "createextension",
        "createschema",
        "createsequence",
        "createstatistics",
        "altersystem",
        "set",
        "show",
        "listen",
        "notify",
        "declare",
        "fetch",
        "discard",
    ]
]
STATUSES = ["Done", "Reading", "To read"]
TOPICS = [
    (("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "VALUES", "TABLE", "WITH"), "Queries & DML"),
    (("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "START", "SET TRANSACTION", "LOCK"), "Transactions"),
    (("VACUUM", "ANALYZE", "REINDEX", "CLUSTER", "CHECKPOINT"), "Maintenance"),
    (("EXPLAIN", "PREPARE", "EXECUTE"), "Performance"),
    (("GRANT", "REVOKE", "CREATE ROLE", "ALTER ROLE", "CREATE POLICY"), "Security"),
    (("CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT"), "Schema (DDL)"),
]
NUMBERING = re.compile(r"^\s*(?:(?:Part|Chapter|Appendix)\s+[\w.]+\.\s*|\d+(?:\.\d+)*\.\s*)")
FILENAME_UNSAFE = re.compile(r'[\\/:*?"<>|]+')


@dataclass
class Note:
    """One page of the export before it is written: where it sits and what it says."""

    key: str  # the source file name (or a synthetic key), the seed of the id
    title: str
    parent: str | None
    html: Tag | None = None
    intro: str = ""
    children: list[str] = field(default_factory=list)
    mtime: float = 0.0

    @property
    def id(self) -> str:
        return notion_id(self.key)


def notion_id(key: str) -> str:
    """A Notion-like 32-hex page id, stable for a given source file name."""
    return hashlib.sha256(f"postgresql-doc-15/{key}".encode()).hexdigest()[:32]


def clean_title(text: str) -> str:
    return NUMBERING.sub("", " ".join(text.split())).strip()


def file_stem(title: str, key: str) -> str:
    """`Title <id>` as Notion names files, with characters no file system accepts removed."""
    return f"{FILENAME_UNSAFE.sub(' ', title).strip()[:80]} {notion_id(key)}"


def load(name: str) -> BeautifulSoup:
    return BeautifulSoup((DOC_DIR / name).read_text(encoding="utf-8"), "html.parser")


def up_link(soup: BeautifulSoup) -> str | None:
    link = soup.find("a", attrs={"accesskey": "u"})
    return link["href"] if link else None


def select_notes() -> dict[str, Note]:
    """Every page whose "Up" chain reaches a kept chapter, with parents from that chain."""
    soups = {p.name: load(p.name) for p in sorted(DOC_DIR.glob("*.html"))}
    ups = {name: up_link(soup) for name, soup in soups.items()}

    def kept(name: str) -> bool:
        seen = name
        while seen and seen not in PARTS:
            if seen in CHAPTERS or seen.startswith("tutorial"):
                return True
            seen = ups.get(seen)
        return name in PARTS

    notes: dict[str, Note] = {ROOT_KEY: Note(ROOT_KEY, ROOT_TITLE, None)}
    for name in sorted(n for n in soups if kept(n)):
        soup = soups[name]
        parent = ups[name] if ups[name] in soups and kept(ups[name]) else ROOT_KEY
        notes[name] = Note(
            name,
            clean_title(soup.title.get_text()),
            parent,
            html=soup.body,
            mtime=(DOC_DIR / name).stat().st_mtime,
        )
    notes[ROOT_KEY].mtime = max(n.mtime for n in notes.values())
    notes[ROOT_KEY].intro = (
        "My notes from reading the PostgreSQL 15 manual: the tutorial, the chapters on indexes, "
        "concurrency control, performance and full-text search, and the administration chapters "
        "on maintenance, backups, monitoring and the write-ahead log. SQL commands link to the "
        "local copy of the command reference."
    )
    _disambiguate(notes)
    for note in notes.values():
        if note.parent:
            notes[note.parent].children.append(note.key)
    order = {name: i for i, name in enumerate(reading_order(soups["index.html"]))}
    for note in notes.values():
        note.children.sort(key=lambda key: (order.get(key, len(order)), key))
    return notes


def reading_order(index: BeautifulSoup) -> list[str]:
    """Page names in the manual's own order (its table of contents), to order child pages."""
    names = [a["href"].split("#", 1)[0] for a in index.select("div.toc a[href]")]
    return list(dict.fromkeys(names))


def _disambiguate(notes: dict[str, Note]) -> None:
    """Titles like "Introduction" repeat across chapters; a reader needs to tell them apart."""
    counts: dict[str, int] = {}
    for note in notes.values():
        counts[note.title] = counts.get(note.title, 0) + 1
    for note in notes.values():
        if counts[note.title] > 1 and note.parent not in (None, ROOT_KEY):
            note.title = f"{note.title} ({notes[note.parent].title})"


def note_paths(notes: dict[str, Note]) -> dict[str, Path]:
    """Relative path of each page's .md file: children sit in a folder named like the parent."""
    paths: dict[str, Path] = {}

    def path_of(key: str) -> Path:
        if key not in paths:
            note = notes[key]
            folder = path_of(note.parent).with_suffix("") if note.parent else Path()
            paths[key] = folder / f"{file_stem(note.title, key)}.md"
        return paths[key]

    for key in notes:
        path_of(key)
    return paths


def export_link(from_file: Path, to_file: Path) -> str:
    """A relative, percent-encoded link as Notion writes it between exported pages."""
    return quote(os.path.relpath(to_file, from_file.parent).replace(os.sep, "/"))


class _Converter(MarkdownConverter):
    """markdownify with fenced code blocks and no escaping of `_` (pg_dump, not pg\\_dump)."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", escape_underscores=False, escape_asterisks=False, bullets="-")


def prepare_body(note: Note, here: Path, paths: dict[str, Path], refs: dict[str, int]) -> Tag:
    """Strip navigation and titles, rewrite links; counts the reference pages it links to."""
    body = note.html
    for selector in ("div.navheader", "div.navfooter", "div.toc", "a.indexterm", "img"):
        for tag in body.select(selector):
            tag.decompose()
    top = body.find(class_="titlepage")
    if top:
        top.decompose()
    for admonition in body.select("div.note, div.tip, div.warning, div.caution, div.important"):
        heading = admonition.find(re.compile("^h[1-6]$"))
        if heading:
            heading.name = "p"
            heading.string = f"**{heading.get_text(strip=True)}**"
    for heading in body.find_all(re.compile("^h[1-6]$")):
        heading.name = f"h{max(2, int(heading.name[1]) - 1)}"
        heading.string = clean_title(heading.get_text())
    for text in body.find_all(string=True):
        if not text.find_parent("pre"):
            text.replace_with(re.sub(r"\s+", " ", text))
    for link in body.find_all("a"):
        link.attrs.pop("title", None)
        href = link.get("href", "")
        target = href.split("#", 1)[0]
        if href.startswith(("http://", "https://")):
            continue
        if target.startswith("sql-") and target.endswith(".html") and (DOC_DIR / target).exists():
            link["href"] = REFERENCE_BASE + href
            refs[target] = refs.get(target, 0) + 1
        elif target in paths and target != note.key:
            link["href"] = export_link(here, paths[target])
        else:
            link.unwrap()
    return body


def render_note(note: Note, notes: dict[str, Note], paths: dict[str, Path], refs: dict[str, int]) -> str:
    here = paths[note.key]
    parts = [f"# {note.title}"]
    if note.intro:
        parts.append(note.intro)
    if note.html is not None:
        text = _Converter().convert_soup(prepare_body(note, here, paths, refs)).strip()
        if text:
            parts.append(text)
    if note.children:
        parts.append("\n".join(f"[{notes[c].title}]({export_link(here, paths[c])})" for c in note.children))
    return tidy("\n\n".join(parts))


def tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


@dataclass
class Row:
    """One reading-list entry: a SQL command reference page to read."""

    key: str
    name: str
    topic: str
    status: str
    link: str
    summary: str
    added: str
    description: str


def reading_list(refs: dict[str, int]) -> list[Row]:
    """The most-linked command reference pages, with properties a reader would keep."""
    commands = {ref: load(ref) for ref in [*refs, *ALSO_READ]}
    commands = {ref: soup for ref, soup in commands.items() if soup.select_one("div.refnamediv p")}
    chosen = sorted(commands, key=lambda r: (-refs.get(r, 0), ALSO_READ.index(r) if r in ALSO_READ else 0, r))
    chosen = chosen[:READING_LIST_ROWS]
    rows = []
    for i, ref in enumerate(sorted(chosen)):
        soup = commands[ref]
        name = soup.select_one("span.refentrytitle").get_text(strip=True)
        purpose = soup.select_one("div.refnamediv p").get_text(" ", strip=True)
        summary = " ".join(purpose.split(" — ", 1)[-1].split())
        section = next(s for s in soup.select("div.refsect1") if s.find("h2").get_text(strip=True) == "Description")
        section.find("h2").decompose()
        description = _Converter().convert_soup(prepare_body(Note(ref, name, None, html=section), Path(ref), {}, {}))
        key = f"{READING_LIST_KEY}/{ref}"
        rows.append(
            Row(
                key=key,
                name=name,
                topic=next((t for words, t in TOPICS if name.startswith(words)), "Other"),
                status=STATUSES[int(notion_id(key), 16) % len(STATUSES)],
                link=REFERENCE_BASE + ref,
                summary=summary,
                added=_notion_date(date(2024, 1, 8) + timedelta(days=5 * i)),
                description=description.strip(),
            )
        )
    return rows


def _notion_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


README = """# Sample knowledge base

A small Notion workspace for the demo, the tests and the retrieval evaluation, built from the
PostgreSQL 15 manual as shipped in Debian's `postgresql-doc-15` package
(`/usr/share/doc/postgresql-doc-15/html/`).

- `notes/` is a Notion "Markdown & CSV" export folder: {notes} pages (a "PostgreSQL notes" root,
  the tutorial, the SQL-language chapters on indexes, concurrency control, performance tips and
  full-text search, and the administration chapters on maintenance, backup and restore,
  monitoring and the write-ahead log), converted from HTML to Markdown, plus a "Reading list"
  database of {rows} rows (`.csv`, `_all.csv` and one page per row). Links between notes are
  relative export links; links to SQL commands point at `http://localhost:8765/docs/`.
- `reference/` holds the SQL command reference pages (`sql-*.html`) and their stylesheet,
  unchanged; `python -m secondbrain_core.sources.reference_site` serves them at
  `http://localhost:8765/docs/` so the crawl step crawls real pages.

License: the PostgreSQL documentation is released under the PostgreSQL License; see
`LICENSE` (copied from the manual's legal notice). Copyright the PostgreSQL Global
Development Group and the Regents of the University of California.

Rebuild (deterministic: ids derive from the manual's file names, file times from the package):

    apt-get update && apt-get install -y postgresql-doc-15
    .venv/bin/python scripts/build_sample_data.py
"""

ROW_FIELDS = ["Name", "Topic", "Status", "Link", "Summary", "Added"]


def row_properties(row: Row) -> list[str]:
    return [row.name, row.topic, row.status, row.link, row.summary, row.added]


def write_reading_list(out: Path, root_dir: Path, rows: list[Row], mtime: float) -> Path:
    """The database as Notion exports it: `<db>.csv`, `<db>_all.csv` and a folder of row pages."""
    stem = file_stem(READING_LIST_TITLE, READING_LIST_KEY)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROW_FIELDS)
    for row in rows:
        writer.writerow(row_properties(row))
    for suffix in (".csv", "_all.csv"):
        _write(out / root_dir / f"{stem}{suffix}", "\ufeff" + buffer.getvalue(), mtime)
    for row in rows:
        props = "\n".join(f"{k}: {v}" for k, v in zip(ROW_FIELDS[1:], row_properties(row)[1:], strict=True))
        text = f"# {row.name}\n\n{props}\n\n{row.description}\n"
        _write(out / root_dir / stem / f"{file_stem(row.name, row.key)}.md", tidy(text), mtime)
    return root_dir / f"{stem}.csv"


def _write(path: Path, text: str, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def build(out: Path) -> dict[str, int]:
    """Write the whole sample into `out` (replaced); returns counts for the log line."""
    notes = select_notes()
    paths = note_paths(notes)
    refs: dict[str, int] = {}
    rendered = {key: render_note(note, notes, paths, refs) for key, note in notes.items()}
    root = notes[ROOT_KEY]
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        staging = Path(tmp) / "sample_data"
        rows = reading_list(refs)
        csv_path = write_reading_list(staging / "notes", paths[ROOT_KEY].with_suffix(""), rows, root.mtime)
        root_link = f"[{READING_LIST_TITLE}]({export_link(paths[ROOT_KEY], csv_path)})"
        rendered[ROOT_KEY] = tidy(rendered[ROOT_KEY] + "\n" + root_link)
        for key, text in rendered.items():
            _write(staging / "notes" / paths[key], text, notes[key].mtime)
        reference = staging / "reference"
        reference.mkdir()
        for page in [*sorted(DOC_DIR.glob("sql-*.html")), DOC_DIR / "stylesheet.css"]:
            shutil.copy2(page, reference / page.name)
        legal = load("legalnotice.html").body
        for tag in legal.select("div.navheader, div.navfooter"):
            tag.decompose()
        _write(staging / "LICENSE", tidy(_Converter().convert_soup(legal)), root.mtime)
        _write(staging / "README.md", README.format(notes=len(notes), rows=len(rows)), root.mtime)
        if out.exists():
            shutil.rmtree(out)
        shutil.move(staging, out)
    return {"notes": len(notes), "rows": len(rows), "reference_pages": len(list((out / "reference").glob("*.html")))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "sample_data")
    args = parser.parse_args()
    if not DOC_DIR.is_dir():
        raise SystemExit(f"{DOC_DIR} not found: apt-get update && apt-get install -y postgresql-doc-15")
    counts = build(args.out.resolve())
    print(" ".join(f"{k}={v}" for k, v in counts.items()), f"-> {args.out}")


if __name__ == "__main__":
    main()
