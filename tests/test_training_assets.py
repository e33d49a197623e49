"""The training assets materialized for real on a tiny model: dataset → tuned_model → summarization_eval,
the blocking promotion check refusing a worse model (alias unchanged), and the endpoint serving a promoted one."""

from __future__ import annotations

import dagster as dg
import pytest
from dataset_fixtures import TINY_TRAINING, tiny_base_model, tiny_documents
from note_pages import note_page

from asset_checks.serving import SERVING_CHECKS
from asset_checks.training import TRAINING_CHECKS
from secondbrain_core.llm import endpoint_process
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_blocks import render_properties
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_core.training import registry
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.serving.assets import summarization_endpoint
from secondbrain_dagster.training.assets import summarization_dataset, summarization_eval, tuned_model


@pytest.fixture
def training_settings(settings: Settings, tmp_path, monkeypatch) -> Settings:
    """A home whose notes carry Summary properties, a tiny base model, no teacher and no seed."""
    base = tiny_base_model(tmp_path / "tiny")
    env = {**TINY_TRAINING, "train_base_model": str(base.path), "dataset_seed_limit": 0, "dataset_teacher_notes": 0}
    env["train_eval_items"] = 4
    for name, value in env.items():
        monkeypatch.setenv(f"SECONDBRAIN_{name.upper()}", str(value))
    pages = [
        note_page(doc.doc_id, "sample", doc.title, f"{render_properties({'Summary': doc.summary})}\n\n{doc.text}")
        for doc in tiny_documents()
    ]
    PageStore(open_database(settings)).upsert(pages)
    return Settings(home=settings.home)


def test_training_assets_and_the_promotion_gate(training_settings: Settings) -> None:
    settings = training_settings
    resources = {"sb": SecondBrainSettings(home=str(settings.home))}
    assets = [summarization_dataset, tuned_model, summarization_eval]
    result = dg.materialize([*assets, *TRAINING_CHECKS], resources=resources, raise_on_error=False)

    dataset = result.asset_materializations_for_node("summarization_dataset")[0].metadata
    assert dataset["train_pairs"].value > 0 and dataset["dropped_copied"].value == 0
    trained = result.asset_materializations_for_node("tuned_model")[0].metadata
    assert trained["registry_version"].value == "1" and trained["retrained"].value is True
    evaluated = result.asset_materializations_for_node("summarization_eval")[0].metadata
    assert evaluated["candidate_version"].value == "1" and evaluated["incumbent"].value == "base"
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    # a random 2-layer model does not beat SmolLM2: the gate fails and no alias is set
    assert not checks["champion_promotion"].passed
    assert "does not beat base" in checks["champion_promotion"].metadata["reason"].value
    assert registry.champion_version(settings) is None
    assert checks["tuned_model_current"].passed

    again = dg.materialize([tuned_model], resources=resources)  # same dataset version: not retrained
    assert again.asset_materializations_for_node("tuned_model")[0].metadata["retrained"].value is False
    assert registry.latest_version(settings) == "1"


def test_endpoint_serves_the_promoted_model(training_settings: Settings) -> None:
    from secondbrain_core.dataset.build import build_configured_dataset
    from secondbrain_core.training.run import train_and_register

    settings = training_settings
    trained = train_and_register(settings, build_configured_dataset(settings))
    assert registry.promote(settings, trained.version, 0.5, "base", 0.1).promoted
    resources = {"sb": SecondBrainSettings(home=str(settings.home))}
    try:
        result = dg.materialize([summarization_endpoint, *SERVING_CHECKS], resources=resources)
        metadata = result.asset_materializations_for_node("summarization_endpoint")[0].metadata
        assert metadata["model_version"].value == trained.version and metadata["model_source"].value == "registry"
        assert endpoint_process.current(settings).version == trained.version
    finally:
        endpoint_process.stop(settings)
