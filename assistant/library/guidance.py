"""Guidance shown with detected threats (phrase_rules/guidance.yml): data, not code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.core.categories import MESSAGE_CATEGORIES
from assistant.core.problems import Problem
from assistant.library.yaml_lines import line_of

ROUTES = ("human",)


@dataclass(frozen=True)
class Guidance:
    always: tuple[str, ...] = ()
    by_category: dict[str, tuple[str, ...]] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)

    def for_categories(self, categories: Iterable[str]) -> list[str]:
        found = [c for c in MESSAGE_CATEGORIES if c in set(categories)]
        if not found:
            return []
        lines = list(self.always)
        for category in found:
            lines.extend(line for line in self.by_category.get(category, ()) if line not in lines)
        return lines

    def route(self, categories: Iterable[str]) -> str | None:
        return next(
            (
                self.routes[c]
                for c in MESSAGE_CATEGORIES
                if c in set(categories) and c in self.routes
            ),
            None,
        )


def _strings(
    value: object, path: str, owner: str, field_name: str, line: int, problems: list[Problem]
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(
            Problem(path, owner, field_name, "must be a list of non-empty strings", line)
        )
        return ()
    return tuple(v.strip() for v in value)


def parse_guidance(data: dict[str, Any], path: str, problems: list[Problem]) -> Guidance:
    if not data:
        return Guidance()
    line = line_of(data)
    for key in sorted(set(data) - {"always", "categories", "routes"}, key=str):
        problems.append(
            Problem(
                path, "(file)", str(key), "unknown key; allowed: always, categories, routes", line
            )
        )
    always = _strings(data.get("always", []), path, "(file)", "always", line, problems)
    by_category: dict[str, tuple[str, ...]] = {}
    categories = data.get("categories", {})
    if not isinstance(categories, dict):
        problems.append(
            Problem(
                path, "(file)", "categories", "must map threat categories to lists of lines", line
            )
        )
        categories = {}
    for category, lines in categories.items():
        if category not in MESSAGE_CATEGORIES:
            problems.append(
                Problem(
                    path,
                    str(category),
                    "categories",
                    f"unknown threat category; known: {', '.join(MESSAGE_CATEGORIES)}",
                    line_of(categories, line),
                )
            )
            continue
        by_category[category] = _strings(
            lines, path, category, f"categories.{category}", line_of(categories, line), problems
        )
    routes: dict[str, str] = {}
    route_map = data.get("routes") or {}
    if not isinstance(route_map, dict):
        problems.append(
            Problem(path, "(file)", "routes", "must map threat categories to a route", line)
        )
        route_map = {}
    for category, route in route_map.items():
        if category not in MESSAGE_CATEGORIES or route not in ROUTES:
            problems.append(
                Problem(
                    path,
                    str(category),
                    "routes",
                    f"must map a threat category to one of {', '.join(ROUTES)}",
                    line,
                )
            )
            continue
        routes[category] = route
    return Guidance(always, by_category, routes)
