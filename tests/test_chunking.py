"""Chunker properties (bound, coverage, intact code and tables) and content-hash ids."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.chunking import MIN_TOKENS, chunk_page
from secondbrain_core.rag.tokens import count_tokens
from secondbrain_core.sources.page import Page

WORDS = st.sampled_from(
    ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "pi"]
)
FENCE = re.compile(r"^(`{3,}|~{3,})")


def _sentence(words: list[str]) -> str:
    return " ".join(words).capitalize() + "."


paragraphs = st.lists(st.lists(WORDS, min_size=1, max_size=25).map(_sentence), min_size=1, max_size=12).map(" ".join)
headings = st.tuples(st.integers(1, 4), st.lists(WORDS, min_size=1, max_size=3)).map(
    lambda t: "#" * t[0] + " " + " ".join(t[1]).title()
)
# code lines short enough to fit any bound tried: only an over-long single line may be cut
code_blocks = st.lists(st.lists(WORDS, min_size=1, max_size=4).map(lambda w: "x = " + "_".join(w)), min_size=1).map(
    lambda lines: "```python\n" + "\n".join(lines) + "\n```"
)
tables = st.lists(st.tuples(WORDS, WORDS), min_size=1, max_size=40).map(
    lambda rows: "| key | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
)
documents = st.lists(st.one_of(paragraphs, headings, code_blocks, tables), min_size=1, max_size=12).map("\n\n".join)


def _page(markdown: str, page_id: str = "p1") -> Page:
    return Page(
        id=page_id, source="s", title="T", url="u", markdown=markdown, last_edited_time=datetime(2024, 5, 1, tzinfo=UTC)
    )


def _code_blocks(markdown: str) -> list[list[str]]:
    blocks, current = [], None
    for line in markdown.splitlines():
        if FENCE.match(line):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return blocks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown=documents, max_tokens=st.integers(32, 160), overlap=st.integers(0, 40))
def test_chunks_are_bounded_cover_the_text_and_keep_code_and_rows_whole(markdown, max_tokens, overlap) -> None:
    chunks = chunk_page(_page(markdown), max_tokens, overlap)

    assert all(count_tokens(c.text) <= max_tokens for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    # every occurrence of every word is kept (overlap, repeated headings and re-fencing only add):
    # a dropped paragraph or sentence lowers some word's count below the page's
    assert Counter(markdown.split()) <= Counter(word for c in chunks for word in c.text.split())
    for chunk in chunks:
        fences = [line for line in chunk.text.splitlines() if FENCE.match(line)]
        assert len(fences) % 2 == 0, chunk.text  # no chunk opens a fence it does not close
    chunk_code_lines = {line for c in chunks for block in _code_blocks(c.text) for line in block}
    assert {line for block in _code_blocks(markdown) for line in block} <= chunk_code_lines
    rows = {line for line in markdown.splitlines() if line.startswith("|")}
    assert rows <= {line for c in chunks for line in c.text.splitlines()}  # rows never cut


def test_heading_path_and_metadata() -> None:
    page = _page("# Guide\n\nIntro.\n\n## Install\n\nRun it.\n\n### Linux\n\nUse apt.\n\n## Use\n\nCall it.")
    page = page.model_copy(update={"properties": {"Tags": ["howto", "cli"], "Status": "done"}})
    chunks = chunk_page(page, 64, 8)
    assert [c.heading_path for c in chunks] == [
        ["Guide"],
        ["Guide", "Install"],
        ["Guide", "Install", "Linux"],
        ["Guide", "Use"],
    ]
    assert chunks[2].text == "### Linux\n\nUse apt."
    edited = page.last_edited_time.isoformat()
    assert chunks[0].metadata == {"source": "s", "tags": ["cli", "howto"], "last_edited_time": edited}
    categorized = page.model_copy(update={"properties": {"Category": "Recipes, Baking", "Area": ["Home"]}})
    assert chunk_page(categorized, 64, 8)[0].metadata["tags"] == ["Baking", "Home", "Recipes"]
    assert {c.page_id for c in chunks} == {"p1"} and {c.url for c in chunks} == {"u"}


def test_long_code_block_is_split_at_lines_and_refenced() -> None:
    lines = [f"value_{i} = compute({i}) + offset" for i in range(60)]
    chunks = chunk_page(_page("```python\n" + "\n".join(lines) + "\n```"), 64, 16)
    assert len(chunks) > 1
    for chunk in chunks:
        body = chunk.text.splitlines()
        assert body[0] == "```python" and body[-1] == "```"
        assert set(body[1:-1]) <= set(lines)
    assert [line for c in chunks for line in c.text.splitlines()[1:-1]] == lines  # in order, no overlap in code


def test_long_table_repeats_its_header() -> None:
    rows = [f"| item {i} | price {i} |" for i in range(50)]
    chunks = chunk_page(_page("| item | price |\n|---|---|\n" + "\n".join(rows)), 64, 16)
    assert len(chunks) > 1
    assert all(c.text.startswith("| item | price |\n|---|---|\n") for c in chunks)
    assert [line for c in chunks for line in c.text.splitlines()[2:]] == rows


def test_a_long_paragraph_of_lines_is_cut_between_lines() -> None:
    """Fields a line ("**Valid until:** 26/3/2026") are never cut inside a line, and the lines of
    one paragraph stay lines in every chunk (no two fields joined on one line)."""
    lines = [f"**Field {i}:** value {i}, written 26/3/2026 at 12:{i:02d}." for i in range(40)]
    chunks = chunk_page(_page("\n".join(lines)), 64, 16)
    assert len(chunks) > 1
    held = [line for c in chunks for line in c.text.splitlines()]
    assert set(held) == set(lines)  # each line whole, on its own line
    assert list(dict.fromkeys(held)) == lines  # in order; overlap only repeats


def test_prose_overlap_repeats_trailing_sentences() -> None:
    text = " ".join(f"Sentence number {i} is short." for i in range(60))
    chunks = chunk_page(_page(text), 48, 16)
    for before, after in itertools.pairwise(chunks):
        first_sentence = after.text.split(". ")[0] + "."
        assert first_sentence in before.text  # the next chunk opens with the previous one's tail


def test_ids_are_content_hashes() -> None:
    base = "# One\n\nFirst section text.\n\n# Two\n\nSecond section text."
    ids = [c.chunk_id for c in chunk_page(_page(base), 64, 8)]
    assert ids == [c.chunk_id for c in chunk_page(_page(base), 64, 8)]
    edited = [c.chunk_id for c in chunk_page(_page(base.replace("Second", "2nd")), 64, 8)]
    assert edited[0] == ids[0] and edited[1] != ids[1]
    inserted = [c.chunk_id for c in chunk_page(_page("# Zero\n\nNew on top.\n\n" + base), 64, 8)]
    assert inserted[1:] == ids  # positions shift, ids do not
    other_page = [c.chunk_id for c in chunk_page(_page(base, page_id="p2"), 64, 8)]
    assert not set(other_page) & set(ids)
    repeated = chunk_page(_page("Same text.\n\n" + "x " * 60 + "\n\nSame text."), 16, 0)
    assert len({c.chunk_id for c in repeated}) == len(repeated)


def test_too_small_bound_names_the_setting() -> None:
    with pytest.raises(SecondBrainError, match="SECONDBRAIN_CHUNK_TOKENS"):
        chunk_page(_page("text"), MIN_TOKENS - 1, 0)
    tight = chunk_page(_page("```\n" + "x = 1\n" * 30 + "```\n\n| a | b |\n|---|---|\n| 1 | 2 |"), MIN_TOKENS, 4)
    assert all(count_tokens(c.text) <= MIN_TOKENS for c in tight)
