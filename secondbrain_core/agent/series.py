"""Notes and rows in a series: numbered or dated alike (pure, no model).

"jasper week 8 check-in notes" over "Preceptee Jasper – week 2", "– week 4", "– week 6" asks of a
week the notes do not record, though week 6's text mentions week 8 and its sentences match; "notes
from 1:1 with priya on 3 dec" over the one note "1-1 Priya – 19 Nov 2026" asks of a meeting that
has no note; "what did hollis say about ch 1" over passages that speak of "ch. 3–4" and "ch. 3 +
ch. 4" asks of a chapter they never name, "takings w/e 12/04" over rows of other weeks of a week
with no row, "jan 2027 practice meeting" over meetings of Oct–Dec of a month with no note, and
"quote C" over quotes A and B of a quote that does not exist. As a question naming a year no note
is titled with (`evidence.named_for_another_year`), such a question is declined whatever the
support.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from secondbrain_core.agent.dates import YEAR, days_named, months_held, named_months, year_spans, years_held
from secondbrain_core.agent.evidence import (
    QUESTION_WORDS,
    STOPWORDS,
    Candidate,
    Passage,
    first_chunks,
    stem,
    terms,
    unlinked,
)
from secondbrain_core.agent.question_forms import items_named
from secondbrain_core.agent.records import tables
from secondbrain_core.rag.keyword import CALENDAR, MONTHS

# a word and the number it is numbered with: "week 6", "Sprint #14", "KW 47", "ch. 3", and a
# range of them ("ch. 3–4"); not "3.07", "6/10", "v1.2"
_NUMBERED = re.compile(r"\b([^\W\d_]{2,})\.?\s*[-–#]?\s*(\d{1,3})(?:\s?[-–]\s?(\d{1,3}))?(?![\w.,:/])")
_MAX_RANGE = 20  # "ch. 3–4", "weeks 2-6"; a wider span is no range of names ("score 6-40")
_MONTHS = frozenset(CALENDAR.values())
_MONTH_NAMES = [CALENDAR[name] for name in MONTHS]
_OTHER_DAYS = 2  # a day the passages never write is another's when they write this many others
_OTHER_YEARS = 1  # a year nothing found writes is another's when the passages write this many others
_LONE_YEAR = re.compile(r"(?<![\d/.\-–])\b(?:19|20)\d{2}\b(?![/.\-–]\d)")  # "afb levy 2026", not "15/09/2026"
# a word and the capital letter a title letters it with ("Quote A", "Site B"); a question may type
# the letter small, but never "a" or "i", which are words
_THE_OTHER = re.compile(r"\b(?:the|that) other\b|\bother one\b", re.I)  # "what about the other quote"
_LETTERED = re.compile(r"\b([^\W\d_]{2,})\s+([A-Z])\b")
_NO_WORD_LETTER = "[b-hj-zB-HJ-Z]"
_ASKED_LETTER = re.compile(rf"\b([^\W\d_]{{2,}})\s+({_NO_WORD_LETTER})\b")
# the same, where "A" and "I" are letters too, as capitals only ("loan estimate A APR")
_LETTER_NAMED = re.compile(rf"\b([^\W\d_]{{2,}})\s+({_NO_WORD_LETTER}|[AI])\b")
# any letter ending the question, "a" too: "warranty on quote a"
_LAST_LETTER = re.compile(r"\b([^\W\d_]{2,})\s+([a-zA-Z])\W*$")
_ONE_WORD = re.compile(r"[^\W\d_]{2,}")  # a column header that names what its cells number


def _numbered(text: str) -> set[tuple[str, int]]:
    """The (word, number) names `text` writes, the word stemmed in its long form ("ch" → chapter);
    a function word names nothing ("at 52%", "or 4")."""
    named = set()
    for word, first, last in _NUMBERED.findall(text):
        lowered = word.lower()
        if lowered in STOPWORDS or lowered in QUESTION_WORDS:
            continue
        key = stem(lowered)  # stem writes shorthand out: "ch" is "chapter"
        start = int(first)
        end = int(last) if last and start < int(last) <= start + _MAX_RANGE else start
        named.update((key, number) for number in range(start, end + 1))
    return named


def _words(title: str) -> set[str]:
    """A title's terms without its numbers and months: what names the series."""
    return {t for t in terms(re.sub(r"\d+", " ", title)) if t not in _MONTHS}


def named_in_series(question: str, titles: Sequence[str]) -> str | None:
    """What a title says its note is for ("week 6", "19 Nov 2026", "Dec", "quote B") when the
    question names that note's series by a word of its title but another number, day, month or
    letter, and no title has the one asked; else None."""
    asked = set(terms(question))
    held = set().union(*map(_numbered, titles))
    for word, number in _numbered(question) - held:
        for title in titles:
            others = [n for w, n in _numbered(title) if w == word and n != number]
            if others and (_words(title) - {word}) & asked:
                return f"{word} {others[0]}"
    days = days_named(question)
    months = set() if days else set(named_months(question).values())
    for title in titles:
        words = _words(title)
        if not words or not words <= asked:
            continue
        # a note of another series dated as asked is no note of this one: "march 2026 payout" over
        # "Payout – January 2026" and "March 2026 – weekly intake summary"
        series = [other for other in titles if words <= _words(other)]
        if days and days_named(title) and not any(days & days_named(other) for other in series):
            return title
        if months and months_held(title) and not any(months & months_held(other) for other in series):
            return title
    return _lettered_otherwise(question, titles)


def _lettered_otherwise(question: str, titles: Sequence[str]) -> str | None:
    """ "quote C for the ultrasound" over notes titled "Ultrasound quote A – …" and "… quote B …":
    the letter asked where at least two titles letter that word otherwise and none with it."""
    held = set().union(*map(_letters, titles))
    for word, letter in _ASKED_LETTER.findall(question):
        key, letter = stem(word.lower()), letter.upper()
        others = sorted(other for w, other in held if w == key)
        if letter not in others and len(others) >= 2:
            return f"{word.lower()} {others[0]}"
    return None


def _letters(title: str) -> set[tuple[str, str]]:
    """The (stemmed word, capital letter) names a title letters: "Ultrasound quote A" → ("quot", "A");
    a word it letters twice names no one note: "Engine rebuild – decision (Quote A vs Quote B)"
    weighs both quotes."""
    named = [(stem(word.lower()), letter) for word, letter in _LETTERED.findall(title)]
    words = [word for word, _ in named]
    return {(word, letter) for word, letter in named if words.count(word) == 1}


def _numbered_in_tables(text: str) -> set[tuple[str, int]]:
    """The (word, number) names a table's column gives its rows: a column headed "Year" whose
    cells are 1, 2, 3 names "year 1", "year 2", "year 3"."""
    named = set()
    for header, rows in tables(text):
        for column, head in enumerate(header):
            if not _ONE_WORD.fullmatch(head):
                continue
            key = stem(head.lower())
            named.update((key, int(row[column])) for row in rows if column < len(row) and row[column].isdigit())
    return named


def lettered_note(question: str, candidates: Sequence[Candidate]) -> Candidate | None:
    """The note titled with the letter the question names a word by, among notes that letter it
    otherwise: "loan estimate A APR" picks "Loan estimate A – Summitline" over "Loan estimate B –
    Lodgepole", whose sentences match as well; the letters "a" and "i" are no terms, so this is
    read apart from `evidence.named_among_alike`, and small only where they end the question
    ("warranty on quote a"). None unless at least two letters are found."""
    pages = first_chunks(candidates)
    letters = {c.page_id: _letters(c.title) for c in pages}
    for key, letter in sorted(_asked_letters(question)):
        found = {other for held in letters.values() for w, other in held if w == key}
        if letter in found and len(found) >= 2:
            return next(c for c in pages if (key, letter) in letters[c.page_id])
    return None


def the_other_lettered(question: str, query: str, candidates: Sequence[Candidate]) -> Candidate | None:
    """The note lettered otherwise than the one the conversation named, when the follow-up asks of
    "the other" and the notes found letter that word with two letters only: "what about the other
    quote" after "quote A console price" asks of Quote B (`query`: the follow-up with the question
    it follows), and "the delivery time on the other one" after "pennine ultrasound quote price" of
    the quote whose title does not name Pennine."""
    if not _THE_OTHER.search(question):
        return None
    pages = first_chunks(candidates)
    letters = {c.page_id: _letters(c.title) for c in pages}
    asked = set(terms(query))
    for key in sorted({w for held in letters.values() for w, _ in held} & asked):
        lettered = {other: c for c in pages for w, other in letters[c.page_id] if w == key}
        if len(lettered) != 2:
            continue
        named = {letter for key_asked, letter in _asked_letters(query) if key_asked == key} & lettered.keys()
        if not named:  # "pennine ultrasound quote price" names quote A by its supplier
            shared = {letter: len(set(terms(c.title)) & asked) for letter, c in lettered.items()}
            named = {max(shared, key=shared.get)} if len(set(shared.values())) == 2 else set()
        if len(named) == 1:
            (other,) = lettered.keys() - named
            return lettered[other]
    return None


def dated_in_month(question: str, candidates: Sequence[Candidate]) -> Candidate | None:
    """The note dated in the month the question names, among notes found titled alike but for
    their dates, when no other of them is dated that month: "and after the february check?" over
    "GL-05 – Rope B – inspection 2025-11-12" and "GL-08 – Rope B – inspection 2026-02-18". A
    question naming a day is read by `evidence.named_among_alike`."""
    months = set(named_months(question).values())
    if not months or days_named(question):
        return None
    dated = [(c, {month for _, month in days_named(c.title)}) for c in first_chunks(candidates)]
    dated = [(c, held) for c, held in dated if held]
    for candidate, held in dated:
        words = _words(candidate.title)
        series = [other for c, other in dated if c.page_id != candidate.page_id and _words(c.title) == words]
        if held & months and series and not any(other & months for other in series):
            return candidate
    return None


def titled_as_asked(question: str, title: str) -> bool:
    """Whether `title` names its note by a day the question names or by the letter the question
    gives a word of it: "crampons on, 7/2/2026" and "Trip log – CMD Arête – 2026-02-07", "quote A
    total" and "Quote A – engine rebuild – Hirtle Marine Diesel"."""
    days = days_named(question)
    if days:
        return bool(days & days_named(title))
    return bool(_asked_letters(question) & _letters(title))


def names_by_title(question: str) -> bool:
    """Whether the question names a note by a day or a lettered word (`titled_as_asked`)."""
    return bool(days_named(question) or _asked_letters(question))


def _asked_letters(question: str) -> set[tuple[str, str]]:
    """The (stemmed word, capital letter) names a question gives ("quote A", "warranty on quote a")."""
    named = _LETTER_NAMED.findall(question) + _LAST_LETTER.findall(question)
    return {(stem(word.lower()), letter.upper()) for word, letter in named}


def days_as_titled(question: str) -> str:
    """The days the question names as titles number them ("7/2/2026" → "02 07 feb", both
    readings): words for a keyword search to find a note titled "… 2026-02-07" by."""
    return " ".join(f"{month:02d} {day:02d} {_MONTH_NAMES[month - 1]}" for day, month in sorted(days_named(question)))


def naming_the_numbered(question: str, candidates: Sequence[Candidate]) -> set[int]:
    """The ranks of the candidates that name every numbered thing the question names ("tank 7"),
    in their title, heading or text, when some candidates found do and others do not; else an
    empty set. "when was tank 7 dry" over the ferment logs of tanks 7 and 12, the tank register
    and a harvest day asks of tank 7's, though tank 12's "dry" row scores as well."""
    naming = {c.rank for c in candidates if names_numbered(question, f"{c.title}\n{c.heading}\n{c.text}")}
    return naming if len(naming) < len(candidates) else set()


def names_numbered(question: str, text: str) -> bool:
    """Whether the question names numbered things ("tank 12", "week 6"; not a day: "friday 27")
    and `text` names them all, in a table's column too ("| 5 |" under "Year" is year 5), not in a
    link: a section page's "[Ferment log – Tank 12](…)" says nothing of tank 12."""
    asked = {(word, number) for word, number in _numbered(question) if word not in _MONTHS}
    own = unlinked(text)
    return bool(asked) and asked <= _numbered(own) | _numbered_in_tables(own)


def _listed_item(text: str, number: int) -> bool:
    """Whether `text` has a list item numbered `number` ("4. Patch the stagebox", "4) …")."""
    return re.search(rf"(?m)^\s*{number}[.)]\s", text) is not None


def numbered_otherwise(question: str, holdings: str, searched: str) -> str | None:
    """The name a passage gives the thing the question numbers ("ch. 3") when the question asks
    of one numbered otherwise ("ch 1") that the passages (`holdings`: their text, titles and
    headings) never name, nor a table column of the chunks found (`searched`: "| 4 |" under
    "Year" is year 4), nor a numbered list's item ("step 4": "4. Patch the stagebox"); else None.
    A month is no such word ("oct 24" is a day)."""
    held = _numbered(holdings) | _numbered_in_tables(searched)
    listed = {number for number in items_named(question) if _listed_item(f"{holdings}\n{searched}", number)}
    for word, number in _numbered(question) - held:
        if number in listed:
            continue  # "line check routine step 4" over a procedure's "4. Patch the stagebox …"
        others = sorted(n for w, n in held if w == word)
        if others and word not in _MONTHS:
            return f"{word} {others[0]}"
    return None


def dated_otherwise(question: str, holdings: str, searched: str) -> str | None:
    """A day the passages (`holdings`) write when the question names days that nothing found
    (`searched`: every chunk found, with its title) writes and the passages write at least two
    others: "takings w/e 12/04" over a table of weeks ending 05/04 and 19/04 asks of a week with no
    row, however well the other rows match; else None."""
    asked = days_named(question)
    held = days_named(holdings)
    if not asked or asked & days_named(searched) or len(held) < _OTHER_DAYS:
        return None
    day, month = min(held, key=lambda pair: (pair[1], pair[0]))
    return f"{day}/{month}"


def year_otherwise(question: str, holdings: str, searched: str) -> str | None:
    """A year the passages (`holdings`) write when the question names years that nothing found
    (`searched`: every chunk found, with its title) writes, spans included: "cpd hours 2023" over
    "CPD log 2024–2026" and a course's "10 CPD hours" asks of a year the notes do not record; a
    span asked ("2023-24") that nothing found writes where the passages write others; else None."""
    spans, held_spans = year_spans(question), year_spans(holdings)
    if spans and held_spans and not spans & year_spans(searched):
        # a season or tax year asked is written as one: "insurance premium 2023-24" over the
        # premiums of 2025-26 and 2024-25 asks of a year the notes do not record, though a crew
        # row found says someone joined in 2023
        start, end = min(held_spans, key=lambda span: (abs(span[0] - min(spans)[0]), span))
        return f"{start}-{end % 100:02d}"
    asked = {int(year) for year in YEAR.findall(question)}
    held = years_held(holdings)
    if not asked or asked & years_held(searched) or len(held) < _OTHER_YEARS:
        return None
    return str(min(held, key=lambda year: (abs(year - min(asked)), year)))


def year_stated_otherwise(
    question: str, passages: Sequence[Passage], stated: Callable[[Passage], list[str]]
) -> int | None:
    """A year the passages' statements of the thing asked (`stated`: `evidence.stating`) write
    when the question names a year alone that none of them writes, nor a title, heading or opening
    field of their notes: "afb levy 2026" over "AFB levy 2025: $407.53, paid 28/07/2025" asks of a levy
    the notes do not record, though a site's "Last AFB check: 14/01/2026" was found with it. A
    statement that writes no year is of the year its note is about, which may be the one asked."""
    asked = {int(year) for year in _LONE_YEAR.findall(question)}
    if not asked or year_spans(question):
        return None
    said: set[int] = set()
    for passage in passages:
        statements = stated(passage)
        candidate = passage.candidate
        if statements and asked & years_held(f"{candidate.title}\n{candidate.heading}\n{candidate.lead}"):
            return None
        for statement in statements:
            years = years_held(statement)
            if not years or asked & years:
                return None
            said |= years
    return min(said, key=lambda year: (abs(year - min(asked)), year)) if said else None
