"""The spaCy component that matches phrase rules and writes findings to doc.spans.

Each span carries the rule id in `span.id_` and the category in `span.label_`; messages,
replacements and advice stay in the Rule objects, stored once and looked up by id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from assistant.core.categories import SPAN_KEY_BY_KIND
from assistant.core.findings import Finding
from assistant.library.destinations import DestinationMap
from assistant.library.loader import Library
from assistant.library.patterns import TokenPattern
from assistant.library.rules import Rule
from assistant.nlp.deadline import CLOCK_EVERY, out_of_time
from assistant.nlp.match_context import ContextWords, DocContext
from assistant.nlp.token_matcher import TokenMatcher

CHECKER_FACTORY = "reply_assistant_checker"
EXCEPTION_SUFFIX = "::exception"
# Matcher keys carry the pattern's position in its rule, so `rules test` can name patterns no
# example exercises.
PATTERN_SEPARATOR = "#"


def pattern_key(rule_id: str, index: int) -> str:
    return f"{rule_id}{PATTERN_SEPARATOR}{index}"


def split_key(key: str) -> tuple[str, int]:
    rule_id, _, index = key.rpartition(PATTERN_SEPARATOR)
    return rule_id, int(index)


class PhraseChecker:
    """Matches one kind of rule (draft or message) and drops matches their context explains away."""

    def __init__(self, nlp: Language, kind: str):
        self.kind = kind
        self.span_key = SPAN_KEY_BY_KIND[kind]
        self.strings = nlp.vocab.strings
        self.rules: dict[str, Rule] = {}
        self.destinations = DestinationMap()
        self.context_words: ContextWords | None = None
        self.matcher = TokenMatcher(self.strings)

    def add_rules(self, library: Library) -> None:
        """The library's rules of this checker's kind, its word classes and destinations: given
        explicitly, as spaCy's rulers take `add_patterns()`, so a component never reads a cache."""
        self.context_words = ContextWords.from_lexicon(library.lexicon)
        self.destinations = library.destinations
        added = library.rules_for(self.kind)
        self.rules.update((rule.id, rule) for rule in added)
        for rule in added:
            for index, variants in enumerate(rule.compiled_patterns):
                self._add(pattern_key(rule.id, index), variants)
            for variants in rule.compiled_exceptions:
                self._add(rule.id + EXCEPTION_SUFFIX, variants)

    def _add(self, key: str, variants: Iterable[TokenPattern]) -> None:
        self.matcher.add(key, [list(variant) for variant in variants])

    def pattern_matches(self, doc: Doc) -> list[tuple[str, int, int, int]]:
        """Every raw match as (rule id, pattern index, start, end), before exceptions and context."""
        return [
            (*split_key(key), start, end)
            for key, start, end in self.matcher(doc)
            if not key.endswith(EXCEPTION_SUFFIX)
        ]

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        if not matches:
            doc.spans[self.span_key] = []
            return doc
        exceptions: dict[str, list[tuple[int, int]]] = defaultdict(list)
        candidates: list[tuple[Rule, int, int]] = []
        for key, start, end in matches:
            if key.endswith(EXCEPTION_SUFFIX):
                exceptions[key[: -len(EXCEPTION_SUFFIX)]].append((start, end))
            else:
                candidates.append((self.rules[split_key(key)[0]], start, end))
        assert self.context_words is not None, "add_rules() gives a checker its word classes"
        context = DocContext(doc, self.context_words)
        spans_by_category: dict[str, list[Span]] = defaultdict(list)
        destinations: list[tuple[str, int, int]] | None = None
        for number, (rule, start, end) in enumerate(candidates):
            if number % CLOCK_EVERY == 0 and out_of_time(doc):
                break
            if any(s < end and start < e for s, e in exceptions.get(rule.id, ())):
                continue
            if rule.ignore_when and context.blocks(rule.ignore_when, start, end):
                continue
            if rule.by_destination:
                if destinations is None:
                    norms = [token.norm_ for token in doc]
                    destinations = self.destinations.find(norms, 0, len(norms))
                for category, span_end in _by_destination(rule, destinations, start, end):
                    spans_by_category[category].append(
                        Span(doc, start, span_end, label=category, span_id=rule.id)
                    )
                continue
            spans_by_category[rule.category].append(
                Span(doc, start, end, label=rule.category, span_id=rule.id)
            )
        # Within a category, overlapping matches are one problem: keep the longest.
        kept = [span for spans in spans_by_category.values() for span in filter_spans(spans)]
        doc.spans[self.span_key] = sorted(kept, key=lambda span: (span.start, span.end))
        return doc


def _by_destination(
    rule: Rule, destinations: list[tuple[str, int, int]], start: int, end: int
) -> list[tuple[str, int]]:
    """One (category, span end) per kind of destination inside the match; the span stops at the
    first destination of its kind, so each finding shows where that threat goes. Destinations are
    found once per doc, longest first, so a match ending inside one ("the attorney" of "the
    attorney general") names none and is dropped."""
    first_end: dict[str, int] = {}
    for category, dest_start, dest_end in destinations:
        if start <= dest_start and dest_end <= end:
            first_end.setdefault(category, dest_end)
        elif dest_start < end < dest_end:
            return []
    return list(first_end.items()) or [(rule.category, end)]


@Language.factory(CHECKER_FACTORY, assigns=["doc.spans"], default_config={"kind": "draft"})
def make_checker(nlp: Language, name: str, kind: str) -> PhraseChecker:
    return PhraseChecker(nlp, kind)


def phrase_findings(doc: Doc, checker: PhraseChecker, original_text: str) -> list[Finding]:
    """Findings for the spans the checker wrote; text is cut from the original, not the folded copy."""
    findings = []
    for span in doc.spans[checker.span_key]:
        rule = checker.rules[span.id_]
        start, end = span.start_char, span.end_char
        matched = original_text[start:end]
        findings.append(
            Finding(
                category=span.label_,
                rule=rule.id,
                severity=rule.severity,
                start=start,
                end=end,
                text=matched,
                message=rule.render_message(matched),
                replacements=rule.replacements_for(matched, original_text[end:]),
                advice=rule.advice,
            )
        )
    return findings
