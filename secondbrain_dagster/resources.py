"""Resources shared by every domain; built from `Settings` so tests swap them, not internals."""

from __future__ import annotations

import dagster as dg

from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings


class SecondBrainSettings(dg.ConfigurableResource):
    """The platform's `Settings`, with an optional home override for tests and the demo."""

    home: str | None = None

    def get(self) -> Settings:
        settings = Settings(home=self.home) if self.home else Settings()
        apply_runtime_env(settings)
        return settings
