"""The in-process model: SmolLM2 (or a tuned checkpoint) on CPU, via transformers or llama.cpp.

Weights load once per process (a cache keyed by the file and backend) because loading costs
seconds and every caller (summarizer, server, evals) would otherwise repeat it. One generation
runs at a time per model (a lock held for the whole generation, streaming included): two at
once on two shared cores would each run at half speed and double the memory for KV caches.

An engine only turns a prompt into next-token ids; decoding, stop strings, streaming and
token counts are done here once for both engines. llama.cpp (the optional `llamacpp` extra)
serves GGUF files when importable: it loads in ~0.1 s instead of ~10 s of dequantizing and
generates faster; transformers stays for tuned (non-GGUF) checkpoints and training.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Generator, Iterator
from typing import Protocol

import torch

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm.models import ModelRef
from secondbrain_core.llm.stops import StopScanner
from secondbrain_core.llm.types import ChatResult, ContextLengthError, TextStream, Usage
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)
BACKENDS = ("auto", "transformers", "llamacpp")


class Engine(Protocol):
    backend: str
    eos_ids: frozenset[int]
    lock: threading.Lock

    def prompt_ids(self, messages: list[dict]) -> list[int]: ...

    def next_tokens(self, prompt: list[int], temperature: float) -> Iterator[int]: ...

    def decode(self, ids: list[int]) -> str: ...


class TransformersEngine:
    """A KV-cache decoding loop over a transformers causal LM (GGUF dequantized to float32)."""

    backend = "transformers"

    def __init__(self, ref: ModelRef) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        kwargs = {"gguf_file": ref.gguf_file} if ref.gguf_file else {}
        self.tokenizer = AutoTokenizer.from_pretrained(ref.path, **kwargs)
        self.model = AutoModelForCausalLM.from_pretrained(ref.path, dtype=torch.float32, **kwargs).eval()
        configured = self.model.generation_config.eos_token_id
        eos = {self.tokenizer.eos_token_id, *(configured if isinstance(configured, list) else [configured])}
        self.eos_ids = frozenset(i for i in eos if i is not None)
        self.lock = threading.Lock()

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        encoded = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True, return_dict=True
        )
        return list(encoded["input_ids"])

    def next_tokens(self, prompt: list[int], temperature: float) -> Iterator[int]:
        cache, step_input = None, torch.tensor([prompt])
        while True:
            with torch.inference_mode():
                out = self.model(input_ids=step_input, cache=cache, use_cache=True, logits_to_keep=1)
                next_id = _pick(out.logits[0, -1], temperature)
            cache = out.cache
            yield next_id
            step_input = torch.tensor([[next_id]])

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def _pick(logits: torch.Tensor, temperature: float) -> int:
    """Greedy at temperature 0 (reproducible evals), otherwise sample from softmax(logits / T)."""
    if temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    return int(torch.multinomial(probs, 1))


_ENGINES: dict[tuple[str, str | None, str, int], Engine] = {}
_LOAD_LOCK = threading.Lock()


def llamacpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def _pick_backend(ref: ModelRef, backend: str) -> str:
    if backend not in BACKENDS:
        raise SecondBrainError(f"unknown LLM backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "llamacpp" if ref.gguf_file and llamacpp_available() else "transformers"
    if backend == "llamacpp" and not (ref.gguf_file and llamacpp_available()):
        raise SecondBrainError(f"backend llamacpp needs llama-cpp-python and a GGUF model; {ref.name} is {ref.path}")
    return backend


def load_engine(ref: ModelRef, backend: str = "auto", context_tokens: int = 2048, threads: int = 0) -> Engine:
    """The cached engine for these weights, loading them on first use (`threads` 0: one per core)."""
    chosen = _pick_backend(ref, backend)
    llamacpp = chosen == "llamacpp"
    key = (str(ref.path), ref.gguf_file, chosen, context_tokens if llamacpp else 0, threads if llamacpp else 0)
    with _LOAD_LOCK:
        if key not in _ENGINES:
            log.info("loading %s from %s with %s", ref.name, ref.path, chosen)
            if chosen == "llamacpp":
                from secondbrain_core.llm.llamacpp import LlamaCppEngine

                _ENGINES[key] = LlamaCppEngine(ref, context_tokens, threads)
            else:
                _ENGINES[key] = TransformersEngine(ref)
        return _ENGINES[key]


class LocalChatModel:
    """`LLMClient` over in-process weights; each instance keeps its own usage counter."""

    def __init__(self, ref: ModelRef, context_tokens: int = 2048, backend: str = "auto", threads: int = 0) -> None:
        self.ref = ref
        self.model = ref.name
        self.context_tokens = context_tokens
        self.usage = Usage()
        self.engine = load_engine(ref, backend, context_tokens, threads)

    @classmethod
    def from_settings(cls, settings: Settings, ref: ModelRef) -> LocalChatModel:
        """The in-process model as the settings configure it (engine, context, threads)."""
        return cls(ref, settings.llm_context_tokens, settings.llm_backend, settings.llm_threads)

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

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        return self.engine.prompt_ids([{"role": m["role"], "content": m["content"]} for m in messages])

    def _generate(
        self, messages: list[dict], max_tokens: int, temperature: float, stop: list[str] | None
    ) -> Generator[str, None, ChatResult]:
        prompt = self.prompt_ids(messages)
        room = self.context_tokens - len(prompt)
        if room < 1:
            raise ContextLengthError(
                f"the prompt has {len(prompt)} tokens; the model's context is {self.context_tokens}"
            )
        scanner = StopScanner(stop)
        generated: list[int] = []
        pieces: list[str] = []
        decoded_chars = 0
        finish = "length"
        with self.engine.lock:
            tokens = self.engine.next_tokens(prompt, temperature)
            for next_id in tokens:
                if next_id in self.engine.eos_ids:
                    finish = "stop"
                    break
                generated.append(next_id)
                text = self.engine.decode(generated)
                if not text.endswith("\ufffd"):  # else half of a multi-byte character: wait for the rest
                    piece = scanner.feed(text[decoded_chars:])
                    decoded_chars = len(text)
                    if piece:
                        pieces.append(piece)
                        yield piece
                    if scanner.stopped:
                        finish = "stop"
                        break
                if len(generated) >= min(max_tokens, room):
                    break
            tokens.close()
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
