from __future__ import annotations

import pytest

from assistant.core.text import MAX_TEXT_CHARS, InputError


def rules_fired(text: str, engine) -> set[str]:
    return {finding.rule for finding in engine.review(text).findings}


def test_offsets_point_into_the_original_text(engine):
    text = "Hi Sam 👋, you should’ve read our email. We’re sorry for any inconvenience."
    result = engine.review(text)
    assert result.labels == ["blame_shifting", "hollow_apology"]
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text
    blame = next(f for f in result.findings if f.category == "blame_shifting")
    assert blame.text == "you should’ve read"
    assert "you should’ve read" in blame.message


def test_labels_ignore_suggestions(engine):
    long_sentence = " ".join(["The parcel"] + ["and the box"] * 20) + " arrived."
    result = engine.review(long_sentence)
    assert any(f.category == "readability" and f.severity == "suggestion" for f in result.findings)
    assert result.labels == []


def test_result_object_has_the_contract_keys(engine):
    data = engine.review("As a one-time courtesy, we have refunded the fee.").to_dict("R1")
    assert set(data) == {"id", "labels", "findings", "readability"}
    assert data["id"] == "R1"
    assert data["labels"] == ["youre_lucky"]
    finding = data["findings"][0]
    assert set(finding) == {
        "category",
        "rule",
        "severity",
        "start",
        "end",
        "text",
        "message",
        "suggestions",
        "replacements",
        "advice",
    }
    assert finding["suggestions"] == finding["replacements"] + finding["advice"]
    assert set(data["readability"]) == {"flesch_reading_ease", "grade", "words", "sentences"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We should have told you sooner, and I've refunded the fee.", set()),
        ("You wrote: 'you should have called me first'. You're right.", set()),
        ("If you forgot your password, click 'Reset password'.", set()),
        ("Did you forget to add the code? I can apply it now.", set()),
        ("We would never say you should have known about the delay.", set()),
        ("Your account will be suspended if you post again.", {"threat.account-sanction"}),
        ("The courier lost it, so I've sent a replacement today by express.", set()),
        ("We can't refund it here, but you can request one at this link.", set()),
        ("It should arrive by Thursday if the courier keeps to schedule.", set()),
        ("We'll get back to you by Friday.", set()),
        ("Lucky you, Lisbon in June!", set()),
    ],
)
def test_hard_cases(engine, text, expected):
    assert rules_fired(text, engine) == expected


def test_empty_and_whitespace_give_a_valid_empty_result(engine):
    for text in ("", "   \n\t "):
        result = engine.review(text)
        assert result.findings == ()
        assert result.readability.words == 0


def test_html_emoji_and_right_to_left_text_are_checked_without_error(engine):
    html = "<p>Hi!</p><p>You should have read our <b>email</b>.</p><script>alert(1)</script>"
    assert engine.review(html).labels == ["blame_shifting"]
    assert engine.review("😀😀 🙏 thanks!! ✨").labels == []
    rtl = "مرحبا، شكرا لتواصلك معنا. We're sorry for any inconvenience."
    result = engine.review(rtl)
    assert result.labels == ["hollow_apology"]
    assert all(rtl[f.start : f.end] == f.text for f in result.findings)


def test_huge_text_gets_a_clear_error(engine):
    with pytest.raises(InputError, match="limit is"):
        engine.review("a" * (MAX_TEXT_CHARS + 1))


def test_nul_bytes_are_refused(engine):
    with pytest.raises(InputError, match="binary"):
        engine.review("hello\x00world")


def test_non_string_is_refused(engine):
    with pytest.raises(InputError, match="must be a string"):
        engine.review(42)  # type: ignore[arg-type]


def test_long_draft_within_the_limit_is_checked(engine):
    text = "We're sorry for any inconvenience. " * 2500
    result = engine.review(text)
    assert len([f for f in result.findings if f.category == "hollow_apology"]) == 2500


def test_textspeak_and_glued_punctuation_are_read_without_moving_offsets(engine, nlp):
    text = "Thanks for waiting!We cannot refund this.we are unable to do anything more for u."
    result = engine.review(text)
    assert "stonewalling" in result.labels
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text
    words = [t.text for t in nlp.make_doc(text)]
    assert words[:5] == ["Thanks", "for", "waiting", "!", "We"]
    assert "this" in words and "." in words and "we" in words
    doc = nlp("thx, pls check ur email")
    assert [t.norm_ for t in doc] == ["thanks", ",", "please", "check", "your", "email"]


def test_a_double_quote_typed_for_an_apostrophe_reads_as_one():
    from assistant.core.text import prepare_text

    assert prepare_text('I"ll call, we don"t know, she said "stop".') == (
        "I'll call, we don't know, she said \"stop\"."
    )


def test_contractions_typed_in_capitals_split_like_lower_case_ones(nlp):
    doc = nlp.make_doc("I'LL SUE, WE'RE DONE AND I DON'T CARE")
    assert [t.text for t in doc][:2] == ["I", "'LL"]
    assert "N'T" in [t.text for t in doc]


def test_textspeak_r_reads_as_are(nlp):
    assert [t.norm_ for t in nlp("u r late")] == ["you", "are", "late"]


@pytest.mark.parametrize(
    "text",
    [
        "You should have  read our email.",
        "You should have\nread our email.",
        "You should\n\n   have read our email.",
        "You should have\r\nread our email.",
    ],
)
def test_spacing_between_words_does_not_hide_a_phrase(engine, text):
    """Hard-wrapped emails and double spaces: spaCy makes the extra spacing a token of its own."""
    result = engine.review(text)
    assert result.labels == ["blame_shifting"]
    blame = next(f for f in result.findings if f.category == "blame_shifting")
    assert text[blame.start : blame.end] == blame.text
    assert blame.text.startswith("You should") and blame.text.endswith("read")
