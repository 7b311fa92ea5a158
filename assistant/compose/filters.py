"""Jinja's builtin filters with the limits of limits.py: each checks the clock and the size of its
result, and those whose arguments size the result (a width, a count, a separator) check that first.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sized
from typing import Any

from assistant.compose.limits import (
    MAX_VALUE_SIZE,
    MAX_WRAPPED_LINES,
    ClockedIterable,
    TemplateLimitError,
    account,
    check_clock,
    check_percent_format,
    printed_size,
    require_size,
)

Arguments = Mapping[str, Any]
MutableArguments = dict[str, Any]


def bounded_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {name: bounded_filter(name, function) for name, function in filters.items()}


def bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    precheck = _PRECHECKS.get(name)
    signature = inspect.signature(function) if precheck else None

    # functools.wraps keeps Jinja's pass_context / pass_environment marks on the wrapper.
    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        check_clock()
        if precheck is not None and signature is not None:
            try:
                arguments = signature.bind(*args, **kwargs)
            except TypeError:
                pass  # a wrong call: the filter itself names it
            else:
                arguments.apply_defaults()
                precheck(arguments.arguments)  # may replace an argument, such as an iterator
                args, kwargs = arguments.args, arguments.kwargs
        return account(function(*args, **kwargs), f"the result of |{name}")

    return bounded


def _width(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    return value if isinstance(value, int) else 0


def _center(arguments: Arguments) -> None:
    require_size(_width(arguments["width"]), "|center(width)")


def _indent(arguments: Arguments) -> None:
    text = arguments["s"]
    if isinstance(text, str):
        lines = text.count("\n") + 1
        require_size(len(text) + lines * _width(arguments["width"]), "the result of |indent")


def _replace(arguments: Arguments) -> None:
    text, old, new, count = (arguments[key] for key in ("s", "old", "new", "count"))
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    require_size(len(text) + found * max(len(new) - len(old), 0), "the result of |replace")


def _wordwrap(arguments: Arguments) -> None:
    text, width, wrap = arguments["s"], arguments["width"], arguments["wrapstring"]
    if not (isinstance(text, str) and isinstance(width, int)):
        return
    lines = len(text) // max(width, 1) + text.count("\n") + 1
    if lines > MAX_WRAPPED_LINES:
        raise TemplateLimitError(
            f"|wordwrap({width}) would make {lines:,} lines: at most {MAX_WRAPPED_LINES:,}"
        )
    require_size(len(text) + lines * _width(wrap or "\n"), "the result of |wordwrap")


def _join(arguments: MutableArguments) -> None:
    items = arguments["value"]
    if not isinstance(items, Sized):
        # A generator (|map, |select) is counted before the join, not during it.
        items = arguments["value"] = [account(item) for item in ClockedIterable(items)]
    size = printed_size(items) + len(items) * _width(arguments["d"])
    require_size(size, "the result of |join")


def _format(arguments: Arguments) -> None:
    if isinstance(arguments["value"], str):
        check_percent_format(arguments["value"], arguments["kwargs"] or arguments["args"])


def _count(name: str, parameter: str) -> Callable[[Arguments], None]:
    def check(arguments: Arguments) -> None:
        require_size(_width(arguments[parameter]), f"|{name}({parameter})")

    return check


def _printed(arguments: Arguments) -> None:
    value = arguments.get("value", arguments.get("s"))
    indent = arguments.get("indent")
    per_item = 1 + (indent if isinstance(indent, int) and indent > 0 else 0)
    require_size(printed_size(value, MAX_VALUE_SIZE) * per_item, "the printed value")


def _sum(arguments: Arguments) -> None:
    # Adding up lists or strings copies the running total at every step: sums are of numbers.
    if not isinstance(arguments["start"], int | float):
        raise TemplateLimitError("|sum adds up numbers: start must be a number")


_PRECHECKS: dict[str, Callable[[MutableArguments], None]] = {
    "center": _center,
    "indent": _indent,
    "replace": _replace,
    "wordwrap": _wordwrap,
    "join": _join,
    "format": _format,
    "batch": _count("batch", "linecount"),
    "slice": _count("slice", "slices"),
    "string": _printed,
    "pprint": _printed,
    "tojson": _printed,
    "sum": _sum,
}
