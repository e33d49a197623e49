"""Build the summarization dataset: documents (+ seed) → pairs → filters → split → saved, tracked.

`summarization_dataset` (Dagster) and `benchmarks/training.py` call `build_dataset`; tests pass
their own documents and teacher. The Hub push happens only with HF_TOKEN and a repo id.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from secondbrain_core.dataset.documents import Document
from secondbrain_core.dataset.filters import apply_filters
from secondbrain_core.dataset.pairs import Teacher, pairs_for
from secondbrain_core.dataset.store import DatasetInfo, load_dataset, save_dataset
from secondbrain_core.llm.styles import STYLES
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)
NOTE_STYLES = list(STYLES)
SEED_STYLES = ["one-sentence"]  # the seed's summaries are one-liners


def build_dataset(
    settings: Settings,
    notes: list[Document],
    seed: list[Document],
    teacher: Teacher | None,
    progress: Callable[[int, int], None] | None = None,
    seed_dropped: dict[str, int] | None = None,
) -> DatasetInfo:
    """Pairs for the notes in every style and for every seed page, filtered, split and saved.

    The teacher writes for at most `dataset_teacher_notes` notes without a human summary (picked
    by id hash, so the same ones each time): on two cores each pair costs 3-70 s of generation.
    `seed_dropped` (seed documents the leak and quality checks dropped, `seed_mix`) joins the
    filters' counts in the dataset card.
    """
    untaught = [d.doc_id for d in notes if not d.summary]  # a note with a summary needs no teacher
    taught = set(sorted(untaught, key=_hash)[: settings.dataset_teacher_notes])
    pairs = []
    for i, doc in enumerate(notes):
        pairs += pairs_for(doc, NOTE_STYLES, teacher if doc.doc_id in taught else None, settings)
        if progress:
            progress(i + 1, len(notes))
    for doc in seed:
        pairs += pairs_for(doc, SEED_STYLES, None, settings)
    kept, dropped = apply_filters(pairs, settings.dataset_min_judge)
    dropped |= seed_dropped or {}
    info = save_dataset(kept, dropped, teacher.name if teacher else "", settings)
    log.info("dataset %s: %s pairs kept, dropped %s", info.version, info.counts, dropped)
    if settings.hf_token and settings.dataset_hub_repo:
        push_to_hub(info, settings)
    return info


def _hash(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode()).hexdigest()


def push_to_hub(info: DatasetInfo, settings: Settings) -> None:
    """Upload this version to the configured Hub repo (private), tagged by its version."""
    assert settings.hf_token and settings.dataset_hub_repo
    load_dataset(info.path).push_to_hub(
        settings.dataset_hub_repo,
        token=settings.hf_token.get_secret_value(),
        private=True,
        commit_message=f"dataset version {info.version}",
    )


def log_dataset_input(info: DatasetInfo, split: str = "train", context: str = "training") -> None:
    """Record the dataset as an MLflow dataset input of the active run (name, digest = version)."""
    import mlflow

    frame = load_dataset(info.path)[split].to_pandas()
    dataset = mlflow.data.from_pandas(frame, source=str(info.path), name=f"summarization-{info.version}")
    mlflow.log_input(dataset, context=context)


def build_configured_dataset(settings: Settings, progress: Callable[[int, int], None] | None = None) -> DatasetInfo:
    """The dataset as the settings configure it: the user's documents, the seed, the configured teacher.

    Built again only when the documents, the seed, a setting (the teacher's among them) or the
    code changed (`incremental.py`): a teacher writes pairs note by note, minutes on two cores.
    """
    from dataclasses import asdict
    from pathlib import Path

    from secondbrain_core.dataset.documents import read_documents
    from secondbrain_core.dataset.pairs import teacher_for
    from secondbrain_core.dataset.seed import mix_limits, seed_mix
    from secondbrain_core.incremental import input_key, reuse_or_compute

    notes = read_documents(settings)
    mix = seed_mix(mix_limits(settings.dataset_seed_mix, settings.dataset_seed_limit))
    seed = mix.documents
    seed_dropped = {f"seed_{src}_{reason}": n for src, drops in mix.dropped.items() for reason, n in drops.items()}

    def build() -> dict:
        teacher = teacher_for(settings) if notes and settings.dataset_teacher_notes else None
        return asdict(build_dataset(settings, notes, seed, teacher, progress, seed_dropped))

    key = input_key(settings, step="summarization_dataset", notes=_digest(notes), seed=_digest(seed))
    stored, _ = reuse_or_compute(
        settings, "summarization_dataset", key, build, lambda info: Path(info["path"]).is_dir()
    )
    return DatasetInfo(**{**stored.result, "path": Path(stored.result["path"])})


def _digest(documents: list[Document]) -> str:
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(f"{doc.doc_id}\0{doc.title}\0{doc.source}\0{doc.summary}\0{doc.text}\0".encode())
    return digest.hexdigest()
