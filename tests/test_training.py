"""Fine-tuning end to end on a tiny model: a 2-step LoRA run gives a loadable merged model whose MLflow
run and registry version exist with their lineage; promotion refuses a worse model and keeps the alias."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataset_fixtures import TINY_TRAINING, tiny_base_model, tiny_dataset

from secondbrain_core.llm.local import LocalChatModel
from secondbrain_core.llm.models import CHAMPION_ALIAS, REGISTERED_MODEL, ModelRef, resolve_model
from secondbrain_core.settings import Settings
from secondbrain_core.training import registry
from secondbrain_core.training.run import train_and_register


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> ModelRef:
    return tiny_base_model(tmp_path_factory.mktemp("tiny-base"))


def _tiny_settings(settings: Settings) -> Settings:
    return settings.model_copy(update=TINY_TRAINING)


def test_two_step_lora_registers_a_loadable_model_with_lineage(settings: Settings, tiny_base: ModelRef) -> None:
    settings = _tiny_settings(settings)
    info = tiny_dataset(settings)
    trained = train_and_register(settings, info, tiny_base)

    client = registry.client(settings)
    run = client.get_run(trained.run_id)
    assert [m.step for m in client.get_metric_history(trained.run_id, "train_loss")] == [1, 2]
    assert client.get_metric_history(trained.run_id, "validation_loss")
    assert run.data.params["lora_r"] == str(settings.train_lora_r) and run.data.params["steps"] == "2"
    assert run.inputs.dataset_inputs[0].dataset.name == f"summarization-{info.version}"
    version = client.get_model_version(REGISTERED_MODEL, trained.version)
    assert version.run_id == trained.run_id
    assert version.tags["dataset_version"] == info.version and len(version.tags["git_commit"]) == 40
    assert version.tags["base_model"]

    ref = resolve_model(settings, f"models:/{REGISTERED_MODEL}/{trained.version}")
    assert (Path(ref.path) / "config.json").is_file() and ref.source == "registry"
    reply = LocalChatModel(ref, backend="transformers").chat([{"role": "user", "content": "hi"}], max_tokens=3)
    assert reply.completion_tokens >= 1


def test_promotion_refuses_a_worse_model_and_keeps_the_alias(settings: Settings, tiny_base: ModelRef) -> None:
    settings = _tiny_settings(settings).model_copy(update={"train_steps": 1})
    info = tiny_dataset(settings)
    first = train_and_register(settings, info, tiny_base).version
    second = train_and_register(settings, info, tiny_base).version

    won = registry.promote(settings, first, 0.30, "base", 0.13)
    assert won.promoted and registry.champion_version(settings) == first
    lost = registry.promote(settings, second, 0.25, first, 0.30)
    assert not lost.promoted and "does not beat" in lost.reason
    assert registry.champion_version(settings) == first  # the alias stayed
    assert resolve_model(settings, CHAMPION_ALIAS).version == first


def test_gpu_path_config_uses_the_same_dataset_and_hyperparameters(settings: Settings, tmp_path: Path) -> None:
    import json

    import yaml

    from secondbrain_core.training.axolotl import prepare
    from secondbrain_core.training.lora import hyperparameters

    info = tiny_dataset(settings)
    config = yaml.safe_load(prepare(settings, tmp_path / "axolotl").read_text())
    params = hyperparameters(settings)
    assert (config["lora_r"], config["max_steps"], config["learning_rate"]) == (
        params["lora_r"],
        params["steps"],
        params["learning_rate"],
    )
    assert config["mlflow_tracking_uri"] == settings.mlflow_tracking_uri
    rows = [json.loads(line) for line in (tmp_path / "axolotl" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == info.counts["train"] * settings.train_notes_repeat  # the tiny dataset is all notes
    assert rows[0]["messages"][-1]["role"] == "assistant"
    assert (tmp_path / "axolotl" / "dataset_version").read_text() == info.version


def test_the_base_gguf_dequantized_for_training_saves_as_a_plain_checkpoint(tmp_path: Path) -> None:
    """transformers marks a GGUF-loaded model quantized and refuses to save it; the merged model must save."""
    import json

    from secondbrain_core.llm.models import base_model
    from secondbrain_core.training.lora import _load_base

    _, model = _load_base(base_model(), "cpu")
    model.save_pretrained(tmp_path / "plain")
    assert "quantization_config" not in json.loads((tmp_path / "plain" / "config.json").read_text())
    assert (tmp_path / "plain" / "model.safetensors").is_file()


def test_an_epoch_repeats_the_notes_pairs_and_batches_rows_of_similar_length(settings: Settings) -> None:
    """The notes teach the styles the seed lacks, so an epoch sees each of their pairs N times (seed
    once); batches are cut from length-sorted groups, so short and long examples rarely share one."""
    import random

    from secondbrain_core.dataset.seed import SEED_SOURCE
    from secondbrain_core.training.examples import Example, training_rows
    from secondbrain_core.training.lora import length_grouped_batches

    rows = [{"source": "notes", "summary": "a"}, {"source": SEED_SOURCE, "summary": "b"}]
    epoch = training_rows(rows, settings.model_copy(update={"train_notes_repeat": 3}))
    assert [r["summary"] for r in epoch] == ["a", "a", "a", "b"]

    examples = [Example([0] * n, [0] * n) for n in [5, 50, 6, 51, 7, 52, 8, 53]]
    batches = length_grouped_batches(examples, 2, random.Random(0))
    assert sorted(len(e.input_ids) for b in batches for e in b) == sorted(len(e.input_ids) for e in examples)
    assert all(abs(len(a.input_ids) - len(b.input_ids)) <= 1 for a, b in batches)
