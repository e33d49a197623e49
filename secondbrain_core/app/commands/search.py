"""`secondbrain search QUERY`: the materialized index, BM25, dense or hybrid."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command, check_utf8
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError, one_line
from secondbrain_core.rag.modes import MODES

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings

PREVIEW_CHARS = 160


def register(subparsers, groups) -> None:
    search = add_command(subparsers, "search", "search the materialized index", _search)
    search.add_argument("query")
    search.add_argument("--mode", choices=MODES, default="hybrid")
    search.add_argument("-k", type=int, default=10, help="number of hits")
    search.add_argument("--source", action="append", help="only chunks of this source (repeatable)")
    search.add_argument("--tag", action="append", help="only pages with this tag (repeatable: any of them)")
    search.add_argument("--after", help="only pages edited at or after this ISO date")
    search.add_argument("--before", help="only pages edited before this ISO date")


def _search(args, settings: Settings) -> CommandResult:
    from secondbrain_core.agent.types import check_question
    from secondbrain_core.rag.search import Retriever, SearchFilters

    query = check_question(args.query, "search query")  # the same limits as `ask`
    check_utf8(args)

    filters = SearchFilters(
        sources=args.source,
        tags=args.tag,
        edited_after=_date(args.after, "--after"),
        edited_before=_date(args.before, "--before"),
    )
    hits = Retriever(settings).search(query, mode=args.mode, k=args.k, filters=filters)
    lines = [
        f"{i}. [{hit.score:.4f}] {one_line(hit.title)} — {one_line(hit.url or hit.page_id)}\n   {_preview(hit.text)}"
        for i, hit in enumerate(hits, start=1)
    ]
    return CommandResult(data=[hit.model_dump() for hit in hits], text="\n".join(lines) or "no hits")


def _date(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise SecondBrainError(f"{flag} {value!r} is not an ISO date (e.g. 2024-05-31)") from exc


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
