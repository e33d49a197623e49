"""The llama.cpp engine for GGUF models (optional extra `llamacpp`: llama-cpp-python).

The chat template comes from the GGUF metadata and is rendered with Jinja2 the way
transformers renders it, so both engines see identical prompt tokens.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator

from jinja2.sandbox import ImmutableSandboxedEnvironment

from secondbrain_core.llm.models import ModelRef


class LlamaCppEngine:
    backend = "llamacpp"

    def __init__(self, ref: ModelRef, context_tokens: int, threads: int = 0) -> None:
        import llama_cpp

        self.llm = llama_cpp.Llama(
            model_path=str(ref.path / ref.gguf_file),
            n_ctx=context_tokens,
            n_threads=threads or os.cpu_count() or 1,
            verbose=False,
        )
        # Free the model before interpreter teardown: llama-cpp-python's own finalizer runs too
        # late at exit and raises (its C bindings are already gone).
        atexit.register(self.llm.close)
        self.eos_ids = frozenset({self.llm.token_eos()})
        self.lock = threading.Lock()
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        self._template = env.from_string(self.llm.metadata["tokenizer.chat_template"])
        vocab = self.llm.metadata
        self._specials = {
            "bos_token": self._piece(int(vocab.get("tokenizer.ggml.bos_token_id", self.llm.token_bos()))),
            "eos_token": self._piece(self.llm.token_eos()),
        }

    def _piece(self, token: int) -> str:
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        text = self._template.render(messages=messages, add_generation_prompt=True, **self._specials)
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def next_tokens(self, prompt: list[int], temperature: float) -> Iterator[int]:
        # temp 0 is greedy in llama.cpp; otherwise plain temperature sampling, as the other engine does
        return self.llm.generate(prompt, temp=temperature, top_k=0, top_p=1.0, min_p=0.0, repeat_penalty=1.0)

    def decode(self, ids: list[int]) -> str:
        return self.llm.detokenize(ids).decode("utf-8", errors="replace")
