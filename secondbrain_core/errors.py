"""The one exception type for errors a user can cause and fix.

The CLI turns it into exit code 2 and a single line; everything else is a bug (exit 1).
"""


class SecondBrainError(Exception):
    """A user-caused problem (bad token, bad URL, bad file); the message names the input."""
