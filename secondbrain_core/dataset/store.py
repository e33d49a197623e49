"""The dataset on disk: a Hugging Face `DatasetDict` under `$SECONDBRAIN_HOME/datasets/<version>`.

The version is a hash of the content (every split's records), so the same pairs always get the
same folder and a changed note gives a new one; the tuned model records it as lineage. Each
folder carries a dataset card (README.md) saying where the pairs came from and what was dropped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from secondbrain_core.dataset.split import SPLITS, split_of
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

if TYPE_CHECKING:  # the pairs' module loads the judge (ROUGE, numpy): readers of a saved dataset need neither
    from secondbrain_core.dataset.pairs import Pair

MANIFEST = "manifest.json"


@dataclass
class DatasetInfo:
    version: str
    path: Path
    counts: dict[str, int]  # per split
    by_source_style: dict[str, int]  # "notes/one-sentence" -> pairs
    dropped: dict[str, int] = field(default_factory=dict)
    teacher: str = ""
    created_at: str = ""

    def manifest(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "path"}


def version_of(records: dict[str, list[dict]]) -> str:
    payload = json.dumps({s: records[s] for s in SPLITS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def split_records(pairs: list[Pair]) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for pair in sorted(pairs, key=lambda p: (p.doc_id, p.style)):
        records[split_of(pair.doc_id)].append({**pair.record(), "id": f"{pair.doc_id}/{pair.style}"})
    return records


def save_dataset(pairs: list[Pair], dropped: dict[str, int], teacher: str, settings: Settings) -> DatasetInfo:
    """Write the DatasetDict and its card under the home (once per version); its info."""
    from datasets import Dataset, DatasetDict, Features, Value

    from secondbrain_core.dataset.pairs import Pair

    records = split_records(pairs)
    version = version_of(records)
    path = settings.home.resolve() / "datasets" / version
    mix: dict[str, int] = {}
    for pair in pairs:
        mix[f"{pair.source}/{pair.style}"] = mix.get(f"{pair.source}/{pair.style}", 0) + 1
    info = DatasetInfo(
        version,
        path,
        {s: len(r) for s, r in records.items()},
        dict(sorted(mix.items())),
        dropped,
        teacher,
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if not (path / MANIFEST).is_file():
        features = Features(
            {**{c: Value("string") for c in (*Pair.__dataclass_fields__, "id")}, "judge_score": Value("float64")}
        )
        columns = {s: {c: [row[c] for row in r] for c in features} for s, r in records.items()}
        DatasetDict({s: Dataset.from_dict(columns[s], features=features) for s in SPLITS}).save_to_disk(
            str(path),
            num_shards=dict.fromkeys(SPLITS, 1),  # an empty split still gets its one (empty) shard
        )
        (path / "README.md").write_text(dataset_card(info))
        (path / MANIFEST).write_text(json.dumps(info.manifest(), indent=2))
    return info


def load_dataset(path: Path):
    """The DatasetDict saved at `path`; a missing or corrupt folder is a SecondBrainError naming it."""
    from datasets import load_from_disk

    if not (path / MANIFEST).is_file():
        raise SecondBrainError(f"dataset folder {str(path)!r} has no {MANIFEST}: not a summarization dataset")
    try:
        dataset = load_from_disk(str(path))
        missing = [s for s in SPLITS if s not in dataset]
    except Exception as exc:  # datasets/arrow raise many types for a damaged folder
        raise SecondBrainError(f"dataset folder {str(path)!r} is corrupt: {type(exc).__name__}: {exc}") from exc
    if missing:
        raise SecondBrainError(f"dataset folder {str(path)!r} lacks split(s) {', '.join(missing)}")
    return dataset


def dataset_info(path: Path) -> DatasetInfo:
    try:
        data = json.loads((path / MANIFEST).read_text())
        return DatasetInfo(path=path, **data)
    except (OSError, ValueError, TypeError, RecursionError) as exc:
        raise SecondBrainError(f"dataset folder {str(path)!r} has an unreadable {MANIFEST}: {exc}") from exc


def latest_dataset(settings: Settings) -> DatasetInfo:
    """The most recently built dataset of this home."""
    root = settings.home.resolve() / "datasets"
    infos = [dataset_info(p) for p in root.glob("*") if (p / MANIFEST).is_file()] if root.is_dir() else []
    if not infos:
        raise SecondBrainError(f"no summarization dataset under {root}: materialize summarization_dataset first")
    return max(infos, key=lambda i: i.created_at)


def dataset_card(info: DatasetInfo) -> str:
    rows = "\n".join(f"| {k} | {v} |" for k, v in info.by_source_style.items())
    drops = ", ".join(f"{k} {v}" for k, v in info.dropped.items()) or "none"
    return f"""---
license: other
task_categories: [summarization]
language: [en]
---
# Second Brain summarization pairs, version {info.version}

Instruction/summary pairs for fine-tuning a small model to summarize a person's notes, in the
styles `one-sentence`, `key-points` and `answer-focused` (prompts versioned in
`secondbrain_core/llm/styles.py`).

- **Notes**: the user's own documents (`source = notes`). One-sentence summaries a person wrote
  (a `Summary` property) are used as they are; the other pairs were written by the teacher
  `{info.teacher}` and kept only if the reference-free judge scored them high enough.
- **Seed** (`source = seed-*`, those in the table below): human one-line summaries of technical
  texts, redistributable under their own licences. `seed-manpages`: Debian's Linux man-pages, the
  NAME line's description summarizes the DESCRIPTION. `seed-pypi`: the installed Python
  distributions, the `Summary` summarizes the README. `seed-pod`: Perl's core modules, the POD NAME
  line summarizes the DESCRIPTION. pypi and pod documents sharing a name, a summary or an 8-word
  run with an installed Debian package or a page of Python's library reference (the corpora of
  the public evals) are dropped (`seed_*_name|summary|ngram` below), as are placeholders and copies.
- **Split**: by a hash of the document id (80/10/10): all styles of a document share a split.
- **Splits**: {", ".join(f"{k} {v}" for k, v in info.counts.items())}
- **Dropped by the filters**: {drops}
- **Built**: {info.created_at}

| source/style | pairs |
|---|---|
{rows}
"""
