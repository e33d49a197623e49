"""The assistant: picks the program the configured model can run, answers inside one trace.

`Assistant` holds what is costly to open (the index, the embedder, the models, term
statistics) and is reused across questions: the CLI makes one per call, the chat one per
server process. `ask()` validates the question, runs the program in a root span, and returns
an `Answer` whose `trace_id` is that span's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import dspy

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent import tracing
from secondbrain_core.agent.conversation import recent
from secondbrain_core.agent.dictionaries import cached_translations
from secondbrain_core.agent.local_program import GroundedAnswerer, TermStats
from secondbrain_core.agent.spelling import is_english
from secondbrain_core.agent.tools import NoteTools
from secondbrain_core.agent.types import Answer, Source, Step, Turn, check_question
from secondbrain_core.rag.search import Retriever, SearchFilters
from secondbrain_core.settings import Settings

Event = Step | str  # what `on_event` receives: a step as it finishes, then the answer's text pieces


def compiled_program_path(settings: Settings) -> Path:
    """Where the optimized tool agent's state (DSPy JSON, never pickle) is saved and loaded."""
    return settings.home / "agent" / "program.json"


def uses_tools(settings: Settings) -> bool:
    """The tool-using agent needs a model that follows DSPy's formats: a configured API."""
    if settings.agent_mode == "auto":
        return bool(settings.openai_api_key or settings.openai_base_url)
    return settings.agent_mode == "tools"


class Assistant:
    """Answers questions over the materialized index with the program the settings choose."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever | None = None,
        lm: dspy.LM | None = None,
        params: ev.SelectionParams | None = None,
        embedder=None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever or Retriever(settings)
        self.params = params or ev.SelectionParams(budget_words=settings.agent_answer_words)
        self._lm = lm
        self._stats: tuple[object, TermStats] | None = None
        self._translations: tuple[object, dict[str, list[str]]] | None = None
        self._embedder = embedder

    # --- building blocks -------------------------------------------------------------

    def term_stats(self) -> TermStats:
        """IDF of the current index, recomputed when the index was rebuilt."""
        built = self.retriever.manifest.built_at
        if self._stats is None or self._stats[0] != built:
            self._stats = (built, TermStats.from_index(*self.retriever.document_frequencies()))
        return self._stats[1]

    def translations(self) -> dict[str, list[str]]:
        """English words → the notes' words for them (`dictionaries`), for the current index."""
        built = self.retriever.manifest.built_at
        if self._translations is None or self._translations[0] != built:
            table = cached_translations(
                self.term_stats().words,
                self.settings.agent_dictionaries,
                self.settings.home / "agent" / "translations.json",
                str(built),
                ev.stem,
                is_english,
            )
            self._translations = (built, table)
        return self._translations[1]

    def _embedder_model(self):
        if self._embedder is None:
            from secondbrain_core.rag.embedders import embedder_for

            self._embedder = embedder_for(self.settings)
        return self._embedder

    def capable_lm(self) -> dspy.LM:
        if self._lm is None:
            from secondbrain_core.agent.lm import capable_lm

            self._lm = capable_lm(self.settings)
        return self._lm

    def lead_lm(self) -> dspy.LM | None:
        if not self.settings.agent_lead:
            return None
        from secondbrain_core.agent.lm import local_lm
        from secondbrain_core.llm import local_llm

        return local_lm(local_llm(self.settings, "champion"))

    def program(self, tools: NoteTools, k: int | None = None) -> dspy.Module:
        """The local program, or the tool agent (falling back to it) when a capable model is set."""
        embedder = self._embedder_model()
        local = GroundedAnswerer(
            tools,
            self.term_stats(),
            embedder.embed_query,
            embedder.embed_short,
            self.params,
            self.settings.agent_evidence_threshold,
            k or self.settings.agent_k,
            self.lead_lm(),
            self.translations(),
        )
        if not uses_tools(self.settings):
            return local
        from secondbrain_core.agent.tool_agent import ToolAgent

        agent = ToolAgent(tools, local, self.settings.agent_max_iters)
        saved = compiled_program_path(self.settings)
        if saved.exists():
            agent.load(str(saved))
        return agent

    # --- answering -------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[Turn] | None = (),
        filters: SearchFilters | None = None,
        k: int | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> Answer:
        """Answer `question` (with the conversation so far, None or empty for none) from the notes, in one trace."""
        text = check_question(question)
        history = recent(history or ())
        tools = NoteTools(self.retriever, self.settings, filters, default_k=k or self.settings.agent_k)
        program = self.program(tools, k)
        live: list[Step] = []
        if on_event is not None:
            local = getattr(program, "fallback", program)

            def relay(step: Step) -> None:
                live.append(step)
                on_event(step)

            local.on_event = relay
        started = time.perf_counter()
        inputs = {"question": text, "history": [t.model_dump() for t in history], "filters": _filters(filters)}
        with tracing.trace(self.settings, "ask", inputs, enabled=self.settings.agent_tracing) as record:
            context = {"lm": self.capable_lm()} if uses_tools(self.settings) else {}
            with dspy.context(**context):
                prediction = program(question=text, history=list(history))
            answer = Answer(
                answer=prediction.answer,
                found=prediction.found,
                sources=list(prediction.sources),
                steps=[*prediction.steps, Step(name="total", seconds=round(time.perf_counter() - started, 4))],
            )
            record["outputs"] = answer.as_json()
        answer.trace_id = record["trace_id"]
        if on_event is not None:
            for step in answer.steps:
                if not any(step is shown for shown in live):
                    on_event(step)
            for piece in answer_pieces(answer):
                on_event(piece)
        return answer


def answer_pieces(answer: Answer) -> list[str]:
    """The answer cut at its citation markers: what the chat streams, one cited statement a piece."""
    pieces, start = [], 0
    for marker in re.finditer(r"\[\d+\]\s*", answer.answer):
        pieces.append(answer.answer[start : marker.end()])
        start = marker.end()
    if start < len(answer.answer):
        pieces.append(answer.answer[start:])
    return pieces


def _filters(filters: SearchFilters | None) -> dict:
    return filters.model_dump(mode="json", exclude_none=True) if filters else {}


_DEFAULT: dict[str, Assistant] = {}


def ask(question: str, settings: Settings, history: Sequence[Turn] = (), **kwargs) -> Answer:
    """One answer with a process-wide assistant for this home (the demo, scripts)."""
    key = str(settings.home.resolve())
    if key not in _DEFAULT:
        _DEFAULT[key] = Assistant(settings)
    return _DEFAULT[key].ask(question, history, **kwargs)


__all__ = ["Answer", "Assistant", "Source", "Turn", "ask", "check_question"]
