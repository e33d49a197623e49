"""Where an S3 location is: `s3://bucket/prefix` and the endpoint override, checked.

Apart from the S3 store so that checking a source spec imports no boto3.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

ENDPOINT_SETTING = "SECONDBRAIN_AWS_ENDPOINT_URL"


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; anything else is refused naming it."""
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment or "\0" in uri:
        raise SecondBrainError(f"{uri!r} is not an S3 URI: use s3://bucket/prefix")
    return parts.netloc, parts.path.strip("/")


def s3_endpoint(settings: Settings) -> str | None:
    """The S3 endpoint override (an empty value means none), checked to be an http(s) URL."""
    url = settings.s3_endpoint_url
    if not url:
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is no number, or out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SecondBrainError(f"{ENDPOINT_SETTING}={url!r} is not a URL: use http(s)://host[:port]")
    return url
