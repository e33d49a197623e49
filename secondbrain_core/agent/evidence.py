"""Pure evidence handling: split retrieved chunks into units, score them, pick passages, cite.

A 135M model cannot be trusted to state facts, so the local answer is built from the notes'
own words: the chunks a search returned are cut into units (sentences, list items, table rows,
code blocks) at their exact character spans, each unit is scored against the question by
IDF-weighted term coverage and embedding similarity, and the best units, with the neighbours
that complete them, become numbered passages. Every passage is a span of a chunk's text, so a
citation can only point at words the page really holds.

Nothing here does I/O: term statistics and unit vectors come in as arguments.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from secondbrain_core.agent.acronyms import initials
from secondbrain_core.agent.dates import YEAR, days_named, month_terms, opens_with_month
from secondbrain_core.agent.irregular import IRREGULAR
from secondbrain_core.agent.money import CURRENCY, SIGNS
from secondbrain_core.agent.question_forms import MEASURES, answer_shape, form_shape, items_named
from secondbrain_core.agent.shorthand import SHORTHAND
from secondbrain_core.rag.chunking import TABLE_SEPARATOR  # possessive: linear on a long run of spaces
from secondbrain_core.rag.keyword import CALENDAR, plain

_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
_CLIPPED_FROM = 5  # a name this long or longer may be typed clipped
_CLIPPED_TO = 3  # to its first letters, this many at least
_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th)")
_ZERO_PADDED = re.compile(r"0\d")
_HYPHENED_QUANTITY = re.compile(r"\b\d+-([^\W\d_]{2,})")  # "28-day", "3-month"
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_GLUED_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)(am|pm|hrs?|h|mins?|secs?|s|kg|g|km|k|m|cm|mm|ml|l|gb|mb|kb)\b")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
# a property of a record, as a database row's page lists them: "- **Ordered:** 03.03.2026"
PROPERTY = re.compile(r"^\s*[-*+]\s+\*\*([^*\n]+)(?::\*\*|\*\*:)")  # its name is group 1
_FIELD_NAME = re.compile(r"^\s*(?:[-*+]\s+)?\*\*[^*\n]+(?::\*\*|\*\*:)")
_OPENING_QUOTE = re.compile(r'(?:^|[\s(\[>])"')
_SIGN = re.compile(f"[{re.escape(SIGNS)}]")  # a row's label prices its cells by a sign only ("Average $/lb")
_PLAIN_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# a word the notes never write that their words may abbreviate ("cpm" for "Cost per mile")
_ABBREVIATED = re.compile(r"[^\W\d_]{3,5}")
_ENUMERATED = re.compile(r"^\s*(\d{1,2})[.)]\s")  # an item of a numbered list, its number
# a line of a paragraph that opens with a bold label, as notes list a record's fields without list
# marks ("**Warranty:** 12 months, parts & labour" under "**Price:** £24,950"): one field a line
_LABELLED_LINE = re.compile(r"^\s*\*\*[^*\n]{1,60}(?::\*\*|\*\*:)\s*\S")
# "how old is jessamy" asks her age: a row writes "Age: 45", never "old"
_HOW_MEASURED = re.compile(rf"\bhow ({'|'.join(MEASURES)})\b")
# "how long in brine", "how often do we log": the word after "how" asks for a span or a rate, which
# a note writes as "3 days" or "every 3 weeks", never as "long" or "often"
_HOW_ASKED = re.compile(r"\bhow (?:long|often|fast|soon|quickly|frequently)\b")
# a value in degrees is a temperature: "focaccia bake temp" is answered by "240 °C", which never
# says "temp"
_DEGREES = re.compile(r"\d\s?°|\d\s?(?:degrees|deg)\b", re.I)
_ICON = re.compile(r"^[^\w\"'“(\[]+")  # a page icon before a title: "📖 Story bible"
# bold as Markdown writes it: an answer reads "Age: 67" where the row's page has "**Age:** 67"
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
# A sentence ends at . ! ? followed by space and a likely sentence start; common abbreviations
# ("e.g.", "i.e.", "etc.", "vs.") do not end one.
_SENTENCE_END = re.compile(r"(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!vs\.)(?<=[.!?])\s+(?=[A-Z0-9\"'(\[`*_])")
# What a period ends without ending a sentence: a title, unit or initial ("Dr. Weber", "Er. Vivek
# Ranade", "approx. 3 km", "Tel. 089 4520-3341", "Hauptstr. 5", "Ursula K. Le Guin") and a list's
# enumerator ("1. Standup" is one item, not the units "1." and "Standup").
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:(?i:dr|dra|mr|mrs|ms|st|prof|er|adv|smt|capt|jr|sr|sra|srta|nr|approx|ca|fig|vol|inc|ltd|co|dept|mt|ft|z\.b|bzw|usw|ggf|evtl|mme|mlle|dott|sig|ing|eng|arq|lic|fr|tel|tél|tfno|str|abt)|[A-Z])\.$"
)
_DAY_NUMBER = re.compile(r"\b\d{1,2}\.$")  # "15." before a month's name: a date in German, Dutch…
# "Account no. MCS-40718", "ch. 3", "pp. 12–14", "b. 09/02/2010" (born): before a code or number,
# such a word is no sentence's end
_NUMBER_SIGN = re.compile(r"\b(?i:no|nos|ch|chap|p|pp|pg|sec|para|art|ep|b|d)\.$")
# "no." or "nr" before a code or number says "number": "Volunteer no. **V-0318**", "Registo AL nº 98417"
_NUMBER_BEFORE_CODE = re.compile(r"\b(?:no\.|nr\.?|nº|n°)\s*(?=[*_`#]*[\w-]*\d)", re.I)
_CODE = re.compile(r"[*_`]*[\w#-]*\d")  # "no. **V-0318**": emphasis may wrap the code
_ENUMERATOR = re.compile(r"^\W*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]$")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
# A heading that says more than a name: a remark of a number or words in brackets, or after a colon
_REMARK = re.compile(r"\S\s*\((?=[^)]*(?:\d|\w\W+\w))[^)]*\)|\w:\s+\S")
# A line that names what the list below it is about: bold alone or with a remark after a dash or
# in brackets ("**Lee Valley Trees** (Macroom)"), or a few words and a colon
_LABEL = re.compile(r"^\s*(?:\*\*[^*\n]+\*\*(?::|(?:\s+[–—(-][^\n]*)?)|[^\s|#>*+\-][^\n]{0,60}:)\s*$")
# a link to a page of the workspace: Notion's own address, or the export's relative file path
_PAGE_LINK = re.compile(r"\[[^\]\n]*\]\((?:https?://(?:www\.)?notion\.so/[^)\s]*|[^)\s:]*\.md)\)")
_CUT_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*$")  # a link whose end was cut off
# a link to a page on the web (not the workspace's, not an image): its address is what "fair work
# pay guide link" asks, so the answer shows it after the link's text
_WEB_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\((https?://(?!(?:www\.)?notion\.so/)[^()\s]+)\)")
MIN_CUT_WORDS = 8
ITEM_WORDS = 40  # a list item up to this long is one unit, never cut into its sentences
# What the answer cites with; the same form in a note's prose ("model X [2]") is quoted as "(2)",
# or the answer would point at sources it does not have.
CITATION_MARKER = re.compile(r"\[(\d+)\]")
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
# Words of a question that say how it is asked, not what it is about; with the English
# stopwords they never count as evidence. Contractions typed without the apostrophe ("whens the
# dentist", "whats the adress") are among them, and the words of "what do my notes say about X?"
# and "summarize X": counted as terms, no note held them and the question was declined. So are the
# words that ask for a name ("cpa name", "what's ch 7 called"): the note writes "CPA: Lorna Beaudry".
_QUESTION_WORDS = (
    "how what why when which who whom whose where does do did done can could should would will shall i im "
    "me my mine we our you your is are was were be been being get gets got use using used way ways make "
    "want need thing things tell know there much many please explain mean means anything something "
    "happen happens happened s t say says said note notes summarize summarise summary overview name called "
    "whats wheres whens whos hows whys thats theres dont doesnt didnt cant couldnt wont wouldnt shouldnt isnt "
    "arent wasnt werent hasnt havent ive youre theyre weve lets"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
_STOPWORDS = (
    "a an and are as at be but by for if in into is it its no not of on or such that the their then there "
    "these they this to was will with from than too very so just also about above after again against all "
    "am any because before below between both each few further here him his her hers herself himself itself "
    "more most nor off once only other ought ours ourselves out over own same she some theirs them themselves "
    "those through under until up while whom yours yourself yourselves "
    "has have having had doing don doesn isn aren wasn weren hasn haven didn wouldn shouldn couldn m ll re ve d "
    "per "  # "how much per night", "price per bag": the rate is asked by the words around it
    # honorifics, which a question adds to a name the notes write bare ("salim bhai phone", "Mrs Bhide",
    # "puan zaleha")
    "mr mrs ms dr herr frau mme mlle bhai ji puan encik cik tuan"
)
# The function and question words of the other languages people most often write notes in
# (de, fr, es, it, pt, nl): "Wie hoch ist unsere Kaltmiete?" is about "hoch" and "Kaltmiete", and
# a telegraphic note ("Kaltmiete: 980 €") holds neither "wie" nor "unsere". Left out: those that
# are English content words too ("hat", "man", "war", "gift", "son", "come", "dove", "per", "van",
# "mit", "comment", "mon", "pour", "chi", "os").
_OTHER_LANGUAGES = (
    "der die das den dem des ein eine einen einem einer und oder ist sind wie wer wo wann warum welche welcher "
    "welches welchen ich wir du sie er es mein meine meinen unser unsere unseren dein kann können muss soll habe "
    "haben für von zu zum zur im auf bei nach noch nicht kein keine auch nur schon "
    "le la les un une du de et ou est sont quel quelle quels quelles quand où pourquoi qui que quoi je nous vous "
    "il elle ils elles ma mes notre nos votre vos ce cette ces dans sur avec au aux en à pas ne "
    "el los las una unos unas cuál cuándo dónde cómo qué quién por para con del al mi mis nuestro nuestra su sus yo "
    "lo gli è sono quale quando cosa della di da mio mia nostro nostra che il le uno del dei delle alla ai alle "
    "nel nella sul sulla quanto quanta quanti quante perché "
    "um uma é são qual onde quem com da dos das meu minha nosso nossa "
    "het een en zijn wat wie waar wanneer hoe welke mijn ons onze voor op te"
)
OTHER_LANGUAGE_WORDS = frozenset(_OTHER_LANGUAGES.split())
STOPWORDS = frozenset(_STOPWORDS.split()) | OTHER_LANGUAGE_WORDS


def readable(text: str) -> str:
    """`text` on one line, links and images shown as their text: a notion.so address is ~60
    characters of ids that say nothing to the reader and nothing about the question. So is a
    link that a passage cut to the word budget ends inside."""
    return flat(_CUT_LINK.sub(r"\1", _LINK.sub(r"\1", text)))


def names(subject: Collection[str], texts: Iterable[str], common: Callable[[str], bool]) -> set[str]:
    """The subject terms the texts write capitalized (at least two times in three) and that are no
    `common` word: names ("Basecamp", "Cragview", "Casa do Forno" though once "Wi-Fi casa"), which
    tell one locker, client or house from another."""
    counts: dict[str, list[int]] = {}  # term → [times capitalized, times written]
    for text in texts:
        for word in _LETTERS.findall(text):
            term = stem(word.lower())
            if term in subject and not common(word.lower()):
                seen = counts.setdefault(term, [0, 0])
                seen[0] += word[0].isupper()
                seen[1] += 1
    return {term for term, (upper, total) in counts.items() if 3 * upper >= 2 * total}


def stem(word: str) -> str:
    """A crude suffix stripper, applied to question and notes alike ("vacuuming" ~ "vacuum").

    A final "e" goes too, so that a word and its inflections meet: "license" and "licensed",
    "prerequisite" and "prerequisites", "change" and "changes" all become one stem; a word
    ending in "ss" or "us" keeps its "s" ("process" and "processes", "status" and "statuses").
    Accents go and months and weekdays take their short names, as in the BM25 index ("Montréal" ~
    "montreal", "October" ~ "Oct"), shorthand its long form ("appt" ~ "appointment"), an
    ordinal day its number ("19th" ~ "19"), and an irregular verb its base ("bought" ~ "buy").
    """
    word = plain(word)
    if _ORDINAL.fullmatch(word):  # "the 19th" is the 19 of "Sat 19 Dec"
        return word[:-2]
    if word in CALENDAR:  # before a suffix goes: "january" is "jan", not "januar"
        return CALENDAR[word]
    word = IRREGULAR.get(word, word)
    stripped = _strip_suffix(SHORTHAND[word][0] if word in SHORTHAND else word)
    return CALENDAR.get(stripped, stripped)


def _strip_suffix(word: str) -> str:
    if word.endswith(("ss", "us")):  # "process", "class", "status": not plurals
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return _base(word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else ""), suffix)
    return _base(word[:-1] if word.endswith("e") and len(word) > 3 else word, "")


def _base(stem: str, suffix: str) -> str:
    """One stem for a word's forms where stripping a suffix leaves them apart: a final "y" after
    a consonant goes ("injury", "injuries" and "injured" all give "injur"), and a consonant doubled
    before "-ed"/"-ing" is single ("planned", "planning" ~ "plan")."""
    if len(stem) >= 5 and stem.endswith("y") and stem[-2] not in "aeiouy":
        return stem[:-1]
    if suffix in ("ed", "ing", "ings") and len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiouylsz":
        return stem[:-1]
    return stem


def words(text: str) -> list[str]:
    """The lower-cased words of `text`."""
    return _WORD.findall(text.lower())


def terms(text: str) -> list[str]:
    """Content terms of `text`: lower-cased, stemmed, without stopwords and question words; a
    hyphenated word counts joined too ("Wi-Fi" holds "wifi", "on-call" "oncall": people write both),
    a number its unit apart ("24hr" is "24 hr", "10am" "10 am"), and a value in degrees holds "temp"
    and "temperature"; "how long" and "how often" ask, and "how old" asks an age (`MEASURES`)."""
    lowered = _HOW_MEASURED.sub(lambda how: MEASURES[how.group(1)], _HOW_ASKED.sub("how", text.lower()))
    lowered = _GLUED_UNIT.sub(r"\1 \2", lowered)
    found = _WORD.findall(lowered) + [m.group().replace("-", "") for m in _COMPOUND.finditer(lowered)]
    numbered = ["number"] * len(_NUMBER_BEFORE_CODE.findall(text))
    measured = [stem("temperature")] if _DEGREES.search(text) else []  # "temp" is its shorthand
    content = [stem(unpadded(w)) for w in found if w not in STOPWORDS and w not in QUESTION_WORDS]
    return content + month_terms(text) + numbered + measured


def unpadded(word: str) -> str:
    """A day, month or hour written with a leading zero ("03 Oct", "07/11") as written without:
    "kp cafe 3 oct visit" names "Site visit – KP café – 03 Oct 2026"."""
    return word[1] if _ZERO_PADDED.fullmatch(word) else word


def word_count(text: str) -> int:
    return len(text.split())


def flat(text: str) -> str:
    """`text` on one line."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Candidate:
    """A retrieved chunk, in search order (rank 0 first)."""

    rank: int
    chunk_id: str
    page_id: str
    title: str
    url: str
    heading: str
    text: str
    lead: str = ""  # the field lines opening its page ("**Clients:** Priya Nair"), said of all of it
    sections: str = ""  # the headings of its page's other sections found ("Trailer" beside "Ute")


def with_page_context(candidates: Sequence[Candidate]) -> list[Candidate]:
    """`candidates`, each with the field lines that open its page (`lead`), where its page's
    opening chunk was found: a trip log's "**Clients:** Priya Nair (CL-038)" says whose day its
    timings table records, as its title would; and with the headings of its page's other
    sections found (`sections`): the page "Ute & trailer" keeps the trailer's dates under
    "Trailer", so the "Rego due" under "Ute" is not the trailer's."""
    leads = {c.page_id: _field_lines(c.text) for c in candidates if not c.heading}
    headings: dict[str, set[str]] = {}
    for c in candidates:
        headings.setdefault(c.page_id, set()).add(c.heading)
    return [
        replace(c, lead=leads.get(c.page_id, ""), sections="\n".join(sorted(headings[c.page_id] - {c.heading})))
        for c in candidates
    ]


def _field_values(fields: str) -> str:
    """The values of field lines (`_field_lines`), without the fields' names."""
    return "\n".join(_FIELD_NAME.sub("", line) for line in fields.splitlines())


def _field_lines(text: str) -> str:
    """The field lines ("**Date:** …", "- **Ordered:** …") a text opens with, if any."""
    lines = text.lstrip().splitlines()
    return "\n".join(itertools.takewhile(_is_field, lines))


@dataclass(frozen=True)
class Unit:
    """A span [start, end) of one candidate's text that is never cut further."""

    candidate: int
    index: int  # order within its candidate
    start: int
    end: int
    text: str
    code: bool = False  # the inside of a fenced code block


@dataclass
class Passage:
    """Consecutive units of one candidate, cited as one source."""

    candidate: Candidate
    units: list[Unit]
    score: float
    text: str = ""  # the span of the chunk's text; may be cut at a word to fit the budget

    def holdings(self) -> str:
        """What the passage holds for a reader: its text with its note's title and heading, and
        the header of the table a row of it is in."""
        return f"{_header_above(self)}{self.text} {self.candidate.title} {self.candidate.heading}"


@dataclass
class Evidence:
    """What the selection found and the numbers that decide whether it answers the question."""

    passages: list[Passage]
    coverage: float  # IDF share of the question's terms present in the passages (and their titles)
    similarity: float  # best unit's embedding similarity to the question
    support: float  # the combined score compared with the decline threshold
    missing: list[str] = field(default_factory=list)  # question terms the passages lack
    unknown: float = 0.0  # IDF share of the question's terms that no indexed chunk contains
    lacks: str = ""  # the form the question asks for ("email address") when no passage states one
    stating: int = 0  # how many passages (they lead) state the form asked


def distinct(units: list[Unit]) -> list[Unit]:
    """The first of each unit text met: chunks overlap, and a sentence read again adds nothing
    but the cost of embedding it."""
    seen: set[str] = set()
    kept = []
    for unit in units:
        key = flat(unit.text).lower()
        if key not in seen:
            seen.add(key)
            kept.append(unit)
    return kept


def split_units(text: str, candidate: int = 0) -> list[Unit]:
    """Units of a chunk's Markdown: sentences of prose, list items (a long one by its sentences),
    table rows, whole code blocks.

    Headings, table header and separator rows and code fences are left out (they are structure,
    not statements): the chunker re-fences a code block it splits and repeats a table's header in
    each piece, so only what lies between such lines is surely text of the page. A heading with a
    remark is kept ("Flights (TAP, booking ref K7Q2XM)", "Theo (turns 7 on Nov 2)"): people write
    facts into headings. A row is scored with its header's words (`score_units`) and states what
    its header names (`states`).
    """
    spans: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    offset = 0
    fence_start: int | None = None
    paragraph: list[tuple[int, int]] = []
    code: set[int] = set()  # indexes into `spans` of code blocks

    def flush_paragraph() -> None:
        if paragraph:
            spans.extend(_sentences(text, paragraph[0][0], paragraph[-1][1]))
            paragraph.clear()

    for line in lines:
        start, end = offset, offset + len(line.rstrip("\r\n"))
        offset += len(line)
        stripped = line.strip()
        if fence_start is not None:
            if _FENCE.match(line):
                spans.append((fence_start, start))
                code.add(len(spans) - 1)
                fence_start = None
            continue
        if _FENCE.match(line):
            flush_paragraph()
            fence_start = offset  # the code starts on the line after the fence
        elif _HEADING.match(line):
            flush_paragraph()
            if _REMARK.search(stripped):  # "## Flights (TAP, booking ref K7Q2XM)" states a fact
                spans.append((start + len(line) - len(line.lstrip(" #")), end))
        elif not stripped or TABLE_SEPARATOR.match(line):
            flush_paragraph()
        elif stripped.startswith("|"):  # a row is one record, never cut; the header row is structure
            flush_paragraph()
            if not TABLE_SEPARATOR.match(text[offset:].split("\n", 1)[0]):
                spans.append((start, end))
        elif _LIST_ITEM.match(line) or _LABELLED_LINE.match(line):
            flush_paragraph()
            # a short item is one record ("- Chioma — 19 June. She wants a proper knife block")
            spans.extend([(start, end)] if word_count(line) <= ITEM_WORDS else _sentences(text, start, end))
        else:
            paragraph.append((start, end))
    flush_paragraph()
    if fence_start is not None:
        spans.append((fence_start, len(text.rstrip())))
        code.add(len(spans) - 1)
    units = []
    for index, (start, end) in enumerate(spans):
        # trim surrounding whitespace so the span's text is exactly what is shown
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and _WORD.search(text[start:end]):
            units.append(Unit(candidate, len(units), start, end, text[start:end], index in code))
    return units


def navigation(text: str) -> bool:
    """Whether `text` is only links to other pages of the workspace: a parent page lists its
    children by their titles ("[Vet visit – 12.03.2026](https://www.notion.so/…)"); such a line
    holds the words of the page it points to, and nothing that page says."""
    return bool(_PAGE_LINK.search(text)) and not _WORD.search(_PAGE_LINK.sub(" ", text))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of `text`'s paragraphs: runs of lines between blank ones (a quote's
    ">" line is blank too)."""
    spans: list[tuple[int, int]] = []
    start = offset = 0
    for line in text.splitlines(keepends=True):
        if not line.strip(" >\t\r\n"):
            if offset > start:
                spans.append((start, offset))
            start = offset + len(line)
        offset += len(line)
    if offset > start:
        spans.append((start, offset))
    return spans


def unlinked(text: str) -> str:
    """`text` without its links to other pages of the workspace, whose words name those pages."""
    return _PAGE_LINK.sub(" ", text)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    piece = text[start:end]
    links = [m.span() for m in _LINK.finditer(piece)]  # a link's title may hold ". " ("25.1.6. The Daemon")
    bounds = [0]
    for cut in _SENTENCE_END.finditer(piece):
        if any(a < cut.start() < b for a, b in links):
            continue
        before = piece[bounds[-1] : cut.start()].strip()
        if _open_quotation(before):  # '"The hill will still be there next week. Make sure…" — Donnie'
            continue
        after = piece[cut.end() :]
        day_of_month = _DAY_NUMBER.search(before) and opens_with_month(after)
        number_sign = _NUMBER_SIGN.search(before) and _CODE.match(after)
        if not (_ENUMERATOR.match(before) or _ABBREVIATION.search(before) or day_of_month or number_sign):
            bounds.append(cut.start())
    bounds.append(len(piece))
    return [(start + a, start + b) for a, b in itertools.pairwise(bounds) if b > a]


def _open_quotation(text: str) -> bool:
    """Whether `text` leaves a double quotation open: a quoted saying is one unit with its
    speaker, named after it. A straight quote opens one after a space or a bracket; after a
    digit it is inches ("44' 11\" Cape Islander"), which would hold the paragraph together."""
    openers = len(_OPENING_QUOTE.findall(text))
    return openers > text.count('"') - openers or text.count("“") > text.count("”")


def coverage(question_terms: Sequence[str], found: set[str], idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the question's distinct terms that occur in `found`."""
    distinct = set(question_terms)
    total = sum(idf(t) for t in distinct)
    if total <= 0:
        return 0.0
    return sum(idf(t) for t in distinct if t in found) / total


@dataclass(frozen=True)
class SelectionParams:
    """The knobs of passage selection (chosen on the tune half of the agent dev set)."""

    budget_words: int = 80
    lexical_weight: float = 0.5
    rank_weight: float = 0.1
    follow_words: int = 0  # words of what follows a seed unit that its passage keeps (0 measured best)
    extra_ratio: float = 0.5  # another passage is added when its seed scores this share of the best
    max_passages: int = 4
    # support = weight x term coverage + (1 - weight) x similarity: chosen over seven note sets
    # (FAQ-style notes share few words with their questions, so coverage alone misleads)
    support_lexical_weight: float = 0.4
    unknown_penalty: float = 0.0  # support lost per IDF share of question terms the notes never use
    carry: float = 0.3  # share of a unit's score the unit after it inherits
    answer_type_bonus: float = 0.1  # added to units that have the shape the question asks for
    named_day_bonus: float = 0.1  # added to units that write a day the question names ("w/e 15 march")
    # added to the list item numbered as the question names it ("pretrip step 6" → "6. Fifth
    # wheel …"): a number says which item, where the words of one item match no better than another's
    named_item_bonus: float = 0.3


def score_units(
    units: list[Unit],
    candidates: list[Candidate],
    question: str,
    question_terms: list[str],
    idf: Callable[[str], float],
    similarities: np.ndarray,
    params: SelectionParams,
) -> np.ndarray:
    """One score per unit: term coverage (the unit, helped by its heading and title), embedding
    similarity, and a small prior for the candidate's search rank. A unit that writes a day the
    question names ("| Sun 15/03 | 312 | $89.49 |" for "avg spend w/e 15 march") is what a log
    or a table of dated rows holds for it, though its words match no better than its neighbours'.
    (A month alone earns nothing: "etsy orders in december" drew in any line naming December,
    and the question was no longer declined where the notes keep no December figures.)"""
    scores = np.zeros(len(units), dtype=np.float64)
    wanted = answer_shape(question)
    days = days_named(question)
    items = items_named(question)
    context_terms = {i: set(terms(f"{c.title} {c.heading}")) for i, c in enumerate(candidates)}
    # a chunk opening with fields is a record's (a database row, a quote, a trip): its values name
    # it as its title does, "the broughty ferry andrew" is the record whose home is Broughty
    # Ferry, and his "Medical / dietary" line answers what he has (the fields' names stay each
    # line's own: they say which line answers)
    record_terms = [set(terms(_field_values(fields))) if (fields := _field_lines(c.text)) else None for c in candidates]
    for n, unit in enumerate(units):
        own = set(terms(readable(unit.text)))
        context = context_terms[unit.candidate]
        if unit.text.startswith("|"):  # a row's cells are named by its table's header
            header = table_header(candidates[unit.candidate].text, unit.start)
            header_terms = set(terms(header))
            context = context | header_terms
            if names_cell(set(question_terms), cells(header.split("\n")[0]), cells(unit.text)):
                own |= header_terms  # the words naming the cell asked are the row's own
        elif _LIST_ITEM.match(unit.text):  # an item says what it says of the label above its list
            own |= set(terms(list_label(candidates[unit.candidate].text, unit.start)))
        fields = record_terms[unit.candidate]
        if fields is not None:  # all a record's page says is said of the record
            own |= context | fields
        lexical = 0.75 * coverage(question_terms, own, idf) + 0.25 * coverage(question_terms, own | context, idf)
        prior = 1.0 / (1.0 + candidates[unit.candidate].rank)
        dense = float(similarities[n]) if len(similarities) else 0.0
        relevance = params.lexical_weight * lexical + (1 - params.lexical_weight) * dense
        if wanted is not None and wanted.search(unit.text):
            relevance += params.answer_type_bonus
        if days and days & days_named(unit.text):
            relevance += params.named_day_bonus
        if items and (enumerated := _ENUMERATED.match(unit.text)) and int(enumerated.group(1)) in items:
            relevance += params.named_item_bonus
        scores[n] = relevance * (1 - params.rank_weight) + params.rank_weight * prior
    scores = carry_forward(units, scores, params.carry)
    scores[[n for n, unit in enumerate(units) if navigation(unit.text)]] = 0.0  # never a passage
    return scores


def carry_forward(units: list[Unit], scores: np.ndarray, carry: float) -> np.ndarray:
    """A unit right after a strong one inherits `carry` of its score: notes state the topic,
    then the answer ("Text search parsers split text into tokens." → "It recognizes 23 token
    types."), and the answer sentence rarely repeats the question's words."""
    carried = scores.copy()
    for n in range(1, len(units)):
        if units[n].candidate == units[n - 1].candidate and scores[n] > 0:
            carried[n] = max(scores[n], (1 - carry) * scores[n] + carry * scores[n - 1])
    return carried


def titled(candidates: Sequence[Candidate], topic: str) -> Candidate | None:
    """The best-ranked candidate whose page title holds at least half the terms of `topic` ("the
    Lisbon trip" names the note "Lisbon – Oct 2024")."""
    wanted = set(terms(topic))
    return next((c for c in candidates if wanted and 2 * len(wanted & set(terms(c.title))) >= len(wanted)), None)


def opening(units: list[Unit], candidate: Candidate, params: SelectionParams) -> list[Passage]:
    """`candidate`'s units from its start, as consecutive passages, within the word budget."""
    passages: list[Passage] = []
    words = 0
    for unit in units:
        if words >= params.budget_words or len(passages) >= params.max_passages:
            break
        if passages and adjacent(passages[-1].units[-1], unit, candidate.text):
            passages[-1].units.append(unit)
        else:
            passages.append(Passage(candidate, [unit], 1.0))
        words += word_count(unit.text)
    fit_to_budget(passages, params.budget_words)
    return passages


def named_note(question_terms: Sequence[str], candidates: Sequence[Candidate]) -> Candidate | None:
    """The best-ranked candidate whose title (two terms or more) the question holds whole: "which
    books are on my reading list?" names the note "Reading list", whose lines ("Piranesi — Susanna
    Clarke") say nothing of books, so their low support must not decline it."""
    asked = set(question_terms)
    for candidate in candidates:
        title = set(terms(candidate.title))
        if len(title) >= 2 and title <= asked:
            return candidate
    return None


def naming_terms(question: str) -> list[str]:
    """The question's terms, a number hyphened to a unit left out: "28-day cube result" asks a
    measure over 28 days, and names no note of the 28th ("Site visit – 28 Aug 2026")."""
    return terms(_HYPHENED_QUANTITY.sub(r"\1", question))


def named_among_alike(
    question_terms: Sequence[str], candidates: Sequence[Candidate], asked_days: Collection[tuple[int, int]] = ()
) -> Candidate | None:
    """The one note the question picks among notes titled alike by the day or number in its title:
    "portfolio value october" names "Portfolio – Oct 2026" and not "Portfolio – Nov 2026", "how
    much did biscuit weigh on nov 4" "Vet visit – Biscuit – 4 Nov" and not "Vet visit – Juniper –
    4 Nov" or "Vet visit – Biscuit – 14 Oct". Such notes share their words, so their sentences
    score alike and the first-ranked one's were chosen. The note's title must hold more of the
    question's words than any other title that shares a word of its kind with it (not a day or
    number alone: "council registration fee 2026" picks no "Council inspection – 19 Feb 2026"
    over "Weekly takings 2026"): a day or number and a word that names the kind of note; else
    None. Titles told apart by a topic ("Unique Indexes", "Indexes on Expressions") are left to
    the scores. A title dated otherwise than the days the question names (`asked_days`) is not
    the one asked, whatever numbers they share ("tank 12 balling 2026/02/22" names no "Lab report
    – Tank 7 – 2026-03-02")."""
    asked = set(question_terms)
    pages = first_chunks(candidates)
    titles = {c.page_id: set(terms(c.title)) for c in pages}
    for candidate in pages:
        title_days = days_named(candidate.title)
        if asked_days and title_days and not title_days & set(asked_days):
            continue
        title = titles[candidate.page_id]
        held = asked & title
        # titles alike share a word that names the kind of note: "2026" alone makes no series
        alike = [t for page, t in titles.items() if page != candidate.page_id and any(_words_of_kind(t & title))]
        days = set(filter(_names_a_day_or_number, held))
        # the day asked names its note without the kind: "cooler temp 2/3/2026" asks of "Milk
        # intake – 02-03-2026", not of the intake pages of other Mondays
        named = held - days or bool(title_days & set(asked_days))
        if alike and days and named and all(len(asked & t) < len(held) for t in alike):
            return candidate
    return None


def first_chunks(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Each page's first-ranked candidate, in rank order: one per note."""
    return list({c.page_id: c for c in reversed(candidates)}.values())[::-1]


def named_for_another_year(question: str, candidates: Sequence[Candidate]) -> str | None:
    """The year in the title of the note the question names for another year, when no note found
    is titled with the year asked: "honey harvest 2025" over the one note "Honey harvest 2026"
    asks of a harvest the notes do not record, however well that note's sentences match."""
    asked_years = set(YEAR.findall(question))
    if not asked_years or any(year in c.title for year in asked_years for c in candidates):
        return None
    asked = set(terms(question))
    for candidate in candidates:
        years = YEAR.findall(candidate.title)
        words = {t for t in terms(candidate.title) if not any(ch.isdigit() for ch in t)}
        if years and words and words <= asked:
            return years[0]
    return None


def _names_a_day_or_number(term: str) -> bool:
    return any(c.isdigit() for c in term) or term in CALENDAR.values()


def _words_of_kind(title_terms: Collection[str]) -> list[str]:
    return [t for t in title_terms if not _names_a_day_or_number(t)]


def select_passages(
    units: list[Unit], scores: np.ndarray, candidates: list[Candidate], params: SelectionParams
) -> list[Passage]:
    """The best units, each read on into what follows it, within the word budget; best first.

    A note usually states its topic and then the answer: the sentence that matches the
    question best ("To get out of psql, type:", "Values set with ALTER SYSTEM take effect after
    a reload.") is followed by the fact (the command, the way to reload). So each seed unit
    keeps the units after it in its chunk up to `follow_words` more words, and always the
    next one when it announces it (ends with ':'). Further seeds come from the next best units
    while they score close to the best and words remain.
    """
    if not units:
        return []
    by_candidate: dict[int, list[int]] = {}
    for n, unit in enumerate(units):
        by_candidate.setdefault(unit.candidate, []).append(n)
    order = [int(n) for n in np.argsort(-scores, kind="stable")]
    best = float(scores[order[0]])
    used: set[int] = set()
    passages: list[Passage] = []
    words_left = params.budget_words
    for seed in order:
        if words_left <= 0 or len(passages) >= params.max_passages:
            break
        if seed in used or scores[seed] <= 0 or (passages and scores[seed] < params.extra_ratio * best):
            continue
        siblings = by_candidate[units[seed].candidate]
        chunk_text = candidates[units[seed].candidate].text
        joined = _join_neighbour(passages, units, siblings, seed)
        if joined is not None:
            used.add(seed)
            words_left -= word_count(units[seed].text)
            continue
        group = [seed]
        words = word_count(units[seed].text)
        for following in siblings[siblings.index(seed) + 1 :]:
            more = word_count(units[following].text)
            announced = units[group[-1]].text.rstrip().endswith(":")
            room = word_count(units[seed].text) + params.follow_words
            if following in used or not adjacent(units[group[-1]], units[following], chunk_text):
                break
            if not (announced or words + more <= room):
                break
            group.append(following)
            words += more
        used.update(group)
        words_left -= words
        candidate = candidates[units[seed].candidate]
        passages.append(Passage(candidate, [units[n] for n in group], float(scores[seed])))
    fit_to_budget(passages, params.budget_words)
    return passages


def _join_neighbour(passages: list[Passage], units: list[Unit], siblings: list[int], seed: int) -> Passage | None:
    """Add `seed` to a passage it directly follows or precedes in the same chunk (one citation
    for one stretch of text); the passage it joined, or None."""
    position = siblings.index(seed)
    before = units[siblings[position - 1]] if position > 0 else None
    after = units[siblings[position + 1]] if position + 1 < len(siblings) else None
    for passage in passages:
        first, last, text = passage.units[0], passage.units[-1], passage.candidate.text
        if first.candidate != units[seed].candidate:
            continue
        if before is last and adjacent(last, units[seed], text):
            passage.units.append(units[seed])
            return passage
        if after is first and adjacent(units[seed], first, text):
            passage.units.insert(0, units[seed])
            return passage
    return None


def adjacent(before: Unit, after: Unit, chunk_text: str) -> bool:
    """Only whitespace and code fences between two units of a chunk: one passage may span them
    and stay text of the page. A fence between two units is the page's own (the chunker adds
    fences only at a chunk's edges, where a unit never starts or ends: units leave fences out);
    a heading or a table separator between them may be a repeated header, so it splits."""
    gap = chunk_text[before.end : after.start]
    return all(not line.strip() or _FENCE.match(line) for line in gap.splitlines())


def fit_to_budget(passages: list[Passage], budget: int) -> None:
    """Set each passage's text, cutting the last one at a word so the total fits `budget`."""
    left = budget
    kept = []
    for passage in passages:
        span = passage.candidate.text[passage.units[0].start : passage.units[-1].end]
        if left <= 0:
            break
        if word_count(span) > left:
            if left < MIN_CUT_WORDS:  # a few words cut from a sentence say nothing
                break
            span = _first_words(span, left)
        passage.text = span
        left -= word_count(span)
        kept.append(passage)
    passages[:] = kept


def _first_words(text: str, n: int) -> str:
    """The prefix of `text` holding its first `n` words (a substring, not a re-join)."""
    matches = list(re.finditer(r"\S+", text))
    return text[: matches[n - 1].end()] if n <= len(matches) else text


def support_of(
    passages: list[Passage],
    question_terms: list[str],
    idf: Callable[[str], float],
    best_similarity: float,
    params: SelectionParams,
    indexed: Callable[[str], bool] = lambda term: True,
    form: str | None = None,
    subject: Sequence[str] = (),
    names: Collection[str] = (),
) -> Evidence:
    """How well the chosen passages cover the question: the number the decline threshold reads.

    A question about something the notes never mention ("pgbouncer", "effective_cache_size",
    "dentist") still finds passages that look close; that its key terms occur in no chunk at
    all (`indexed` false) is the stronger sign, so their IDF share lowers the support. A question
    asking for one `form` (`question_forms.asked_form`) that no passage states of its `subject`
    (the question's other terms, `states`) is recorded in `lacks`; one that states it covers the
    words that ask for it (an address answers "email address" without the word "email"). A
    word no note writes is held by the words whose initials make it ("cpm": "Cost per mile").
    """
    found: set[str] = set()
    for p in passages:
        found |= set(terms(p.holdings()))
    holdings = " ".join(p.holdings() for p in passages)
    found |= {
        t for t in question_terms if _ABBREVIATED.fullmatch(t) and not indexed(t) and initials(t).search(holdings)
    }
    # the passages stating the form asked lead the answer: "what time does the santa rosa loves
    # fill up" is answered by the row "… | full by 7pm |" before a line that only names the stop
    stating_form = [
        p for p in passages if form and states(p, form_shape(form), subject, idf, found.__contains__, names)
    ]
    passages = stating_form + [p for p in passages if p not in stating_form]
    lacks = form if form and not stating_form else ""
    if form and not lacks:
        found |= set(question_terms) - set(subject)
    share = coverage(question_terms, found, idf)
    unknown = 1.0 - coverage(question_terms, {t for t in question_terms if indexed(t)}, idf) if question_terms else 0.0
    support = params.support_lexical_weight * share + (1 - params.support_lexical_weight) * best_similarity
    support -= params.unknown_penalty * unknown
    missing = sorted({t for t in question_terms if t not in found})
    return Evidence(passages, share, best_similarity, support, missing, unknown, lacks, len(stating_form))


def states(
    passage: Passage,
    shape: re.Pattern,
    subject: Sequence[str],
    idf: Callable[[str], float] = lambda term: 1.0,
    held: Callable[[str], bool] = lambda term: True,
    names: Collection[str] = (),
) -> bool:
    """Whether `passage` holds text of `shape` said of the `subject`: in one of its statements
    that say something of it (`stating`). A contact list holds an email address, but not the
    electrician's when only the landlord's line has one; a market's opening hours are not the
    Northern Quarter market's; the row "| 24 Oct 2026 | $3,214.87 |" states the net pay its column
    header names."""
    keys = stating_keys(passage, subject, idf, held, names)
    said = [block for block in _naming(passage, keys) if shape.search(block)]
    return any(_said_by_then(block, shape, keys - set(names)) for block in said)


def _said_by_then(statement: str, shape: re.Pattern, words: set[str]) -> bool:
    """Whether a sentence of `statement`, a line of prose, holds `shape` after `words` were all
    named, in it or in a sentence before: "Basic food hygiene course, Wed 22 April. Certificate no.
    HK-26-04417" names the course before its certificate, but "Finn — 9. Birthday 19/08.
    Orthodontist referral in — waiting for the appointment." gives no date after naming the
    orthodontist (a name may be named anywhere in the statement). A statement of several lines
    (a table row's cells under their columns, a record's fields) says all it says of one thing,
    in any order."""
    if "\n" in statement.strip():
        return True
    named: set[str] = set()
    for start, end in _sentences(statement, 0, len(statement)):
        sentence = statement[start:end]
        named |= set(terms(sentence)) | clippings(sentence)
        if words <= named and shape.search(sentence):
            return True
    return False


def stating(
    passage: Passage,
    subject: Sequence[str],
    idf: Callable[[str], float] = lambda term: 1.0,
    held: Callable[[str], bool] = lambda term: True,
    names: Collection[str] = (),
) -> list[str]:
    """The statements of `passage` (a list item, a table row under its header, a paragraph) that
    name the rarest `subject` word the chosen passages hold (`held`), unless the note's title or
    heading names it. A word no passage holds ("allowed" over "I can leave at 2:30") is the
    question's wording, not what the statement must name. Words equally rare are all the rarest:
    "the fiesta's last service" is not a shipping service's price. A name among the subject words
    (`names`) must be named too: "basecamp locker code" is not the Cragview locker's combination,
    however rare "locker" is; a name the fields opening the page name is named by all of it
    ("**Clients:** Priya Nair" above a timings row)."""
    return _naming(passage, stating_keys(passage, subject, idf, held, names))


def _naming(passage: Passage, keys: set[str]) -> list[str]:
    """The statements of `passage`, with what it says above it, that name all the `keys`."""
    text = _header_above(passage) + _label_above(passage) + _record_above(passage) + _said_before(passage)
    text += passage.text
    return [block for block in _statements(text) if keys <= set(terms(block)) | clippings(block)]


def stating_keys(
    passage: Passage,
    subject: Sequence[str],
    idf: Callable[[str], float],
    held: Callable[[str], bool],
    names: Collection[str],
) -> set[str]:
    """The subject words a statement of `passage` must name (`stating`): the rarest the passages
    hold and the names, less those its note's title, heading or opening fields name."""
    candidate = passage.candidate
    titled = f"{candidate.title} {candidate.heading}"
    # a word of the title another section is headed by is that section's ("Ute & trailer")
    context = set(terms(titled)) | clippings(titled)
    context -= set(terms(candidate.sections)) - set(terms(candidate.heading))
    lead = candidate.lead
    context |= set(names) & (set(terms(lead)) | clippings(lead))  # a name the page's fields name
    own = [t for t in subject if t not in context and held(t)]
    rarest = max(map(idf, own), default=0.0)
    return {t for t in own if idf(t) >= rarest or t in names}


def clippings(text: str) -> set[str]:
    """The clipped forms of the names `text` writes: "Neville" is "nev" and "Rarotonga" "raro" to
    whoever types them ("nev dobsons phone", "raro flight booking ref"); each name's first three
    letters or more, two short of the whole at least."""
    return {
        word[:end].lower()
        for word in _LETTERS.findall(text)
        if word[0].isupper() and len(word) >= _CLIPPED_FROM
        for end in range(_CLIPPED_TO, len(word) - 1)
    }


def _said_before(passage: Passage) -> str:
    """The sentences of its line before the passage's first, when that is a sentence of prose:
    "Basic food hygiene course … Certificate no. HK-26-04417" names the course the certificate
    number is of one sentence earlier."""
    if not passage.units:
        return ""
    text, start = passage.candidate.text, passage.units[0].start
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    if not line.strip() or line.lstrip().startswith("|") or _LIST_ITEM.match(line) or _is_field(line):
        return ""
    return line


def _record_above(passage: Passage) -> str:
    """The property lines above the passage's first when it is one: a database row's page lists
    its properties ("- **Ordered:** 03.03.2026", "- **Price:** 868,00 €"), all of one record, so
    "price of the march order" is stated by the price line of the order's record; so do the
    field lines of a quote ("**Vehicle:** 2019 VW Transporter" above "**Price:** £23,400")."""
    if not passage.units:
        return ""
    text, start = passage.candidate.text, passage.units[0].start
    line_start = text.rfind("\n", 0, start) + 1
    if not _is_field(text[line_start:]):
        return ""
    above = list(itertools.takewhile(_is_field, reversed(text[:line_start].splitlines())))[::-1]
    return "\n".join(above) + "\n" if above else ""


def _is_field(line: str) -> bool:
    """Whether `line` is a record's field: "- **Ordered:** 03.03.2026", "**Price:** £23,400"."""
    return bool(PROPERTY.match(line) or _LABELLED_LINE.match(line))


def opens_record(text: str, start: int) -> bool:
    """Whether the line holding `start` of `text` is a property of the record its page is: a
    database row's page opens with its properties ("- **Age:** 67", "- **Status:** tbd"), each
    said of the row its title names, so "aurel sand age" is stated by the age line of the page
    titled "Aurel Sand", though the line never names him."""
    line_start = text.rfind("\n", 0, start) + 1
    above = text[:line_start].splitlines()
    return bool(PROPERTY.match(text[line_start:])) and all(map(PROPERTY.match, above))


def _header_above(passage: Passage) -> str:
    """The header and separator rows of the table the passage starts inside, when they are above
    it in its chunk (a passage is often one row); else ""."""
    if not passage.text.lstrip().startswith("|") or not passage.units:
        return ""
    return table_header(passage.candidate.text, passage.units[0].start)


def names_cell(asked: set[str], header: list[str], row: list[str]) -> bool:
    """Whether the question names the row by its first cell (all its words) and one of its other
    columns by all the words of its header: "FO yr 5 rate 2026" names the cell under "FO 2026" of
    the row "| 5 | $104.75 | …", which shares one word with it where the prose beside the table
    shares four."""
    key = set(terms(row[0])) if row else set()
    if not key or not key <= asked or not row[1:] or not any(c.strip() for c in row[1:]):
        return False
    return any((words := set(terms(name))) and words <= asked for name in header[1:])


def table_header(text: str, start: int) -> str:
    """The header and separator rows (with a newline) of the table whose row starts at `start` of
    `text`, when they are above it; else ""."""
    above = text[:start].splitlines()
    rows = list(itertools.takewhile(lambda line: line.lstrip().startswith("|"), reversed(above)))[::-1]
    return "\n".join(rows[:2]) + "\n" if len(rows) >= 2 and TABLE_SEPARATOR.match(rows[1]) else ""


def _label_above(passage: Passage) -> str:
    """The label line of the list the passage starts inside, when it is above it in its chunk."""
    return list_label(passage.candidate.text, passage.units[0].start) if passage.units else ""


def list_label(text: str, start: int) -> str:
    """The label line (with a newline) of the list whose item holds `start` of `text` ("**Clay —
    Moorland Ceramic Supplies**", "Contractors:"), when it is above the item; else "". Notes name
    the thing a list is about once, above its items ("- Account no. MCS-40718")."""
    line_start = text.rfind("\n", 0, start) + 1
    if not _LIST_ITEM.match(text[line_start:]):
        return ""
    in_list = itertools.dropwhile(_inside_list, reversed(text[:line_start].splitlines()))
    line = next(in_list, "")
    return line + "\n" if _LABEL.match(line) else ""


def _inside_list(line: str) -> bool:
    """A blank line, a list item or an indented line that continues one."""
    return not line.strip() or bool(_LIST_ITEM.match(line)) or line[:1].isspace()


def _statements(text: str) -> list[str]:
    """`text` cut into statements: each list item alone (with the label line above its list),
    each table row with its table's header, and the lines between blank lines or headings
    together (a contact written over three lines under its name is one)."""
    blocks: list[list[str]] = [[]]
    lines = text.splitlines()
    header = label = ""
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading:
            label = ""
        if not line.strip() or heading:
            blocks.append([])
            continue
        if _LABEL.match(line):
            label = line
            blocks.append([line])
            continue
        if line.lstrip().startswith("|"):
            if TABLE_SEPARATOR.match(line):
                continue
            if i + 1 < len(lines) and TABLE_SEPARATOR.match(lines[i + 1]):
                header = line
            blocks.append([_under_header(header, line)] if header and line != header else [line])
            continue
        header = ""
        if _LIST_ITEM.match(line):
            if not (PROPERTY.match(line) and i > 0 and PROPERTY.match(lines[i - 1])):  # one record's properties
                blocks.append([label] if label else [])
        elif not line[:1].isspace():
            label = ""  # a paragraph ends the list the label names
        blocks[-1].append(line)
    return ["\n".join(b) for b in blocks if b]


def _under_header(header: str, row: str) -> str:
    """A table row as its cells under their column names, one a line ("Q4 (Oct–Dec)" under
    "Quarter", "–" under "IVA (€)"): a value is the one its column names, not any number in the
    row, so an empty cell under "IVA (€)" states no amount however many dates the row holds."""
    row_cells = cells(row)
    row_sign = _SIGN.search(row_cells[0]) if row_cells else None
    pairs = itertools.zip_longest(cells(header), row_cells, fillvalue="")
    return "\n".join(f"{column}: {_priced(cell, row_sign or CURRENCY.search(column))}" for column, cell in pairs)


def _priced(cell: str, sign: re.Match | None) -> str:
    """A number with the currency its row's label or its column names written before it: "8.15"
    in the row "Average $/lb" is "$8.15", an amount, as the label says."""
    return f"{sign.group()}{cell}" if sign and _PLAIN_NUMBER.fullmatch(cell) else cell


def cells(row: str) -> list[str]:
    """A table row's cells, stripped, empty ones kept (they stand under their column)."""
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def shown(passage: Passage) -> str:
    """A passage on one line as the answer quotes it: its units (as far as its text reaches),
    code in backticks (verbatim: `xs[1]` is code, not a citation), the prose's own markers as "(n)",
    bold as plain text, links to the workspace's pages as their text, links to the web as their
    text and address, and table rows as their cells (the source's passage keeps them as written)."""
    end = passage.units[0].start + len(passage.text)
    pieces = []
    for unit in passage.units:
        if unit.start >= end:
            break
        text = passage.candidate.text[unit.start : min(unit.end, end)]
        if unit.code:
            pieces.append(f"`{flat(text)}`")
            continue
        if text.startswith("|"):  # a table row: its cells, without the empty ones and the outer bars
            text = " | ".join(cell for cell in cells(text) if cell)
        pieces.append(_STRONG.sub(r"\1", CITATION_MARKER.sub(r"(\1)", readable(_WEB_LINK.sub(_addressed, text)))))
    return " ".join(pieces)


def _addressed(link: re.Match) -> str:
    """A web link as its text and its address, or its address alone when that is its text."""
    text, address = link.group(1).strip(), link.group(2)
    return address if text in ("", address) else f"{text} ({address})"


def compose(passages: list[Passage], lead: str = "", title: str = "") -> str:
    """The answer text: an optional lead, then each passage on one line with its [n] marker, the
    first after its note's `title` when one is given (`title_shown`)."""
    body = " ".join(f"{shown(p)} [{n}]" for n, p in enumerate(passages, 1))
    body = f"{title}: {body}" if title and body else body
    return f"{lead.strip()} {body}".strip() if lead.strip() else body


def title_shown(passages: Sequence[Passage]) -> str:
    """The title of the first passage's note, when the passage does not name what the title
    does: the note's title often is the answer ("bar pilot i interviewed" → "Interview – Capt.
    Ruth Ellery (bar pilot)", "which glaze goes on the bud vases" → "GT-06 Blue rutile") or says
    which of notes written alike the passage is from ("Critique mtg – Oct 8, 2026: Host: Rafael")."""
    if not passages:
        return ""
    title = _ICON.sub("", flat(passages[0].candidate.title))
    named = set(terms(title))
    return title if named and not named <= set(terms(passages[0].text)) else ""


def answer_words(answer: str) -> int:
    """Words of an answer, citation markers not counted (the length rule of the agent issue)."""
    return word_count(CITATION_MARKER.sub(" ", answer))
