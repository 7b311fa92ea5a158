"""The sandboxed Jinja environment replies render in, its filters, and template checks.

The sandbox refuses Python internals; on top of it ReplyEnvironment bounds resources (limits.py):
operators, concatenation, slices and literals check the size of what they build, loops and calls
check the render's clock, range() is bounded, and methods that build values sized by an argument
(`'x'.ljust(10**9)`) are not available. `render_bounded` renders within those limits and names the
template and line of any failure.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Mapping
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    nodes,
)
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import FilterArgumentError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.utils import Joiner, Namespace

from assistant.compose.filters import bounded_filters
from assistant.compose.limits import (
    MAX_NUMBER_DIGITS,
    MAX_REPLY_CHARS,
    MAX_VALUE_SIZE,
    ClockedIterable,
    account,
    bounded_range,
    check_binop,
    check_clock,
    check_number,
    current_budget,
    join_within,
    printed_size,
    render_budget,
    require_size,
    shown,
)
from assistant.core import resources
from assistant.library.files import unreadable_reason

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}

# The methods templates may call on plain values: those whose result is no bigger than the value.
# `center`, `ljust`, `zfill`, `expandtabs`, `replace`, `join`, `format`, `to_bytes` and the
# mutating list and dict methods build values sized by an argument; the bounded filters
# (|center, |replace, |join, |format) do the same jobs.
SAFE_METHODS: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    (
        str,
        frozenset(
            [
                "capitalize",
                "casefold",
                "count",
                "endswith",
                "find",
                "index",
                "isalnum",
                "isalpha",
                "isascii",
                "isdecimal",
                "isdigit",
                "isidentifier",
                "islower",
                "isnumeric",
                "isprintable",
                "isspace",
                "istitle",
                "isupper",
                "lower",
                "lstrip",
                "partition",
                "removeprefix",
                "removesuffix",
                "rfind",
                "rindex",
                "rpartition",
                "rsplit",
                "rstrip",
                "split",
                "splitlines",
                "startswith",
                "strip",
                "swapcase",
                "title",
                "upper",
            ]
        ),
    ),
    (
        (bool, int, float),
        frozenset(
            [
                "real",
                "imag",
                "numerator",
                "denominator",
                "conjugate",
                "bit_length",
                "bit_count",
                "is_integer",
                "as_integer_ratio",
            ]
        ),
    ),
    ((list, tuple), frozenset({"count", "index"})),
    (dict, frozenset({"get", "items", "keys", "values"})),
    ((set, frozenset), frozenset({"isdisjoint", "issubset", "issuperset"})),
)


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with the few constructs the environment hooks do not see routed
    through checks: for-loops (the clock), `~` and slices (sizes) and literals (nested sizes)."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("clocked", lineno=loop.iter.lineno),
                [loop.iter],
                [],
                None,
                None,
                lineno=loop.iter.lineno,
            )
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # Jinja's own, with the operands checked before they are joined.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"{join}(environment.checked_concat((")
        for operand in node.nodes:
            self.visit(operand, frame)
            self.write(", ")
        self.write(")))")

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):  # the sandbox's getitem sees the others
            super().visit_Getitem(node, frame)
            return
        self.write("environment.built(")
        super().visit_Getitem(node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self.write("environment.built(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self.write("environment.built(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # an assignment target, not a value
            super().visit_Tuple(node, frame)
            return
        self.write("environment.built(")
        super().visit_Tuple(node, frame)
        self.write(")")


class ReplyEnvironment(SandboxedEnvironment):
    """The sandbox with resource limits (see the module docstring)."""

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, finalize=_printable, **kwargs)
        # Jinja's defaults without lipsum (pages of filler text on request) and cycler (loop.cycle
        # does its job); range is bounded; dict, namespace and joiner build only small values.
        self.globals.clear()
        self.globals.update(range=bounded_range, dict=dict, namespace=Namespace, joiner=Joiner)
        self.filters = bounded_filters({**self.filters, "money": money, "longdate": long_date})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        for kinds, allowed in SAFE_METHODS:
            if isinstance(obj, kinds):
                return attr in allowed
        return True

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        plain_value = any(isinstance(obj, kinds) for kinds, _ in SAFE_METHODS)
        if not plain_value or attribute.startswith("_"):
            return super().unsafe_undefined(obj, attribute)
        return self.undefined(
            f"{type(obj).__name__}.{attribute} is not available in reply templates "
            "(it can build values of any size; the filters do the same jobs within limits)",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format pads to any width: refused as an unsafe method instead

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        result = self.binop_table[operator](left, right)
        return account(check_number(result), f"the result of {operator}")

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        check_clock()
        result = super().call(context, obj, *args, **kwargs)
        name = getattr(obj, "__name__", None) or getattr(obj, "name", None)
        return account(result, f"the result of {name}()" if name else "the result of a call")

    def concat(self, chunks: Any) -> str:  # type: ignore[override]
        """Joins a macro's, block's or `{% set %}` block's output: bounded like the reply."""
        return join_within(chunks, MAX_VALUE_SIZE, "a part of the reply")

    @staticmethod
    def checked_concat(parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The operands of `~`, checked before they are joined."""
        check_clock()
        require_size(sum(printed_size(part) for part in parts), "joining with ~")
        return parts

    @staticmethod
    def built(value: Any) -> Any:
        return account(value)

    @staticmethod
    def clocked(iterable: Any) -> ClockedIterable:
        return ClockedIterable(iterable)

    # Jinja's parser and code generator recurse, and Python's compiler limits nesting: a template
    # nested thousands deep is a syntax error to the callers (the save-time checks), not a crash.

    def parse(self, source: str, name: str | None = None, filename: str | None = None) -> Any:
        try:
            return super().parse(source, name, filename)
        except RecursionError:
            raise TemplateSyntaxError("nested too deeply to parse", 1, name, filename) from None

    def compile(  # type: ignore[override]
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        try:
            return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]
        except (RecursionError, SyntaxError):
            raise TemplateSyntaxError("nested too deeply to compile", 1, name, filename) from None

    def handle_exception(self, source: str | None = None) -> Any:
        # Jinja rewrites the traceback next; the template frames still say which template and line.
        budget = current_budget()
        if budget is not None and budget.failed_at is None:
            budget.failed_at = _innermost_template_line(sys.exc_info()[2])
        return super().handle_exception(source)


def _printable(value: Any) -> Any:
    """Every `{{ value }}`: a structure must not print longer than a reply may be."""
    if not isinstance(value, str):
        require_size(printed_size(value), "the printed value")
    return value


def _innermost_template_line(traceback: TracebackType | None) -> tuple[str, int] | None:
    found = None
    while traceback is not None:
        template = traceback.tb_frame.f_globals.get("__jinja_template__")
        if template is not None and template.name:
            found = (template.name, template.get_corresponding_lineno(traceback.tb_lineno))
        traceback = traceback.tb_next
    return found


class LibraryLoader(FileSystemLoader):
    """Jinja's file loader follows links: `{% include %}` of a link to /etc/passwd once printed it
    into a reply. A template is read only if it is a regular file inside the templates folder,
    of at most library.files.MAX_FILE_BYTES, as every other library file."""

    def get_source(self, environment, template):  # type: ignore[no-untyped-def]
        root = Path(self.searchpath[0])
        path = root / template
        # A missing template stays "not found", so that Jinja goes on to the next candidate of
        # an include list; a file that is there but refused stops the render with its reason.
        if path.exists() or path.is_symlink():
            reason = unreadable_reason(path, root)
            if reason:
                raise TemplateRefused(template, reason)
        return super().get_source(environment, template)


class TemplateRefused(TemplateError):
    """A template file that exists but must not be read (a link out of the folder, a FIFO)."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@lru_cache(maxsize=4)
def environment(templates_dir: str) -> ReplyEnvironment:
    return ReplyEnvironment(
        loader=LibraryLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


class RenderFailure(Exception):
    """Rendering failed: the original error, and the template and line it happened in."""

    def __init__(self, cause: Exception, template: str, line: int | None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.template = template
        self.line = line

    @property
    def where(self) -> str:
        return f"{self.template}:{self.line}" if self.line else self.template


def render_bounded(env: SandboxedEnvironment, name: str, values: Mapping[str, Any]) -> str:
    """Template `name` rendered within the limits; any failure is a RenderFailure naming where."""
    with render_budget() as budget:
        try:
            chunks = env.get_template(name).generate(values)
            return join_within(chunks, MAX_REPLY_CHARS, "the reply")
        except Exception as exc:  # every failure, whatever a template did, is named
            if isinstance(exc, TemplateSyntaxError) and exc.name:
                raise RenderFailure(exc, exc.name, exc.lineno) from exc
            template, line = budget.failed_at or (name, None)
            raise RenderFailure(exc, template, line) from exc


def money(amount: Any, currency: Any = None) -> str:
    if not _is_amount(amount):
        raise FilterArgumentError(
            f"money: expected an amount (a finite number of at least 0, at most "
            f"{MAX_NUMBER_DIGITS} digits), got {shown(amount)}"
        )
    if currency is not None and not isinstance(currency, str):
        raise FilterArgumentError(f"money: expected a currency code, got {shown(currency)}")
    symbol = CURRENCY_SYMBOLS.get((currency or "").upper())
    number = f"{amount:,.2f}".replace(".00", "") if float(amount).is_integer() else f"{amount:,.2f}"
    if symbol:
        return f"{symbol}{number}"
    return f"{number} {currency}".strip() if currency else number


def _is_amount(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value < 10**MAX_NUMBER_DIGITS
    )


def long_date(value: Any) -> str:
    """'Thursday 3 December', from a date or an ISO date's text."""
    if isinstance(value, str):
        with suppress(ValueError):  # not a date: named below
            value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.date):
        raise FilterArgumentError(f"longdate: expected a date (YYYY-MM-DD), got {shown(value)}")
    return f"{value:%A} {value.day} {value:%B}"


def template_problems(templates_dir: str | Path | None = None) -> list[str]:
    """Templates that do not parse, or that reach for private attributes (`''.__class__` and friends)."""
    root = resources.templates_dir(templates_dir)
    env = environment(str(root))
    problems = []
    for path in sorted(root.rglob("*.txt")):
        name = path.relative_to(root).as_posix()
        reason = unreadable_reason(path, root)
        if reason:
            problems.append(f"{name}:0: {reason}")
            continue
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
