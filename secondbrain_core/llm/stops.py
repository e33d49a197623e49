"""Stop strings over a stream of text deltas.

A stop string can straddle two deltas, so the tail that could still be the start of one is
held back until the next delta decides it; nothing past a stop string is ever emitted.
"""

from __future__ import annotations


class StopScanner:
    def __init__(self, stop: list[str] | None) -> None:
        self._stops = [s for s in (stop or []) if s]
        self._hold = max((len(s) for s in self._stops), default=1) - 1
        self._pending = ""
        self.stopped = False

    def feed(self, delta: str) -> str:
        """Text that is now safe to emit; sets `stopped` when a stop string has appeared."""
        if self.stopped:
            return ""
        self._pending += delta
        hits = [i for i in (self._pending.find(s) for s in self._stops) if i >= 0]
        if hits:
            self.stopped = True
            out, self._pending = self._pending[: min(hits)], ""
            return out
        cut = len(self._pending) - self._hold
        if cut <= 0:
            return ""
        out, self._pending = self._pending[:cut], self._pending[cut:]
        return out

    def flush(self) -> str:
        """The held-back tail, at the end of generation (it was not a stop string)."""
        out, self._pending = ("" if self.stopped else self._pending), ""
        return out
