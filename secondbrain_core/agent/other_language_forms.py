"""How questions in the other languages people write notes in (de, fr, es, pt, it, nl) ask for an
answer of one form: a phone number, an email address, a code, a reference, a day, a time of day,
a postal address or an amount of money (pure, no model).

`question_forms` reads the English wording; a person whose notes are German asks "blumen hartl
telefonnummer" or "wann hab ich die anzahlung bezahlt", and the notes stating no phone number
of the florist, or no day of the payment, do not answer it however close their words come.
Questions are compared with their accents dropped (`fold`), so "numero de telefono" is asked as
"número de teléfono" is. Words that are English too, or are once their accents are dropped
("code", "portable", "date", "référence"), are left out: the English patterns read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from secondbrain_core.rag.keyword import plain


def fold(text: str) -> str:
    """`text` lowercased without accents ("Número" → "numero"); "ß" stays."""
    return plain(text.lower())


def _any(words: Iterable[str]) -> str:
    """The words as one alternation, accents dropped, longest first."""
    return "|".join(sorted({re.escape(fold(word)) for word in words}, key=len, reverse=True))


# Words that make a question ask how or why rather than for a value ("wie ändere ich das Passwort?").
_HOW_OR_WHY = _any(
    (
        "how",
        "why",
        "wie",
        "warum",
        "weshalb",
        "comment",
        "pourquoi",
        "cómo",
        "por qué",
        "porque",
        "come",
        "perché",
        "hoe",
        "waarom",
    )
)
_PHONE_NUMBERS = (
    "telefonnummer",
    "handynummer",
    "mobilnummer",
    "festnetznummer",
    "rufnummer",
    "telefoonnummer",
    "mobiele nummer",
    "numéro de téléphone",
    "numéro de portable",
    "número de teléfono",
    "número de móvil",
    "número de celular",
    "número de telefone",
    "número de telemóvel",
    "numero di telefono",
    "numero di cellulare",
)
# a phone by its device's name, only at the end of a question ("jonas handy nr"): "mein Handy ist
# kaputt" asks no number
_PHONES = ("telefon", "handy", "téléphone", "teléfono", "telefono", "móvil", "celular", "telefone", "telemóvel")
_PHONES += ("cellulare", "telefoon", "mobiel", "tel")
_NUMBER_WORDS = ("nr", "nummer", "no", "nº", "número", "numéro")
_EMAILS = (
    "e-mail-adresse",
    "email-adresse",
    "emailadresse",
    "mailadresse",
    "e-mailadres",
    "adresse e-mail",
    "adresse mail",
    "adresse électronique",
    "courriel",
    "correo electrónico",
    "correo",
    "dirección de correo",
    "dirección de e-mail",
    "dirección de email",
    "endereço de e-mail",
    "endereço de email",
    "endereço eletrónico",
    "endereço eletrônico",
    "indirizzo email",
    "indirizzo e-mail",
    "posta elettronica",
)
_CODES = (
    "passwort",
    "kennwort",
    "zugangscode",
    "türcode",
    "pin-code",
    "pincode",
    "pin-nummer",
    "geheimzahl",
    "mot de passe",
    "code d'accès",
    "digicode",
    "contraseña",
    "código de acceso",
    "palavra-passe",
    "senha",
    "código de acesso",
    "codice di accesso",
    "wachtwoord",
    "toegangscode",
)
_REFERENCES = (
    "kundennummer",
    "buchungsnummer",
    "rechnungsnummer",
    "vertragsnummer",
    "versicherungsnummer",
    "versichertennummer",
    "mitgliedsnummer",
    "kreditkartennummer",
    "kontonummer",
    "auftragsnummer",
    "bestellnummer",
    "sendungsnummer",
    "steuernummer",
    "steuer-id",
    "fahrgestellnummer",
    "policennummer",
    "reservierungsnummer",
    "referenznummer",
    "buchungscode",
    "aktenzeichen",
    "numéro de réservation",
    "numéro de client",
    "numéro de facture",
    "numéro de commande",
    "numéro de contrat",
    "numéro de suivi",
    "numéro de dossier",
    "número de reserva",
    "número de cliente",
    "número de factura",
    "número de pedido",
    "número de contrato",
    "número de seguimiento",
    "referencia",
    "número de fatura",
    "número de encomenda",
    "referência",
    "numero di prenotazione",
    "numero cliente",
    "numero di fattura",
    "numero d'ordine",
    "riferimento",
    "boekingsnummer",
    "klantnummer",
    "factuurnummer",
    "ordernummer",
    "referentie",
)
# "when", opening a question or a clause ("¿cuándo…", "und wann…")
_WHEN = ("wann", "quand", "cuándo", "cuando", "quando", "wanneer")
_WHICH_DAY = (
    "an welchem tag",
    "welches datum",
    "welchem datum",
    "quelle date",
    "quel jour",
    "qué día",
    "qué fecha",
    "que dia",
    "que data",
    "qual dia",
    "qual a data",
    "quale giorno",
    "che giorno",
    "welke dag",
    "welke datum",
)
# a day of the year: a date of birth anywhere, a birthday when the question ends with it (as in
# English: "cadeau anniversaire lucas" asks a gift)
_BIRTH_DATES = (
    "date de naissance",
    "geburtsdatum",
    "fecha de nacimiento",
    "data de nascimento",
    "data di nascita",
    "geboortedatum",
)
_BIRTHDAYS = ("geburtstag", "anniversaire", "cumpleaños", "aniversário", "compleanno", "verjaardag")
_TIMES = (
    "um wie viel uhr",
    "um wieviel uhr",
    "uhrzeit",
    "öffnungszeiten",
    "à quelle heure",
    "horaires",
    "horaire",
    "a qué hora",
    "horario",
    "a que horas",
    "horário",
    "a che ora",
    "orari",
    "orario",
    "hoe laat",
    "openingstijden",
)
_ADDRESSES = ("adresse", "anschrift", "wohnadresse", "dirección", "morada", "endereço", "indirizzo", "adres")
_MONEY = (
    "preis",
    "preise",
    "kosten",
    "kostet",
    "kostete",
    "gebühr",
    "gebühren",
    "miete",
    "kaltmiete",
    "warmmiete",
    "gehalt",
    "lohn",
    "honorar",
    "betrag",
    "prix",
    "coût",
    "coûte",
    "coûté",
    "tarif",
    "tarifs",
    "loyer",
    "salaire",
    "montant",
    "precio",
    "precios",
    "cuesta",
    "costó",
    "costo",
    "coste",
    "tarifa",
    "alquiler",
    "sueldo",
    "salario",
    "importe",
    "preço",
    "preços",
    "custa",
    "custou",
    "custo",
    "aluguel",
    "aluguer",
    "salário",
    "prezzo",
    "prezzi",
    "affitto",
    "stipendio",
    "importo",
    "prijs",
    "prijzen",
    "kostte",
    "huur",
    "salaris",
    "bedrag",
)
_HOW_MUCH = ("wie viel", "wieviel", "combien", "cuánto", "cuanto", "quanto", "hoeveel")
_SPENT = (
    "bezahlt",
    "gezahlt",
    "ausgegeben",
    "payé",
    "dépensé",
    "pagué",
    "pagamos",
    "gasté",
    "paguei",
    "pagámos",
    "gastei",
    "pagato",
    "speso",
    "betaald",
    "uitgegeven",
)

# the German numbers above written short: "Buchungsnr.", "Kundennr", "Rechnungs-Nr."
_SHORT_REFERENCES = r"(?:kunden|buchungs|rechnungs|vertrags|versicherungs|mitglieds|konto|auftrags|bestell|sendungs|"
_SHORT_REFERENCES += r"steuer|reservierungs)-?nr\b"

# Each form's wording in these languages, matched on the folded question (`asks`).
ASKS: dict[str, re.Pattern] = {
    name: re.compile(pattern)
    for name, pattern in {
        "email address": rf"\b(?:{_any(_EMAILS)})\b",
        "phone number": rf"\b(?:{_any(_PHONE_NUMBERS)})\b|^(?!.*\b(?:{_HOW_OR_WHY})\b).*\b(?:{_any(_PHONES)})"
        rf"(?:\s*(?:{_any(_NUMBER_WORDS)})\b\.?)?\s*[?.!]?\s*$",
        "time of day": rf"\b(?:{_any(_TIMES)})\b",
        "day of the year": rf"\b(?:{_any(_BIRTH_DATES)})\b|\b(?:{_any(_BIRTHDAYS)})\s*[?.!]?\s*$",
        # "when" opening the question, or ending a topic typed before it ("huitres retrait quand")
        "date": rf"(?:^|[.?!;:,¿]\s*)(?:(?:und|et|y|e|en)\s+)?(?:{_any(_WHEN)})\b|\b(?:{_any(_WHICH_DAY)})\b"
        rf"|\b(?:{_any(_WHEN)})\s*[?.!]?\s*$",
        "code or password": rf"^(?!.*\b(?:{_HOW_OR_WHY})\b).*\b(?:{_any(_CODES)})\b",
        "reference": rf"\b(?:{_any(_REFERENCES)}|{_SHORT_REFERENCES})\b",
        # not an email's address ("E-Mail-Adresse", "adresse mail", "dirección de correo")
        "postal address": rf"(?<![-\w])(?<!mail )(?:{_any(_ADDRESSES)})\b"
        r"(?!\s*(?:e-?mail|mail|electronique|de (?:correo|e-?mail)))",
        "amount of money": rf"\b(?:{_any(_MONEY)})\b|\b(?:{_any(_HOW_MUCH)})\b.{{0,40}}\b(?:{_any(_SPENT)})\b",
    }.items()
}
# Every word above that asks for a form rather than names what it is asked of.
FORM_WORDS = re.compile(
    rf"\b(?:{_any(_PHONE_NUMBERS + _PHONES + _NUMBER_WORDS + _EMAILS + _CODES + _REFERENCES + _WHEN)}"
    rf"|{_any(_WHICH_DAY + _BIRTH_DATES + _BIRTHDAYS + _TIMES + _ADDRESSES + _MONEY + _HOW_MUCH + _SPENT)}"
    rf"|{_SHORT_REFERENCES})\b"
)


def asks(form: str, folded: str) -> bool:
    """Whether a question (`folded`, as `fold` gives it) asks for `form` (a key of `ASKS`) in one of
    these languages."""
    pattern = ASKS.get(form)
    return pattern is not None and pattern.search(folded) is not None
