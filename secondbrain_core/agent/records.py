"""Database rows and table rows as records: the property or cell a question asks that the row it
names leaves empty, and the pairing of rows' title parts that no row has (pure, no model).

Notion writes a database row's properties at the top of its page ("- **Age:** 67", "- **First
appears:** ch. 1") and leaves an empty one out. "agathe first appears which ch" over the row of
Agathe Marrow, which has no "First appears" where the other characters' rows have one, asks what
the notes leave empty: however well the row's other lines match, the question is declined. So is
"mossback response date" over a submission still waiting for its response, and "when did i send
nine kinds of rain to uncanny hours" where no submission pairs that story with that market. A
table row is read so too: "Q4 BAS net payable" over the row "| Q4 | Apr–Jun 2026 | | | 25/08/2026 |"
asks the net payable the row leaves blank.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from secondbrain_core.agent.evidence import PROPERTY, Candidate, cells, first_chunks, opens_record, stem, terms
from secondbrain_core.agent.question_forms import asked_form
from secondbrain_core.rag.chunking import TABLE_SEPARATOR

_YEAR = re.compile(r"\d{4}")
_CLIPPED_NAME = 4  # a property's name clips a word to this many letters or fewer ("DEF gal", "Qty")
_TITLE_PARTS = re.compile(r"\s+[–—-]\s+")  # "Story – Market": what a row's title pairs
# a line that says its value is not known yet: "Vet not allocated yet", "Next test: tbc"
# "tbc" spelled out too: "Guarantors to be named at the meeting"
_NOT_KNOWN = re.compile(
    r"\bnot\s+(?:\w+\s+){0,2}yet\b|\b(?:tbc|tbd|tba|unknown|n/a|not known|not recorded)\b"
    r"|\bto be (?:named|decided|confirmed|announced|agreed|determined|arranged|fixed|set)\b",
    re.I,
)
# "who supplies", "who teaches", "who owns": a verb whose doer a row names ("Supplier", "Owner")
_WHO_DOES = re.compile(r"\bwho\s+(\w+?)(ies|es|s)\b", re.I)


def property_keys(text: str) -> list[str]:
    """The names of the properties a record's text opens with, in order."""
    keys = []
    for line in text.splitlines():
        key = PROPERTY.match(line)
        if key is None:
            break
        keys.append(key.group(1).strip())
    return keys


def property_left_empty(
    question_terms: Sequence[str], candidates: Sequence[Candidate], question: str = ""
) -> tuple[str, str] | None:
    """(title, property) when the question names rows by words of their titles and a property by
    all the words of its name (or by what its holder does: "who supplies" names a "Supplier"), a
    row found of the same database (most of its properties alike) has that property, and no row
    named holds those words in its title or in one line that knows its value; else None. A row
    named by a year alone is not named."""
    asked = set(question_terms) | set(names_asked(question))
    pages = first_chunks(candidates)
    keys = _rows_keys(pages)
    named = [c for c in pages if c.page_id in keys and _names_record(c, asked)]
    # "josh nguyen RSA expiry" names the row of Josh Nguyen, not Josh Whitford's, whose title it
    # names in part; "monthly deduction on LN-2026-008" names that loan, not LN-2026-001
    most = max((len(asked & set(terms(c.title))) for c in named), default=0)
    named = [c for c in named if set(terms(c.title)) <= asked] or [
        c for c in named if len(asked & set(terms(c.title))) == most
    ]
    for row in named:
        for other in (c for c in pages if c.page_id in keys and _same_database(keys[row.page_id], keys[c.page_id])):
            for key in keys[other.page_id]:
                # a name joining two with a slash names each: "rc # for ccf-26-0223" asks the
                # "Broker / RC #" its row leaves out
                for wanted in (set(terms(name)) for name in key.split("/")):
                    if wanted and _all_asked(wanted, asked) and not any(_holds(c, wanted) for c in named):
                        return row.title, key
    return None


def _all_asked(wanted: set[str], asked: set[str]) -> bool:
    """Whether the question asks every word of a property's name, as written or in full where the
    name clips it: "def gallons at shamrock" asks the "DEF gal" of the row of TA Shamrock."""
    return all(
        word in asked
        or (len(word) <= _CLIPPED_NAME and any(a.startswith(word) and len(a) > len(word) + 1 for a in asked))
        for word in wanted
    )


def _names_record(row: Candidate, asked: set[str]) -> bool:
    """Whether the question names a row: by a word of its title (a year alone names none), or by
    two words or more of one of its properties' values, a name ("how did carmen yeoh pay" names
    the job card whose Customer is "Ms Carmen Yeoh")."""
    if any(not _YEAR.fullmatch(t) for t in asked & set(terms(row.title))):
        return True
    values = [line[match.end() :] for line in row.text.splitlines() if (match := PROPERTY.match(line))]
    return _names_by_value(values, asked)


def _rows_keys(pages: Sequence[Candidate]) -> dict[str, list[str]]:
    """The property names of each page found that is a database row's, by page id."""
    return {c.page_id: property_keys(c.text) for c in pages if opens_record(c.text, 0)}


def _same_database(keys: list[str], other: list[str]) -> bool:
    """Whether two rows' properties are mostly alike: rows of one database leave different ones
    empty, rows of two databases share few ("Date" and "Status" at most)."""
    return len(set(keys) & set(other)) >= max(2, len(keys) / 2)


def _holds(row: Candidate, wanted: set[str]) -> bool:
    """Whether the row's title or one of its lines holds all the `wanted` words and knows the
    value: "Date sent" and "no response yet" do not hold a response date, nor the free text "Vet
    not allocated yet" a vet (a property holds what it is set to, "Status: tbd" too)."""
    return wanted <= set(terms(row.title)) or any(
        wanted <= set(terms(line)) and (PROPERTY.match(line) or not _NOT_KNOWN.search(line))
        for line in row.text.splitlines()
    )


def names_asked(question: str) -> list[str]:
    """The property a question asks by its wording rather than by name, as terms: the doer of
    "who does …" ("who supplies the butorphanol" asks the row's "Supplier", "who teaches soil" its
    "Teacher"), and the "Date" of "when is …" ("when is the CA upgrade indoc" over a row whose
    Date is empty)."""
    doers = [stem(f"{base}{'ier' if ending == 'ies' else 'er'}") for base, ending in _WHO_DOES.findall(question)]
    return doers + ([stem("date")] if asked_form(question) == "date" else [])


def unrecorded_pairing(question_terms: Sequence[str], candidates: Sequence[Candidate]) -> str | None:
    """The parts of rows' titles a question pairs when no row is titled with both: rows of one
    database are titled by what they pair ("Nine Kinds of Rain – Mossback Magazine", "Lamplighter's
    Daughter – Uncanny Hours"), and "when did i send nine kinds of rain to uncanny hours" names a
    story and a market no row pairs, though rows of each match it well. Parts are named whole, at
    two places of the titles (a story and a market, not two stories to compare); else None."""
    asked = set(question_terms)
    pages = first_chunks(candidates)
    keys = _rows_keys(pages)
    parts = {c.page_id: _TITLE_PARTS.split(c.title) for c in pages if c.page_id in keys}
    named = {
        (page, place, part)
        for page, titled in parts.items()
        if len(titled) >= 2
        for place, part in enumerate(titled)
        if (words := set(terms(part))) and words <= asked and not all(map(_YEAR.fullmatch, words))
    }
    if len({place for _, place, _ in named}) < 2:
        return None
    pages_named = [page for page, _, _ in sorted(named)]
    if any(pages_named.count(page) >= 2 for page in pages_named):
        return None
    first = keys[pages_named[0]]
    if not all(_same_database(first, keys[page]) for page in pages_named):
        return None
    return " and ".join(sorted({part for _, _, part in named}))


def cell_left_empty(
    question_terms: Sequence[str], candidates: Sequence[Candidate], question: str = ""
) -> tuple[str, str] | None:
    """(row, column) when the question names a table's rows by their first cell (all its words,
    or two: "nether scar" names "Nether Scar Farm") or by a name in another cell, and a column
    (not the first) by all the words of its header or by its wording (`names_asked`), and the rows
    named best leave that column's cell blank in every table found: "mary wairimu loan amount" is
    answered by the loans table's Amount, though the payout sheet's Loan cell for her is "–";
    else None."""
    asked = set(question_terms) | set(names_asked(question))
    found = []  # (how many of the question's words name the row, blank, row, column) of each cell asked
    for candidate in candidates:
        for header, rows in tables(candidate.text):
            # the words naming the rows' kind name no column: "third payment" asks no "Paid"
            naming = asked - set(terms(header[0])) if header else asked
            columns = [n for n, name in enumerate(header) if n and (words := set(terms(name))) and words <= naming]
            for row in rows:
                if _names_row(set(terms(row[0])), asked) or _names_by_value(row[1:], asked):
                    named = max(len(asked & set(terms(cell))) for cell in row)
                    found.extend((named, _blank(row, n), row[0], header[n]) for n in columns)
    # the rows named best: "iridium spark plug part number" names the iridium plug's row, not the
    # standard plug's, whose part number is filled
    best = max((named for named, *_ in found), default=0)
    asked_cells = [(blank, row, column) for named, blank, row, column in found if named == best]
    if asked_cells and all(blank for blank, _, _ in asked_cells):
        return asked_cells[0][1], asked_cells[0][2]
    return None


def _blank(row: list[str], column: int) -> bool:
    """Whether a row's cell in `column` says nothing: empty, a dash or a placeholder ("–", "tbc")."""
    cell = row[column].strip() if column < len(row) else ""
    return not cell.strip("-–—?") or bool(_NOT_KNOWN.fullmatch(cell))


def _names_row(key: set[str], asked: set[str]) -> bool:
    return bool(key) and (key <= asked or len(key & asked) >= 2)


def _names_by_value(values: Iterable[str], asked: set[str]) -> bool:
    """Whether two words or more of one of a row's values (its cells past the first, its
    properties) are asked: a name ("Ms Carmen Yeoh" under "Customer") names its row as its title
    does."""
    return any(len(asked & set(terms(value))) >= 2 for value in values)


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each Markdown table of `text` under its header: the header's cells and each row's cells."""
    lines = text.splitlines()
    found = []
    n = 0
    while n + 1 < len(lines):
        if lines[n].lstrip().startswith("|") and TABLE_SEPARATOR.match(lines[n + 1]):
            rows = list(itertools.takewhile(lambda line: line.lstrip().startswith("|"), lines[n + 2 :]))
            found.append((cells(lines[n]), [cells(row) for row in rows]))
            n += 2 + len(rows)
        else:
            n += 1
    return found
