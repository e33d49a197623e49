"""A note's structure read as people write it: a parent page's list of its children is no
evidence, a database row's properties are one record, a table's value is the one its column
names, and a date is neither a phone number nor a street."""

from __future__ import annotations

import numpy as np
import pytest

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent import question_forms as qf
from secondbrain_core.agent import records as rec

_ORDER = (
    "Third order this year.\n\n- **Supplier:** Rações Vale do Sado\n- **Ordered:** 03.03.2026\n"
    "- **Delivered:** 06.03.2026\n- **Price:** 868,00 €\n- **Invoice:** FT 2026/0219\n\nPrice up 2 %."
)


def _passage_at(title: str, text: str, starts: str) -> ev.Passage:
    units = ev.split_units(text)
    unit = next(u for u in units if u.text.startswith(starts))
    return ev.Passage(ev.Candidate(0, "c", "p", title, "", "", text), [unit], 1.0, unit.text)


def _scored(title: str, text: str, question: str, similarity: float) -> tuple[list[ev.Unit], np.ndarray]:
    """The units of one note's `text` and their scores for `question`, every word equally rare and
    every unit as similar as `similarity` to the embedder, so only the rules tell them apart."""
    units = ev.split_units(text)
    candidates = [ev.Candidate(0, "c", "p", title, "", "", text)]
    similarities = np.full(len(units), similarity)
    return units, ev.score_units(
        units, candidates, question, ev.terms(question), lambda t: 1.0, similarities, ev.SelectionParams()
    )


def test_a_line_of_links_to_child_pages_is_never_a_passage() -> None:
    text = (
        "[Vet visit – 12.03.2026](https://www.notion.so/cad36e59e9f286e866f03db706e74d0e)\n\n"
        "[Farm contacts](Farm%20contacts%20cd3ab03c.md)\n\n"
        "See [Farm contacts](https://www.notion.so/cd3a) for the vet.\n\n"
        "- [Cheese recipe](https://example.org/recipe)\n"
    )
    units, scores = _scored("Cabras", text, "vet visit", 1.0)
    assert [ev.navigation(u.text) for u in units] == [True, True, False, False]
    assert scores[0] == scores[1] == 0.0 and scores[2] > 0


def test_a_database_rows_properties_are_one_record() -> None:
    price = _passage_at("Ração leiteiras 18% – Mar", _ORDER, "- **Price:**")
    money = qf.form_shape("amount of money")
    assert ev.states(price, money, ev.terms("racao march order"))  # "Ordered" is a property of the same row
    assert not ev.states(price, money, ev.terms("racao march straw"))  # a word the record does not hold
    first = _passage_at("Ração leiteiras 18% – Mar", _ORDER, "Third order")
    assert not ev.states(first, money, ev.terms("order"))  # prose before the record is not part of it


def test_a_table_value_is_the_one_its_column_names() -> None:
    text = (
        "| Quarter | IVA (€) | Paid |\n|---|---|---|\n| Q3 (Jul–Sep) | 3 402,77 | 17.11.2026 |\n"
        "| Q4 (Oct–Dec) | – | due by 20.02.2027 |\n"
    )
    money = qf.form_shape("amount of money")
    assert ev.states(_passage_at("IVA", text, "| Q3"), money, ev.terms("iva q3"))
    assert not ev.states(_passage_at("IVA", text, "| Q4"), money, ev.terms("iva q4"))  # only dates in that row


@pytest.mark.parametrize("column", ["PHP", "EUR", "eur", "€", "(KSh)"])
def test_a_column_named_by_its_currency_holds_amounts(column: str) -> None:
    """A price table headed by the currency alone writes its amounts bare."""
    text = f"| Material | Unit | {column} |\n|---|---|---|\n| Cement (Portland, 40 kg) | bag | 285 |\n"
    money = qf.form_shape("amount of money")
    assert ev.states(_passage_at("Materials", text, "| Cement"), money, ev.terms("cement bag"))
    plain = text.replace(column, "Qty")
    assert not ev.states(_passage_at("Materials", plain, "| Cement"), money, ev.terms("cement bag"))


@pytest.mark.parametrize(
    ("form", "text", "holds"),
    [
        ("phone number", "📞 Me 912 408 317 · Miguel 936 155 024", True),
        ("phone number", "- **Check-in:** 03.04.2026", False),  # a date's digits run as long as a number's
        ("phone number", "MOT done 2026-04-03", False),
        ("phone number", "| 2026/03/26 | Parent–teacher meeting | 14:30 with Mev. Olivier |", False),
        ("phone number", "Confirmation BBC-2604-118, SGR ref MDX-260414-3381", False),  # a code's digits
        ("phone number", "Phone: +254 722 555 004", True),
        ("postal address", "14 Maryborough Grove, Douglas", True),
        ("postal address", "Rua Direita 12, Montemor", True),
        ("postal address", "comes up on the TGV on Tuesday 23", False),  # a weekday and a day
        ("postal address", "New since Nov 2026", False),
        ("postal address", "+34 624 118 905\nNew customer", False),  # a line break is no street's space
    ],
)
def test_a_date_is_neither_a_phone_number_nor_a_street(form: str, text: str, holds: bool) -> None:
    assert bool(qf.form_shape(form).search(text)) == holds


def test_no_before_a_code_says_number_and_ends_no_sentence() -> None:
    units = ev.split_units("I volunteer at Matbanken. Volunteer no. **V-0318**. Vet: Dra. Sofia Mendes came.")
    assert [u.text for u in units] == [
        "I volunteer at Matbanken.",
        "Volunteer no. **V-0318**.",
        "Vet: Dra. Sofia Mendes came.",
    ]
    assert "number" in ev.terms(units[1].text) and "number" not in ev.terms("no problem")


_ROW = "- **Role:** Victim – Guild-master\n- **Age:** 67\n- **Status:** dead\n\nKept bees on the Ledger House roof."
_BODY = "Big clue: Aurel Sand had given 38 of his Forty. The Guild ledger was kept at the Ledger House."


def test_a_rows_lines_are_said_of_the_row_its_title_names() -> None:
    """ "aurel sand age": the age line of the row titled "Aurel Sand" answers it, though the line
    never names him, over a sentence elsewhere that names him and holds no age."""
    candidates = [
        ev.Candidate(0, "c0", "p0", "Ebbcraft – rules", "", "", _BODY),
        ev.Candidate(1, "c1", "p1", "Aurel Sand", "", "", _ROW),
    ]
    units = [u for i, c in enumerate(candidates) for u in ev.split_units(c.text, i)]
    question = "aurel sand age"
    scores = ev.score_units(
        units,
        candidates,
        question,
        ev.terms(question),
        lambda term: 1.0,
        np.full(len(units), 0.5),
        ev.SelectionParams(),
    )
    assert units[int(np.argmax(scores))].text == "- **Age:** 67"
    assert ev.opens_record(_ROW, _ROW.index("- **Age:**")) and not ev.opens_record(_ROW, _ROW.index("Kept bees"))
    assert not ev.opens_record("Third order.\n- **Price:** 868,00 €", 14)  # prose above: not a row's page


def test_a_property_the_named_row_leaves_empty_is_declined() -> None:
    rows = [
        ev.Candidate(
            0, "c0", "agathe", "Agathe Marrow", "", "", "- **Role:** mother\n- **Status:** tbd\n\nNo first draft."
        ),
        ev.Candidate(
            1, "c1", "jory", "Jory Holt", "", "", "- **Role:** Warden\n- **First appears:** ch. 6\n- **Status:** alive"
        ),
        ev.Candidate(2, "c2", "order", "Gift order", "", "", "- **Ordered:** 3 Nov\n- **Delivery:** 5 Nov"),
    ]
    assert rec.property_keys(rows[1].text) == ["Role", "First appears", "Status"]
    assert rec.property_left_empty(ev.terms("agathe first appears which ch"), rows) == (
        "Agathe Marrow",
        "First appears",
    )
    assert rec.property_left_empty(ev.terms("agathe status"), rows) is None  # her row has it
    assert rec.property_left_empty(ev.terms("jory first appears which ch"), rows) is None
    assert rec.property_left_empty(ev.terms("first appears which ch"), rows) is None  # no row named


def test_a_property_named_clipped_is_asked_in_full() -> None:
    """ "def gallons at shamrock" asks the "DEF gal" that the row of TA Shamrock leaves out."""
    gallup = "- **City:** Gallup\n- **Gallons:** 138.9\n- **DEF gal:** 7.6"
    rows = [
        ev.Candidate(
            0, "c0", "shamrock", "FS-07 – TA Shamrock TX", "", "", "- **City:** Shamrock\n- **Gallons:** 121.7"
        ),
        ev.Candidate(1, "c1", "gallup", "FS-05 – Pilot Gallup NM", "", "", gallup),
    ]
    assert rec.property_left_empty(ev.terms("def gallons at shamrock"), rows) == ("FS-07 – TA Shamrock TX", "DEF gal")
    assert rec.property_left_empty(ev.terms("def gallons at gallup"), rows) is None
    assert rec.property_left_empty(ev.terms("gallons at shamrock"), rows) is None  # its row has "Gallons"
    loads = [
        ev.Candidate(
            0,
            "c0",
            "0223",
            "CCF-26-0223 – Amarillo to OKC",
            "",
            "",
            "- **Pickup:** 02/23\n- **Miles:** 262\n- **Rate:** $1,150",
        ),
        ev.Candidate(
            1,
            "c1",
            "0211",
            "CCF-26-0211 – Yuma to Temple",
            "",
            "",
            "- **Pickup:** 02/11\n- **Miles:** 980\n- **Broker / RC #:** RC 55",
        ),
    ]
    assert rec.property_left_empty(ev.terms("rc # for ccf-26-0223"), loads) == (
        "CCF-26-0223 – Amarillo to OKC",
        "Broker / RC #",
    )
    assert rec.property_left_empty(ev.terms("rc # for ccf-26-0211"), loads) is None
    assert rec.property_left_empty(ev.terms("agathe gift delivery"), rows) is None  # the gift's row has one
    # only a row of another database has a delivery
    assert rec.property_left_empty(ev.terms("agathe delivery"), rows[:1] + rows[2:]) is None

    # a row named in full is the one asked of, not another row sharing its first name
    joshes = [
        ev.Candidate(
            0,
            "c0",
            "w",
            "Josh Whitford",
            "",
            "",
            "- **Role:** FOH\n- **Start date:** 02/05/2024\n- **RSA expiry:** 11/11/2026\n",
        ),
        ev.Candidate(
            1,
            "c1",
            "n",
            "Josh Nguyen",
            "",
            "",
            "- **Role:** Sous chef\n- **Start date:** 09/01/2023\n- **Food handler expiry:** 14/08/2027\n",
        ),
    ]
    assert rec.property_left_empty(ev.terms("josh nguyen RSA expiry"), joshes) == ("Josh Nguyen", "RSA expiry")
    assert rec.property_left_empty(ev.terms("josh RSA expiry"), joshes) is None  # Josh Whitford's row has it
    # "who supplies" asks the row's "Supplier"; a line saying the vet is not known yet holds no vet
    drugs = [
        ev.Candidate(0, "c0", "b", "Butorphanol inj", "", "", "- **Drug:** butorphanol\n- **Strength:** 10 mg/ml\n"),
        ev.Candidate(
            1,
            "c1",
            "k",
            "Ketamine inj",
            "",
            "",
            "- **Drug:** ketamine\n- **Strength:** 100 mg/ml\n- **Supplier:** NVS\n",
        ),
    ]
    assert rec.property_left_empty(ev.terms("who supplies the butorphanol"), drugs, "who supplies the butorphanol") == (
        "Butorphanol inj",
        "Supplier",
    )
    assert rec.property_left_empty(ev.terms("who supplies the ketamine"), drugs, "who supplies the ketamine") is None
    farms = [
        ev.Candidate(
            0,
            "c0",
            "n",
            "Nether Scar Farm",
            "",
            "",
            "- **Herd:** 40 cows\n- **TB status:** OTF\n\nVet not allocated yet.",
        ),
        ev.Candidate(
            1, "c1", "m", "Mire House Farm", "", "", "- **Herd:** 120 cows\n- **TB status:** OTF\n- **Vet:** Ross\n"
        ),
    ]
    assert rec.property_left_empty(ev.terms("who's the vet for nether scar"), farms) == ("Nether Scar Farm", "Vet")
    # "when is …" asks a row's Date
    events = [
        ev.Candidate(0, "c0", "u", "CA upgrade indoc", "", "", "- **Type:** Ground\n- **Location:** Centennial TC\n"),
        ev.Candidate(
            1, "c1", "h", "Hazmat CBT", "", "", "- **Date:** 08/12/2026\n- **Type:** CBT\n- **Location:** Online\n"
        ),
    ]
    when = "when is the CA upgrade indoc"
    assert rec.property_left_empty(ev.terms(when), events, when) == ("CA upgrade indoc", "Date")
    assert rec.property_left_empty(ev.terms("when was the hazmat cbt"), events, "when was the hazmat cbt") is None
    assert rec.property_left_empty(ev.terms("where is the CA upgrade indoc"), events, "where is it") is None


def test_an_answer_reads_bold_as_plain_text_and_names_its_note() -> None:
    row = ev.Candidate(0, "c0", "p0", "📖 Aurel Sand", "", "", _ROW)
    unit = next(u for u in ev.split_units(row.text) if u.text.startswith("- **Age:**"))
    passage = ev.Passage(row, [unit], 1.0, unit.text)
    title = ev.title_shown([passage])
    assert title == "Aurel Sand"  # the icon is no word of the title
    assert ev.compose([passage], title=title) == "Aurel Sand: - Age: 67 [1]"
    first = ev.split_units(_BODY)[0]
    named = ev.Passage(ev.Candidate(0, "c", "p", "Aurel Sand", "", "", _BODY), [first], 1.0, first.text)
    assert ev.title_shown([named]) == ""  # the passage names it already
    power = ev.Candidate(0, "c", "p", "Maths", "", "", "5**2 is 25")
    assert ev.shown(ev.Passage(power, ev.split_units(power.text), 1.0, power.text)) == "5**2 is 25"


def test_an_answer_shows_a_web_links_address_and_not_a_workspace_pages() -> None:
    text = (
        "- [Fair Work – pay guides](https://www.fairwork.gov.au/pay-guides) — check every 1 July, see "
        "[Staff](https://www.notion.so/Staff-0b8ed52c81c2) and ![oven](https://x.org/oven.png)"
    )
    links = ev.Candidate(0, "c", "p", "Links", "", "", text)
    shown = ev.shown(ev.Passage(links, ev.split_units(text), 1.0, text))
    assert (
        shown
        == "- Fair Work – pay guides (https://www.fairwork.gov.au/pay-guides) — check every 1 July, see Staff and oven"
    )
    bare = ev.Candidate(0, "c", "p", "Links", "", "", "[https://a.org/b](https://a.org/b)")
    assert ev.shown(ev.Passage(bare, ev.split_units(bare.text), 1.0, bare.text)) == "https://a.org/b"


def test_a_number_glued_to_its_unit_is_the_number_and_the_unit() -> None:
    assert ev.terms("coolserv 24hr number") == ev.terms("Coolserv 24 hr number")
    assert set(ev.terms("pickup 10am")) <= set(ev.terms("pickup at 10 am"))
    assert ev.terms("bfloat16 v2") == ["bfloat16", "v2"]  # a name that holds digits stays whole


def test_a_chapter_or_page_number_ends_no_sentence() -> None:
    units = ev.split_units("Next mtg at Sunny's, I'm up with ch. 3–4. See pp. 12 for the map. Done.")
    assert [u.text for u in units] == ["Next mtg at Sunny's, I'm up with ch. 3–4.", "See pp. 12 for the map.", "Done."]
    assert ev.terms("status of chapter 8") == ev.terms("status of ch. 8")  # one term, as the notes write it
    assert ev.terms("oct mtg") == ev.terms("oct meeting")
    born = "**Kaylee** — b. 09/02/2010, 15, sophomore. Club: Panhandle Elite."  # "b." is born
    assert [u.text for u in ev.split_units(born)] == [
        "**Kaylee** — b. 09/02/2010, 15, sophomore.",
        "Club: Panhandle Elite.",
    ]


def _submission(n: int, title: str) -> ev.Candidate:
    story, market = title.split(" – ")
    return ev.Candidate(
        n, f"c{n}", f"p{n}", title, "", "", f"- **Story:** {story}\n- **Market:** {market}\n- **Pay:** 8¢"
    )


def test_a_pairing_no_rows_title_holds_is_declined() -> None:
    rows = [
        _submission(0, "Nine Kinds of Rain – Mossback Magazine"),
        _submission(1, "Nine Kinds of Rain – Driftglass Quarterly"),
        _submission(2, "Lamplighter's Daughter – Uncanny Hours"),
    ]
    assert rec.unrecorded_pairing(ev.terms("when did i send nine kinds of rain to uncanny hours"), rows) == (
        "Nine Kinds of Rain and Uncanny Hours"
    )
    assert (
        rec.unrecorded_pairing(ev.terms("nine kinds of rain mossback magazine pay"), rows) is None
    )  # a row pairs them
    assert rec.unrecorded_pairing(ev.terms("nine kinds of rain vs lamplighter's daughter"), rows) is None  # compared
    assert rec.unrecorded_pairing(ev.terms("did uncanny hours pay more than driftglass quarterly"), rows) is None


def test_how_old_asks_an_age() -> None:
    assert ev.terms("how old is jessamy") == ev.terms("age of jessamy")  # a row writes "Age: 45"
    assert "old" in ev.terms("my old car")
    # "how long" and "how often" ask a span or a rate: "3 days", "every 3 weeks" never write "long"
    assert ev.terms("how long in brine") == ev.terms("in brine")
    assert ev.terms("how often do we log to wandb") == ev.terms("we log to wandb")
    assert "long" in ev.terms("long lunch on fridays")


def test_a_value_in_degrees_is_a_temperature() -> None:
    assert set(ev.terms("focaccia bake temp")) <= set(ev.terms("Focaccia: bake at 240 °C for 18 min"))
    # "how cold" asks a temperature, which a value in degrees holds
    assert set(ev.terms("how cold at night")) <= set(ev.terms("Jackets: gets down to 45°F at night"))
    assert not set(ev.terms("temperature")) & set(ev.terms("bake for 18 min at gas 7"))  # no degrees


def test_a_unit_writing_the_day_asked_scores_above_its_neighbours() -> None:
    text = "| w/e | Covers | Avg spend |\n| --- | --- | --- |\n"
    text += "| Sun 08/03 | 305 | $87.98 |\n| Sun 15/03 | 312 | $89.49 |\n"
    units, scores = _scored("Weekly takings 2026", text, "avg spend w/e 15 march", 0.4)  # rows read alike
    by_text = {u.text[:10]: s for u, s in zip(units, scores, strict=True)}
    assert by_text["| Sun 15/0"] > by_text["| Sun 08/0"]


def test_the_list_item_numbered_as_asked_scores_above_the_others() -> None:
    text = "Walk-around, about 20 min.\n\n1. Under the hood: oil, coolant\n2. Steer tire\n6. Fifth wheel, jaws locked\n"
    units, scores = _scored("Pre-trip – my order", text, "pretrip step 6", 0.4)
    assert units[int(np.argmax(scores))].text.startswith("6. Fifth wheel")
    assert qf.items_named("step 3 when submitting") == {3} and not qf.items_named("3 steps to submit")


def test_a_table_row_named_with_a_column_reads_the_header_as_its_own() -> None:
    """ "FO yr 5 rate 2026" names the cell under "FO 2026" of the row "| 5 |": the header's words
    are that cell's, so the row outscores the prose beside the table that names year 5 too."""
    text = (
        "Longevity by year of service (Year 5 since 03/14/2026).\n\n"
        "| Year | FO 2026 | FO 2027 |\n| --- | --- | --- |\n| 4 | $101.00 | $104.00 |\n| 5 | $104.75 | $107.75 |\n"
    )
    question = "FO yr 5 rate 2026"
    units, scores = _scored("PPA pay scale", text, question, 0.4)
    by_text = {u.text[:6]: s for u, s in zip(units, scores, strict=True)}
    assert by_text["| 5 | "] > by_text["Longev"] > by_text["| 4 | "]
    assert ev.names_cell(set(ev.terms(question)), ["Year", "FO 2026", "FO 2027"], ["5", "$104.75", "$107.75"])
    assert not ev.names_cell(set(ev.terms("yr 5 rate")), ["Year", "FO 2026", "FO 2027"], ["5", "$104.75", "$107.75"])
    assert not ev.names_cell(set(ev.terms(question)), ["Year", "FO 2026"], ["5", " "])  # a blank row holds nothing


def test_a_cell_the_named_table_row_leaves_blank_is_declined() -> None:
    text = (
        "Lodged by Priya.\n\n| Quarter | Period | Net payable | Due | Paid |\n| --- | --- | --- | --- | --- |\n"
        "| Q3 | Jan–Mar 2026 | $23,834 | 26/05/2026 | scheduled 22/05 |\n| Q4 | Apr–Jun 2026 | | 25/08/2026 | |\n"
    )
    bas = [ev.Candidate(0, "c", "p", "BAS – GST quarters", "", "", text)]
    assert rec.tables(text)[0][1][1] == ["Q4", "Apr–Jun 2026", "", "25/08/2026", ""]
    assert rec.cell_left_empty(ev.terms("Q4 BAS net payable"), bas) == ("Q4", "Net payable")
    assert rec.cell_left_empty(ev.terms("q3 net payable"), bas) is None  # its cell holds the amount
    assert rec.cell_left_empty(ev.terms("q4 due"), bas) is None
    assert rec.cell_left_empty(ev.terms("net payable"), bas) is None  # no row named
    farms = (
        "| Farm | Herd | Vet |\n| --- | --- | --- |\n| Nether Scar Farm | 40 | |\n| Mire House Farm | 120 | Ross |\n"
    )
    table = [ev.Candidate(0, "c", "p", "Farms", "", "", farms)]
    assert rec.cell_left_empty(ev.terms("who's the vet for nether scar"), table) == ("Nether Scar Farm", "Vet")
    assert rec.cell_left_empty(ev.terms("vet for mire house"), table) is None
    assert rec.cell_left_empty(ev.terms("vet for the farm"), table) is None  # one word names no row
    fees = "| Term | Due | Paid | M-Pesa code |\n| --- | --- | --- | --- |\n| Term 1 | 5/1 | 27,000 | SAB3K8 |\n"
    fees += "| Term 3 | 24/8 | – | – |\n"  # a dash is a blank cell
    school = [ev.Candidate(0, "c", "p", "School fees", "", "", fees)]
    assert rec.cell_left_empty(ev.terms("term 3 m-pesa code"), school) == ("Term 3", "M-Pesa code")
    assert rec.cell_left_empty(ev.terms("term 1 m-pesa code"), school) is None
    # a column named by the question's wording: "who supplies" its "Supplier", "when is" its "Date"
    drugs = "| Drug | Supplier | Date |\n| --- | --- | --- |\n| Butorphanol | | 02/03 |\n| Ketamine | NVS | |\n"
    stock = [ev.Candidate(0, "c", "p", "Drug stock", "", "", drugs)]
    supplies = "who supplies the butorphanol"
    assert rec.cell_left_empty(ev.terms(supplies), stock, supplies) == ("Butorphanol", "Supplier")
    assert rec.cell_left_empty(ev.terms("when is the ketamine"), stock, "when is the ketamine") == ("Ketamine", "Date")
    assert rec.cell_left_empty(ev.terms("when is the butorphanol"), stock, "when is the butorphanol") is None


def test_the_row_the_question_names_most_of_is_the_one_asked() -> None:
    loans = [
        ev.Candidate(0, "c0", "ln8", "LN-2026-008 – Lucy Njoroge", "", "", _LOAN + "\n\nGuarantors to be named."),
        ev.Candidate(1, "c1", "ln1", "LN-2026-001 – Mary Kamau", "", "", _LOAN + "\n- **Monthly deduction:** 5,000"),
    ]
    asked = ev.terms("monthly deduction on lucy's loan LN-2026-008")
    assert rec.property_left_empty(asked, loans) == ("LN-2026-008 – Lucy Njoroge", "Monthly deduction")
    assert rec.property_left_empty(ev.terms("monthly deduction LN-2026-001"), loans) is None
    # "to be named" is "tbc" spelled out: the line knows no guarantor
    loans[1] = ev.Candidate(1, "c1", "ln1", "LN-2026-001 – Mary Kamau", "", "", _LOAN + "\n- **Guarantors:** Daniel")
    assert rec.property_left_empty(ev.terms("guarantors of LN-2026-008"), loans) == (
        "LN-2026-008 – Lucy Njoroge",
        "Guarantors",
    )


_LOAN = "- **Member no.:** KR-163\n- **Amount:** KSh 25,000\n- **Date:** 24/3/2026"


def test_a_row_named_by_a_name_in_its_cells_and_a_blank_no_table_found_fills() -> None:
    jobs = "| Job card | Customer | Total | Paid by |\n| --- | --- | --- | --- |\n"
    jobs += (
        "| JC-030 – VBN 7263 | Ms Carmen Yeoh | RM 600.00 | |\n| JC-019 – PKM 5512 | Puan Zaleha | RM 145 | DuitNow |\n"
    )
    table = [ev.Candidate(0, "c", "p", "Job cards", "", "", jobs)]
    assert rec.cell_left_empty(ev.terms("how did carmen yeoh pay"), table) == ("JC-030 – VBN 7263", "Paid by")
    assert rec.cell_left_empty(ev.terms("how did zaleha pay"), table) is None  # one word names no row
    payout = "| Member | Litres | Loan |\n| --- | --- | --- |\n| KR-087 Mary Wairimu Kamau | 702 | – |\n"
    loans = "| Loan | Member | Amount |\n| --- | --- | --- |\n| LN-007 | Mary Wairimu Kamau | KSh 18,000 |\n"
    sheets = [
        ev.Candidate(0, "c0", "p0", "Payout", "", "", payout),
        ev.Candidate(1, "c1", "p1", "Loans", "", "", loans),
    ]
    # the loans table states her loan's amount, whatever the payout sheet's dash says
    assert rec.cell_left_empty(ev.terms("mary wairimu loan amount"), sheets) is None
    assert rec.cell_left_empty(ev.terms("mary wairimu loan amount"), sheets[:1]) == (
        "KR-087 Mary Wairimu Kamau",
        "Loan",
    )
    reno = "| Payment | When | Amount | Paid |\n| --- | --- | --- | --- |\n| Third | floors done | $5,000 | — |\n"
    parts = "| Item | Part no. | Price |\n| --- | --- | --- |\n| Spark plug iridium (Toyota) | | RM 55 |\n"
    parts += "| Spark plug standard | NGK-BKR6E | RM 18 |\n"
    # the iridium plug's row is named best; the standard plug's part number answers nothing asked
    assert rec.cell_left_empty(ev.terms("part number iridium spark plug"), [_table(0, "Parts", parts)]) == (
        "Spark plug iridium (Toyota)",
        "Part no.",
    )
    assert rec.cell_left_empty(ev.terms("part number standard spark plug"), [_table(0, "Parts", parts)]) is None
    # "payment" names the rows' kind, not the Paid column
    assert (
        rec.cell_left_empty(ev.terms("third payment how much"), [ev.Candidate(0, "c", "p", "Reno", "", "", reno)])
        is None
    )


def _table(rank: int, title: str, text: str) -> ev.Candidate:
    return ev.Candidate(rank, f"c{rank}", f"p{rank}", title, "", "", text)
