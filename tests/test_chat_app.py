"""The Streamlit chat driven by `AppTest`: ask, answer and sources shown, a follow-up, filters,
thumbs stored on the answer's MLflow trace, and the page without an index."""

from __future__ import annotations

import shutil
import time

import mlflow
import pytest
from streamlit.testing.v1 import AppTest

from secondbrain_core.agent import Answer
from secondbrain_core.agent.tracing import FEEDBACK_NAME
from secondbrain_core.app.commands.chat import CHAT_SCRIPT
from secondbrain_core.settings import Settings

TIMEOUT_S = 120  # one script run may load the embedder and create the MLflow store (AppTest's default: 3 s)
LINK = "[Espresso \\[home\\]](<https://example.test/espresso>)"


def _app() -> AppTest:
    app = AppTest.from_file(str(CHAT_SCRIPT), default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception, app.exception
    return app


def _ask(app: AppTest, question: str) -> Answer:
    app.chat_input[0].set_value(question).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    return app.session_state["exchanges"][-1][1]


def _root_inputs(trace_id: str) -> dict:
    """The inputs of the answer's root span (spans are exported asynchronously: wait for it)."""
    deadline = time.monotonic() + 30
    while True:
        trace = mlflow.get_trace(trace_id, flush=True)
        roots = [span for span in trace.data.spans if span.parent_id is None] if trace else []
        if roots or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert roots, f"trace {trace_id} has no root span after 30 s"
    return roots[0].inputs


def _feedback(trace_id: str) -> list:
    return [a.value for a in mlflow.get_trace(trace_id, flush=True).search_assessments(name=FEEDBACK_NAME)]


def test_ask_follow_up_and_thumbs_on_the_trace(notes_index: Settings) -> None:
    app = _app()
    sidebar = " ".join(m.value for m in app.sidebar.markdown)
    assert "**3** pages" in sidebar and "`minilm`" in sidebar and "UTC" in sidebar

    first = _ask(app, "How long do I pull an espresso shot?")
    assert first.found and "25 seconds" in first.answer
    assert [s.page_id for s in first.sources][:1] == ["espresso"]
    shown = [m.value for m in app.markdown]
    # streamed into the page, the brackets of the note's title shown as text, not read as a link
    assert first.answer in [value.replace("\\[", "[").replace("\\]", "]") for value in shown]
    assert any(LINK in value for value in shown)  # the source as a link to its page, title escaped
    assert any("25 seconds" in t.value for t in app.text)  # the cited passage under it
    assert any(first.trace_id in c.value for c in app.caption)
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    assert app.status[0].label.startswith("Answered in")  # the steps, in a collapsed status box
    assert any(t.value.startswith("search") for t in app.status[0].text)

    second = _ask(app, "and how many grams of coffee go in the basket?")
    assert "18 grams" in second.answer and second.trace_id != first.trace_id
    history = _root_inputs(second.trace_id)["history"]
    assert [(turn["role"], turn["content"]) for turn in history] == [
        ("user", "How long do I pull an espresso shot?"),
        ("assistant", first.answer),
    ]
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2  # the first exchange stays

    assert len(app.feedback) == 2
    app.feedback[0].set_value(1).run()
    app.feedback[1].set_value(0).run()
    assert not app.exception, app.exception
    assert _feedback(first.trace_id) == [True]
    assert _feedback(second.trace_id) == [False]

    app.sidebar.button[0].click().run()  # "New conversation"
    assert not app.chat_message and app.session_state["exchanges"] == []


def test_filters_reach_the_search(notes_index: Settings) -> None:
    app = _app()
    sources, tags = app.sidebar.multiselect
    assert sources.options == ["garage", "garden", "kitchen"] and tags.options == ["coffee", "plants"]
    sources.set_value(["garden"])
    answer = _ask(app, "How long do I pull an espresso shot?")
    assert {s.page_id for s in answer.sources} <= {"orchid"} and "25 seconds" not in answer.answer
    assert _root_inputs(answer.trace_id)["filters"] == {"sources": ["garden"]}

    app.sidebar.multiselect[0].set_value([])
    app.sidebar.multiselect[1].set_value(["coffee"])
    answer = _ask(app, "How often do I water the orchid?")
    assert {s.page_id for s in answer.sources} <= {"espresso"}
    assert _root_inputs(answer.trace_id)["filters"] == {"tags": ["coffee"]}


def test_without_tracing_there_is_no_feedback(notes_index: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECONDBRAIN_AGENT_TRACING", "false")
    app = _app()
    answer = _ask(app, "How often do I water the orchid?")
    assert answer.trace_id is None and answer.found
    # dollars stay dollars (Streamlit's Markdown would read "$12 … $" as LaTeX); a code span keeps its own
    assert "$12" in answer.answer and "`$TAP`" in answer.answer
    assert answer.answer.replace("$12", "\\$12").replace("$3", "\\$3") in [m.value for m in app.markdown]
    assert not app.feedback and any("tracing is off" in c.value for c in app.caption)


def test_without_an_index_the_page_says_how_to_build_one(settings: Settings) -> None:
    app = _app()
    assert len(app.error) == 1 and "secondbrain demo" in app.error[0].value
    assert not app.chat_input


def test_an_index_removed_under_the_chat_says_how_to_build_one(notes_index: Settings) -> None:
    app = _app()
    shutil.rmtree(notes_index.home / "index")
    app.chat_input[0].set_value("How often do I water the orchid?").run()
    assert not app.exception, app.exception
    assert len(app.error) == 1 and "secondbrain demo" in app.error[0].value
    assert not app.chat_input and app.session_state["exchanges"] == []


def test_a_refused_question_is_one_error_line(notes_index: Settings) -> None:
    app = _app()  # `ask` refuses a blank question on its worker thread; the page shows its message
    app.chat_input[0].set_value("   ").run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == ["the question is empty"]
    assert app.status[0].label == "Failed" and app.session_state["exchanges"] == []
