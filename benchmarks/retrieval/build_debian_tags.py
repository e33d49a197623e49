"""Build the public BEIR-style set "debian-tags" from Debian's package index (offline, apt's own lists).

Made to resemble the held-out set of issue 11: some 1,800 short notes with many near-duplicates,
and some 390 queries of one to three words, a topic or tag as a person types it. Each package
of a deterministic sample of source packages (sha256 of the source name, 1 in `SAMPLE`; every
tagged binary package of a sampled source is kept, so `libfoo1`, `libfoo-dev` and `libfoo-doc`
come together, near-duplicates as a person's notes on one thing are) becomes one note: titled
with its package name, its text the one-line description. Its Debtags, assigned by people
reading about the package rather than derived from the text, give the queries: a topical tag's
value in words ("use::compressing" -> "compressing", "works-with-format::jpg" -> "jpg",
"game::strategy" -> "strategy game", "hardware::storage:cd" -> "storage cd"), grade 2 for every
sampled package carrying a tag that reads so. Facets about form rather than topic (role,
interface, toolkit, script, implementation language, "TODO" values) give no query; a query of
more than `MAX_QUERY_WORDS` words, or judging more than `MAX_JUDGED` notes (a tag that says
little), is left out. Rule written before any score on this set was seen. Queries are split
tune/test by a hash of their id (`qrels-tune.tsv`, `qrels-test.tsv`).

    apt-get update   # apt's Packages lists under /var/lib/apt/lists (plain, .gz, .xz or .lz4)
    python benchmarks/retrieval/build_debian_tags.py --out /tmp/debian-tags
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from build_python_faq import notes_and_queries, query_id, set_cli, write_judged, write_note

DEFAULT_SOURCE = Path("/var/lib/apt/lists")
SAMPLE = 17  # 1 source package in 17: ~1,800 of bookworm main's ~30,000 tagged packages
MAX_QUERY_WORDS = 3
MAX_JUDGED = 40
FORM_FACETS = frozenset(
    {"role", "interface", "x11", "uitoolkit", "iso15924", "made-of", "implemented-in", "special", "scope", "junior"}
)
_FIELD = re.compile(r"^([A-Za-z0-9-]+):[ \t]*(.*(?:\n[ \t].*)*)", re.M)


def read_packages(source: Path) -> dict[str, dict[str, str]]:
    """Every package stanza of the `*_Packages*` lists under `source`, by package name; a name in
    several lists keeps the stanza of the last list in name order (deterministic for given lists)."""
    packages: dict[str, dict[str, str]] = {}
    for path in sorted(p for p in source.iterdir() if p.is_file() and re.search(r"Packages(\.\w+)?$", p.name)):
        for stanza in _read_text(path).split("\n\n"):
            fields = {name: " ".join(value.split()) for name, value in _FIELD.findall(stanza)}
            if "Package" in fields:
                packages[fields["Package"]] = fields
    return packages


def tag_query(tag: str) -> str | None:
    """A topical Debtag in the words a person would type, None for a tag about form."""
    facet, _, value = tag.partition("::")
    if facet in FORM_FACETS or not value or "TODO" in value:
        return None
    words = [w for w in re.split(r"[:_\-]+", value.replace("lang:", "")) if w]
    if facet == "game":
        words.append("game")
    return " ".join(words) if words else None


def sampled(fields: dict[str, str]) -> bool:
    """Whether the package's source is in the sample (all of a source's packages are, or none)."""
    source = fields.get("Source", fields["Package"]).split()[0]
    return int(hashlib.sha256(source.encode()).hexdigest(), 16) % SAMPLE == 0


def build(source: Path, out: Path) -> tuple[int, int]:
    """Write the set for the Packages lists under `source`; (notes, queries) written."""
    packages = read_packages(source)
    notes = {name: f for name, f in sorted(packages.items()) if f.get("Tag") and f.get("Description") and sampled(f)}
    judged: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, str] = {}
    for name, fields in notes.items():
        write_note(out, name, name, fields["Description"])
        for tag in re.split(r",\s*", fields["Tag"]):
            text = tag_query(tag.strip())
            key = query_id(text) if text else ""
            if key and len(text.split()) <= MAX_QUERY_WORDS:
                texts.setdefault(key, text)
                judged[key].add(name)
    kept = {key: texts[key] for key in sorted(judged) if len(judged[key]) <= MAX_JUDGED}
    write_judged(out, kept, [(key, name, 2) for key in kept for name in sorted(judged[key])])
    return len(notes), len(kept)


def _read_text(path: Path) -> str:
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    if path.suffix == ".xz":
        return lzma.decompress(path.read_bytes()).decode("utf-8", "replace")
    if path.suffix == ".lz4":  # apt's default here; Python has no lz4 in its standard library
        data = subprocess.run(["lz4", "-dc", str(path)], check=True, capture_output=True).stdout
        return data.decode("utf-8", "replace")
    return path.read_text(encoding="utf-8", errors="replace")


def main() -> None:
    lists = "apt's lists folder"
    set_cli(__doc__.splitlines()[0], DEFAULT_SOURCE, lists, "(run apt-get update)", notes_and_queries(build))


if __name__ == "__main__":
    main()
