"""Reading curated files: text with its encoding checked, and YAML mappings with line numbers.

Every reader of the library goes through here, so a file that cannot be read is one named problem
wherever it is read, and a curator's unsaved edit (`overrides`) is read in place of the file.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.core.problems import Problem, display_path
from assistant.library.yaml_lines import load_yaml, yaml_error_line, yaml_error_text

# A rule file is a few kB and words.yml about 40 kB; a megabyte is no library file.
MAX_FILE_BYTES = 1_000_000


def unreadable_reason(path: Path, root: Path | None) -> str | None:
    """Why a library file must not be read, or None. Only regular files inside the library's own
    folder are read: a link to /etc/passwd or /dev/zero, or a FIFO named x.yml (which blocks the
    reader forever), is refused without opening it."""
    resolved = path.resolve()
    if root is not None and not resolved.is_relative_to(root.resolve()):
        return "links outside the library folder: not read"
    try:
        status = resolved.stat()
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file: not read"
    if status.st_size > MAX_FILE_BYTES:
        return f"{status.st_size:,} bytes: a library file holds at most {MAX_FILE_BYTES:,}"
    return None


def read_text(
    path: Path,
    shown: str,
    overrides: Mapping[Path, str] | None = None,
    root: Path | None = None,
) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it being read. `root` is the library folder the
    file must resolve inside."""
    if overrides and path.resolve() in overrides:
        return overrides[path.resolve()], None
    reason = unreadable_reason(path, root)
    if reason:
        return None, Problem(shown, "(file)", "(file)", reason)
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
    root: Path | None = None,
    empty_ok: bool = False,
) -> dict[str, Any]:
    """The YAML mapping in path ({} when the file is absent); each problem is reported and {}
    returned, so the rest of the library still loads. `empty_ok` reads an empty file as {}."""
    if not path.exists() and not (overrides and path.resolve() in overrides):
        return {}
    shown = display_path(path)
    text, problem = read_text(path, shown, overrides, root)
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
