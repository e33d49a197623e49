"""The search modes, apart from the index code so the CLI's parser can name them for free."""

from __future__ import annotations

from typing import Literal

Mode = Literal["bm25", "dense", "hybrid"]
MODES: tuple[str, ...] = ("bm25", "dense", "hybrid")
