"""`secondbrain eval retrieval`: score bm25, dense and hybrid on a BEIR-style set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command, group
from secondbrain_core.app.output import CommandResult
from secondbrain_core.rag.modes import MODES

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


def register(subparsers, groups) -> None:
    evals = group(subparsers, groups, "eval", "evaluate retrieval and models on test sets")
    parser = add_command(
        evals,
        "retrieval",
        "index a folder of Markdown notes in a temp home and score bm25, dense and hybrid (nDCG, recall, MRR)",
        _eval_retrieval,
    )
    parser.add_argument("--corpus", type=Path, required=True, help="folder of .md notes; doc id = file stem")
    parser.add_argument("--queries", type=Path, required=True, help='queries.jsonl: {"_id", "text"} per line')
    parser.add_argument("--qrels", type=Path, required=True, help="qrels.tsv: query-id, corpus-id, score")
    parser.add_argument("--modes", default=",".join(MODES), help="comma list of bm25, dense, hybrid")


def _eval_retrieval(args, settings: Settings) -> CommandResult:
    from secondbrain_core.evals.beir import load_beir
    from secondbrain_core.evals.retrieval import evaluate_retrieval, parse_modes

    modes = parse_modes(args.modes)
    report = evaluate_retrieval(load_beir(args.corpus, args.queries, args.qrels), settings, modes)
    return CommandResult(data=report.as_json(), text=report.as_text())
