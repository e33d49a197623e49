"""A question asking what an abbreviation stands for is answered by the text that spells it out,
not by the notes that use it in passing and match the question as well."""

from __future__ import annotations

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent.acronyms import asked_abbreviation, initials, plainly_asked, spelled_out
from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.settings import Settings


@pytest.mark.parametrize(
    ("question", "abbreviation"),
    [
        ("what does QRMP stand for", "QRMP"),
        ("SBT stands for?", "SBT"),
        ("BBS meaning", "BBS"),
        ("meaning of RASS", "RASS"),
        ("what is QRMP", "QRMP"),
        ("what does sobremesa mean", None),  # a word, not an abbreviation
        ("what is the plan", None),  # "what is" asks of capitals only
        ("QRMP filing dates", None),  # asks no meaning
    ],
)
def test_the_abbreviation_a_question_asks_the_meaning_of(question: str, abbreviation: str | None) -> None:
    assert asked_abbreviation(question) == abbreviation


@pytest.mark.parametrize(
    ("abbreviation", "text", "spells_it_out"),
    [
        ("QRMP", "| QRMP | Quarterly Return Monthly Payment | My GST scheme |", True),
        ("RASS", "- **RASS** – Richmond agitation-sedation scale", True),
        ("BOQ", "KP café – Bill of Quantities (BOQ) summary", True),
        ("QRMP", "**Scheme:** QRMP — quarterly GSTR-1 and GSTR-3B, monthly PMT-06 payments", False),
        ("SBT", "Jasper did the SBT screen with the RT", False),
    ],
)
def test_the_text_that_spells_an_abbreviation_out(abbreviation: str, text: str, spells_it_out: bool) -> None:
    assert bool(spelled_out(abbreviation).search(text)) is spells_it_out


def test_a_word_no_note_writes_is_held_by_the_words_whose_initials_make_it() -> None:
    """ "break even cpm" asks of the note "Cost per mile – 2026", which never writes "CPM"."""
    assert initials("cpm").search("Cost per mile – 2026") and not initials("cpm").search("cost per km")
    text = "At ~4,650 mi a month: fixed $0.77/mi + variable $0.79/mi = $1.56/mi break-even."
    unit = ev.split_units(text)[0]
    passage = ev.Passage(ev.Candidate(0, "c", "p", "Cost per mile – 2026", "", "", text), [unit], 1.0, text)
    question = ev.terms("break even cpm")
    unwritten = ev.support_of([passage], question, lambda t: 1.0, 0.3, ev.SelectionParams(), lambda t: t != "cpm")
    assert unwritten.coverage == 1.0
    written = ev.support_of([passage], question, lambda t: 1.0, 0.3, ev.SelectionParams())  # "cpm" in other notes
    assert written.missing == ["cpm"]


def test_stands_for_is_asked_plainly() -> None:
    assert plainly_asked("SBT stands for?") == "SBT means?"
    assert plainly_asked("music stand in the hall") == "music stand in the hall"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(home=tmp_path_factory.mktemp("home"), sources="notes")
    uses = "**GSTIN:** 27AKWPP4817M1Z3\n**Scheme:** QRMP — quarterly GSTR-1 and GSTR-3B, monthly PMT-06 payments\n"
    years = [f"FY {year}-{year - 1999}" for year in range(2018, 2027)]  # more notes using it than hits read
    pages = [
        *[note_page(year, "notes", f"GST & tax – {year}", f"# GST & tax – {year}\n\n{uses}") for year in years],
        note_page(
            "glossary",
            "notes",
            "Glossary – abbreviations",
            "# Glossary – abbreviations\n\nFor the intern and for me when clients ask.\n\n"
            + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in _GLOSSARY),
        ),
    ]
    return assistant_over(settings, pages)


_GLOSSARY = [
    ("Term", "Stands for", "Where it comes up"),
    ("---", "---", "---"),
    *[(f"X{n}", f"Placeholder row {n}", "Nowhere") for n in range(40)],  # a long glossary: many chunks
    ("QRMP", "Quarterly Return Monthly Payment", "My GST scheme"),
    ("BBS", "Bar Bending Schedule", "Steel quantities"),
]


def test_an_abbreviation_is_answered_by_the_row_that_spells_it_out(assistant: Assistant) -> None:
    answer = assistant.ask("what does QRMP stand for")
    assert answer.found and "Quarterly Return Monthly Payment" in answer.answer
    assert answer.sources[0].page_id == "glossary"
    assert "more from BM25" in next(step.detail for step in answer.steps if step.name == "search")
