"""A question naming an identifier ("v0.5", "tickets-v1", a run's name) is answered only from
passages that write it: notes about v0.4 or tickets-v3 share its other words and are about
something else. Identifiers written with other separators ("KW 47", "UTF-8") are the same."""

from __future__ import annotations

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.agent.identifiers import identifiers_held, named_identifiers, unheld_identifiers
from secondbrain_core.agent.types import Turn
from secondbrain_core.settings import Settings


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("halyard adapter v0.5 results", ["v0.5"]),
        ("eval loss halyard-sum-r16-lr2e5", ["halyard-sum-r16-lr2e5"]),
        ("have 10Y1 done the practical?", ["10Y1"]),
        ("CO₂ levels in the office", ["CO2"]),
        ("Q4_K_M size for 8b", ["Q4_K_M"]),  # "8b" is a size
        ("a plan node says loops=10", []),  # a value, not a name
        ("turf supplied and laid per m2", []),  # a unit
        ("pick-up at 7:15pm on the 19th, 45min", []),  # times, ordinals, durations
        ("am 17.12 welcher dienst", []),
        ("28-day cube result, 5-star hotel", []),  # a number hyphened to a unit is a measure
        ("flat 12-B parking", ["12-B"]),  # one letter after the hyphen names a flat
    ],
)
def test_the_identifiers_a_question_names(question: str, named: list[str]) -> None:
    assert named_identifiers(question) == named


def test_an_identifier_is_held_whatever_separates_its_parts() -> None:
    notes = "Run **halyard-sum-r16-lr1e4** | Trainingsplan – KW 47 | lr 2e-5 | UTF-8 | CO₂"
    assert {"r16", "sumr16", "r16lr1e4", "kw47", "lr2e5", "utf8", "co2"} <= identifiers_held(notes)
    assert unheld_identifiers("kw47 focus, lr2e5, utf8, halyard-sum-r16", notes) == []
    assert unheld_identifiers("eval loss halyard-sum-r16-lr2e5", notes) == ["halyard-sum-r16-lr2e5"]
    assert unheld_identifiers("tickets-v1 row count", "| tickets-v3 | 18,400 rows |") == ["tickets-v1"]


def test_an_identifier_may_write_a_year_by_its_last_two_digits() -> None:
    notes = "GST & tax – FY 2026-27: GSTR-1 for Q1 filed 11/07/2026"
    assert unheld_identifiers("GSTR-1 Q1 FY26-27 filing date", notes) == []
    assert unheld_identifiers("GSTR-1 Q1 FY25-26 filing date", notes) == ["FY25-26"]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(home=tmp_path_factory.mktemp("home"), sources="notes", agent_evidence_threshold=0.0)
    serving = "# vLLM serving config – v{n}\n\nAdapter **v0.{n}** on 1× A10G. max_model_len {length}, {rate} tok/s.\n"
    pages = [
        note_page("v3", "notes", "vLLM serving config – v3", serving.format(n=3, length=4096, rate=410)),
        note_page("v4", "notes", "vLLM serving config – v4", serving.format(n=4, length=8192, rate=385)),
        note_page(
            "kickoff",
            "notes",
            "Halyard kickoff – 8 Sep 2026",
            "# Halyard kickoff\n\nAttendees: Priya, Jonas; support side: Carla Benedetti (Support Ops lead).\n"
            "Owners: serving → Jonas; rollout → Carla.\n",
        ),
    ]
    return assistant_over(settings, pages)


def test_a_version_the_notes_never_write_is_declined(assistant: Assistant) -> None:
    held = assistant.ask("max model len adapter v0.4")
    assert held.found and "8192" in held.answer
    unheld = assistant.ask("max model len adapter v0.5")
    assert not unheld.found and unheld.sources == []
    assert "never name v0.5" in next(s.detail for s in unheld.steps if s.name == "unheard")


def test_a_follow_up_asks_of_its_own_identifier(assistant: Assistant) -> None:
    history = [Turn(role="user", content="tok/s of adapter v0.3"), Turn(role="assistant", content="410 tok/s [1]")]
    follow_up = assistant.ask("and v0.4?", history)
    assert follow_up.found and "385" in follow_up.answer


def test_an_email_typed_as_a_keyword_query_asks_for_an_address(assistant: Assistant) -> None:
    answer = assistant.ask("carla benedetti email")
    assert not answer.found  # the notes name her, never her address
    assert "lacks the email address asked for" in next(s.detail for s in answer.steps if s.name == "select")
