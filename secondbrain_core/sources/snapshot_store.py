"""Where raw page snapshots live: a local folder or an S3 prefix, behind one tiny interface.

The snapshot writer and the S3 snapshot source share it, so the layout they agree on
(`<source-slug>/manifest.json`, `<source-slug>/pages/<file name of the page id>.json`) is
written down once. Page ids come from outside (a Notion response, someone's S3 manifest), so
they never become paths as they are: `page_file_name` encodes them, and both stores refuse
any key that could leave their root (`..`, absolute, NUL, or a link out of the folder).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.paths import resolves_inside
from secondbrain_core.sources.s3_location import ENDPOINT_SETTING, s3_endpoint, split_s3_uri

MANIFEST = "manifest.json"


def source_slug(source_name: str) -> str:
    """A folder name for a source: readable, and unique even when two names slug alike."""
    readable = re.sub(r"[^a-z0-9]+", "-", source_name.lower()).strip("-")[-60:].strip("-")
    return f"{readable}-{hashlib.sha256(source_name.encode()).hexdigest()[:8]}"


_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]")
MAX_FILE_STEM = 120  # encoded ids longer than this (or empty) are named by their hash instead
HASHED_PREFIX = "~"  # never produced by the encoding below, so a hashed name cannot collide with an encoded one


def page_file_name(page_id: str) -> str:
    """A file name for any page id, one per id: letters, digits, `-` and `_` stay as they are
    (Notion's UUIDs and export ids read the same as before), every other character is
    percent-encoded (`.`, `/` and NUL included); a long or empty id becomes `~<sha256>`."""
    encoded = "".join(
        char if _PLAIN_ID.fullmatch(char) else "".join(f"%{b:02X}" for b in char.encode("utf-8", "surrogatepass"))
        for char in page_id
    )
    if 0 < len(encoded) <= MAX_FILE_STEM:
        return encoded
    return HASHED_PREFIX + hashlib.sha256(page_id.encode("utf-8", "surrogatepass")).hexdigest()


def page_key(slug: str, page_id: str) -> str:
    return f"{slug}/pages/{page_file_name(page_id)}.json"


def is_key_segment(name: str) -> bool:
    """Whether `name` can be one part of a snapshot key (a slug read back from an S3 listing)."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


def checked_key(key: str) -> str:
    """`key` when every `/`-part is a plain name; else the error that names it."""
    if not all(is_key_segment(part) for part in key.split("/")):
        raise SecondBrainError(f"refusing snapshot key {key!r}: a key is relative and never climbs out of its root")
    return key


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

    def path(self, key: str) -> Path:
        """Where `key` lives; refused unless it resolves inside the root (links followed)."""
        path = self.root / checked_key(key)
        if not resolves_inside(path, self.root):
            raise SecondBrainError(f"refusing snapshot key {key!r}: {path} leads outside {self.root} (or loops)")
        return path

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path.is_file() else None

    def put(self, key: str, data: bytes) -> None:
        path = self.path(key)
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
        self.path(key).unlink(missing_ok=True)


class S3Store:
    """`s3://bucket/prefix` through plain boto3; S3 puts are atomic per object already."""

    def __init__(self, uri: str, settings: Settings) -> None:
        self.location = uri
        self.bucket, self.prefix = split_s3_uri(uri)
        endpoint = s3_endpoint(settings)
        # A session of its own: boto3's default one caches credentials for the process's life.
        try:
            self.client = boto3.session.Session().client("s3", endpoint_url=endpoint)
        except ValueError as exc:  # botocore's "Invalid endpoint", should a URL pass our check and not its own
            raise SecondBrainError(f"{ENDPOINT_SETTING}={endpoint!r} is not usable: {exc}") from exc

    def _key(self, key: str) -> str:
        key = checked_key(key)
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
