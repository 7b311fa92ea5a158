"""The template library: which case types exist, their variants, settings and sample contexts.

A case type is a folder of templates/ holding a reply.txt; folders starting with _ hold shared
parts. Adding a case type is one such folder plus its entry in phrase_rules/case_types.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.core import resources
from assistant.core.problems import LibraryError, Problem, display_path
from assistant.library.files import read_mapping
from assistant.library.settings import CaseSettings, parse_settings, sample_context_problems

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
    settings = parse_settings(
        CaseSettings,
        read_mapping(path, problems, root=path.parent.parent, empty_ok=True),
        display_path(path),
        problems,
    )
    if problems:
        raise LibraryError(problems)
    return settings


def sample_context(case_type: str, templates_dir: str | Path | None = None) -> dict[str, Any]:
    path = resources.templates_dir(templates_dir) / case_type / SAMPLE
    return dict(read_mapping(path, [], root=path.parent.parent, empty_ok=True))


def template_settings_problems(templates_dir: str | Path | None = None) -> list[Problem]:
    """Every case type's case.yml and sample.yml checked against their schemas."""
    root = resources.templates_dir(templates_dir)
    problems: list[Problem] = []
    for case_type in list_case_types(root):
        settings_path = root / case_type / CASE_SETTINGS
        settings = parse_settings(
            CaseSettings,
            read_mapping(settings_path, problems, root=root, empty_ok=True),
            display_path(settings_path),
            problems,
        )
        sample_path = root / case_type / SAMPLE
        if sample_path.exists():
            problems.extend(
                sample_context_problems(
                    read_mapping(sample_path, problems, root=root, empty_ok=True),
                    display_path(sample_path),
                    settings.extra_keys,
                )
            )
    return problems
