"""`secondbrain eval summarize`: ROUGE of a summarizer (base, champion or a folder) on JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command, group
from secondbrain_core.app.output import CommandResult

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


def register(subparsers, groups) -> None:
    evals = group(subparsers, groups, "eval", "evaluate retrieval and models on test sets")
    parser = add_command(
        evals, "summarize", "score a summarizer with ROUGE on JSONL {id, text, summary}", _eval_summarize
    )
    parser.add_argument("--data", type=Path, required=True, help="JSONL file, or a folder with <split>.jsonl")
    parser.add_argument("--split", default=None, help="keep records of this split (folder: file name; default test)")
    parser.add_argument("--model", default="champion", help="base, champion (MLflow alias) or a model folder")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N records")
    parser.add_argument(
        "--style",
        default="one-sentence",
        help="one-sentence (default), key-points or answer-focused: each has its own versioned prompt",
    )


def _eval_summarize(args, settings: Settings) -> CommandResult:
    from secondbrain_core.evals.summarization import evaluate_summarizer, load_records
    from secondbrain_core.llm import local_llm
    from secondbrain_core.llm.styles import get_style

    get_style(args.style)  # an unknown style, like bad data, fails before the model loads
    records = load_records(args.data, args.split, args.limit, args.style)
    report = evaluate_summarizer(records, local_llm(settings, args.model), settings, args.style)
    return CommandResult(data=report.as_json(), text=report.as_text())
