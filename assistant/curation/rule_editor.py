"""Edit one rule at a time: load it as a draft, write the draft back into its file's text, check
it field by field, save it.

Only the edited rule's changed values are rewritten (yaml_rewrite.py says why not a round-trip
library): the rest of the file, and every unchanged value of the rule with its comments, stay byte
for byte; an item edited in place keeps the comments above and beside it. A comment goes only with
what it belongs to: a removed list item takes the comments above and beside it, a removed key the
one beside it (a comment above a removed key stays), and a changed flow-style value (`[a, b]`,
`{text: ...}`) or multi-line item is written whole, losing a comment inside it.

The rule's id is what finds it in its file, so a draft cannot rename its rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml
from spacy.language import Language

from assistant.core.problems import Problem, display_path
from assistant.curation.edits import validate_library_edit
from assistant.curation.false_positives import CurationError
from assistant.curation.rule_draft import (
    FLAG_LIST,
    PASS_LIST,
    PLAIN_LIST,
    ListField,
    RuleDraft,
    advice_key,
    draft_from_data,
    draft_key,
    examples_of,
    is_pending,
    owned_keys,
)
from assistant.curation.saves import SaveConflict, Snapshot, digest, save, snapshot
from assistant.curation.yaml_rewrite import Item, Rewriter, flow, plain, plan_items, unchanged
from assistant.curation.yaml_spans import ALIAS, MAPPING, Spot, spots
from assistant.library.loader import collect, rule_files
from assistant.library.rules import Rule
from assistant.library.yaml_lines import load_yaml, yaml_error_line, yaml_error_text
from assistant.nlp.pipeline import build_nlp

# Where a key the rule lacks is added: after the last key it follows in this order.
KEY_ORDER = (
    "id",
    "category",
    "severity",
    "message",
    "replacements",
    "advice",
    "suggestions",
    "ignore_when",
    "by_destination",
    "patterns",
    "exceptions",
    "examples",
)
# The problem fields a draft shows elsewhere: `suggestions` is the old name of advice.
_FIELD_NAMES = {"id": "rule_id", "suggestions": "advice"}
_ITEM_FIELD = re.compile(
    r"^(?P<item>(?:examples\.(?:flag|pass)|[a-z_]+)\[\d+\])(?:\.(?P<sub>.+))?$"
)
FILE_FIELD = "(file)"
LIBRARY_FIELD = "(library)"


class RuleEditError(CurationError):
    """A draft that cannot be written into its file; `field` is where the page shows it."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class RuleProblems(CurationError):
    """A save refused because the draft has problems: {field: [problem, ...]}."""

    def __init__(self, rule_id: str, problems: Mapping[str, Sequence[str]]):
        self.problems = {name: list(texts) for name, texts in problems.items()}
        listed = "; ".join(f"{name}: {text}" for name, texts in problems.items() for text in texts)
        super().__init__(f"{rule_id} was not saved: {listed}")


class ExampleOutcomeLike(Protocol):
    """What validate_rule reads of an example's outcome (rule_examples.ExampleOutcome)."""

    @property
    def expectation(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...
    @property
    def replacement(self) -> int | None: ...


# assistant.evaluation.rule_examples.check_rule_examples: curation may not import evaluation (the
# layers in pyproject.toml keep them independent), so the caller hands it in.
ExampleCheck = Callable[[Language, Rule], Iterable[ExampleOutcomeLike]]


# Reading


def _parsed(text: str, path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        where = f"{display_path(path)} (line {yaml_error_line(exc)})"
        raise RuleEditError(FILE_FIELD, f"{where}: {yaml_error_text(exc)}") from exc
    if not isinstance(data, dict):
        raise RuleEditError(FILE_FIELD, f"{display_path(path)} is not a rule file (no mapping)")
    return data


def _rules_of(data: Mapping[str, Any]) -> list:
    rules = data.get("rules")
    return rules if isinstance(rules, list) else []


def rules_in_file(path: str | Path) -> list[str]:
    """The ids of a rule file's rules, in file order."""
    path = Path(path)
    data = _parsed(path.read_text(encoding="utf-8"), path)
    return [
        r["id"] for r in _rules_of(data) if isinstance(r, dict) and isinstance(r.get("id"), str)
    ]


def _find(data: Mapping[str, Any], rule_id: str, path: Path) -> tuple[int, dict[str, Any]]:
    for index, rule in enumerate(_rules_of(data)):
        if isinstance(rule, dict) and rule.get("id") == rule_id:
            return index, rule
    raise RuleEditError("rule_id", f"no rule {rule_id!r} in {display_path(path)}")


def open_rule(rules_dir: str | Path, rule_id: str) -> tuple[RuleDraft, Snapshot]:
    """The draft of the rule with this id, and the snapshot of its file the draft was read from
    (its digest is what save_rule expects), from whichever rule file of the library holds it."""
    rules_dir = Path(rules_dir)
    for path in rule_files(rules_dir):
        taken = snapshot(path)
        if rule_id not in taken.text:  # most files do not name it: no need to parse them
            continue
        data = _parsed(taken.text, path)
        if any(isinstance(r, dict) and r.get("id") == rule_id for r in _rules_of(data)):
            return draft_from_data(path, _find(data, rule_id, path)[1]), taken
    raise RuleEditError("rule_id", f"no rule {rule_id!r} in {display_path(rules_dir)}")


def load_rule(rules_dir: str | Path, rule_id: str) -> RuleDraft:
    """The draft of the rule with this id (open_rule gives the file's snapshot with it)."""
    return open_rule(rules_dir, rule_id)[0]


# Writing


def file_text_with(path_text: str, draft: RuleDraft) -> str:
    """The file's text with the draft's rule rewritten: only the values the draft changed; the rest
    of the file is kept byte for byte. Raises RuleEditError naming the field it cannot write."""
    data = _parsed(path_text, draft.file)
    index, rule_data = _find(data, draft.rule_id, draft.file)
    root = spots(path_text)
    rules_pair = root.get("rules") if root is not None and root.kind == MAPPING else None
    rule_spot = rules_pair[1].children[index] if rules_pair else None
    if rule_spot is None or rule_spot.kind != MAPPING or rule_spot.flow:
        raise RuleEditError(
            FILE_FIELD,
            f"{draft.rule_id} is not written as a block mapping in {display_path(draft.file)}; "
            "edit the file as text",
        )
    before = draft_from_data(draft.file, rule_data)
    writer = _RuleWriter(Rewriter(path_text), rule_spot, rule_data)
    for name in ("message", "severity"):
        if getattr(draft, name) != getattr(before, name):
            writer.scalar(name, getattr(draft, name))
    for name in ("patterns", "exceptions", "replacements", "advice"):
        if getattr(draft, name) != getattr(before, name):
            key = advice_key(rule_data) if name == "advice" else name
            writer.list(key, getattr(draft, name), PLAIN_LIST, required=name == "patterns")
    if (draft.flag_examples, draft.pass_examples) != (before.flag_examples, before.pass_examples):
        writer.examples(draft, before)
    writer.extra(dict(draft.extra), dict(before.extra))
    new_text = writer.rewriter.result()
    _check_written(path_text, new_text, index, rule_spot, draft)
    return new_text


class _RuleWriter:
    """The edits to one rule's block mapping."""

    def __init__(self, rewriter: Rewriter, rule: Spot, data: Mapping[str, Any]):
        self.rewriter = rewriter
        self.rule = rule
        self.data = data
        self.column = rewriter.key_column(rule)

    def scalar(self, key: str, value: object) -> None:
        pair = self.rule.get(key)
        if pair is None:
            self._insert(key, " " + flow(value))
        else:
            self.rewriter.set_value(*pair, value)

    def list(self, key: str, values: Sequence[object], kind: ListField, *, required: bool) -> None:
        pair = self.rule.get(key)
        old = self.data.get(key)
        old_items = old if isinstance(old, list) else []
        items = _plan(old_items, values, kind)
        if pair is None:
            if items or required:
                self._insert(key, self._block_or_empty(items, self.column + 2))
            return
        if not items and not required and not _anchored(pair[1]):
            self.rewriter.delete_key(self.rule, *pair)
            return
        if isinstance(old, list) and unchanged(items, len(old_items)):
            return
        self.rewriter.set_list(*pair, items, self.column)

    def examples(self, draft: RuleDraft, before: RuleDraft) -> None:
        flags, passes = examples_of(self.data)
        flag_items = _plan(flags, draft.flag_examples, FLAG_LIST)
        pass_items = _plan(passes, draft.pass_examples, PASS_LIST)
        pair = self.rule.get("examples")
        if pair is None:
            inner = self.column + 2
            text = "".join(
                f"{self.rewriter.newline}{' ' * inner}{name}:{self._block_or_empty(items, inner + 2)}"
                for name, items in (("flag", flag_items), ("pass", pass_items))
            )
            self._insert("examples", text)
            return
        key, value = pair
        if value.kind != MAPPING or value.flow:
            old = self.data.get("examples")
            whole = dict(old) if isinstance(old, Mapping) else {}
            whole["flag"] = [item.value for item in flag_items]
            whole["pass"] = [item.value for item in pass_items]
            self.rewriter.set_value(key, value, whole)
            return
        column = self.rewriter.key_column(value)
        changes = (
            ("flag", flag_items, draft.flag_examples != before.flag_examples),
            ("pass", pass_items, draft.pass_examples != before.pass_examples),
        )
        for name, items, changed in changes:
            if not changed:
                continue
            inner = value.get(name)
            if inner is None:
                text = self._block_or_empty(items, column + 2)
                self.rewriter.insert_key(value.pairs()[-1][1], column, name, text)
            else:
                self.rewriter.set_list(*inner, items, column)

    def extra(self, new: dict[str, Any], old: dict[str, Any]) -> None:
        for key in [k for k in old if k not in new]:
            pair = self.rule.get(str(key))
            if pair is not None:
                self.rewriter.delete_key(self.rule, *pair)
        for key, value in new.items():
            if key in old and plain(old[key]) == plain(value):
                continue
            if key in owned_keys(self.data) or not isinstance(key, str):
                raise RuleEditError(str(key), "is a field of the draft, not an extra key")
            pair = self.rule.get(key)
            if pair is None:
                self._insert(key, " " + flow(value))
            else:
                self.rewriter.set_value(*pair, value)

    def _block_or_empty(self, items: Sequence[Item], dash_col: int) -> str:
        return self.rewriter.block_items(items, dash_col) if items else " []"

    def _insert(self, key: str, text: str) -> None:
        rank = _rank(key)
        pairs = self.rule.pairs()
        earlier = [value for k, value in pairs if _rank(str(k.value)) < rank]
        after = earlier[-1] if earlier else pairs[0][1]
        self.rewriter.insert_key(after, self.column, key, text)


def _anchored(value: Spot) -> bool:
    """Other rules may name this value by its anchor: emptied, it stays, so the check of the
    written text tells which rule would change with it."""
    return value.anchor is not None and value.kind != ALIAS


def _rank(key: str) -> int:
    order = {name: i for i, name in enumerate(KEY_ORDER)}
    return order.get(key, len(KEY_ORDER))


def _plan(old: Sequence[object], values: Sequence[object], kind: ListField) -> list[Item]:
    return plan_items(
        old,
        [kind.key(item) for item in old],
        [draft_key(kind, value) for value in values],
        [kind.new(value) for value in values],
        kind.merge,
    )


def _check_written(old_text: str, new_text: str, index: int, rule: Spot, draft: RuleDraft) -> None:
    """Read the new text back: the rule must read as the draft, every other value as before.
    A value shared through a YAML anchor is where this can fail."""
    old = plain(_parsed(old_text, draft.file))
    try:
        new = plain(load_yaml(new_text))
    except yaml.YAMLError as exc:
        raise RuleEditError(
            FILE_FIELD, f"the edit would break the file's YAML ({yaml_error_text(exc)})"
        ) from exc
    rules_new = _rules_of(new) if isinstance(new, dict) else []
    if len(rules_new) != len(_rules_of(old)):
        raise RuleEditError(FILE_FIELD, "the edit would change how many rules the file has")
    written = draft_from_data(draft.file, rules_new[index])
    if written != draft:
        raise RuleEditError(FILE_FIELD, f"{draft.rule_id} could not be written back as drafted")
    for position, (other_old, other_new) in enumerate(zip(_rules_of(old), rules_new, strict=True)):
        if position == index or other_old == other_new:
            continue
        changed = sorted(
            str(k) for k in set(other_old) | set(other_new) if other_old.get(k) != other_new.get(k)
        )
        key = changed[0] if changed else FILE_FIELD
        pair = rule.get(key)
        anchor = f"&{pair[1].anchor}" if pair and pair[1].anchor else "an anchor"
        raise RuleEditError(
            _FIELD_NAMES.get(key, key),
            f"the edit would also change {other_old.get('id', 'another rule')}, which shares this "
            f"value through {anchor}; edit the file as text",
        )
    rest_old = {k: v for k, v in old.items() if k != "rules"}
    rest_new = {k: v for k, v in new.items() if k != "rules"}
    if rest_old != rest_new:
        raise RuleEditError(FILE_FIELD, "the edit would change the file's own keys")


# Checking and saving


def validate_rule(
    rules_dir: str | Path, draft: RuleDraft, check_examples: ExampleCheck
) -> dict[str, list[str]]:
    """Problems per draft field ("message", "patterns[2]", "examples.flag[0]", "(file)",
    "(library)" for other files): the whole library's validation with the edited file in place,
    then the rule's own examples run through `check_examples` on a pipeline built from it."""
    rules_dir = Path(rules_dir)
    path = draft.file
    if path.resolve() not in {p.resolve() for p in rule_files(rules_dir)}:
        return {
            FILE_FIELD: [f"{display_path(path)} is not a rule file of {display_path(rules_dir)}"]
        }
    try:
        new_text = file_text_with(path.read_text(encoding="utf-8"), draft)
    except RuleEditError as exc:
        return {exc.field: [exc.message]}
    problems: dict[str, list[str]] = {}
    for problem in validate_library_edit(rules_dir, path, new_text):
        name, text = _field_of(problem, draft)
        problems.setdefault(name, []).append(text)
    if any(name != LIBRARY_FIELD for name in problems):
        return problems  # the rule does not load, so its examples cannot run
    library, _ = collect(rules_dir, overrides={path: new_text})
    rule = next((r for r in library.rules if r.id == draft.rule_id), None)
    if rule is None:
        return {**problems, FILE_FIELD: [f"{draft.rule_id} did not load"]}
    outcomes = check_examples(build_nlp(library), rule)
    for name, text in _example_problems(outcomes, new_text, draft):
        problems.setdefault(name, []).append(text)
    return problems


def _field_of(problem: Problem, draft: RuleDraft) -> tuple[str, str]:
    """The draft field a library problem belongs to, and what to say there."""
    if problem.path != display_path(draft.file):
        if problem.rule_id == draft.rule_id:
            return "rule_id", f"{problem.problem} ({problem.path})"
        return LIBRARY_FIELD, str(problem)
    if problem.rule_id != draft.rule_id:
        return FILE_FIELD, str(problem)
    field_name = problem.field
    match = _ITEM_FIELD.match(field_name)
    if match:
        item = match["item"]
        head, _, rest = item.partition("[")
        field_name = f"{_FIELD_NAMES.get(head, head)}[{rest}"
        return field_name, f"{match['sub']}: {problem.problem}" if match["sub"] else problem.problem
    return _FIELD_NAMES.get(field_name, field_name), problem.problem


def _example_problems(
    outcomes: Iterable[ExampleOutcomeLike], new_text: str, draft: RuleDraft
) -> list[tuple[str, str]]:
    """Failed examples at their draft fields. Outcomes come in the rule's order: each flag example,
    then that example's replacements; pending pass examples (never failures), then the others."""
    data = _parsed(new_text, draft.file)
    _, passes = examples_of(_find(data, draft.rule_id, draft.file)[1])
    counted_passes = [i for i, item in enumerate(passes) if not is_pending(item)]
    found: list[tuple[str, str]] = []
    flag, replacement, passed = -1, 0, 0
    for outcome in outcomes:
        if outcome.expectation == "flag":
            flag, replacement = flag + 1, 0
            if not outcome.ok:
                found.append((f"examples.flag[{flag}]", f"should flag, but: {outcome.detail}"))
        elif outcome.expectation == "replacement":
            # A conditional replacement is tried only on the examples it fits: the outcome says
            # which one it is, the running count is for outcomes that do not say.
            index = replacement if outcome.replacement is None else outcome.replacement
            if not outcome.ok:
                found.append(
                    (f"replacements[{index}]", f"in flag example {flag}: {outcome.detail}")
                )
            replacement += 1
        elif outcome.expectation == "pass":
            where = counted_passes[passed] if passed < len(counted_passes) else passed
            passed += 1
            if not outcome.ok:
                found.append((f"examples.pass[{where}]", outcome.detail))
    return found


def save_rule(
    rules_dir: str | Path, draft: RuleDraft, expected_digest: str, check_examples: ExampleCheck
) -> Snapshot:
    """Save the draft into its file if the file is still as the editor loaded it (SaveConflict
    otherwise) and the draft has no problems (RuleProblems otherwise)."""
    # A draft read from an older file is refused before it is checked against someone else's text.
    if digest(draft.file.read_text(encoding="utf-8")) != expected_digest:
        raise SaveConflict(
            f"{display_path(draft.file)} was changed by someone else after you opened "
            f"{draft.rule_id}; your edit was not saved. Open the rule again and redo your change."
        )
    problems = validate_rule(rules_dir, draft, check_examples)
    if problems:
        raise RuleProblems(draft.rule_id, problems)
    new_text = file_text_with(draft.file.read_text(encoding="utf-8"), draft)
    # saves.save checks the digest again under the file's lock, for a save made meanwhile.
    return save(draft.file, new_text, expected_digest)


__all__ = [
    "ExampleCheck",
    "RuleDraft",
    "RuleEditError",
    "RuleProblems",
    "file_text_with",
    "load_rule",
    "open_rule",
    "rules_in_file",
    "save_rule",
    "validate_rule",
]
