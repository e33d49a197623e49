"""A question asking for a code, a reference or a dose is answered only from a statement that holds
one of the thing asked about: "what's the wifi password?" from the line with the password, and
"garage door code" declined over a note that names the garage but no code."""

from __future__ import annotations

from dataclasses import replace

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent import question_forms as qf
from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.settings import Settings


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("whats the wifi password", "code or password"),
        ("kennel door code", "code or password"),
        ("cragview locker combination", "code or password"),
        ("basecamp locker combo", "code or password"),
        ("combo for my storage locker", "code or password"),
        ("most dangerous bar combo", None),
        ("combo of swell and ebb on the bar", None),
        ("what's my bank login", "code or password"),  # a combination of tide and swell, no lock's
        ("how do I switch to scram-sha-256 password authentication?", None),  # asks how, not for a value
        ("SQLSTATE code of a serialization failure", None),
        ("get a password", None),  # any password, not one the notes keep
        ("RFS password encryption", None),
        ("How do I write a function with output parameters (call by reference)?", None),
        ("deposit e-transfer reference", "reference"),
        ("ryanair booking ref", "reference"),
        ("fridge model number", "reference"),
        ("my flight number to cancun", "reference"),
        ("car insurance policy no", "reference"),
        ("what's my debit card PIN", "code or password"),
        ("m-pesa pin", "code or password"),
        ("quote no for the prima hoist lift", "reference"),
        ("claim number for the accident", "reference"),
        ("my UTR number", "reference"),  # the numbers a state gives a person
        ("ni number", "reference"),
        ("callum's car reg", "reference"),
        ("md-03 apiary reg number", "reference"),
        ("bol # on the yuma to okc lettuce load", "reference"),
        ("what did the mating nucs cost", "amount of money"),
        ("what did dr rao say", None),
        ("zip code for gila valley fresh", "postcode"),
        ("farm postcode", "postcode"),
        ("how much tax did I pay", "amount of money"),
        ("metacam dose for juniper", "dose"),
        ("phone number of the vet", "phone number"),
        ("kowalski mobile", "phone number"),
        ("ruslan's number", "phone number"),
        ("how do I reset his phone?", None),
        ("seat numbers on the valencia flight", "seat"),
        ("what's jordi's birthday?", "day of the year"),
        ("what did I get chioma for her birthday last year", None),  # a gift, not a day
        ("nadia date of birth", "day of the year"),
    ],
)
def test_a_question_asking_for_a_code_a_reference_or_a_dose(question: str, form: str | None) -> None:
    assert qf.asked_form(question) == form


@pytest.mark.parametrize(
    ("form", "text", "holds"),
    [
        ("code or password", "- Cragview locker: combo 3-1-7", True),
        ("code or password", "Kennel door code **4417#**.", True),
        ("code or password", "Home wifi: network **Unit1107-5G**, password `juniperzoomies26`", True),
        ("code or password", "Basecamp punch card expires 30 June 2027", False),  # digits, but no code named
        ("code or password", "- Clubhouse (hurling) key safe: 1902 – Pat changes it", True),
        ("reference", "Booking ref **KXT4PD**, seat 12C", True),
        ("reference", "| Fridge | LRMVC2306S |", True),
        ("reference", "flight AC 1828 dep 0810", True),
        ("reference", "cost 45 dollars in 2026", False),
        ("dose", "Norepi 0.06 mcg/kg/min, weaning", True),
        ("dose", "0.8 mL once daily with food", True),
        ("dose", "weaning since Tuesday", False),
        ("postal address", "At Rosaria and Franco's: Via Giuseppe Libertini 41, Lecce.", True),
        ("postal address", "**Address:** 7 Inniscarra View, Ballincollig, P31 WD60", True),
        ("postal address", "Eircode T12 R2F8", True),
        ("postal address", "**Vehicle:** 2021 Ford Transit Custom Kombi", False),  # a year is no house number
        ("postal address", "12 O'Connell Street, Dublin 1", True),
        ("postal address", "2.0 diesel 130 PS, moved £10,000 Caledonian Mutual", False),  # a unit, an amount
        ("postal address", "Visiting Luca's parents in Lecce.", False),
        ("postal address", "Rehearsal Wednesdays 7:00–9:30 pm at Dale's garage in Wheat Ridge", False),  # a time
        ("postal address", "Closing at Sunday 10 am", False),
        ("day of the year", "- Mum (Adaeze) — 3 March.", True),
        # a row is read as its cells under their column names (`evidence._under_header`)
        ("amount of money", "Session: Caulking starboard\nCost (kr): 1 240", True),  # the column names it
        ("amount of money", "Quarter: Q4 (Oct–Dec)\nIVA (€): –\nDue: 20.02.2027", False),  # its cell is empty
        ("amount of money", "paid 38 000 NOK", True),
        ("day of the year", "Hurl of the day: Fiadh. Knock on the hand, fine by Wed.", False),  # a weekday
        ("code or password", "No passwords or safe code in here, ever. Logins → 1Password on my phone", False),
        ("code or password", "please verify your online banking ID and password and the 6-digit TAC", False),
        ("code or password", "Kennel door code **4417#**", True),
        ("reference", "Numéro fiscal : 30 14 221 908 447. Déclaration faite en ligne", True),
        ("reference", "**Quote no.:** PHE/2026/078", True),
        ("reference", "Paid 12.03.2026, 14 30 each", False),  # a date and prices are no reference
        ("reference", "| Everwin Tyre Trading | Mr Teh | +60 12-555 4418 | COD |", False),  # a phone number
        ("seat", "Booking ref KXT4PD, seat 12C, car 4", True),
        ("seat", "Ryanair FR 7262, booking ref KQ7T2M", False),
    ],
)
def test_the_shape_of_a_code_a_reference_and_a_dose(form: str, text: str, holds: bool) -> None:
    assert bool(qf.form_shape(form).search(text)) == holds


def test_a_rows_numbers_are_amounts_where_its_label_or_column_names_the_currency() -> None:
    money = qf.form_shape("amount of money")
    season = "| | Fall (Nov–Dec) | Winter (Jan–Mar) |\n| --- | --- | --- |\n"
    assert money.search(ev._under_header(season.split("\n")[0], "| Average $/lb | 8.15 | 10.40 |"))
    assert not money.search(ev._under_header(season.split("\n")[0], "| Days fished | 22 | 14 |"))
    assert money.search(ev._under_header("| Cost | Gross $ |", "| Bait | 61,300 |"))


def test_a_list_item_states_what_the_label_above_its_list_names() -> None:
    text = (
        "**Clay — Moorland Ceramic Supplies**\n- PSC-12 buff stoneware, £14.50 a bag\n- Account no. MCS-40718\n\n"
        "**Glaze — Glazeworks Direct**\n- Login with the shop email\n"
    )
    units = ev.split_units(text)
    assert "- Account no. MCS-40718" in [u.text for u in units]  # "no." before a code ends no sentence
    reference = qf.form_shape("reference")

    def passage(words: str) -> ev.Passage:
        unit = next(u for u in units if words in u.text)
        return ev.Passage(ev.Candidate(0, "c", "p", "Suppliers", "", "", text), [unit], 1.0, unit.text)

    assert ev.states(passage("MCS-40718"), reference, ev.terms("moorland account"))
    assert not ev.states(passage("Login"), reference, ev.terms("glazeworks account"))


@pytest.fixture
def assistant(settings: Settings) -> Assistant:
    home = (
        "# Home admin\n\n- Home wifi: network **Flat4-5G**, password `otterbanjo77`\n"
        "- Garage: the door sticks in winter, oil the runners in October.\n"
        "- Bins: recycling every other Tuesday.\n"
    )
    meds = "# Meds\n\n| Medication | Dose | When |\n|---|---|---|\n| Cetirizine | 10 mg | evening |\n"
    portfolio = "# Portfolio – {month} 2026\n\nTotal: **${total}** across TFSA and RRSP.\n"
    trip = (
        "# Puglia\n\n## Flights (Ryanair, booking ref **QK7T2M**)\n\n| Flight | Date | From |\n|---|---|---|\n"
        "| FR 2381 | Sat 14 Feb | Manchester |\n\n## Staying\n\nAt Rosaria's, Lecce.\n"
    )
    suppliers = (
        "# Suppliers\n\n**Lee Valley Trees** (Macroom)\n- Root-ball & bare-root trees, season Nov–Mar.\n"
        "- Contact Gráinne Lynch, 026 555 4410.\n\n**Mid-Cork Topsoil** – screened topsoil, €90/t. Ring Mick.\n"
    )
    orders = "".join(
        f"- {what} from Lee Valley Trees, {when}.\n"
        for what, when in [
            ("Birch", "ordered 23 Nov"),
            ("Hedging", "cancelled"),
            ("Delivery", "Thu 10 Dec"),
            ("Whips", "paid"),
        ]
    )
    pages = [
        note_page("suppliers", "notes", "Suppliers & trade accounts", suppliers),
        note_page("orders", "notes", "Plant orders", f"# Plant orders\n\n{orders}"),
        note_page("trip", "notes", "Puglia – February", trip),
        note_page("home", "notes", "Home admin", home),
        note_page("meds", "notes", "Meds", meds),
        note_page("oct", "notes", "Portfolio – Oct 2026", portfolio.format(month="Oct", total="85,435")),
        note_page("nov", "notes", "Portfolio – Nov 2026", portfolio.format(month="Nov", total="88,120")),
    ]
    return assistant_over(settings, pages)


def test_a_code_is_answered_only_from_a_statement_that_holds_one(assistant: Assistant) -> None:
    wifi = assistant.ask("what's the wifi password?")
    assert wifi.found and "otterbanjo77" in wifi.answer
    garage = assistant.ask("garage door code")
    assert not garage.found
    assert "lacks the code or password asked for" in next(s.detail for s in garage.steps if s.name == "select")


def test_a_dose_is_answered_from_the_row_that_states_it(assistant: Assistant) -> None:
    dose = assistant.ask("cetirizine dose")
    assert dose.found and "10 mg" in dose.answer


def test_the_note_a_question_picks_among_notes_titled_alike_answers_it(assistant: Assistant) -> None:
    october = assistant.ask("portfolio value october")
    assert october.found and "85,435" in october.answer
    assert [s.page_id for s in october.sources] == ["oct"]
    assert any(s.name == "alike" for s in october.steps)


def test_a_fact_written_into_a_heading_is_a_statement(assistant: Assistant) -> None:
    booking = assistant.ask("ryanair booking ref")
    assert booking.found and "QK7T2M" in booking.answer
    assert [u.text for u in ev.split_units("## Plan (loose)\n\n## Dad\n\n- whisky")] == ["- whisky"]


def test_a_name_asked_about_must_be_named_where_the_form_is_stated() -> None:
    texts = ["- Cragview locker: combo 3-1-7\n- **Gym:** Basecamp\n", "Basecamp punch card, locker #112"]
    assert ev.names(set(ev.terms("basecamp locker cragview")), texts, lambda w: False) == {"basecamp", "cragview"}
    text = "**Codes**\n- Cragview locker: combo 3-1-7\n- Bike lock: 0925\n"
    unit = next(u for u in ev.split_units(text) if "Cragview" in u.text)
    passage = ev.Passage(ev.Candidate(0, "c", "p", "Climbing", "", "", text), [unit], 1.0, unit.text)
    code = qf.form_shape("code or password")
    subject = ev.terms("basecamp locker")
    assert ev.states(passage, code, subject, lambda t: 5.0 if t == "locker" else 1.0)  # "locker" is the rarer
    assert not ev.states(passage, code, subject, lambda t: 5.0 if t == "locker" else 1.0, names={"basecamp"})


def test_a_name_the_fields_opening_a_page_name_is_named_by_all_of_it() -> None:
    """A trip log's "**Clients:** Priya Nair" says whose day its timings table, in another chunk,
    records: "what time did priya turn at the summit" is stated by the row that turned there."""
    opening = "**Date:** Sat 24 Jan 2026\n**Clients:** Priya Nair (CL-038)\n**Outcome:** Turned back ✘"
    timings = "### Timings\n\n| Time | Where | Notes |\n| --- | --- | --- |\n| 11:55 | Summit cairn | Turned here |"
    title = "Trip log – 2026-01-24"
    found = ev.with_page_context(
        [ev.Candidate(0, "c0", "p", title, "", "Timings", timings), ev.Candidate(1, "c1", "p", title, "", "", opening)]
    )
    assert found[0].lead == opening
    unit = next(u for u in ev.split_units(timings) if "11:55" in u.text)
    subject, time_of_day = ev.terms("priya turn summit"), qf.form_shape("time of day")
    assert ev.states(ev.Passage(found[0], [unit], 1.0, unit.text), time_of_day, subject, names={"priya"})
    unread = ev.Passage(replace(found[0], lead=""), [unit], 1.0, unit.text)
    assert not ev.states(unread, time_of_day, subject, names={"priya"})  # without its opening, no Priya


def test_a_sentence_states_what_its_line_named_a_sentence_before() -> None:
    text = "Basic food hygiene course, Wed 22 April 2026. Fee 1 950 kr. Certificate no. HK-26-04417, valid 5 years."
    unit = next(u for u in ev.split_units(text) if "HK-26" in u.text)
    passage = ev.Passage(ev.Candidate(0, "c", "p", "Volunteering", "", "", text), [unit], 1.0, unit.text)
    reference = qf.form_shape("reference")
    assert ev.states(passage, reference, ev.terms("hygiene course"), lambda t: 5.0 if t == "hygien" else 1.0)
    assert not ev.states(passage, reference, ev.terms("first aid course"), lambda t: 5.0 if t == "aid" else 1.0)


def test_a_sentence_states_no_date_of_what_a_later_sentence_names() -> None:
    text = "- **Finn** — 9, Year 5. Birthday 19/08. Orthodontist referral in — waiting for the appointment.\n"
    unit = ev.split_units(text)[0]
    passage = ev.Passage(ev.Candidate(0, "c", "p", "Whānau", "", "", text), [unit], 1.0, unit.text)
    date = qf.form_shape("date")
    assert not ev.states(passage, date, ev.terms("finn orthodontist appointment"), names={"finn"})
    assert ev.states(passage, date, ev.terms("finn birthday"), names={"finn"})


def test_a_bold_name_with_a_remark_labels_the_list_below_it() -> None:
    text = "**Lucía's car** – Seat Ibiza 2017, 172-C-18834.\n- NCT due **22 July 2027**\n- Insurance: AXA\n"
    unit = next(u for u in ev.split_units(text) if "NCT" in u.text)
    passage = ev.Passage(ev.Candidate(0, "c", "p", "Home admin", "", "", text), [unit], 1.0, unit.text)
    assert ev.states(passage, qf.form_shape("date"), ev.terms("nct lucia car"), names={"lucia"})


def test_a_list_item_is_scored_with_the_label_of_its_list(assistant: Assistant) -> None:
    phone = assistant.ask("lee valley trees phone")  # the number is in the second item, no word of the question
    assert phone.found and "026 555 4410" in phone.answer


def test_a_registration_is_written_reg() -> None:
    assert "registr" in ev.terms("Ford Transit, 2019. Reg **191-C-4472**.")
    assert "registr" in ev.terms("van registration")


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("Amarillo, TX 79118", True),
        ("Estrada de São Cristóvão km 4, 7050-512 Montemor-o-Novo", True),
        ("Sandviksveien 131B, 5035 Bergen", True),
        ("14 Maryborough Grove, Douglas, Cork T12 A6E2", True),
        ("4150 E County 12th St, Yuma, AZ", False),  # a house number, no postcode
        ("paid $1500 in 2026", False),
        ("(806) 555-0172", False),
    ],
)
def test_the_shape_of_a_postcode(text: str, holds: bool) -> None:
    assert bool(qf.form_shape("postcode").search(text)) is holds


def _passage(title: str, heading: str, text: str, line: str, lead: str = "", sections: str = "") -> ev.Passage:
    unit = next(u for u in ev.split_units(text) if line in u.text)
    candidate = ev.Candidate(0, "c", "p", title, "", heading, text, lead, sections)
    return ev.Passage(candidate, [unit], 1.0, unit.text)


def test_a_name_typed_clipped_is_named_by_the_name_in_full() -> None:
    """ "nev dobsons phone" of "Landowner: Neville Dobson", "raro flight booking ref" of the note
    titled "Rarotonga trip"."""
    record = "- **Landowner:** Neville Dobson\n- **Phone:** 03 555 8810"
    phone = _passage("MD-04 – Pahau Rd", "", record, "Phone")
    assert ev.states(phone, qf.form_shape("phone number"), ["nev", "dobson"], names={"nev", "dobson"})
    assert not ev.states(phone, qf.form_shape("phone number"), ["bev", "dobson"], names={"bev", "dobson"})
    flights = _passage("Rarotonga trip – July 2026", "", "**Flights:** booking ref **K7TR2M**", "K7TR2M")
    assert ev.states(
        flights, qf.form_shape("reference"), ["raro", "flight", "book"], lambda t: 5.0 if t == "raro" else 1.0
    )
    assert "nev" in ev.clippings("Neville") and "ne" not in ev.clippings("Neville") and not ev.clippings("Nev")


def test_a_word_of_the_title_another_section_is_headed_by_is_that_sections() -> None:
    """The page "Ute & trailer" keeps the trailer's dates under "Trailer": the ute's "Rego due" is
    not the trailer's."""
    ute = "**WoF due:** 14/07/2026\n**Rego due:** 30/09/2026"
    date, rarer = qf.form_shape("date"), lambda t: 5.0 if t == "trailer" else 1.0
    found = ev.with_page_context(
        [
            ev.Candidate(0, "c0", "p", "Ute & trailer", "", "Ute", ute),
            ev.Candidate(1, "c1", "p", "Ute & trailer", "", "Trailer", "**WoF due:** 02/09/2026"),
        ]
    )
    assert found[0].sections == "Trailer"
    unit = next(u for u in ev.split_units(ute) if "Rego" in u.text)
    rego = ev.Passage(found[0], [unit], 1.0, unit.text)
    assert not ev.states(rego, date, ev.terms("trailer rego"), rarer)
    assert ev.states(rego, date, ev.terms("ute rego"), rarer)
    assert ev.states(replace(rego, candidate=replace(found[0], sections="")), date, ev.terms("trailer rego"), rarer)


def test_the_passages_stating_the_form_asked_lead_the_answer() -> None:
    habits = _passage("HOS & ELD notes", "", "- Reset at home when I can. If not: Love's Santa Rosa.", "Reset")
    stops = "| Where | Stop | Watch out |\n| --- | --- | --- |\n| Santa Rosa NM | Love's | full by 7pm |"
    row = _passage("Truck stops & parking", "", stops, "full by")
    question = ev.terms("what time does the santa rosa loves fill up")
    evidence = ev.support_of(
        [habits, row], question, lambda t: 1.0, 0.5, ev.SelectionParams(), form="time of day", subject=question
    )
    assert [p.candidate.title for p in evidence.passages] == ["Truck stops & parking", "HOS & ELD notes"]
    assert not evidence.lacks
