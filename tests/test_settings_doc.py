"""The README's settings table and docker/.env.example list every setting as `Settings` defines it."""

from __future__ import annotations

import sys

from secondbrain_core.settings import REPO_ROOT, Settings, variable_name

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import settings_doc

REGENERATE = "out of date with Settings: run `python scripts/settings_doc.py` and commit the result"


def test_readme_table_matches_settings() -> None:
    assert settings_doc.expected_readme() == settings_doc.README.read_text(), f"README.md {REGENERATE}"
    table = settings_doc.markdown_table()
    assert all(f"| `{variable_name(field)}` |" in table for field in Settings.model_fields)


def test_env_example_matches_settings() -> None:
    assert settings_doc.expected_env_example() == settings_doc.ENV_EXAMPLE.read_text(), f".env.example {REGENERATE}"


def test_defaults_hold_no_machine_paths() -> None:
    assert str(REPO_ROOT) not in settings_doc.markdown_table()


def test_every_setting_says_what_it_means() -> None:
    unexplained = [variable for variable, _, meaning in settings_doc.rows() if not meaning]
    assert not unexplained, f"give these a Field description (or scripts/settings_doc.py MEANINGS): {unexplained}"


def test_asset_graph_picture_shows_every_asset() -> None:
    """docs/asset_graph.svg is drawn from the Definitions (`python scripts/asset_graph.py`)."""
    from secondbrain_dagster.definitions import defs

    picture = (REPO_ROOT / "docs" / "asset_graph.svg").read_text()
    missing = [
        k.to_user_string()
        for k in defs.resolve_asset_graph().get_all_asset_keys()
        if f">{k.to_user_string()}<" not in picture
    ]
    assert not missing, f"docs/asset_graph.svg lacks {missing}: run `python scripts/asset_graph.py`"
