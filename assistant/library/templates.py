"""The template library: which case types exist, their variants, settings and sample contexts.

A case type is a folder of templates/ holding a reply.txt; folders starting with _ hold shared
parts. Adding a case type is one such folder plus its entry in phrase_rules/case_types.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.core import resources
from assistant.core.problems import LibraryError, Problem, display_path
from assistant.library.settings import CaseSettings, parse_settings, sample_context_problems
from assistant.library.yaml_lines import load_yaml, yaml_error_line, yaml_error_text

REPLY_TEMPLATE = "reply.txt"
CASE_SETTINGS = "case.yml"
SAMPLE = "sample.yml"
DEFAULT_VARIANT = "default"
SHARED_PREFIX = "_"
SHARED_FOLDER = "_shared"


def list_case_types(templates_dir: str | Path | None = None) -> list[str]:
    """Case types are the template folders that hold a reply; folders starting with _ are shared parts."""
    root = resources.templates_dir(templates_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(SHARED_PREFIX) and (p / REPLY_TEMPLATE).exists()
    )


def list_variants(case_type: str, templates_dir: str | Path | None = None) -> list[str]:
    folder = resources.templates_dir(templates_dir) / case_type
    names = {DEFAULT_VARIANT}
    for path in folder.glob("*.*.txt"):
        names.add(path.name.split(".")[1])
    for path in (folder.parent / SHARED_FOLDER).glob("*.*.txt"):
        names.add(path.name.split(".")[1])
    return sorted(names, key=lambda name: (name != DEFAULT_VARIANT, name))


def case_settings(case_type: str, templates_dir: str | Path | None = None) -> CaseSettings:
    """The case's policy settings; LibraryError names every bad value (a case.yml that only
    half-loads would change a reply's remedy without anyone knowing)."""
    path = resources.templates_dir(templates_dir) / case_type / CASE_SETTINGS
    problems: list[Problem] = []
    settings = parse_settings(CaseSettings, _read(path, problems), display_path(path), problems)
    if problems:
        raise LibraryError(problems)
    return settings


def sample_context(case_type: str, templates_dir: str | Path | None = None) -> dict[str, Any]:
    path = resources.templates_dir(templates_dir) / case_type / SAMPLE
    return dict(_read(path, []))


def template_settings_problems(templates_dir: str | Path | None = None) -> list[Problem]:
    """Every case type's case.yml and sample.yml checked against their schemas."""
    root = resources.templates_dir(templates_dir)
    problems: list[Problem] = []
    for case_type in list_case_types(root):
        settings_path = root / case_type / CASE_SETTINGS
        settings = parse_settings(
            CaseSettings, _read(settings_path, problems), display_path(settings_path), problems
        )
        sample_path = root / case_type / SAMPLE
        if sample_path.exists():
            problems.extend(
                sample_context_problems(
                    _read(sample_path, problems), display_path(sample_path), settings.extra_keys
                )
            )
    return problems


def _read(path: Path, problems: list[Problem]) -> dict[str, Any]:
    """A settings mapping with line numbers; {} for a missing file, a problem for a broken one."""
    if not path.exists():
        return {}
    shown = display_path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(shown, "(file)", "encoding", f"not valid UTF-8 at byte {exc.start}")
        )
        return {}
    except yaml.YAMLError as exc:
        problems.append(
            Problem(shown, "(file)", "yaml", yaml_error_text(exc), yaml_error_line(exc))
        )
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(shown, "(file)", "(file)", "must be a mapping"))
        return {}
    return data
