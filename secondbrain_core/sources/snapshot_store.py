"""Where raw page snapshots live: a local folder or an S3 prefix, behind one tiny interface.

The snapshot writer and the S3 snapshot source share it, so the layout they agree on
(`<source-slug>/manifest.json`, `<source-slug>/pages/<page_id>.json`) is written down once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

MANIFEST = "manifest.json"


def source_slug(source_name: str) -> str:
    """A folder name for a source: readable, and unique even when two names slug alike."""
    readable = re.sub(r"[^a-z0-9]+", "-", source_name.lower()).strip("-")[-60:].strip("-")
    return f"{readable}-{hashlib.sha256(source_name.encode()).hexdigest()[:8]}"


def page_key(slug: str, page_id: str) -> str:
    return f"{slug}/pages/{page_id}.json"


def manifest_key(slug: str) -> str:
    return f"{slug}/{MANIFEST}"


class SnapshotStore(Protocol):
    """Keys are `/`-separated paths relative to the snapshot root."""

    location: str

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...

    def delete(self, key: str) -> None: ...


class LocalStore:
    """A folder; every write is atomic (temp file + rename), so a crash leaves old files whole."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)


class S3Store:
    """`s3://bucket/prefix` through plain boto3; S3 puts are atomic per object already."""

    def __init__(self, uri: str, settings: Settings) -> None:
        parts = urlsplit(uri)
        if parts.scheme != "s3" or not parts.netloc:
            raise SecondBrainError(f"{uri!r} is not an S3 URI: use s3://bucket/prefix")
        self.location = uri
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        # A session of its own: boto3's default one caches credentials for the process's life.
        self.client = boto3.session.Session().client("s3", endpoint_url=settings.s3_endpoint_url)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise self._error(exc) from exc
        except BotoCoreError as exc:
            raise self._error(exc) from exc

    def put(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType="application/json")
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc) from exc

    def list(self, suffix: str) -> list[str]:
        """Every key under the prefix ending in `suffix`, all listing pages followed."""
        start = f"{self.prefix}/" if self.prefix else ""
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                keys.extend(o["Key"][len(start) :] for o in page.get("Contents", []) if o["Key"].endswith(suffix))
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc) from exc
        return sorted(keys)

    def _error(self, exc: Exception) -> SecondBrainError:
        return SecondBrainError(f"cannot use S3 snapshot {self.location}: {exc}")


def open_store(settings: Settings) -> SnapshotStore:
    """S3 when `s3_snapshot_uri` is set, else `$SECONDBRAIN_HOME/raw`."""
    if settings.s3_snapshot_uri:
        return S3Store(settings.s3_snapshot_uri, settings)
    return LocalStore(settings.home / "raw")
