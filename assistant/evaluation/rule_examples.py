"""Run every rule's own examples: flag examples must fire the rule, pass examples must not."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language

from assistant.engine import Engine
from assistant.library.case_types import CaseTypeModel
from assistant.library.rules import Rule
from assistant.nlp.pipeline import checker_for, run


@dataclass(frozen=True)
class ExampleOutcome:
    rule_id: str
    expectation: str  # "flag" or "pass"
    text: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        status = "ok" if self.ok else "FAIL"
        return f"{status} {self.rule_id} [{self.expectation}] {self.text!r}: {self.detail}"


def _rule_spans(nlp: Language, rule: Rule, text: str) -> list[tuple[int, int, str]]:
    checker = checker_for(nlp, rule.kind)
    doc = run(nlp, text, rule.kind)
    return [
        (span.start_char, span.end_char, text[span.start_char : span.end_char])
        for span in doc.spans[checker.span_key]
        if span.id_ == rule.id
    ]


def check_rule_examples(nlp: Language, rule: Rule) -> list[ExampleOutcome]:
    outcomes = []
    for example in rule.flag_examples:
        spans = _rule_spans(nlp, rule, example.text)
        if not spans:
            outcomes.append(
                ExampleOutcome(rule.id, "flag", example.text, False, "the rule did not fire")
            )
            continue
        if example.match is None:
            outcomes.append(
                ExampleOutcome(rule.id, "flag", example.text, True, f"fired on {spans[0][2]!r}")
            )
            continue
        match_start = example.text.find(example.match)
        match_end = match_start + len(example.match)
        hit = [s for s in spans if s[0] < match_end and match_start < s[1]]
        if hit:
            outcomes.append(
                ExampleOutcome(rule.id, "flag", example.text, True, f"fired on {hit[0][2]!r}")
            )
        else:
            found = ", ".join(repr(s[2]) for s in spans)
            outcomes.append(
                ExampleOutcome(
                    rule.id,
                    "flag",
                    example.text,
                    False,
                    f"expected a match on {example.match!r}, fired on {found}",
                )
            )
    for text in rule.pending_pass_examples:
        # A reported false positive is kept as data before the rule is fixed: like an expected
        # failure, it never fails the run, and says so once the fix lands.
        fired = bool(_rule_spans(nlp, rule, text))
        detail = "pending fix: still fires" if fired else "now passes: drop `pending: true`"
        outcomes.append(ExampleOutcome(rule.id, "pending", text, True, detail))
    for text in rule.pass_examples:
        spans = _rule_spans(nlp, rule, text)
        if spans:
            found = ", ".join(repr(s[2]) for s in spans)
            outcomes.append(
                ExampleOutcome(
                    rule.id, "pass", text, False, f"should not fire, but fired on {found}"
                )
            )
        else:
            outcomes.append(ExampleOutcome(rule.id, "pass", text, True, "did not fire"))
    return outcomes


def check_all_examples(nlp: Language, rules: list[Rule] | tuple[Rule, ...]) -> list[ExampleOutcome]:
    return [outcome for rule in rules for outcome in check_rule_examples(nlp, rule)]


@dataclass(frozen=True)
class UncoveredPattern:
    rule: Rule
    index: int

    def __str__(self) -> str:
        pattern = self.rule.patterns[self.index]
        shown = pattern if isinstance(pattern, str) else "token pattern"
        return (
            f"{self.rule.path}:{self.rule.id}: patterns[{self.index}]: no flag example matches "
            f"{shown!r} (line {self.rule.line})"
        )


def uncovered_patterns(
    nlp: Language, rules: list[Rule] | tuple[Rule, ...]
) -> list[UncoveredPattern]:
    """Patterns no flag example of their rule matches: untested wording, or dead patterns.

    A pattern counts as exercised when it matches a flag example at all, even where the context
    checks then drop the match: what is tested is that the wording is caught.
    """
    uncovered = []
    for rule in rules:
        checker = checker_for(nlp, rule.kind)
        covered: set[int] = set()
        for example in rule.flag_examples:
            doc = run(nlp, example.text, rule.kind)
            covered.update(
                index for rule_id, index, _, _ in checker.pattern_matches(doc) if rule_id == rule.id
            )
        uncovered.extend(
            UncoveredPattern(rule, index)
            for index in range(len(rule.patterns))
            if index not in covered
        )
    return uncovered


def check_case_type_examples(
    engine: Engine, case_types: CaseTypeModel | None = None
) -> list[ExampleOutcome]:
    """Every case type's example messages (the engine's, or those of `case_types`) must come out
    as that case type."""
    case_types = case_types or engine.library.case_types
    outcomes = []
    for text in case_types.no_case_examples:
        found = engine.scan(text).case_type
        outcomes.append(
            ExampleOutcome(
                "case_type.none",
                "case",
                text,
                found is None,
                f"suggested {found or 'no case type'}",
            )
        )
    for case_type, texts in case_types.examples.items():
        for text in texts:
            found = engine.scan(text).case_type
            ok = found == case_type
            detail = "suggested" if ok else f"suggested {found or 'no case type'}"
            outcomes.append(ExampleOutcome(f"case_type.{case_type}", "case", text, ok, detail))
    return outcomes
