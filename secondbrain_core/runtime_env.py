"""Environment variables third-party libraries read directly, set once from `Settings`.

Kept in one place so nothing else reaches into `os.environ`: offline model loading, no
cloud telemetry, and crawl4ai/litellm state under the data directory. Log records are masked
here too (`redact.mask_log_records`), for the same reason: libraries log what they like.
"""

from __future__ import annotations

import os

from secondbrain_core.redact import mask_log_records
from secondbrain_core.settings import Settings


def apply_runtime_env(settings: Settings) -> None:
    defaults = {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LITELLM_LOCAL_MODEL_COST_MAP": "true",
        "CRAWL4AI_NO_CLOUD_NOTICE": "1",
        "CRAWL4_AI_BASE_DIRECTORY": str(settings.home.resolve() / "crawl4ai"),
        "OPIK_TRACK_DISABLE": "false" if settings.opik_url_override or settings.opik_api_key else "true",
        "DAGSTER_HOME": str(settings.dagster_home.resolve()),
        "MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
        "GIT_PYTHON_REFRESH": "quiet",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    mask_log_records()
