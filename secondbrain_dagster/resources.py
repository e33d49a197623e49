"""Resources shared by every domain; built from `Settings` so tests swap them, not internals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from secondbrain_core.ops.home_lock import writing
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

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[SecondBrainSettings]:
        """Every run and sensor tick holds the home's lock shared: `backup` refuses meanwhile."""
        with super().yield_for_execution(context) as resource, writing(self.get().home.resolve()):
            yield resource
