"""Structure-aware Markdown chunking: headings, then paragraphs, then sentences, token-bounded.

A page is cut into sections at headings (each chunk knows its heading path), a section into
blocks (paragraphs, fenced code, tables), and only a block that does not fit is cut further:
prose at sentence ends, code and tables at line/row boundaries (a code fragment is re-fenced, a
table fragment repeats the header row) — never inside a fence or a row. Consecutive chunks of a
section share up to `overlap_tokens` of trailing prose so a sentence near a cut is found from
both sides. Tokens are counted with the default embedder's tokenizer (see `tokens.py`).

Chunk ids are content hashes, so an unchanged chunk keeps its id (and its vector) when other
parts of its page change, and inserting a paragraph above does not renumber the rest.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.tokens import count_tokens, split_to_tokens
from secondbrain_core.sources.page import Page

CONTEXT_VERSION = "ctx-v1"
MIN_TOKENS = 16  # room for a fenced code line or a table row with its header

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|")
# Possessive (`*+`): with plain `\s*` a long run of spaces in a row that is no separator took
# time quadratic in its length (minutes for 200,000); each part matches a different character.
TABLE_SEPARATOR = re.compile(r"^\s*+\|?\s*+:?-++:?\s*+(?:\|\s*+:?-++:?\s*+)*+\|?\s*+$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
# the multi-select names people give a database's tag column (Notion's templates use Category,
# Type and Area as often as Tags); Status and dates are facts of the row, not tags
_TAG_KEYS = {"tags", "tag", "labels", "label", "topics", "topic", "category", "categories", "type", "area", "areas"}

BlockKind = Literal["heading", "prose", "code", "table"]


class Chunk(BaseModel):
    """One retrievable piece of a page, with what a search hit must show and filter on."""

    chunk_id: str
    page_id: str
    source: str
    title: str
    url: str
    heading_path: list[str]
    position: int
    text: str
    context: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def embedding_text(self) -> str:
        """What is embedded and BM25-indexed: the situating context first, then the chunk."""
        return f"{self.context}\n\n{self.text}" if self.context else self.text

    def with_context(self, context: str, occurrence: int = 0) -> Chunk:
        """A copy carrying `context`; the id changes with it, so the vector is recomputed."""
        cid = chunk_id_for(self.page_id, self.heading_path, self.text, context, occurrence)
        return self.model_copy(update={"context": context, "chunk_id": cid})


def chunk_id_for(page_id: str, heading_path: list[str], text: str, context: str, occurrence: int = 0) -> str:
    """Content hash; `occurrence` tells apart identical chunks repeated within one section."""
    payload = json.dumps([page_id, heading_path, text, CONTEXT_VERSION, context, occurrence], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class _Block:
    kind: BlockKind
    text: str
    level: int = 0  # a heading's, with its title: read once, where the line is parsed
    title: str = ""


@dataclass
class _Unit:
    """A piece that is never cut further; `block` tells which pieces came from one paragraph."""

    text: str
    tokens: int
    block: int
    prose: bool
    joiner: str = " "  # what joins it to the piece before it of its paragraph: a space, or a line break


def chunk_page(page: Page, max_tokens: int, overlap_tokens: int) -> list[Chunk]:
    """Cut one page into chunks of at most `max_tokens` tokens (context not included)."""
    if max_tokens < MIN_TOKENS:
        raise SecondBrainError(f"SECONDBRAIN_CHUNK_TOKENS={max_tokens} is too small: use at least {MIN_TOKENS}")
    overlap_tokens = max(0, min(overlap_tokens, max_tokens // 2))
    metadata = page_metadata(page)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for heading_path, blocks in _sections(_blocks(page.markdown)):
        for text in _pack(_units(blocks, max_tokens), max_tokens, overlap_tokens):
            base = chunk_id_for(page.id, heading_path, text, "")
            occurrence = seen.get(base, 0)
            seen[base] = occurrence + 1
            chunks.append(
                Chunk(
                    chunk_id=chunk_id_for(page.id, heading_path, text, "", occurrence),
                    page_id=page.id,
                    source=page.source,
                    title=page.title,
                    url=page.url,
                    heading_path=heading_path,
                    position=len(chunks),
                    text=text,
                    metadata=metadata,
                )
            )
    return chunks


def page_metadata(page: Page) -> dict[str, Any]:
    """Filterable fields: source, tags (from a Tags-like property), last edit time (ISO)."""
    tags: list[str] = []
    for name, value in page.properties.items():
        if name.strip().lower() in _TAG_KEYS and value:
            values = value if isinstance(value, list) else str(value).split(",")
            tags.extend(str(v).strip() for v in values if str(v).strip())
    return {"source": page.source, "tags": sorted(set(tags)), "last_edited_time": page.last_edited_time.isoformat()}


# --- parsing ---------------------------------------------------------------------------


def _blocks(markdown: str) -> list[_Block]:
    """Headings, paragraphs, fenced code and tables, in order; fences and tables kept whole."""
    lines = markdown.splitlines()
    blocks: list[_Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_Block("prose", "\n".join(paragraph).strip()))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            end = i + 1
            while end < len(lines) and not _closes(lines[end], marker):
                end += 1
            blocks.append(_Block("code", "\n".join(lines[i : end + 1])))
            i = end + 1
        elif heading := _HEADING.match(line):
            flush()
            blocks.append(_Block("heading", line.strip(), len(heading.group(1)), heading.group(2).strip()))
            i += 1
        elif _TABLE_ROW.match(line):
            flush()
            end = i
            while end < len(lines) and _TABLE_ROW.match(lines[end]):
                end += 1
            blocks.append(_Block("table", "\n".join(row.rstrip() for row in lines[i:end])))
            i = end
        elif not line.strip():
            flush()
            i += 1
        else:
            paragraph.append(line)
            i += 1
    flush()
    return [b for b in blocks if b.text.strip()]


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(marker[0] * len(marker)) and not stripped.strip(marker[0])


def _sections(blocks: list[_Block]) -> list[tuple[list[str], list[_Block]]]:
    """Blocks grouped under their heading path; a heading with no body joins the next section."""
    sections: list[tuple[list[str], list[_Block]]] = []
    stack: list[tuple[int, str]] = []
    current: list[_Block] = []
    path: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            if any(b.kind != "heading" for b in current):
                sections.append((path, current))
                current = []
            level, title = block.level, block.title  # "# " stripped to "#" is no heading to re-match
            stack = [(lvl, t) for lvl, t in stack if lvl < level] + [(level, title)]
            path = [t for _, t in stack]
        current.append(block)
    if current:
        sections.append((path, current))
    return sections


# --- fitting ---------------------------------------------------------------------------


def _units(blocks: list[_Block], max_tokens: int) -> list[_Unit]:
    units: list[_Unit] = []
    for index, block in enumerate(blocks):
        tokens = count_tokens(block.text)
        if tokens <= max_tokens:
            units.append(_Unit(block.text, tokens, index, block.kind == "prose"))
            continue
        if block.kind == "prose":
            pieces = _split_prose(block.text, max_tokens)
            units.extend(_Unit(piece, count_tokens(piece), index, True, joiner) for piece, joiner in pieces)
            continue
        pieces = _split_code(block.text, max_tokens) if block.kind == "code" else _split_table(block.text, max_tokens)
        units.extend(_Unit(p, count_tokens(p), index, False) for p in pieces)
    return units


def _split_prose(text: str, max_tokens: int) -> list[tuple[str, str]]:
    """An over-long paragraph cut between its lines first, whole lines packed up to `max_tokens`
    (notes list a record's fields one a line: a cut inside "**Valid until:** 26/3/2026" loses the
    date), a line too long by its sentences, then by tokens; each piece with what joins it to the
    piece before (a line break between lines, a space inside one)."""
    pieces: list[tuple[str, str]] = []
    lines: list[str] = []
    used = 0
    for line in text.split("\n"):
        tokens = count_tokens(line)
        if lines and used + tokens > max_tokens:
            pieces.append(("\n".join(lines), "\n"))
            lines, used = [], 0
        if tokens <= max_tokens:
            lines.append(line)
            used += tokens
            continue
        parts = [p for sentence in _SENTENCE_END.split(line) for p in _fit(sentence, max_tokens)]
        pieces.extend((part, " " if i else "\n") for i, part in enumerate(parts))
    if lines:
        pieces.append(("\n".join(lines), "\n"))
    return pieces


def _fit(text: str, max_tokens: int) -> list[str]:
    """`text` itself when it fits, else token-bounded pieces (re-checked: a cut word may grow)."""
    if count_tokens(text) <= max_tokens:
        return [text]
    pieces: list[str] = []
    for piece in split_to_tokens(text, max_tokens):
        pieces.extend([piece] if count_tokens(piece) <= max_tokens else _fit_smaller(piece, max_tokens))
    return pieces


def _fit_smaller(text: str, max_tokens: int) -> list[str]:
    budget = max_tokens
    while budget > 1:
        budget = max(1, budget * 3 // 4)
        pieces = split_to_tokens(text, budget)
        if all(count_tokens(p) <= max_tokens for p in pieces):
            return pieces
    return [c for c in text if not c.isspace()]


def _split_code(text: str, max_tokens: int) -> list[str]:
    """Line-bounded fragments, each re-fenced with the opening fence (language kept)."""
    lines = text.split("\n")
    opening = lines[0]
    marker = _FENCE.match(opening).group(1)
    closed = len(lines) > 1 and _closes(lines[-1], marker)
    closing = lines[-1].strip() if closed else marker
    body = lines[1:-1] if closed else lines[1:]
    frame = count_tokens(f"{opening}\n{closing}")
    if frame > max_tokens // 2:  # a fence line too long to repeat: the lines are cut as they are
        return _group_lines(lines, max_tokens)
    return [f"{opening}\n{group}\n{closing}" for group in _group_lines(body, max_tokens - frame)]


def _split_table(text: str, max_tokens: int) -> list[str]:
    """Row-bounded fragments; each repeats the header (and separator) row so it reads alone."""
    rows = text.split("\n")
    header_rows = 2 if len(rows) > 2 and TABLE_SEPARATOR.match(rows[1]) else 0
    header = "\n".join(rows[:header_rows])
    header_tokens = count_tokens(header) if header else 0
    if header_tokens > max_tokens // 2:
        header, header_tokens = "", 0
    groups = _group_lines(rows[header_rows:] if header else rows, max_tokens - header_tokens)
    return [f"{header}\n{group}" if header else group for group in groups]


def _group_lines(lines: list[str], budget: int) -> list[str]:
    """Consecutive lines packed up to `budget` tokens; a single over-long line is cut (bound wins)."""
    groups: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        for part in _fit(line, budget) if line.strip() else [line]:
            tokens = count_tokens(part)
            if current and used + tokens > budget:
                groups.append("\n".join(current))
                current, used = [], 0
            current.append(part)
            used += tokens
    if current and any(line.strip() for line in current):
        groups.append("\n".join(current))
    return groups


def _pack(units: list[_Unit], max_tokens: int, overlap_tokens: int) -> list[str]:
    """Greedy packing of units into chunks, with trailing prose of one chunk opening the next."""
    chunks: list[list[_Unit]] = []
    current: list[_Unit] = []
    used = 0
    for unit in units:
        if current and used + unit.tokens > max_tokens:
            chunks.append(current)
            current = _overlap(current, overlap_tokens, max_tokens - unit.tokens)
            used = sum(u.tokens for u in current)
        current.append(unit)
        used += unit.tokens
    if current:
        chunks.append(current)
    return [_join(chunk) for chunk in chunks]


def _overlap(previous: list[_Unit], overlap_tokens: int, room: int) -> list[_Unit]:
    """The trailing prose units of `previous` that fit both the overlap and what is left."""
    tail: list[_Unit] = []
    used = 0
    for unit in reversed(previous[1:]):
        if not unit.prose or used + unit.tokens > min(overlap_tokens, room):
            break
        tail.insert(0, unit)
        used += unit.tokens
    return tail


def _join(units: list[_Unit]) -> str:
    parts = [units[0].text]
    for before, unit in itertools.pairwise(units):
        parts.append(unit.joiner if before.prose and unit.prose and before.block == unit.block else "\n\n")
        parts.append(unit.text)
    return "".join(parts)
