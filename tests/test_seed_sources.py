"""The extra seed corpora (Python distributions' Summary, Perl POD NAME lines): parsed from real-shaped
files, picked deterministically, kept apart from the public evals' corpora, and absent without harm."""

from __future__ import annotations

from pathlib import Path

from secondbrain_core.dataset.documents import Document
from secondbrain_core.dataset.leakage import LeakIndex, Reference, debian_references, normalize_name
from secondbrain_core.dataset.seed import CHECKED_SOURCES, mix_limits, quality_reason, seed_mix
from secondbrain_core.dataset.seed_pod import pod_documents, pod_text
from secondbrain_core.dataset.seed_pypi import pypi_documents, readme_prose

PROSE = (
    "Frobnicator turns tangled configuration files into a single validated tree that other tools can "
    "read without knowing where each value came from, and it explains every merge it performs to whoever asks."
)
README = f"""# Frobnicator

[![Build](https://ci.example/badge.svg)](https://ci.example) <img src="logo.png">

{PROSE}

```python
import frobnicator
```

Install
-------
Use pip to install it from the index if you want it.
"""
POD = f"""package Frob::Nicate;

=head1 NAME

Frob::Nicate - merge configuration trees

=head1 SYNOPSIS

    use Frob::Nicate;

=head1 DESCRIPTION

B<Frob::Nicate> merges C<< $a->{{x}} >> trees; see L<the manual|Frob::Manual>. {PROSE}

=cut
"""


def write_dist(root: Path, name: str, summary: str, readme: str) -> None:
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nSummary: {summary}\n"
        f"Description-Content-Type: text/markdown\n\n{readme}"
    )


def test_readers_keep_the_prose_and_the_one_liner(tmp_path: Path) -> None:
    write_dist(tmp_path / "site", "frobnicator", "Merge configuration trees", README)
    (tmp_path / "perl" / "Frob").mkdir(parents=True)
    (tmp_path / "perl" / "Frob" / "Nicate.pm").write_text(POD)

    [dist] = pypi_documents([str(tmp_path / "site")])
    assert (dist.doc_id, dist.summary) == ("pypi:frobnicator", "Merge configuration trees")
    assert dist.text.startswith(PROSE)  # the heading, badge, HTML and code are gone
    assert "pip" in dist.text and "Install" not in dist.text and "-----" not in dist.text

    [module] = pod_documents((tmp_path / "perl",))
    assert (module.doc_id, module.summary) == ("pod:Frob::Nicate", "merge configuration trees")
    assert module.text.startswith("Frob::Nicate merges $a->{x} trees; see the manual.")
    assert "use Frob::Nicate" not in module.text  # the verbatim SYNOPSIS is not prose


def test_markup_is_resolved() -> None:
    assert pod_text("E<lt>C<foo>E<gt> X<index>I<B<both>>") == "<foo> both"
    assert readme_prose(".. image:: x.svg\n\n" + PROSE + " See `the docs <https://x>`_.") == PROSE + " See the docs."


def test_leaks_are_dropped_by_name_summary_and_eight_word_run() -> None:
    index = LeakIndex.of(
        [
            Reference("python3-frobnicator", "frobnicate all the things", "unrelated text"),
            Reference("libwidget-perl", "Widget toolkit bindings for Perl", "unrelated text"),
            Reference("other", "something else", "one two three four five six seven eight nine"),
        ]
    )
    text = "A long enough text about nothing in particular, " * 6

    def doc(name: str, summary: str, body: str = text) -> Document:
        return Document(f"pypi:{name}", name, body, "seed-pypi", summary)

    assert index.reason(doc("Frobnicator", "A tool")) == "name"  # python3- prefix, case
    assert index.reason(doc("PyFrobnicator", "A tool")) == "name"  # PyPI's py prefix
    assert index.reason(doc("Gadget", "widget toolkit bindings")) == "summary"  # contained in
    assert index.reason(doc("Gadget", "The Widget toolkit bindings for Perl, and more")) == "summary"  # contains
    assert index.reason(doc("Gadget", "a tool", text + " zero one two three four five six seven eight")) == "ngram"
    assert index.reason(doc("Gadget", "a tool", text + " one two three four five six seven")) is None  # 7 words
    assert normalize_name("Widget::Tool_kit") == normalize_name("libwidget-tool-kit-perl") == "widget-tool-kit"


def test_quality_drops_placeholders_copies_and_non_english() -> None:
    def reason(summary: str, text: str = PROSE) -> str | None:
        return quality_reason(Document("pypi:frob", "frob", text, "seed-pypi", summary))

    assert reason("Merge configuration trees") is None
    assert reason("UNKNOWN") == reason("frob") == reason("Frob.") == "placeholder"
    assert reason("Frobnicator turns tangled configuration files into a single validated tree") == "copied"
    assert reason("Merge configuration trees", "Текст на русском языке, " * 10) == "not_english"
    assert reason("Merge configuration trees", "Too short.") == "short_text"


def test_selection_is_deterministic_and_missing_sources_give_nothing(tmp_path: Path, monkeypatch) -> None:
    first, second = seed_mix({"pypi": 20, "pod": 20}, LeakIndex()), seed_mix({"pypi": 20, "pod": 20}, LeakIndex())
    assert first.documents == second.documents and first.taken == second.taken
    assert len(first.documents) == sum(first.taken.values()) and first.taken["pypi"] <= 20

    monkeypatch.setitem(CHECKED_SOURCES, "pypi", lambda: pypi_documents([str(tmp_path / "no-venv")]))
    monkeypatch.setitem(CHECKED_SOURCES, "pod", lambda: pod_documents((tmp_path / "no-perl",)))
    empty = seed_mix({"pypi": 20, "pod": 20}, LeakIndex())
    assert empty.documents == [] and empty.taken == {"manpages": 0, "pypi": 0, "pod": 0}
    assert debian_references(tmp_path / "no-dpkg-status") == []


def test_mix_shares_scale_to_the_seed_limit() -> None:
    assert mix_limits("manpages=600,pypi=200", 800) == {"manpages": 600, "pypi": 200}
    assert mix_limits("manpages=3,pypi=1", 400) == {"manpages": 300, "pypi": 100}
    assert mix_limits("manpages=600,pypi=200", 0) == {"manpages": 0, "pypi": 0}  # 0 = notes only


def test_the_card_names_the_seed_sources_and_their_drops(tmp_path: Path) -> None:
    from secondbrain_core.dataset.build import build_dataset
    from secondbrain_core.settings import Settings

    seed = [Document(f"pypi:frob{i}", f"frob{i}", PROSE, "seed-pypi", f"Merge trees, take {i}") for i in range(3)]
    info = build_dataset(Settings(home=tmp_path / "home"), [], seed, None, seed_dropped={"seed_pypi_name": 1})
    card = (info.path / "README.md").read_text()
    assert info.by_source_style == {"seed-pypi/one-sentence": 3} and "| seed-pypi/one-sentence | 3 |" in card
    assert info.dropped["seed_pypi_name"] == 1 and "seed_pypi_name 1" in card


def test_only_the_notes_are_repeated_in_training() -> None:
    from secondbrain_core.settings import Settings
    from secondbrain_core.training.examples import training_rows

    rows = [{"source": source} for source in ("notes", "seed-manpages", "seed-pypi", "seed-pod")]
    seen = [r["source"] for r in training_rows(rows, Settings(train_notes_repeat=3))]
    assert seen == ["notes"] * 3 + ["seed-manpages", "seed-pypi", "seed-pod"]
