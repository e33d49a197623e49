"""LoRA fine-tuning of the base model on the dataset's train split (transformers + peft, CPU by default).

The base GGUF is dequantized to float32 by transformers; LoRA adapters (rank r on every
attention and MLP projection) are trained with AdamW on a linear-decay schedule (under
bfloat16 autocast where the hardware multiplies bfloat16 natively), validation loss is
measured every `train_eval_every` steps, and the adapters are merged into the weights so the
result is a plain checkpoint any engine loads. Defaults (40 steps of 8 examples of at most 256
tokens, the notes' pairs 3 times an epoch, lr 5e-4, r 16) won over 20 steps on the tune halves
of both public one-line sets (RESULTS.md "Training"; 60 steps did too, but pushed the whole
demo past its budget): about 6–7 s a step on two idle cores.
"""

from __future__ import annotations

import logging
import math
import os
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_core.llm.models import ModelRef
from secondbrain_core.settings import Settings
from secondbrain_core.training.examples import IGNORE, Example, collate, encode, training_rows

log = logging.getLogger(__name__)
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
WARMUP_STEPS = 2
VALIDATION_ITEMS = 48
SEED = 0
GROUP_BATCHES = 8


@dataclass
class TrainReport:
    model_dir: Path
    steps: int
    train_examples: int
    final_loss: float
    validation_loss: list[tuple[int, float]] = field(default_factory=list)
    seconds_per_step: float = 0.0
    tokens_per_second: float = 0.0
    peak_memory_mb: float = 0.0
    params: dict = field(default_factory=dict)


def hyperparameters(settings: Settings) -> dict:
    """Everything that decides the run, as logged to MLflow and written into the GPU (axolotl) config."""
    return {
        "steps": settings.train_steps,
        "batch_size": settings.train_batch_size,
        "learning_rate": settings.train_learning_rate,
        "lora_r": settings.train_lora_r,
        "lora_alpha": settings.train_lora_alpha,
        "lora_dropout": 0.05,
        "target_modules": ",".join(TARGET_MODULES),
        "max_tokens": settings.train_max_tokens,
        "notes_repeat": settings.train_notes_repeat,
        "precision": settings.train_precision,
        "warmup_steps": WARMUP_STEPS,
        "seed": SEED,
    }


def use_bf16(settings: Settings) -> bool:
    """Whether to train under bfloat16 autocast: asked for, or `auto` where the hardware does bfloat16
    matrix products natively (AMX/AVX-512 BF16 CPUs, recent GPUs); elsewhere it would be slower."""
    import torch

    if settings.train_precision != "auto":
        return settings.train_precision == "bfloat16"
    if torch.device(settings.train_device).type == "cuda":
        return torch.cuda.is_bf16_supported()
    return torch.backends.mkldnn.is_available() and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def _load_base(base: ModelRef, device: str):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs = {"gguf_file": base.gguf_file} if base.gguf_file else {}
    tokenizer = AutoTokenizer.from_pretrained(base.path, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(base.path, dtype=torch.float32, **kwargs).to(device)
    if base.gguf_file:  # dequantized to float32 on load: the tensors are plain, but the GGUF marker
        model.hf_quantizer = None  # would make save_pretrained refuse to write the merged model
        model.config.__dict__.pop("quantization_config", None)
    return tokenizer, model


def _loss(model, batch: list[Example], pad_id: int, device: str, bf16: bool):
    """Mean cross-entropy over the answer tokens, and the batch's token count.

    The vocabulary projection runs only where a label is (the answer): prompts are most of
    each example, and their logits (49k floats a token) cost time and most of the memory.
    """
    import torch

    ids, mask, labels = (t.to(device) for t in collate(batch, pad_id))
    causal = model.get_base_model()
    with torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=bf16):
        hidden = causal.model(input_ids=ids, attention_mask=mask).last_hidden_state
        targets = labels[:, 1:]
        answer = targets != IGNORE
        logits = causal.lm_head(hidden[:, :-1][answer])
    return torch.nn.functional.cross_entropy(logits.float(), targets[answer]), int(mask.sum())


def fine_tune(
    settings: Settings,
    train: list[dict],
    validation: list[dict],
    base: ModelRef,
    out_dir: Path,
    log_metric: Callable[[str, float, int], None] = lambda name, value, step: None,
) -> TrainReport:
    """Train LoRA adapters on `train`, merge them, save the merged model and tokenizer to `out_dir`."""
    import torch
    from peft import LoraConfig, get_peft_model

    if settings.train_device == "cpu":
        torch.set_num_threads(settings.llm_threads or os.cpu_count() or 1)
    torch.manual_seed(SEED)
    device = settings.train_device
    bf16 = use_bf16(settings)
    tokenizer, model = _load_base(base, device)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    params = hyperparameters(settings)
    model = get_peft_model(
        model,
        LoraConfig(
            r=params["lora_r"],
            lora_alpha=params["lora_alpha"],
            lora_dropout=params["lora_dropout"],
            target_modules=TARGET_MODULES,
            task_type="CAUSAL_LM",
        ),
    )
    examples = [encode(r, tokenizer, settings) for r in training_rows(train, settings)]
    held_out = [encode(r, tokenizer, settings) for r in validation[:VALIDATION_ITEMS]]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=params["learning_rate"])
    steps = settings.train_steps
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / WARMUP_STEPS) * max(0.0, 1 - s / max(steps, 1))
    )
    order = random.Random(SEED)
    queue: list[list[Example]] = []
    report = TrainReport(out_dir, steps, len(examples), math.nan, params=params)
    tokens, started = 0, time.perf_counter()
    for step in range(1, steps + 1):
        model.train()
        if not queue:
            queue = length_grouped_batches(examples, settings.train_batch_size, order)
        batch = queue.pop()
        loss, batch_tokens = _loss(model, batch, pad_id, device, bf16)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        tokens += batch_tokens
        report.final_loss = float(loss.detach())
        log_metric("train_loss", report.final_loss, step)
        if held_out and (step % settings.train_eval_every == 0 or step == steps):
            value = validation_loss(model, held_out, pad_id, device, settings.train_batch_size, bf16)
            report.validation_loss.append((step, value))
            log_metric("validation_loss", value, step)
        log.info("step %d/%d loss %.4f", step, steps, report.final_loss)
    elapsed = time.perf_counter() - started
    report.seconds_per_step = round(elapsed / steps, 2)
    report.tokens_per_second = round(tokens / elapsed, 1)
    report.peak_memory_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    merged = model.merge_and_unload()
    merged.to(torch.bfloat16).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return report


def length_grouped_batches(examples: list[Example], batch_size: int, order: random.Random) -> list[list[Example]]:
    """One epoch of batches: shuffled, then sorted by length within groups of `GROUP_BATCHES`
    batches, so a batch's rows are of similar length and little of each step is padding."""
    shuffled = order.sample(examples, len(examples))
    size = batch_size * GROUP_BATCHES
    batches = []
    for start in range(0, len(shuffled), size):
        group = sorted(shuffled[start : start + size], key=lambda e: len(e.input_ids))
        batches += [group[i : i + batch_size] for i in range(0, len(group), batch_size)]
    order.shuffle(batches)
    return batches


def validation_loss(model, held_out: list[Example], pad_id: int, device: str, batch_size: int, bf16: bool) -> float:
    """Mean answer-token loss on the held-out examples (no gradients)."""
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(held_out), batch_size):
            batch = held_out[i : i + batch_size]
            loss, _ = _loss(model, batch, pad_id, device, bf16)
            total += float(loss) * len(batch)
            count += len(batch)
    return round(total / count, 4)
