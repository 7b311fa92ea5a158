"""The spaCy component that matches phrase rules and writes findings to doc.spans.

Each span carries the rule id in `span.id_` and the category in `span.label_`; messages and
suggestions stay in the Rule objects, stored once and looked up by id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .categories import SPAN_KEY_BY_KIND
from .context import DocContext
from .library import Library, Pattern, Rule
from .token_matcher import TokenMatcher, as_token_patterns

EXCEPTION_SUFFIX = "::exception"


class PhraseChecker:
    """Matches one kind of rule (draft or message) and drops matches their context explains away."""

    def __init__(self, nlp: Language, library: Library, kind: str):
        self.kind = kind
        self.library = library
        self.span_key = SPAN_KEY_BY_KIND[kind]
        self.rules: dict[str, Rule] = {rule.id: rule for rule in library.rules_for(kind)}
        self.matcher = TokenMatcher(nlp.vocab.strings)
        for rule in self.rules.values():
            self._add(nlp, rule.id, rule.patterns)
            if rule.exceptions:
                self._add(nlp, rule.id + EXCEPTION_SUFFIX, rule.exceptions)

    def _add(self, nlp: Language, key: str, patterns: Iterable[Pattern]) -> None:
        self.matcher.add(key, as_token_patterns(nlp, patterns))

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
                candidates.append((self.rules[key], start, end))
        context = DocContext(doc)
        spans_by_category: dict[str, list[Span]] = defaultdict(list)
        for rule, start, end in candidates:
            if any(s < end and start < e for s, e in exceptions.get(rule.id, ())):
                continue
            if rule.ignore_when and context.blocks(rule.ignore_when, start, end):
                continue
            spans_by_category[rule.category].append(
                Span(doc, start, end, label=rule.category, span_id=rule.id)
            )
        # Within a category, overlapping matches are one problem: keep the longest.
        kept = [span for spans in spans_by_category.values() for span in filter_spans(spans)]
        doc.spans[self.span_key] = sorted(kept, key=lambda span: (span.start, span.end))
        return doc


@Language.factory(
    "reply_assistant_checker",
    assigns=["doc.spans"],
    default_config={"rules_dir": None, "kind": "draft"},
)
def make_checker(nlp: Language, name: str, rules_dir: str | None, kind: str) -> PhraseChecker:
    from .pipeline import cached_library  # the pipeline owns library caching

    return PhraseChecker(nlp, cached_library(rules_dir), kind)
