"""The per-rule editor: drafts round-trip byte for byte, edits touch only what changed, problems
land on the field that has them, and saves refuse drafts with problems or a stale digest."""

from __future__ import annotations

import dataclasses
import difflib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BUNDLED_RULES_DIR
from hypothesis import given
from hypothesis import strategies as st

from assistant.curation.rule_draft import RuleDraft, draft_from_data
from assistant.curation.rule_editor import (
    RuleEditError,
    RuleProblems,
    file_text_with,
    load_rule,
    open_rule,
    rules_in_file,
    save_rule,
    validate_rule,
)
from assistant.curation.saves import SaveConflict, digest, snapshot
from assistant.evaluation.rule_examples import check_rule_examples
from assistant.library.loader import rule_files
from assistant.library.rules import FlagExample
from assistant.library.yaml_lines import load_yaml

BUNDLED_RULES = [
    (path, rule_id) for path in rule_files(BUNDLED_RULES_DIR) for rule_id in rules_in_file(path)
]

# A rule file written for these tests, with comments everywhere a curator puts them.
DEMO_FILE = """\
# why: a comment at the top of the file
family: demo
category: blame_shifting
rules:
  - id: demo.first
    severity: warning
    message: "“{match}” hands the fault to the customer."   # why: the blame must stay visible
    advice: ["Say what we will do next."]
    patterns:
      # why: hindsight aimed at the customer
      - "you ought to have"
      - "you forgot to"        # why: forgetting is theirs
      - [{LOWER: your}, {LOWER: {IN: [blunder, slip]}}]
    exceptions: &shared
      - "we ought to have"
    examples:
      flag:
        - {text: "You ought to have phoned first.", match: "You ought to have", note: "hindsight"}
        - {text: "You forgot to add the flat number.", match: "You forgot to"}
        - {text: "That was your blunder.", match: "your blunder"}
      pass:
        - "We ought to have phoned you."
        - {text: "Sadly you forgot to pack it, said the courier.", pending: true, note: "reported"}
        - "Thanks for telling us the flat number."

  # why: a comment between rules
  - id: demo.second
    severity: suggestion
    message: "“{match}” sounds curt."
    patterns: ["as already stated"]
    exceptions: *shared
    examples:
      flag: [{text: "As already stated, the parcel left on Monday.", match: "As already stated"}]
      pass: ["As you said, the parcel is late."]
"""


@pytest.fixture
def library(rules_dir: Callable[[dict[str, str]], Path]) -> Path:
    return rules_dir({"draft/demo.yml": DEMO_FILE})


def demo_path(library: Path) -> Path:
    return library / "draft" / "demo.yml"


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added between two texts."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def edit(library: Path, rule_id: str, **changes: object) -> tuple[str, str]:
    draft = dataclasses.replace(load_rule(library, rule_id), **changes)
    text = demo_path(library).read_text(encoding="utf-8")
    return text, file_text_with(text, draft)


def rule_data(text: str, rule_id: str) -> dict:
    return next(r for r in load_yaml(text)["rules"] if r["id"] == rule_id)


# Bundled rules: an unchanged draft is the file itself, and a message edit is one line.


@pytest.mark.parametrize(("path", "rule_id"), BUNDLED_RULES, ids=[r for _, r in BUNDLED_RULES])
def test_unchanged_draft_gives_the_identical_file(path: Path, rule_id: str) -> None:
    draft = load_rule(BUNDLED_RULES_DIR, rule_id)
    assert draft.file == path
    text = path.read_text(encoding="utf-8")
    assert file_text_with(text, draft) == text


@pytest.mark.parametrize(("path", "rule_id"), BUNDLED_RULES, ids=[r for _, r in BUNDLED_RULES])
def test_an_edited_message_lands_and_nothing_else_moves(path: Path, rule_id: str) -> None:
    draft = load_rule(BUNDLED_RULES_DIR, rule_id)
    message = "Reworded for the test: “{match}” needs another look."
    text = path.read_text(encoding="utf-8")
    new_text = file_text_with(text, dataclasses.replace(draft, message=message))
    removed, added = changed_lines(text, new_text)
    assert len(removed) == len(added) == 1
    assert added[0].strip().startswith("message:") and message in added[0]
    assert rule_data(new_text, rule_id)["message"] == message
    others = [r for r in load_yaml(text)["rules"] if r["id"] != rule_id]
    assert [r for r in load_yaml(new_text)["rules"] if r["id"] != rule_id] == others


def test_bundled_rules_are_found_by_id() -> None:
    assert len(BUNDLED_RULES) == len({rule_id for _, rule_id in BUNDLED_RULES}) > 0


def _edited_list(data: st.DataObject, items: tuple, new: st.SearchStrategy) -> list:
    """The list after random deletions, insertions and a swap, as a curator might leave it."""
    kept = [item for item in items if data.draw(st.booleans())]
    for _ in range(data.draw(st.integers(0, 2))):
        kept.insert(data.draw(st.integers(0, len(kept))), data.draw(new))
    if len(kept) > 1 and data.draw(st.booleans()):
        i, j = data.draw(st.permutations(range(len(kept))))[:2]
        kept[i], kept[j] = kept[j], kept[i]
    return kept


_WORDS = (
    st.text(st.sampled_from("abcdefgh ,'’“”é"), min_size=1, max_size=20).map(str.strip).filter(bool)
)


@given(data=st.data())
def test_random_list_edits_stay_inside_the_rule(data: st.DataObject) -> None:
    path, rule_id = data.draw(st.sampled_from(BUNDLED_RULES))
    draft = load_rule(BUNDLED_RULES_DIR, rule_id)
    examples = st.builds(FlagExample, _WORDS)
    edited = dataclasses.replace(
        draft,
        patterns=_edited_list(data, draft.patterns, _WORDS),
        exceptions=_edited_list(data, draft.exceptions, _WORDS),
        advice=_edited_list(data, draft.advice, _WORDS),
        flag_examples=_edited_list(data, draft.flag_examples, examples),
        pass_examples=_edited_list(data, draft.pass_examples, _WORDS),
    )
    text = path.read_text(encoding="utf-8")
    try:
        new_text = file_text_with(text, edited)
    except RuleEditError as exc:  # only a list another rule shares through its anchor
        assert "shares this value" in exc.message
        return
    assert load_rule_from(new_text, path, rule_id) == edited
    rules = load_yaml(text)["rules"]
    index = next(i for i, r in enumerate(rules) if r["id"] == rule_id)
    old_lines, new_lines = text.splitlines(True), new_text.splitlines(True)
    first = rules[index].line - 1  # the rule's "- id:" line
    assert new_lines[:first] == old_lines[:first]
    if index + 1 < len(rules):
        after = len(old_lines) - (rules[index + 1].line - 1)
        assert new_lines[-after:] == old_lines[-after:]


def load_rule_from(text: str, path: Path, rule_id: str) -> RuleDraft:
    return draft_from_data(path, rule_data(text, rule_id))


# Loading


def test_load_rule_reads_every_field(library: Path) -> None:
    draft = load_rule(library, "demo.first")
    assert draft.file == demo_path(library)
    assert draft.severity == "warning"
    assert draft.message == "“{match}” hands the fault to the customer."
    assert draft.patterns == (
        "you ought to have",
        "you forgot to",
        ({"LOWER": "your"}, {"LOWER": {"IN": ["blunder", "slip"]}}),
    )
    assert draft.exceptions == ("we ought to have",)
    assert draft.advice == ("Say what we will do next.",)
    assert draft.replacements == ()
    assert draft.flag_examples[1] == FlagExample(
        "You forgot to add the flat number.", "You forgot to"
    )
    # A pending pass example is an example like the others; its marker stays in the file.
    assert draft.pass_examples[1] == "Sadly you forgot to pack it, said the courier."
    assert draft.extra == {}
    assert rules_in_file(demo_path(library)) == ["demo.first", "demo.second"]


def test_old_suggestions_are_read_as_advice_and_written_back_under_their_own_key(
    rules_dir: Callable[[dict[str, str]], Path],
) -> None:
    old_style = DEMO_FILE.replace('advice: ["Say what', 'suggestions: ["Say what')
    library = rules_dir({"draft/demo.yml": old_style})
    assert load_rule(library, "demo.first").advice == ("Say what we will do next.",)
    _, new_text = edit(library, "demo.first", advice=["Tell them the next step."])
    assert rule_data(new_text, "demo.first")["suggestions"] == ["Tell them the next step."]
    assert "advice" not in rule_data(new_text, "demo.first")


def test_unknown_rule_is_refused_by_name(library: Path) -> None:
    with pytest.raises(RuleEditError) as raised:
        load_rule(library, "demo.missing")
    assert raised.value.field == "rule_id" and "demo.missing" in str(raised.value)


def test_a_draft_takes_form_values() -> None:
    draft = RuleDraft(
        "demo.first",
        "x.yml",  # type: ignore[arg-type]
        patterns=["a", [{"LOWER": "b"}]],  # type: ignore[arg-type]
        flag_examples=[{"text": "A b.", "match": "A"}],  # type: ignore[list-item]
    )
    assert draft.file == Path("x.yml")
    assert draft.patterns == ("a", ({"LOWER": "b"},))
    assert draft.flag_examples == (FlagExample("A b.", "A"),)


# Writing: only what changed, comments kept


def test_editing_one_pattern_keeps_its_comments(library: Path) -> None:
    draft = load_rule(library, "demo.first")
    patterns = list(draft.patterns)
    patterns[1] = "you (forgot|neglected) to"
    text, new_text = edit(library, "demo.first", patterns=patterns)
    removed, added = changed_lines(text, new_text)
    assert removed == ['      - "you forgot to"        # why: forgetting is theirs']
    assert added == ['      - "you (forgot|neglected) to"        # why: forgetting is theirs']


def test_adding_and_removing_patterns_keeps_the_rest(library: Path) -> None:
    draft = load_rule(library, "demo.first")
    patterns = [*draft.patterns[1:], "you failed to"]
    text, new_text = edit(library, "demo.first", patterns=patterns)
    removed, added = changed_lines(text, new_text)
    # The first pattern goes with the comment above it; the others keep theirs.
    assert removed == [
        "      # why: hindsight aimed at the customer",
        '      - "you ought to have"',
    ]
    assert added == ['      - "you failed to"']
    assert rule_data(new_text, "demo.first")["patterns"] == [
        "you forgot to",
        [{"LOWER": "your"}, {"LOWER": {"IN": ["blunder", "slip"]}}],
        "you failed to",
    ]


def test_a_replaced_pattern_keeps_the_comment_above_it(library: Path) -> None:
    draft = load_rule(library, "demo.first")
    text, new_text = edit(
        library, "demo.first", patterns=["you really ought to", *draft.patterns[1:]]
    )
    removed, added = changed_lines(text, new_text)
    assert removed == ['      - "you ought to have"'] and added == ['      - "you really ought to"']
    assert "# why: hindsight aimed at the customer" in new_text


def test_a_new_field_is_added_and_an_emptied_one_removed(library: Path) -> None:
    text, new_text = edit(library, "demo.first", replacements=["we ought to have"], advice=[])
    written = rule_data(new_text, "demo.first")
    assert written["replacements"] == ["we ought to have"]
    assert "advice" not in written
    removed, added = changed_lines(text, new_text)
    assert removed == ['    advice: ["Say what we will do next."]']
    assert added == ["    replacements:", '      - "we ought to have"']


def test_an_edited_example_keeps_its_note_and_pending_marker(library: Path) -> None:
    draft = load_rule(library, "demo.first")
    flags = list(draft.flag_examples)
    flags[0] = FlagExample("You ought to have rung us.", "You ought to have")
    passes = [*draft.pass_examples, "We forgot to pack it."]
    _, new_text = edit(library, "demo.first", flag_examples=flags, pass_examples=passes)
    examples = rule_data(new_text, "demo.first")["examples"]
    assert examples["flag"][0] == {
        "text": "You ought to have rung us.",
        "match": "You ought to have",
        "note": "hindsight",
    }
    assert examples["pass"][1]["pending"] is True
    assert examples["pass"][-1] == "We forgot to pack it."


def test_extra_keys_are_kept_and_may_be_edited(library: Path) -> None:
    text, new_text = edit(library, "demo.second", extra={"ignore_when": ["quoted"]})
    assert rule_data(new_text, "demo.second")["ignore_when"] == ["quoted"]
    removed, added = changed_lines(text, new_text)
    assert removed == [] and added == ["    ignore_when: [quoted]"]


def test_a_rule_that_borrows_a_shared_list_gets_its_own(library: Path) -> None:
    _, new_text = edit(library, "demo.second", exceptions=["as we stated"])
    assert rule_data(new_text, "demo.second")["exceptions"] == ["as we stated"]
    assert rule_data(new_text, "demo.first")["exceptions"] == ["we ought to have"]
    assert "&shared" in new_text


@pytest.mark.parametrize("exceptions", [["we should have"], []])
def test_editing_a_shared_list_at_its_anchor_is_refused(library: Path, exceptions: list) -> None:
    with pytest.raises(RuleEditError) as raised:
        edit(library, "demo.first", exceptions=exceptions)
    assert raised.value.field == "exceptions"
    assert "demo.second" in raised.value.message and "&shared" in raised.value.message


def test_strings_that_look_like_other_values_stay_strings(library: Path) -> None:
    odd = ["yes", "24", 'say "no" \\ now', "tab\there", "line\u2028break"]
    _, new_text = edit(library, "demo.first", advice=odd)
    assert rule_data(new_text, "demo.first")["advice"] == odd


def test_windows_line_endings_are_kept(rules_dir: Callable[[dict[str, str]], Path]) -> None:
    library = rules_dir({"draft/demo.yml": DEMO_FILE})
    path = demo_path(library)
    path.write_bytes(DEMO_FILE.replace("\n", "\r\n").encode("utf-8"))
    draft = load_rule(library, "demo.first")
    text = path.read_bytes().decode("utf-8")
    edited = dataclasses.replace(
        draft, advice=(), replacements=("we ought to have",), patterns=draft.patterns[:2]
    )
    new_text = file_text_with(text, edited)
    assert "\n" not in new_text.replace("\r\n", "")
    assert rule_data(new_text, "demo.first")["replacements"] == ["we ought to have"]


SPARSE_FILE = """\
family: demo
category: blame_shifting
rules:
  - id: demo.sparse
    severity: warning
    message: "“{match}” blames."
    patterns: ["you ought to have"]
  - id: demo.flow
    severity: warning
    message: "“{match}” blames too."
    patterns: ["you forgot to"]
    examples: {flag: [{text: "You forgot to sign.", match: "You forgot to"}], pass: [{text: "We forgot to sign.", pending: true}]}
"""


def test_fields_a_rule_lacks_are_added_in_house_order(
    rules_dir: Callable[[dict[str, str]], Path],
) -> None:
    library = rules_dir({"draft/demo.yml": SPARSE_FILE})
    draft = load_rule(library, "demo.sparse")
    edited = dataclasses.replace(
        draft,
        exceptions=["we ought to have"],
        advice=["Say what happens next."],
        flag_examples=[FlagExample("You ought to have asked.", "You ought to have")],
        pass_examples=["We ought to have asked."],
    )
    text = demo_path(library).read_text(encoding="utf-8")
    new_text = file_text_with(text, edited)
    # The other rule, and everything before this one, as they were.
    assert new_text.startswith(text[: text.index("  - id: demo.sparse")])
    assert new_text.endswith(text[text.index("  - id: demo.flow") :])
    written = rule_data(new_text, "demo.sparse")
    assert list(written) == [
        "id",
        "severity",
        "message",
        "advice",
        "patterns",
        "exceptions",
        "examples",
    ]
    assert written["examples"] == {
        "flag": [{"text": "You ought to have asked.", "match": "You ought to have"}],
        "pass": ["We ought to have asked."],
    }


def test_flow_style_examples_are_rewritten_with_their_markers(
    rules_dir: Callable[[dict[str, str]], Path],
) -> None:
    library = rules_dir({"draft/demo.yml": SPARSE_FILE})
    draft = load_rule(library, "demo.flow")
    edited = dataclasses.replace(draft, pass_examples=[*draft.pass_examples, "I forgot to ask."])
    text = demo_path(library).read_text(encoding="utf-8")
    new_text = file_text_with(text, edited)
    assert rule_data(new_text, "demo.flow")["examples"]["pass"] == [
        {"text": "We forgot to sign.", "pending": True},
        "I forgot to ask.",
    ]
    removed, added = changed_lines(text, new_text)
    assert len(removed) == len(added) == 1 and added[0].startswith("    examples: {flag: [")


# Validation per field


def problems_of(library: Path, **changes: object) -> dict[str, list[str]]:
    draft = dataclasses.replace(load_rule(library, "demo.first"), **changes)
    return validate_rule(library, draft, check_rule_examples)


def test_a_sound_draft_has_no_problems(library: Path) -> None:
    assert problems_of(library) == {}


def test_a_bad_severity_and_an_empty_message_are_problems_of_their_fields(library: Path) -> None:
    problems = problems_of(library, severity="loud", message="  ")
    assert set(problems) == {"severity", "message"}
    assert "loud" in problems["severity"][0]


def test_a_bad_pattern_points_at_its_place(library: Path) -> None:
    patterns = list(load_rule(library, "demo.first").patterns)
    patterns[1] = "you (forgot to"
    problems = problems_of(library, patterns=patterns)
    assert list(problems) == ["patterns[1]"]
    assert "never closed" in problems["patterns[1]"][0]


def test_a_flag_example_that_no_longer_flags_is_a_problem_of_that_example(library: Path) -> None:
    patterns = [p for p in load_rule(library, "demo.first").patterns if p != "you forgot to"]
    problems = problems_of(library, patterns=patterns)
    assert list(problems) == ["examples.flag[1]"]
    assert problems["examples.flag[1]"] == ["should flag, but: the rule did not fire"]


def test_a_pass_example_that_fires_is_a_problem_at_its_index(library: Path) -> None:
    passes = list(load_rule(library, "demo.first").pass_examples)
    passes[2] = "Sorry, but you forgot to add the flat number."
    # Index 2 of the draft, after the pending example at 1 which never fails.
    assert list(problems_of(library, pass_examples=passes)) == ["examples.pass[2]"]


def test_a_flag_example_whose_match_is_not_in_its_text(library: Path) -> None:
    flags = list(load_rule(library, "demo.first").flag_examples)
    flags[2] = FlagExample("That was your slip.", "your blunder")
    problems = problems_of(library, flag_examples=flags)
    assert list(problems) == ["examples.flag[2]"]
    assert problems["examples.flag[2]"][0].startswith("match:")


def test_a_fragment_as_replacement_is_a_problem_of_that_replacement(library: Path) -> None:
    problems = problems_of(library, replacements=["we ought to have", "we will …"])
    assert list(problems) == ["replacements[1]"]


def test_a_file_outside_the_library_is_refused(library: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yml"
    outside.write_text(DEMO_FILE, encoding="utf-8")
    draft = dataclasses.replace(load_rule(library, "demo.first"), file=outside)
    assert list(validate_rule(library, draft, check_rule_examples)) == ["(file)"]


def test_an_id_another_file_also_defines_is_a_problem_of_the_id(
    rules_dir: Callable[[dict[str, str]], Path],
) -> None:
    # other.yml is read after demo.yml, so its demo.first is the duplicate.
    other = DEMO_FILE.replace("demo.second", "demo.fourth")
    library = rules_dir({"draft/demo.yml": DEMO_FILE, "draft/other.yml": other})
    problems = validate_rule(library, load_rule(library, "demo.first"), check_rule_examples)
    assert list(problems) == ["rule_id"]
    assert "duplicate id" in problems["rule_id"][0] and "other.yml" in problems["rule_id"][0]


# Saving


def test_save_refuses_a_draft_with_problems(library: Path) -> None:
    path = demo_path(library)
    before = snapshot(path)
    draft = dataclasses.replace(load_rule(library, "demo.first"), severity="loud")
    with pytest.raises(RuleProblems) as raised:
        save_rule(library, draft, before.digest, check_rule_examples)
    assert "severity" in raised.value.problems
    assert path.read_text(encoding="utf-8") == before.text


def test_save_writes_the_edit(library: Path) -> None:
    path = demo_path(library)
    before = snapshot(path)
    draft = dataclasses.replace(load_rule(library, "demo.first"), message="“{match}” blames them.")
    saved = save_rule(library, draft, before.digest, check_rule_examples)
    assert path.read_text(encoding="utf-8") == saved.text == file_text_with(before.text, draft)
    assert saved.digest == digest(saved.text)
    assert load_rule(library, "demo.first").message == "“{match}” blames them."


@pytest.mark.parametrize("their_change", ["sounds curt", "warning"])
def test_save_refuses_when_someone_else_saved_first(library: Path, their_change: str) -> None:
    # Whether their save leaves the library sound or breaks it, the conflict is what is said.
    draft, before = open_rule(library, "demo.first")
    assert before.path == demo_path(library) and before.digest == digest(before.text)
    theirs = before.text.replace(their_change, "sounds short" if "curt" in their_change else "x")
    demo_path(library).write_text(theirs, encoding="utf-8")
    edited = dataclasses.replace(draft, message="“{match}” blames them.")
    with pytest.raises(SaveConflict):
        save_rule(library, edited, before.digest, check_rule_examples)
    assert demo_path(library).read_text(encoding="utf-8") == theirs


def test_conditional_replacements_survive_an_edit_and_failures_point_at_their_item(
    tmp_path: Path,
) -> None:
    library = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES_DIR, library)
    draft = load_rule(library, "favour.one-time-exception")
    conditional = [item for item in draft.replacements if isinstance(item, dict)]
    assert conditional, "the bundled rule's conditional replacement was dropped on load"
    edited = dataclasses.replace(draft, message="Give the remedy without the caveat.")
    draft.file.write_text(file_text_with(draft.file.read_text(encoding="utf-8"), edited))
    assert load_rule(library, draft.rule_id).replacements == draft.replacements
    broken = dataclasses.replace(draft, replacements=(*draft.replacements, "as a favour"))
    problems = validate_rule(library, broken, check_rule_examples)
    assert any(name == f"replacements[{len(draft.replacements)}]" for name in problems), problems
