"""Names shared by the library, the checker, the CLI and the page: defined once, imported everywhere."""

from __future__ import annotations

from typing import Final, Literal, get_args

# Tone-check categories of an agent draft (domain.md §1).
DRAFT_CATEGORIES: Final = (
    "blame_shifting",
    "youre_lucky",
    "threat",
    "hollow_apology",
    "excuse_making",
    "stonewalling",
    "over_promising",
)

# Threat categories of a customer message (domain.md §3).
MESSAGE_CATEGORIES: Final = (
    "review_threat",
    "review_extortion",
    "chargeback_threat",
    "legal_threat",
    "social_media_threat",
    "other_threat",
)

# Findings that are not phrase matches: required elements (with a case type) and readability.
REQUIRED_ELEMENT_CATEGORIES: Final = (
    "missing_ownership",
    "missing_remedy",
    "missing_next_step",
    "too_many_apologies",
)
READABILITY_CATEGORY: Final = "readability"

PHRASE_CATEGORIES: Final = DRAFT_CATEGORIES + MESSAGE_CATEGORIES
ALL_CATEGORIES: Final = PHRASE_CATEGORIES + REQUIRED_ELEMENT_CATEGORIES + (READABILITY_CATEGORY,)

# Ordered from mildest to most severe; the index is the rank used by --fail-on.
Severity = Literal["suggestion", "warning", "error"]
SEVERITIES: Final = get_args(Severity)
LABEL_SEVERITIES: Final = frozenset({"warning", "error"})


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


# Who caused the problem: a policy input of compose and of the required-elements check.
Fault = Literal["company", "customer", "carrier", "unknown"]
FAULTS: Final = get_args(Fault)

# Findings that are not phrase matches carry rule ids under these prefixes, never a library rule's.
REQUIRED_RULE_PREFIX: Final = "required."
READABILITY_RULE_PREFIX: Final = "readability."
DOCUMENT_RULE_PREFIXES: Final = (REQUIRED_RULE_PREFIX, READABILITY_RULE_PREFIX)

# The label of "no case" in labelled sets and reports (the contract's case_type is then null).
NULL_CASE: Final = "null"

# doc.spans keys: one per kind of text, so a draft and a customer message never share a key.
DRAFT_SPAN_KEY: Final = "reply_assistant_draft"
MESSAGE_SPAN_KEY: Final = "reply_assistant_message"
CASE_SPAN_KEY: Final = "reply_assistant_case_signals"

# A rule's `applies_to` field says which kind of text it reads.
TEXT_KINDS: Final = ("draft", "message")
SPAN_KEY_BY_KIND: Final = {"draft": DRAFT_SPAN_KEY, "message": MESSAGE_SPAN_KEY}
CATEGORIES_BY_KIND: Final = {"draft": DRAFT_CATEGORIES, "message": MESSAGE_CATEGORIES}
