"""The retrieval set builders in benchmarks/retrieval, run as a user runs them, on tiny made-up sources.

The real corpora (Debian's man pages, python3-doc) are not needed: each test writes a few pages
in the same formats, builds the set twice and checks that both runs give the same bytes and
the judgments the builder's rule promises.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

BUILDERS = Path(__file__).resolve().parent.parent / "benchmarks" / "retrieval"


def build_twice(script: str, source: Path, tmp_path: Path) -> dict[str, bytes]:
    """Every file the builder writes, by relative path, after checking a second run writes the same bytes."""
    runs = []
    for run in ("first", "second"):
        out = tmp_path / run
        subprocess.run(
            [sys.executable, str(BUILDERS / script), "--source", str(source), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        runs.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert runs[0] == runs[1]
    return runs[0]


def judged(files: dict[str, bytes], name: str = "qrels.tsv") -> set[tuple[str, str, str]]:
    rows = files[name].decode().splitlines()
    assert rows[0] == "query-id\tcorpus-id\tscore"
    return {tuple(row.split("\t")) for row in rows[1:]}


def queries(files: dict[str, bytes]) -> dict[str, str]:
    return {q["_id"]: q["text"] for q in map(json.loads, files["queries.jsonl"].decode().splitlines())}


def assert_halves_partition(files: dict[str, bytes]) -> None:
    """Tune and test split the judgments by query: together all of them, no query in both."""
    tune, test = judged(files, "qrels-tune.tsv"), judged(files, "qrels-test.tsv")
    assert tune | test == judged(files) and not {q for q, _, _ in tune} & {q for q, _, _ in test}


ENGLISH = ("NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO")
GERMAN = ("BEZEICHNUNG", "ÜBERSICHT", "BESCHREIBUNG", "SIEHE AUCH")


def man_page(
    name: str,
    description: str,
    body: str,
    project: str = "Linux man-pages 6.03",
    headings: tuple[str, str, str, str] = ENGLISH,
) -> bytes:
    """A gzipped page in troff source, its sections headed as its language heads them."""
    title, synopsis, described, see_also = headings
    return gzip.compress(
        f'.\\" a comment\n.TH {name} 3 2023-02-05 "{project}"\n.SH {title}\n{name} \\- {description}\n'
        f".SH {synopsis}\n.B #include <math.h>\n.SH {described}\n{body}\n.SH {see_also}\n.BR cos (3)\n".encode(),
        mtime=0,
    )


def test_manpages_names_set_is_deterministic_and_judges_every_page_giving_the_description(tmp_path: Path) -> None:
    source = tmp_path / "man"
    (source / "man3").mkdir(parents=True)
    (source / "man3" / "sin.3.gz").write_bytes(
        man_page(
            "sin",
            "sine function",
            ".BR sin ()\nreturns the \\fIsine\\fP of\n.IR x ,\nin radians.\n.PP\n"
            "The value \\[aq]x\\[aq] is \\- finite. Third sentence here. A fourth is left out.",
        )
    )
    (source / "man3" / "sinf.3.gz").write_bytes(man_page("sinf", "sine function", "The float variant."))
    (source / "man3" / "sinh.3.gz").write_bytes(man_page("sinh", "hyperbolic sine of a number", "Hyperbolic."))
    (source / "man3" / "perl.3.gz").write_bytes(man_page("perl", "sine function", "Not ours.", project="perl"))
    (source / "man3" / "sinl.3.gz").symlink_to("sin.3.gz")

    files = build_twice("build_manpages_names.py", source, tmp_path)

    assert sorted(files) == [
        "corpus/sin.3.md",
        "corpus/sinf.3.md",
        "corpus/sinh.3.md",
        "qrels-test.tsv",
        "qrels-tune.tsv",
        "qrels.tsv",
        "queries.jsonl",
    ]
    assert files["corpus/sin.3.md"].decode() == (
        "# sin\n\nsin() returns the sine of x, in radians. The value 'x' is - finite. Third sentence here.\n"
    )
    assert queries(files) == {"sine-function": "sine function"}  # four words: a note, not a query
    assert judged(files) == {("sine-function", "sin.3", "2"), ("sine-function", "sinf.3", "2")}
    assert_halves_partition(files)


def german_page(name: str, description: str, body: str) -> bytes:
    return man_page(name, description, body, project="GNU coreutils 9.1", headings=GERMAN)


def test_translated_set_reads_german_sections_of_any_project_and_keys_queries_without_accents(tmp_path: Path) -> None:
    source = tmp_path / "de"
    (source / "man1").mkdir(parents=True)
    (source / "man1" / "ls.1.gz").write_bytes(
        german_page("ls", "Verzeichnisinhalte auflisten", "Auflistung von Informationen über die DATEIen.")
    )
    (source / "man1" / "dir.1.gz").write_bytes(german_page("dir", "Verzeichnisinhalte auflisten", "Wie ls."))
    (source / "man1" / "chmod.1.gz").write_bytes(german_page("chmod", "Dateimodusbits ändern", "Ändert Bits."))
    (source / "man1" / "uname.1.gz").write_bytes(german_page("uname", "Systeminformationen ausgeben und mehr", "X."))
    (source / "man1" / "leer.1.gz").write_bytes(german_page("leer", "keine Beschreibung", ""))

    files = build_twice("build_manpages_translated.py", source, tmp_path)

    assert sorted(name for name in files if name.startswith("corpus/")) == [
        "corpus/chmod.1.md",
        "corpus/dir.1.md",
        "corpus/ls.1.md",
        "corpus/uname.1.md",
    ]
    assert files["corpus/ls.1.md"].decode() == "# ls\n\nAuflistung von Informationen über die DATEIen.\n"
    assert queries(files) == {  # four words: a note, not a query (the default --max-words 3)
        "dateimodusbits-andern": "Dateimodusbits ändern",
        "verzeichnisinhalte-auflisten": "Verzeichnisinhalte auflisten",
    }
    assert judged(files) == {
        ("dateimodusbits-andern", "chmod.1", "2"),
        ("verzeichnisinhalte-auflisten", "dir.1", "2"),
        ("verzeichnisinhalte-auflisten", "ls.1", "2"),
    }
    assert_halves_partition(files)


RST_PAGE = """\
.. _label:

*****************
Compound things
*****************

.. index:: pair: dangling; else

Intro text with :keyword:`else`.

The if statement
================

.. index::
   ! statement: if
   builtin: range
   single: everywhere

Body of *if*.

Nested part
-----------

.. index:: see: elsewhere; if statement

Deep text.
"""


def test_python_index_set_is_deterministic_with_markdown_headings_and_index_terms_as_queries(tmp_path: Path) -> None:
    source = tmp_path / "sources"
    for chapter in ("reference", "tutorial", "howto", "using"):
        (source / chapter).mkdir(parents=True)
        (source / chapter / "page.rst.txt").write_text(
            RST_PAGE
            if chapter == "reference"
            else f"Title {chapter}\n{'=' * 20}\n\n.. index:: everywhere, if\n\nText.\n"
        )

    files = build_twice("build_python_index.py", source, tmp_path)

    assert files["corpus/reference-page.md"].decode() == (
        "# Compound things\n\nIntro text with else.\n\n## The if statement\n\nBody of *if*.\n\n"
        "### Nested part\n\nDeep text.\n"
    )
    assert queries(files) == {
        "dangling-else": "dangling else",
        "elsewhere": "elsewhere",
        "if": "if",
        "if-statement": "if statement",
        "range-built-in-function": "range built-in function",
    }  # "everywhere" is indexed by all four pages: too generic to judge
    assert judged(files) == {
        ("dangling-else", "reference-page", "2"),
        ("elsewhere", "reference-page", "2"),
        ("if", "howto-page", "2"),
        ("if", "tutorial-page", "2"),
        ("if", "using-page", "2"),
        ("if-statement", "reference-page", "2"),
        ("range-built-in-function", "reference-page", "2"),
    }
    assert_halves_partition(files)


def stanza(name: str, description: str, tags: str = "", source: str = "") -> str:
    lines = [f"Package: {name}", *([f"Source: {source} (1.0-1)"] if source else []), "Version: 1.0-1"]
    lines += [f"Description: {description}", *([f"Tag: {tags}"] if tags else []), "Section: misc"]
    return "\n".join(lines) + "\n"


def test_debian_tags_set_is_deterministic_with_topical_tags_as_queries(tmp_path: Path) -> None:
    # sources pkg33 and pkg48 fall in the builder's 1-in-17 hash sample, pkg0 does not
    source = tmp_path / "lists"
    source.mkdir()
    packages = [
        stanza("pkg33", "Real-time strategy game", "game::strategy, role::program,\n use::gameplaying"),
        stanza("libpkg33-dev", "Real-time strategy game (development files)", "game::strategy", source="pkg33"),
        stanza("pkg33-data", "Untagged data", source="pkg33"),
        stanza("pkg48", "Archive tool", "use::compressing, works-with-format::zip, devel::lang:python"),
        stanza("pkg0", "Not in the sample", "use::compressing"),
        stanza("pkg48-doc", "TODO tags only", "works-with-format::TODO, interface::commandline", source="pkg48"),
    ]
    (source / "x_main_binary-amd64_Packages").write_text("\n".join(packages), encoding="utf-8")
    (source / "x_Release").write_text("not a package list\n", encoding="utf-8")

    files = build_twice("build_debian_tags.py", source, tmp_path)

    assert sorted(p for p in files if p.startswith("corpus/")) == [
        "corpus/libpkg33-dev.md",
        "corpus/pkg33.md",
        "corpus/pkg48-doc.md",
        "corpus/pkg48.md",
    ]
    assert files["corpus/pkg33.md"].decode() == "# pkg33\n\nReal-time strategy game\n"
    assert queries(files) == {
        "compressing": "compressing",
        "gameplaying": "gameplaying",
        "python": "python",
        "strategy-game": "strategy game",
        "zip": "zip",
    }
    assert judged(files) == {
        ("compressing", "pkg48", "2"),
        ("gameplaying", "pkg33", "2"),
        ("python", "pkg48", "2"),
        ("strategy-game", "libpkg33-dev", "2"),
        ("strategy-game", "pkg33", "2"),
        ("zip", "pkg48", "2"),
    }
    assert_halves_partition(files)
