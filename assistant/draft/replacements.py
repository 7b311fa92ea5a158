"""Paste a rule's replacement over a finding's span, and tell what the paste changed.

A replacement stands for exactly the matched words, so pasting it must leave a sentence that reads
whole: the first letter follows the sentence (capital at its start, lower inside it, "I" always
capital), and a deletion takes the spaces and the now-dangling comma with it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.core.findings import Finding

SENTENCE_END = ".!?"
# Opening marks a sentence may start with: "“You're lucky" still starts its sentence.
OPENERS = "\"'“‘([«"
# Punctuation a deleted phrase may leave with nothing to attach to: ", ." or ", ,".
CLOSERS = ",.!?;:)]”’»"
# "Hi Sam," or "Dear Ms Rossi,": the comma ends a greeting, not a phrase that was deleted.
_GREETING = re.compile(
    r"\s*(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening))\b[^,.!?\n]{0,40},",
    re.IGNORECASE,
)
# A greeting is short: only this much of the text before a deletion is read for one.
GREETING_REACH = 60
_DANGLING_THAT = re.compile(r"that[ \t]+(?=[^\W\d_])", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Edit:
    """A pasted replacement: the new text, and where the changed stretch lies in the old and new
    text (a deletion's tidying may reach past the finding's span)."""

    text: str
    old_start: int
    old_end: int
    new_end: int

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end


@dataclass(frozen=True)
class Applied:
    """What pasting a replacement did: `removed` is True when the finding's rule no longer fires
    where the replacement went; `introduced` are findings the new wording brought in."""

    text: str
    removed: bool
    introduced: tuple[Finding, ...]

    @property
    def clean(self) -> bool:
        return self.removed and not self.introduced


def _starts_sentence(before: str) -> bool:
    gap = before[len(before.rstrip()) :]
    head = before.rstrip().rstrip(OPENERS).rstrip()
    return not head or head[-1] in SENTENCE_END or "\n" in gap


def _ends_with_greeting(before: str) -> bool:
    tail = before[-GREETING_REACH:]
    cut = max(tail.rfind(mark) for mark in ".!?\n")
    if cut < 0 and len(before) > len(tail):
        return False
    return bool(_GREETING.fullmatch(tail[cut + 1 :]))


def _is_i_word(word: str) -> bool:
    """ "I", "I'm", "I've", "I'll", "I'd": capital wherever they stand."""
    return word == "I" or word.startswith(("I'", "I’"))


def _capitalise(text: str) -> str:
    return _same_length(text[:1], text[:1].upper()) + text[1:]


def _same_length(old: str, new: str) -> str:
    # "ß".upper() is "SS": a letter whose other case is longer keeps its case, so every offset
    # past it stays where the edit says.
    return new if len(new) == len(old) else old


def _fit_case(replacement: str, at_sentence_start: bool) -> str:
    if at_sentence_start:
        return _capitalise(replacement)
    word = _FIRST_WORD.match(replacement)
    # A title-case first word inside a sentence is lowered; "I" and acronyms ("OK") keep theirs.
    if word and word.group()[:1].isupper() and not _is_i_word(word.group()):
        rest = word.group()[1:]
        if not (rest and rest.isupper()):
            return _same_length(replacement[:1], replacement[:1].lower()) + replacement[1:]
    return replacement


def _join_gap(left_gap: str, right_gap: str) -> str:
    for gap in (left_gap, right_gap):
        if "\n" in gap:
            return gap
    return " "


def _delete(text: str, start: int, end: int) -> Edit:
    left = text[:start].rstrip(" \t")
    right = text[end:].lstrip(" \t")
    left_gap, right_gap = text[len(left) : start], text[end : len(text) - len(right)]
    at_start = _starts_sentence(left)
    after_greeting = _ends_with_greeting(left)
    that = _DANGLING_THAT.match(right) if at_start else None
    if that:
        # "You're lucky that we had one": with the main clause gone, "that" has nothing to join.
        right = right[that.end() :]
    elif right[:1] in ",;:" and (at_start or after_greeting):
        # "As I said, we…" and "Hi Sam, as I said, we…": the phrase's own comma goes with it.
        right = right[1:].lstrip(" \t")
    elif right.startswith(",") and left.endswith(","):
        # A phrase set off by a pair of commas goes with both of them.
        left = left[:-1]
        right = right[1:].lstrip(" \t")
    elif left.endswith(",") and right[:1] in CLOSERS:
        left = left[:-1]
    if at_start and right[:1] in SENTENCE_END:
        # The whole sentence went: its full stop goes too.
        right = right[1:].lstrip(" \t")
    if at_start and text[start:end][:1].isupper():
        right = _capitalise(right)
    # Words glued to the span on both sides stay glued: there was no space to keep.
    spaced = bool(left_gap or right_gap)
    joins = spaced and left and right and right[0] not in CLOSERS and left[-1] not in OPENERS
    gap = _join_gap(left_gap, right_gap) if joins and not left.endswith("\n") else ""
    old_end = len(text) - len(right)
    return Edit(left + gap + right, len(left), old_end, len(left) + len(gap))


def edit(text: str, start: int, end: int, replacement: str) -> Edit:
    """`apply_replacement`, also saying which stretch changed (the verification needs it)."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(
            f"span {start}:{end} is outside the text ({len(text)} characters): "
            "was the finding made on another version of it?"
        )
    if replacement == "":
        return _delete(text, start, end) if start < end else Edit(text, start, end, end)
    fitted = pasted_form(text, start, replacement)
    return Edit(text[:start] + fitted + text[end:], start, end, start + len(fitted))


def pasted_form(text: str, start: int, replacement: str) -> str:
    """The replacement as pasting it at `start` would write it (its case fitted to the sentence):
    what a person should be shown, so the preview is what the draft gets."""
    if not replacement:
        return replacement
    return _fit_case(replacement, _starts_sentence(text[:start]))


def apply_replacement(text: str, start: int, end: int, replacement: str) -> str:
    """text with text[start:end] replaced, its case fitted to the sentence; "" deletes the span
    and tidies the spaces and commas it leaves. Raises ValueError for a span outside the text."""
    return edit(text, start, end, replacement).text


def _moved(position: int, change: Edit, *, is_end: bool) -> int:
    if position < change.old_start or (position == change.old_start and not is_end):
        return position
    if position >= change.old_end:
        return position + change.delta
    return change.new_end if is_end else change.old_start


def _key(finding: Finding) -> tuple[str, str]:
    return finding.rule, finding.category


def compare(
    finding: Finding, change: Edit, before: Iterable[Finding], after: Sequence[Finding]
) -> Applied:
    """Applied for `change` made at `finding`, from the findings of the text before and after.

    New findings are counted by rule id and category, since every offset after the edit moved;
    positions only decide which of a rule's findings to name when it fires more often than before.
    """
    before = list(before)
    removed = not any(
        f.rule == finding.rule and f.start <= change.new_end and change.old_start <= f.end
        for f in after
    )
    expected = Counter(
        (
            *_key(f),
            _moved(f.start, change, is_end=False),
            _moved(f.end, change, is_end=True),
        )
        for f in before
    )
    unmatched = []
    for f in after:
        place = (*_key(f), f.start, f.end)
        if expected[place]:
            expected[place] -= 1
        else:
            unmatched.append(f)
    excess = Counter(_key(f) for f in after)
    excess.subtract(Counter(_key(f) for f in before))
    introduced = []
    for f in unmatched:
        if excess[_key(f)] > 0:
            excess[_key(f)] -= 1
            introduced.append(f)
    return Applied(change.text, removed, tuple(introduced))
