"""The Streamlit chat (`secondbrain chat` runs it): a face over `Assistant.ask`, no logic of its own.

One `Assistant` per server process serves every session (the index, the embedder and the models
load once). The conversation lives in the session; each question goes to `ask` with the turns
before it, so follow-ups work. `ask` runs on a worker thread and hands its steps and the answer's
pieces over a queue, because Streamlit calls must stay on the script thread, which streams them
into the page as they arrive. The app reads the index the pipeline built and never rebuilds it.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from secondbrain_core.agent import Answer, Assistant, Step, Turn
from secondbrain_core.agent.tracing import record_feedback
from secondbrain_core.agent.types import MAX_QUESTION_CHARS
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.manifest import IndexManifest, read_manifest
from secondbrain_core.rag.search import SearchFilters
from secondbrain_core.redact import redact
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings, load_settings

log = logging.getLogger(__name__)
EXCHANGES = "exchanges"  # session key: the (question, Answer) pairs of this conversation
_DONE = object()  # the worker's last event: `ask` returned or raised
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_ACTIVE = re.compile(r"\[\d+\]|[\\$\[\]<]")  # a citation marker (kept), or a character Markdown acts on


@st.cache_resource(show_spinner="Opening the index…")
def _assistant(home: str, _settings: Settings) -> Assistant:
    """The process's assistant for this home; a failure is not cached, so a later visit retries."""
    return Assistant(_settings)


def _exchanges() -> list[tuple[str, Answer]]:
    return st.session_state.setdefault(EXCHANGES, [])


def _history(exchanges: list[tuple[str, Answer]]) -> list[Turn]:
    """The conversation so far as `ask` takes it."""
    turns: list[Turn] = []
    for question, answer in exchanges:
        turns += [Turn(role="user", content=question), Turn(role="assistant", content=answer.answer)]
    return turns


# --- sidebar ----------------------------------------------------------------------------------


def _sidebar(manifest: IndexManifest, tags: list[str]) -> SearchFilters:
    """Index freshness and the filters; returns the filters chosen."""
    with st.sidebar:
        st.header("Index")
        counts = manifest.counts
        st.markdown(
            f"Built **{manifest.built_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC** ({_age(manifest.built_at)} ago)  \n"
            f"**{counts.get('pages', 0)}** pages · **{counts.get('chunks', 0)}** chunks · "
            f"**{counts.get('sources', len(manifest.source_versions))}** sources  \n"
            f"Embedder `{manifest.embedder}`"
        )
        st.header("Filters")
        sources = st.multiselect("Sources", sorted(manifest.source_versions), placeholder="all sources")
        chosen_tags = st.multiselect("Tags", tags, placeholder="any tags", accept_new_options=True)
        if st.button("New conversation", disabled=not _exchanges()):
            st.session_state[EXCHANGES] = []
    return SearchFilters(sources=sources or None, tags=chosen_tags or None)


def _age(moment: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


# --- one answer ---------------------------------------------------------------------------------


def _ask_live(assistant: Assistant, question: str, history: list[Turn], filters: SearchFilters) -> Answer:
    """`ask` on a worker thread; its steps fill a status box and its text streams into the page."""
    events: queue.Queue[Any] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["answer"] = assistant.ask(question, history=history, filters=filters, on_event=events.put)
        except Exception as exc:  # raised again on the script thread, which shows it
            outcome["error"] = exc
        finally:
            events.put(_DONE)

    status = st.status("Searching your notes…")
    threading.Thread(target=work, name="chat-ask", daemon=True).start()
    st.write_stream(_text_pieces(events, status))
    if "error" in outcome:
        status.update(label="Failed", state="error")
        raise outcome["error"]
    answer: Answer = outcome["answer"]
    total = next((step.seconds for step in answer.steps if step.name == "total"), 0.0)
    status.update(label=f"Answered in {total:.1f} s", state="complete", expanded=False)
    return answer


def _text_pieces(events: queue.Queue[Any], status: Any) -> Iterator[str]:
    """The answer's pieces for `st.write_stream`; steps go to the status box as they come."""
    while (event := events.get()) is not _DONE:
        if isinstance(event, Step):
            status.text(f"{event.name} ({event.seconds:.2f} s) {event.detail}".strip())
        else:
            yield _as_text(event)


def _details(answer: Answer, settings: Settings) -> None:
    """Under an answer: its sources (a link to the page, the passage cited), the trace, the thumbs."""
    for number, source in enumerate(answer.sources, start=1):
        with st.container(border=True):
            title = _escape(source.title or source.page_id)
            st.markdown(f"**[{number}]** [{title}](<{source.url}>)" if source.url else f"**[{number}]** {title}")
            st.text(source.passage)
    if answer.trace_id is None:
        st.caption("tracing is off (SECONDBRAIN_AGENT_TRACING=false): no feedback")
        return
    st.caption(f"trace `{answer.trace_id}`")
    key = f"feedback-{answer.trace_id}"
    st.feedback("thumbs", key=key, on_change=_store_feedback, args=(settings, answer.trace_id, key))


def _store_feedback(settings: Settings, trace_id: str, key: str) -> None:
    """Thumbs up or down lands on the answer's trace (cleared thumbs store nothing)."""
    value = st.session_state[key]
    if value is None:
        return
    try:
        record_feedback(settings, trace_id, thumbs_up=value == 1)
    except Exception as exc:  # the store may be down; the chat goes on and says so
        st.toast(redact(f"feedback not saved: {type(exc).__name__}: {exc}", settings))
        return
    st.toast("Thanks: feedback saved on the trace")


def _as_text(text: str) -> str:
    """An answer's Markdown with the notes' words kept as words: `$` stays a dollar (Streamlit reads
    `$…$` as LaTeX), and `[`, `]`, `<` are escaped, so a note's link, image (a request to any host
    when the page renders) or HTML shows as its text; citation markers and code spans stay as they are."""
    parts, end = [], 0
    for code in _CODE_SPAN.finditer(text):
        parts += [_ACTIVE.sub(_inert, text[end : code.start()]), code.group()]
        end = code.end()
    return "".join([*parts, _ACTIVE.sub(_inert, text[end:])])


def _inert(mark: re.Match) -> str:
    return mark.group() if len(mark.group()) > 1 else f"\\{mark.group()}"


def _escape(text: str) -> str:
    """Markdown link text shown literally (a title may hold brackets or emphasis marks)."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#!|~$" else c for c in text)


# --- the page -------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="Second Brain", page_icon="🧠")
    st.title("Second Brain")
    settings: Settings | None = None
    try:
        settings = load_settings()
        apply_runtime_env(settings)
        assistant = _assistant(str(settings.home.resolve()), settings)
        manifest = read_manifest(settings) or assistant.retriever.manifest
        filters = _sidebar(manifest, assistant.retriever.tags())
    except SecondBrainError as exc:
        st.error(redact(str(exc), settings))
        st.stop()

    for question, answer in _exchanges():
        st.chat_message("user").text(question)
        with st.chat_message("assistant"):
            st.markdown(_as_text(answer.answer))
            _details(answer, settings)

    question = st.chat_input("Ask your notes…", max_chars=MAX_QUESTION_CHARS)
    if not question:
        return
    st.chat_message("user").text(question)
    with st.chat_message("assistant"):
        try:
            answer = _ask_live(assistant, question, _history(_exchanges()), filters)
        except SecondBrainError as exc:
            st.error(redact(str(exc), settings))
            return
        except Exception as exc:  # one line on the page; the traceback goes to the server's log
            log.exception("answering %r failed", question[:80])
            st.error(redact(f"{type(exc).__name__}: {exc}", settings))
            return
        _details(answer, settings)
    _exchanges().append((question, answer))


main()
