"""Keep seed corpora apart from the corpora the public evals are built from.

The public one-line sets are Debian package descriptions (this machine's dpkg status) and
Python's library reference (python3-doc). Many Debian packages repackage a PyPI distribution
(`python3-blinker`) or a CPAN module (`libfile-temp-perl`) with the upstream one-liner, so a seed
read from installed Python metadata or Perl POD could hold the very items the evals score. A seed
document is dropped when its normalized name is an eval item's, when its summary equals, contains
or is contained in an eval summary, or when it shares a run of 8 words with an eval text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_core.dataset.documents import Document

DPKG_STATUS = Path("/var/lib/dpkg/status")
PYTHON_LIBRARY = Path("/usr/share/doc/python3-doc/html/_sources/library")
RUN_WORDS = 8
MIN_SUMMARY_WORDS = 2  # a one-word summary ("Utilities") is contained in too many lines to mean a copy
WORD = re.compile(r"[a-z0-9]+")
PYTHON_VERSION = re.compile(r"^python\d$")
PY_TOPIC = re.compile(r"^:mod:`[^`]+`\s+---\s+(?P<topic>.+)$", re.M)


@dataclass(frozen=True)
class Reference:
    """One eval item as the leak check sees it."""

    name: str
    summary: str
    text: str


def normalize_name(name: str) -> str:
    """A package/module name in one spelling across Debian, PyPI and CPAN: `python3-file_magic` and
    `File::Magic` and `libfile-magic-perl` all become `file-magic`."""
    name = name.strip().lower().replace("::", "-").replace("_", "-").replace(".", "-")
    name = re.sub(r"^python3?-", "", name)
    if name.startswith("lib") and name.endswith("-perl"):
        name = name[3:]
    return name.removesuffix("-perl")


def name_keys(name: str) -> set[str]:
    """The normalized name, and without PyPI's `py` prefix (`pyyaml` is Debian's `python3-yaml`)."""
    key = normalize_name(name)
    return {key, key.removeprefix("py")} - {""}


def words(text: str) -> list[str]:
    """Lower-case words, `python3` read as `python` (Debian's synopses name the Python 3 flavour)."""
    return [PYTHON_VERSION.sub("python", w) for w in WORD.findall(text.lower())]


@dataclass
class LeakIndex:
    """Names, summaries and 8-word runs of every reference, for constant-time checks per document."""

    names: set[str] = field(default_factory=set)
    summaries: set[str] = field(default_factory=set)
    runs: set[tuple[str, ...]] = field(default_factory=set)

    @classmethod
    def of(cls, references: Iterable[Reference]) -> LeakIndex:
        index = cls()
        for ref in references:
            index.names |= name_keys(ref.name)
            if len(summary := " ".join(words(ref.summary))) >= 1:
                index.summaries.add(summary)
            index.runs.update(ngrams(words(ref.text)) | ngrams(words(ref.summary)))
        return index

    def reason(self, doc: Document) -> str | None:
        """Which leak `doc` has (`name`, `summary` or `ngram`), or None when it shares nothing with the references."""
        if (name_keys(doc.title) | name_keys(doc.doc_id.partition(":")[2])) & self.names:
            return "name"
        summary = " ".join(words(doc.summary or ""))
        if summary and any(_overlaps(summary, ref) for ref in self.summaries):
            return "summary"
        if ngrams(words(doc.text)) & self.runs:
            return "ngram"
        return None


def _overlaps(summary: str, ref: str) -> bool:
    """Equal, or one contains the other on word boundaries (short lines only count as the longer side)."""
    if summary == ref:
        return True
    short, long = sorted((summary, ref), key=len)
    return len(short.split()) >= MIN_SUMMARY_WORDS and f" {short} " in f" {long} "


def ngrams(tokens: list[str], n: int = RUN_WORDS) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def debian_references(status: Path = DPKG_STATUS) -> list[Reference]:
    """Every installed Debian package (name, synopsis, long description); none where there is no dpkg."""
    if not status.is_file():
        return []
    references = []
    for stanza in status.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        name = re.search(r"^Package: (\S+)", stanza, re.M)
        description = re.search(r"^Description: (.*)\n?((?: .*\n?)*)", stanza, re.M)
        if name and description:
            references.append(Reference(name[1], description[1].strip(), description[2]))
    return references


def python_doc_references(library: Path = PYTHON_LIBRARY) -> list[Reference]:
    """Every page of Python's library reference (module name, its `---` topic, the page); none without python3-doc."""
    references = []
    for path in sorted(library.glob("*.rst.txt")) if library.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        topic = PY_TOPIC.search(text)
        references.append(Reference(path.name.removesuffix(".rst.txt"), topic["topic"] if topic else "", text))
    return references


def public_eval_index() -> LeakIndex:
    """The corpora the public one-line sets are built from, as found on this machine."""
    return LeakIndex.of([*debian_references(), *python_doc_references()])
