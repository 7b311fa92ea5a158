"""Reading curated files: text with its encoding checked, and YAML mappings with line numbers.

Every reader of the library goes through here, so a file that cannot be read is one named problem
wherever it is read, and a curator's unsaved edit (`overrides`) is read in place of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.core.problems import Problem, display_path
from assistant.library.yaml_lines import load_yaml, yaml_error_line, yaml_error_text


def read_text(
    path: Path, shown: str, overrides: Mapping[Path, str] | None = None
) -> tuple[str | None, Problem | None]:
    if overrides and path.resolve() in overrides:
        return overrides[path.resolve()], None
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        return None, Problem(shown, "(file)", "encoding", f"not valid UTF-8 at byte {exc.start}")
    except OSError as exc:
        return None, Problem(shown, "(file)", "(file)", f"cannot read: {exc.strerror}")


def read_mapping(
    path: Path,
    problems: list[Problem],
    overrides: Mapping[Path, str] | None = None,
    *,
    empty_ok: bool = False,
) -> dict[str, Any]:
    """The YAML mapping in path ({} when the file is absent); each problem is reported and {}
    returned, so the rest of the library still loads. `empty_ok` reads an empty file as {}."""
    if not path.exists() and not (overrides and path.resolve() in overrides):
        return {}
    shown = display_path(path)
    text, problem = read_text(path, shown, overrides)
    if problem:
        problems.append(problem)
        return {}
    try:
        data = load_yaml(text or "")
    except yaml.YAMLError as exc:
        problems.append(
            Problem(shown, "(file)", "yaml", yaml_error_text(exc), yaml_error_line(exc))
        )
        return {}
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(shown, "(file)", "(file)", "must be a mapping"))
        return {}
    return data
