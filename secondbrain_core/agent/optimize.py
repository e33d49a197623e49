"""Few-shot optimization of the tool agent for a capable model, saved as DSPy JSON state.

Only the tool-using path has prompts worth optimizing (the local program's choices are
numbers chosen on the tune half by `benchmarks/agent.py`). `BootstrapFewShot` runs the agent
on the dev set's tune half with the configured model, keeps the traces whose answer names the
right page and states the fact, and turns them into demonstrations. The state is saved as
JSON (never pickle) where `Assistant.program()` loads it, so `ask` and the chat use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dspy

from secondbrain_core.agent import metrics
from secondbrain_core.agent.assistant import Assistant, compiled_program_path
from secondbrain_core.agent.metrics import DevQuestion
from secondbrain_core.agent.tools import NoteTools
from secondbrain_core.agent.types import Answer, Turn


@dataclass
class Optimization:
    before: float  # page-and-fact on the training questions, before
    after: float  # and after, with the demonstrations
    demos: int
    path: Path


def as_example(question: DevQuestion) -> dspy.Example:
    history = [Turn.model_validate(turn) for turn in question.history]
    return dspy.Example(question=question.question, history=history, dev=question).with_inputs("question", "history")


def answer_metric(example: dspy.Example, prediction: dspy.Prediction, trace=None) -> bool:
    """Right page among the first three sources and the fact stated (or, unanswerable, declined)."""
    answer = Answer(answer=prediction.answer, found=prediction.found, sources=prediction.sources)
    question: DevQuestion = example.dev
    if not question.answerable:
        return metrics.declined(answer)
    return metrics.page_hit(question, answer) and metrics.fact_found(question, answer)


def _score(program: dspy.Module, examples: list[dspy.Example]) -> float:
    hits = [answer_metric(e, program(**e.inputs())) for e in examples]
    return sum(hits) / len(hits) if hits else 0.0


def optimize_tool_agent(
    assistant: Assistant,
    questions: list[DevQuestion],
    max_demos: int = 3,
    optimizer: Callable[..., dspy.teleprompt.Teleprompter] | None = None,
) -> Optimization:
    """Compile the tool agent on `questions` with the assistant's capable model and save it."""
    from secondbrain_core.agent.tool_agent import ToolAgent

    tools = NoteTools(assistant.retriever, assistant.settings, default_k=assistant.settings.agent_k)
    student = assistant.program(tools)
    if not isinstance(student, ToolAgent):
        raise ValueError("optimization needs the tool agent: configure OPENAI_API_KEY/OPENAI_BASE_URL")
    examples = [as_example(q) for q in questions]
    make = optimizer or dspy.BootstrapFewShot
    with dspy.context(lm=assistant.capable_lm()):
        before = _score(student, examples)
        compiled = make(metric=answer_metric, max_bootstrapped_demos=max_demos, max_labeled_demos=0).compile(
            student, trainset=examples
        )
        after = _score(compiled, examples)
    path = compiled_program_path(assistant.settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.json")
    compiled.save(str(tmp))  # `.json`: DSPy writes the predictors' state as JSON
    tmp.replace(path)
    demos = sum(len(p.demos) for _, p in compiled.named_predictors())
    return Optimization(before, after, demos, path)
