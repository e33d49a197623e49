"""Raw snapshots (local and S3) and reading an S3 snapshot back as a source, against moto's server."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.ingest import ingest_source
from secondbrain_core.settings import SAMPLE_SOURCE, Settings
from secondbrain_core.sources.notion_export import NotionExportSource
from secondbrain_core.sources.s3_snapshot import S3SnapshotSource
from secondbrain_core.sources.snapshot import SnapshotWriter
from secondbrain_core.sources.snapshot_store import source_slug
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

BUCKET = "brain"
SAMPLE = Path(SAMPLE_SOURCE.removeprefix("notion-export:"))


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_settings(settings: Settings, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """`settings` with snapshots going to a fresh prefix of a bucket on the moto server."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=moto_endpoint)
    if BUCKET not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    prefix = f"s3://{BUCKET}/snap-{uuid.uuid4().hex[:8]}"
    return settings.model_copy(update={"s3_snapshot_uri": prefix, "s3_endpoint_url": moto_endpoint})


def _comparable(page) -> dict:
    return page.model_dump(exclude={"source"})


def sample_pages(name: str = "export") -> list:
    source = NotionExportSource(SAMPLE, name=name)
    return [source.fetch_page(stub) for stub in source.list_pages()]


def test_export_snapshot_in_s3_reads_back_as_a_source(s3_settings: Settings) -> None:
    spec = SAMPLE_SOURCE
    report = ingest_source(spec, s3_settings)
    total = report.new
    assert total >= 40 and report.pages == total
    client = boto3.client("s3", endpoint_url=s3_settings.s3_endpoint_url)
    prefix = s3_settings.s3_snapshot_uri.removeprefix(f"s3://{BUCKET}/")
    slug = source_slug(spec)
    manifest = json.loads(client.get_object(Bucket=BUCKET, Key=f"{prefix}/{slug}/manifest.json")["Body"].read())
    assert manifest["source"] == spec and len(manifest["pages"]) == total
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/{slug}/pages/")["Contents"]}
    assert keys == {f"{prefix}/{slug}/pages/{p['id']}.json" for p in manifest["pages"]}

    # the snapshot, ingested as a source into a fresh database, gives the same pages
    fresh = s3_settings.model_copy(update={"mongodb_database": f"t_{uuid.uuid4().hex[:12]}"})
    s3_report = ingest_source(s3_settings.s3_snapshot_uri, fresh)
    assert (s3_report.pages, s3_report.new) == (total, total)
    original = PageStore(open_database(s3_settings)).live_pages(spec)
    copied = PageStore(open_database(fresh)).live_pages(s3_settings.s3_snapshot_uri)
    assert [_comparable(p) for p in copied] == [_comparable(p) for p in original]
    # ...and its own snapshot in the same prefix is not read back as a second copy
    assert ingest_source(s3_settings.s3_snapshot_uri, fresh).unchanged == total


def test_writer_skips_unchanged_pages_and_keeps_manifest_on_crash(settings: Settings) -> None:
    pages = sample_pages()
    root = settings.home / "raw" / source_slug("export")
    with SnapshotWriter(settings, "export") as writer:
        for page in pages:
            writer.write(page)
        writer.write_manifest(pages)
    assert writer.written == len(pages) == len(list((root / "pages").glob("*.json")))
    manifest = (root / "manifest.json").read_text()

    with SnapshotWriter(settings, "export") as again:
        for page in pages:
            again.write(page)
    assert again.written == 0  # same content hashes: nothing rewritten

    changed = pages[0].model_copy(update={"markdown": "edited"})
    with pytest.raises(RuntimeError), SnapshotWriter(settings, "export") as crashing:
        crashing.write(changed)
        raise RuntimeError("crash before the manifest")
    assert (root / "manifest.json").read_text() == manifest  # the previous manifest stays valid

    with SnapshotWriter(settings, "export") as final:
        final.write_manifest(pages[1:])  # the first page is gone from the source
    entries = json.loads((root / "manifest.json").read_text())["pages"]
    assert [e["id"] for e in entries] == sorted(p.id for p in pages[1:])
    assert not (root / "pages" / f"{pages[0].id}.json").exists()


def test_prefix_with_two_sources_keeps_ids_unique(s3_settings: Settings) -> None:
    pages = sample_pages()
    for name in ("first", "second"):
        with SnapshotWriter(s3_settings, name) as writer:
            writer.write_manifest([p.model_copy(update={"source": name}) for p in pages])
    s3 = S3SnapshotSource(s3_settings.s3_snapshot_uri, s3_settings)
    stubs = s3.list_pages()
    assert len({s.id for s in stubs}) == 2 * len(pages)
    original = next(p for p in pages if p.parent)
    page = s3.fetch_page(next(s for s in stubs if s.id == f"{source_slug('second')}/{original.id}"))
    assert page.parent == f"{source_slug('second')}/{original.parent}"  # parents follow their qualified ids
    assert page.markdown == original.markdown and page.source == s3_settings.s3_snapshot_uri


def test_missing_bucket_or_credentials_name_the_uri(
    s3_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Also an empty prefix: nothing to read is an error, not an empty workspace."""
    uri = "s3://no-such-bucket/notes"
    with pytest.raises(SecondBrainError, match=r"s3://no-such-bucket/notes.*NoSuchBucket"):
        S3SnapshotSource(uri, s3_settings).list_pages()
    with pytest.raises(SecondBrainError, match="no snapshot manifests"):
        S3SnapshotSource(s3_settings.s3_snapshot_uri, s3_settings).list_pages()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(SecondBrainError, match=f"{s3_settings.s3_snapshot_uri}.*credentials"):
        S3SnapshotSource(s3_settings.s3_snapshot_uri, s3_settings).list_pages()
