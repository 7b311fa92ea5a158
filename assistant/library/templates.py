"""The template library: which case types exist, their variants, settings and sample contexts.

A case type is a folder of templates/ holding a reply.txt; folders starting with _ hold shared
parts. Adding a case type is one such folder plus its entry in phrase_rules/case_types.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.core import resources

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


def case_settings(case_type: str, templates_dir: str | Path | None = None) -> dict[str, Any]:
    path = resources.templates_dir(templates_dir) / case_type / CASE_SETTINGS
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def sample_context(case_type: str, templates_dir: str | Path | None = None) -> dict[str, Any]:
    path = resources.templates_dir(templates_dir) / case_type / SAMPLE
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
