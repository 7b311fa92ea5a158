"""Resource limits for rendering curators' templates: sizes, a clock, and the checks that apply them.

Jinja's sandbox keeps templates away from Python internals but does not limit resources, and
templates render in the CLI's and the page's own process. So every value a template builds (an
operator's result, a joined or sliced string, a literal list, a filter's or method's result) is
checked against a size before or as it is built, every loop step and call checks a per-render
clock, and the whole render has a budget of characters it may build. The limits are far above
anything a reply needs (a reply is a few kB, built in about a millisecond).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Iterator, KeysView, Mapping, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateRuntimeError, Undefined
from jinja2.utils import Namespace

# A reply is a few kB; the longest a curator could mean is a few pages. No single value a
# template builds (a string, a list, a nested structure as it would print) needs to be longer
# than the reply itself.
MAX_REPLY_CHARS = 100_000
MAX_VALUE_SIZE = MAX_REPLY_CHARS
# All the text and items one render builds together (parts, values, macro output): ten replies'
# worth, so a loop that keeps building values stops at a few megabytes of memory.
MAX_BUILT_SIZE = 10 * MAX_REPLY_CHARS
# Processor time of the rendering thread, not wall-clock time: on a busy machine (the page's
# server, CI workers) an ordinary render was measured taking over a second of wall-clock time,
# and the page renders several sessions at once. A reply takes about 1 ms of processor time,
# 30 ms for the first, which compiles the templates; half a second is no reply but a loop. Short
# enough that the page's check of a template edit (one render per case type) answers in seconds.
RENDER_SECONDS = 0.5
# A reply loops over a handful of items (order lines, options); any loop of range() stays small.
# Nested loops multiply, and the clock stops those.
MAX_RANGE_ITEMS = 10_000
# Money, counts and ids have at most 20 digits (a 64-bit id); 1,024 bits (about 308 digits) leaves
# room for any arithmetic a template does on them and keeps every number printable.
MAX_NUMBER_BITS = 1024
# The most digits a number in the compose context or a printed amount may have: 20 holds a
# 64-bit id; a money amount never comes close.
MAX_NUMBER_DIGITS = 20
# A wrapped reply has tens of lines; wrapping to very narrow widths costs time quadratic in length.
MAX_WRAPPED_LINES = 10_000


class TemplateLimitError(TemplateRuntimeError):
    """A template asked for more than a reply may use: size, time or range."""


@dataclass
class RenderBudget:
    """The limits of one render: its deadline (in thread time), what it has built so far, and
    where it failed."""

    deadline: float
    built: int = 0
    failed_at: tuple[str, int] | None = None


# Per thread and task: the page renders in several threads at once, through one environment.
_budget: ContextVar[RenderBudget | None] = ContextVar("render_budget", default=None)


def current_budget() -> RenderBudget | None:
    return _budget.get()


@contextmanager
def render_budget(seconds: float = RENDER_SECONDS) -> Iterator[RenderBudget]:
    """The limits every check inside applies; outside one (parsing, tests) only sizes are checked."""
    budget = RenderBudget(time.thread_time() + seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def check_clock() -> None:
    budget = current_budget()
    if budget is not None and time.thread_time() > budget.deadline:
        raise TemplateLimitError(
            f"rendering took longer than {RENDER_SECONDS:g} s of processor time "
            "(a loop that never ends?)"
        )


def require_size(size: int, what: str, limit: int = MAX_VALUE_SIZE) -> None:
    if size > limit:
        raise TemplateLimitError(
            f"{what} would be {size:,} characters or items long: at most {limit:,} in one value"
        )


def account(value: Any, what: str = "a value") -> Any:
    """A value a template built: refused when too big, otherwise counted against the render."""
    if isinstance(value, str):
        size = len(value)
        require_size(size, what)
    elif isinstance(value, _CONTAINERS):
        size = len(value)
        require_size(printed_size(value), what)
    else:
        return value
    budget = current_budget()
    if budget is not None:
        budget.built += size
        if budget.built > MAX_BUILT_SIZE:
            raise TemplateLimitError(
                f"the template built more than {MAX_BUILT_SIZE:,} characters or items in all"
            )
    return value


def join_within(chunks: Iterable[str], limit: int, what: str) -> str:
    """The chunks joined, stopping (before the join) once they pass `limit` characters."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        check_clock()
        size += len(chunk)
        if size > limit:
            raise TemplateLimitError(f"{what} is longer than {limit:,} characters")
        parts.append(chunk)
    return account("".join(parts), what)


_CONTAINERS = (list, tuple, set, frozenset, dict, KeysView, ValuesView)


def printed_size(value: Any, limit: int = MAX_VALUE_SIZE) -> int:
    """About how long `str(value)` would be, counting shared and nested items each time they would
    print, and stopping once past `limit`: a structure of 2**40 shared items costs no more to
    measure than a small one."""
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        total += _own_size(item)
        if total > limit:
            return total
        pending.extend(_children(item))
    return total


def _own_size(item: Any) -> int:
    if isinstance(item, str):
        return len(item)
    if isinstance(item, bytes):
        return 4 * len(item) + 3
    if isinstance(item, bool) or item is None:
        return 5
    if isinstance(item, int):
        return item.bit_length() * 3 // 10 + 2
    if isinstance(item, Mapping):
        return 2 + 4 * len(item)
    if isinstance(item, _CONTAINERS):
        return 2 + 2 * len(item)
    if isinstance(item, Namespace):
        return 14 + 4 * len(_namespace_attributes(item))
    if isinstance(item, Undefined):
        return 0  # printing it raises the undefined error itself
    return 32  # floats, dates, loop and macro objects print short


def _children(item: Any) -> Iterable[Any]:
    if isinstance(item, str | bytes):
        return ()
    if isinstance(item, Mapping):
        return [*item.keys(), *item.values()]
    if isinstance(item, _CONTAINERS):
        return item
    if isinstance(item, Namespace):
        return [_namespace_attributes(item)]
    return ()


def _namespace_attributes(namespace: Namespace) -> dict[str, Any]:
    # Namespace keeps its attributes in a private dict and hides it from getattr.
    return object.__getattribute__(namespace, "_Namespace__attrs")


def shown(value: Any, width: int = 40) -> str:
    """The value for a message: its repr, shortened, without ever printing a huge value."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a number of {number_digits(value)} digits"
    if printed_size(value, 10 * width) > 10 * width:
        return f"a very long {type(value).__name__}"
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text if len(text) <= width else f"{text[: width - 1]}… ({len(text):,} characters)"


def number_digits(value: int | float) -> int:
    """Digits before the decimal point, without converting a huge int to text (which Python
    refuses past 4,300 digits)."""
    magnitude = abs(value)
    if magnitude < 1:
        return 1
    if isinstance(magnitude, float):
        return math.floor(math.log10(magnitude)) + 1
    digits = max(1, int(magnitude.bit_length() * math.log10(2)) - 1)  # never more than the count
    while 10**digits <= magnitude:
        digits += 1
    return digits


# Binary operators: each checks its result's size before building it.


def check_binop(operator: str, left: Any, right: Any) -> None:
    check_clock()
    if operator == "*":
        _check_multiply(left, right)
    elif operator == "**":
        _check_power(left, right)
    elif operator == "+":
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            require_size(
                printed_size(left) + printed_size(right), f"{_kind(left)} + {_kind(right)}"
            )
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left, right)


def check_number(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_NUMBER_BITS:
        raise TemplateLimitError(
            f"a number of {value.bit_length():,} bits: at most {MAX_NUMBER_BITS:,} bits"
        )
    return value


def _check_multiply(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        bits = left.bit_length() + right.bit_length()
        if bits > MAX_NUMBER_BITS:
            raise TemplateLimitError(
                f"a product of about {bits:,} bits: at most {MAX_NUMBER_BITS:,} bits"
            )
        return
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            require_size(printed_size(sequence) * max(times, 0), f"{_kind(sequence)} * {times:,}")


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1 and exponent > 0:
        bits = base.bit_length() * exponent
        if bits > MAX_NUMBER_BITS:
            raise TemplateLimitError(
                f"{base} ** {exponent} would be a number of about {bits:,} bits: "
                f"at most {MAX_NUMBER_BITS:,} bits"
            )


def _kind(value: Any) -> str:
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


# printf-style conversions: `%[(name)][flags][width][.precision]`, with `*` taking a number from
# the arguments. Widths and precisions pad the result; a huge one builds a huge string.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_percent_format(template: str, arguments: Any) -> None:
    """`'%5d' % value` and `|format`: the padding asked for plus the arguments, before formatting."""
    padding = 0
    for spec in _PERCENT_SPEC.finditer(template):
        for number in spec.groups():
            if number == "*":
                padding += sum(_star_widths(arguments))
            elif number:
                padding += int(number) if len(number) <= 9 else MAX_VALUE_SIZE + 1
    require_size(len(template) + padding + printed_size(arguments), "the formatted string")


def _star_widths(arguments: Any) -> Iterator[int]:
    values = arguments if isinstance(arguments, tuple | list) else (arguments,)
    for value in values:
        if isinstance(value, int):
            yield abs(value)


# Loops: range() is bounded, and every loop checks the clock at each step.


class BoundedRange:
    """range() for templates: at most MAX_RANGE_ITEMS numbers, and iterating checks the clock."""

    def __init__(self, numbers: range) -> None:
        self._numbers = numbers

    def __iter__(self) -> Iterator[int]:
        for number in self._numbers:
            check_clock()
            yield number

    def __reversed__(self) -> Iterator[int]:
        return iter(BoundedRange(self._numbers[::-1]))

    def __len__(self) -> int:
        return len(self._numbers)

    def __contains__(self, number: object) -> bool:
        return number in self._numbers

    def __getitem__(self, index: int | slice) -> Any:
        found = self._numbers[index]
        return BoundedRange(found) if isinstance(found, range) else found

    def __repr__(self) -> str:
        return repr(self._numbers)


def bounded_range(*arguments: int) -> BoundedRange:
    numbers = range(*arguments)
    try:
        count = len(numbers)
    except OverflowError:  # more than sys.maxsize numbers
        count = None
    if count is None or count > MAX_RANGE_ITEMS:
        size = f"{count:,}" if count is not None else "more than 2**63"
        raise TemplateLimitError(f"range() of {size} numbers: at most {MAX_RANGE_ITEMS:,}")
    return BoundedRange(numbers)


class ClockedIterable:
    """What a template's for-loop iterates: the same items, with the clock checked at each."""

    def __init__(self, iterable: Iterable[Any]) -> None:
        self._iterable = iterable

    def __iter__(self) -> Iterator[Any]:
        for item in self._iterable:
            check_clock()
            yield item

    def __len__(self) -> int:
        # TypeError for an unsized iterable, as len() gives: the loop then counts the items itself.
        return len(self._iterable)  # type: ignore[arg-type]
