"""`summarization_endpoint`: the current champion served over HTTP, redeployed without downtime."""

from datetime import timedelta

import dagster as dg

from secondbrain_core.llm import endpoint_process
from secondbrain_dagster.policies import ML_OWNERS
from secondbrain_dagster.resources import SecondBrainSettings


class EndpointConfig(dg.Config):
    model: str = "champion"  # base, champion (MLflow alias of `summarizer`) or a model folder


@dg.asset(
    group_name="serving",
    kinds={"fastapi", "python"},
    owners=ML_OWNERS,
    deps=[dg.AssetKey("summarization_eval")],  # after the promotion gate: it serves the champion
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=7), warn_window=timedelta(days=2)),
)
def summarization_endpoint(sb: SecondBrainSettings, config: EndpointConfig) -> dg.MaterializeResult:
    """The OpenAI-compatible summarization endpoint, serving the MLflow `champion` (else the base model).

    Locally a detached `secondbrain_core.llm.server` process; a new deployment starts on a fresh
    port and takes over only once healthy, so callers never see a gap. Its URL and model are in
    `$SECONDBRAIN_HOME/endpoint/state.json`; `docker/compose.yaml` is the containerized variant.
    """
    settings = sb.get()
    state = endpoint_process.deploy(settings, config.model)
    return dg.MaterializeResult(
        metadata={
            "url": dg.MetadataValue.url(state.url),
            "model": dg.MetadataValue.text(state.model),
            "model_version": dg.MetadataValue.text(state.version),
            "model_source": dg.MetadataValue.text(state.source),
            "pid": dg.MetadataValue.int(state.pid),
            "state_file": dg.MetadataValue.path(str(settings.home.resolve() / "endpoint" / "state.json")),
        }
    )
