"""`secondbrain ask QUESTION`: one answer from the notes, with numbered sources and its trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command, check_utf8
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError, one_line

if TYPE_CHECKING:
    from secondbrain_core.agent.types import Answer
    from secondbrain_core.settings import Settings

PASSAGE_PREVIEW_CHARS = 200


def register(subparsers, groups) -> None:
    ask = add_command(subparsers, "ask", "ask your notes a question (the assistant)", _ask)
    ask.add_argument("question")
    ask.add_argument("--k", type=int, default=None, help="chunks to read (default: SECONDBRAIN_AGENT_K)")
    ask.add_argument("--source", action="append", help="only notes of this source (repeatable)")


def _ask(args, settings: Settings) -> CommandResult:
    from secondbrain_core.agent.types import check_question

    question = check_question(args.question)
    check_utf8(args)
    if args.k is not None and not 1 <= args.k <= 50:
        raise SecondBrainError(f"--k must be between 1 and 50, got {args.k}")
    from secondbrain_core.agent.assistant import Assistant
    from secondbrain_core.rag.search import SearchFilters

    filters = SearchFilters(sources=args.source) if args.source else None
    answer = Assistant(settings).ask(question, filters=filters, k=args.k)
    return CommandResult(data=answer.as_json(), text=as_text(answer))


def as_text(answer: Answer) -> str:
    """The answer, then each source with its link and the passage it rests on (a title holding a
    newline stays on its line, not a fake source of its own; `cli.main` escapes the rest)."""
    lines = [answer.answer]
    if answer.sources:
        lines += ["", "Sources:"]
        for number, source in enumerate(answer.sources, 1):
            passage = " ".join(source.passage.split())
            if len(passage) > PASSAGE_PREVIEW_CHARS:
                passage = passage[: PASSAGE_PREVIEW_CHARS - 1] + "…"
            where = one_line(source.url or source.page_id)
            lines.append(f"[{number}] {one_line(source.title)} — {where}\n    {passage}")
    if answer.trace_id:
        lines += ["", f"trace: {answer.trace_id}"]
    return "\n".join(lines)
