"""Training examples: the same chat prompt the model is asked at inference, with the summary as answer.

Only the answer's tokens carry loss (the prompt is context), and the answer ends with the
end-of-turn token so the tuned model learns to stop after one line instead of rambling on.
"""

from __future__ import annotations

from dataclasses import dataclass

from secondbrain_core.dataset.documents import NOTES
from secondbrain_core.llm.summarize import summary_messages
from secondbrain_core.settings import Settings

IGNORE = -100
PROMPT_TAIL_TOKENS = 8  # the end of the user turn and the assistant header, kept when a prompt is cut


@dataclass(frozen=True)
class Example:
    input_ids: list[int]
    labels: list[int]


def training_rows(rows: list[dict], settings: Settings) -> list[dict]:
    """The train split as one epoch sees it: each pair of the user's notes `train_notes_repeat` times.

    The seed outnumbers the notes about 7 to 1, and only the notes teach the key-points and
    answer-focused styles; repeating them (not dropping seed) keeps the seed's breadth. Every
    seed source (`seed-manpages`, `seed-pypi`, `seed-pod`) is seen once.
    """
    return [r for r in rows for _ in range(settings.train_notes_repeat if r["source"] == NOTES else 1)]


def encode(record: dict, tokenizer, settings: Settings) -> Example:
    """One dataset record as token ids, cut to `train_max_tokens` inside the prompt's document text."""
    messages = summary_messages(record["text"], settings, record["style"], record.get("question") or None)
    prompt = list(
        tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)[
            "input_ids"
        ]
    )
    answer = tokenizer(record["summary"], add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    answer = answer[: settings.train_max_tokens // 2]
    room = settings.train_max_tokens - len(answer)
    if len(prompt) > room:
        prompt = prompt[: room - PROMPT_TAIL_TOKENS] + prompt[-PROMPT_TAIL_TOKENS:]
    return Example(prompt + answer, [IGNORE] * len(prompt) + answer)


def collate(batch: list[Example], pad_id: int):
    """Right-padded tensors (input_ids, attention_mask, labels) for one batch."""
    import torch

    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        mask[row, :n] = 1
    return ids, mask, labels
