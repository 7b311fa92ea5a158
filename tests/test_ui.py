"""The page's helpers (assistant.ui), on plain values: no Streamlit here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.compose.environment import CURRENCY_SYMBOLS
from assistant.compose.render import ComposeError, render
from assistant.core.categories import FAULTS
from assistant.core.findings import Finding
from assistant.library.loader import load_library
from assistant.library.rules import Rule
from assistant.ui.catalogue import edit_problems, editable_files, template_files
from assistant.ui.compose_form import (
    FAULT_CHOICES,
    USUAL_FAULT,
    ComposeForm,
    compose_context,
    currency_choices,
)
from assistant.ui.rule_counts import add_counts, text_digest
from assistant.ui.rule_search import (
    pattern_text,
    rule_categories,
    rule_families,
    rule_ids,
    rule_rows,
)
from assistant.ui.suggestions import reportable

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "phrase_rules"
TEMPLATES = ROOT / "templates"


# Form → compose context


def test_context_converts_the_form_as_the_composer_expects():
    form = ComposeForm(
        case_type="defective_or_damaged",
        customer_name="Sam",
        order_number="A-17",
        item="",
        amount=12.5,
        currency="EUR",
        order_value=None,
        agent_name="Priya",
        company_name="Acme Home",
        fault="carrier",
        high_value=True,
        repeat=False,
        prior_claims=True,
        threat=False,
        deadline=dt.date(2030, 5, 17),
        next_update=None,
        variant="warm",
    )
    assert compose_context(form) == {
        "company_name": "Acme Home",
        "agent_name": "Priya",
        "customer_name": "Sam",
        "order_number": "A-17",
        "item": None,  # an empty text field is "not given", not an empty string
        "amount": 12.5,
        "currency": "EUR",
        "order_value": None,
        "fault": "carrier",
        "high_value_customer": True,
        "repeat_contact": False,
        "prior_claims": True,
        "threat_present": False,
        "deadline": "2030-05-17",
        "next_update": None,
        "variant": "warm",
    }


def test_usual_fault_and_empty_names_are_left_to_the_composer():
    context = compose_context(ComposeForm(fault=USUAL_FAULT, agent_name="", company_name=""))
    assert context["fault"] is None
    # Left out, not None: the composer then names the missing variable.
    assert "agent_name" not in context and "company_name" not in context
    assert context["customer_name"] is None  # other empty names stay, as None


def test_form_reads_widget_values_by_key():
    state = {f"compose_{name}": value for name, value in vars(ComposeForm()).items()}
    state.update(compose_agent_name="Priya", compose_deadline=dt.date(2030, 1, 2), other=1)
    form = ComposeForm.from_state(state)
    assert form.agent_name == "Priya" and form.deadline == dt.date(2030, 1, 2)
    del state["compose_variant"]
    with pytest.raises(KeyError):  # a widget that was never drawn is a page bug, not a default
        ComposeForm.from_state(state)


def test_the_composer_takes_the_context_it_is_given():
    form = ComposeForm(
        case_type="defective_or_damaged",
        agent_name="Priya",
        company_name="Acme Home",
        item="lamp",
        deadline=dt.date(2030, 5, 17),
    )
    composed = render(
        form.case_type,
        compose_context(form),
        templates_dir=TEMPLATES,
        today=dt.date(2030, 5, 10),
    )
    assert composed.unknown_keys == ()
    assert "Priya" in composed.text
    assert composed.context["deadline_date"] == "Friday 17 May"
    assert composed.context["days_to_deadline"] == 7
    assert composed.context["fault"] in FAULTS  # the usual fault came from the case settings
    with pytest.raises(ComposeError, match="missing required variable 'agent_name'"):
        render(
            "defective_or_damaged",
            compose_context(ComposeForm(company_name="Acme Home")),
            templates_dir=TEMPLATES,
        )


def test_fault_and_currency_choices_come_from_their_single_sources():
    assert FAULT_CHOICES[0] == USUAL_FAULT
    assert FAULT_CHOICES[1:] == FAULTS
    choices = currency_choices()
    assert choices[:5] == ["GBP", "USD", "EUR", "AUD", "CAD"]
    assert sorted(choices) == sorted(CURRENCY_SYMBOLS)
    # The page's order first (only for currencies the composer knows), then the rest as known.
    assert currency_choices({"NZD": "", "EUR": "", "JPY": "", "GBP": ""}) == [
        "GBP",
        "EUR",
        "NZD",
        "JPY",
    ]


# Rule search


def make_rule(rule_id: str, category: str, family: str, message: str, patterns=()) -> Rule:
    return Rule(
        id=rule_id,
        family=family,
        category=category,
        severity="warning",
        message=message,
        patterns=tuple(patterns),
        exceptions=(),
        ignore_when=frozenset(),
        compiled_patterns=(),
        compiled_exceptions=(),
        flag_examples=(),
        pass_examples=(),
        path=f"/library/draft/{family}.yml",
        line=7,
    )


BLAME = make_rule(
    "blame.should-have", "blame_shifting", "blame", "Says what they did wrong.", ["you should have"]
)
FAVOUR = make_rule(
    "favour.lucky", "youre_lucky", "favour", "Sounds like a favour.", ["lucky for you"]
)
REVIEW = make_rule(
    "threat.review",
    "review_threat",
    "threat",
    "Threatens a review.",
    [
        (
            {"LEMMA": {"IN": ["post", "leave"]}, "OP": "?"},
            {"NORM": {"IN": ["review", "trustpilot"]}},
            {"NORM": {"NOT_IN": ["monday"]}, "IS_TITLE": True},
        )
    ],
)
RULE_SET = (BLAME, FAVOUR, REVIEW)


def shown(*args) -> list[str]:
    return [row["id"] for row in rule_rows(*args)]


def test_rows_have_the_table_columns():
    assert rule_rows([BLAME]) == [
        {
            "id": "blame.should-have",
            "category": "blame_shifting",
            "severity": "warning",
            "family": "blame",
            "file": "blame.yml",
            "line": 7,
            "message": "Says what they did wrong.",
        }
    ]


def test_search_matches_id_message_or_category_in_any_case():
    assert shown(RULE_SET, "") == ["blame.should-have", "favour.lucky", "threat.review"]
    assert shown(RULE_SET, "FAVOUR.") == ["favour.lucky"]  # id
    assert shown(RULE_SET, "did wrong") == ["blame.should-have"]  # message
    assert shown(RULE_SET, "Review_Threat") == ["threat.review"]  # category
    # The haystack is "id message category": a search may span id and message, as before.
    assert shown(RULE_SET, "lucky sounds") == ["favour.lucky"]
    assert shown(RULE_SET, "nowhere at all") == []


def test_search_looks_inside_patterns():
    # Neither "should have" nor "for you" is in an id, message or category: only a pattern.
    assert shown(RULE_SET, "Should Have") == ["blame.should-have"]
    assert shown(RULE_SET, "for you") == ["favour.lucky"]
    # Token patterns are searched by the words they match.
    assert shown(RULE_SET, "trustpilot") == ["threat.review"]
    assert shown(RULE_SET, "leave") == ["threat.review"]
    # A word a token must NOT be is not what the rule looks for; nor is a repeat operator.
    assert shown(RULE_SET, "monday") == []
    assert shown(RULE_SET, "?") == []


def test_pattern_text():
    assert pattern_text("you (were|are) <lucky_word>") == "you (were|are) <lucky_word>"
    assert pattern_text(REVIEW.patterns[0]) == "post|leave review|trustpilot"


def test_filters_combine_with_search():
    assert shown(RULE_SET, "", ["youre_lucky", "review_threat"]) == [
        "favour.lucky",
        "threat.review",
    ]
    assert shown(RULE_SET, "", (), ["blame"]) == ["blame.should-have"]
    assert shown(RULE_SET, "", ["youre_lucky"], ["blame"]) == []  # both must hold
    assert shown(RULE_SET, "you", ["blame_shifting", "youre_lucky"]) == [
        "blame.should-have",
        "favour.lucky",
    ]


def test_filter_choices_are_sorted_and_distinct():
    rules = (*RULE_SET, make_rule("blame.other", "blame_shifting", "blame", "m"))
    assert rule_categories(rules) == ["blame_shifting", "review_threat", "youre_lucky"]
    assert rule_families(rules) == ["blame", "favour", "threat"]
    assert rule_ids(rules) == ["blame.should-have", "favour.lucky", "threat.review", "blame.other"]


def test_bundled_library_is_searched_by_its_phrases():
    rules = load_library(RULES).rules
    # "supposed" and "trustpilot" are words the rules look for, not words they describe themselves by.
    for word, rule_id in (
        ("supposed", "blame.you-should-have"),
        ("trustpilot", "threat.review.will-post"),
    ):
        assert not any(word in f"{r.id} {r.message} {r.category}".lower() for r in rules)
        assert rule_id in shown(rules, word)


# File catalogue


def write(path: Path, text: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_catalogue_lists_rule_files_then_settings_then_templates(tmp_path):
    rules, templates = tmp_path / "phrase_rules", tmp_path / "templates"
    for name in ("words.yml", "readability.yml", "draft/b.yml", "message/c.yml", "draft/a.yml"):
        write(rules / name)
    write(rules / "custom.yml")  # a family file at the top is a rule file, not a setting
    write(rules / "notes.txt")  # neither
    for name in ("other/reply.txt", "other/case.yml", "broken/opening.txt", "other/opening.txt"):
        write(templates / name)
    catalogue = editable_files(rules, templates)
    assert list(catalogue) == [
        "phrase_rules/custom.yml",
        "phrase_rules/draft/a.yml",
        "phrase_rules/draft/b.yml",
        "phrase_rules/message/c.yml",
        "phrase_rules/readability.yml",
        "phrase_rules/words.yml",
        "templates/broken/opening.txt",
        "templates/other/opening.txt",
        "templates/other/reply.txt",
    ]
    assert catalogue["phrase_rules/draft/a.yml"] == rules / "draft" / "a.yml"
    assert catalogue["templates/other/reply.txt"] == templates / "other" / "reply.txt"


def test_bundled_catalogue_holds_every_library_file_once():
    catalogue = editable_files(RULES, TEMPLATES)
    assert "phrase_rules/draft/favour.yml" in catalogue
    assert "templates/other/opening.txt" in catalogue
    expected = {*RULES.rglob("*.yml"), *TEMPLATES.rglob("*.txt")}
    assert sorted(catalogue.values()) == sorted(expected)


def test_template_files_are_the_folder_files_sorted(tmp_path):
    for name in ("reply.txt", "case.yml", "apology.txt"):
        write(tmp_path / "other" / name)
    (tmp_path / "other" / "drafts").mkdir()
    assert template_files(tmp_path, "other") == ["apology.txt", "case.yml", "reply.txt"]


def test_edit_problems_check_templates_and_rules():
    catalogue = editable_files(RULES, TEMPLATES)
    opening = "templates/other/opening.txt"
    assert edit_problems(opening, "Thanks for writing.\n", catalogue, RULES, TEMPLATES) == []
    broken = edit_problems(opening, "{% if %}", catalogue, RULES, TEMPLATES)
    assert broken and broken[0].startswith("other/opening.txt:")
    favour = "phrase_rules/draft/favour.yml"
    text = catalogue[favour].read_text(encoding="utf-8")
    assert edit_problems(favour, text, catalogue, RULES, TEMPLATES) == []
    duplicate = text.replace("id: favour.lucky", "id: blame.you-should-have", 1)
    problems = edit_problems(favour, duplicate, catalogue, RULES, TEMPLATES)
    assert any("blame.you-should-have" in problem for problem in problems)


# Drafts: reporting and counting


def finding(rule: str, category: str = "blame_shifting") -> Finding:
    return Finding(category, rule, "warning", 0, 3, "you", "m")


def test_only_phrase_findings_can_be_reported():
    assert reportable(finding("blame.you-should-have"))
    assert not reportable(finding("required.apology", "required"))
    assert not reportable(finding("readability.long-sentence", "readability"))


def test_session_counts_add_a_rule_once_per_text_and_skip_readability():
    before = {"blame.x": 2}
    after = add_counts(before, [finding("blame.x"), finding("blame.x"), finding("favour.y")])
    assert after == {"blame.x": 3, "favour.y": 1}
    assert before == {"blame.x": 2}  # the session's dict is replaced, never changed in place
    assert add_counts(after, [finding("readability.grade", "readability")]) == after


def test_text_digest_tells_texts_apart():
    assert text_digest("Sorry.") == text_digest("Sorry.")
    assert text_digest("Sorry.") != text_digest("Sorry!")
    assert len(text_digest("")) == 64
