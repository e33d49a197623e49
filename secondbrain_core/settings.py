"""All configuration in one object, read from `SECONDBRAIN_*` variables (and `.env`).

A few settings keep the names their ecosystems already use (`MONGODB_URI`, `NOTION_TOKEN`,
`OPENAI_API_KEY`, ...), as listed in the project's INTERFACES.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SOURCE = f"notion-export:{REPO_ROOT / 'sample_data' / 'notes'}"


def resolve_source(spec: str) -> str:
    """A source spec as given by a user; `sample` names the shipped knowledge base."""
    spec = spec.strip()
    return SAMPLE_SOURCE if spec == "sample" else spec


def _alias(name: str) -> AliasChoices:
    """Accept both the ecosystem's own variable name and the prefixed one."""
    return AliasChoices(name, f"SECONDBRAIN_{name}")


class Settings(BaseSettings):
    """Every knob of the platform; build once at the edge and pass it down."""

    model_config = SettingsConfigDict(env_prefix="SECONDBRAIN_", env_file=".env", extra="ignore", populate_by_name=True)

    # --- storage -----------------------------------------------------------------------
    home: Path = Field(default=Path("./.secondbrain"), validation_alias="SECONDBRAIN_HOME")
    mongodb_uri: str | None = Field(default=None, validation_alias=_alias("MONGODB_URI"))
    mongodb_database: str = "secondbrain"
    s3_snapshot_uri: str | None = Field(
        default=None, description="s3://bucket/prefix for raw page snapshots (else $SECONDBRAIN_HOME/raw/)"
    )
    s3_endpoint_url: str | None = Field(default=None, validation_alias=_alias("AWS_ENDPOINT_URL"))
    dagster_home_override: Path | None = Field(default=None, validation_alias=_alias("DAGSTER_HOME"))
    mlflow_tracking_uri_override: str | None = Field(default=None, validation_alias=_alias("MLFLOW_TRACKING_URI"))

    # --- sources -----------------------------------------------------------------------
    sources: str = SAMPLE_SOURCE
    notion_token: str | None = Field(default=None, validation_alias=_alias("NOTION_TOKEN"))
    notion_base_url: str = "https://api.notion.com"
    notion_max_retries: int = 5
    crawl_allow: str = ""

    # --- models ------------------------------------------------------------------------
    openai_api_key: str | None = Field(default=None, validation_alias=_alias("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_alias("OPENAI_BASE_URL"))
    openai_model: str = "gpt-4o-mini"
    voyage_api_key: str | None = Field(default=None, validation_alias=_alias("VOYAGE_API_KEY"))
    voyage_base_url: str = "https://api.voyageai.com/v1"
    embedder: str = "minilm"
    opik_url_override: str | None = Field(default=None, validation_alias=_alias("OPIK_URL_OVERRIDE"))
    opik_api_key: str | None = Field(default=None, validation_alias=_alias("OPIK_API_KEY"))

    # --- retrieval ---------------------------------------------------------------------
    chunk_tokens: int = 256
    chunk_overlap_tokens: int = 32
    rrf_k: int = 60
    hybrid_dense_weight: float = Field(
        default=0.8, ge=0.0, le=1.0, description="dense share of the RRF vote (bm25 gets the rest); 0.5 = plain RRF"
    )
    hybrid_fusion: Literal["rrf", "zscore"] = Field(
        default="zscore", description="zscore: by each ranker's standardized scores on the query; rrf: by rank alone"
    )
    rerank: bool = False
    vector_backend: Literal["auto", "local", "atlas"] = Field(
        default="auto",
        description="auto: Atlas Vector Search when MONGODB_URI is an Atlas URI, else the local index; "
        "atlas: force it (mongodb-atlas-local on localhost); local: usearch + bm25s under the home",
    )
    context_mode: str = Field(
        default="auto",
        description="chunk context: auto (llm if a key is set) | llm | structural | none",
    )

    # --- serving -----------------------------------------------------------------------
    api_key: str | None = None
    endpoint_host: str = "127.0.0.1"
    endpoint_port: int = 8000
    serve_max_tokens: int = Field(default=1024, description="largest max_tokens a request may ask for")
    serve_queue_size: int = Field(default=4, description="requests waiting behind the one generating; more → 503")
    serve_max_request_bytes: int = Field(default=1_000_000, description="request bodies above this → 413")
    llm_context_tokens: int = Field(default=2048, description="prompt + completion budget of the local model")
    llm_backend: str = Field(default="auto", description="auto (llama.cpp if installed) | transformers | llamacpp")
    llm_threads: int = Field(
        default=0,
        ge=0,
        description="llama.cpp threads; 0 = one per core in-process, one core less in `serve` (the HTTP side)",
    )
    llm_timeout_s: float = 120.0
    llm_max_retries: int = 4

    @property
    def dagster_home(self) -> Path:
        return self.dagster_home_override or self.home / "dagster"

    @property
    def mlflow_tracking_uri(self) -> str:
        return self.mlflow_tracking_uri_override or f"sqlite:///{self.home.resolve() / 'mlflow.db'}"

    @property
    def source_list(self) -> list[str]:
        """The configured sources, one partition each; `sample` names the shipped KB."""
        return [resolve_source(s) for s in self.sources.split(",") if s.strip()]

    @property
    def crawl_allow_list(self) -> list[str]:
        return [s.strip() for s in self.crawl_allow.split(",") if s.strip()]
