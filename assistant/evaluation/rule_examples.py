"""Run every rule's own examples: flag examples must fire the rule, pass examples must not.

As LanguageTool's rule tests do with their suggestions, each replacement of a rule is pasted over
the rule's finding in every flag example: the rule must no longer fire there, and no finding may
appear that the example did not have (counted by rule id and category, since offsets shift).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language

from assistant.core.findings import Finding
from assistant.draft.replacements import compare, edit
from assistant.engine import Engine
from assistant.library.case_types import CaseTypeModel
from assistant.library.rules import Rule
from assistant.nlp.checker import phrase_findings
from assistant.nlp.pipeline import checker_for, run


@dataclass(frozen=True)
class ExampleOutcome:
    rule_id: str
    expectation: str  # "flag", "pass", "pending", "replacement" or "case"
    text: str
    ok: bool
    detail: str
    # For "replacement" outcomes: the replacement's position in the rule's `replacements`, so an
    # editor can show the failure at that item (a conditional one is not tried on every example).
    replacement: int | None = None

    def __str__(self) -> str:
        status = "ok" if self.ok else "FAIL"
        return f"{status} {self.rule_id} [{self.expectation}] {self.text!r}: {self.detail}"


def _findings(nlp: Language, kind: str, text: str) -> list[Finding]:
    """Every phrase finding of one kind of text: what a replacement must not add to."""
    return phrase_findings(run(nlp, text, kind), checker_for(nlp, kind), text)


def _rule_spans(nlp: Language, rule: Rule, text: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.text) for f in _findings(nlp, rule.kind, text) if f.rule == rule.id]


def check_replacement(
    nlp: Language,
    rule: Rule,
    text: str,
    finding: Finding,
    replacement: str,
    before: list[Finding] | None = None,
) -> ExampleOutcome:
    """Paste one replacement over the rule's finding in one flag example and judge the result;
    `before` are the example's findings when the caller has them already."""
    before = _findings(nlp, rule.kind, text) if before is None else before
    change = edit(text, finding.start, finding.end, replacement)
    applied = compare(finding, change, before, _findings(nlp, rule.kind, change.text))
    shown = f"replacement {replacement!r} gives {applied.text!r}"
    problems = []
    if not applied.removed:
        problems.append("the rule still fires there")
    problems.extend(f"brings in {f.rule} ({f.category}) on {f.text!r}" for f in applied.introduced)
    detail = f"{shown}: {'; '.join(problems)}" if problems else shown
    position = next((i for i, r in enumerate(rule.replacements) if r.text == replacement), None)
    return ExampleOutcome(rule.id, "replacement", text, not problems, detail, position)


def check_rule_examples(nlp: Language, rule: Rule) -> list[ExampleOutcome]:
    outcomes = []
    exercised: set[str] = set()
    for example in rule.flag_examples:
        before = _findings(nlp, rule.kind, example.text)
        found = [f for f in before if f.rule == rule.id]
        if not found:
            outcomes.append(
                ExampleOutcome(rule.id, "flag", example.text, False, "the rule did not fire")
            )
            continue
        if example.match is None:
            hit = found
        else:
            match_start = example.text.find(example.match)
            match_end = match_start + len(example.match)
            hit = [f for f in found if f.start < match_end and match_start < f.end]
        if hit:
            outcomes.append(
                ExampleOutcome(rule.id, "flag", example.text, True, f"fired on {hit[0].text!r}")
            )
            fitting = rule.replacements_for(hit[0].text, example.text[hit[0].end :])
            exercised.update(fitting)
            outcomes.extend(
                check_replacement(nlp, rule, example.text, hit[0], replacement, before)
                for replacement in fitting
            )
        else:
            fired = ", ".join(repr(f.text) for f in found)
            outcomes.append(
                ExampleOutcome(
                    rule.id,
                    "flag",
                    example.text,
                    False,
                    f"expected a match on {example.match!r}, fired on {fired}",
                )
            )
    for position, replacement in enumerate(rule.replacements):
        if replacement.text not in exercised:
            # An untested replacement could be pasted into a draft and break it: it needs an example.
            outcomes.append(
                ExampleOutcome(
                    rule.id,
                    "replacement",
                    replacement.text,
                    False,
                    f"no flag example's match fits ({replacement.condition}): add one, "
                    "so the replacement is tested",
                    position,
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
