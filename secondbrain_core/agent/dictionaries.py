"""English words as notes in another language write them, from bilingual dictionaries the user
has installed (FreeDict in dictd format, as Debian's `dict-freedict-<lang>-eng` packages ship it).

Someone who keeps their notes in German asks "car insurance monthly" of a note that says
"Versicherung … monatlich": no word of the question is in the notes, and the English embedding
model reads German poorly, so neither ranker finds the note. Looking the notes' own words up in a
`<lang>-eng` dictionary gives, for each English word, the words the notes use for it. Only words
the notes hold are looked up, so the table is small and says nothing of words no note uses; it is
built once per index and kept next to it. Nothing is downloaded: with no dictionary installed the
table is empty and questions are searched as typed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from secondbrain_core.agent.spelling import WHOLE_WORD
from secondbrain_core.rag.keyword import plain

log = logging.getLogger(__name__)

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_INDEX = re.compile(r"freedict-(?P<lang>[a-z]{3})-eng\.index$")
# what a translation line carries besides the translation: "[fin.] insurance <n>, assurance <n> [Br.]"
_MARKS = re.compile(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)|\{[^}]*\}|/[^/]*/")
_ENGLISH_WORD = re.compile(r"[a-z]+")
MAX_WORDS_PER_GLOSS = 2  # "tax refund" → "Steuererstattung"; longer glosses explain, not translate
MIN_NOTE_WORD = 4  # shorter notes words are mostly function words ("der", "die", "les")
LANGUAGE_SHARE = 3  # a dictionary knowing a third as many of the notes' words as the best is of their language
# the share of the notes' non-English words a dictionary must know for them to be in its language
# (on the ten judged sets: 1.5–5 % for notes wholly in English, 13–71 % for notes partly or wholly
# in German, French, Spanish, Italian or Portuguese)
MIN_NOTES_SHARE = 0.10
TABLE_FORMAT = 4  # bumped when `translations` ranks or reads otherwise: a kept table is then rebuilt


def installed(folder: Path) -> list[Path]:
    """The `<lang>-eng` dictionaries (their .index files) in `folder` with their data beside them."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.glob("freedict-*-eng.index")
        if (named := _INDEX.search(path.name)) and named["lang"] != "eng" and _data_file(path) is not None
    )


def _data_file(index: Path) -> Path | None:
    stem = index.name[: -len(".index")]
    return next((p for p in (index.with_name(f"{stem}.dict.dz"), index.with_name(f"{stem}.dict")) if p.exists()), None)


def _number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64.index(char)
    return value


def headwords(index: Path, wanted: set[str]) -> dict[str, list[tuple[int, int]]]:
    """Where the dictionary at `index` keeps the entries whose headword, lower-cased without
    accents, is in `wanted`: (offset, length) in its data, keyed by that folded headword."""
    spans: dict[str, list[tuple[int, int]]] = {}
    with index.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 3 and (key := plain(fields[0].lower())) in wanted:
                spans.setdefault(key, []).append((_number(fields[1]), _number(fields[2])))
    return spans


def read_entries(index: Path, spans: Mapping[str, list[tuple[int, int]]]) -> dict[str, list[str]]:
    """The entries at `spans` (`headwords`) of the dictionary at `index`, as text."""
    if not spans:
        return {}
    data_path = _data_file(index)
    data = gzip.decompress(data_path.read_bytes()) if data_path.suffix == ".dz" else data_path.read_bytes()
    return {
        key: [data[start : start + length].decode("utf-8", errors="replace") for start, length in places]
        for key, places in spans.items()
    }


def glosses(entry: str) -> list[list[str]]:
    """The English translations of one entry, sense by sense (first sense first), each a list of
    short phrases: the headword's line, examples, synonyms and cross references left out."""
    senses = []
    for line in entry.split("\n")[1:]:
        text = line.strip()
        if not text or line.startswith("      ") or text.startswith(('"', "Synonym", "see:", "Note:", "Antonym")):
            continue
        phrases = [" ".join(_ENGLISH_WORD.findall(p.lower())) for p in _MARKS.sub(" ", text).split(",")]
        phrases = [p for p in phrases if p and len(p.split()) <= MAX_WORDS_PER_GLOSS]
        if phrases:
            senses.append(phrases)
    return senses


def translations(
    note_words: Mapping[str, int],
    dictionaries: Iterable[Path],
    key: Callable[[str], str],
    english: Callable[[str], bool],
) -> dict[str, list[str]]:
    """English phrase (`key`-normalized, a two-word phrase joined: "taxrefund") → the notes' words
    that translate it, the surest first: the word whose entry gives the phrase in an earlier sense,
    then earlier in that sense ("monatlich: monthly" before "Monate: months, monthly"), then the
    word more chunks hold. `note_words`: the index's words and their chunk counts. A
    word that is `english` too is no translation: English notes hold "rat", "index" and "hotel",
    which a German dictionary also lists, and "council tax" must not become "rat tax". Only the
    dictionaries of the notes' languages are read: those that know at least a `LANGUAGE_SHARE`th
    as many of the notes' words as the one that knows most (French notes hold "vite", which is
    Italian for "vine" too), and none when even that one knows fewer than `MIN_NOTES_SHARE` of
    the notes' words that are not English: those of English notes are names and jargon
    ("autovacuum", "pgbench"), a few of which some dictionary lists in another sense."""
    by_fold: dict[str, str] = {}
    for word in note_words:
        if len(word) >= MIN_NOTE_WORD and word.isalpha() and not english(word):
            by_fold.setdefault(plain(word), word)
    located = {index: spans for index in dictionaries if (spans := _readable(headwords, index, set(by_fold)))}
    most = max(map(len, located.values()), default=0)
    if most < MIN_NOTES_SHARE * len(by_fold):  # notes in English, whose other words are names and jargon
        return {}
    ranked: dict[str, dict[str, tuple[int, int, int]]] = {}
    for index, spans in located.items():
        if len(spans) * LANGUAGE_SHARE < most:  # another language than the notes'
            continue
        for folded, found in (_readable(read_entries, index, spans) or {}).items():
            word = by_fold[folded]
            for entry in found:
                for sense, phrases in enumerate(glosses(entry)):
                    for place, phrase in enumerate(phrases):
                        phrase_key = key("".join(phrase.split()))
                        rank = (sense, place, -note_words[word])
                        best = ranked.setdefault(phrase_key, {})
                        best[word] = min(best.get(word, rank), rank)
    return {phrase_key: sorted(words, key=words.get) for phrase_key, words in ranked.items()}


def _readable(read: Callable, index: Path, *args):
    """`read(index, *args)`, or None when the dictionary is broken (a truncated download, a file
    of another format): it is skipped with a warning, and the question asked as typed."""
    try:
        return read(index, *args)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        log.warning("dictionary %s skipped: %s", index.name, exc)
        return None


def cached_translations(
    note_words: Mapping[str, int],
    folder: Path,
    cache: Path,
    built: str,
    key: Callable[[str], str],
    english: Callable[[str], bool],
) -> dict[str, list[str]]:
    """`translations` of the installed dictionaries, kept in `cache` for the index built at
    `built` (rebuilt when the index, the dictionaries or `TABLE_FORMAT` change)."""
    dictionaries = installed(folder)
    if not dictionaries:
        return {}
    files = [(p.name, p.stat().st_size, p.stat().st_mtime) for p in dictionaries]
    stamp = hashlib.sha256(json.dumps([TABLE_FORMAT, built, files]).encode()).hexdigest()
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(kept, dict) and kept.get("stamp") == stamp and isinstance(kept.get("translations"), dict):
            return kept["translations"]
    except (OSError, ValueError):
        pass  # none kept yet, or a damaged file: built again
    table = translations(note_words, dictionaries, key, english)
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    try:  # written whole or not at all: a reader never sees half a table
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"stamp": stamp, "translations": table}), encoding="utf-8")
        partial.replace(cache)
    except OSError as exc:  # a read-only home costs the next process the build, not this answer
        log.warning("translations not kept at %s: %s", cache, exc)
    return table


def in_notes_words(
    question: str,
    table: Mapping[str, list[str]],
    indexed: Callable[[str], bool],
    key: Callable[[str], str],
    as_typed: Callable[[str], bool],
) -> tuple[str, list[tuple[str, str]]]:
    """`question` with each word no note holds (`indexed` false for its `key`) replaced by the
    notes' word for it, a two-word phrase first ("tax refund" → "Steuererstattung"); words
    `as_typed` are never looked up (stopwords, question words, the words that ask for a form), nor
    are names: a word past the first typed with a capital ("VIN", "Jonas").
    Returns the question and (typed, replacement) pairs."""
    found = list(WHOLE_WORD.finditer(question))
    opening = len(question) - len(question.lstrip())  # where the question's first word starts
    unknown = [
        not as_typed(m.group().lower())
        and not indexed(key(m.group().lower()))
        and not (m.start() > opening and _typed_as_name(m.group()))
        for m in found
    ]
    replaced: list[tuple[re.Match, re.Match, str]] = []
    index = 0
    while index < len(found):
        pair = index + 1 < len(found) and unknown[index] and unknown[index + 1]
        joined = key(found[index].group().lower() + found[index + 1].group().lower()) if pair else ""
        if pair and table.get(joined):
            replaced.append((found[index], found[index + 1], table[joined][0]))
            index += 2
            continue
        if unknown[index] and table.get(key(found[index].group().lower())):
            replaced.append((found[index], found[index], table[key(found[index].group().lower())][0]))
        index += 1
    text, pairs = question, []
    for first, last, word in reversed(replaced):
        pairs.append((question[first.start() : last.end()], word))
        text = text[: first.start()] + word + text[last.end() :]
    return text, pairs[::-1]


def _typed_as_name(word: str) -> bool:
    return any(char.isupper() for char in word)
