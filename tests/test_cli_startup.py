"""What a CLI call imports before it does its work.

`secondbrain --help` used to import every command's module tree, torch and MLflow included
(1.2-1.4 s), and a hybrid `search` imported sentence-transformers and torch to embed one query
(8.7 s, for a 15 ms forward pass). Seconds on a shared 2-core machine are noise, so these
tests pin the cause, the modules a fresh interpreter has loaded when the command exits;
`benchmarks/cli_latency.py` measures the seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page

# top-level packages no parser may need; the handler of the command that uses one imports it
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "mlflow",
    "dagster",
    "dspy",
    "fastapi",
    "pymongo",
    "numpy",
    "scipy",
    "bm25s",
    "usearch",
    "httpx",
    "pydantic",
    "pydantic_settings",
)
MODEL_STACK = {"torch", "transformers", "sentence_transformers"}


def _run_cli(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`main(argv)` in a fresh interpreter; also returns which HEAVY packages it had loaded at exit."""
    probe = (
        "import atexit, json, sys\n"
        f"heavy = {HEAVY!r}\n"
        "def report():\n"
        "    print('LOADED=' + json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)\n"
        "atexit.register(report)\n"
        "from secondbrain_core.app.cli import main\n"
        f"sys.exit(main({list(argv)!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False)
    marker = [line for line in done.stderr.splitlines() if line.startswith("LOADED=")]
    assert marker, done.stderr
    return done, set(json.loads(marker[-1].removeprefix("LOADED=")))


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("search", "--help"), ("eval", "retrieval", "--help"), ("ingest", "--help"), ("nonsense",)],
)
def test_parsing_loads_no_command_weight(argv: tuple[str, ...]) -> None:
    """Every command module registers with argparse alone; settings load only after parsing."""
    done, loaded = _run_cli(*argv)
    assert done.returncode == (2 if argv == ("nonsense",) else 0), done.stderr
    assert loaded == set()
    if argv == ("--help",):
        assert all(name in done.stdout for name in ("ingest", "show", "search", "db", "eval", "serve", "demo"))


def test_db_status_loads_settings_only(settings: Settings) -> None:
    done, loaded = _run_cli("db", "status", "--json")
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {"uri", "pid", "running"}
    assert loaded <= {"pydantic", "pydantic_settings"}


@pytest.fixture
def tiny_index(settings: Settings) -> Settings:
    edited = datetime(2024, 3, 1, tzinfo=UTC)
    pages = [
        Page(id="kettle", source="home", title="Kettle", markdown="# Descaling\n\nBoil vinegar to descale the kettle.",
             last_edited_time=edited),
        Page(id="bike", source="home", title="Bike", markdown="# Chain\n\nOil the bicycle chain every month.",
             last_edited_time=edited),
    ]  # fmt: skip
    sync_index(build_chunks(pages, settings), settings)
    return settings


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_dense_search_never_imports_the_model_stack(tiny_index: Settings, mode: str) -> None:
    """The query is embedded in numpy: no sentence-transformers, transformers or torch."""
    done, loaded = _run_cli("search", "how to remove limescale from a water boiler", "--mode", mode, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["page_id"] == "kettle"
    assert not loaded & MODEL_STACK, loaded
