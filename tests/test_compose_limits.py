"""Hostile templates and compose inputs (issue 12): each is refused with a named ComposeError, fast.

Templates are curators' text, rendered in-process, so the sandbox's own resource limits (none) are
not enough: every payload family below used to hang, build gigabytes or end in a traceback.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest
from cli_runner import run_cli

from assistant.compose.environment import template_problems
from assistant.compose.render import ComposeError, render
from assistant.core.resources import TEMPLATES_DIR_NAME, bundled
from assistant.curation.edits import validate_template_edit

TODAY = dt.date(2026, 11, 26)
NAMES = {"company_name": "Acme Home", "agent_name": "Priya"}
PART = "other/opening.txt"
# Far below a hang, well above the render clock (RENDER_SECONDS). Measured in processor time of
# this thread, as the render clock is: wall-clock time on a shared CI machine says little.
QUICKLY = 2.0


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    shutil.copytree("templates", root)
    return root


def refusal(templates: Path, source: str) -> str:
    """The ComposeError message for `source` in place of other/opening.txt, checked to come quickly."""
    (templates / PART).write_text(source + "\n", encoding="utf-8")
    started = time.thread_time()
    with pytest.raises(ComposeError) as caught:
        render("other", NAMES, templates_dir=templates, today=TODAY)
    elapsed = time.thread_time() - started
    assert elapsed < QUICKLY, f"took {elapsed:.1f} s: {source}"
    message = str(caught.value)
    assert len(message) < 400, message
    return message


def test_an_ordinary_edit_still_renders(templates):
    (templates / PART).write_text(
        "{% for word in ['thanks', 'for', 'writing'] %}{{ word|title }} {% endfor %}"
        "{{ (amount * 2)|money(currency) }} {{ range(3)|join(',') }} {{ 'a' ~ 'b' }}"
        "{{ today.year }} {{ next_update|longdate }} {{ 'x' * 3 }} {{ 2 ** 10 }}\n",
        encoding="utf-8",
    )
    context = {**NAMES, "amount": 12.5, "currency": "GBP", "next_update": "2026-12-01"}
    text = render("other", context, templates_dir=templates, today=TODAY).text
    assert "Thanks For Writing £25 0,1,2 ab2026 Tuesday 1 December xxx 1024" in text


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(1000000000) %}{% endfor %}",
        "{{ range(100000000)|list|length }}",
        "{{ range(10 ** 30)|length }}",
    ],
)
def test_range_is_capped(templates, source):
    message = refusal(templates, source)
    assert message.startswith(f"template {PART}:1: range() of ")
    assert "at most 10,000" in message


@pytest.mark.parametrize(
    "source", ["{{ lipsum(n=1000000) }}", "{{ lipsum(10 ** 6, min=1000, max=10000) }}"]
)
def test_lipsum_is_not_available(templates, source):
    assert "'lipsum' is undefined" in refusal(templates, source)


@pytest.mark.parametrize(
    "source",
    [
        # A loop's own `set` starts afresh at each step; a namespace carries the value across.
        "{% set s = 'x' %}" + "{% set s = s ~ s %}" * 40 + "{{ s|length }}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}{{ ns.s|length }}",
        "{{ ('x' * 1000000000)|length }}",
        "{{ ([0] * 1000000000)|length }}",
        "{{ ('x' * 100000)|replace('', 'y' * 100000)|length }}",
        "{{ 'x'|center(1000000000)|length }}",
        "{{ 'x'|indent(1000000000, true)|length }}",
        "{{ '%1000000000d' % 1 }}",
        "{{ '%*d'|format(1000000000, 1) }}",
        # nested lists that share their items print as 2**40 of them
        "{% set ns = namespace(l=['x']) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}"
        "{% endfor %}{{ ns.l == ns.l[:] }}",
        "{% set ns = namespace(l=['x']) %}{% for i in range(40) %}"
        "{% set ns.l = dict(a=ns.l, b=ns.l) %}{% endfor %}{{ ns.l }}",
        "{% set ns = namespace(l=['x']) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}"
        "{% endfor %}{{ ns.l|length }}",
    ],
)
def test_doubling_strings_and_lists_is_capped(templates, source):
    message = refusal(templates, source)
    assert message.startswith(f"template {PART}:1: ")
    assert "at most 100,000" in message


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x'.ljust(1000000000) }}",
        "{{ '{:>1000000000}'.format('x') }}",
        "{{ 'ab'.replace('', 'x' * 99999) }}",
        "{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}{{ l|length }}",
        "{{ (1).to_bytes(1000000000, 'big') }}",
    ],
)
def test_methods_that_build_unbounded_values_are_refused(templates, source):
    message = refusal(templates, source)
    assert message.startswith(f"template refused: {PART}:1: "), message
    assert "is not available in reply templates" in message


@pytest.mark.parametrize(
    "source",
    [
        "{{ 2 ** 100000000 }}",
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
        "{% endfor %}{{ ns.n > 0 }}",
    ],
)
def test_huge_powers_and_products_are_capped(templates, source):
    message = refusal(templates, source)
    assert message.startswith(f"template {PART}:1: ")
    assert "at most 1,024 bits" in message


def test_float_overflow_is_named(templates):
    assert "Numerical result out of range" in refusal(templates, "{{ 10.0 ** 400 }}")


@pytest.mark.parametrize(
    "source",
    [
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "{% include 'other/opening.txt' %}",
        "{% macro f(n) %}{{ caller() }}{% endmacro %}"
        "{% macro g() %}{% call f(1) %}{{ g() }}{% endcall %}{% endmacro %}{{ g() }}",
    ],
)
def test_deep_recursion_is_named(templates, source):
    message = refusal(templates, source)
    assert message.startswith("template other/opening.txt:"), message
    assert "nest too deeply" in message


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
        "{{ " + "[" * 300 + "]" * 300 + " }}",
        "{% if x %}" * 3000 + "{% endif %}" * 3000,
    ],
    ids=["parentheses", "lists", "ifs"],
)
def test_deeply_nested_template_text_is_a_syntax_error(templates, source):
    message = refusal(templates, source)
    assert message.startswith(f"template {PART}:1: nested too deeply to "), message
    (problem,) = validate_template_edit(templates, PART, source)
    assert problem.startswith(f"{PART}:1: nested too deeply to ")
    assert any("nested too deeply" in found for found in template_problems(templates))


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
        "{% set b %}{% for i in range(10000) %}{{ 'x' * 99000 }}{% endfor %}{% endset %}",
        "{% macro m() %}{{ 'y' * 99000 }}{% endmacro %}{% set ns = namespace(l=[]) %}"
        "{% for i in range(10000) %}{% set ns.l = [ns.l, m()] %}{% endfor %}",
        "{% for i in range(10000) %}{{ ('z' * 99000)[1:] }}{% endfor %}",
    ],
)
def test_output_and_built_text_are_capped(templates, source):
    message = refusal(templates, source)
    # The reply as a whole is checked as it streams out: too long, it is the reply template's.
    assert message.startswith((f"template {PART}:1: ", "template other/reply.txt: the reply"))
    assert "characters" in message


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "{% set s = 'x' * 10000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
        "{% set s = 'x' * 3000 %}{% for a in s %}{% for b in s %}{{ '' }}{% endfor %}{% endfor %}",
    ],
)
def test_slow_loops_are_stopped_by_the_clock(templates, source):
    message = refusal(templates, source)
    # A loop that writes out is stopped between chunks of the reply, named as the reply's.
    assert message.startswith((f"template {PART}:1: ", "template other/reply.txt: ")), message
    assert "rendering took longer than 0.5 s of processor time" in message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'abc'|money }}", "money: expected an amount"),
        ("{{ none|money }}", "money: expected an amount"),
        ("{{ (0 - 5)|money }}", "money: expected an amount"),
        ("{{ (1e308 * 10)|money }}", "money: expected an amount"),
        ("{{ 5|money(7) }}", "money: expected a currency code"),
        ("{{ 'soon'|longdate }}", "longdate: expected a date"),
        ("{{ 5|longdate }}", "longdate: expected a date"),
        ("{{ 1 / 0 }}", "division by zero (ZeroDivisionError)"),
        ("{{ 1 + 'a' }}", "(TypeError)"),
        ("{{ 'abc'.index('x') }}", "substring not found (ValueError)"),
    ],
)
def test_filters_and_operators_on_bad_values_are_named(templates, source, expected):
    message = refusal(templates, source)
    assert message.startswith(f"template {PART}:1: "), message
    assert expected in message


def test_the_failing_line_of_an_included_part_is_named(templates):
    message = refusal(templates, "Thanks.\n{{ 'x'|money }}")
    assert message.startswith(f"template {PART}:2: money: ")


def test_a_hostile_template_edit_is_reported_quickly(templates):
    started = time.thread_time()
    problems = validate_template_edit(
        templates,
        PART,
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
    )
    assert time.thread_time() - started < QUICKLY
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{PART}: rendering other with its sample fails: template {PART}:1"
    )
    assert "rendering took longer than" in problems[0]
    fast = validate_template_edit(templates, PART, "{{ 'x' * 1000000000 }}")
    assert len(fast) == 1 and "at most 100,000" in fast[0]


# Compose inputs (item 9)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("amount", float("nan"), "a finite amount of at least 0, got nan"),
        ("amount", float("inf"), "a finite amount of at least 0, got inf"),
        ("order_value", float("-inf"), "a finite amount of at least 0, got -inf"),
        ("amount", -5, "a finite amount of at least 0, got -5"),
        ("order_value", -0.01, "a finite amount of at least 0, got -0.01"),
    ],
)
def test_money_values_are_finite_and_not_negative(key, value, expected):
    with pytest.raises(ComposeError, match=f"context key '{key}': expected {expected}"):
        render("billing_or_chargeback", {**NAMES, key: value}, today=TODAY)


@pytest.mark.parametrize(
    ("key", "value"),
    [("amount", 10**30), ("order_value", 1e300), ("order_number", 7**5000), ("quantity", 10**21)],
    ids=["amount", "order_value", "order_number", "quantity"],
)
def test_numbers_with_absurd_digit_counts_are_refused(key, value):
    with pytest.raises(ComposeError, match=f"context key '{key}': .*at most 20 digits") as caught:
        render("other", {**NAMES, key: value}, today=TODAY)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-30", "'2026-02-30' is not an ISO date"),
        ("soon", "'soon' is not an ISO date"),
        (dt.datetime(2026, 12, 1, 10, 30), "a date and time"),
    ],
)
def test_dates_are_iso_dates(value, expected):
    with pytest.raises(ComposeError, match=f"context key 'deadline': .*{expected}"):
        render("other", {**NAMES, "deadline": value}, today=TODAY)


@pytest.mark.parametrize("key", [1, True, None, dt.date(2026, 1, 1), ("a", "b")])
def test_context_keys_must_be_text(key):
    with pytest.raises(ComposeError, match=r"context key .*: keys must be text"):
        render("other", {**NAMES, key: "x"}, today=TODAY)


def test_the_context_must_be_a_mapping():
    with pytest.raises(ComposeError, match="the context must be a mapping"):
        render("other", [("company_name", "Acme")], today=TODAY)  # type: ignore[arg-type]


def test_a_huge_context_value_is_refused():
    shared: list = ["x"]
    for _ in range(40):
        shared = [shared, shared]
    started = time.thread_time()
    with pytest.raises(ComposeError, match="context key 'colour': the value is too large"):
        render("other", {**NAMES, "colour": shared}, today=TODAY)
    assert time.thread_time() - started < QUICKLY


def compose_cli(*args: str):
    return run_cli("compose", "--case-type", "billing_or_chargeback", *args)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("amount=.nan", "context key 'amount': expected a finite amount of at least 0, got nan"),
        ("amount=.inf", "context key 'amount': expected a finite amount of at least 0, got inf"),
        ("amount=-5", "context key 'amount': expected a finite amount of at least 0, got -5"),
        ("amount=" + "1" * 5000, "context key 'amount': "),
        ("order_value=" + "9" * 4000, "context key 'order_value': a number of 4000 digits"),
        ("deadline=2026-02-30", "context key 'deadline': '2026-02-30' is not an ISO date"),
        ("deadline=2026-12-01 10:30:00", "context key 'deadline': expected an ISO date"),
        ("next_update=2026-12-01T10:30:00+05:00", "context key 'next_update': expected an ISO"),
        ("=5", "--set '=5': the key is empty"),
    ],
)
def test_cli_set_values_are_named_errors(setting, expected):
    run = compose_cli("--set", "agent_name=Jo", "--set", "company_name=Acme", "--set", setting)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert expected in run.stderr
    assert len(run.stderr) < 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- company_name\n- agent_name\n", "the context must be a mapping"),
        ("just words\n", "the context must be a mapping"),
        ("!!set {company_name, agent_name}\n", "the context must be a mapping"),
        ("company_name: Acme\n1: one\n", "context keys must be text; 1 is a number"),
        ("company_name: Acme\n? [a, b]\n: x\n", "not valid YAML"),
        ("company_name: Acme\nnull: x\n", "context keys must be text; None is a null"),
        ("company_name: Acme\n2026-01-01: x\n", "context keys must be text"),
        ("deadline: 2026-02-30\n", "not valid YAML: day is out of range for month"),
        ("amount: " + "1" * 5000 + "\n", "not valid YAML: a number has more than 4300 digits"),
        ("colour: " + "[" * 20000 + "\n", "not valid YAML: nested too deeply"),
    ],
)
def test_cli_context_files_that_cannot_be_a_context_are_named(tmp_path, text, expected):
    context = tmp_path / "ctx.yml"
    context.write_text(text, encoding="utf-8")
    run = compose_cli("--context", str(context))
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert f"{context}: " in run.stderr
    assert expected in run.stderr
    assert len(run.stderr) < 400


def test_cli_json_context_with_odd_values_is_named(tmp_path):
    context = tmp_path / "ctx.json"
    context.write_text('{"agent_name": "Jo", "company_name": "Acme", "amount": NaN}')
    run = compose_cli("--context", str(context))
    assert run.returncode == 2 and "context key 'amount'" in run.stderr
    context.write_text("[" * 100000 + "]" * 100000)
    run = compose_cli("--context", str(context))
    assert run.returncode == 2 and "not valid JSON: nested too deeply" in run.stderr


def test_cli_yaml_odd_types_reach_a_named_error(tmp_path):
    context = tmp_path / "ctx.yml"
    context.write_text(
        "agent_name: Jo\ncompany_name: Acme\nitem: !!binary aGVsbG8=\n", encoding="utf-8"
    )
    run = compose_cli("--context", str(context))
    assert run.returncode == 2 and "context key 'item': expected str, got b'hello'" in run.stderr


def test_a_template_linked_out_of_the_templates_folder_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is hunter2\n", encoding="utf-8")
    root = tmp_path / "templates"
    shutil.copytree(bundled(TEMPLATES_DIR_NAME), root)
    opening = root / "other" / "opening.txt"
    opening.unlink()
    opening.symlink_to(secret)
    with pytest.raises(ComposeError) as caught:
        render("other", {"company_name": "A", "agent_name": "B"}, templates_dir=root)
    # Refused with its reason, not taken for a missing file
    assert "other/opening.txt: links outside the library folder: not read" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "other/opening.txt:0: links outside the library folder: not read" in template_problems(
        root
    )
