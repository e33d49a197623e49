"""A question in German, French, Spanish, Portuguese, Italian or Dutch asks for a phone number, a
code, a reference, a day, a time, an address or an amount by its own words, and is declined when the
notes state none of the thing asked about ("blumen hartl telefonnummer" over the florist's offer)."""

from __future__ import annotations

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent import question_forms as qf
from secondbrain_core.agent.dates import DATE_SHAPE, month_terms, months_held, named_months
from secondbrain_core.settings import Settings


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("blumen hartl telefonnummer", "phone number"),
        ("jonas handy nr", "phone number"),
        ("numero de telefono de carmen", "phone number"),  # typed without its accents
        ("mein handy ist kaputt, wo ist die rechnung?", None),  # the device, not its number
        ("e-mail-adresse von jonas", "email address"),
        ("adresse mail de paul", "email address"),
        ("quelle est l'adresse de Marie ?", "postal address"),
        ("wlan passwort klinikum", "code or password"),
        ("wie ändere ich das passwort?", None),  # asks how, not for a value
        ("großhandel kundennummer", "reference"),
        ("número de reserva del hotel", "reference"),
        ("wann hab ich die anzahlung bezahlt", "date"),
        ("¿cuándo es la cita con el dentista?", "date"),
        ("um wie viel uhr beginnt das training", "time of day"),
        ("gut riedhof übernachtung preis", "amount of money"),
        ("wie viel habe ich für den DJ bezahlt", "amount of money"),
        ("quanto custou a ração em outubro", "amount of money"),
        ("How do I write a function with output parameters (call by reference)?", None),  # English "reference"
        ("which league are we in", None),
        ("huitres retrait quand", "date"),  # a topic typed before its "when"
        ("geburtsdatum von papa", "day of the year"),
        ("lucas anniversaire", "day of the year"),
        ("cadeau anniversaire lucas", None),  # a gift for the birthday, not its day
    ],
)
def test_a_question_in_another_language_asks_for_a_form_by_its_own_words(question: str, form: str | None) -> None:
    assert qf.asked_form(question) == form


def test_the_words_asking_for_the_form_are_not_what_it_is_asked_of() -> None:
    assert qf.form_subject("blumen hartl telefonnummer").split() == ["blumen", "hartl"]
    assert qf.form_subject("Numéro de réservation du gîte").split() == ["du", "gite"]


@pytest.mark.parametrize(
    ("text", "holds"),
    [("Training am Dienstag", True), ("samedi matin", True), ("sábado", True), ("Do 12 Kinder", False)],
)
def test_a_weekday_in_another_language_is_a_day(text: str, holds: bool) -> None:
    assert bool(DATE_SHAPE.search(text)) is holds


def test_a_month_typed_without_its_accents_is_that_month() -> None:
    assert named_months("31 decembre je travaille") == {"decembre": 12}
    assert month_terms("payé le 3 fevrier") == ["feb"]
    assert named_months("marco polo") == {}  # "março" unaccented is a name too: a month only by a day
    assert named_months("12 marco") == {"marco": 3}
    assert DATE_SHAPE.search("rdv le sabado")


def test_a_month_abbreviated_with_its_period_in_another_language_is_that_month() -> None:
    assert months_held("RDV cardio Maman (janv.)") == {1}
    assert months_held("Quittance févr.") == {2}
    assert months_held("I am all set. We went out.") == set()  # "set." and "out." are English words


def test_a_french_street_is_an_address() -> None:
    assert qf.form_shape("postal address").search("Chez Marie, 12 rue des Lilas, Lyon")


def test_a_german_question_for_a_number_the_notes_lack_is_declined(settings: Settings) -> None:
    offers = (
        "# Blumen – Blumen Hartl\n\n- **Kategorie:** Blumen\n- **Angebot vom:** 28.11.2026\n"
        "- **Betrag:** 1.280,00 €\n- Tischgestecke: 12 Stück, Brautstrauß inklusive.\n"
    )
    contacts = "# Kontakte\n\n- Jonas Handy: 0171 4456 201\n- Tante Gabi: 089 552 1734\n"
    assistant = assistant_over(
        settings,
        [note_page("hartl", "notes", "Blumen – Blumen Hartl", offers), note_page("k", "notes", "Kontakte", contacts)],
    )
    lacking = assistant.ask("blumen hartl telefonnummer")
    assert not lacking.found
    assert "lacks the phone number asked for" in next(s.detail for s in lacking.steps if s.name == "select")
    stated = assistant.ask("jonas handy nr")
    assert stated.found and "0171 4456 201" in stated.answer
    price = assistant.ask("blumen hartl preis")
    assert price.found and "1.280,00 €" in price.answer
