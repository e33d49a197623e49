"""An English question over notes kept in another language is put in the notes' words through a
bilingual dictionary the user installed (FreeDict, dictd format), and only where no note holds
the word typed: "car insurance monthly" finds "Versicherung … monatlich"."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from note_pages import assistant_over, note_page

from secondbrain_core.agent import dictionaries
from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent.spelling import is_english
from secondbrain_core.settings import Settings

# Entries as FreeDict's German-English dictionary writes them (headword line, senses, examples).
ENTRIES = {
    "Versicherung": "Versicherung /fɛɾzˈɪçərˌʊŋ/ <fem, n, sg>\n [fin.] insurance <n>, assurance <n> [Br.]\n"
    '      "Versicherung auf Zeit"  - time insurance\n see: {Versicherungen}\n\n',
    "monatlich": "monatlich /mˈoːnɑːtlˌɪç/ <adv>\nmonthly <adv>\n   Synonyms: {jeden Monat}\n\n",
    "Steuererstattung": "Steuererstattung <fem, n, sg>\ntax refund <n>, tax rebate <n>\n\n",
    "Seite": "Seite <fem, n, sg>\nside <n>, page <n>\n [jur.] party <n>\n\n",
    "Feier": "Feier <fem, n, sg>\ncelebration <n>, party <n>\n\n",
    "Rat": "Rat <masc, n, sg>\ncouncil <n>, advice <n>\n\n",
    "Hochzeitsfeier": "Hochzeitsfeier <fem, n, sg>\nwedding reception <n>, wedding celebration with speeches <n>\n\n",
}
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(number: int) -> str:
    digits = ""
    while True:
        digits = _B64[number % 64] + digits
        number //= 64
        if not number:
            return digits


def write_dictionary(
    folder: Path, name: str = "freedict-deu-eng", compressed: bool = True, entries: dict[str, str] = ENTRIES
) -> Path:
    """A dictd dictionary (`.index` + `.dict[.dz]`) holding `entries`, as dictfmt writes one."""
    folder.mkdir(parents=True, exist_ok=True)
    data, lines = b"", []
    for headword, entry in sorted(entries.items(), key=lambda item: item[0].lower()):
        encoded = entry.encode()
        lines.append(f"{headword}\t{_b64(len(data))}\t{_b64(len(encoded))}\n")
        data += encoded
    (folder / f"{name}.index").write_text("".join(lines), encoding="utf-8")
    if compressed:
        (folder / f"{name}.dict.dz").write_bytes(gzip.compress(data))
    else:
        (folder / f"{name}.dict").write_bytes(data)
    return folder


def test_an_entry_gives_its_translations_sense_by_sense() -> None:
    assert dictionaries.glosses(ENTRIES["Versicherung"]) == [["insurance", "assurance"]]
    assert dictionaries.glosses(ENTRIES["Seite"]) == [["side", "page"], ["party"]]
    # a gloss of more than two words explains rather than translates
    assert dictionaries.glosses(ENTRIES["Hochzeitsfeier"]) == [["wedding reception"]]


@pytest.mark.parametrize("compressed", [True, False])
def test_only_the_notes_words_are_looked_up(tmp_path: Path, compressed: bool) -> None:
    folder = write_dictionary(tmp_path / "dictd", compressed=compressed)
    notes = {"versicherung": 3, "monatlich": 2, "seite": 9, "feier": 1, "steuererstattung": 1, "rat": 4}
    table = dictionaries.translations(notes, dictionaries.installed(folder), ev.stem, is_english)
    assert table[ev.stem("insurance")] == ["versicherung"]
    assert table[ev.stem("taxrefund")] == ["steuererstattung"]
    # "party" is Feier's first sense and Seite's second, however often the notes say "Seite"
    assert table[ev.stem("party")] == ["feier", "seite"]
    assert ev.stem("wedding") not in table  # Hochzeitsfeier is no word of these notes
    assert ev.stem("council") not in table  # "rat" in notes is the English word


def test_only_the_dictionaries_of_the_notes_language_are_read(tmp_path: Path) -> None:
    folder = write_dictionary(tmp_path / "dictd")
    write_dictionary(folder, "freedict-ita-eng", entries={"vite": "vite <n>\nvine <n>, screw <n>\n\n"})
    notes = {"versicherung": 3, "monatlich": 2, "seite": 9, "feier": 1, "vite": 2}  # German notes, one French word
    table = dictionaries.translations(notes, dictionaries.installed(folder), ev.stem, is_english)
    assert table[ev.stem("insurance")] == ["versicherung"]
    assert ev.stem("vine") not in table  # the Italian dictionary knows one of their words, the German four


def test_notes_in_english_get_no_table(tmp_path: Path) -> None:
    folder = write_dictionary(tmp_path / "dictd")
    jargon = ["autovacuum", "pgbench", "checkpointer", "walsender", "reindexdb", "hstore", "plpgsql", "tsvector"]
    notes = dict.fromkeys([*jargon, "vacuum", "index", "seite", "pgbouncer", "brin"], 3)  # one German word in 11
    assert dictionaries.translations(notes, dictionaries.installed(folder), ev.stem, is_english) == {}


def test_a_word_the_notes_hold_is_never_translated() -> None:
    table = {"insurance": ["versicherung"], "car": ["auto"], "taxrefund": ["steuererstattung"], "phone": ["anruf"]}
    as_typed = {"for", "the", "phone"}.__contains__  # function words, and words that ask for a form
    query, pairs = dictionaries.in_notes_words(
        "car insurance phone for the tax refund", table, lambda term: term == "car", lambda w: w, as_typed
    )
    assert query == "car versicherung phone for the steuererstattung"
    assert pairs == [("insurance", "versicherung"), ("tax refund", "steuererstattung")]
    # a name typed with a capital is kept, past the question's first word
    assert dictionaries.in_notes_words("308 VIN number", {"vin": ["vite"]}, lambda t: False, str, as_typed)[1] == []
    assert dictionaries.in_notes_words("Insurance?", table, lambda t: False, str, as_typed)[0] == "versicherung?"


def test_a_broken_dictionary_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = write_dictionary(tmp_path / "dictd")
    (folder / "freedict-fra-eng.index").write_text("assurance\tA\tZ\n", encoding="utf-8")
    (folder / "freedict-fra-eng.dict.dz").write_bytes(b"not gzip at all")
    notes = {"versicherung": 3, "assurance": 1}
    table = dictionaries.translations(notes, dictionaries.installed(folder), ev.stem, lambda word: False)
    assert table[ev.stem("insurance")] == ["versicherung"]
    assert "freedict-fra-eng.index skipped" in caplog.text


def test_no_dictionary_means_no_table(tmp_path: Path) -> None:
    assert dictionaries.installed(tmp_path / "absent") == []
    assert (
        dictionaries.cached_translations({"versicherung": 1}, tmp_path, tmp_path / "t.json", "b", ev.stem, is_english)
        == {}
    )


def test_the_table_is_kept_until_the_index_changes(tmp_path: Path) -> None:
    folder = write_dictionary(tmp_path / "dictd")
    cache = tmp_path / "home" / "translations.json"
    first = dictionaries.cached_translations({"versicherung": 1}, folder, cache, "build-1", ev.stem, is_english)
    assert first == {ev.stem("insurance"): ["versicherung"], ev.stem("assurance"): ["versicherung"]}
    assert dictionaries.cached_translations({}, folder, cache, "build-1", ev.stem, is_english) == first  # read back
    assert dictionaries.cached_translations({}, folder, cache, "build-2", ev.stem, is_english) == {}  # rebuilt
    cache.write_text("[1, 2", encoding="utf-8")  # damaged
    assert dictionaries.cached_translations({"versicherung": 1}, folder, cache, "build-1", ev.stem, is_english) == first


@pytest.fixture(scope="module")
def german_notes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list]:
    home = tmp_path_factory.mktemp("home")
    pages = [
        note_page(
            "auto",
            "notes",
            "Auto – VW Golf",
            "# Auto – VW Golf\n\nKennzeichen M-KB 4711. Versicherung bei der HUK: 61,40 € monatlich, "
            "Vertrag läuft bis März 2027.\n",
        ),
        note_page(
            "miete",
            "notes",
            "Wohnung – Miete",
            "# Wohnung – Miete\n\nKaltmiete 1.150 €, Nebenkosten 240 €. Vermieterin Frau Brandl.\n",
        ),
    ]
    return Settings(home=home, sources="notes"), pages


def test_an_english_question_finds_notes_in_german(german_notes, tmp_path: Path) -> None:
    settings, pages = german_notes
    with_dictionary = assistant_over(
        settings.model_copy(update={"agent_dictionaries": write_dictionary(tmp_path / "dictd")}), pages
    )
    answer = with_dictionary.ask("car insurance monthly")
    assert answer.found and "61,40" in answer.answer
    assert [s.page_id for s in answer.sources][:1] == ["auto"]
    assert "insurance → versicherung" in next(s.detail for s in answer.steps if s.name == "translate")


def test_without_a_dictionary_the_question_is_searched_as_typed(german_notes, tmp_path: Path) -> None:
    settings, pages = german_notes
    without = assistant_over(settings.model_copy(update={"agent_dictionaries": tmp_path / "none"}), pages)
    answer = without.ask("car insurance monthly")
    assert not any(s.name == "translate" for s in answer.steps)
    assert not answer.found  # no word of it is in the German notes: declined, as before dictionaries
