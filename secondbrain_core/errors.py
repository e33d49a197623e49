"""The one exception type for errors a user can cause and fix.

The CLI turns it into exit code 2 and a single line; everything else is a bug (exit 1). The
message is shown (terminal, Dagster's event log), so credentials in it are masked when raised.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from secondbrain_core.redact import redact

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


class SecondBrainError(Exception):
    """A user-caused problem (bad token, bad URL, bad file); the message names the input."""

    def __init__(self, message: object = "") -> None:
        super().__init__(redact(str(message)))


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
