"""A cheap quality score in [0, 1] from what a page looks like, with the parts that decided it.

What makes a page worth retrieving or training on, measurable without a model:
- length: a stub of a few words answers nothing;
- link density: a page that is mostly links (a table of contents, a link list) says little itself;
- boilerplate: navigation lines (Prev/Next/Home), cookie and copyright notices, bare property
  lines (`- **Status:** Done`) that carry no prose;
- language: prose has function words (English, and the commonest of German, French, Spanish,
  Italian, Portuguese and Dutch); a dump of identifiers or numbers has none (code blocks are
  left out of this one, code in a note is fine);
- duplication: most of its word shingles already appear in another document of the batch (mild:
  at most halves this component; exact copies are removed by the SQL models instead).

Each component is in [0, 1]. Length and link density are gates (multiplied in): a stub or a
link list is poor however clean it is. The other three are averaged geometrically, so one very
bad part still pulls the score down without zeroing it.

A person's own note gets full marks for length and language (both are still reported): "Wi-Fi:
hunter2", "Buy milk, eggs, bread" or a packing list answer questions their author will ask, and
the filter dropped them from the index (a 4-word note scored 0.02). Those two catch what crawled
pages get wrong (a stub, an identifier dump); training data has its own floor of 80 words
(`finetune_documents.sql`). Link lists and navigation still score low in a note too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pydantic import BaseModel

HEURISTIC_VERSION = "heuristic-v2"
GATES = ("length", "link_density")
CRAWLED_ONLY = ("length", "language")  # full marks for a person's own note (see above)
# length ramps (log scale) from 0 at MIN_WORDS to 1 at FULL_WORDS: a one-line note can be a good one
MIN_WORDS, FULL_WORDS = 3, 12
SHINGLE = 5
GLOSS_CHARS = 80  # text after the opening link that still makes a line a link line

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_BARE_URL = re.compile(r"https?://\S+")
_LINK_LINE = re.compile(r"^\s*(?:[-*+]\s+|\d+\.\s+|\|\s*)?(?:\*\*)?!?\[[^\]]*\]\([^)]*\)")
_WORD = re.compile(r"[^\W\d_][^\W\d_'-]*(?:['-][^\W\d_]+)*")  # letters of any script ("für", "déplacée")
_PROPERTY_LINE = re.compile(r"^\s*[-*]\s+\*\*[^*]{1,40}:\*\*\s*.{0,80}$")
_BOILERPLATE_LINE = re.compile(
    r"^\s*(prev(ious)?|next|up|home|skip to (main )?content|back to top|table of contents|menu|search|"
    r"log ?in|sign ?(in|up)|subscribe|share|print)\s*$|cookie|all rights reserved|©|copyright \d{4}|"
    r"privacy policy|terms of (use|service)",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    {
        *("the", "a", "an", "of", "to", "in", "is", "are", "and", "or", "for", "on", "with", "by", "as"),
        *("be", "it", "that", "this", "which", "from", "at", "not", "can", "if", "was", "were", "has"),
        *("have", "will", "when", "you", "your", "its", "than", "then", "so", "but", "all", "any", "each"),
        *("there", "their", "these"),
        # the commonest function words of the other languages notes and pages are most often written in
        # (not those that identifiers spell too: "os", "em", "y", "o")
        *("der", "die", "das", "und", "ist", "nicht", "mit", "für", "auf", "ein", "eine", "den", "dem", "von"),
        *("le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "pour", "dans", "que", "qui", "sur"),
        *("el", "los", "las", "con", "por", "para", "del", "una", "como", "pero", "muy"),
        *("il", "di", "che", "per", "non", "della", "sono", "gli", "nel", "não", "com", "uma", "mais"),
        *("het", "een", "van", "niet", "met", "voor", "zijn", "dat", "ook"),
    }
)


class HeuristicScore(BaseModel):
    score: float
    components: dict[str, float]
    words: int


def prose_lines(markdown: str) -> list[str]:
    """Non-empty lines outside fenced code blocks."""
    lines, in_fence = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and line.strip():
            lines.append(line)
    return lines


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(_LINK.sub(r"\1", _BARE_URL.sub(" ", text)))]


def length_score(words: int) -> float:
    if words <= MIN_WORDS:
        return 0.0
    return min(1.0, math.log(words / MIN_WORDS) / math.log(FULL_WORDS / MIN_WORDS))


def link_share(lines: list[str]) -> float:
    """Share of the text (in characters) on link lines: a line that opens with a link and adds at
    most a short gloss ("[ABORT](url) — abort the current transaction"), as tables of contents
    and link lists are made; a paragraph with a link or two inside is not one."""
    total = linked = 0
    for line in lines:
        size = len(line.strip())
        total += size
        opening = _LINK_LINE.match(line)
        if opening and len(_LINK.sub(" ", line[opening.end() :]).strip()) <= GLOSS_CHARS:
            linked += size
    return linked / total if total else 1.0


def boilerplate_ratio(lines: list[str]) -> float:
    """Share of the text (in characters) on navigation, notice or bare property lines."""
    total = sum(len(line.strip()) for line in lines)
    hits = sum(len(line.strip()) for line in lines if _BOILERPLATE_LINE.search(line) or _PROPERTY_LINE.match(line))
    return hits / total if total else 1.0


def language_score(words: list[str]) -> float:
    """Function-word share of the prose, 0 at none and 1 from 15% (English prose runs 35-50%)."""
    if not words:
        return 0.0
    share = sum(1 for w in words if w in _STOPWORDS) / len(words)
    return min(1.0, share / 0.15)


def shingles(words: list[str]) -> set[int]:
    if len(words) < SHINGLE:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


def score_markdown(markdown: str, duplicate_share: float = 0.0, *, own_note: bool = False) -> HeuristicScore:
    """The heuristic score of one document; `duplicate_share` from `duplicate_shares` over its batch;
    `own_note` for a note of the person's (not a crawled page): length and language count as full."""
    lines = prose_lines(markdown)
    words = words_of("\n".join(lines))
    all_words = len(words_of(markdown))
    components = {
        "length": length_score(all_words),
        "link_density": 1.0 - min(1.0, max(0.0, (link_share(lines) - 0.25) / 0.5)),
        "boilerplate": 1.0 - boilerplate_ratio(lines),
        "language": language_score(words) if words else (1.0 if all_words else 0.0),
        "duplication": 1.0 - 0.5 * max(0.0, (duplicate_share - 0.5) / 0.5),
    }
    # a note's length and language count as full marks: left out, the mean of the rest would weigh
    # duplication more than it does for everything else
    score = _combine({**components, **dict.fromkeys(CRAWLED_ONLY, 1.0)} if own_note else components)
    return HeuristicScore(
        score=round(score, 4), components={k: round(v, 4) for k, v in components.items()}, words=all_words
    )


def duplicate_shares(markdowns: Sequence[str]) -> list[float]:
    """For each document, the largest share of its 5-word shingles that one other document holds.

    Only a larger document (or an equal one earlier in the batch) counts as the other: of two
    copies the first keeps its score, and a page quoting a paragraph of a longer one is the
    one marked, not the longer page.
    """
    sets = [shingles(words_of(m)) for m in markdowns]
    holders: dict[int, list[int]] = {}
    for i, mine in enumerate(sets):
        for shingle in mine:
            holders.setdefault(shingle, []).append(i)
    shares = []
    for i, mine in enumerate(sets):
        overlap: dict[int, int] = {}
        for shingle in mine:
            for j in holders[shingle]:
                if j != i and (len(sets[j]), -j) > (len(mine), -i):
                    overlap[j] = overlap.get(j, 0) + 1
        shares.append(max(overlap.values(), default=0) / len(mine) if mine else 0.0)
    return shares


def _combine(components: dict[str, float]) -> float:
    gate = math.prod(components[k] for k in GATES)
    rest = [max(v, 1e-3) for k, v in components.items() if k not in GATES]
    return gate * math.exp(sum(math.log(v) for v in rest) / len(rest))
