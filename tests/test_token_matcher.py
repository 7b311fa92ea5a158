"""The anchored matcher must find what spaCy's own Matcher finds, on the real library and texts."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from spacy.matcher import Matcher
from spacy.strings import StringStore

from assistant.library.loader import load_library
from assistant.library.token_patterns import PatternError, check_pattern
from assistant.nlp.pipeline import run
from assistant.nlp.token_matcher import TokenMatcher, without_leading_optionals

DEV = Path(__file__).parent / "data" / "dev_replies.jsonl"


def test_agrees_with_spacy_matcher_on_the_library(nlp):
    library = load_library()
    reference = Matcher(nlp.vocab)
    ours = TokenMatcher(nlp.vocab.strings)
    for rule in library.rules:
        # Notation and token patterns alike, as the checker runs them.
        patterns = [list(v) for variants in rule.compiled_patterns for v in variants]
        if patterns:
            reference.add(rule.id, patterns)
            ours.add(rule.id, patterns)
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines()][
        :300
    ]
    compared = 0
    for text in texts:
        doc = run(nlp, text, "draft")
        expected: dict[tuple[str, int], int] = defaultdict(int)
        for match_id, start, end in reference(doc):
            key = (nlp.vocab.strings[match_id], start)
            expected[key] = max(expected[key], end)
        found: dict[tuple[str, int], int] = defaultdict(int)
        for key, start, end in ours(doc):
            found[(key, start)] = max(found[(key, start)], end)
        assert found == expected, text
        compared += len(expected)
    assert compared > 100  # the texts exercise the library, not an empty comparison


@pytest.mark.parametrize(
    ("pattern", "variants"),
    [
        (
            [{"LOWER": "a", "OP": "?"}, {"LOWER": "b"}],
            [[{"LOWER": "b"}], [{"LOWER": "a"}, {"LOWER": "b"}]],
        ),
        ([{"LOWER": "b"}], [[{"LOWER": "b"}]]),
    ],
)
def test_leading_optional_tokens_become_required_variants(pattern, variants):
    assert without_leading_optionals(pattern) == variants


def test_unsupported_attributes_are_named():
    assert "unsupported attribute POS" in (check_pattern([{"POS": "VERB"}]) or "")
    assert check_pattern([{"LOWER": {"IN": ["a"]}, "OP": "{1,3}"}]) is None
    with pytest.raises(PatternError, match="unsupported operator FUZZY"):
        TokenMatcher(StringStore()).add("k", [[{"LOWER": {"FUZZY": "refund"}}]])


def test_a_pattern_whose_second_token_is_optional_still_matches_without_it(nlp):
    matcher = TokenMatcher(nlp.vocab.strings)
    matcher.add("demo", [[{"LOWER": "we"}, {"LOWER": "really", "OP": "?"}]])
    matcher.add("gap", [[{"LOWER": "we"}, {"LOWER": "do", "OP": "{0,2}"}, {"LOWER": "care"}]])
    doc = nlp.make_doc("we care and we really do do care")
    found = {(key, doc[start:end].text) for key, start, end in matcher(doc)}
    assert ("demo", "we") in found and ("demo", "we really") in found
    assert ("gap", "we care") in found
    assert not any(key == "gap" and text.startswith("we really") for key, text in found)
