"""Keep credentials out of everything the platform shows: messages, logs, Dagster metadata, MLflow.

Secrets reach text two ways: as the userinfo of a URI (`mongodb://admin:pw@host`, an MLflow
`postgresql://user:pw@db`) or a credential in its query string, and as the value of a secret
setting (an API key) that a third-party error echoes back. `redact` masks both, so every place
that shows text (the CLI, an asset's metadata, a log line) calls this one function.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from secondbrain_core.errors import SecondBrainError

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


def redact(text: str, settings: Settings | None = None, secrets: Iterable[str] = ()) -> str:
    """`text` with URI credentials masked, and every secret value of `settings` (and `secrets`)."""
    known = [*secrets, *(secret_values(settings) if settings is not None else ())]
    for value in sorted({v for v in known if len(v) >= MIN_SECRET_CHARS}, key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    return _QUERY_SECRET.sub(rf"\1{MASK}", text)


@contextlib.contextmanager
def service_errors(service: str, settings: Settings, *errors: type[Exception]) -> Iterator[None]:
    """Turn a failure to talk to `service` (named by its setting and URI) into a SecondBrainError.

    Drivers put the URI, credentials included, into their own messages; the message is redacted
    and `from None` keeps the original exception out of tracebacks and Dagster's event log.
    """
    try:
        yield
    except errors as exc:
        raise SecondBrainError(redact(f"cannot reach {service}: {exc}", settings)) from None


def secret_values(settings: Settings) -> list[str]:
    """The values of every `SecretStr` setting and the passwords inside every URI setting."""
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
