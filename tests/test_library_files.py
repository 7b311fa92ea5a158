"""A library folder cannot be turned against the tool: aliases, links, FIFOs, huge files and values."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant.library.loader import collect
from assistant.library.yaml_lines import MAX_EXPANDED_NODES, load_yaml
from assistant.ui.catalogue import editable_files


def _problems(root: Path) -> str:
    _, problems = collect(root, strict=True)
    return "\n".join(str(problem) for problem in problems)


def _bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_once(rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text, "guidance.yml": _bomb()})
    started = time.perf_counter()
    text = _problems(root)
    assert time.perf_counter() - started < 5  # expanded, the bomb holds 10**9 values
    assert (
        f"guidance.yml:(file): yaml: its aliases expand to more than {MAX_EXPANDED_NODES:,}" in text
    )


def test_a_shared_list_by_alias_still_loads():
    data = load_yaml("a: &shared [one, two]\nb: *shared\n")
    assert data["b"] == ["one", "two"]


def test_a_link_out_of_the_library_is_not_read(rules_dir, valid_rule_text, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("family: stolen\n", encoding="utf-8")
    root = rules_dir({"a.yml": valid_rule_text})
    (root / "draft").mkdir()
    (root / "draft" / "leak.yml").symlink_to(secret)
    (root / "guidance.yml").symlink_to("/dev/zero")
    text = _problems(root)
    assert "leak.yml:(file): (file): links outside the library folder: not read" in text
    assert "guidance.yml:(file): (file): links outside the library folder: not read" in text
    names = editable_files(root, tmp_path)
    assert "phrase_rules/draft/leak.yml" not in names and "phrase_rules/a.yml" in names


def test_a_fifo_named_like_a_rule_file_does_not_block(rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text})
    os.mkfifo(root / "waiting.yml")
    assert "waiting.yml:(file): (file): not a regular file: not read" in _problems(root)


def test_an_oversized_file_is_refused(rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text, "b.yml": "# " + "x" * 1_100_000 + "\n"})
    assert "b.yml:(file): (file): 1,100,003 bytes: a library file holds at most 1,000,000" in (
        _problems(root)
    )


def test_a_huge_value_is_quoted_short(rules_dir, valid_rule_text):
    huge = "x" * 5_000
    root = rules_dir({"a.yml": valid_rule_text.replace("severity: warning", f"severity: {huge}")})
    line = next(p for p in _problems(root).splitlines() if ": severity:" in p)
    assert len(line) < 300  # the 5,000-character value, quoted whole, would flood the terminal
    assert "got 'xxxx" in line and "x…" in line


@pytest.mark.parametrize("op", ["{1000000000}", "{0,99999}"])
def test_a_huge_repetition_count_is_refused(rules_dir, valid_rule_text, op):
    pattern = f'patterns: [[{{LOWER: you}}, {{OP: "{op}"}}, {{LOWER: have}}]]'
    root = rules_dir({"a.yml": valid_rule_text.replace('patterns: ["you should have"]', pattern)})
    assert "a count above 50" in _problems(root)


SETTINGS_FILES = ["guidance.yml", "required_elements.yml", "case_types.yml", "readability.yml"]
ODD_VALUES = [3.5, "text", ["a", 1], {"x": [None]}, None, True]
# Shapes that crashed collect() before: each must now be a named problem of its file.
ONCE_CRASHED = [
    ("guidance.yml", "routes", 3.5),
    ("required_elements.yml", "elements", "text"),
    ("required_elements.yml", "elements", ["a", 1]),
    ("case_types.yml", "complaint_signals", 3.5),
    ("readability.yml", "min_words", "lots"),
]


@pytest.mark.parametrize("name", SETTINGS_FILES)
def test_settings_of_any_shape_never_crash_the_loader(rules_dir, valid_rule_text, name):
    import yaml

    data = yaml.safe_load((collect()[0].rules_dir / name).read_text(encoding="utf-8"))
    for key in data:
        for odd in ODD_VALUES:
            root = rules_dir({"a.yml": valid_rule_text, name: yaml.safe_dump({**data, key: odd})})
            collect(root)  # raises nothing, whatever the shape


@pytest.mark.parametrize(("name", "key", "odd"), ONCE_CRASHED)
def test_a_shape_that_once_crashed_is_a_named_problem(rules_dir, valid_rule_text, name, key, odd):
    import yaml

    data = yaml.safe_load((collect()[0].rules_dir / name).read_text(encoding="utf-8"))
    root = rules_dir({"a.yml": valid_rule_text, name: yaml.safe_dump({**data, key: odd})})
    _, problems = collect(root)
    assert any(p.path.endswith(name) and key in f"{p.field} {p.problem}" for p in problems), (
        problems
    )
