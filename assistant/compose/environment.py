"""The sandboxed Jinja environment replies render in, its filters, and template checks."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from assistant.core import resources

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


@lru_cache(maxsize=4)
def environment(templates_dir: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["money"] = money
    env.filters["longdate"] = long_date
    return env


def money(amount: float | int, currency: str | None = None) -> str:
    symbol = CURRENCY_SYMBOLS.get((currency or "").upper())
    number = f"{amount:,.2f}".replace(".00", "") if float(amount).is_integer() else f"{amount:,.2f}"
    if symbol:
        return f"{symbol}{number}"
    return f"{number} {currency}".strip() if currency else number


def long_date(value: dt.date) -> str:
    return f"{value:%A} {value.day} {value:%B}"


def template_problems(templates_dir: str | Path | None = None) -> list[str]:
    """Templates that do not parse, or that reach for private attributes (`''.__class__` and friends)."""
    root = resources.templates_dir(templates_dir)
    env = environment(str(root))
    problems = []
    for path in sorted(root.rglob("*.txt")):
        name = path.relative_to(root).as_posix()
        try:
            tree = env.parse(path.read_text(encoding="utf-8"))
        except TemplateError as exc:
            line = getattr(exc, "lineno", 0)
            problems.append(f"{name}:{line}: {exc}")
            continue
        problems.extend(private_attribute_problems(tree, name))
    return problems


def private_attribute_problems(tree: nodes.Template, name: str) -> list[str]:
    """`{{ ''.__class__ }}` and friends: the sandbox refuses them at render time; we name them at save time."""
    problems = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attribute = (
            node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        )
        if isinstance(attribute, str) and attribute.startswith("_"):
            problems.append(f"{name}:{node.lineno}: refers to the private attribute {attribute!r}")
    return problems
