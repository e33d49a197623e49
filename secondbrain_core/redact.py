"""Keep credentials out of everything the platform shows: messages, logs, Dagster metadata, MLflow.

Secrets reach text two ways: as the userinfo of a URI (`mongodb://admin:pw@host`, an MLflow
`postgresql://user:pw@db`) or a credential in its query string, and as the value of a secret
setting (an API key) that a third-party error echoes back. `redact` masks both, so every place
that shows text (the CLI, an asset's metadata, a log line) calls this one function; every
`SecondBrainError` message goes through it when raised. The secrets of each `Settings` a process
loads are remembered here, because messages are often built where no settings are at hand.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings

MASK = "***"
MIN_SECRET_CHARS = 6  # shorter values are too likely to be ordinary words to mask everywhere
# scheme://userinfo@ — the userinfo runs to the last '@' before the host's '/', '?', '#' or a space
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/?#@'\"]*(?:@[^\s/?#@'\"]*)*@")
_QUERY_SECRET = re.compile(
    r"([?&;](?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth|sig|signature)=)[^&;#\s'\"]*",
    re.IGNORECASE,
)
_REMEMBERED: set[str] = set()  # secret values of every Settings this process has loaded


def redact(text: str, settings: Settings | None = None, secrets: Iterable[str] = ()) -> str:
    """`text` with URI credentials masked, and every secret value of `settings` (and `secrets`)."""
    known = {*secrets, *_REMEMBERED, *(secret_values(settings) if settings is not None else ())}
    for value in sorted({v for v in known if len(v) >= MIN_SECRET_CHARS}, key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    return _QUERY_SECRET.sub(rf"\1{MASK}", text)


def mask_log_records() -> None:
    """Mask every log record of this process as it is made, ours and the libraries' alike.

    A record factory rather than a handler filter: the record is masked once, before any
    handler (the terminal, Dagster's log capture, a file) can see it.
    """
    make = logging.getLogRecordFactory()
    if getattr(make, "masks_secrets", False):
        return

    def masked(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        except (TypeError, ValueError, KeyError):  # one that cannot format is left for its handler to report
            pass
        return record

    masked.masks_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked)


def remember(settings: Settings) -> None:
    """Mask the secrets of `settings` in every later `redact` of this process, settings or not."""
    _REMEMBERED.update(secret_values(settings))


def secret_values(settings: Settings) -> list[str]:
    """The values of every `SecretStr` setting and the passwords inside every URI setting."""
    from pydantic import SecretStr  # not at import: `secondbrain --help` never loads pydantic

    values: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
        elif isinstance(value, str) and "://" in value:
            values.extend(_uri_credentials(value))
    return [v for v in values if v]


def _uri_credentials(uri: str) -> list[str]:
    try:
        password = urlsplit(uri).password
    except ValueError:
        return []
    return [password, unquote(password)] if password else []
