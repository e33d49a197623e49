"""Quality scores: heuristics on crafted documents, the LLM judge against an OpenAI-compatible
stub on loopback (malformed answers recorded as failed), and the verdict cache."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

import pytest
from fake_api import JSONHandler, served
from note_pages import note_page

from secondbrain_core.crawl.store import CrawledPage, CrawlStore, LinkRef
from secondbrain_core.quality.documents import crawl_doc_id, find_document, source_documents
from secondbrain_core.quality.heuristics import duplicate_shares, score_markdown
from secondbrain_core.quality.judge import PROMPT_VERSION, parse_verdict
from secondbrain_core.quality.scoring import score_source
from secondbrain_core.quality.store import QualityStore
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

PROSE = (
    "Vacuuming reclaims the storage occupied by dead tuples. In normal operation, tuples that are deleted "
    "or obsoleted by an update are not physically removed from their table; they remain present until a "
    "vacuum is done. Therefore it is necessary to run it periodically, especially on frequently updated "
    "tables, so that the space can be reused and the statistics used by the planner stay current. "
) * 2
LINK_LIST = "\n".join(f"[Chapter {i}](https://example.test/chapter-{i}.html)" for i in range(12))
NAVIGATION = "\n".join(["Prev", "Next", "Up", "Home", "Skip to main content", "© 2024 Example. All rights reserved."])


def test_heuristics_rank_prose_over_stubs_link_lists_and_navigation() -> None:
    prose = score_markdown(PROSE)
    assert prose.score > 0.9 and prose.components["length"] == 1.0
    assert score_markdown("TODO: write this up").score < 0.25  # a stub
    assert score_markdown("The office Wi-Fi password is on the fridge, next to the router.").score == 1.0
    toc = score_markdown("Chapters of the manual:\n\n" + LINK_LIST)
    assert toc.components["link_density"] == 0.0 and toc.score < 0.1
    nav = score_markdown(NAVIGATION + "\n\n" + PROSE[:120])
    assert nav.components["boilerplate"] < 0.7 and nav.score < prose.score
    numbers = score_markdown(" ".join(f"id{i} val{i * 7} 0x{i:04d}" for i in range(200)))  # a dump, no prose
    assert numbers.components["language"] == 0.0 and numbers.score <= 0.1
    code_note = score_markdown(PROSE[:400] + "\n\n```sql\nSELECT * FROM pg_stat_activity WHERE state = 'idle';\n```\n")
    assert code_note.score > 0.5  # code in a note is fine: language is judged on the prose


SHORT_NOTES = [
    "Wifi password: hunter2",
    "Locker code 4312",
    "Dentist appointment Tuesday 3pm",
    "Buy milk, eggs, bread",
    "# Vitamins\nD3 2000 IU daily",
    "Recipe: pancakes, 2 eggs, 250 ml milk, 125 g flour",
    "Packing list: tent, sleeping bag, stove, headlamp, water filter, rain jacket, socks, gloves, map, compass",
    "- [ ] renew passport\n- [ ] book flights",
]
NOT_ENGLISH = [
    "Das Passwort für das WLAN im Ferienhaus steht auf dem Zettel neben dem Router im Flur.",
    "La réunion de lundi est déplacée à mardi 14h. Marie prépare le budget et Paul la salle.",
    "Reunión con el equipo de ventas: revisar los objetivos del trimestre y preparar la presentación.",
]


@pytest.mark.parametrize("text", SHORT_NOTES)
def test_a_persons_short_or_list_like_note_stays_retrievable(text: str) -> None:
    threshold = Settings.model_fields["quality_threshold"].default
    note = score_markdown(text, own_note=True)
    assert note.score >= threshold, note.components  # it answers a question its author will ask
    assert score_markdown(text).score < threshold  # the same text crawled from the web is a stub


@pytest.mark.parametrize("text", NOT_ENGLISH)
def test_prose_not_in_english_is_prose(text: str) -> None:
    threshold = Settings.model_fields["quality_threshold"].default
    assert score_markdown(text, own_note=True).score >= threshold
    crawled = score_markdown(text)
    assert crawled.components["language"] == 1.0 and crawled.score >= threshold  # English function words saw none


def test_a_note_that_is_a_link_list_or_navigation_still_drops() -> None:
    threshold = Settings.model_fields["quality_threshold"].default
    assert score_markdown("Chapters of the manual:\n\n" + LINK_LIST, own_note=True).score < threshold
    assert score_markdown(NAVIGATION, own_note=True).score < threshold


def test_duplication_marks_the_copy_not_the_original() -> None:
    original = PROSE + " Autovacuum runs it automatically when enough rows changed."
    shares = duplicate_shares([original, PROSE, "Something else entirely, about orchids and their care."])
    assert shares[1] == 1.0 and shares[0] < 0.1 and shares[2] == 0.0
    assert score_markdown(PROSE, shares[1]).components["duplication"] == 0.5


@pytest.mark.parametrize(
    ("answer", "status", "score"),
    [
        ('{"score": 8, "reason": "clear explanation"}', "ok", 0.8),
        ('Sure! Here it is: {"score": 3, "reason": "mostly links"} Hope that helps.', "ok", 0.3),
        ('{"score": 8, "reason": "unterminated', "failed", None),
        ('{"title": "Getting Started", "description": "a guide"}', "failed", None),
        ('{"score": 42, "reason": "out of range"}', "failed", None),
        ('{"score": true}', "failed", None),
        ("I rate it highly.", "failed", None),
    ],
)
def test_parse_verdict(answer: str, status: str, score: float | None) -> None:
    verdict = parse_verdict(answer, "m")
    assert (verdict.status, verdict.score) == (status, score)
    if status == "failed":
        assert verdict.reason.startswith("malformed answer")


class JudgeStub(ThreadingHTTPServer):
    """An OpenAI-compatible /chat/completions answering what `answers` maps a title to."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _JudgeHandler)
        self.answers: dict[str, str] = {}
        self.titles: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _JudgeHandler(JSONHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server: JudgeStub = self.server  # type: ignore[assignment]
        title = body["messages"][-1]["content"].split("Title: ", 1)[1].split("\n", 1)[0]
        server.titles.append(title)
        answer = server.answers.get(title, '{"score": 9, "reason": "informative"}')
        if answer == "HTTP 400":
            return self.send_json(400, {"error": {"message": "bad request"}})
        message = {"role": "assistant", "content": answer}
        return self.send_json(200, {"model": body["model"], "choices": [{"message": message, "finish_reason": "stop"}]})


@pytest.fixture
def judge_stub() -> Iterator[JudgeStub]:
    server = JudgeStub()
    with served(server):
        yield server


def store_source(settings: Settings) -> None:
    """Three notes and one crawled page they link, stored as ingest and crawl store them."""
    db = open_database(settings)
    PageStore(db).upsert(
        [
            note_page("vacuum", "s1", "Vacuum", PROSE),
            note_page("toc", "s1", "Contents", LINK_LIST),
            note_page("odd", "s1", "Odd one", PROSE[:500]),
        ]
    )
    CrawlStore(db).upsert(
        CrawledPage(
            url="http://docs.example.test/vacuum.html",
            final_url="http://docs.example.test/vacuum.html",
            status="ok",
            http_status=200,
            title="VACUUM reference",
            markdown="# VACUUM\n\n" + PROSE,
            content_hash="c" * 64,
            fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
            linked_from=[LinkRef(source="s1", page_id="vacuum")],
            sources=["s1"],
        )
    )


def test_judge_scores_and_a_malformed_answer_is_recorded_as_failed(settings: Settings, judge_stub: JudgeStub) -> None:
    store_source(settings)
    settings.openai_base_url = judge_stub.url
    settings.llm_max_retries = 0
    settings.quality_mode = "combined"
    judge_stub.answers = {"Contents": '{"score": 1, "reason": "a list of links"}', "Odd one": '{"score": 7, "rea'}
    report = score_source("s1", settings)
    rows = {r.doc_id: r for r in report.rows}
    assert (report.documents, report.notes, report.crawled, report.judged, report.failed) == (4, 3, 1, 4, 1)
    toc = rows["toc"]
    assert (toc.judge_status, toc.judge_score, toc.judge_reason) == ("ok", 0.1, "a list of links")
    assert (toc.judge_model, toc.prompt_version) == (settings.openai_model, PROMPT_VERSION)
    assert toc.quality == round((toc.heuristic + 0.1) / 2, 4)
    odd = rows["odd"]
    assert odd.judge_status == "failed" and odd.judge_score is None and "malformed" in odd.judge_reason
    assert odd.quality == odd.heuristic  # a failed verdict falls back to the heuristic
    crawled = rows[crawl_doc_id("http://docs.example.test/vacuum.html")]
    assert crawled.kind == "crawled" and crawled.url == "http://docs.example.test/vacuum.html"
    assert all(0.0 <= r.quality <= 1.0 for r in report.rows)
    assert {r.doc_id for r in QualityStore(open_database(settings)).rows("s1")} == set(rows)


def test_an_unchanged_document_is_never_judged_again(settings: Settings, judge_stub: JudgeStub) -> None:
    store_source(settings)
    settings.openai_base_url = judge_stub.url
    settings.quality_mode = "judge"
    assert score_source("s1", settings).judged == 4
    again = score_source("s1", settings)
    assert (again.judged, again.cached) == (0, 4) and len(judge_stub.titles) == 4

    store = PageStore(open_database(settings))
    store.upsert([note_page("vacuum", "s1", "Vacuum", PROSE + " Edited.")])
    edited = score_source("s1", settings)
    assert (edited.judged, edited.cached) == (1, 3) and judge_stub.titles[-1] == "Vacuum"

    settings.openai_model = "another-model"  # another model is another cache key
    assert score_source("s1", settings).judged == 4


def test_endpoint_errors_are_failed_verdicts_not_a_failed_partition(settings: Settings, judge_stub: JudgeStub) -> None:
    store_source(settings)
    settings.openai_base_url = judge_stub.url
    settings.llm_max_retries = 0
    settings.quality_mode = "judge"
    judge_stub.answers = {"Vacuum": "HTTP 400"}
    report = score_source("s1", settings)
    vacuum = next(r for r in report.rows if r.doc_id == "vacuum")
    assert vacuum.judge_status == "failed" and "LLM error" in vacuum.judge_reason and report.failed == 1


def test_heuristic_mode_calls_no_model(settings: Settings) -> None:
    store_source(settings)
    report = score_source("s1", settings, client_factory=lambda: pytest.fail("no judge in heuristic mode"))
    assert report.judged == 0 and {r.judge_status for r in report.rows} == {"skipped"}
    scores = {r.doc_id: r.quality for r in report.rows}
    assert scores["toc"] < settings.quality_threshold <= scores["vacuum"]


def test_documents_and_lookup_cover_notes_and_crawled_pages(settings: Settings) -> None:
    store_source(settings)
    db = open_database(settings)
    docs = source_documents(db, "s1")
    assert [d.kind for d in docs] == ["note", "note", "note", "crawled"]
    crawl_id = crawl_doc_id("http://docs.example.test/vacuum.html")
    assert crawl_id.startswith("crawl:") and len(crawl_id) == len("crawl:") + 16
    page = find_document(db, crawl_id)
    assert page is not None and page.title == "VACUUM reference" and page.url.endswith("/vacuum.html")
    assert find_document(db, "vacuum").title == "Vacuum" and find_document(db, "crawl:0000") is None
