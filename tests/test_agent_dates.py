"""A question that asks for a day, or names a month or a numbered session, is answered only from
notes that hold one: "when is Mum's birthday?" from the birthday table, not "when did I last
replace the thermocouple?" from a kiln note that names the part but no day."""

from __future__ import annotations

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent import question_forms as qf
from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.agent.conversation import standalone_question
from secondbrain_core.agent.dates import month_terms, months_asked, months_held, named_months
from secondbrain_core.agent.local_program import unheld_numbers
from secondbrain_core.agent.types import Turn
from secondbrain_core.settings import Settings


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("when is Ben's wedding?", "date"),
        ("when's the y9 trip", "date"),
        ("when did I last replace the kiln thermocouple", "date"),
        ("which day is the intervention group", "date"),
        ("what date is the MOT booked for", "date"),
        ("when does autovacuum run?", None),  # a condition, not a day
        ("when I copy a file, where does it go?", None),
        ("at what time is the standup", "time of day"),
        ("weihnachtsturnier start time", "time of day"),  # an event's time, named by what happens then
        ("what is the commute time", None),  # a duration
        ("montemor christmas fair dates", "date"),  # a topic typed with what is asked last
        ("last dgav inspection date", "date"),
        ("is my passport up to date", None),
        ("generate one row per day between two dates", None),
        ("how do I change the date", None),
    ],
)
def test_a_question_asking_for_a_day(question: str, form: str | None) -> None:
    assert qf.asked_form(question) == form


@pytest.mark.parametrize(
    ("text", "is_day"),
    [
        ("| Mum | 30 June | card |", True),
        ("**Date:** Wednesday 4 February 2026", True),
        ("next Tue, period 3", True),
        ("MOT: 2025-11-29", True),
        ("bins go out every Monday", True),
        ("fällig bis 15. Oktober", True),
        ("Lucia was warming up next to him", False),
        ("E-04 = thermocouple fault", False),
        ("you may bring a friend", False),
        ("classes 8P1–8P4, version 2.5", False),
    ],
)
def test_the_shape_of_a_day(text: str, is_day: bool) -> None:
    assert bool(qf.form_shape("date").search(text)) == is_day


def test_the_months_a_question_names_and_a_note_holds() -> None:
    assert named_months("what did we agree in the january 1-1") == {"january": 1}
    assert named_months("weekly review 23 nov") == {"nov": 11}
    assert named_months("may I ask what Jan said as we march on?") == {}  # everyday words and a name
    assert named_months("loan balance after the may repayment") == {"may": 5}  # "the may" is the month
    assert named_months("what Jan said in march") == {"march": 3}
    assert named_months("sales on 4 may") == {"may": 5}
    assert named_months("mp2 feb ref number") == {}  # an abbreviation alone names a month only where…
    assert months_asked("mp2 feb ref number") == {2}  # …the passages stating the value must be of it
    assert months_asked("mar payment jan ref") == set()  # "mar" is a word, "jan" a name, unless dated
    assert months_asked("rent in march, paid 4 may") == {3, 5}
    assert months_held("1-1 Gareth 5 Dec; MOT 2025-03-12; paid 12/11/2025; Oktober; room 3.07") == {3, 10, 11, 12}


def _passage(title: str, text: str) -> ev.Passage:
    return ev.Passage(ev.Candidate(0, "c", "p", title, "", "", text), ev.split_units(text), 1.0, text)


def test_a_number_with_a_unit_does_not_hold_the_number_a_question_names() -> None:
    supervision = _passage("Supervision 3", "Next supervision: Thu 30 Oct, 4pm, her office. We met for 45 min.")
    assert unheld_numbers("notes from supervision 4 with amara", [supervision]) == ["4"]
    assert unheld_numbers("notes from supervision 3", [supervision]) == []
    one_to_ones = [_passage("1-1 Gareth 5 Dec", "- Mentor the ECT."), _passage("1-1 Gareth 7 Nov", "- Observation.")]
    assert unheld_numbers("what did we agree in the january 1-1", one_to_ones) == ["january"]
    assert unheld_numbers("what did we agree in the december 1-1", one_to_ones) == []
    visit = _passage("Site visit – KP café – 03 Oct 2026", "Exhaust duct rerouted.")
    assert unheld_numbers("kp cafe 3 oct visit exhaust problem", [visit]) == []  # "03" is the 3rd


def test_a_title_or_a_label_shortened_with_a_period_ends_no_sentence() -> None:
    assert [u.text for u in ev.split_units("Last inspection: **23.06.2026**, Eng. Rui Tavares (DGAV). Fine.")] == [
        "Last inspection: **23.06.2026**, Eng. Rui Tavares (DGAV).",
        "Fine.",
    ]
    assert len(ev.split_units("**Tobias Wendl** – PTA, Zyto-Labor, Tel. 089 4520-3341")) == 1
    assert qf.form_shape("reference").search("Steuernummer: 146/223/40518.")  # a long number ending a sentence


def test_a_german_date_does_not_end_a_sentence() -> None:
    text = "Nachzahlung: 186,40 €, fällig bis **15. Oktober 2024**. Danach Widerspruch prüfen."
    assert [u.text for u in ev.split_units(text)] == [
        "Nachzahlung: 186,40 €, fällig bis **15. Oktober 2024**.",
        "Danach Widerspruch prüfen.",
    ]


@pytest.fixture
def assistant(settings: Settings) -> Assistant:
    birthdays = (
        "# Birthdays\n\n| Who | Birthday | Notes |\n|---|---|---|\n"
        "| Mum | 30 June | flowers |\n| Aunt Sue | 11 October | card |\n"
    )
    kiln = (
        "# Kiln\n\n- E-04 = thermocouple fault: check the thermocouple wire at the back, then restart.\n"
        "- Last element change: 3 March 2025, by Kilncare.\n"
    )
    health = (
        "# Health\n\nDentist: Smile Street Dental. Next check-up **Tue 13 Jan 2026, 4:15pm**.\n\n"
        "GP: Levenshulme Health Centre, 0161 555 0192. Last blood test in May.\n"
    )
    pages = [
        note_page("birthdays", "notes", "Birthdays", birthdays),
        note_page("kiln", "notes", "Kiln", kiln),
        note_page("health", "notes", "Health", health),
        note_page("market", "notes", "Market", "# Market\n\nLast stall of the year sold 40 mugs. Takings £694.\n"),
    ]
    return assistant_over(settings, pages)


def test_a_day_is_answered_only_from_a_statement_that_holds_one(assistant: Assistant) -> None:
    mum = assistant.ask("when is Mum's birthday?")
    assert mum.found and "30 June" in mum.answer
    thermocouple = assistant.ask("when did I last replace the kiln thermocouple?")
    assert not thermocouple.found
    assert "lacks the date asked for" in next(s.detail for s in thermocouple.steps if s.name == "select")


def test_a_follow_up_asks_its_own_form(assistant: Assistant) -> None:
    # the text searched with joins "when's my next dentist appointment?", but the follow-up asks no day
    history = [
        Turn(role="user", content="when's my next dentist appointment?"),
        Turn(role="assistant", content="Next check-up Tue 13 Jan 2026, 4:15pm [1]"),
    ]
    number = assistant.ask("and the GP's number?", history=history)
    assert number.found and "0161 555 0192" in number.answer


@pytest.mark.parametrize(
    ("text", "is_time"),
    [
        ("days 0715–1930, nights 1915–0730", True),
        ("norepi off at 0315", True),
        ("EEG booked 1100", True),
        ("7:15pm", True),
        ("bought it in 2026", False),  # a year, not 20:26
        ("employee # 448210", False),
    ],
)
def test_the_shape_of_a_time_of_day_on_the_24_hour_clock(text: str, is_time: bool) -> None:
    assert bool(qf.form_shape("time of day").search(text)) == is_time


def test_a_table_row_states_what_its_column_header_names() -> None:
    text = (
        "| Pay period ending | Gross | Net |\n|---|---|---|\n"
        "| 10 Oct 2026 | $3,921.40 | $2,655.12 |\n| 24 Oct 2026 | $4,917.04 | $3,214.87 |\n"
    )
    row = next(u for u in ev.split_units(text) if "24 Oct" in u.text)
    passage = ev.Passage(ev.Candidate(0, "c", "p", "Pay & OT", "", "", text), [row], 1.0, row.text)
    money = qf.form_shape("amount of money")
    assert ev.states(passage, money, ev.terms("net pay period ending oct 24"))
    assert not ev.states(passage, money, ev.terms("salary bonus"), held=lambda term: term == "bonus")


def test_money_is_asked_by_a_price_or_fee_and_stated_under_a_label_that_names_the_currency() -> None:
    assert qf.asked_form("what's sable's fee") == "amount of money"
    assert qf.asked_form("backsplash tile price per sq ft") == "amount of money"
    assert qf.asked_form("how much did we pay for the cottage") == "amount of money"
    assert qf.asked_form("how did joseph pay for the AI repeat") is None  # the way, not the amount
    money = qf.form_shape("amount of money")
    assert money.search("- **Adoption fee ($):** 550") and not money.search("Adoption fee: 550")
    # rand and rupees by their capitals, in the notes' own grouping; a LoRA rank "r16" is no amount
    assert all(money.search(t) for t in ("Classic tasting: **R 90**", "R 3 450,00", "R1.2m", "Rs. 4,500", "4.5 lakh"))
    assert not money.search("run halyard-sum-r16, rank 16")
    # any currency: its sign, its ISO code in capitals, its name, and the abbreviations and the
    # closing "/=" or "/-" East African and South Asian notes write
    kenyan = ("KSh 4,500", "Ksh 4500/=", "Sh. 1,835,000/-", "KES 1.2M", "45 bob", "| Amount (KSh) | x | 5 |")
    assert all(money.search(t) for t in (*kenyan, "₦5,000", "USD 500", "500 usd", "RM 12", "₱ 250", "3 000 CHF"))
    assert not any(money.search(t) for t in ("ALL 3 cows", "TOP 10", "Fr 12", "3 kg", "Tank 12 | 2026/03/01"))


def _candidate(rank: int, title: str) -> ev.Candidate:
    return ev.Candidate(rank, f"c{rank}", f"p{rank}", title, "", "", f"# {title}\n\nTotal: $1,000.")


def test_a_day_or_number_in_the_question_picks_one_note_among_notes_titled_alike() -> None:
    portfolios = [_candidate(0, "Portfolio – Nov 2026"), _candidate(1, "Portfolio – Oct 2026")]
    assert ev.named_among_alike(ev.terms("portfolio value october"), portfolios).title == "Portfolio – Oct 2026"
    assert ev.named_among_alike(ev.terms("portfolio value"), portfolios) is None  # no day: the scores decide
    assert ev.named_among_alike(ev.terms("value in october"), portfolios) is None  # not asked of a portfolio
    weeks = [_candidate(0, "Preceptee Jasper – week 2"), _candidate(1, "Preceptee Jasper – week 6")]
    assert ev.named_among_alike(ev.terms("and at week 6?"), weeks).title == "Preceptee Jasper – week 6"
    visits = [
        _candidate(0, "Adoption day – 22 Nov"),
        _candidate(1, "Vet visit – Biscuit – 14 Oct"),
        _candidate(2, "Vet visit – Juniper – 4 Nov"),
        _candidate(3, "Vet visit – Biscuit – 4 Nov"),
    ]
    weigh = ev.named_among_alike(ev.terms("how much did biscuit weigh on nov 4"), visits)
    assert weigh.title == "Vet visit – Biscuit – 4 Nov"
    assert ev.named_among_alike(ev.terms("what did the vet say on 4 nov"), visits) is None  # two visits that day
    # titles that share only a year are no series: the question names no inspection
    council = [_candidate(0, "Council inspection – Thurs 19 Feb 2026"), _candidate(1, "Weekly takings 2026")]
    assert ev.named_among_alike(ev.terms("council registration fee 2026"), council) is None
    baner = [_candidate(0, "Site visit – Baner – 11 Sep 2026"), _candidate(1, "Site visit – Baner – 28 Aug 2026")]
    assert ev.named_among_alike(ev.naming_terms("28-day cube result baner slab"), baner) is None  # a measure
    cafe = [_candidate(0, "Site visit – KP café – 17 Oct 2026"), _candidate(1, "Site visit – KP café – 03 Oct 2026")]
    assert ev.named_among_alike(ev.terms("kp cafe 3 oct visit"), cafe).title.endswith("03 Oct 2026")  # "03" is 3
    reports = [_candidate(0, "Lab report – Tank 7 – 2026-03-02"), _candidate(1, "Lab report – Tank 7 – 2026-03-16")]
    asked = "tank 12 balling 2026/02/22"  # shares "2" with the 2nd of March, and names another day
    assert ev.named_among_alike(ev.terms(asked), reports, ev.days_named(asked)) is None
    # the day asked names its note though the question never names the kind ("milk intake")
    intake = [_candidate(0, "Milk intake – 23-03-2026"), _candidate(1, "Milk intake – 02-03-2026")]
    asked = "cooler temp 2/3/2026"
    assert ev.named_among_alike(ev.terms(asked), intake, ev.days_named(asked)).title.endswith("02-03-2026")
    assert ev.named_among_alike(ev.terms("cooler temp 2026"), intake, set()) is None  # a year names no day
    asked = "tank 7 VA 2026/03/16"
    assert ev.named_among_alike(ev.terms(asked), reports, ev.days_named(asked)).title.endswith("2026-03-16")
    topics = [_candidate(0, "Unique Indexes"), _candidate(1, "Indexes on Expressions")]
    assert ev.named_among_alike(ev.terms("can an index on an expression be unique?"), topics) is None


def test_shorthand_and_its_long_form_are_one_term() -> None:
    assert ev.terms("next physio appt") == ["next", "physio", "appoint"]
    assert "appoint" in ev.terms("Next appointment: Tue 8 Dec")


def test_a_note_titled_for_another_year_does_not_answer_the_year_asked() -> None:
    harvest = [_candidate(0, "Honey harvest 2026"), _candidate(1, "Hive inspections")]
    assert ev.named_for_another_year("honey harvest 2025", harvest) == "2026"
    assert ev.named_for_another_year("honey harvest 2026", harvest) is None  # the year the note is for
    assert ev.named_for_another_year("how much honey in 2025", harvest) is None  # names no note
    assert ev.named_for_another_year("harvest 2025", [*harvest, _candidate(2, "Harvest 2025 – notes")]) is None


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Vet visit – 08.10.2026", ["oct"]),  # dots: the day comes first
        ("Análises leite – Out 2026", ["oct"]),  # another language's abbreviation by a year
        ("**Sáb 14.11** – Évora again", ["nov"]),  # a day and month with a dot and no year
        ("confirmed by phone 24.11. Take the curado", ["nov"]),
        ("Feira de Natal 19–20.12 (stall 20 €)", ["dec"]),
        ("ottobre", ["oct"]),
        ("12/03/2026", ["mar", "dec"]),  # slashes: either reading
        ("October 3", []),  # an English name is its own term already
        ("3.05 kg of curd, 4.10 €, v1.05, room 3.07, section 2.10", []),  # weights, prices, numbering
        ("set up the out-of-office", []),  # "set" and "out" are months only by a number
    ],
)
def test_months_written_as_numbers_or_in_another_language_are_terms(text: str, months: list[str]) -> None:
    assert month_terms(text) == months


def test_a_month_asked_in_words_finds_the_note_dated_in_numbers() -> None:
    visits = [
        _passage("Vet visit – 12.03.2026", "Cost: 312,40 € (invoice VA-2026-0288)."),
        _passage("Vet visit – 08.10.2026", "Cost: 268,00 €."),
    ]
    assert unheld_numbers("how much was the october vet visit", visits[1:]) == []
    assert unheld_numbers("how much was the october vet visit", visits[:1]) == ["october"]
    assert "oct" in ev.terms(visits[1].holdings())


def test_a_follow_up_naming_its_own_month_or_year_replaces_the_one_before() -> None:
    asked = [Turn(role="user", content="somatic cells sept"), Turn(role="assistant", content="1 100 000 /ml [1]")]
    assert standalone_question("and in november?", asked) == "somatic cells and in november?"
    paid = [Turn(role="user", content="what did we pay for rates in 2025"), Turn(role="assistant", content="…")]
    assert standalone_question("and 2026?", paid) == "what did we pay for rates in and 2026?"
    assert standalone_question("and the fat?", asked) == "somatic cells sept and the fat?"
    march = [Turn(role="user", content="covers figure from the march staff mtg"), Turn(role="assistant", content="…")]
    assert (
        standalone_question("and at the april one?", march) == "covers figure from the staff mtg and at the april one?"
    )
    # the day goes with its month: a "3" left behind would be a number no note of the 24th holds
    days = [Turn(role="user", content="households 3 nov distribution"), Turn(role="assistant", content="94 [1]")]
    asked_of_the_24th = standalone_question("what about the 24 nov one?", days)
    assert asked_of_the_24th == "households distribution what about the 24 nov one?"
    # and its year: "2025" left behind would decline February's inspection, of 2026
    inspected = "status of rope B at the Nov 2025 inspection"
    rope = [Turn(role="user", content=inspected), Turn(role="assistant", content="OK")]
    assert standalone_question("and after the february check?", rope) == (
        "status of rope B at the inspection and after the february check?"
    )
    assert standalone_question("and what about pets?", march).startswith("covers figure from the march")
