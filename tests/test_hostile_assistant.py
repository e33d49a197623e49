"""The assistant's faces under hostile input: invisible questions, note text posing as citations
or as active Markdown, and conversations too long to record whole."""

from __future__ import annotations

import contextlib

import pytest
from note_pages import index_pages, note_page
from streamlit.testing.v1 import AppTest

from secondbrain_core.agent import tracing
from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.agent.conversation import HISTORY_TURNS
from secondbrain_core.agent.metrics import invalid_citations
from secondbrain_core.agent.types import MAX_QUESTION_CHARS, Turn, check_question
from secondbrain_core.app.cli import main
from secondbrain_core.app.commands.chat import CHAT_SCRIPT
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

NOTES = {
    "router": (
        "Router",
        "The office router model is the Zyxel NR7101 [1] according to the vendor datasheet [2].\n\n"
        "The status light ![status](https://tracker.example/pixel.png?leak=1) shows <b>green</b> when the "
        "router is online, see [the manual](javascript:alert(1)).",
    ),
    "orchid": ("Orchids", "Water the orchid once a week and repot it every two years."),
    "backup": (
        "Backups\nSources:\n[9] Fake",
        "The backup server hostname is \x1b[31mvault-07\x1b[0m\x1b]0;PWNED\x07 and it runs nightly.",
    ),
}


@pytest.fixture
def indexed(settings: Settings) -> Settings:
    pages = [note_page(pid, "notes", title, text) for pid, (title, text) in NOTES.items()]
    return index_pages(settings, pages).model_copy(update={"agent_tracing": False})


def _page_text(page_id: str) -> str | None:
    return NOTES[page_id][1] if page_id in NOTES else None


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\ufeff", "\x00", "\u00a0\t\u2028\u202e"])
def test_a_question_of_invisible_characters_is_empty_for_ask_and_search(
    settings: Settings, capsys: pytest.CaptureFixture[str], blank: str
) -> None:
    """Zero-width spaces, a BOM or NUL passed `strip()` and were searched as a question."""
    for command, name in (("ask", "question"), ("search", "search query")):
        assert main([command, blank]) == 2
        assert capsys.readouterr().err.strip() == f"error: the {name} is empty"


def test_an_argument_that_is_not_utf8_exits_2_naming_where(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python hands argv bytes that are not UTF-8 over as lone surrogates (`\\udcff`): `ask` died in a
    traceback in the trace store, `search` with a TypeError from the tokenizer."""
    for command, name in (("ask", "question"), ("search", "search query")):
        assert main([command, "tomato \udcff\udcfe"]) == 2
        assert capsys.readouterr().err == f"error: the {name} is not UTF-8 text (invalid bytes at character 8)\n"
    for args in (["ask", "tomato", "--source", "x\udcff"], ["search", "tomato", "--tag", "x\udcff"]):
        assert main(args) == 2
        assert capsys.readouterr().err == f"error: {args[2]} 'x\\udcff' is not UTF-8 text (invalid bytes at 2)\n"


def test_the_length_limit_holds_for_search_as_for_ask(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_question("q" * MAX_QUESTION_CHARS) == "q" * MAX_QUESTION_CHARS
    for command, name in (("ask", "question"), ("search", "search query")):
        assert main([command, "q" * (MAX_QUESTION_CHARS + 1)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"the {name} has {MAX_QUESTION_CHARS + 1} characters" in err


def test_a_notes_own_bracketed_numbers_are_not_citations(indexed: Settings) -> None:
    answer = Assistant(indexed).ask("which router model does the office use?")
    assert answer.found and "NR7101 (1)" in answer.answer and "datasheet (2)" in answer.answer
    assert invalid_citations(answer, _page_text) == 0, answer.answer
    assert all(s.passage in _page_text(s.page_id) for s in answer.sources)


def test_escape_sequences_and_newlines_in_notes_reach_the_terminal_escaped(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note's colour codes and window-title sequence were printed as is by `ask` and `search`, and
    a title holding newlines (a file name of an export) printed a fake source line."""
    for command in ("ask", "search"):
        assert main([command, "what is the backup server hostname?"]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\\x1b[31mvault-07\\x1b[0m" in out, out
        assert "Backups\\nSources:\\n[9] Fake" in out and not any(line.startswith("[9]") for line in out.splitlines())
    PageStore(open_database(indexed)).upsert([note_page("backup", "notes", *NOTES["backup"])])
    assert main(["show", "backup"]) == 0  # every command's text goes out escaped, `show` too
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mvault-07" in out, out


def test_a_long_conversation_is_read_and_traced_to_its_last_turns(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[dict] = []
    real_trace = tracing.trace

    @contextlib.contextmanager
    def spy(settings, name, inputs, enabled=True):
        recorded.append(inputs)
        with real_trace(settings, name, inputs, enabled) as record:
            yield record

    monkeypatch.setattr(tracing, "trace", spy)
    long = "x " * MAX_QUESTION_CHARS
    history = [Turn(role="user", content="how often do I water the orchid?")]
    history += [Turn(role=r, content=long) for _ in range(300) for r in ("assistant", "user")]
    history += [Turn(role="user", content="how often do I water the orchid?"), Turn(role="assistant", content="ok")]
    answer = Assistant(indexed).ask("and when should I repot it?", history)
    kept = recorded[0]["history"]
    assert len(kept) == HISTORY_TURNS and all(len(t["content"]) <= MAX_QUESTION_CHARS for t in kept)
    assert answer.found and "two years" in answer.answer


def test_the_chat_shows_a_notes_link_image_and_html_as_text(indexed: Settings) -> None:
    app = AppTest.from_file(str(CHAT_SCRIPT), default_timeout=120)
    app.run()
    app.chat_input[0].set_value("what does the router status light show?").run()
    assert not app.exception and not app.error, app.exception or [e.value for e in app.error]
    shown = " ".join(m.value for m in app.markdown)
    # the answer quotes a link or an image as its text; the HTML stays escaped text
    assert "The status light status shows \\<b>green\\</b>" in shown and "see the manual." in shown
    assert "javascript:" not in shown and "tracker.example" not in shown
