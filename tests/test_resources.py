"""Which library a run reads: an explicit folder, then the environment, then the bundled one."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli

import assistant
from assistant.core import resources


def test_the_bundled_library_ships_inside_the_package():
    package = Path(assistant.__file__).resolve().parent
    assert resources.rules_dir() == (package / "data" / "phrase_rules").resolve()
    assert resources.templates_dir() == (package / "data" / "templates").resolve()
    assert (
        (resources.page_script()).read_text(encoding="utf-8").startswith('"""Reply Assistant page')
    )


def test_an_explicit_folder_wins_over_the_environment(monkeypatch, tmp_path):
    chosen, elsewhere = tmp_path / "chosen", tmp_path / "elsewhere"
    monkeypatch.setenv(resources.RULES_DIR_ENV, str(elsewhere))
    monkeypatch.setenv(resources.TEMPLATES_DIR_ENV, str(elsewhere))
    assert resources.rules_dir() == elsewhere.resolve()
    assert resources.templates_dir() == elsewhere.resolve()
    assert resources.rules_dir(chosen) == chosen.resolve()
    assert resources.templates_dir(chosen) == chosen.resolve()


def test_a_missing_part_of_the_install_is_named():
    with pytest.raises(resources.ResourceError, match="no data/nothing-here"):
        resources.bundled("nothing-here")


def test_the_command_line_reads_the_environment(monkeypatch, rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text})
    monkeypatch.setenv(resources.RULES_DIR_ENV, str(root))
    listed = run_cli("rules", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[-1] == "1 rules"
    assert "demo.you-should-have" in listed.stdout
