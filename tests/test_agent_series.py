"""A question naming a note of a series by another number or day than any note has ("jasper week
8" over weeks 2, 4 and 6; "1:1 with priya on 3 dec" over the 19 Nov one) is declined, however
well the notes it names match: the week or meeting asked has no note."""

from __future__ import annotations

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.agent.dates import days_named, years_held
from secondbrain_core.agent.local_program import month_unstated
from secondbrain_core.agent.series import (
    dated_in_month,
    dated_otherwise,
    days_as_titled,
    lettered_note,
    named_in_series,
    names_numbered,
    naming_the_numbered,
    numbered_otherwise,
    the_other_lettered,
    titled_as_asked,
    year_otherwise,
    year_stated_otherwise,
)
from secondbrain_core.agent.types import Turn
from secondbrain_core.settings import Settings

WEEKS = ["Preceptee Jasper – week 6", "Preceptee Jasper – week 2", "Preceptee Jasper – week 4"]


def test_the_days_a_text_writes() -> None:
    assert days_named("1:1 on 3 Dec, then Nov 4 and 14.11; due 2026-11-19") == {(3, 12), (4, 11), (14, 11), (19, 11)}
    assert days_named("paid 03/04") == {(3, 4), (4, 3)}  # either reading
    assert days_named("picked 2026/02/22") == {(22, 2)}  # year first with slashes, as South African notes write
    assert days_named("3.05 kg, room 12, 2026") == set()
    assert days_named("jeu. 24 déc. | N |") == days_named("le 24 dec") == {(24, 12)}  # abbreviated with a period
    assert days_named("Nov 3rd, and the 1st of March") == {(3, 11), (1, 3)}
    assert days_named("Análises leite – Out 2026") == set()  # a month, no day
    assert days_named("Milk intake – 23-03-2026") == {(23, 3)}  # day first with dashes and a whole year
    assert days_named("score 12-15, weeks 3-4") == set()


@pytest.mark.parametrize(
    ("question", "searched", "other"),
    [
        ("takings w/e 12/04", "| Sun 29/03 | 344 | $92.38 |\n| Sun 05/04 | 372 | $92.53 |", "29/3"),
        ("takings w/e 5 april", "| Sun 29/03 | 344 | $92.38 |\n| Sun 05/04 | 372 | $92.53 |", None),  # its row
        ("takings w/e 12/04", "| Sun 29/03 | 344 | $92.38 |", None),  # one other day says too little
        ("takings 2026", "| Sun 29/03 | 344 |\n| Sun 05/04 | 372 |", None),  # no day asked
    ],
)
def test_a_day_nothing_found_writes_where_the_passages_write_others(question: str, searched: str, other) -> None:
    assert dated_otherwise(question, searched, searched) == other
    assert dated_otherwise(question, searched, f"{searched} Sun 12/04") is None  # a chunk found writes it


def test_the_years_a_text_writes() -> None:
    assert years_held("CPD log 2024–2026") == {2024, 2025, 2026}  # a span holds the years between
    assert years_held("GST & tax – FY 2025-26, filed 11/07/26, the '27 budget, FY28") == {2025, 2026, 2027, 2028}
    assert years_held("done 2026-11-19, room 2026-2104") == {2026}  # a date, and no span of years


@pytest.mark.parametrize(
    ("question", "searched", "other"),
    [
        ("cpd hours 2023", "CPD log 2024–2026 | 11/03/2026 | Sheep lameness | 6 |", "2024"),
        ("cpd hours 2025", "CPD log 2024–2026 | 11/03/2026 | Sheep lameness | 6 |", None),  # inside the span
        ("cpd hours 2023", "CPD hours: 35 a year", None),  # the passages write no year
        ("cpd hours", "CPD log 2024–2026", None),  # no year asked
    ],
)
def test_a_year_nothing_found_writes_where_the_passages_write_others(question: str, searched: str, other) -> None:
    assert year_otherwise(question, searched, searched) == other
    assert year_otherwise(question, searched, f"{searched} agreed in 2023 and 2024") is None


def test_a_year_the_statements_of_the_thing_asked_never_write() -> None:
    """ "afb levy 2026" over "AFB levy 2025: $407.53": the levy of 2026 is not recorded, though a
    site's "Last AFB check: 14/01/2026" is found with it; a note titled with the year asked, or a
    statement of the levy that writes no year, may be of the year asked."""
    levy = "- COI June 2025: 174 hives. AFB levy 2025: $407.53, paid 28/07/2025."
    check = "- **Last AFB check:** 14/01/2026"

    def passage(title: str, text: str) -> ev.Passage:
        unit = ev.split_units(text)[0]
        return ev.Passage(ev.Candidate(0, "c", "p", title, "", "", text), [unit], 1.0, text)

    def stated(found: ev.Passage) -> list[str]:
        return ev.stating(found, ["afb", "levy"], lambda t: 5.0 if t == "levy" else 1.0)

    found = [passage("AFB & DECA", levy), passage("MD-08 – River flats", check)]
    assert year_stated_otherwise("afb levy 2026", found, stated) == 2025
    assert year_stated_otherwise("afb levy 2025", found, stated) is None
    assert year_stated_otherwise("afb levy", found, stated) is None
    assert year_stated_otherwise("afb levy 2026", [passage("AFB levy 2026", levy)], stated) is None
    assert year_stated_otherwise("afb levy 2026", [passage("AFB & DECA", "- AFB levy: $412")], stated) is None
    assert year_stated_otherwise("afb levy 15/03/2026", found, stated) is None  # a day, not a year alone


def test_a_span_of_years_nothing_found_writes_where_the_passages_write_others() -> None:
    """A season or tax year is written as a span: one no chunk found writes is not recorded,
    though a year of it is written elsewhere ("joined in 2023")."""
    searched = "GST & tax – FY 2025-26\nGST & tax – FY 2026-27"
    assert year_otherwise("GST total FY 2024-25", searched, f"{searched} agreed in 2023 and 2024") == "2025-26"
    assert year_otherwise("GST total FY 2025/26", searched, searched) is None  # written otherwise, the same span
    assert year_otherwise("GST total FY 2024-25", "GST paid in 2024", "GST paid in 2024") is None  # no span written


@pytest.mark.parametrize(
    ("question", "titles", "named"),
    [
        ("jasper week 8 check-in notes", WEEKS, "week 6"),
        ("jasper week 4 check-in notes", WEEKS, None),  # the week has its note
        ("what is week 8 about in the course", WEEKS, None),  # names no note of the series
        ("notes from 1:1 with priya on 3 dec", ["1-1 Priya – 19 Nov 2026"], "1-1 Priya – 19 Nov 2026"),
        ("notes from 1:1 with priya on 19 nov", ["1-1 Priya – 19 Nov 2026"], None),
        ("how much did biscuit weigh on nov 4", ["Vet visit – Biscuit – 4 Nov", "Vet visit – Juniper – 14 Oct"], None),
        ("norepi dose for bed 9 on the 3 nov night shift", ["Handover – 3 Nov nights (pod B)"], None),
        # a month no note of the series is titled with, and a letter no quote is lettered with
        (
            "jan 2027 practice meeting actions",
            ["Practice meeting – Tue 1 Dec", "Practice meeting – Tue 3 Nov"],
            "Practice meeting – Tue 1 Dec",
        ),
        ("nov practice meeting actions", ["Practice meeting – Tue 1 Dec", "Practice meeting – Tue 3 Nov"], None),
        (
            "quote C for the ultrasound price",
            ["Ultrasound quote A – Pennine", "Ultrasound quote B – ScanVet"],
            "quote A",
        ),
        ("quote b ultrasound price", ["Ultrasound quote A – Pennine", "Ultrasound quote B – ScanVet"], None),
        # a note of another series titled with the month asked is no payout of that month
        (
            "total net paid out in the march 2026 payout",
            ["Payout – February 2026", "Payout – January 2026", "March 2026 – weekly intake summary"],
            "Payout – February 2026",
        ),
        ("february 2026 payout net", ["Payout – February 2026", "Payout – January 2026"], None),
        ("book a table at the quote", ["Ultrasound quote A – Pennine", "Ultrasound quote B – ScanVet"], None),
    ],
)
def test_a_number_or_day_no_note_of_the_series_is_titled_with(question: str, titles: list[str], named) -> None:
    assert named_in_series(question, titles) == named


@pytest.mark.parametrize(
    ("question", "holdings", "named"),
    [
        # the chapters the passages speak of are 3 and 4, never 1, however well "hollis" matches
        ("what did hollis say about ch 1", "Up: ch. 3–4 (draft 1). Hollis caught it: fix ch. 3 + ch. 4", "chapter 3"),
        ("what did hollis say about ch 4", "Up: ch. 3–4 (draft 1).", None),  # inside the range
        ("hollis notes on chapter 2", "Ch. 7 – Bitter Salt", "chapter 7"),  # shorthand and its long form meet
        ("what did hollis say about ch 1", "Hollis read the draft.", None),  # no chapter named: nothing to compare
        ("net pay oct 24", "Pay period ending Oct 10", None),  # a month names a day, not a thing numbered
        ("11C3 mocks percentage at 4 or above", "11C3 at 52% 4+", None),  # function words number nothing
    ],
)
def test_a_number_the_passages_give_the_thing_only_otherwise(question: str, holdings: str, named) -> None:
    assert numbered_otherwise(question, holdings, holdings) == named


def test_the_chunks_naming_the_numbered_thing_asked() -> None:
    found = [
        ev.Candidate(0, "c0", "register", "Tank register", "", "", "| Tank 12 | 16 000 | Chenin |\n| Tank 7 | 5 000 |"),
        ev.Candidate(1, "c1", "log12", "Ferment log – Tank 12 (Chenin B6)", "", "", "| 2026/03/04 | −1.1 | dry |"),
        ev.Candidate(2, "c2", "log7", "Ferment log – Tank 7 (Shiraz B4)", "", "", "| 2026/03/10 | −1.4 | dry |"),
        ev.Candidate(3, "c3", "cellar", "Cellar", "", "", "[Ferment log – Tank 12](https://www.notion.so/abc)"),
    ]
    assert naming_the_numbered("when was tank 7 dry", found) == {0, 2}
    assert naming_the_numbered("tank 12 dry", found) == {0, 1}  # a link names another page, not tank 12
    assert naming_the_numbered("when was the chenin dry", found) == set()  # no number asked
    assert naming_the_numbered("tank 7 on friday 27", found) == {0, 2}  # a weekday and a day name no thing
    assert names_numbered("FO yr 5 rate", "| Year | Rate |\n| --- | --- |\n| 5 | $104.75 |")  # a column numbers rows
    assert not names_numbered("tank 9", found[0].text)


def test_a_table_column_numbers_its_rows() -> None:
    """ "| 4 |" under "Year" is year 4, though the passages' prose names year 5 only."""
    scale = "| Year | FO 2026 | FO 2027 |\n| --- | --- | --- |\n| 4 | $101.00 | $104.00 |\n| 5 | $104.75 | $107.75 |\n"
    prose = "Hourly rates by year of service (Year 5 since 03/14/2026)."
    assert numbered_otherwise("FO year 4 2027 pay", prose, f"PPA pay scale\n{scale}") is None
    assert numbered_otherwise("FO year 7 2027 pay", prose, f"PPA pay scale\n{scale}") == "year 4"
    assert numbered_otherwise("FO year 4 2027 pay", prose, prose) == "year 5"  # no table found


def test_a_numbered_list_item_is_the_step_asked() -> None:
    """ "4. Patch the stagebox" is step 4, though the note's prose names steps 1 and 11 only."""
    routine = "1. Power first.\n2. FOH.\n3. Boot the console.\n4. Patch the stagebox.\n\n"
    routine += "Step 1 and step 11 are never skipped."
    assert numbered_otherwise("line check routine step 4", routine, routine) is None
    assert numbered_otherwise("line check routine step 6", routine, routine) == "step 1"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(home=tmp_path_factory.mktemp("home"), sources="notes")
    check_in = "# {title}\n\nCheck-in {day}. Jasper {done}. Next: two-patient assignment from week {next}.\n"
    pages = [
        note_page(f"w{n}", "notes", title, check_in.format(title=title, day=day, done=done, next=n + 2))
        for n, title, day, done in [
            (2, WEEKS[1], "Fri 9 Oct", "shadowed me on nights"),
            (4, WEEKS[2], "Fri 23 Oct", "ran the drips alone"),
            (6, WEEKS[0], "Wed 4 Nov", "took one patient"),
        ]
    ]
    return assistant_over(settings, pages)


def test_a_week_with_no_note_is_declined(assistant: Assistant) -> None:
    held = assistant.ask("jasper week 4 check-in notes")
    assert held.found and "drips" in held.answer
    unheld = assistant.ask("jasper week 8 check-in notes")
    assert not unheld.found and unheld.sources == []
    assert "the note the question names is for week " in next(s.detail for s in unheld.steps if s.name == "unheard")


def test_a_follow_up_asks_of_its_own_number(assistant: Assistant) -> None:
    first = "jasper week 4 check-in notes"
    history = [Turn(role="user", content=first), Turn(role="assistant", content=assistant.ask(first).answer)]
    follow_up = assistant.ask("and at week 6?", history)
    assert follow_up.found and "took one patient" in follow_up.answer


def test_a_letter_names_one_note_among_notes_lettered_alike() -> None:
    """ "A" is a word as well as a letter, so only a capital names estimate A."""
    notes = [
        ev.Candidate(0, "c0", "b", "Loan estimate B – Lodgepole FCU (6.125%)", "", "", "Rate: 6.125%"),
        ev.Candidate(1, "c1", "a", "Loan estimate A – Summitline Mortgage (6.375%)", "", "", "Rate: 6.375%"),
    ]
    assert lettered_note("loan estimate A APR", notes) is notes[1]
    assert lettered_note("loan estimate b rate lock", notes) is notes[0]
    assert lettered_note("is there a loan estimate a bank would take", notes) is None
    assert lettered_note("loan estimate C APR", notes) is None  # no note lettered C
    assert lettered_note("loan estimate A APR", notes[1:]) is None  # one letter makes no series
    assert lettered_note("warranty on loan estimate a", notes) is notes[1]  # a small "a" ending the question


def test_a_month_names_one_note_among_notes_dated_alike() -> None:
    rows = [
        ev.Candidate(0, "c0", "nov", "GL-05 – Rope B – inspection 2025-11-12", "", "", "Status: OK"),
        ev.Candidate(1, "c1", "feb", "GL-08 – Rope B – inspection 2026-02-18", "", "", "Status: cut to 54 m"),
        ev.Candidate(2, "c2", "log", "Kit & gear log", "", "", "| GL-08 | Rope B |"),
    ]
    assert dated_in_month("and after the february check?", rows) is rows[1]
    assert dated_in_month("rope B in november", rows) is rows[0]
    assert dated_in_month("rope B in march", rows) is None  # no row of March
    assert dated_in_month("rope B on 18 feb", rows) is None  # a day is read by named_among_alike
    assert dated_in_month("and after the february check?", rows[1:]) is None  # one dated note is no series


def test_a_note_named_by_a_day_or_a_letter_in_its_title() -> None:
    """What a keyword search must be given to find "Trip log – 2026-02-07" for "crampons on,
    7/2/2026" (both readings of the day), and which titles name the note asked."""
    assert days_as_titled("crampons on, 7/2/2026") == "07 02 jul 02 07 feb"
    assert titled_as_asked("crampons on, 7/2/2026", "Trip log – CMD Arête – 2026-02-07")
    assert not titled_as_asked("crampons on, 7/2/2026", "Trip log – CMD Arête – 2026-02-21")
    assert titled_as_asked("quote A total", "Quote A – engine rebuild – Hirtle Marine Diesel")
    assert not titled_as_asked("quote A total", "Engine rebuild – decision (Quote A vs Quote B)")  # weighs both
    assert not titled_as_asked("quote total", "Quote A – engine rebuild – Hirtle Marine Diesel")


def test_a_month_the_passages_stating_the_value_never_hold() -> None:
    """ "mp2 feb ref number" over the March row's reference: a savings line found with it says "as
    of Feb 2026", but the passage giving a reference (it leads) is of March."""

    def passage(title: str, text: str) -> ev.Passage:
        return ev.Passage(ev.Candidate(0, "c", title, title, "", "", text), ev.split_units(text), 1.0, text)

    march = passage("PD-26-08 – Pag-IBIG MP2", "- **Date:** 03/20/2026\n- **Ref #:** VP-2603-1187720")
    savings = passage("Savings, MP2 & insurance", "Total savings as of Feb 2026: PHP 468,000")
    found = ev.Evidence([march, savings], 1.0, 1.0, 1.0, stating=1)
    assert month_unstated("mp2 feb ref number", found) is not None
    assert month_unstated("mp2 march ref number", found) is None  # "march" alone may be a verb: no month asked
    assert month_unstated("mp2 20 mar ref number", found) is None
    assert month_unstated("mp2 feb ref number", ev.Evidence([savings, march], 1.0, 1.0, 1.0, stating=1)) is None
    assert month_unstated("mp2 feb ref number", ev.Evidence([march, savings], 1.0, 1.0, 1.0)) is None  # no form


def test_the_other_of_two_lettered_notes() -> None:
    """ "what about the other quote" after "quote A console price" asks of Quote B."""
    quotes = [
        ev.Candidate(0, "c0", "a", "Quote A – new console – Liffey Pro Audio", "", "", "Price (ex VAT): €7,900"),
        ev.Candidate(1, "c1", "b", "Quote B – new console – Northside Sound", "", "", "Price (ex VAT): €8,240"),
    ]
    joined = "quote A console price what about the other quote"
    assert the_other_lettered("what about the other quote", joined, quotes) is quotes[1]
    assert the_other_lettered("and the other one?", "quote b console price and the other one?", quotes) is quotes[0]
    assert the_other_lettered("what about the deposit", joined, quotes) is None  # no other asked
    by_supplier = "liffey console quote price whats the delivery time on the other one"
    assert the_other_lettered("whats the delivery time on the other one", by_supplier, quotes) is quotes[1]
    assert the_other_lettered("and the other one?", "console quote price and the other one?", quotes) is None
    third = ev.Candidate(2, "c2", "c", "Quote C – new console – Dublin Pro", "", "", "Price: €9,000")
    assert the_other_lettered("what about the other quote", joined, [*quotes, third]) is None  # which other?
