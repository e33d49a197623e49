"""The in-process model: SmolLM2 (or a tuned checkpoint) through transformers, on CPU.

Weights load once per process (a cache keyed by the folder) because loading costs seconds
and every caller (summarizer, server, evals) would otherwise repeat it. One generation runs at
a time (a lock held for the whole generation, streaming included): two at once on two shared
cores would each run at half speed and double the memory for the KV caches.

Decoding is a plain loop over the KV cache rather than `generate()`, so streaming, stop
strings and exact token counts come from one place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator
from dataclasses import dataclass

import torch

from secondbrain_core.llm.models import ModelRef
from secondbrain_core.llm.stops import StopScanner
from secondbrain_core.llm.types import ChatResult, ContextLengthError, TextStream, Usage

log = logging.getLogger(__name__)


@dataclass
class _Weights:
    model: object
    tokenizer: object
    eos_ids: frozenset[int]
    lock: threading.Lock


_LOADED: dict[tuple[str, str | None], _Weights] = {}
_LOAD_LOCK = threading.Lock()


def _load(ref: ModelRef) -> _Weights:
    key = (str(ref.path), ref.gguf_file)
    with _LOAD_LOCK:
        if key not in _LOADED:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            log.info("loading %s from %s", ref.name, ref.path)
            kwargs = {"gguf_file": ref.gguf_file} if ref.gguf_file else {}
            tokenizer = AutoTokenizer.from_pretrained(ref.path, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(ref.path, dtype=torch.float32, **kwargs).eval()
            configured = model.generation_config.eos_token_id
            eos = {tokenizer.eos_token_id, *(configured if isinstance(configured, list) else [configured])}
            _LOADED[key] = _Weights(model, tokenizer, frozenset(i for i in eos if i is not None), threading.Lock())
        return _LOADED[key]


class LocalChatModel:
    """`LLMClient` over the in-process weights; each instance keeps its own usage counter."""

    def __init__(self, ref: ModelRef, context_tokens: int = 2048) -> None:
        self.ref = ref
        self.model = ref.name
        self.context_tokens = context_tokens
        self.usage = Usage()
        self._w = _load(ref)

    def count_tokens(self, text: str) -> int:
        return len(self._w.tokenizer.encode(text, add_special_tokens=False))

    def chat(
        self, messages: list[dict], *, max_tokens: int = 256, temperature: float = 0.0, stop: list[str] | None = None
    ) -> ChatResult:
        stream = self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)
        for _ in stream:
            pass
        assert stream.result is not None
        return stream.result

    def stream(
        self, messages: list[dict], *, max_tokens: int = 256, temperature: float = 0.0, stop: list[str] | None = None
    ) -> TextStream:
        return TextStream(self._generate(messages, max_tokens, temperature, stop))

    def _prompt_ids(self, messages: list[dict]) -> list[int]:
        encoded = self._w.tokenizer.apply_chat_template(
            [{"role": m["role"], "content": m["content"]} for m in messages],
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
        )
        return list(encoded["input_ids"])

    def _generate(
        self, messages: list[dict], max_tokens: int, temperature: float, stop: list[str] | None
    ) -> Generator[str, None, ChatResult]:
        prompt = self._prompt_ids(messages)
        room = self.context_tokens - len(prompt)
        if room < 1:
            raise ContextLengthError(
                f"the prompt has {len(prompt)} tokens; the model's context is {self.context_tokens}"
            )
        tokenizer, model = self._w.tokenizer, self._w.model
        scanner = StopScanner(stop)
        generated: list[int] = []
        pieces: list[str] = []
        decoded_chars = 0
        finish = "length"
        with self._w.lock:
            cache = None
            step_input = torch.tensor([prompt])
            for _ in range(min(max_tokens, room)):
                with torch.inference_mode():
                    out = model(input_ids=step_input, cache=cache, use_cache=True, logits_to_keep=1)
                    next_id = _pick(out.logits[0, -1], temperature)
                cache = out.cache
                if next_id in self._w.eos_ids:
                    finish = "stop"
                    break
                generated.append(next_id)
                step_input = torch.tensor([[next_id]])
                text = tokenizer.decode(generated, skip_special_tokens=True)
                if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
                    continue
                piece = scanner.feed(text[decoded_chars:])
                decoded_chars = len(text)
                if piece:
                    pieces.append(piece)
                    yield piece
                if scanner.stopped:
                    finish = "stop"
                    break
        tail = scanner.flush()
        if tail:
            pieces.append(tail)
            yield tail
        self.usage.add(len(prompt), len(generated))
        return ChatResult(
            text="".join(pieces),
            prompt_tokens=len(prompt),
            completion_tokens=len(generated),
            model=self.model,
            finish_reason=finish,
        )


def _pick(logits: torch.Tensor, temperature: float) -> int:
    """Greedy at temperature 0 (reproducible evals), otherwise sample from softmax(logits / T)."""
    if temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    return int(torch.multinomial(probs, 1))
