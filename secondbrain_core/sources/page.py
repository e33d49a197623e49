"""The one record every source yields, whatever it reads (Notion API, export, S3 snapshot)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field, computed_field, field_validator

from secondbrain_core.errors import SecondBrainError


def to_stored_time(value: datetime) -> datetime:
    """UTC, truncated to the millisecond that BSON dates keep, so a round trip compares equal."""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)


class PageStub(BaseModel):
    """What a cheap listing tells about a page: enough to decide whether to fetch it."""

    id: str
    last_edited_time: datetime
    title: str = ""

    _stored_time = field_validator("last_edited_time")(classmethod(lambda cls, v: to_stored_time(v)))


class Page(BaseModel):
    """A page rendered to Markdown, with the metadata every later step needs."""

    id: str
    source: str
    title: str
    url: str = ""
    parent: str | None = None
    markdown: str
    properties: dict[str, Any] = Field(default_factory=dict)
    links: list[str] = Field(default_factory=list)
    last_edited_time: datetime

    _stored_time = field_validator("last_edited_time")(classmethod(lambda cls, v: to_stored_time(v)))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """Hash of what the page says (not when it was edited), so touches cost nothing."""
        payload = json.dumps(
            [self.title, self.url, self.parent, self.markdown, self.properties, self.links],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class UnreadablePage(SecondBrainError):
    """One page the source cannot read (JSON of the wrong shape, gone since the listing): the
    sync skips it with a warning naming it and goes on with the others."""


class Source(Protocol):
    """A place pages come from. `list_pages` must be cheap; `fetch_page` does the real work and
    may raise `UnreadablePage` for a page that cannot be read."""

    name: str
    # How coarse the listing's edit times are: Notion reports them to the minute, so an edit in
    # the same minute as the previous sync shows the same time; such pages are fetched again.
    edit_time_resolution: timedelta
    # False when the last `list_pages` had to stop early (an API repeating its cursor): pages it
    # did not show are then not taken for deleted.
    listing_complete: bool

    def list_pages(self) -> list[PageStub]: ...

    def fetch_page(self, stub: PageStub) -> Page: ...
