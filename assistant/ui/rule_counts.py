"""Which rules fire most: counts over the drafts of a session or an uploaded file."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping

from assistant.core.categories import READABILITY_RULE_PREFIX
from assistant.core.findings import Finding
from assistant.core.inputs import decode, read_text_records


def text_digest(text: str) -> str:
    """Marks a text the page has already handled (counted, or used to preselect Compose)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_rules(findings_per_text: Iterable[Iterable[Finding]]) -> Counter:
    """How often each rule fired over a set of texts (a rule counts once per text)."""
    counts: Counter = Counter()
    for findings in findings_per_text:
        counts.update(
            {
                finding.rule
                for finding in findings
                if not finding.rule.startswith(READABILITY_RULE_PREFIX)
            }
        )
    return counts


def add_counts(counts: Mapping[str, int], findings: Iterable[Finding]) -> dict[str, int]:
    """The session's counts with one more text's findings added (a new dict; `counts` is kept)."""
    total = dict(counts)
    for rule, count in count_rules([findings]).items():
        total[rule] = total.get(rule, 0) + count
    return total


def texts_from_upload(data: bytes, name: str) -> list[str]:
    """Drafts from an uploaded file: JSONL with a `text` field, or plain text with one draft per line.

    Raises SourceError naming the file and line that cannot be read."""
    if name.endswith((".jsonl", ".json")):
        return [record["text"] for record in read_text_records(data, name)]
    # split("\n"), not splitlines(): a draft may hold U+2028 or a form feed inside one line.
    return [line.rstrip("\r") for line in decode(data, name).split("\n") if line.strip()]
