"""Curators' edits to the library and templates, validated against the whole library before saving."""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, DictLoader, TemplateError

from assistant.compose.environment import environment, private_attribute_problems
from assistant.compose.render import render
from assistant.core.problems import Problem
from assistant.library.loader import collect
from assistant.library.templates import list_case_types, sample_context


def validate_library_edit(rules_dir: str | Path, path: str | Path, text: str) -> list[Problem]:
    """Problems the library would have with `text` in place of `path` (the whole library is checked,
    so a duplicate id across files is caught too)."""
    _, problems = collect(Path(rules_dir), overrides={Path(path): text}, strict=True)
    return problems


def validate_template_edit(templates_dir: str | Path, relative: str, text: str) -> list[str]:
    """Syntax, private-attribute access, and a render of every case's sample with the edit in place."""
    root = Path(templates_dir).resolve()
    env = environment(str(root))
    problems: list[str] = []
    try:
        tree = env.parse(text)
    except TemplateError as exc:
        return [f"{relative}:{getattr(exc, 'lineno', 0)}: {exc}"]
    problems.extend(private_attribute_problems(tree, relative))
    if problems:
        return problems
    overlay = env.overlay(loader=ChoiceLoader([DictLoader({relative: text}), env.loader]))
    for case_type in list_case_types(root):
        try:
            render(
                case_type,
                sample_context(case_type, root),
                templates_dir=root,
                environment_override=overlay,
            )
        except Exception as exc:  # every failure is reported to the curator, none is raised
            problems.append(f"{relative}: rendering {case_type} with its sample fails: {exc}")
    return problems
