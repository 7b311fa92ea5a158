"""Fixes as data: replacements pasted over a span, advice shown beside it, and their verification."""

from __future__ import annotations

import pytest
from cli_runner import run_cli
from hypothesis import given
from hypothesis import strategies as st

from assistant.core.findings import Finding
from assistant.draft.replacements import apply_replacement
from assistant.evaluation.rule_examples import check_rule_examples
from assistant.library.loader import collect, load_library
from assistant.nlp.pipeline import build_nlp

# apply_replacement


def _replace(text: str, span: str, replacement: str) -> str:
    start = text.index(span)
    return apply_replacement(text, start, start + len(span), replacement)


@pytest.mark.parametrize(
    ("text", "span", "replacement", "expected"),
    [
        # inside a sentence a title-case replacement is lowered...
        (
            "We are sorry for the wait.",
            "sorry for the wait",
            "Sorry about this",
            "We are sorry about this.",
        ),
        # ...but "I" and its contractions stay capital
        (
            "Thanks, sorry for the wait.",
            "sorry for the wait",
            "I'm sorry about this",
            "Thanks, I'm sorry about this.",
        ),
        (
            "Thanks, sorry for the wait.",
            "sorry for the wait",
            "I've fixed it",
            "Thanks, I've fixed it.",
        ),
        # at a sentence start the replacement is capitalised, whatever the library wrote
        (
            "Sorry for the wait! It ships today.",
            "Sorry for the wait",
            "sorry about this",
            "Sorry about this! It ships today.",
        ),
        (
            "It ships today. sorry for the wait.",
            "sorry for the wait",
            "sorry about this",
            "It ships today. Sorry about this.",
        ),
        (
            "Hi Ana,\nsorry for the wait.",
            "sorry for the wait",
            "sorry about this",
            "Hi Ana,\nSorry about this.",
        ),
        (
            "“sorry for the wait”, she said.",
            "sorry for the wait",
            "sorry about this",
            "“Sorry about this”, she said.",
        ),
        # acronyms keep their capitals mid-sentence
        ("We think the code is fine.", "fine", "OK now", "We think the code is OK now."),
    ],
)
def test_a_replacement_takes_the_case_its_place_needs(text, span, replacement, expected):
    assert _replace(text, span, replacement) == expected


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        # a phrase set off by commas takes both commas
        (
            "I've refunded it, as a one-time courtesy, today.",
            "as a one-time courtesy",
            "I've refunded it today.",
        ),
        # an opening phrase takes its comma, and the next word starts the sentence
        ("As a goodwill gesture, I've refunded it.", "As a goodwill gesture", "I've refunded it."),
        (
            "Good news. Just this once, the fee is gone.",
            "Just this once",
            "Good news. The fee is gone.",
        ),
        ("Happily: the fee is gone.", "Happily", "The fee is gone."),
        # a closing phrase takes the comma before it
        ("I've refunded it, as a courtesy.", "as a courtesy", "I've refunded it."),
        (
            "I've refunded the fee as a courtesy and sent a label.",
            "as a courtesy",
            "I've refunded the fee and sent a label.",
        ),
        # a greeting keeps its comma
        (
            "Hi Priya, as I said, the box is on its way.",
            "as I said",
            "Hi Priya, the box is on its way.",
        ),
        (
            "Dear Mr Okafor, as I said, it is on its way.",
            "as I said",
            "Dear Mr Okafor, it is on its way.",
        ),
        # a dangling "that" goes when the clause it joined is gone
        ("You're lucky that we kept one back.", "You're lucky", "We kept one back."),
        # a whole sentence goes with its full stop
        ("Thanks. It will never break again. Bye.", "It will never break again", "Thanks. Bye."),
        (
            "Thanks for waiting. It will never break again.",
            "It will never break again",
            "Thanks for waiting.",
        ),
        # a line break beside the phrase is kept
        ("Hi Leo,\nAs I said, it is late.", "As I said", "Hi Leo,\nIt is late."),
        ("All set.\n\nNormally we charge for it.", "Normally", "All set.\n\nWe charge for it."),
    ],
)
def test_deleting_a_span_tidies_the_spaces_and_commas_it_leaves(text, span, expected):
    assert _replace(text, span, "") == expected


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 2), (0, 99), (99, 100)])
def test_a_span_outside_the_text_is_refused(start, end):
    with pytest.raises(ValueError, match=rf"span {start}:{end} is outside the text"):
        apply_replacement("short text", start, end, "x")


@given(st.text(max_size=40), st.data())
def test_text_outside_the_span_survives_a_replacement(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    # A replacement without letters has no case to fit: the rest of the text must be untouched.
    assert apply_replacement(text, start, end, "42") == text[:start] + "42" + text[end:]
    # A deletion never leaves more text than it had.
    assert len(apply_replacement(text, start, end, "")) <= len(text) - (end - start)


# Finding and the contract


def test_finding_to_dict_keeps_suggestions_as_replacements_then_advice():
    finding = Finding(
        "hollow_apology",
        "demo.rule",
        "warning",
        0,
        5,
        "Sorry",
        "m",
        replacements=("I'm sorry",),
        advice=("Name what went wrong: …",),
    )
    data = finding.to_dict()
    assert list(data)[-3:] == ["suggestions", "replacements", "advice"]
    assert data["suggestions"] == ["I'm sorry", "Name what went wrong: …"]
    assert data["replacements"] == ["I'm sorry"]
    assert data["advice"] == ["Name what went wrong: …"]
    assert Finding("x", "y", "warning", 0, 0, "", "").to_dict()["suggestions"] == []


def test_document_level_findings_carry_advice_only(engine):
    long_sentence = " ".join(["we looked at the order and"] * 9) + " it ships today."
    review = engine.review(long_sentence, "lost_or_delayed")
    document = [f for f in review.findings if f.rule.startswith(("required.", "readability."))]
    assert {f.rule for f in document} >= {"readability.long-sentence", "required.next_step"}
    for finding in document:
        assert finding.replacements == ()
        assert finding.advice and finding.suggestions == finding.advice


def test_bundled_findings_offer_replacements_only_where_they_fit(engine):
    # "sorry for the trouble" followed by a full stop can become "sorry about this"...
    fits = engine.review("So sorry for the trouble. I've sent the new lamp today.").findings
    apology = next(f for f in fits if f.rule == "apology.any-inconvenience")
    assert apology.replacements == ("sorry about this",)
    assert all("…" not in r for r in apology.replacements)
    # ...but not when more words of the phrase follow the match.
    more = engine.review("So sorry for the trouble this has caused you.").findings
    apology = next(f for f in more if f.rule == "apology.any-inconvenience")
    assert apology.replacements == ()
    assert apology.advice


# Engine.apply_replacement


def _finding(engine, text: str, rule: str) -> Finding:
    return next(f for f in engine.review(text).findings if f.rule == rule)


def test_engine_apply_replacement_reports_a_clean_fix(engine):
    text = "Hello Jo, as an exception, we'll cover the return postage."
    finding = _finding(engine, text, "favour.one-time-exception")
    applied = engine.apply_replacement(text, finding, "")
    assert applied.text == "Hello Jo, we'll cover the return postage."
    assert applied.removed and applied.introduced == () and applied.clean


def test_engine_apply_replacement_names_a_finding_the_new_words_bring(engine):
    text = "You're lucky we kept one back for you."
    finding = _finding(engine, text, "favour.lucky")
    applied = engine.apply_replacement(text, finding, "you should have ordered sooner, but")
    assert applied.removed
    assert [f.category for f in applied.introduced] == ["blame_shifting"]
    assert applied.introduced[0].text.lower().startswith("you should have")
    assert not applied.clean


def test_engine_apply_replacement_says_when_the_rule_still_fires(engine):
    text = "You're lucky we kept one back for you."
    finding = _finding(engine, text, "favour.lucky")
    applied = engine.apply_replacement(text, finding, "You got lucky")
    assert applied.text == "You got lucky we kept one back for you."
    assert not applied.removed and applied.introduced == ()


def test_engine_apply_replacement_rescans_a_customer_message(engine):
    text = "Refund me by Friday or I will sue you."
    finding = next(f for f in engine.scan(text).findings if f.category == "legal_threat")
    applied = engine.apply_replacement(text, finding, "")
    assert applied.removed
    assert all(f.category != "legal_threat" for f in engine.scan(applied.text).findings)


def test_engine_apply_replacement_refuses_a_finding_from_another_text(engine):
    finding = _finding(engine, "You're lucky we kept one back for you.", "favour.lucky")
    stale = Finding(**{**finding.__dict__, "start": 50, "end": 62})
    with pytest.raises(ValueError, match="outside the text"):
        engine.apply_replacement("Short.", stale, "")


# The library: fields, old libraries, validation


RULE_WITH = """\
    family: demo
    category: youre_lucky
    rules:
      - id: demo.lucky
        severity: warning
        message: "“{match}” sounds like a favour."
        patterns: ["you're lucky", "lucky for you"]
        %s
        examples:
          flag:
            - {text: "You're lucky we kept one back.", match: "You're lucky"}
            - {text: "Lucky for you, the van came back.", match: "Lucky for you"}
          pass: ["We're lucky to have you."]
"""


def _library(rules_dir, fields: str):
    return rules_dir({"draft/demo.yml": RULE_WITH % fields})


def test_old_suggestions_key_still_loads_as_advice(rules_dir):
    root = _library(rules_dir, 'suggestions: ["Say what you did: …"]')
    rule = load_library(root).rule("demo.lucky")
    assert rule.advice == ("Say what you did: …",)
    assert rule.replacements == ()
    assert rule.suggestions == ("Say what you did: …",)


def test_new_keys_load_and_reach_the_finding(rules_dir):
    fields = 'replacements: ["", {text: "good news", when: "lucky for you", followed_by: ","}]\n        advice: ["Just give the fix."]'
    library = load_library(_library(rules_dir, fields))
    rule = library.rule("demo.lucky")
    assert [r.text for r in rule.replacements] == ["", "good news"]
    assert rule.replacements_for("Lucky for you", ", the van") == ("", "good news")
    assert rule.replacements_for("Lucky for you", " the van") == ("",)
    assert rule.replacements_for("you're lucky", ", the van") == ("",)
    assert rule.advice == ("Just give the fix.",)


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        (
            'replacements: ["Here is what I did: …"]',
            "replacements[0]",
            "is a fragment (it has an ellipsis)",
        ),
        (
            'replacements: ["", "I did this..."]',
            "replacements[1]",
            "is a fragment (it has an ellipsis)",
        ),
        ('replacements: [{text: "ok …", when: "x"}]', "replacements[0].text", "is a fragment"),
        ('replacements: "just this"', "replacements", "must be a list"),
        ("replacements: [3]", "replacements[0]", "must be a string"),
        ('replacements: ["  "]', "replacements[0]", 'use "" to delete'),
        ('replacements: [" padded"]', "replacements[0]", "starts or ends with a space"),
        ('replacements: ["x", "x"]', "replacements[1]", "repeats 'x'"),
        ('replacements: [{text: "x", colour: red}]', "replacements[0].colour", "unknown key"),
        ('replacements: [{text: "x", when: "(unclosed"}]', "replacements[0].when", "REGEX"),
        (
            'replacements: [{text: "x", followed_by: "(?=,)"}]',
            "replacements[0].followed_by",
            "lookarounds",
        ),
        ('advice: ["fine", ""]', "advice", "must be a list of non-empty strings"),
        ('advice: ["a"]\n        suggestions: ["b"]', "suggestions", "not both"),
    ],
)
def test_bad_fix_fields_are_problems_naming_file_rule_and_field(rules_dir, fields, field, problem):
    _, problems = collect(_library(rules_dir, fields))
    shown = [str(p) for p in problems]
    assert any(
        f"demo.yml:demo.lucky: {field}: " in line and problem in line and "(line 4)" in line
        for line in shown
    ), shown


def test_required_elements_take_advice_and_refuse_replacements(rules_dir, valid_rule_text):
    element = """\
        elements:
          remedy:
            category: missing_remedy
            severity: warning
            faults: [company]
            message: "No remedy."
            %s
            patterns: [[{LOWER: refund}]]
    """
    root = rules_dir(
        {
            "a.yml": valid_rule_text,
            "required_elements.yml": element % 'suggestions: ["Say what you did."]',
        }
    )
    library, problems = collect(root)
    assert problems == []
    assert library.required.elements[0].advice == ("Say what you did.",)
    root = rules_dir(
        {
            "a.yml": valid_rule_text,
            "required_elements.yml": element % 'replacements: ["I refunded it."]',
        }
    )
    _, problems = collect(root)
    assert any(
        "required_elements.yml:remedy: replacements: a check of the whole reply has no span"
        in str(p)
        for p in problems
    )


# Verification, as LanguageTool tests its suggestions


def _outcomes(root):
    library = load_library(root)
    return check_rule_examples(build_nlp(library), library.rule("demo.lucky"))


def test_verification_passes_a_replacement_that_removes_the_finding(rules_dir):
    outcomes = _outcomes(_library(rules_dir, 'replacements: [""]'))
    checked = [o for o in outcomes if o.expectation == "replacement"]
    assert len(checked) == 2 and all(o.ok and o.replacement == 0 for o in checked)
    assert "gives 'We kept one back.'" in checked[0].detail
    assert "gives 'The van came back.'" in checked[1].detail


def test_verification_fails_a_replacement_that_leaves_the_rule_firing(rules_dir):
    outcomes = _outcomes(
        _library(rules_dir, 'replacements: [{text: "you\'re lucky, and", when: "lucky for you"}]')
    )
    failed = [o for o in outcomes if not o.ok]
    assert len(failed) == 1
    shown = str(failed[0])
    assert shown.startswith("FAIL demo.lucky [replacement] 'Lucky for you, the van came back.'")
    assert 'replacement "you\'re lucky, and"' in shown and "the rule still fires there" in shown


def test_verification_fails_a_replacement_that_brings_in_another_finding(rules_dir):
    blame = """\
        family: blame
        category: blame_shifting
        rules:
          - id: demo.should-have
            severity: warning
            message: "m"
            patterns: ["you should have"]
            examples: {flag: ["You should have asked."], pass: ["We should have asked."]}
    """
    fields = 'replacements: ["you should have asked, but"]'
    root = rules_dir({"draft/demo.yml": RULE_WITH % fields, "draft/blame.yml": blame})
    failed = [o for o in _outcomes(root) if not o.ok]
    assert len(failed) == 2
    assert all("brings in demo.should-have (blame_shifting)" in o.detail for o in failed)


def test_a_replacement_no_flag_example_fits_fails_as_untested(rules_dir):
    fields = 'replacements: [{text: "", when: "lucky you"}]'
    failed = [o for o in _outcomes(_library(rules_dir, fields)) if not o.ok]
    assert [(o.expectation, o.replacement) for o in failed] == [("replacement", 0)]
    assert "no flag example's match fits (when 'lucky you')" in failed[0].detail


def test_rules_test_cli_names_the_failing_replacement(rules_dir):
    root = _library(rules_dir, 'replacements: ["you\'re lucky"]')
    run = run_cli("--rules-dir", str(root), "rules", "test")
    assert run.returncode == 1
    assert (
        'FAIL demo.lucky [replacement] "You\'re lucky we kept one back.": replacement "you\'re lucky"'
        in run.stdout
    )
    assert "the rule still fires there" in run.stdout


def test_every_bundled_rule_with_replacements_is_verified(nlp):
    # The bundled library's replacements are the ones `rules test` must pass: none may be left
    # without a flag example, and each is a whole-sentence wording, never a fragment.
    library = load_library()
    with_replacements = [rule for rule in library.rules if rule.replacements]
    assert len(with_replacements) >= 10
    for rule in with_replacements:
        outcomes = [o for o in check_rule_examples(nlp, rule) if o.expectation == "replacement"]
        assert outcomes and all(o.ok for o in outcomes), [str(o) for o in outcomes if not o.ok]
        assert all("…" not in r.text and "..." not in r.text for r in rule.replacements)
    message_rules = [rule for rule in library.rules if rule.kind == "message"]
    assert all(not rule.replacements for rule in message_rules)
