"""The assistant's tools as plain typed functions: search the notes, read one, summarize.

Both programs use them: the local program calls `search_notes` directly, the tool-using
agent gets them as DSPy tools. Every passage a tool hands out is remembered by number in
`seen`, so a citation the model writes can be checked against what it was really shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secondbrain_core.agent.types import Source
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.modes import Mode
from secondbrain_core.rag.search import Retriever, SearchFilters, SearchHit
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page

READ_NOTE_MAX_CHARS = 6000
SUMMARIZE_MAX_CHARS = 12000


@dataclass
class NoteTools:
    """Tools bound to one index and one question's filters; `seen` numbers every passage shown."""

    retriever: Retriever
    settings: Settings
    filters: SearchFilters | None = None
    default_k: int = 5
    seen: dict[int, Source] = field(default_factory=dict)

    def hits(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> list[SearchHit]:
        """Search hits, hybrid unless asked otherwise (the local program reads these whole)."""
        return self.retriever.search(query, mode=mode, k=k or self.default_k, filters=filters or self.filters)

    def remember(self, hit: SearchHit, passage: str) -> int:
        """Number a passage shown to the model; the same chunk and text keep their number."""
        for number, source in self.seen.items():
            if source.chunk_id == hit.chunk_id and source.passage == passage:
                return number
        number = len(self.seen) + 1
        self.seen[number] = Source(
            title=hit.title, url=hit.url, page_id=hit.page_id, chunk_id=hit.chunk_id, passage=passage
        )
        return number

    def search_notes(self, query: str, k: int = 5, tags: list[str] | None = None) -> str:
        """Search the user's notes (hybrid BM25 + embeddings). Returns numbered passages [n] with
        their page title and page_id; cite an answer's facts with these numbers."""
        filters = self.filters
        if tags:
            filters = (filters or SearchFilters()).model_copy(update={"tags": tags})
        hits = self.hits(query, max(1, min(int(k), 10)), filters)
        if not hits:
            return "No matching notes."
        return "\n\n".join(
            f"[{self.remember(hit, hit.text)}] {hit.title} (page_id {hit.page_id})\n{hit.text}" for hit in hits
        )

    def read_note(self, page_id: str) -> str:
        """The full text of one note by its page_id (as given by search_notes), cut to a few pages."""
        page = self.page(page_id)
        text = page.markdown[:READ_NOTE_MAX_CHARS]
        hit = SearchHit(chunk_id=f"page:{page.id}", page_id=page.id, title=page.title, url=page.url, score=0, text="")
        return f"[{self.remember(hit, text)}] {page.title} (page_id {page.id})\n{text}"

    def summarize(self, text_or_page_ids: str) -> str:
        """A short summary, by the summarization endpoint, of a text or of notes given as
        page_ids separated by commas."""
        from secondbrain_core.llm.summarize import summarize

        ids = [p.strip() for p in text_or_page_ids.split(",") if p.strip()]
        if ids and all(_looks_like_page_id(p) for p in ids):
            text = "\n\n".join(self.page(p).markdown for p in ids)
        else:
            text = text_or_page_ids
        return summarize(text[:SUMMARIZE_MAX_CHARS], self.settings).text

    def page(self, page_id: str) -> Page:
        """The stored live page `page_id` (a SecondBrainError when there is none)."""
        from secondbrain_core.quality.documents import find_document
        from secondbrain_core.stores.mongo import open_database

        page = find_document(open_database(self.settings), page_id)
        if page is None:
            raise SecondBrainError(f"no stored page with id {page_id!r}")
        return page


def _looks_like_page_id(value: str) -> bool:
    compact = value.replace("-", "")
    return len(compact) == 32 and all(c in "0123456789abcdef" for c in compact.lower())
