"""A Notion export as Notion writes it (`realistic_export.py`), read through the real code path:
the parser, `secondbrain ingest`, a re-export with a rename, an edit and a deletion, the Dagster
assets up to the index, and `secondbrain ask` citing the right pages with passages of their text."""

from __future__ import annotations

import json
import time
import zipfile
from datetime import timedelta
from pathlib import Path, PurePosixPath

import dagster as dg
import pytest
from realistic_export import (
    EXPORTED,
    IDS,
    LONG_TITLE_FULL,
    export_files,
    html_export_files,
    link,
    write_folder,
    write_nested_zip,
    write_zip,
    zip_bytes,
)

from asset_checks.ingest import INGEST_CHECKS
from secondbrain_core.app.cli import main
from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.settings import Settings
from secondbrain_core.sources import export_files as export_files_module
from secondbrain_core.sources.notion_export import NotionExportSource
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key
from secondbrain_dagster.rag.assets import chunks, vector_index
from secondbrain_dagster.resources import SecondBrainSettings

ID = IDS
MARATHON = ID["row_empty"][:-2] + "aa"
# What must never reach a page's text from an export: Notion's HTML, encoded paths, file names.
MARKUP = ("<aside", "</aside", "<img", "<details", "<summary", "<br", "%20", ".png", "/icons/", "](Home", ".md)")


def parse(path: Path) -> dict[str, Page]:
    source = NotionExportSource(path, name="notion-export:test")
    return {stub.id: source.fetch_page(stub) for stub in source.list_pages()}


@pytest.fixture(params=["folder", "zip", "nested zip"])
def export(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    files = export_files()
    if request.param == "folder":
        return write_folder(tmp_path / "export", files)
    if request.param == "zip":
        return write_zip(tmp_path / "export.zip", files)
    return write_nested_zip(tmp_path / "Export-0f3c8a52.zip", files)


def test_ids_titles_parents_and_database_rows(export: Path) -> None:
    pages = parse(export)
    titles = {pid: page.title for pid, page in pages.items()}
    assert titles == {
        ID["home"]: "Home 🏠",
        ID["meeting"]: "Meeting notes (weekly)",
        ID["strasse"]: "Über Straße",
        ID["dokusho"]: "読書メモ",
        ID["planning"]: "Q1/Q2 Planning",  # the file says `Q1 Q2 Planning`
        ID["long"]: LONG_TITLE_FULL,  # the file name was cut short
        ID["projects"]: "Projects",
        ID["notes_a"]: "Notes",
        ID["archive"]: "Archive",
        ID["notes_b"]: "Notes",  # same title, other folder: another page
        ID["untitled_a"]: "Untitled",  # `untitled_b` is blank and left out
        ID["reading"]: "Reading List",
        ID["row_deep"]: "Deep Work",
        ID["row_empty"]: "Empty row",
        ID["row_untitled"]: "Untitled",  # the CSV's empty title cell is this file, not a second row
        ID["row_quoted"]: "Thinking, Fast and Slow",
        ID["goals"]: "Goals: 2024/25",  # the CSV is `Goals 2024 25 <id>.csv`; the link from Home says it
        MARATHON: "Run a marathon",
        ID["draft"]: "[Draft] Launch plan",
    }
    assert all(page.url == f"https://www.notion.so/{pid}" for pid, page in pages.items())
    parents = {pid: page.parent for pid, page in pages.items() if page.parent}
    assert parents == {
        ID["meeting"]: ID["home"],
        ID["strasse"]: ID["home"],
        ID["notes_a"]: ID["projects"],
        ID["notes_b"]: ID["archive"],  # the folder is `Archive/`, without the id
        **{ID[row]: ID["reading"] for row in ("row_deep", "row_empty", "row_untitled", "row_quoted")},
        MARATHON: ID["goals"],
    }

    deep = pages[ID["row_deep"]]
    assert deep.properties == {
        "Tags": "productivity, habits",
        "Created": "March 3, 2024 4:05 PM",
        "Status": "Done",
        "Project": "Projects",  # a relation: the page's title, its id among the links
    }
    assert deep.links == [ID["projects"]]
    assert deep.markdown.count("Status") == 1 and "90 minutes every morning" in deep.markdown
    untitled_row = pages[ID["row_untitled"]]
    assert untitled_row.properties["Created"] == "March 6, 2024 8:00 AM"
    assert untitled_row.markdown.endswith("A row nobody named: borrow the ladder from Jonas.")
    assert pages[ID["row_empty"]].properties["Status"] == "To read"  # a row without a body is a page
    assert pages[ID["reading"]].links == [ID[r] for r in ("row_deep", "row_empty", "row_untitled", "row_quoted")]
    assert (
        "| Deep Work | productivity, habits | March 3, 2024 4:05 PM | Done | Projects |"
        in pages[ID["reading"]].markdown
    )
    assert "Note: this page is not a database row." in pages[ID["planning"]].markdown


def test_links_images_callouts_and_toggles_become_text(export: Path) -> None:
    pages = parse(export)
    for page in pages.values():
        assert not [m for m in MARKUP if m in page.markdown], (page.title, page.markdown)
    home = pages[ID["home"]].markdown
    assert home.startswith("The cabin wifi password is **lantern-42**")  # the callout, without its icon
    assert f"[Meeting notes (weekly)](https://www.notion.so/{ID['meeting']})" in home  # `(`/`)` in the path
    assert "Image: Floor plan of the cabin" in home and "Untitled" not in home  # a caption kept, a default not
    assert "\n\nRental contract.pdf\n\n" in home  # an attachment: its name
    assert "Dentist\n\nThe next dentist appointment is on Tuesday" in home
    assert "- [ ]  Renew the passport\n- [x]  Pay the rent" in home
    assert "$$\nE = mc^2\n$$" in home and "```python\nprint('hello')\n```" in home
    assert "| Stem bolts | 5 Nm carbon paste |" in home and "\n\n\n" not in home
    assert pages[ID["home"]].links == [ID["meeting"], ID["strasse"], ID["reading"], ID["goals"], ID["draft"]]
    assert f"the [[Draft] Launch plan](https://www.notion.so/{ID['draft']})." in home  # `[`/`]` in the text
    assert "\n\ninvoice.pdf\n\n" in home and "X-Amz" not in home  # an uploaded file's expiring address
    meeting = pages[ID["meeting"]]
    assert meeting.links == [ID["home"], ID["planning"]]  # a notion.so address of an exported page
    assert f"[Q1/Q2 Planning](https://www.notion.so/{ID['planning']})" in meeting.markdown
    assert "Jump to decisions." in meeting.markdown  # a link to a block of the page


def test_code_keeps_what_looks_like_notion_html(tmp_path: Path) -> None:
    page = f"Snippets {ID['home']}.md"
    code = '```html\n<details>\n<summary>Hi</summary>\n</details>\n<img src="a%20b.png">\n```'
    (pages,) = [parse(write_folder(tmp_path / "e", {page: f"# Snippets\n\n<aside>\nTip\n</aside>\n\n{code}\n"}))]
    assert pages[ID["home"]].markdown == f"Tip\n\n{code}"


def test_zip_names_stored_without_the_utf8_flag(tmp_path: Path) -> None:
    """Some zip tools store UTF-8 names without saying so; Python then reads them as cp437."""
    name = f"Über Straße {ID['strasse']}.md"
    home = f"Home {ID['home']}.md"
    files = {home: f"# Home\n\n[Über Straße]({link(name)})\n", name: "# Über Straße\n\nTram every 12 minutes.\n"}
    placeholder = "x" * len(name.encode())
    data = zip_bytes({home: files[home], placeholder: files[name]})
    archive = tmp_path / "export.zip"
    archive.write_bytes(data.replace(placeholder.encode(), name.encode()))
    with zipfile.ZipFile(archive) as check:
        assert not any(info.flag_bits & 0x800 for info in check.infolist())
    pages = parse(archive)
    assert pages[ID["home"]].links == [ID["strasse"]] and pages[ID["strasse"]].title == "Über Straße"


def test_an_html_export_is_read_like_its_markdown_twin(tmp_path: Path) -> None:
    pages = parse(write_zip(tmp_path / "html.zip", html_export_files()))
    assert {p.title for p in pages.values()} == {"Garden", "Soil", "Tasks", "Prune roses"}
    garden, soil, row = pages[ID["home"]], pages[ID["meeting"]], pages[ID["row_deep"]]
    assert "The tomatoes need watering every second evening." in garden.markdown
    assert "Compost" in garden.markdown and "Turn the compost heap every three weeks." in garden.markdown
    assert "$$\nE = mc^2\n$$" in garden.markdown and '```python\nprint("rake")\n```' in garden.markdown
    assert "- [x]  Buy seeds" in garden.markdown and "- [ ]  Fix the fence" in garden.markdown
    assert "Beds" not in garden.markdown  # the table of contents
    assert garden.links == [ID["meeting"]] and soil.parent == ID["home"] and soil.links == [ID["home"]]
    assert (row.parent, row.properties) == (ID["reading"], {"Tags": "garden, spring", "Status": "Done"})
    assert row.markdown.count("Status") == 1 and "five buds" in row.markdown
    for page in pages.values():
        assert not [m for m in (*MARKUP, "<", "katex") if m in page.markdown], page.markdown


def test_an_export_of_nothing_but_foreign_html_names_the_export(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """HTML that is no Notion page (a saved web page) is refused in one line naming the export."""
    export = write_folder(tmp_path / "e", {"index.html": "<html><body>hi</body></html>"})
    assert main(["ingest", "--source", f"notion-export:{export}", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert str(export) in err and "holds no pages" in err and len(err.splitlines()) == 1


def _ingest(capsys: pytest.CaptureFixture[str], spec: str) -> dict:
    assert main(["ingest", "--source", spec, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_reexport_with_rename_edit_and_delete(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "Export.zip"
    spec = f"notion-export:{archive}"
    first_files = export_files()
    write_zip(archive, first_files)
    first = _ingest(capsys, spec)
    assert first == {"pages": 19, "new": 19, "updated": 0, "unchanged": 0, "deleted": 0}

    files = dict(first_files)
    home = f"Home 🏠 {ID['home']}"
    old, new = f"{home}/Meeting notes (weekly) {ID['meeting']}.md", f"{home}/Weekly sync {ID['meeting']}.md"
    files[new] = files.pop(old).replace("# Meeting notes (weekly)", "# Weekly sync")
    files[f"{home}.md"] = files[f"{home}.md"].replace(
        f"[Meeting notes (weekly)]({link(home, 'Meeting notes (weekly) ' + ID['meeting'] + '.md')})",
        f"[Weekly sync]({link(home, 'Weekly sync ' + ID['meeting'] + '.md')})",
    )
    files[f"{home}/Über Straße {ID['strasse']}.md"] = "# Über Straße\n\nDie Bahn fährt jetzt alle zehn Minuten.\n"
    del files[f"Q1 Q2 Planning {ID['planning']}.md"]
    write_zip(archive, files, when=EXPORTED + timedelta(days=1))  # Notion stamps every entry anew
    second = _ingest(capsys, spec)
    # renamed, edited, and the page linking to the renamed one; the meeting's link to Q1 is gone too
    assert second == {"pages": 18, "new": 0, "updated": 3, "unchanged": 15, "deleted": 1}
    store = PageStore(open_database(settings))
    live = {p.id: p for p in store.live_pages(spec)}
    assert live[ID["meeting"]].title == "Weekly sync" and ID["planning"] not in live
    assert "zehn Minuten" in live[ID["strasse"]].markdown
    assert set(live) == set(parse(archive))
    assert _ingest(capsys, spec)["unchanged"] == 18


QUESTIONS = {  # question -> (page it must cite, words of the cited passage)
    "What is the cabin wifi password?": ("home", "lantern-42"),
    "When is the next dentist appointment?": ("home", "Tuesday at 9:30"),
    "What time did we move the standup to?": ("meeting", "10:15"),
    "How long should deep work blocks be?": ("row_deep", "90 minutes"),
    "What was the old office code?": ("notes_b", "7391"),
}


def test_assets_index_the_export_and_ask_cites_its_pages(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = f"notion-export:{write_nested_zip(tmp_path / 'Export.zip', export_files())}"
    monkeypatch.setenv("SECONDBRAIN_SOURCES", spec)
    monkeypatch.setenv("SECONDBRAIN_AGENT_TRACING", "false")
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(spec)])
    resources = {"sb": SecondBrainSettings()}
    pages_run = dg.materialize(
        [raw_notion_pages, chunks, *INGEST_CHECKS],
        instance=instance,
        partition_key=partition_key(spec),
        resources=resources,
    )
    assert pages_run.success
    assert {e.check_name: e.passed for e in pages_run.get_asset_check_evaluations()} == {
        "no_empty_pages": True,
        "page_ids_unique": True,
        "live_count_matches_listing": True,
    }
    assert dg.materialize([vector_index], instance=instance, resources=resources).success

    stored = ChunkStore(open_database(settings)).chunks()
    assert {c.page_id for c in stored} == set(parse(Path(spec.removeprefix("notion-export:"))))
    tags = {tag for c in stored for tag in c.metadata["tags"]}
    assert tags == {"productivity", "habits", "fiction", "psychology"}
    assert not [c.text for c in stored if any(m in c.text for m in MARKUP)]

    texts = {p.id: p.markdown for p in PageStore(open_database(settings)).live_pages(spec)}
    for question, (page, words) in QUESTIONS.items():
        assert main(["ask", question, "--json"]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer["found"], question
        assert answer["sources"][0]["page_id"] == ID[page], (question, answer["sources"])
        assert words in answer["sources"][0]["passage"], (question, answer["sources"][0])
        assert all(s["passage"] in texts[s["page_id"]] for s in answer["sources"]), question


APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\t\x00\x00\x002\x00\x00\x0e\xb0"


def test_macos_resource_forks_are_no_pages(tmp_path: Path) -> None:
    """A Finder-zipped export carries `__MACOSX/…/._Page <id>.md` (binary: the export failed as
    not UTF-8); on a non-Mac disk `._Page <id>.md` sits beside each page and took its id."""
    files = export_files()
    forks = {
        str("__MACOSX" / PurePosixPath(name).with_name("._" + PurePosixPath(name).name)): APPLE_DOUBLE for name in files
    }
    home = f"Home 🏠 {ID['home']}.md"
    expected = parse(write_zip(tmp_path / "plain.zip", files))
    assert parse(write_zip(tmp_path / "finder.zip", {**files, **forks})) == expected
    assert parse(write_folder(tmp_path / "exfat", {**files, f"._{home}": APPLE_DOUBLE})) == expected


def test_export_parts_are_streamed_and_found_in_an_unzipped_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part holds every image: read into memory, it counted against the text budget, and a
    workspace with more images than that budget could not be read. The browser unzips the
    download once and leaves a folder of parts."""
    files = {**export_files(), f"Home 🏠 {ID['home']}/photo.jpg": bytes(range(256)) * 2000}  # 512 kB
    monkeypatch.setattr(export_files_module, "MAX_TOTAL_BYTES", 100_000)  # the text is ~10 kB
    expected = parse(write_zip(tmp_path / "plain.zip", files))
    outer = write_nested_zip(tmp_path / "Export-0f3c8a52.zip", files)
    assert parse(outer) == expected
    with zipfile.ZipFile(outer) as archive:
        archive.extractall(tmp_path / "unzipped")
    assert parse(tmp_path / "unzipped") == expected


def test_a_zip_attached_to_a_page_is_no_part_of_the_export(tmp_path: Path) -> None:
    files = {**export_files(), f"Home 🏠 {ID['home']}/notes.zip": zip_bytes({"Other abc.md": "# Other\n\nnot mine\n"})}
    assert "Other" not in {page.title for page in parse(write_zip(tmp_path / "e.zip", files)).values()}
    assert "Other" not in {page.title for page in parse(write_folder(tmp_path / "e", files)).values()}


def test_rows_pair_with_their_own_pages(tmp_path: Path) -> None:
    """A view with the title column moved, rows that share a title (the recurring review) and a
    row the filtered view's CSV leaves out: each page gets its own row's properties."""
    db, first, second, hidden = "d" * 32, "b" * 32, "a" * 32, "c" * 32  # file order is not CSV order
    files = {
        f"Reviews {db}.csv": "\ufeffDate,Name,Mood\nMay 1,Weekly review,calm\nMay 8,Weekly review,tired\n",
        f"Reviews {db}/Weekly review {first}.md": "# Weekly review\n\nDate: May 1\nMood: calm\n\nShipped the kiln.\n",
        f"Reviews {db}/Weekly review {second}.md": "# Weekly review\n\nDate: May 8\nMood: tired\n\nSlept badly.\n",
        f"Reviews {db}/Offsite {hidden}.md": "# Offsite\n\nDate: May 15\nMood: happy\n\nLake trip.\n",
    }
    pages = parse(write_folder(tmp_path / "e", files))
    assert (pages[first].properties, pages[first].markdown.split("\n\n")[-1]) == (
        {"Date": "May 1", "Mood": "calm"},
        "Shipped the kiln.",
    )
    assert pages[second].properties == {"Date": "May 8", "Mood": "tired"} and "Slept badly." in pages[second].markdown
    assert (pages[hidden].title, pages[hidden].properties) == ("Offsite", {"Date": "May 15", "Mood": "happy"})
    assert pages[hidden].markdown.count("May 15") == 1 and len(pages) == 4


def test_thousands_of_untitled_rows_pair_in_linear_time(tmp_path: Path) -> None:
    """A journal database whose rows nobody titles: each CSV row searched all `Untitled` pages."""
    rows, files = ["\ufeffName,Date"], {}
    for n in range(3000):
        rows.append(f",Day {n}")
        files[f"Journal {'f' * 32}/Untitled {n + 1:032x}.md"] = f"# Untitled\n\nDate: Day {n}\n\nEntry {n}.\n"
    files[f"Journal {'f' * 32}.csv"] = "\n".join(rows) + "\n"
    export = write_zip(tmp_path / "journal.zip", files)
    started = time.monotonic()
    pages = parse(export)
    assert time.monotonic() - started < 5
    assert len(pages) == 3001
    assert all(
        p.markdown.endswith(f"Entry {p.properties['Date'][4:]}.") for p in pages.values() if p.title == "Untitled"
    )


def test_a_database_folder_without_the_id_and_a_home_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    files = {
        f"Books {'d' * 32}.csv": "\ufeffName,Tags\nDune,sci-fi\n",
        f"Books/Dune {'e' * 32}.md": "# Dune\n\nTags: sci-fi\n\nSpice must flow.\n",
    }
    write_folder(tmp_path / "Downloads" / "export", files)
    pages = parse(Path("~/Downloads/export"))
    assert (pages["e" * 32].parent, pages["e" * 32].properties, len(pages)) == ("d" * 32, {"Tags": "sci-fi"}, 2)
    assert pages["e" * 32].markdown.endswith("\n\nSpice must flow.")


def test_a_database_of_bare_titles_is_one_table_not_empty_pages(tmp_path: Path) -> None:
    # a reading list kept as a one-column database: each row a title with no body; as pages of
    # their own they were empty, and the blocking no_empty_pages check stopped the whole source
    export = tmp_path / "export"
    export.mkdir()
    books = "Books " + "b" * 32
    (export / f"{books}.csv").write_text("\ufeffName\nPiranesi\nThe Dispossessed\n", encoding="utf-8")
    (export / books).mkdir()
    (export / books / f"Piranesi {'c' * 32}.md").write_text("# Piranesi\n", encoding="utf-8")
    source = NotionExportSource(export, name="x")
    pages = [source.fetch_page(stub) for stub in source.list_pages()]
    assert [p.title for p in pages] == ["Books"]
    assert "Piranesi" in pages[0].markdown and "The Dispossessed" in pages[0].markdown
    assert all(p.markdown.strip() or p.properties for p in pages)
