"""All configuration in one object, read from `SECONDBRAIN_*` variables (and `.env`).

A few settings keep the names their ecosystems already use (`MONGODB_URI`, `NOTION_TOKEN`,
`OPENAI_API_KEY`, ...), as listed in the project's INTERFACES.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.redact import redact, remember

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SOURCE = f"notion-export:{REPO_ROOT / 'sample_data' / 'notes'}"
DB_IDLE_STOP_S = 1800.0  # a local MongoDB server with no client this long stops itself


def resolve_source(spec: str) -> str:
    """A source spec as given by a user; `sample` names the shipped knowledge base."""
    spec = spec.strip()
    return SAMPLE_SOURCE if spec == "sample" else spec


def _alias(name: str) -> AliasChoices:
    """Accept both the ecosystem's own variable name and the prefixed one."""
    return AliasChoices(name, f"SECONDBRAIN_{name}")


class Settings(BaseSettings):
    """Every knob of the platform; build once at the edge and pass it down."""

    # validate_assignment: a key assigned as a plain string still becomes a SecretStr
    model_config = SettingsConfigDict(
        env_prefix="SECONDBRAIN_", env_file=".env", extra="ignore", populate_by_name=True, validate_assignment=True
    )

    # --- storage -----------------------------------------------------------------------
    home: Path = Field(default=Path("./.secondbrain"), validation_alias="SECONDBRAIN_HOME")
    mongodb_uri: str | None = Field(default=None, validation_alias=_alias("MONGODB_URI"))
    mongodb_database: str = "secondbrain"
    db_idle_stop_s: float = Field(
        default=DB_IDLE_STOP_S, ge=0, description="the local MongoDB server stops after this long unused; 0 = never"
    )
    s3_snapshot_uri: str | None = Field(
        default=None, description="s3://bucket/prefix for raw page snapshots (else $SECONDBRAIN_HOME/raw/)"
    )
    s3_endpoint_url: str | None = Field(default=None, validation_alias=_alias("AWS_ENDPOINT_URL"))
    dagster_home_override: Path | None = Field(default=None, validation_alias=_alias("DAGSTER_HOME"))
    dagster_executor: Literal["in_process", "multiprocess", "k8s", "celery"] = Field(
        default="in_process",
        description="where a run's steps execute: k8s = a pod per step (dagster-k8s), celery = workers "
        "(dagster-celery); both need pip install -e '.[scale]' (README: When one machine is not enough)",
    )
    mlflow_tracking_uri_override: str | None = Field(default=None, validation_alias=_alias("MLFLOW_TRACKING_URI"))

    # --- sources -----------------------------------------------------------------------
    sources: str = SAMPLE_SOURCE
    notion_token: SecretStr | None = Field(default=None, validation_alias=_alias("NOTION_TOKEN"))
    notion_base_url: str = "https://api.notion.com"
    notion_max_retries: int = Field(default=5, ge=0, le=20)
    source_poll_interval_s: int = Field(
        default=60, ge=10, le=86_400, description="how often source_change_sensor polls each source's cheap listing"
    )
    notion_webhook_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="port of the loopback Notion webhook receiver (`secondbrain notion-webhook`); when set, the "
        "source sensor checks every 10 s and polls Notion at once after a signed event",
    )
    source_full_listing_s: float = Field(
        default=900.0,
        ge=0,
        description="a source whose newest edit did not move is still listed in full this often (finds removed pages)",
    )
    crawl_allow: str = Field(default="", description="hosts, host:port or CIDRs the crawl guard lets through")
    crawl_browser: bool = Field(default=False, description="render crawled pages in Debian chromium (crawl4ai)")
    crawl_connect_timeout_s: float = Field(default=5.0, gt=0, allow_inf_nan=False)
    crawl_read_timeout_s: float = Field(default=15.0, gt=0, allow_inf_nan=False)
    crawl_total_timeout_s: float = Field(
        default=30.0, gt=0, allow_inf_nan=False, description="one request, headers and body"
    )
    crawl_max_bytes: int = Field(default=5_000_000, ge=1024, description="response bodies above this are refused")
    crawl_max_redirects: int = Field(default=5, ge=0, le=20)
    crawl_host_concurrency: int = Field(default=2, ge=1, le=32, description="requests at a time per origin")
    crawl_host_delay_s: float = Field(default=0.1, ge=0, le=60, description="pause between requests to an origin")
    crawl_user_agent: str = "SecondBrainCrawler/1.0"
    crawl_refresh_s: float = Field(
        default=86_400.0, ge=0, description="a linked URL crawled longer ago is re-checked (conditionally)"
    )
    crawl_max_failed_share: float = Field(
        default=0.2, ge=0, le=1, description="crawled_pages warns when more of a source's URLs failed"
    )

    # --- models ------------------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_alias("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_alias("OPENAI_BASE_URL"))
    openai_model: str = "gpt-4o-mini"
    voyage_api_key: SecretStr | None = Field(default=None, validation_alias=_alias("VOYAGE_API_KEY"))
    voyage_base_url: str = "https://api.voyageai.com/v1"
    embedder: str = "minilm"
    opik_url_override: str | None = Field(default=None, validation_alias=_alias("OPIK_URL_OVERRIDE"))
    opik_api_key: SecretStr | None = Field(default=None, validation_alias=_alias("OPIK_API_KEY"))

    # --- retrieval ---------------------------------------------------------------------
    chunk_tokens: int = Field(default=256, ge=32, le=8192)
    chunk_overlap_tokens: int = Field(default=32, ge=0, description="at most half a chunk is used")
    rrf_k: int = Field(default=60, ge=0)
    hybrid_dense_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="dense share of the vote (bm25 gets the rest) for rrf and zscore; 0.5 with rrf = plain RRF",
    )
    hybrid_fusion: Literal["adaptive", "rrf", "zscore"] = Field(
        default="adaptive",
        description="adaptive: zscore weighted per query (query-term coverage, each ranker's peak); "
        "zscore: by each ranker's standardized scores, fixed weight; rrf: by rank alone",
    )
    hybrid_dense_weight_low: float = Field(
        default=0.3, ge=0.0, le=1.0, description="adaptive: dense prior when BM25's best chunk holds every query term"
    )
    hybrid_dense_weight_high: float = Field(
        default=0.9, ge=0.0, le=1.0, description="adaptive: dense prior when BM25's best chunk holds no query term"
    )
    hybrid_page_credit: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="share of a ranker's vote for a page's best chunk lent to that page's other candidates",
    )
    rerank: bool = False
    local_rerank: bool = Field(
        default=False,
        description="hybrid's first 20 reordered by MiniLM similarity of the query to each one's best sentence "
        "(won the worst case over the tune sets); each index build then also embeds every new chunk's "
        "sentences (about 3x the build time), which a search reads",
    )
    local_rerank_weight: float = Field(
        default=1.0, ge=0.0, description="local rerank: weight of the best-sentence z-score beside the fused one"
    )
    vector_backend: Literal["auto", "local", "atlas"] = Field(
        default="auto",
        description="auto: Atlas Vector Search when MONGODB_URI is an Atlas URI, else the local index; "
        "atlas: force it (mongodb-atlas-local on localhost); local: usearch + bm25s under the home",
    )
    context_mode: str = Field(
        default="auto",
        description="chunk context: auto (llm if a key is set) | llm | structural | none",
    )

    # --- quality filter (quality_scores, dbt_like_sql models) ---------------------------
    quality_mode: Literal["heuristic", "judge", "combined"] = Field(
        default="heuristic",
        description="which score the filters compare: the heuristic, the LLM judge, or their mean "
        "(the default agreed best with the hand labels: benchmarks/quality.py)",
    )
    quality_threshold: float = Field(default=0.5, ge=0.0, le=1.0, description="rag_documents keeps quality >= this")
    finetune_quality_threshold: float = Field(
        default=0.7, ge=0.0, le=1.0, description="finetune_documents keeps quality >= this (stricter)"
    )

    # --- assistant -------------------------------------------------------------------
    agent_mode: Literal["auto", "local", "tools"] = Field(
        default="auto",
        description="auto: the tool-using agent when OPENAI_API_KEY/OPENAI_BASE_URL is set, else the local program",
    )
    agent_k: int = Field(default=6, ge=1, le=50, description="chunks the local program reads per question")
    agent_max_iters: int = Field(default=5, ge=1, le=20, description="tool calls the agent may make per question")
    agent_answer_words: int = Field(default=80, ge=20, le=400, description="longest answer, citation markers aside")
    agent_evidence_threshold: float = Field(
        default=0.47,
        ge=0.0,
        le=1.0,
        description="support below which the local program says the notes do not answer "
        "(calibrated over the agent dev set, two personal-notes sets and other note sets: benchmarks/agent.py)",
    )
    agent_lead: bool = Field(
        default=False, description="let the local model write a one-sentence lead (kept only if grounded)"
    )
    agent_dictionaries: Path = Field(
        default=Path("/usr/share/dictd"),
        description="folder of FreeDict <lang>-eng dictionaries (dictd format: Debian's dict-freedict-* packages) "
        "through which an English question finds notes written in that language; none there: questions as typed",
    )
    agent_tracing: bool = Field(default=True, description="one MLflow trace per answer (Opik too when configured)")
    agent_optimize: bool = Field(
        default=True, description="agent_eval compiles the tool agent (BootstrapFewShot) when a capable LM is set"
    )

    # --- serving -----------------------------------------------------------------------
    api_key: SecretStr | None = None
    endpoint_host: str = "127.0.0.1"
    endpoint_port: int = Field(default=8000, ge=1, le=65535)
    serve_max_tokens: int = Field(default=1024, ge=1, description="largest max_tokens a request may ask for")
    serve_queue_size: int = Field(
        default=4, ge=0, le=1000, description="requests waiting behind the one generating; more → 503"
    )
    serve_max_request_bytes: int = Field(
        default=1_000_000, ge=1024, le=1_000_000_000, description="request bodies above this → 413"
    )
    llm_context_tokens: int = Field(
        default=2048, ge=128, le=1_048_576, description="prompt + completion budget of the local model"
    )
    llm_backend: str = Field(default="auto", description="auto (llama.cpp if installed) | transformers | llamacpp")
    llm_threads: int = Field(
        default=0,
        ge=0,
        description="llama.cpp threads; 0 = one per core in-process, one core less in `serve` (the HTTP side)",
    )
    llm_timeout_s: float = Field(default=120.0, gt=0, allow_inf_nan=False)
    llm_max_retries: int = Field(default=4, ge=0, le=20)

    # --- summarization dataset and fine-tuning ------------------------------------------
    dataset_best_of: int = Field(
        default=1, ge=1, le=16, description="offline teacher: base-model candidates per pair, the judge picks one"
    )
    dataset_seed_limit: int = Field(default=800, ge=0, description="man-page seed pairs mixed in (0 = notes only)")
    dataset_seed_mix: str = Field(
        default="manpages=600,pypi=200",  # won both public tune halves: RESULTS.md "Training", fifth pass
        pattern=r"^(manpages|pypi|pod)=\d+(,(manpages|pypi|pod)=\d+)*$",
        description="seed sources and their shares of dataset_seed_limit: manpages, pypi (the venv's "
        "distributions' Summary), pod (Perl core modules' NAME lines)",
    )
    dataset_teacher_notes: int = Field(
        default=40, ge=0, description="notes the teacher writes key-points/answer/one-sentence pairs for"
    )
    dataset_offline_teacher: bool = Field(
        default=False,
        description="with no OpenAI-compatible teacher, let the base model write pairs for notes without a summary",
    )
    dataset_max_chars: int = Field(default=1200, ge=200, description="document text a pair holds (cut at a sentence)")
    dataset_min_judge: float = Field(default=0.25, description="teacher pairs judged below this are dropped")
    hf_token: SecretStr | None = Field(default=None, validation_alias=_alias("HF_TOKEN"))
    dataset_hub_repo: str | None = Field(default=None, description="push each dataset version to this Hub repo id")
    comet_api_key: SecretStr | None = Field(default=None, validation_alias=_alias("COMET_API_KEY"))
    train_base_model: str = Field(default="base", description="model to fine-tune: base (SmolLM2) or a model folder")
    # defaults = the run measured in benchmarks/RESULTS.md "Training", 2026-12-06 (20 x 8 at 256 tokens)
    train_steps: int = Field(default=40, ge=1, description="LoRA optimizer steps")
    train_batch_size: int = Field(default=8, ge=1)
    train_learning_rate: float = Field(default=5e-4, gt=0)
    train_lora_r: int = Field(default=16, ge=1)
    train_lora_alpha: int = Field(default=32, ge=1)
    train_max_tokens: int = Field(
        default=256, ge=64, description="longest training example (prompt + summary); memory grows with it"
    )
    train_eval_every: int = Field(default=20, ge=1, description="validation loss every N steps")
    train_eval_items: int = Field(default=40, ge=1, description="test-split pairs the promotion eval generates for")
    train_gguf: bool = Field(default=True, description="convert the merged model to GGUF for the llama.cpp engine")
    train_device: str = Field(default="cpu", description="torch device for fine-tuning (cpu; cuda on a GPU machine)")
    train_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto",
        description="auto (bfloat16 autocast where the CPU/GPU multiplies bfloat16 natively) | float32 | bfloat16",
    )
    train_notes_repeat: int = Field(
        default=3, ge=1, description="times each pair of the user's notes enters a training epoch (seed pairs once)"
    )

    def model_post_init(self, context: object, /) -> None:
        remember(self)  # a message built far from these settings still masks their secrets

    def __repr_args__(self):
        """Secrets already print as '**********'; URIs print without their credentials."""
        for name, value in super().__repr_args__():
            yield name, redact(value) if isinstance(value, str) else value

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


def load_settings() -> Settings:
    """The settings of this environment; a bad value is a SecondBrainError naming its variable.

    The value itself is left out of the message: it may be a secret.
    """
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = variable_name(str(first["loc"][0])) if first["loc"] else "(settings)"
        raise SecondBrainError(f"invalid setting {name}: {first['msg']}") from None


def variable_name(field: str) -> str:
    """The environment variable a setting is read from: its ecosystem's name if it has one."""
    alias = Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return alias if isinstance(alias, str) else f"SECONDBRAIN_{field.upper()}"
