"""Scoring a summarizer on JSONL `{"id", "text", "summary"}` records with ROUGE.

Shared by `secondbrain eval summarize` and the evaluation assets, so a score in the UI and one
on the command line mean the same thing: same prompt (the style's version), greedy decoding,
answers cut to the style asked.
"""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, ValidationError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.evals.lines import loads_line, read_lines
from secondbrain_core.evals.rouge import rouge_scores
from secondbrain_core.llm.styles import DEFAULT_STYLE, get_style
from secondbrain_core.llm.summarize import summarize_with
from secondbrain_core.llm.types import LLMClient
from secondbrain_core.records import first_problem
from secondbrain_core.settings import Settings

DEFAULT_SPLIT = "test"


class SummaryRecord(BaseModel):
    id: str | int
    text: str
    summary: str
    split: str | None = None
    question: str | None = None  # what the answer-focused style answers
    style: str | None = None  # the style the reference is written in (dataset records carry it)


class SummaryEvalReport(BaseModel):
    rouge1: float
    rouge2: float
    rougeL: float
    n: int
    seconds_per_item: float
    model: str
    prompt_version: str
    item_rougeL: list[float] = []  # per record, in order: paired bootstrap intervals compare two models on them

    def as_json(self) -> dict:
        return self.model_dump(include={"rouge1", "rouge2", "rougeL", "n", "seconds_per_item"})

    def as_text(self) -> str:
        return (
            f"{self.model} ({self.prompt_version}) on {self.n} items: ROUGE-1 {self.rouge1:.4f}, "
            f"ROUGE-2 {self.rouge2:.4f}, ROUGE-L {self.rougeL:.4f}; {self.seconds_per_item:.2f} s/item"
        )


def load_records(
    path: Path, split: str | None = None, limit: int | None = None, style: str | None = None
) -> list[SummaryRecord]:
    """Records of `path` (a JSONL file, or a folder holding `<split>.jsonl`), in file order.

    With a file, `split` keeps the records whose `split` field equals it; a saved dataset folder
    gives its split's records of `style` (a damaged folder stops the eval naming it). A malformed line
    stops the eval with its line number: a silently skipped line would change the score.
    """
    if limit is not None and limit < 1:
        raise SecondBrainError(f"--limit {limit}: score at least one record")
    if path.is_dir() and any((path / name).exists() for name in ("dataset_dict.json", "manifest.json")):
        return _dataset_records(path, split or DEFAULT_SPLIT, limit, style)
    if path.is_dir():
        path, split = path / f"{split or DEFAULT_SPLIT}.jsonl", None
    if not path.exists():
        raise SecondBrainError(f"summarization data {str(path)!r} does not exist")
    records = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            record = SummaryRecord.model_validate(loads_line(line))
        except (ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "not valid JSON"
            raise SecondBrainError(f"{path}:{number}: expected {{id, text, summary}}: {reason}") from exc
        if split is None or record.split == split:
            records.append(record)
    records = records[:limit] if limit else records
    if not records:
        raise SecondBrainError(f"{path} holds no records" + (f" of split {split!r}" if split else ""))
    return records


def _dataset_records(path: Path, split: str, limit: int | None, style: str | None) -> list[SummaryRecord]:
    """Records of one split of a saved summarization dataset (`$SECONDBRAIN_HOME/datasets/<version>`)."""
    from secondbrain_core.dataset.store import load_dataset

    dataset = load_dataset(path)
    if split not in dataset:
        raise SecondBrainError(f"dataset folder {str(path)!r} has no split {split!r}")
    rows = [row for row in dataset[split] if style is None or row.get("style") == style]
    try:
        records = [
            SummaryRecord.model_validate({**row, "split": split, "question": row.get("question") or None})
            for row in rows[:limit]
        ]
    except ValidationError as exc:  # a folder saved by something else: columns missing or of the wrong type
        raise SecondBrainError(f"dataset folder {str(path)!r}, split {split!r}: {first_problem(exc)}") from None
    if not records:
        raise SecondBrainError(f"dataset folder {str(path)!r} holds no records of split {split!r}")
    return records


def evaluate_summarizer(
    records: list[SummaryRecord], client: LLMClient, settings: Settings, style: str = DEFAULT_STYLE
) -> SummaryEvalReport:
    """Mean ROUGE F1 of the client's summaries in `style` against the reference summaries."""
    prompt_version = get_style(style).version
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    items = []
    started = time.perf_counter()
    for record in records:
        summary = summarize_with(client, record.text, settings, style, record.question)
        scores = rouge_scores(summary.text, record.summary)
        items.append(round(scores["rougeL"], 4))
        for name, value in scores.items():
            totals[name] += value
    elapsed = time.perf_counter() - started
    n = len(records)
    return SummaryEvalReport(
        **{name: round(value / n, 4) for name, value in totals.items()},
        n=n,
        seconds_per_item=round(elapsed / n, 3),
        model=client.model,
        prompt_version=prompt_version,
        item_rougeL=items,
    )
