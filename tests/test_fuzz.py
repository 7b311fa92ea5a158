"""Property tests: on any text, the checks raise nothing but InputError, offsets are exact, the
result is strict JSON in valid UTF-8, and the same text gives the same result.

Bounded and derandomized by the profiles in conftest.py (HYPOTHESIS_PROFILE=deep searches longer).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from assistant.core.text import InputError

# Words the rules know, glued together by any characters: random text alone rarely reaches a
# pattern, and offsets matter most where findings are.
PHRASES = [
    "you should have read our email",
    "sorry for any inconvenience",
    "as a one-time courtesy",
    "you're lucky",
    "I'll leave a one-star review",
    "I will dispute the charge",
    "we are unable to help",
    "due to high demand",
    "guaranteed by tomorrow",
    "r u sure",
    "CAN'T",
]
SEPARATORS = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=6,
)
TEXTS = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        max_size=300,
    ),
    st.lists(st.tuples(SEPARATORS, st.sampled_from(PHRASES)), max_size=8).map(
        lambda parts: "".join(separator + phrase for separator, phrase in parts)
    ),
)


def _assert_sound(text: str, result: object) -> None:
    data = result.to_dict("id")  # type: ignore[attr-defined]
    encoded = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert json.loads(encoded) == data
    for finding in result.findings:  # type: ignore[attr-defined]
        assert 0 <= finding.start <= finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text


@given(text=TEXTS)
def test_review_holds_its_invariants_on_any_text(engine, text):
    result = engine.review(text)
    _assert_sound(text, result)
    assert engine.review(text).to_dict() == result.to_dict()


@given(text=TEXTS)
def test_scan_holds_its_invariants_on_any_text(engine, text):
    result = engine.scan(text)
    _assert_sound(text, result)
    assert engine.scan(text).to_dict() == result.to_dict()


@given(
    text=st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40).map(
        lambda t: t + "\ud800" + t
    )
)
def test_text_that_is_not_unicode_is_refused_by_name(engine, text):
    for check in (engine.review, engine.scan):
        try:
            check(text)
        except InputError as exc:
            assert "lone surrogate" in str(exc)
        else:
            raise AssertionError("a lone surrogate was checked")
