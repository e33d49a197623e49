"""The GPU path (`make train-gpu`): the same dataset and hyper-parameters, trained by axolotl.

`prepare` writes the train/validation splits as chat JSONL (the same prompts as the CPU path)
and an axolotl YAML config generated from `hyperparameters(settings)`, logging to the same
MLflow server; axolotl trains and merges the LoRA in its own venv; `register` converts the
merged folder to GGUF and registers it exactly as the CPU path does.

    python -m secondbrain_core.training.axolotl prepare OUT_DIR
    python -m secondbrain_core.training.axolotl register OUT_DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from secondbrain_core.dataset.store import DatasetInfo, latest_dataset, load_dataset
from secondbrain_core.experiments import use_experiment
from secondbrain_core.llm.models import resolve_model
from secondbrain_core.llm.summarize import summary_messages
from secondbrain_core.settings import Settings, load_settings
from secondbrain_core.training import registry
from secondbrain_core.training.examples import training_rows
from secondbrain_core.training.lora import hyperparameters
from secondbrain_core.training.run import ARTIFACT_PATH, publish

BASE_HF_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"  # axolotl loads the base from its own Hub cache


def chat_rows(rows, settings: Settings) -> list[dict]:
    return [
        {
            "messages": [
                *summary_messages(r["text"], settings, r["style"], r["question"] or None),
                {"role": "assistant", "content": r["summary"]},
            ]
        }
        for r in rows
    ]


def axolotl_config(settings: Settings, info: DatasetInfo, out: Path) -> dict:
    """The axolotl config of this dataset version with the CPU path's hyper-parameters."""
    params = hyperparameters(settings)
    return {
        "base_model": BASE_HF_ID,
        "chat_template": "tokenizer_default",
        "datasets": [{"path": str(out / "train.jsonl"), "type": "chat_template", "field_messages": "messages"}],
        "test_datasets": [{"path": str(out / "validation.jsonl"), "type": "chat_template", "split": "train"}],
        "train_on_inputs": False,
        "sequence_len": params["max_tokens"],
        "adapter": "lora",
        "lora_r": params["lora_r"],
        "lora_alpha": params["lora_alpha"],
        "lora_dropout": params["lora_dropout"],
        "lora_target_modules": params["target_modules"].split(","),
        "micro_batch_size": params["batch_size"],
        "gradient_accumulation_steps": 1,
        "max_steps": params["steps"],
        "learning_rate": params["learning_rate"],
        "warmup_steps": params["warmup_steps"],
        "lr_scheduler": "linear",
        "optimizer": "adamw_torch",
        "eval_steps": settings.train_eval_every,
        "seed": params["seed"],
        "bf16": "auto",
        "output_dir": str(out / "lora"),
        "mlflow_tracking_uri": settings.mlflow_tracking_uri,
        "mlflow_experiment_name": registry.EXPERIMENT,
        "mlflow_run_name": f"axolotl-{info.version}",
    }


def prepare(settings: Settings, out: Path) -> Path:
    """Write the chat JSONL splits, `config.yaml` and `dataset_version` under `out`."""
    import yaml

    info = latest_dataset(settings)
    dataset = load_dataset(info.path)
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "validation"):
        with (out / f"{split}.jsonl").open("w") as handle:
            rows = list(dataset[split])
            for row in chat_rows(training_rows(rows, settings) if split == "train" else rows, settings):
                handle.write(json.dumps(row) + "\n")
    (out / "config.yaml").write_text(yaml.safe_dump(axolotl_config(settings, info, out), sort_keys=False))
    (out / "dataset_version").write_text(info.version)
    return out / "config.yaml"


def register(settings: Settings, out: Path) -> str:
    """Register axolotl's merged model (`out/lora/merged`) as the CPU path does; its version."""
    import mlflow

    version = (out / "dataset_version").read_text().strip()
    lineage = {**registry.lineage(version, resolve_model(settings, "base").name), "trainer": "axolotl"}
    registry.client(settings)
    use_experiment(settings, registry.EXPERIMENT)  # artifacts under the home, not ./mlruns
    with mlflow.start_run(tags=lineage) as run, tempfile.TemporaryDirectory() as tmp:
        mlflow.log_params({**hyperparameters(settings), "dataset_version": version, "trainer": "axolotl"})
        shutil.copytree(out / "lora" / "merged", Path(tmp) / ARTIFACT_PATH / "hf")
        return publish(settings, run.info.run_id, Path(tmp) / ARTIFACT_PATH, lineage)


def main() -> None:
    parser = argparse.ArgumentParser(description="axolotl (GPU) training of the summarizer")
    parser.add_argument("step", choices=["prepare", "register"])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    settings = load_settings()
    print(prepare(settings, args.out) if args.step == "prepare" else register(settings, args.out))


if __name__ == "__main__":
    main()
