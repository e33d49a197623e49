"""A Notion "Markdown & CSV" export (the .zip or its unzipped folder) as a `Source`.

Notion writes each page as `Title <32-hex-id>.md`, its child pages in a folder `Title <id>/`
beside it, each database as `Title <id>.csv` (newer exports add `Title <id>_all.csv`, the same
rows unfiltered) with its row pages in `Title <id>/`, and links between pages as relative,
percent-encoded paths. This module turns that layout back into pages with parents, database
rows with properties, and links rewritten to the pages' Notion addresses, the way the API
source renders them, so both sources feed the same downstream steps.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import itertools
import logging
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.sources.export_files import ExportFile, read_export
from secondbrain_core.sources.export_markdown import image_caption, outside_code, squeeze_blank_lines, strip_notion_html
from secondbrain_core.sources.notion_blocks import notion_url, render_properties
from secondbrain_core.sources.page import Page, PageStub

log = logging.getLogger(__name__)

# The id at the end of a file name (`Title <id>.md`, `Title <id>_all.csv`); searched for rather
# than matched after a lazy title, which backtracked quadratically on a long run of spaces.
EXPORT_ID = re.compile(r"(?P<id>[0-9a-fA-F]{32})(?P<all>_all)?$")
# A link or image (`!`). The text may hold brackets and the target parentheses, balanced and one
# deep (a title `[Draft] Plan`; Notion keeps a title's `(`/`)` unencoded: `Notes%20(weekly)%20<id>.md`),
# so every character is scanned from two openings at most: with `[^\]]*` a page of unclosed
# `[a](` took time quadratic in its length.
MARKDOWN_LINK = re.compile(
    r"(?P<image>!?)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?P<target>(?:[^()\[\]\s]|\([^()\[\]\s]*\))+)\)"
)
# A page's address on notion.so (`https://www.notion.so/Title-<id>?pvs=21`, with a workspace too).
NOTION_PAGE_URL = re.compile(r"^https?://(?:www\.)?notion\.so/(?:[^?#\s]*[/-])?(?P<id>[0-9a-fA-F]{32})(?:[?#]\S*)?$")
# An uploaded file's temporary address (`https://prod-files-secure.s3…/file.pdf?X-Amz-Signature=…`).
SIGNED_URL = re.compile(r"^https://[^?\s]+\?\S*X-Amz-(?:Signature|Credential)=", re.IGNORECASE)
# A relation cell of a database row: `Title (Other%20DB/Title%20<id>.md)` or `Title (https://www.notion.so/…)`.
RELATION = re.compile(r"(?P<title>[^,()]+?) \((?P<target>https?://[^\s()]+|[^\s()]+\.md)\)")
NEAREST_ROW_CANDIDATES = 300
UNTITLED = "Untitled"  # what Notion calls (and names the file of) a page or row without a title
PROPERTY_LINE = re.compile(r"^(?P<name>[^:\n]{1,100}): (?P<value>.*)$")


@dataclass(frozen=True)
class _Node:
    """What a file name says: the page id, the title Notion put in it, the folder it names."""

    id: str
    title: str
    folder: PurePosixPath
    from_notion: bool = True

    @classmethod
    def of(cls, path: PurePosixPath) -> _Node:
        match = EXPORT_ID.search(path.stem)
        if match:
            title = path.stem[: match.start()].rstrip()
            return cls(match["id"].lower(), title, path.with_name(path.stem.removesuffix("_all")))
        return cls(_stable_id(path.as_posix()), path.stem, path.with_suffix(""), from_notion=False)

    @property
    def url(self) -> str:
        """Only ids Notion gave (in the file name) have a page on notion.so."""
        return notion_url(self.id) if self.from_notion else ""


def _stable_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class NotionExportSource:
    """The `notion-export:PATH` source. The export is read whole on `list_pages` (it is one
    local file) and every error, a bad zip included, is raised there, before anything is written."""

    edit_time_resolution = timedelta(0)  # file times: a re-export of an edited page moves them
    listing_complete = True  # the whole export is read, or the listing fails

    def __init__(self, path: Path, name: str) -> None:
        self.path = path.expanduser()  # `notion-export:~/Downloads/…` in .env: no shell expands it there
        self.name = name
        self._pages: dict[str, Page] | None = None

    def list_pages(self) -> list[PageStub]:
        self._pages = parse_export(read_export(self.path), self.name)
        return [PageStub(id=p.id, last_edited_time=p.last_edited_time, title=p.title) for p in self._pages.values()]

    def fetch_page(self, stub: PageStub) -> Page:
        if self._pages is None:
            self.list_pages()
        return self._pages[stub.id]


def parse_export(files: list[ExportFile], source: str) -> dict[str, Page]:
    """Pages by id: plain pages, one page per database (its table) and one per database row.

    A page file with no text (a blank page, `Untitled` as Notion made it) is left out: a
    workspace holds many, nothing in them can be retrieved, and the ingest check
    `no_empty_pages` fails the whole source on one. Database rows stay: their table lists them."""
    nodes = {f.path: _Node.of(f.path) for f in files}
    tables = _pick_tables(files, nodes)
    named = {f.path: nodes[f.path] for f in files if f.suffix in (".md", ".csv")}
    folders = _folder_owners(named)
    links = _LinkResolver(named)
    row_files = _row_files(files, nodes, folders, {nodes[p].id for p in tables})
    titles = _database_titles(files, links, {nodes[p].id for p in tables})
    pages: dict[str, Page] = {}
    for path, table in tables.items():
        node = dataclasses.replace(nodes[path], title=titles.get(nodes[path].id, nodes[path].title))
        database = _Database(table, node, _parent(path, folders), links, source)
        for page in database.pages(row_files.get(nodes[path].id, {})):
            pages.setdefault(page.id, page)
    first_file: dict[str, PurePosixPath] = {}
    blank = 0
    for file in files:
        node = nodes[file.path]
        if file.suffix != ".md":
            continue
        if node.id in first_file:  # two files claim one page (copied by hand, zipped twice): say which is kept
            log.warning(
                "%s: %r and %r have the same page id %s; keeping the first",
                source,
                str(first_file[node.id]),
                str(file.path),
                node.id,
            )
            continue
        first_file[node.id] = file.path
        if node.id not in pages:
            title, body = _split_title(file.text, node.title)
            page = links.page(node, title, body, file, _parent(file.path, folders), source)
            if page.markdown.strip():
                pages[node.id] = page
            else:
                blank += 1
    if blank:
        log.info("%s: %d blank pages left out (no text in them)", source, blank)
    return pages


def _database_titles(files: list[ExportFile], links: _LinkResolver, databases: set[str]) -> dict[str, str]:
    """Each database's title as a page links to it: the CSV's file name loses what Notion cannot
    put in one (`Q1: Goals` is `Q1 Goals <id>.csv`; a long title is cut short)."""
    titles: dict[str, str] = {}
    for file in files:
        if file.suffix != ".md":
            continue
        for match in MARKDOWN_LINK.finditer(file.text):
            node = None if match["image"] else links.resolve(match["target"], file.path)
            if node and node.id in databases and node.id not in titles and _same_name(match["text"], node.title):
                titles[node.id] = match["text"].strip()
    return titles


def _same_name(text: str, file_title: str) -> bool:
    """Whether a link's text is the title a file name was made from (a page may link as `my books`)."""

    def letters(value: str) -> str:
        return "".join(ch for ch in value.casefold() if ch.isalnum())

    return bool(text.strip()) and letters(text).startswith(letters(file_title))


def _folder_owners(named: dict[PurePosixPath, _Node]) -> dict[PurePosixPath, str]:
    """The page each folder of sub-pages belongs to: `Title <id>/` beside `Title <id>.md`, or,
    as newer exports name them, `Title/` beside the one `Title <id>.md` of that folder."""
    owners = {node.folder: node.id for node in named.values()}
    bare: dict[PurePosixPath, set[str]] = defaultdict(set)
    for path, node in named.items():
        if node.from_notion and node.title:
            bare[path.parent / node.title].add(node.id)
    for folder, ids in bare.items():
        if len(ids) == 1 and folder not in owners:  # two `Untitled <id>.md` side by side: whose is `Untitled/`?
            owners[folder] = ids.pop()
    return owners


def _pick_tables(files: list[ExportFile], nodes: dict[PurePosixPath, _Node]) -> dict[PurePosixPath, ExportFile]:
    """One CSV per database: `_all.csv` (every row) when the export has it, else the view's."""
    tables: dict[PurePosixPath, ExportFile] = {}
    for file in files:
        if file.suffix != ".csv":
            continue
        key = nodes[file.path].folder
        if key not in tables or file.path.stem.endswith("_all"):
            tables[key] = file
    return {file.path: file for file in tables.values()}


def _row_files(
    files: list[ExportFile], nodes: dict[PurePosixPath, _Node], folders: dict[PurePosixPath, str], databases: set[str]
) -> dict[str, dict[str, list[ExportFile]]]:
    """Row pages of each database (by its id), by the title in their heading (kept in file order)."""
    rows: dict[str, dict[str, list[ExportFile]]] = defaultdict(lambda: defaultdict(list))
    for file in files:
        owner = folders.get(file.path.parent)
        if file.suffix == ".md" and owner in databases:
            title, _ = _split_title(file.text, nodes[file.path].title)
            rows[owner][title].append(file)
    return rows


class _Database:
    """One database CSV: a page for the database (its rows as a table) and one per row."""

    def __init__(self, table: ExportFile, node: _Node, parent: str | None, links: _LinkResolver, source: str):
        try:
            records = [r for r in csv.reader(io.StringIO(table.text)) if any(cell.strip() for cell in r)]
        except csv.Error as exc:  # a cell over the csv module's field limit (128 kB), a stray NUL...
            raise SecondBrainError(f"{source}: {table.path} is not a readable CSV table: {exc}") from exc
        self.header, self.records = (records[0], records[1:]) if records else ([], [])
        self.table, self.node, self.parent, self.links, self.source = table, node, parent, links, source

    def pages(self, row_files: dict[str, list[ExportFile]]) -> list[Page]:
        title_column = self._title_column(row_files)
        unclaimed = _RowPages(row_files, self)
        occurrences: dict[str, int] = defaultdict(int)
        rows = []
        for record in self.records:
            cells = [*record, *[""] * (len(self.header) - len(record))]
            title = cells[title_column].strip()
            values = {name: cells[i] for i, name in enumerate(self.header) if i != title_column}
            occurrences[title] += 1
            file = unclaimed.claim(title, self.shown(values, self.table.path))
            rows.append(self._row(title, values, file, occurrences[title]))
        for file in unclaimed.left():  # row pages the CSV no longer lists (a filtered view's) still belong here
            title, body = _split_title(file.text, _Node.of(file.path).title)
            rows.append(self._row(title, _property_lines(body, self.header)[0], file, 1))
        # a row that is only a title (a reading list of names) is a line of the database's table,
        # not a page: alone it holds nothing to retrieve, and `no_empty_pages` failed the source on it
        rows = [row for row in rows if row.markdown.strip() or row.properties]
        database = Page(
            id=self.node.id,
            source=self.source,
            title=self.node.title,
            url=self.node.url,
            parent=self.parent,
            markdown=_table(self.header, [[self.links.cell(v, self.table.path)[0] for v in r] for r in self.records]),
            properties={"columns": self.header},
            links=[row.id for row in rows],
            last_edited_time=self.table.modified,
        )
        return [database, *rows]

    def _title_column(self, row_files: dict[str, list[ExportFile]]) -> int:
        """Notion writes the title column first, unless the view moved it: then the column whose
        cells name the most row pages (the first on a tie)."""
        if not row_files or not self.header:
            return 0

        def named(column: int) -> int:
            return sum(((r[column].strip() if column < len(r) else "") or UNTITLED) in row_files for r in self.records)

        return max(range(len(self.header)), key=lambda column: (named(column), -column))

    def shown(self, values: dict[str, str], here: PurePosixPath) -> frozenset[tuple[str, str]]:
        """The non-empty properties as a row page shows them (relations by title: the CSV and
        the page give their paths from different folders)."""
        return frozenset((name, self.links.cell(v, here)[0].strip()) for name, v in values.items() if v.strip())

    def _row(self, title: str, values: dict[str, str], file: ExportFile | None, occurrence: int) -> Page:
        """A row; its properties (title column aside) lead its text, as the API source does."""
        properties, related = self.links.properties(values, self.table.path if file is None else file.path)
        if file is None:
            node = _Node(_stable_id(f"{self.node.id}/{title}/{occurrence}"), title, self.node.folder, False)
            body, targets, edited = "", [], self.table.modified
        else:
            node, edited = _Node.of(file.path), file.modified
            body = _property_lines(_split_title(file.text, title)[1], self.header)[1]
            body, targets = self.links.rewrite(body, file.path)
        return Page(
            id=node.id,
            source=self.source,
            title=title or node.title or UNTITLED,
            url=node.url,
            parent=self.node.id,
            markdown="\n\n".join(part for part in (render_properties(properties), body) if part),
            properties=properties,
            links=list(dict.fromkeys([*related, *targets])),
            last_edited_time=edited,
        )


class _RowPages:
    """A database's row pages not yet paired with a CSV row, by title and shown properties.

    Rows may share a title (`Untitled`, a recurring `Weekly review`): the page whose `Key: value`
    lines show the row's values is its page (file order had paired one row's properties with
    another's text), else the one agreeing on most values, else the first with that title."""

    def __init__(self, row_files: dict[str, list[ExportFile]], database: _Database) -> None:
        # insertion-ordered dicts used as ordered sets: claiming one of 10,000 `Untitled` rows is O(1)
        self.by_title = {title: {file.path: file for file in files} for title, files in row_files.items()}
        self.shown = {
            file.path: database.shown(_property_lines(_split_title(file.text, "")[1], database.header)[0], file.path)
            for files in row_files.values()
            for file in files
        }
        self.exact: dict[tuple[str, frozenset[tuple[str, str]]], dict[PurePosixPath, ExportFile]] = defaultdict(dict)
        for title, files in row_files.items():
            for file in files:
                self.exact[title, self.shown[file.path]][file.path] = file

    def claim(self, title: str, shown: frozenset[tuple[str, str]]) -> ExportFile | None:
        """The row page for a CSV row titled `title` (empty: Notion's `# Untitled`) showing `shown`."""
        title = title or UNTITLED
        candidates = self.by_title.get(title, {})
        same = self.exact.get((title, shown))
        if same:
            file = next(iter(same.values()))
        elif candidates:  # scored among the first few hundred: all 10,000 per row was quadratic
            nearest = itertools.islice(candidates.values(), NEAREST_ROW_CANDIDATES)
            file = max(nearest, key=lambda f: len(self.shown[f.path] & shown))
        else:
            return None
        del candidates[file.path], self.exact[title, self.shown[file.path]][file.path]
        return file

    def left(self) -> list[ExportFile]:
        return [file for files in self.by_title.values() for file in files.values()]


def _table(header: list[str], records: list[list[str]]) -> str:
    if not header:
        return ""

    def cells(values: list[str]) -> str:
        padded = [*values, *[""] * (len(header) - len(values))][: len(header)]
        return "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in padded) + " |"

    return "\n".join([cells(header), cells(["---"] * len(header)), *(cells(r) for r in records)])


def _split_title(text: str, fallback: str) -> tuple[str, str]:
    """The page's `# Title` line (Notion writes it first) and the body after it."""
    lines = text.lstrip("\n").split("\n")
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip() or fallback, "\n".join(lines[1:]).strip()
    return fallback, text.strip()


def _property_lines(body: str, columns: list[str]) -> tuple[dict[str, str], str]:
    """The `Property: value` lines Notion puts above a row's body (the CSV's columns), and the
    body after them."""
    lines = body.split("\n")
    names = set(columns)
    values: dict[str, str] = {}
    start = 0
    while start < len(lines):
        match = PROPERTY_LINE.match(lines[start])
        if not (match and match["name"] in names):
            break
        values[match["name"]] = match["value"]
        start += 1
    return values, "\n".join(lines[start:]).strip()


def _parent(path: PurePosixPath, folders: dict[PurePosixPath, str]) -> str | None:
    """The page whose folder holds this file, the nearest one up when folders sit between."""
    for folder in path.parents:
        if folder in folders:
            return folders[folder]
    return None


class _LinkResolver:
    """Relative export links → the target page's address; collects linked ids and web links.

    What is no page becomes text: an image its caption (or nothing), an attachment its name, so
    no percent-encoded path reaches the chunks; Notion's HTML is reduced to its text too."""

    def __init__(self, pages: dict[PurePosixPath, _Node]) -> None:
        self.by_path = {posixpath.normpath(path.as_posix()): node for path, node in pages.items()}
        self.by_id = {node.id: node for node in pages.values() if node.from_notion}

    def page(self, node: _Node, title: str, body: str, file: ExportFile, parent: str | None, source: str) -> Page:
        """A page from one Markdown file, its links rewritten."""
        markdown, targets = self.rewrite(body, file.path)
        return Page(
            id=node.id,
            source=source,
            title=title,
            url=node.url,
            parent=parent,
            markdown=markdown,
            links=targets,
            last_edited_time=file.modified,
        )

    def rewrite(self, markdown: str, here: PurePosixPath) -> tuple[str, list[str]]:
        targets: list[str] = []

        def replace(match: re.Match[str]) -> str:
            text, target = match["text"], match["target"]
            if match["image"]:
                return image_caption(text, target)
            if SIGNED_URL.search(target):  # a file on Notion's S3, its address valid for an hour
                return text
            if target.startswith(("http://", "https://")):
                node = self._notion_page(target)
                targets.append(node.id if node else target)
                return f"[{text}]({node.url})" if node else match.group(0)
            if target.startswith("#"):
                return text  # a block of this page (a table of contents lists them)
            if ":" in target.split("/", 1)[0]:
                return match.group(0)  # another scheme (mailto:, notion:)
            node = self.resolve(target, here)
            if node is None:  # an attachment, or a page left out of this export
                return text or posixpath.basename(unquote(target.split("#", 1)[0]))
            targets.append(node.id)
            return f"[{text}]({node.url or 'notion://' + node.id})"

        def clean(prose: str) -> str:
            return squeeze_blank_lines(MARKDOWN_LINK.sub(replace, strip_notion_html(prose)))

        return outside_code(markdown, clean).strip(), list(dict.fromkeys(targets))

    def properties(self, values: dict[str, str], here: PurePosixPath) -> tuple[dict[str, str], list[str]]:
        """A row's cells with relations as the related pages' titles, and the pages' ids."""
        cells = {name: self.cell(value, here) for name, value in values.items()}
        return {name: text for name, (text, _) in cells.items()}, [i for _, ids in cells.values() for i in ids]

    def cell(self, value: str, here: PurePosixPath) -> tuple[str, list[str]]:
        """A CSV cell; a relation's `Title (path or notion.so address)` becomes `Title`."""
        ids: list[str] = []

        def replace(match: re.Match[str]) -> str:
            target = match["target"]
            node = self._notion_page(target) if target.startswith("http") else self.resolve(target, here)
            if node is None and not target.startswith("http"):
                node = _Node.of(PurePosixPath(unquote(target)))  # a page outside this export: its id
            if node is None or not node.from_notion:
                return match.group(0)
            ids.append(node.id)
            return match["title"]

        return RELATION.sub(replace, value), ids

    def resolve(self, target: str, here: PurePosixPath) -> _Node | None:
        relative = unquote(target.split("#", 1)[0])
        return self.by_path.get(posixpath.normpath(posixpath.join(here.parent.as_posix(), relative)))

    def _notion_page(self, url: str) -> _Node | None:
        """The exported page a notion.so address names (a mention, a pasted link), if any."""
        match = NOTION_PAGE_URL.match(url)
        return self.by_id.get(match["id"].lower()) if match else None
