"""Resources shared by every domain; built from `Settings` so tests swap them, not internals."""

from __future__ import annotations

import dagster as dg

from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings


class SecondBrainSettings(dg.ConfigurableResource):
    """The platform's `Settings`, with an optional home override for tests and the demo."""

    home: str | None = None
    crawl_allow_extra: str = ""  # destinations one run adds to SECONDBRAIN_CRAWL_ALLOW (the demo's own site)

    def get(self) -> Settings:
        settings = Settings(home=self.home) if self.home else Settings()
        if self.crawl_allow_extra:
            settings.crawl_allow = ",".join(filter(None, [settings.crawl_allow, self.crawl_allow_extra]))
        apply_runtime_env(settings)
        return settings
