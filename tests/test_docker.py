"""docker/: the compose file checked against what the code reads, and the containers' commands
run as plain processes (no Docker engine on the build machines)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from dagster._grpc.client import DagsterGrpcClient
from dagster_shared.serdes import deserialize_value

from secondbrain_core.processes import free_port
from secondbrain_core.settings import REPO_ROOT, Settings, variable_name

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import settings_doc

DOCKER = REPO_ROOT / "docker"
COMPOSE = yaml.safe_load((DOCKER / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
ENV_EXAMPLE = (DOCKER / ".env.example").read_text()
OURS = {"mlflow", "code", "webserver", "daemon", "endpoint", "chat"}  # services running the secondbrain image
BIN = Path(sys.executable).parent
START_S = 90


def documented(variable: str) -> bool:
    return re.search(rf"^#? ?{re.escape(variable)}=", ENV_EXAMPLE, re.MULTILINE) is not None


def test_services_images_ports_and_health_checks() -> None:
    assert set(SERVICES) == OURS | {"postgres", "mongodb"}
    assert SERVICES["mongodb"]["image"].startswith("mongodb/mongodb-atlas-local:")
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    for name in OURS:
        assert (
            SERVICES[name]["image"] == "secondbrain:latest"
            and SERVICES[name]["build"]["dockerfile"] == "docker/Dockerfile"
        )
        assert SERVICES[name]["environment"]["SECONDBRAIN_HOME"] == "/data"
        assert "secondbrain-home:/data" in SERVICES[name]["volumes"]
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    assert SERVICES["chat"]["network_mode"] == "host" and "ports" not in SERVICES["chat"]
    assert SERVICES["endpoint"]["environment"]["SECONDBRAIN_API_KEY"].startswith("${SECONDBRAIN_API_KEY:?")
    assert set(COMPOSE["volumes"]) == {"secondbrain-home", "postgres-data", "mongodb-data", "mongodb-config"}


def test_dockerfile_copies_what_exists_and_ships_the_production_instance() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+) ", dockerfile, re.MULTILINE):
        assert list(REPO_ROOT.glob(source.rstrip("*"))), f"COPY {source}: no such path"
    assert "deploy/dagster/production.yaml /opt/dagster/dagster.yaml" in dockerfile
    assert all(SERVICES[name]["environment"]["DAGSTER_HOME"] == "/opt/dagster" for name in OURS)


def test_every_variable_is_documented_in_env_example() -> None:
    """Settings (names and aliases), what compose and the production dagster.yaml read, and every
    SECONDBRAIN_* name the code mentions."""
    assert settings_doc.expected_env_example() == ENV_EXAMPLE, "run: python scripts/settings_doc.py"
    for field in Settings.model_fields:
        assert documented(variable_name(field)), variable_name(field)
    compose_vars = set(re.findall(r"\$\{(\w+)", (DOCKER / "compose.yaml").read_text()))
    production = (REPO_ROOT / "deploy" / "dagster" / "production.yaml").read_text()
    instance_vars = set(re.findall(r"env: (\w+)", production))
    code = "\n".join(
        p.read_text() for d in ("secondbrain_core", "secondbrain_dagster") for p in (REPO_ROOT / d).rglob("*.py")
    )
    code_vars = set(re.findall(r"\bSECONDBRAIN_[A-Z0-9_]*[A-Z0-9]\b", code))
    aliases = {a for f in Settings.model_fields.values() for a in getattr(f.validation_alias, "choices", [])[1:]}
    missing = sorted(v for v in compose_vars | instance_vars | code_vars - aliases if not documented(v))
    assert not missing, f"not in docker/.env.example: {missing}"
    assert instance_vars <= set(SERVICES["code"]["environment"]), "the run workers read these from compose"


def test_environment_names_only_variables_something_reads() -> None:
    known = {variable_name(f) for f in Settings.model_fields} | {
        alias for f in Settings.model_fields.values() for alias in getattr(f.validation_alias, "choices", [])
    }
    production = set(re.findall(r"env: (\w+)", (REPO_ROOT / "deploy" / "dagster" / "production.yaml").read_text()))
    for name in OURS:
        unknown = set(SERVICES[name]["environment"]) - known - production
        assert not unknown, f"{name} sets variables nothing reads: {unknown}"


def _command(service: str, port: int) -> list[str]:
    """The service's command with its container port swapped for a free loopback one."""
    command = [part.replace("0.0.0.0", "127.0.0.1") for part in SERVICES[service]["command"]]
    return [str(BIN / command[0]), *[str(port) if part in ("4000", "3000") else part for part in command[1:]]]


def _wait(probe, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} exited: {log.read_text()[-3000:]}"
        result = probe()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"{what} did not answer within {START_S} s: {log.read_text()[-3000:]}")


def _server_info(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_code_location_and_webserver_run_as_in_their_containers(settings: Settings, tmp_path: Path) -> None:
    grpc_port, web_port = free_port(), free_port()
    log = tmp_path / "code.log"
    code = subprocess.Popen(_command("code", grpc_port), cwd=REPO_ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    web = None
    try:
        client = DagsterGrpcClient(port=grpc_port, host="127.0.0.1")
        _wait(lambda: _ping(client), "the gRPC code server", code, log)
        (repository,) = deserialize_value(client.list_repositories()).repository_symbols
        assert repository.attribute == "defs"
        health = subprocess.run(
            [str(BIN / "dagster"), "api", "grpc-health-check", "-p", str(grpc_port)], capture_output=True, timeout=60
        )
        assert health.returncode == 0, health.stderr[-2000:]

        workspace = yaml.safe_load((DOCKER / "workspace.yaml").read_text())
        workspace["load_from"][0]["grpc_server"].update(host="127.0.0.1", port=grpc_port)
        (tmp_path / "workspace.yaml").write_text(yaml.safe_dump(workspace))
        web_log = tmp_path / "web.log"
        command = [
            part if part != "/app/workspace.yaml" else str(tmp_path / "workspace.yaml")
            for part in _command("webserver", web_port)
        ]
        web = subprocess.Popen(command, cwd=REPO_ROOT, stdout=web_log.open("w"), stderr=subprocess.STDOUT)
        _wait(lambda: _server_info(web_port), "dagster-webserver", web, web_log)
    finally:
        for process in (web, code):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    # dagster maps SIGTERM to SIGINT's handler, so under a shell that ignores
                    # SIGINT (a background `make test`) SIGTERM is ignored too: never leave it running
                    process.kill()
                    process.wait()


def _ping(client: DagsterGrpcClient) -> bool:
    try:
        return client.ping("hello")["echo"] == "hello"
    except Exception:  # the server is still starting: any gRPC error means "not yet"
        return False


@pytest.mark.parametrize("service", ["daemon", "endpoint", "chat"])
def test_commands_are_real_entry_points(service: str) -> None:
    """The commands not started above exist in this environment (their `--help` exits 0)."""
    command = SERVICES[service]["command"]
    program = command[0]
    words = [w for w in command[1:3] if not w.startswith("-") and not w.startswith("$")][
        : 2 if program == "dagster" else 1
    ]
    done = subprocess.run([str(BIN / program), *words, "--help"], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
