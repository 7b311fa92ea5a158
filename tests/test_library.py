from __future__ import annotations

import time

import pytest
from cli_runner import run_cli
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from assistant.core.categories import DRAFT_CATEGORIES
from assistant.core.resources import RULES_DIR_NAME, bundled
from assistant.library.loader import (
    LibraryError,
    collect,
    load_library,
    rule_files,
)
from assistant.library.token_patterns import check_pattern
from assistant.nlp.token_matcher import TokenMatcher


def test_shipped_library_is_valid_and_covers_every_draft_category():
    library, problems = collect(strict=True)
    assert problems == []
    categories = {rule.category for rule in library.rules_for("draft")}
    assert categories == set(DRAFT_CATEGORIES)
    assert len(library.rules_for("draft")) >= 20


def test_every_shipped_rule_has_flag_and_pass_examples():
    for rule in load_library().rules:
        assert rule.flag_examples, rule.id
        assert rule.pass_examples, rule.id


def test_broken_library_names_each_problem(rules_dir, valid_rule_text):
    root = rules_dir(
        {
            "a.yml": valid_rule_text,
            "b.yml": """\
            family: broken
            category: blame_shifting
            colour: red
            rules:
              - id: demo.you-should-have
                severity: warning
                message: "duplicate"
                patterns: ["x"]
                examples: {flag: ["x"], pass: ["y"]}
              - id: broken.bad-pattern
                severity: warning
                message: "m"
                patterns: [[{LOWER: {IN: 3}}]]
                examples: {flag: ["x"], pass: ["y"]}
              - id: broken.typo
                severity: warning
                mesage: "typo"
                patterns: ["z"]
                examples: {flag: ["z"], pass: ["y"]}
              - id: broken.lookahead-regex
                severity: warning
                message: "m"
                patterns: [[{LOWER: {REGEX: "(?=(a+)+$)a"}}]]
                examples: {flag: ["a"], pass: ["b"]}
        """,
        }
    )
    with pytest.raises(LibraryError) as caught:
        load_library(root)
    lines = [str(p) for p in caught.value.problems]
    text = "\n".join(lines)
    assert "b.yml:(file): colour: unknown key" in text
    assert "b.yml:demo.you-should-have: id: duplicate id, first defined in" in text
    assert "b.yml:broken.bad-pattern: patterns[0]: invalid token pattern" in text
    assert "b.yml:broken.typo: mesage: unknown key" in text
    assert "b.yml:broken.typo: message: missing or empty" in text
    assert (
        "b.yml:broken.lookahead-regex: patterns[0]: invalid token pattern: REGEX '(?=(a+)+$)a'"
        in text
    )
    assert "lookarounds and backreferences are not supported" in text
    # every problem says where: the line of the rule that holds it
    assert all("(line " in line for line in lines)


def test_yaml_syntax_error_reports_its_line(rules_dir):
    root = rules_dir({"a.yml": "family: x\nrules: [\n  - id: broken\n"})
    _, problems = collect(root)
    assert len(problems) == 1
    assert problems[0].field == "yaml"
    assert problems[0].line > 0


def test_duplicate_yaml_key_is_refused_not_silently_dropped(rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text + "    family: again\n"})
    _, problems = collect(root)
    assert any("duplicate key 'family'" in p.problem for p in problems)


def test_yaml_words_like_on_and_no_stay_words(rules_dir):
    root = rules_dir(
        {
            "a.yml": """\
        family: demo
        category: excuse_making
        rules:
          - id: demo.on-our-side
            severity: warning
            message: "m"
            patterns: [[{LOWER: {IN: [on, off, yes, no]}}, {LOWER: {IN: [our, 24]}}, {LOWER: side}]]
            examples: {flag: ["It is on our side."], pass: ["Nothing here."]}
    """
        }
    )
    library = load_library(root)
    pattern = library.rules[0].patterns[0]
    assert pattern[0]["LOWER"]["IN"] == ["on", "off", "yes", "no"]
    assert pattern[1]["LOWER"]["IN"] == ["our", "24"]


def test_missing_examples_are_refused(rules_dir):
    root = rules_dir(
        {
            "a.yml": """\
        family: demo
        category: threat
        rules:
          - id: demo.no-examples
            severity: error
            message: "m"
            patterns: ["legal action"]
            examples: {flag: ["We will take legal action."]}
    """
        }
    )
    _, problems = collect(root)
    assert [str(p).split(" (line")[0] for p in problems] == [
        f"{problems[0].path}:demo.no-examples: examples.pass: needs at least one example"
    ]


def test_flag_example_match_must_occur_in_text(rules_dir, valid_rule_text):
    root = rules_dir(
        {"a.yml": valid_rule_text.replace('match: "You should have"', 'match: "nowhere"')}
    )
    _, problems = collect(root)
    assert problems and problems[0].field == "examples.flag[0].match"


def test_settings_files_are_not_read_as_rule_files():
    names = {path.name for path in rule_files(bundled(RULES_DIR_NAME))}
    assert "readability.yml" not in names


# Regexes that backtrack catastrophically in Python's re: RE2 runs them in linear time.
BACKTRACKING = ["(a|a?)+$", "(a+)+$", "(a*)*b", "(\\w+\\s?)*$", "(a|\\w)+$", "(x+x+)+y"]


@pytest.mark.parametrize("regex", BACKTRACKING)
def test_a_backtracking_regex_runs_in_linear_time(regex):
    matcher = TokenMatcher(StringStore())
    matcher.add("slow", [[{"LOWER": {"REGEX": regex}}]])
    doc = Doc(Vocab(), words=["a" * 26 + "!"] * 200)
    started = time.perf_counter()
    matcher(doc)
    assert time.perf_counter() - started < 0.5  # Python's re: minutes on one 26-letter word


@pytest.mark.parametrize("regex", ["(?=(a+)+$)a", "(?P<x>a+)(?P=x)+$", "(?<!a)b", "(a)\\1", "(unclosed"])
def test_regexes_that_need_backtracking_are_refused(regex):
    problem = check_pattern([{"LOWER": {"REGEX": regex}}])
    assert problem and "lookarounds and backreferences are not supported" in problem


def test_repetition_is_bounded():
    assert "a count above 50" in (check_pattern([{"OP": "{1000000000}"}]) or "")
    assert "maximum is below the minimum" in (check_pattern([{"OP": "{5,2}"}]) or "")
    two_open = [{"LOWER": "a"}, {"OP": "*"}, {"LOWER": "b"}, {"OP": "+"}, {"LOWER": "c"}]
    assert "at most one per pattern" in (check_pattern(two_open) or "")
    assert check_pattern([{"LOWER": "a"}, {"OP": "*"}, {"LOWER": "b"}, {"OP": "{0,8}"}]) is None


def test_rules_validate_cli_exits_2_with_named_errors(rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text.replace("severity: warning", "severity: loud")})
    run = run_cli("--rules-dir", str(root), "rules", "validate")
    assert run.returncode == 2
    assert (
        "demo.you-should-have: severity: must be one of suggestion, warning, error, got 'loud'"
        in run.stdout
    )
    assert "Traceback" not in run.stderr


def test_check_with_broken_library_gives_no_traceback(rules_dir):
    root = rules_dir({"a.yml": "family: x\nrules: 3\n"})
    run = run_cli("--rules-dir", str(root), "check", "-", stdin="hello")
    assert run.returncode == 2
    assert "a.yml:(file): rules: missing or empty" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_token_value_the_tokenizer_always_splits_is_refused(rules_dir, valid_rule_text):
    root = rules_dir(
        {
            "a.yml": valid_rule_text.replace(
                'patterns: ["you should have"]',
                "patterns: [[{LOWER: you}, {LOWER: {IN: [cannot, can]}}]]",
            )
        }
    )
    assert collect(root)[1] == []  # harmless at run time: only the curator's checks refuse it
    _, problems = collect(root, strict=True)
    assert len(problems) == 1
    assert "'cannot' is split by the tokenizer into 'can' + 'not'" in problems[0].problem
    # clitics exist only attached to a word, and are valid single tokens
    ok = rules_dir(
        {
            "a.yml": valid_rule_text.replace(
                'patterns: ["you should have"]',
                'patterns: [[{LOWER: you}, {LOWER: {IN: ["\'ve", "n\'t"]}}]]',
            )
        }
    )
    assert collect(ok, strict=True)[1] == []
