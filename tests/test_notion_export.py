"""The Notion "Markdown & CSV" export source, on a small export built here as folder and zip."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secondbrain_core.app.cli import main
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources import export_files
from secondbrain_core.sources.notion_export import NotionExportSource
from secondbrain_core.stores.mongo import open_database

ROOT, CHILD, DB, DEEP, ROW = (f"{n:x}" * 32 for n in range(10, 15))
EDITED = datetime(2024, 5, 6, 7, 8, 10, tzinfo=UTC)
EXPORT = {
    f"Workspace {ROOT}.md": (
        f"# Workspace\n\nSee [Child](Workspace%20{ROOT}/Child%20page%20{CHILD}.md) and "
        f"[the site](https://example.com/a).\n\n[Tasks](Workspace%20{ROOT}/Tasks%20{DB}.csv)\n"
    ),
    f"Workspace {ROOT}/Child page {CHILD}.md": (
        f"# Child page\n\nBack to [Workspace](../Workspace%20{ROOT}.md#top); "
        f"deeper: [Deep](Child%20page%20{CHILD}/Deep%20{DEEP}.md).\n\n```sql\nSELECT 1;\n```\n"
    ),
    f"Workspace {ROOT}/Child page {CHILD}/Deep {DEEP}.md": "# Deep\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n",
    f"Workspace {ROOT}/Tasks {DB}.csv": "\ufeffName,Status,Due\nWrite docs,Done,2024-05-01\n",
    f"Workspace {ROOT}/Tasks {DB}_all.csv": ("\ufeffName,Status,Due\nWrite docs,Done,2024-05-01\nShip it,Todo,\n"),
    f"Workspace {ROOT}/Tasks {DB}/Write docs {ROW}.md": (
        f"# Write docs\n\nStatus: Done\nDue: 2024-05-01\n\nSee [Deep](../Child%20page%20{CHILD}/Deep%20{DEEP}.md).\n"
    ),
    "Loose note.md": "# A loose note\n\nNo Notion id in my file name.\n",
    f"Workspace {ROOT}/Child page {CHILD}/diagram.png": "not text",
}


def write_folder(root: Path) -> Path:
    for name, text in EXPORT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (EDITED.timestamp(), EDITED.timestamp()))
    return root


def write_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in EXPORT.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=EDITED.timetuple()[:6]), text)
    return path


@pytest.fixture(params=["folder", "zip"])
def export(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return write_folder(tmp_path / "export") if request.param == "folder" else write_zip(tmp_path / "export.zip")


def parse(path: Path) -> dict:
    source = NotionExportSource(path, name="notion-export:test")
    return {stub.id: source.fetch_page(stub) for stub in source.list_pages()}


def test_pages_hierarchy_database_and_links(export: Path) -> None:
    pages = parse(export)
    by_title = {p.title: p for p in pages.values()}
    # 4 pages + the database + 2 rows from `_all.csv` (the view's CSV is not counted again)
    assert sorted(by_title) == ["A loose note", "Child page", "Deep", "Ship it", "Tasks", "Workspace", "Write docs"]
    assert (by_title["Workspace"].id, by_title["Workspace"].parent) == (ROOT, None)
    assert (by_title["Child page"].parent, by_title["Deep"].parent, by_title["Tasks"].parent) == (ROOT, CHILD, ROOT)
    assert by_title["Workspace"].url == f"https://www.notion.so/{ROOT}"

    workspace = by_title["Workspace"]
    assert workspace.links == [CHILD, "https://example.com/a", DB]
    assert f"[Child](https://www.notion.so/{CHILD})" in workspace.markdown
    assert workspace.markdown.startswith("See ")  # the `# Title` line became the title
    assert by_title["Child page"].links == [ROOT, DEEP]
    assert "```sql\nSELECT 1;\n```" in by_title["Child page"].markdown

    row, bare = by_title["Write docs"], by_title["Ship it"]
    assert (row.id, row.parent, bare.parent) == (ROW, DB, DB)
    assert row.properties == {"Status": "Done", "Due": "2024-05-01"}
    assert row.markdown.count("Status") == 1  # the body's property lines are not repeated
    assert row.links == [DEEP]
    assert bare.properties == {"Status": "Todo", "Due": ""} and bare.url == ""
    assert by_title["Tasks"].links == [ROW, bare.id]
    assert "| Ship it | Todo |" in by_title["Tasks"].markdown

    loose = by_title["A loose note"]
    assert len(loose.id) == 32 and loose.url == "" and loose.parent is None
    assert {p.last_edited_time for p in pages.values()} == {EDITED}


def test_zip_and_folder_agree_and_ids_are_stable(tmp_path: Path) -> None:
    folder = parse(write_folder(tmp_path / "export"))
    archive = parse(write_zip(tmp_path / "export.zip"))
    assert folder == archive
    assert parse(tmp_path / "export") == folder


def test_nested_zip_as_newer_exports_ship(tmp_path: Path) -> None:
    inner = write_zip(tmp_path / "Export-Part-1.zip")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(inner, inner.name)
    assert parse(outer) == parse(inner)


def _missing(d: Path) -> Path:
    return d / "missing.zip"


def _not_a_zip(d: Path) -> Path:
    (d / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    return d / "bad.zip"


def _empty_folder(d: Path) -> Path:
    (d / "empty").mkdir()
    return d / "empty"


def _zip_slip(d: Path) -> Path:
    with zipfile.ZipFile(d / "slip.zip", "w") as archive:
        archive.writestr("../../evil.md", "# Evil\n")
    return d / "slip.zip"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_missing, "does not exist"),
        (_not_a_zip, "not a readable zip"),
        (_empty_folder, "holds no pages"),
        (_zip_slip, "unsafe entry name"),
    ],
)
def test_bad_inputs_name_the_path(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(SecondBrainError, match=message) as caught:
        NotionExportSource(path, name="x").list_pages()
    assert str(path) in str(caught.value)


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Big.md", "# Big\n" + "a" * 200_000)  # compresses to a few hundred bytes
    monkeypatch.setattr(export_files, "MAX_TOTAL_BYTES", 100_000)
    with pytest.raises(SecondBrainError, match="unpacks to more than"):
        NotionExportSource(bomb, name="x").list_pages()


def _ingest(capsys: pytest.CaptureFixture[str], spec: str) -> tuple[int, dict | None, str]:
    code = main(["ingest", "--source", spec, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else None, err


def test_corrupt_zip_exits_2_and_writes_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip file at all")
    code, _, err = _ingest(capsys, f"notion-export:{bad}")
    assert code == 2
    assert err.startswith("error: ") and str(bad) in err and len(err.strip().splitlines()) == 1
    assert open_database(settings)["pages"].count_documents({}) == 0
    assert not (settings.home / "raw").exists()


def test_zip_with_damaged_entry_data_exits_2_and_writes_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real zip whose deflated bytes were damaged (a bad download), not a non-zip file."""
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Notes abc.md", "# Notes\n\n" + "vacuum and analyze " * 2000)
    data = bytearray(damaged.read_bytes())
    start = data.index(b"Notes abc.md") + len(b"Notes abc.md") + 20  # inside the compressed stream
    data[start : start + 64] = bytes(64)
    damaged.write_bytes(bytes(data))
    code, _, err = _ingest(capsys, f"notion-export:{damaged}")
    assert code == 2
    assert str(damaged) in err and len(err.strip().splitlines()) == 1
    assert open_database(settings)["pages"].count_documents({}) == 0
    assert not (settings.home / "raw").exists()


def test_corrupt_zip_without_mongodb_uri_starts_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no MONGODB_URI the local server would be started on first use: not for bad input."""
    home = tmp_path / "home"
    monkeypatch.setenv("SECONDBRAIN_HOME", str(home))
    monkeypatch.delenv("MONGODB_URI", raising=False)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    code, _, err = _ingest(capsys, f"notion-export:{bad}")
    assert code == 2 and str(bad) in err
    assert not (home / "mongo").exists() and not (home / "raw").exists()


def test_reingest_of_same_export_is_all_unchanged(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = f"notion-export:{write_zip(tmp_path / 'export.zip')}"
    code, first, _ = _ingest(capsys, spec)
    assert code == 0
    assert first == {"pages": 7, "new": 7, "updated": 0, "unchanged": 0, "deleted": 0}
    code, second, _ = _ingest(capsys, spec)
    assert second == {"pages": 7, "new": 0, "updated": 0, "unchanged": 7, "deleted": 0}
    stored = open_database(settings)["pages"].find_one({"id": ROW})
    assert stored["properties"]["Status"] == "Done" and stored["parent"] == DB


def test_a_windows_export_is_stored_with_the_line_ends_its_chunks_have(tmp_path: Path) -> None:
    """Every cited passage must be text of its page: chunks split on `\\n`, so the page must too."""
    from secondbrain_core.rag.chunking import chunk_page

    folder = tmp_path / "export"
    folder.mkdir()
    body = "# Router\r\n\r\nThe admin page is at 192.168.1.1.\r\nLog in as admin.\r\n\r\nOld Mac line\rend.\r\n"
    (folder / f"Router {'a' * 32}.md").write_bytes(body.encode())
    (page,) = [NotionExportSource(folder, "x").fetch_page(s) for s in NotionExportSource(folder, "x").list_pages()]
    assert "\r" not in page.markdown and "Old Mac line\nend." in page.markdown
    assert all(chunk.text.strip() in page.markdown for chunk in chunk_page(page, 64, 0))
