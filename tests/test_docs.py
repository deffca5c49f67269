"""Every setting is documented in the README (Datasette's test_settings_are_documented)."""

from __future__ import annotations

from pathlib import Path

from eco263.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`ECO263_{name.upper()}`" in text, name


def test_readme_quick_start_is_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
