"""Findings formatted for a person at a terminal: the line, the marked span, and what to do.

Text from a draft or a message is shown, never obeyed: a control character (an escape sequence
retitling the terminal, a carriage return overwriting the line) or a bidi control (reordering what
the agent reads) is printed in its escaped form, as `\\x1b` or `\\u202e`."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from assistant.core.findings import Finding
from assistant.draft.replacements import pasted_form

_TAB_STOP = 8
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters a terminal draws in no column of their own: they join or mark the one before.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def _escaped(ch: str) -> str | None:
    """The visible form of a character a terminal would act on instead of showing, else None."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return _NAMED_ESCAPES.get(ch, f"\\x{code:02x}")
    if ch in _BIDI_CONTROLS or 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return None


def visible(text: str, keep: str = "\n\t") -> str:
    """`text` safe to print: controls and bidi controls escaped, except the layout characters in
    `keep`."""
    return "".join(ch if ch in keep else (_escaped(ch) or ch) for ch in text)


def _char_width(ch: str) -> int:
    if ch in _ZERO_WIDTH or unicodedata.category(ch) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _rendered(text: str, column: int) -> list[tuple[str, int]]:
    """Each character of one line as printed from `column` on, and the columns it takes: tabs
    expanded to the next stop (so the mark can be placed under them), controls escaped."""
    pieces = []
    for ch in text:
        if ch == "\t":
            shown = " " * (_TAB_STOP - column % _TAB_STOP)
            width = len(shown)
        elif (escape := _escaped(ch)) is not None:
            shown, width = escape, len(escape)
        else:
            shown, width = ch, _char_width(ch)
        pieces.append((shown, width))
        column += width
    return pieces


def _line_of(text: str, offset: int) -> tuple[int, int, int]:
    """1-based line number and the [start, end) offsets of the line holding `offset`, without
    the "\\r" of a CRLF line end."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end == -1:
        line_end = len(text)
    if line_end > line_start and text[line_end - 1] == "\r":
        line_end -= 1
    return text.count("\n", 0, offset) + 1, line_start, line_end


def format_finding(text: str, finding: Finding) -> str:
    number, line_start, line_end = _line_of(text, finding.start)
    prefix = f"  line {number}: "
    pieces = _rendered(text[line_start:line_end], len(prefix))
    before = pieces[: max(0, finding.start - line_start)]
    marked = pieces[len(before) : max(len(before), min(finding.end, line_end) - line_start)]
    pad = sum(width for _, width in before)
    width = max(1, sum(width for _, width in marked))
    out = [
        prefix + "".join(shown for shown, _ in pieces),
        " " * (len(prefix) + pad) + "^" * width,
        f"    {finding.severity} · {finding.category} · {finding.rule}",
        f"    {visible(finding.message)}",
    ]
    out.extend(_replacement_line(text, finding, option) for option in finding.replacements)
    out.extend(f"    try: {visible(advice)}" for advice in finding.advice)
    return "\n".join(out)


def _replacement_line(text: str, finding: Finding, replacement: str) -> str:
    # An empty replacement deletes the span: "replace with: " followed by nothing reads as a bug.
    if not replacement:
        return f"    delete: “{visible(finding.text)}”"
    return f"    replace with: {visible(pasted_form(text, finding.start, replacement))}"


def summary_line(name: str, findings: Sequence[Finding]) -> str:
    name = visible(name)
    if not findings:
        return f"{name}: no findings"
    counts = Counter(f.severity for f in findings)
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
        for s in ("error", "warning", "suggestion")
        if counts[s]
    ]
    return (
        f"{name}: {len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)})"
    )


def format_findings(name: str, text: str, findings: Sequence[Finding]) -> str:
    blocks = [summary_line(name, findings)]
    blocks.extend(format_finding(text, finding) for finding in findings)
    return "\n".join(blocks)
