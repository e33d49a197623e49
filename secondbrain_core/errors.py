"""The one exception type for errors a user can cause and fix.

The CLI turns it into exit code 2 and a single line; everything else is a bug (exit 1). The
message is shown (terminal, Dagster's event log), so credentials in it are masked when raised,
and control characters are escaped: it names what the user gave (a file name, a page id, a
URL), which may hold a newline (a second, fake line) or a terminal escape sequence.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from secondbrain_core.redact import redact

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SecondBrainError(Exception):
    """A user-caused problem (bad token, bad URL, bad file); the message names the input."""

    def __init__(self, message: object = "") -> None:
        super().__init__(one_line(redact(str(message))))


def one_line(text: str) -> str:
    """`text` with every control character written as its escape (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


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
