"""Poll each source's cheap listing; launch an ingest run only for sources that changed.

The cursor is JSON `{spec: fingerprint}`, the fingerprint a hash of the listing's page ids and
`last_edited_time`s, so a sensor tick costs one listing per source and no page bodies. A
source newly added to `SECONDBRAIN_SOURCES` is registered as a partition on the same tick (a
spec `check_source` refuses is logged and never registered).

Notion's edit times are minutes: a page edited again later in the minute of a tick keeps the
time the tick saw. A fingerprint taken while some edit time is that fresh ends in `~`
(unsettled), and the next tick runs that source once more even if the listing looks the same.

A source that can tell its newest edit in one request (Notion: search sorted by
`last_edited_time`) is probed first: while that time has not moved, the tick costs one request
and the full listing waits for `SECONDBRAIN_SOURCE_FULL_LISTING_S` (it alone sees a page removed
or unshared). The tick interval is `SECONDBRAIN_SOURCE_POLL_INTERVAL_S` (60 s). With the Notion
webhook receiver configured (`SECONDBRAIN_NOTION_WEBHOOK_PORT`), the sensor checks every
`WAKE_CHECK_S` seconds whether a signed event arrived (a local file, no request) and polls at
once when one did, else at the poll interval as before.
"""

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import dagster as dg

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.redact import redact
from secondbrain_core.settings import Settings, load_settings
from secondbrain_core.sources.notion_webhook import last_wake
from secondbrain_core.sources.page import PageStub
from secondbrain_core.sources.registry import check_source, open_source
from secondbrain_dagster.ingest.jobs import ingest_job
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key
from secondbrain_dagster.resources import SecondBrainSettings

UNSETTLED = "~"
WAKE_CHECK_S = 10
POLLED_AT = "~polled_at"  # cursor key: when the sources were last polled (epoch s)
PROBES = "~probes"  # cursor key: per source, the newest edit its probe saw and when it was last listed in full


def listing_fingerprint(
    stubs: list[PageStub], resolution: timedelta = timedelta(0), now: datetime | None = None
) -> str:
    """Order-independent hash of (id, last_edited_time): changes iff a page is added, edited or removed.

    Ends in `UNSETTLED` while an edit time is less than `resolution` old: it could still hide
    a later edit.
    """
    lines = sorted(f"{s.id}\t{s.last_edited_time.isoformat()}" for s in stubs)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    now = now or datetime.now(UTC)
    fresh = resolution > timedelta(0) and any(now - s.last_edited_time < resolution for s in stubs)
    return digest + (UNSETTLED if fresh else "")


def _interval(settings: Settings) -> int:
    return WAKE_CHECK_S if settings.notion_webhook_port else settings.source_poll_interval_s


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=_interval(load_settings()),  # a bad value fails the load naming its variable
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs ingest_sources only for the sources whose listing changed since the last tick.",
)
def source_change_sensor(context: dg.SensorEvaluationContext, sb: SecondBrainSettings) -> dg.SensorResult:
    settings = sb.get()
    previous: dict = json.loads(context.cursor) if context.cursor else {}
    now = time.time()
    if _nothing_to_wake(settings, previous, now):
        return dg.SensorResult(skip_reason="no Notion event since the last poll", cursor=context.cursor)
    registered = set(context.instance.get_dynamic_partitions(SOURCES.name))
    specs = []
    for spec in dict.fromkeys(settings.source_list):
        try:
            specs.append(check_source(spec, settings))
        except SecondBrainError as exc:  # a typo is neither registered nor listed; the others go on
            context.log.warning(redact(f"not registering source {spec!r}: {exc}", settings))
    new_keys = [partition_key(spec) for spec in specs if partition_key(spec) not in registered]
    fingerprints: dict[str, str] = {}
    probes: dict[str, dict] = previous.get(PROBES, {})
    run_requests = []
    for spec in specs:
        try:
            source = open_source(spec, settings)
            probe = _probe(source, spec, previous, probes.get(spec), settings)
            if probe is None:  # the newest edit did not move: nothing to list this tick
                fingerprints[spec] = previous[spec]
                continue
            if probe:
                probes[spec] = probe
            fingerprints[spec] = listing_fingerprint(source.list_pages(), source.edit_time_resolution)
        except Exception as exc:
            # Whatever one source raises (a bad token, Notion still answering 429/5xx after the
            # client's retries, a vanished export) must not stop the others: it is logged with
            # its cause and retried next tick, keeping its last fingerprint.
            reason = str(exc) if isinstance(exc, SecondBrainError) else f"{type(exc).__name__}: {exc}"
            context.log.warning(redact(f"skipping source {spec}: {reason}", settings))
            if spec in previous:
                fingerprints[spec] = previous[spec]
            continue
        key = partition_key(spec)
        if previous.get(spec) != fingerprints[spec]:
            run_requests.append(dg.RunRequest(partition_key=key, run_key=f"{key}@{fingerprints[spec]}"))
        elif previous[spec].endswith(UNSETTLED):  # same listing, but it may hide an edit: read once more
            run_requests.append(dg.RunRequest(partition_key=key, run_key=f"{key}@{fingerprints[spec]}@settle"))
    probes = {spec: probe for spec, probe in probes.items() if spec in fingerprints}
    return dg.SensorResult(
        run_requests=run_requests,
        cursor=json.dumps({**fingerprints, **({PROBES: probes} if probes else {}), POLLED_AT: now}, sort_keys=True),
        dynamic_partitions_requests=[SOURCES.build_add_request(new_keys)] if new_keys else [],
    )


def _probe(source: object, spec: str, previous: dict[str, str], state: dict | None, settings: Settings) -> dict | None:
    """None when `source`'s newest edit is what the last full listing saw and that listing is
    recent and settled; else the probe state to keep once the source is listed in full."""
    latest_edit = getattr(source, "latest_edit", None)
    if latest_edit is None:
        return {}
    now = datetime.now(UTC)
    latest = latest_edit()
    seen = latest.isoformat() if latest else None
    if state and spec in previous and not previous[spec].endswith(UNSETTLED) and state.get("latest") == seen:
        listed_at = datetime.fromisoformat(state["listed_at"])
        if now - listed_at < timedelta(seconds=settings.source_full_listing_s):
            return None
    return {"latest": seen, "listed_at": now.isoformat()}


def _nothing_to_wake(settings: Settings, previous: dict, now: float) -> bool:
    """With webhooks on: no signed event since the last poll, and the poll interval not yet over."""
    if not settings.notion_webhook_port or POLLED_AT not in previous:
        return False
    polled_at = float(previous[POLLED_AT])
    wake = last_wake(settings)
    return now - polled_at < settings.source_poll_interval_s and (wake is None or wake <= polled_at)
