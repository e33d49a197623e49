"""Days of the year as people write them, in a question or a note (pure, no model).

"When is Ben's wedding?" wants a day; "what did we talk about in the january 1-1?" names a month
that a note about the December 1-1 does not hold. Notes write days in many ways ("Wed 19 Nov",
"2025-11-19", "19/11", "November 19th", "ottobre"), so a month is compared by its number.
"""

from __future__ import annotations

import re

from secondbrain_core.rag.keyword import MONTHS, plain

# Month names as notes in the other common languages write them, January first.
_OTHER_LANGUAGE_MONTHS = (
    ("januar", "janvier", "gennaio", "enero", "janeiro", "januari"),
    ("februar", "février", "febbraio", "febrero", "fevereiro", "februari"),
    ("märz", "mars", "marzo", "março", "maart"),
    ("avril", "aprile", "abril"),
    ("mai", "maggio", "mayo", "maio", "mei"),
    ("juni", "juin", "giugno", "junio", "junho"),
    ("juli", "juillet", "luglio", "julio", "julho"),
    ("août", "agosto", "augustus"),
    ("septembre", "settembre", "septiembre", "setembro"),
    ("oktober", "octobre", "ottobre", "octubre", "outubro"),
    ("novembre", "noviembre", "novembro"),
    ("dezember", "décembre", "dicembre", "diciembre", "dezembro"),
)
# each month (1–12) by its names in English and the other languages, also as typed without their
# accents ("31 decembre", "fevrier", "marco")
_MONTHS = {
    n: tuple(dict.fromkeys((english, *others, *map(plain, others))))
    for n, (english, others) in enumerate(zip(MONTHS, _OTHER_LANGUAGE_MONTHS, strict=True), 1)
}
_ABBREVIATIONS = tuple(english[:3] for english in MONTHS)
# Month names that are everyday words too ("may I", "march on", "mars"): a month only next to a day.
_EVERYDAY = frozenset({"may", "march", "mai", "mars", "mei", "marco"})
_NAMES = frozenset(name for names in _MONTHS.values() for name in names) - _EVERYDAY
# a month named by its abbreviation alone ("mp2 feb ref number"), unless the abbreviation is a word
# too ("mar", "may") or a first name ("jan"); `months_asked`
_ABBREVIATED_ALONE = frozenset({"feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
_EVERYDAY_MONTH = re.compile(
    rf"\b(?:the|in|of|after|before|since|until|till|by|last|next|this|early|late|mid|from|during)\s+"
    rf"({'|'.join(sorted(_EVERYDAY))})\b",
    re.I,
)
_MONTH_OF = (
    {name: month for month, names in _MONTHS.items() for name in names}
    | {abbreviation: month for month, abbreviation in enumerate(_ABBREVIATIONS, 1)}
    | {"sept": 9}
)
_ENGLISH = frozenset(MONTHS) | frozenset(_ABBREVIATIONS) | {"sept"}
_ANY_MONTH = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_MONTH_AND_YEAR = re.compile(rf"\b({_ANY_MONTH})\.?\s+(?:19|20)\d{{2}}\b", re.I)  # "jan 2027", "may 2026"
_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_DAY_AND_MONTH = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s*(?:of\s+)?({_ANY_MONTH})\b\.?"
    rf"|\b({_ANY_MONTH})\b\.?\s*\d{{1,2}}(?:st|nd|rd|th)?\b",
    re.I,
)
# year first as ISO and South African notes write it ("2026-11-19", "2026/02/22"), day or month first
# ("03/04", "08.10.2026", and with dashes and a whole year, "23-03-2026")
_NUMERIC_DATE = re.compile(
    r"\b\d{4}[-/](\d{1,2})[-/]\d{1,2}\b|\b(\d{1,2})[/.](\d{1,2})[/.]\d{2,4}\b|\b(\d{1,2})-(\d{1,2})-\d{4}\b"
    r"|\b(\d{1,2})/(\d{1,2})\b"
)
# A day and month with a dot and no year, as European notes write them ("Sáb 14.11", "paid 20.11"):
# the month in two digits, and no unit, currency or further digits after it ("3.05 kg" is a weight).
_DOTTED_DAY = re.compile(
    r"(?<![\d.,])(?:[1-9]|[012]\d|3[01])\.(0[1-9]|1[0-2])"
    r"(?![\d,]|\.\d|\s?(?:%|€|\$|£|(?:kg|g|km|m|cm|mm|l|ml|h|min|s|bar|nm|eur|usd|x)\b))"
)
# what a room, a section or a version is numbered after: "room 3.07" is no day
_NUMBERED = re.compile(
    r"\b(?:room|raum|salle|sala|section|chapter|version|v|step|page|fig|table|no|nr|nº)\.?\s*$", re.I
)
# Months abbreviated in the other languages, read as months next to a day or a year only
# ("Análises leite – Out 2026", "12 dic"): alone, "out", "set" and "ago" are other words.
_OTHER_ABBREVIATIONS = {
    "janv": 1,
    "ene": 1,
    "gen": 1,
    "fev": 2,
    "févr": 2,
    "fevr": 2,
    "mär": 3,
    "mrt": 3,
    "avr": 4,
    "abr": 4,
    "mag": 5,
    "giu": 6,
    "juil": 7,
    "lug": 7,
    "ago": 8,
    "set": 9,
    "out": 10,
    "okt": 10,
    "ott": 10,
    "dez": 12,
    "déc": 12,
    "dic": 12,
}
_ABBREVIATION_BY_A_NUMBER = re.compile(
    rf"\b({'|'.join(_OTHER_ABBREVIATIONS)})\.?\s+(?:\d{{4}}|\d{{1,2}}\b)|\b\d{{1,2}}\.?\s+({'|'.join(_OTHER_ABBREVIATIONS)})\b",
    re.I,
)
# The same abbreviations with their period, read as months alone ("RDV cardio Maman (janv.)"), those
# that are no English word with a period after it ("set.", "out.", "ago.", "mag.", "gen.").
_ABBREVIATION_WITH_A_PERIOD = re.compile(
    rf"\b({'|'.join(a for a in _OTHER_ABBREVIATIONS if a not in {'set', 'out', 'ago', 'mag', 'gen'})})\.",
    re.I,
)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MAX_YEAR_SPAN = 20  # "2020–2026" is a span of years; "2026-2104" no span
# a span of years ("2024–2026", "2025-26", "2025/26"), the second year in full or by its last two digits
_YEAR_SPAN = re.compile(r"\b((?:19|20)\d{2})\s?[–/-]\s?((?:19|20)?\d{2})\b")
# a year by its last two digits in a date or after an apostrophe or FY: "12/04/26", "Oct '26", "FY25"
_SHORT_YEAR = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.](\d{2})\b|['’](\d{2})\b|\bFY\s?(\d{2})\b", re.I)
# Weekdays and days relative to today as the other languages write them, Monday first, then today,
# tomorrow, yesterday ("morgen" is tomorrow in German and Dutch); abbreviations ("Di", "So", "Dom")
# are other words too and left out.
_OTHER_LANGUAGE_DAYS = (
    "montag dienstag mittwoch donnerstag freitag samstag sonntag heute morgen gestern täglich wöchentlich "
    "lundi mardi mercredi jeudi vendredi samedi dimanche aujourd'hui demain "
    "lunes martes miércoles jueves viernes sábado domingo hoy mañana ayer "
    "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira hoje amanhã ontem "
    "lunedì martedì mercoledì giovedì venerdì sabato domenica oggi domani ieri "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag vandaag gisteren"
)
# A time of day: "7:15", "7.15", "7pm", "19 Uhr", "noon", "10–4", and the 24-hour clock without a
# colon ("0715", "1930", "0715–1930") that shift workers write, though not 1900–2059 alone ("2026").
TIME_OF_DAY = (
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.|h|uhr)\b|\b(?:noon|midnight)\b"
    r"|\b\d{1,2}\s*[–-]\s*\d{1,2}\b|\b(?:[01]\d|2[0-3])[0-5]\d\s*[–-]\s*(?:[01]\d|2[0-3])[0-5]\d\b"
    r"|\b(?:0\d|1[0-8]|2[1-3])[0-5]\d\b(?!\s*(?:[-/.]\d|%))"
)
# A day as notes write it: a month (by name, or abbreviated as a name or next to a day), a
# weekday, a year, an ordinal day, a numeric date, a day relative to today or a recurrence, or a
# time of day.
DAY_OF_YEAR = (
    rf"(?i:\b(?:{'|'.join(sorted(_NAMES))})\b)|\b(?:{'|'.join(a.title() for a in _ABBREVIATIONS)}|Sept|March)\b"
    rf"|(?i:{_DAY_AND_MONTH.pattern})|{_NUMERIC_DATE.pattern}"
)
DATE_SHAPE = re.compile(
    rf"{DAY_OF_YEAR}"
    r"|(?i:\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b)|\b(?:Mon|Tues?|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b"
    r"|\b(?:19|20)\d{2}\b|\b\d{1,2}(?:st|nd|rd|th)\b"
    r"|(?i:\b(?:today|tonight|tomorrow|yesterday|weekends?|every|daily|weekly|monthly|yearly|annually)\b)"
    rf"|(?i:\b(?:{'|'.join(re.escape(d) for day in _OTHER_LANGUAGE_DAYS.split() for d in {day, plain(day)})})(?!\w))"
    rf"|(?i:{TIME_OF_DAY})"
)


def named_months(text: str) -> dict[str, int]:
    """The months a question names ("the january 1-1", "sales 23 nov"), as written → month: a
    month's name, or an abbreviation or everyday word ("may") only next to a day or a year or
    after a word that makes it one ("the may repayment", "in march", "jan 2027"; not "may I",
    "march on")."""
    named = {m.group(): _MONTH_OF[m.group().lower()] for m in _WORD.finditer(text) if m.group().lower() in _NAMES}
    named.update({m.group(1): _MONTH_OF[m.group(1).lower()] for m in _EVERYDAY_MONTH.finditer(text)})
    named.update({m.group(1): _MONTH_OF[m.group(1).lower()] for m in _MONTH_AND_YEAR.finditer(text)})
    for match in _DAY_AND_MONTH.finditer(text):
        word = match.group(1) or match.group(2)
        named[word] = _MONTH_OF[word.lower()]
    return named


def months_asked(question: str) -> set[int]:
    """The months a question names (`named_months`), an abbreviation alone too ("mp2 feb ref
    number"): read only where the passages stating the form asked must be of the month, since
    "feb" alone may also be a note's kind of date its passages never write ("how did zaleha pay
    for the feb aircond" of job card "JC-2602-019")."""
    alone = {_MONTH_OF[w.lower()] for w in _WORD.findall(question) if w.lower() in _ABBREVIATED_ALONE}
    return set(named_months(question).values()) | alone


def month_words(text: str, everyday: bool = False) -> list[str]:
    """The words of `text` that name a month by a name or an abbreviation ("sept", "outubro"),
    everyday words ("may", "march") left out unless `everyday`: what a follow-up naming its own
    month replaces."""
    return [w for w in _WORD.findall(text) if w.lower() in _MONTH_OF and (everyday or w.lower() not in _EVERYDAY)]


def months_held(text: str) -> set[int]:
    """The months (1–12) a note's text holds: by name or abbreviation in any case, or in a numeric
    date (both readings of "03/04")."""
    held = {_MONTH_OF[w.lower()] for w in _WORD.findall(text) if w.lower() in _MONTH_OF}
    return held | _months_written_otherwise(text)


def _months_written_otherwise(text: str) -> set[int]:
    """The months `text` holds in a numeric date (both readings of "03/04"; day first with dots,
    "08.10.2026"), a day and month with a dot ("14.11") or another language's abbreviation by a
    number ("Out 2026")."""
    held = {month for _, month in _days_in_numbers(text)}
    for match in _ABBREVIATION_BY_A_NUMBER.finditer(text):
        held.add(_OTHER_ABBREVIATIONS[(match.group(1) or match.group(2)).lower()])
    held.update(_OTHER_ABBREVIATIONS[m.group(1).lower()] for m in _ABBREVIATION_WITH_A_PERIOD.finditer(text))
    return held


def month_terms(text: str) -> list[str]:
    """The short English names ("oct") of the months `text` writes other than by an English name:
    "how much was the october vet visit" asks of the note "Vet visit – 08.10.2026", "protein in
    october" of "Análises leite – Out 2026", "ottobre" is October."""
    other = {_MONTH_OF[w.lower()] for w in _WORD.findall(text) if w.lower() in _MONTH_OF and w.lower() not in _ENGLISH}
    return [MONTHS[month - 1][:3] for month in sorted(other | _months_written_otherwise(text))]


def opens_with_month(text: str) -> bool:
    """Whether `text` starts with a month's name: after "15." it is a date ("fällig bis 15. Oktober
    2024"), not a new sentence."""
    first = _WORD.match(text.lstrip())
    return bool(first) and first.group().lower() in _MONTH_OF


def _days_in_numbers(text: str) -> set[tuple[int, int]]:
    """The (day, month) pairs `text` writes in numbers, months 1–12: a numeric date (both readings
    of "03/04"; day first with dots, "08.10.2026"; year first, "2026-11-19") or a day and month with
    a dot ("14.11"; not "room 3.07")."""
    days = set()
    for match in _NUMERIC_DATE.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d+", match.group())]
        if match.group(1):  # year first
            days.add((numbers[2], numbers[1]))
        elif "." in match.group():  # day first
            days.add((numbers[0], numbers[1]))
        else:
            days.update({(numbers[0], numbers[1]), (numbers[1], numbers[0])})
    dotted = (m for m in _DOTTED_DAY.finditer(text) if not _NUMBERED.search(text, 0, m.start()))
    days.update((int(m.group().split(".")[0]), int(m.group(1))) for m in dotted)
    return {(day, month) for day, month in days if 1 <= month <= 12}


def days_named(text: str) -> set[tuple[int, int]]:
    """The (day, month) pairs `text` writes: "3 Dec", "Nov 3rd", "14.11", "2026-11-19", "jeu. 24
    déc.", and both readings of "03/04"."""
    days = _days_in_numbers(text)
    for match in _DAY_AND_MONTH.finditer(text):
        day = re.search(r"\d{1,2}", match.group())
        days.add((int(day.group()), _MONTH_OF[(match.group(1) or match.group(2)).lower()]))
    for match in _ABBREVIATION_BY_A_NUMBER.finditer(text):
        day = re.search(r"(?<!\d)\d{1,2}(?!\d)", match.group())  # "Out 2026" names a month, no day
        if day:
            days.add((int(day.group()), _OTHER_ABBREVIATIONS[(match.group(1) or match.group(2)).lower()]))
    return {(day, month) for day, month in days if 1 <= day <= 31}


def years_held(text: str) -> set[int]:
    """The years `text` writes: in full ("2026", "24/11/2026"), by their last two digits in a date
    or after an apostrophe or FY ("12/04/26", "Oct '26", "FY25"), and each year of a span ("CPD log
    2024–2026" holds 2025; "2025-26" and "2025/26" hold 2025 and 2026)."""
    years = {int(y) for y in YEAR.findall(text)}
    years.update(2000 + int(next(filter(None, m.groups()))) for m in _SHORT_YEAR.finditer(text))
    for start, end in year_spans(text):
        years.update(range(start, end + 1))
    return years


def year_spans(text: str) -> set[tuple[int, int]]:
    """The spans of years `text` writes, first and last year: "2025-26", "2025/26" and "2024–2026"
    (a season, a tax year, a log's years)."""
    spans = set()
    for first, last in _YEAR_SPAN.findall(text):
        start, end = int(first), int(last) if len(last) == 4 else int(first[:2] + last)
        if start < end <= start + _MAX_YEAR_SPAN:
            spans.add((start, end))
    return spans
