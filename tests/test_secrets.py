"""Credentials never reach what the platform shows (issue 10, item 3).

Every secret setting carries a marker; failing commands, Dagster's event log and metadata, and
MLflow runs are searched for it. The URIs point at closed loopback ports or at a loopback
server that echoes the key back, as a careless or hostile API would.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import mlflow
import pytest
from fake_api import JSONHandler
from hash_embedder import HashEmbedder
from pydantic import SecretStr

from secondbrain_core.processes import free_port
from secondbrain_core.redact import redact
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings
from secondbrain_dagster.evals.assets import retrieval_eval
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key
from secondbrain_dagster.resources import SecondBrainSettings

MARKER = "MaRkEr7q"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
SECRET_FIELDS = ("notion_token", "openai_api_key", "voyage_api_key", "opik_api_key", "api_key")


def secret_env(closed_port: int) -> dict[str, str]:
    """A marked value in every secret setting; the URIs' passwords are marked too."""
    return {
        "NOTION_TOKEN": f"secret_{MARKER}notion",
        "OPENAI_API_KEY": f"sk-{MARKER}openai",
        "VOYAGE_API_KEY": f"pa-{MARKER}voyage",
        "OPIK_API_KEY": f"{MARKER}opik",
        "SECONDBRAIN_API_KEY": f"{MARKER}serve",
        "MONGODB_URI": f"mongodb://admin:{MARKER}mongo@127.0.0.1:{closed_port}/?serverSelectionTimeoutMS=300",
        "MLFLOW_TRACKING_URI": f"http://mlflow:{MARKER}mlflow@127.0.0.1:{closed_port}/",
    }


class EchoKeyServer(ThreadingHTTPServer):
    """An API that answers 500 with the caller's Authorization header in the body."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _EchoHandler(JSONHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_json(500, {"error": f"bad request from {self.headers.get('Authorization')}"})


@pytest.fixture
def echo_server() -> Iterator[EchoKeyServer]:
    server = EchoKeyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def marked(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every secret setting marked, in this process's environment (so subprocesses get it too)."""
    env = secret_env(free_port())
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "3")
    return env


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "secondbrain_core.app.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **env},
    )


def test_redact_masks_uri_userinfo_query_credentials_and_known_values() -> None:
    text = (
        "mongodb://admin:p@ss@h1:1,h2:2/db?authSource=x&password=hunter22 "
        "postgresql://u:pw@db/x and https://token@example.test/a and sk-abcdef123 and plain http://host/x@y"
    )
    shown = redact(text, secrets=["sk-abcdef123"])
    for secret in ("p@ss", "hunter22", "u:pw", "token@", "sk-abcdef123"):
        assert secret not in shown
    assert "mongodb://***@h1:1,h2:2/db?authSource=x&password=***" in shown
    assert "https://***@example.test/a" in shown and "http://host/x@y" in shown  # no userinfo: unchanged


def test_secret_settings_are_secret_str_and_never_printed(marked: dict[str, str]) -> None:
    settings = Settings()
    for name in SECRET_FIELDS:
        assert isinstance(getattr(settings, name), SecretStr), name
        assert MARKER in getattr(settings, name).get_secret_value()
    settings.openai_api_key = f"sk-{MARKER}assigned"  # assigned as text, still kept secret
    assert isinstance(settings.openai_api_key, SecretStr)
    for shown in (repr(settings), str(settings), f"{settings!r}"):
        assert MARKER not in shown
    assert f"{MARKER}mongo" in settings.model_dump()["mongodb_uri"]  # the URI itself still works
    assert "mongodb://***@127.0.0.1" in repr(settings)


def test_failing_commands_never_print_a_secret(
    marked: dict[str, str], echo_server: EchoKeyServer, tmp_path: Path
) -> None:
    unreachable = cli("ingest", "--json", SECONDBRAIN_DEBUG="1")
    assert unreachable.returncode == 2, unreachable.stderr
    assert "cannot reach MongoDB" in unreachable.stderr and "mongodb://***@127.0.0.1" in unreachable.stderr

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Note\n\nSome text to embed.")
    (tmp_path / "q.jsonl").write_text(json.dumps({"_id": "q", "text": "text"}) + "\n")
    (tmp_path / "qrels.tsv").write_text("q\tnote\t1\n")
    echoed = cli(
        *("eval", "retrieval", "--corpus", str(corpus), "--queries", str(tmp_path / "q.jsonl")),
        *("--qrels", str(tmp_path / "qrels.tsv")),
        SECONDBRAIN_EMBEDDER="openai:m",
        OPENAI_BASE_URL=echo_server.url,
        SECONDBRAIN_CONTEXT_MODE="structural",
        SECONDBRAIN_DEBUG="1",
    )
    assert echoed.returncode == 2, echoed.stderr
    assert "bad request from Bearer ***" in echoed.stderr  # the server's words, less the key

    for done in (unreachable, echoed):
        assert MARKER not in done.stdout + done.stderr


def test_log_records_are_masked_whoever_logs_them(marked: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    apply_runtime_env(Settings())  # what the CLI and the Dagster resource do first
    library = logging.getLogger("some.library")
    with caplog.at_level(logging.INFO):
        library.warning("connecting to %s with %s", marked["MONGODB_URI"], marked["OPENAI_API_KEY"])
        try:
            raise RuntimeError(f"refused {marked['VOYAGE_API_KEY']}")
        except RuntimeError:
            library.exception("request failed")
    assert "connecting to mongodb://***@127.0.0.1" in caplog.text and "RuntimeError: refused ***" in caplog.text
    assert MARKER not in caplog.text


def event_log_text(instance: dg.DagsterInstance, run_id: str) -> str:
    return "\n".join(repr(entry) for entry in instance.all_logs(run_id))


def test_a_failing_asset_keeps_the_mongodb_password_out_of_dagster(marked: dict[str, str], tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / f"Alpha {'a' * 32}.md").write_text("# Alpha\n\nalpha notes\n")
    spec = f"notion-export:{export}"
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(spec)])

    result = dg.materialize(
        [raw_notion_pages],
        instance=instance,
        partition_key=partition_key(spec),
        resources={"sb": SecondBrainSettings()},
        raise_on_error=False,
    )
    assert not result.success
    log = event_log_text(instance, result.run_id)
    assert "cannot reach MongoDB" in log and "mongodb://***@127.0.0.1" in log
    assert MARKER not in log


@pytest.fixture
def tiny_eval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """`retrieval_eval`'s config for one note and one question, embedded over HTTP (no model)."""
    monkeypatch.setenv("SECONDBRAIN_EMBEDDER", "openai:m")
    monkeypatch.setenv("SECONDBRAIN_CONTEXT_MODE", "structural")
    export, judged = tmp_path / "export", tmp_path / "devset"
    export.mkdir()
    judged.mkdir()
    (export / f"Orchid care {'b' * 32}.md").write_text("# Orchid care\n\nWater the orchid weekly.\n")
    (judged / "queries.jsonl").write_text(json.dumps({"_id": "q", "text": "orchid water"}) + "\n")
    (judged / "qrels.tsv").write_text(f"query-id\tcorpus-id\tscore\nq\t{'b' * 32}\t2\n")
    return {"dev_set_dir": str(judged), "corpus_source": f"notion-export:{export}"}


def failed_eval_log(settings: Settings, config: dict[str, str]) -> str:
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [retrieval_eval],
        instance=instance,
        resources={"sb": SecondBrainSettings(home=str(settings.home))},
        run_config={"ops": {"retrieval_eval": {"config": config}}},
        raise_on_error=False,
    )
    assert not result.success
    return event_log_text(instance, result.run_id)


def test_a_failing_eval_keeps_the_mlflow_password_out_of_dagster(
    marked: dict[str, str], settings: Settings, api, tiny_eval: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """retrieval_eval scores the set (embedded by the fake API), then cannot reach MLflow."""
    monkeypatch.setenv("OPENAI_BASE_URL", api.url)
    log = failed_eval_log(settings, tiny_eval)
    assert "cannot reach MLflow" in log and "http://***@127.0.0.1" in log
    assert MARKER not in log


def test_an_api_echoing_the_key_keeps_it_out_of_dagster(
    marked: dict[str, str],
    settings: Settings,
    echo_server: EchoKeyServer,
    tiny_eval: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", echo_server.url)
    log = failed_eval_log(settings, tiny_eval)
    assert "bad request from Bearer ***" in log
    assert MARKER not in log


def test_a_successful_eval_shows_no_secret_in_metadata_or_mlflow(
    marked: dict[str, str],
    settings: Settings,
    api,
    tiny_eval: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tracking URI that carries a password (MLflow's file store takes one) and works."""
    tracking = f"file://mlflow:{MARKER}mlflow@localhost{tmp_path / 'mlruns'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("OPENAI_BASE_URL", api.url)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [retrieval_eval],
        instance=instance,
        resources={"sb": SecondBrainSettings(home=str(settings.home))},
        run_config={"ops": {"retrieval_eval": {"config": tiny_eval}}},
    )
    metadata = result.asset_materializations_for_node("retrieval_eval")[0].metadata
    assert metadata["mlflow_tracking_uri"].value == f"file://***@localhost{tmp_path / 'mlruns'}"
    assert MARKER not in event_log_text(instance, result.run_id)
    run = mlflow.MlflowClient(tracking).get_run(metadata["mlflow_run_id"].value)
    assert run.data.params["embedder"] == "openai:m"
    assert MARKER not in json.dumps({"params": run.data.params, "tags": run.data.tags})


class ScriptedChatServer(ThreadingHTTPServer):
    """An OpenAI-compatible chat API that plays a ReAct agent: finish at once, then answer."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedChat)
        self.keys: list[str] = []  # the Authorization headers it was sent

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _ScriptedChat(JSONHandler):
    STEP = "[[ ## next_thought ## ]]\nenough\n\n[[ ## next_tool_name ## ]]\nfinish\n\n[[ ## next_tool_args ## ]]\n{}"
    ANSWER = "[[ ## reasoning ## ]]\nthe note\n\n[[ ## answer ## ]]\nGuestNet [1]\n\n[[ ## found ## ]]\nTrue"

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.keys.append(self.headers.get("Authorization", ""))  # type: ignore[attr-defined]
        prompt = json.dumps(body["messages"])
        content = (self.STEP if "next_tool_name" in prompt else self.ANSWER) + "\n\n[[ ## completed ## ]]"
        reply = {
            "id": "c",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        self.send_json(200, reply)


@pytest.mark.slow  # litellm, which the real API model needs, takes seconds to import
def test_agent_traces_carry_no_secret(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool agent calls the API with the marked key; its MLflow trace never holds it."""
    from secondbrain_core.agent.assistant import Assistant
    from secondbrain_core.rag.pipeline import build_chunks, sync_index
    from secondbrain_core.rag.search import Retriever
    from secondbrain_core.sources.page import Page
    from secondbrain_core.stores.mongo import open_database
    from secondbrain_core.stores.page_store import PageStore

    server = ScriptedChatServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for key, value in secret_env(free_port()).items():
        if key not in ("MONGODB_URI", "MLFLOW_TRACKING_URI"):  # these stay the test's working ones
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    marked = Settings().model_copy(update={"agent_mode": "tools", "agent_tracing": True, "llm_max_retries": 0})
    page = Page(id="wifi", source="notes", title="Wifi", markdown="Guests use GuestNet.", last_edited_time=EPOCH)
    PageStore(open_database(marked)).upsert([page])
    sync_index(build_chunks([page], marked), marked, HashEmbedder())
    try:
        answer = Assistant(marked, Retriever(marked, HashEmbedder())).ask("what is the guest wifi called?")
    finally:
        server.shutdown()
        server.server_close()
    assert f"Bearer sk-{MARKER}openai" in server.keys  # the key was in play during the traced calls
    trace = mlflow.get_trace(answer.trace_id, flush=True)
    assert any("LM" in span.name or span.span_type == "CHAT_MODEL" for span in trace.data.spans)
    assert MARKER not in trace.to_json()
