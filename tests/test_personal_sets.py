"""Every judged personal-notes set is grounded in its export: a question whose fact is not on its
page would score every answer as wrong, on a set that is meant to be scored blind."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

AGENT_SETS = Path(__file__).resolve().parent.parent / "benchmarks" / "agent"
_spec = importlib.util.spec_from_file_location("check_personal", AGENT_SETS / "check_personal.py")
check_personal = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_personal)


@pytest.mark.parametrize("set_dir", sorted(AGENT_SETS.glob("personal*/")), ids=lambda path: path.name)
def test_a_personal_set_passes_its_checker(set_dir: Path) -> None:
    report = check_personal.check_set(set_dir)
    assert report[-1].endswith("OK"), "\n".join(report)
