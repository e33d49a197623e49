"""Build the public BEIR-style set "python-modules" from Debian's python3-doc (offline).

A third public set, of another kind than the two FAQs: a topic in a few words, and the page
that covers it among many long ones. Every page of the Python library reference whose title
reads "name --- what it is for" gives one query, the words after the dashes ("Work with ZIP
archives"), judged grade 2 for its own page. The page becomes a note titled with the name
alone ("zipfile"), its `.. module::` block (which restates the topic as a synopsis) removed;
the reference's other pages (asyncio's chapters, the built-in types...) stay in the corpus as
distractors. Rule written before any score on this set was seen; nothing is chosen on it, so
every query is a test query (`qrels.tsv`).

    apt-get install -y python3-doc
    python benchmarks/retrieval/build_python_modules.py --out /tmp/python-modules
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from build_python_faq import UNDERLINE, FaqEntry, plain, write_faq_set, write_note

DEFAULT_SOURCE = Path("/usr/share/doc/python3-doc/html/_sources/library")
TOPIC = re.compile(r"^(?P<name>.+?)\s+---\s+(?P<topic>.+)$")
MODULE_BLOCK = re.compile(
    r"^\.\. (module|moduleauthor|sectionauthor|currentmodule)::|^\s+:(synopsis|platform|deprecated):"
)


def read_page(path: Path) -> tuple[str, str | None, str]:
    """(title, topic or None, body) of one reference page: its first heading split at ' --- '."""
    lines = path.read_text(encoding="utf-8").splitlines()
    heading = next(
        (i for i, line in enumerate(lines) if line.strip() and i + 1 < len(lines) and UNDERLINE.match(lines[i + 1])),
        None,
    )
    if heading is None:
        return path.stem, None, plain("\n".join(lines)).strip()
    title = plain(lines[heading].strip()).replace("\\ ", "")  # RST's escaped space joins words
    body = plain("\n".join(line for line in lines[heading + 2 :] if not MODULE_BLOCK.match(line))).strip()
    match = TOPIC.match(title)
    return (match["name"].strip(), match["topic"].strip(), body) if match else (title, None, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the library reference of python3-doc")
    parser.add_argument("--out", type=Path, required=True, help="where to write corpus/, queries.jsonl, qrels*.tsv")
    args = parser.parse_args()
    if not args.source.is_dir():
        raise SystemExit(f"{args.source} not found: apt-get install -y python3-doc")
    topics: list[FaqEntry] = []
    others: dict[str, tuple[str, str]] = {}
    for path in sorted(args.source.glob("*.rst.txt")):
        doc_id = path.name.removesuffix(".rst.txt")  # logging.handlers, not logging
        title, topic, body = read_page(path)
        if not body:
            continue
        if topic:
            topics.append(FaqEntry(doc_id, title, topic, body))
        else:
            others[doc_id] = (title, body)
    write_faq_set(topics, args.out)
    for doc_id, (title, body) in others.items():
        write_note(args.out, doc_id, title, body)
    print(f"{len(topics)} topics, {len(topics) + len(others)} pages written to {args.out}")


if __name__ == "__main__":
    main()
