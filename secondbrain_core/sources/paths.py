"""Whether a path stays inside a folder once every link in it is followed.

Shared by the two places that turn outside input into file paths: the raw snapshot folder
(page ids) and export folders (whatever the export holds).
"""

from __future__ import annotations

from pathlib import Path


def resolves_inside(path: Path, root: Path) -> bool:
    """True when `path`, links followed, lies in `root`; a link loop or a path the system
    refuses (too long, a NUL) counts as outside."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a link loop, before Python 3.13
        return False
