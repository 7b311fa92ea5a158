"""Input text handling shared by the checker, the scan and the CLI."""

from __future__ import annotations

import re

# Typographic quotes and spaces become their ASCII twins before tokenizing, one character for one,
# so that "you’re lucky" matches the rule written as "you're lucky" and every offset stays valid
# for the original text.
_SAME_LENGTH_FOLDS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
    }
)

# A draft or a message is a few hundred words; far beyond that is a pasted log or a wrong file.
MAX_TEXT_CHARS = 100_000


class InputError(ValueError):
    """Text that cannot be checked, with a message fit for the person who supplied it."""


# A double quote typed for an apostrophe ("I"ll", "don"t") reads as one; still one character for one.
_QUOTE_FOR_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\"(?=(?:ll|m|re|ve|s|t|d)\b)")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def prepare_text(text: str) -> str:
    folded = text.translate(_SAME_LENGTH_FOLDS)
    if '"' in folded:
        folded = _QUOTE_FOR_APOSTROPHE.sub("'", folded)
    return folded


def validate_text(text: object) -> str:
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,} "
            "(a draft or message, not a whole file)"
        )
    if "\x00" in text:
        raise InputError("text contains NUL bytes: it looks like binary data, not a message")
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate:
        # Half of a UTF-16 pair is no character: it cannot be written as UTF-8, so no result
        # holding it could be printed. A JSON "\ud83d" escape without its other half gives one.
        raise InputError(
            f"text has a lone surrogate (U+{ord(surrogate.group()):04X}) at character "
            f"{surrogate.start()}: not valid Unicode"
        )
    return text
