"""`secondbrain ingest` and `secondbrain show`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings

COUNTS = ("pages", "new", "updated", "unchanged", "deleted")


def register(subparsers, groups) -> None:
    ingest = add_command(subparsers, "ingest", "pull sources into the document store, incrementally", _ingest)
    ingest.add_argument("--source", help="one source spec instead of SECONDBRAIN_SOURCES")
    show = add_command(subparsers, "show", "print one stored page as Markdown", _show)
    show.add_argument("page_id")


def _ingest(args, settings: Settings) -> CommandResult:
    from secondbrain_core.ingest import ingest_all
    from secondbrain_core.ops.home_lock import writing
    from secondbrain_core.sources.sync import SyncReport

    with writing(settings.home.resolve()):
        reports = ingest_all(settings, only=args.source)
    total = SyncReport()
    for report in reports.values():
        for field in (*COUNTS, "fetched"):
            setattr(total, field, getattr(total, field) + getattr(report, field))
    lines = [f"{spec}: " + ", ".join(f"{getattr(r, f)} {f}" for f in COUNTS) for spec, r in reports.items()]
    return CommandResult(data=total.model_dump(include=set(COUNTS)), text="\n".join(lines))


def _show(args, settings: Settings) -> CommandResult:
    from secondbrain_core.quality.documents import find_document
    from secondbrain_core.stores.mongo import open_database

    page = find_document(open_database(settings), args.page_id)
    if page is None:
        raise SecondBrainError(f"no stored page with id {args.page_id!r}; run `secondbrain ingest` first")
    data = {
        "id": page.id,
        "title": page.title,
        "url": page.url,
        "markdown": page.markdown,
        "last_edited_time": page.last_edited_time.isoformat(),
    }
    return CommandResult(data=data, text=f"# {page.title}\n\n{page.markdown}")
