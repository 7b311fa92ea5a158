"""Problems found in curated files, reported as `path:rule-id: field: problem (line N)`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str
    rule_id: str
    field: str
    problem: str
    line: int = 0

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}:{self.rule_id}: {self.field}: {self.problem}{where}"


class LibraryError(Exception):
    """A library that cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path) -> str:
    """A path as a problem shows it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def shorten(value: object, limit: int = 80) -> str:
    """A value as a problem quotes it: its repr, cut short, so a huge or hostile value in a
    library file cannot flood a terminal or the page."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
