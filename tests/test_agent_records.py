"""A note's structure read as people write it: a parent page's list of its children is no
evidence, a database row's properties are one record, a table's value is the one its column
names, and a date is neither a phone number nor a street."""

from __future__ import annotations

import numpy as np
import pytest

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent import question_forms as qf

_ORDER = (
    "Third order this year.\n\n- **Supplier:** Rações Vale do Sado\n- **Ordered:** 03.03.2026\n"
    "- **Delivered:** 06.03.2026\n- **Price:** 868,00 €\n- **Invoice:** FT 2026/0219\n\nPrice up 2 %."
)


def _passage_at(title: str, text: str, starts: str) -> ev.Passage:
    units = ev.split_units(text)
    unit = next(u for u in units if u.text.startswith(starts))
    return ev.Passage(ev.Candidate(0, "c", "p", title, "", "", text), [unit], 1.0, unit.text)


def test_a_line_of_links_to_child_pages_is_never_a_passage() -> None:
    text = (
        "[Vet visit – 12.03.2026](https://www.notion.so/cad36e59e9f286e866f03db706e74d0e)\n\n"
        "[Farm contacts](Farm%20contacts%20cd3ab03c.md)\n\n"
        "See [Farm contacts](https://www.notion.so/cd3a) for the vet.\n\n"
        "- [Cheese recipe](https://example.org/recipe)\n"
    )
    units = ev.split_units(text)
    assert [ev.navigation(u.text) for u in units] == [True, True, False, False]
    scores = ev.score_units(
        units,
        [ev.Candidate(0, "c", "p", "Cabras", "", "", text)],
        "vet visit",
        ev.terms("vet visit"),
        lambda term: 1.0,
        np.ones(len(units)),
        ev.SelectionParams(),
    )
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


@pytest.mark.parametrize(
    ("form", "text", "holds"),
    [
        ("phone number", "📞 Me 912 408 317 · Miguel 936 155 024", True),
        ("phone number", "- **Check-in:** 03.04.2026", False),  # a date's digits run as long as a number's
        ("phone number", "MOT done 2026-04-03", False),
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
