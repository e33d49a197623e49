"""Hostile or malformed input found by probing the CLI's inputs: a crawled site that lies
about its charset or redirects anywhere, a damaged or crafted backup, a backup folder that is
a file, test-set lines nested past the parser's depth, file names with control characters.

Each case once gave a traceback, exit 1, an aborted run or lost data; now it is one named line
(exit 2) or a failure of that one URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import os
import socket
import time
import tracemalloc
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from crawl_site import Recorder
from fake_api import served
from note_pages import note_page

from secondbrain_core.app.cli import main
from secondbrain_core.crawl.fetch import Fetcher, FetchFailed, FetchLimits
from secondbrain_core.crawl.guard import Guard
from secondbrain_core.crawl.pipeline import crawl_urls
from secondbrain_core.dataset.split import SPLITS
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm.styles import DEFAULT_STYLE
from secondbrain_core.settings import Settings
from secondbrain_core.sources import notion_webhook
from secondbrain_core.sources.export_files import read_export
from secondbrain_core.sources.notion_export import parse_export
from secondbrain_core.sources.notion_webhook import PATH as WEBHOOK_PATH
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

TEXT = b"Plain text page with enough words to be kept as a document.\n"
ROUTES = {
    "/charset-unknown": (200, {"Content-Type": "text/plain; charset=no-such-codec"}),
    "/charset-rot13": (200, {"Content-Type": "text/plain; charset=rot13"}),
    "/to-file": (302, {"Location": "file:///etc/passwd"}),
    "/to-javascript": (302, {"Location": "javascript:alert(1)"}),
    "/to-bad-port": (302, {"Location": "http://example.com:99999/"}),
    "/to-control-char": (302, {"Location": "/a\x7fb"}),
    "/to-long": (302, {"Location": "/" + "x" * 70_000}),
    "/ok": (200, {"Content-Type": "text/plain; charset=utf-8"}),
}
BOMB = gzip.compress(b"\0" * 200_000_000, 9)  # 200 MB of zeros in ~200 kB
COMPRESSED = {  # path -> (Content-Encoding, body)
    "/gzip": ("gzip", gzip.compress(TEXT)),
    "/deflate": ("deflate", zlib.compress(TEXT)),
    "/brotli": ("br", b"not read"),
    "/broken-gzip": ("gzip", b"not gzip at all"),
    "/bomb": ("gzip", BOMB),
}


class _Liar(BaseHTTPRequestHandler):
    """Answers that are the server's fault: a bogus charset, redirects to what no crawl may follow."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        status, headers = ROUTES.get(self.path, (404, {"Content-Type": "text/plain"}))
        body = TEXT
        if self.path in COMPRESSED:
            status, headers = 200, {"Content-Type": "text/plain", "Content-Encoding": COMPRESSED[self.path][0]}
            body = COMPRESSED[self.path][1]
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(ConnectionError):  # the crawler hangs up on a bomb
            self.wfile.write(body)


def test_a_site_lying_about_charset_or_redirecting_anywhere_fails_only_its_urls(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a LookupError or an httpx.InvalidURL (exit 1) or a BadURL (exit 2) ended the whole crawl."""
    unparsable = ["/a\x7fb", "/" + "x" * 70_000]  # given (or linked) URLs httpx refuses to build
    with Recorder(_Liar) as site:
        monkeypatch.setattr(settings, "crawl_allow", f"127.0.0.1:{site.port}")
        monkeypatch.setattr(settings, "crawl_host_delay_s", 0.0)
        urls = [site.base + route for route in [*ROUTES, *unparsable]]
        pages = {p.url.removeprefix(site.base): p for p in crawl_urls(urls, settings)}
    for route in ("/charset-unknown", "/charset-rot13", "/ok"):  # read as UTF-8
        assert pages[route].status == "ok" and "Plain text page" in pages[route].markdown, route
    for route in ("/to-file", "/to-bad-port"):  # refused by the guard at the hop
        assert pages[route].status == "blocked" and "redirects to" in pages[route].reason, route
    for route in ("/to-javascript", "/to-control-char", "/to-long"):  # refused by httpx's URL parser
        assert pages[route].status == "error" and route in pages[route].reason, route
    for route in unparsable:
        assert pages[route].status == "error" and "InvalidURL" in pages[route].reason
    assert not any("etc/passwd" in hit for hit in site.hits)


def test_compressed_bodies_are_inflated_within_the_cap() -> None:
    """httpx inflated each network chunk whole before the cap was checked: this bomb took 152 MB of
    Python memory under a 1 MB cap (and 16 bombs at once +256 MB of RSS under the default 5 MB)."""
    limits = FetchLimits(max_bytes=1_000_000, host_delay_s=0)

    async def fetch_all(base: str) -> dict[str, object]:
        async with Fetcher(Guard.from_entries([base.removeprefix("http://")]), limits) as fetcher:
            results = {}
            for path in COMPRESSED:
                try:
                    results[path] = (await fetcher.fetch(base + path)).text
                except FetchFailed as exc:
                    results[path] = exc.reason
            return results

    with Recorder(_Liar) as site:
        tracemalloc.start()
        try:
            results = asyncio.run(fetch_all(site.base))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert results["/gzip"] == results["/deflate"] == TEXT.decode()
    assert "content encoding 'br' is not read" in results["/brotli"]
    assert "gzip body is damaged" in results["/broken-gzip"]
    assert "passed the 1000000-byte cap" in results["/bomb"]
    assert peak < 12_000_000, f"{peak} bytes at peak"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Exit code and stderr of one command, which must be a single line when it fails."""
    code = main(list(argv))
    err = capsys.readouterr().err.strip()
    assert code == 0 or "\n" not in err, err
    return code, err


def _page_ids(settings: Settings) -> list[str]:
    return [page.id for page in PageStore(open_database(settings)).live_pages()]


@pytest.fixture
def backed_up(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A backup of a home holding two pages."""
    PageStore(open_database(settings)).upsert([note_page(f"p{n}", "sample", f"Note {n}", "text") for n in (1, 2)])
    folder = tmp_path / "backup"
    assert _cli(capsys, "backup", str(folder)) == (0, "")
    return folder


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            lambda dump: dump.write_bytes(dump.read_bytes()[: len(dump.read_bytes()) // 2]), id="cut-mid-line"
        ),
        pytest.param(lambda dump: dump.write_text(dump.read_text().splitlines(keepends=True)[0]), id="cut-at-a-line"),
        pytest.param(lambda dump: dump.write_text("[" * 100_000 + "\n"), id="nested-too-deep"),
        pytest.param(lambda dump: dump.unlink(), id="missing"),
    ],
)
def test_a_damaged_store_dump_is_refused_before_the_store_is_dropped(
    settings: Settings, backed_up: Path, capsys: pytest.CaptureFixture[str], damage
) -> None:
    """Once `restore --replace` dropped the pages collection, then died on the cut line (exit 1)."""
    damage(backed_up / "mongo" / "pages.json")
    code, err = _cli(capsys, "restore", str(backed_up), "--replace")
    assert code == 2 and "damaged" in err and "pages.json" in err
    assert _page_ids(settings) == ["p1", "p2"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("files", {"../../outside.txt": {"size": 1, "sha256": "0" * 64}}),
        ("files", {"/tmp/outside.txt": {"size": 1, "sha256": "0" * 64}}),
        ("mlflow_artifacts", {"../../..": "/somewhere"}),
        ("collections", {"../pages": 2}),
        ("mlflow_db", "../mlflow.db"),
    ],
)
def test_a_manifest_naming_paths_outside_is_refused(
    settings: Settings, backed_up: Path, capsys: pytest.CaptureFixture[str], field: str, value: object
) -> None:
    """Restore joins these names to the home, then writes (files) or deletes (artifact folders) there."""
    manifest = backed_up / "backup.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), field: value}))
    code, err = _cli(capsys, "restore", str(backed_up), "--replace")
    assert code == 2 and "backup.json" in err and "not a path inside the backup" in err
    assert _page_ids(settings) == ["p1", "p2"]


def test_a_backup_path_that_is_a_file_or_cannot_be_made_exits_2(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    file = tmp_path / "a-file"
    file.write_text("keep me")
    for target, says in ((file, "is a file"), (file / "below", "cannot create")):
        code, err = _cli(capsys, "backup", str(target))
        assert code == 2 and says in err and str(target) in err
    assert file.read_text() == "keep me"


def test_json_nested_past_the_recursion_limit_is_bad_input(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[[[[…` in a test set or a manifest once ended the CLI with a RecursionError (exit 1)."""
    deep = "[" * 100_000 + "]" * 100_000 + "\n"
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text("# A\nalpha\n")
    (tmp_path / "qrels.tsv").write_text("q1\ta\t1\n")
    (tmp_path / "data.jsonl").write_text('{"id": "1", "text": "t", "summary": "s"}\n' + deep)
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "alpha"}\n' + deep)
    retrieval = ["--corpus", str(tmp_path / "corpus"), "--queries", str(tmp_path / "queries.jsonl")]
    for argv, named in (
        (["eval", "summarize", "--data", str(tmp_path / "data.jsonl")], "data.jsonl:2"),
        (["eval", "retrieval", *retrieval, "--qrels", str(tmp_path / "qrels.tsv")], "queries.jsonl line 2"),
    ):
        code, err = _cli(capsys, *argv)
        assert code == 2 and named in err and "not valid JSON" in err, argv
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "backup.json").write_text(deep)
    code, err = _cli(capsys, "restore", str(tmp_path / "backup"))
    assert code == 2 and "backup.json" in err
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "home.json").write_text(deep)
    code, err = _cli(capsys, "backup", str(tmp_path / "new-backup"))
    assert code == 2 and "home.json" in err


def test_names_with_control_characters_stay_on_one_escaped_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name or page id holding a newline once printed a second, fake `error:` line, and an
    escape sequence reached the terminal as is."""
    export = tmp_path / "export"
    export.mkdir()
    (export / "Ok 0123456789abcdef0123456789abcdef.md").write_text("# Ok\n")
    (export / "x\nerror: all fine\x1b[2J 1123456789abcdef0123456789abcdef.md").write_bytes(b"# L\ncaf\xe9\n")
    code, err = _cli(capsys, "ingest", "--source", f"notion-export:{export}")
    assert code == 2 and "x\\nerror: all fine\\x1b[2J" in err and "is not UTF-8" in err and "\x1b" not in err
    code, err = _cli(capsys, "show", "abc\n\x1b[31mred")
    assert code == 2 and "abc\\n\\x1b[31mred" in err and "\x1b" not in err


def test_a_skipped_link_is_named_escaped_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Ok 0123456789abcdef0123456789abcdef.md").write_text("# Ok\n")
    (export / "evil\x1b[2J.md").symlink_to("/etc/hostname")
    with caplog.at_level("WARNING"):
        read_export(export)
    assert "evil\\x1b[2J.md" in caplog.text and "\x1b" not in caplog.text and "links outside" in caplog.text


def test_a_page_removed_from_the_export_is_no_longer_shown_and_the_rest_stays(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show` once printed a page deleted at its source as if it were live."""
    export, kept, gone = tmp_path / "export", "0123456789abcdef0123456789abcdef", "1123456789abcdef0123456789abcdef"
    export.mkdir()
    (export / f"Kept {kept}.md").write_text("# Kept\nstays\n")
    (export / f"Gone {gone}.md").write_text("# Gone\nremoved later\n")
    assert _cli(capsys, "ingest", "--source", f"notion-export:{export}")[0] == 0
    (export / f"Gone {gone}.md").unlink()
    assert _cli(capsys, "ingest", "--source", f"notion-export:{export}")[0] == 0
    code, err = _cli(capsys, "show", gone)
    assert code == 2 and gone in err
    assert main(["show", kept]) == 0 and "stays" in capsys.readouterr().out
    assert _page_ids(settings) == [kept]


def test_a_backup_file_that_is_a_link_is_not_followed(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crafted backup (link and digest edited together) once had restore copy any file of this machine."""
    (settings.home / "datasets").mkdir(parents=True)
    (settings.home / "datasets" / "train.jsonl").write_text('{"id": 1}\n')
    folder = tmp_path / "backup"
    assert _cli(capsys, "backup", str(folder))[0] == 0
    outside = tmp_path / "private.txt"
    outside.write_text("not the backup's\n")
    copied = folder / "home" / "datasets" / "train.jsonl"
    copied.unlink()
    copied.symlink_to(outside)
    manifest = json.loads((folder / "backup.json").read_text())
    manifest["files"]["datasets/train.jsonl"] = {"size": 16, "sha256": hashlib.sha256(outside.read_bytes()).hexdigest()}
    (folder / "backup.json").write_text(json.dumps(manifest))
    code, err = _cli(capsys, "restore", str(folder), "--replace")
    assert code == 2 and "is a link" in err and "train.jsonl" in err
    assert (settings.home / "datasets" / "train.jsonl").read_text() == '{"id": 1}\n'


def test_an_export_written_with_upper_case_suffixes_loses_no_page(tmp_path: Path) -> None:
    """`Page <id>.MD` was read, then silently dropped: only `.md` became a page (`.CSV` a table)."""
    export = tmp_path / "export"
    export.mkdir()
    (export / "Upper 6666666666666666666666666666666a.MD").write_text("# Upper\nupper body\n")
    (export / "Db 8888888888888888888888888888888b.CSV").write_text("Name,Tag\nr1,x\n")
    (export / "Db 8888888888888888888888888888888b").mkdir()
    (export / "Db 8888888888888888888888888888888b" / "r1 9999999999999999999999999999999c.Md").write_text(
        "# r1\nrow body\n"
    )
    pages = parse_export(read_export(export), "notion-export:x")
    assert pages["6666666666666666666666666666666a"].markdown == "upper body"
    row = pages["9999999999999999999999999999999c"]
    assert row.parent == "8888888888888888888888888888888b" and "row body" in row.markdown


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_an_export_path_that_is_no_regular_file_is_refused_without_reading(tmp_path: Path, kind: str) -> None:
    """`notion-export:/dev/zero` once filled the memory until the kernel killed the ingest, and a
    FIFO blocked it forever."""
    path = Path("/dev/zero")
    if kind == "fifo":
        path = tmp_path / "export.zip"
        os.mkfifo(path)
    with pytest.raises(SecondBrainError, match="neither a folder nor a regular"):
        read_export(path)


def test_two_files_with_one_page_id_keep_the_first_and_say_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The second file was dropped without a word."""
    export = tmp_path / "export"
    (export / "copy").mkdir(parents=True)
    (export / "Note 0123456789abcdef0123456789abcdef.md").write_text("# Note\nfirst\n")
    (export / "copy" / "Note 0123456789abcdef0123456789abcdef.md").write_text("# Note\nsecond\n")
    with caplog.at_level("WARNING"):
        pages = parse_export(read_export(export), "notion-export:x")
    assert pages["0123456789abcdef0123456789abcdef"].markdown == "first"
    assert "same page id 0123456789abcdef0123456789abcdef" in caplog.text and "copy/Note" in caplog.text


def test_restoring_into_a_home_inside_the_backup_exits_2(
    backed_up: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every file was to be copied onto itself: a SameFileError (exit 1) after the store was loaded."""
    monkeypatch.setenv("SECONDBRAIN_HOME", str(backed_up / "home"))
    code, err = _cli(capsys, "restore", str(backed_up), "--replace")
    assert code == 2 and "inside the backup" in err


def _raw_post(port: int, headers: str, body: bytes = b"") -> bytes:
    """What the webhook receiver answers to a hand-written request (empty when it just hangs up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode() + body)
        return conn.recv(1000)


def test_webhook_requests_with_a_bad_length_or_body_get_400_and_none_holds_a_thread(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A `Content-Length: abc` raised in the handler (a traceback), `-1` or a body never sent held a
    thread until the client hung up, and `[[[[…` raised a RecursionError."""
    monkeypatch.setattr(notion_webhook, "READ_TIMEOUT_S", 0.5)
    deep = b"[" * 100_000
    with served(notion_webhook.make_server(settings, "127.0.0.1", 0)) as server:
        port = server.server_address[1]
        for length in ("abc", "-1", "\u00b2"):
            assert _raw_post(port, f"Content-Length: {length}\r\n").startswith(b"HTTP/1.0 400"), length
        assert _raw_post(port, f"Content-Length: {len(deep)}\r\n", deep).startswith(b"HTTP/1.0 400")
        started = time.monotonic()
        assert _raw_post(port, "Content-Length: 100\r\n", b"{") == b""  # hung up on, not waited on
        assert time.monotonic() - started < 3
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("columns", "says"),
    [
        ({"id": ["1"], "text": ["t"], "summary": ["s"]}, "holds no records"),  # no style column
        ({"id": ["1"], "body": ["t"], "style": [DEFAULT_STYLE]}, "field 'text': Field required"),
    ],
)
def test_a_dataset_folder_with_wrong_columns_exits_2(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], columns: dict, says: str
) -> None:
    """A saved dataset folder lacking a column ended `eval summarize` with a KeyError (exit 1)."""
    from datasets import Dataset, DatasetDict

    folder = tmp_path / "dataset"
    DatasetDict({split: Dataset.from_dict(columns) for split in SPLITS}).save_to_disk(str(folder))
    (folder / "manifest.json").write_text("{}")
    capsys.readouterr()  # the progress bars of saving
    code, err = _cli(capsys, "eval", "summarize", "--data", str(folder))
    assert code == 2 and str(folder) in err and says in err


def _zip_without_times(path: Path, entries: dict[str, str]) -> None:
    """A zip whose entries carry DOS date and time 0, as Go's archive/zip writes them."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 10), (b"PK\x01\x02", 12)):  # local and central headers
        start = data.find(signature)
        while start != -1:
            data[start + offset : start + offset + 4] = bytes(4)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def test_a_zip_whose_entries_have_no_time_is_read_with_the_archives(tmp_path: Path) -> None:
    """Such a zip was refused whole ("impossible time"); a fixed date would hide every later edit."""
    path = tmp_path / "export.zip"
    _zip_without_times(path, {"A 0123456789abcdef0123456789abcdef.md": "# A\nbody\n"})
    assert zipfile.ZipFile(path).infolist()[0].date_time == (1980, 0, 0, 0, 0, 0)
    os.utime(path, (1_800_000_000, 1_800_000_000))
    (file,) = read_export(path)
    assert file.text == "# A\nbody\n" and file.modified.timestamp() == 1_800_000_000
