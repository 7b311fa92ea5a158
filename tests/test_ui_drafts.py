from __future__ import annotations

import pytest

from assistant.core.inputs import SourceError
from assistant.ui.rule_counts import texts_from_upload


def test_uploads_read_jsonl_or_one_draft_per_line():
    assert texts_from_upload(b'{"text": "a"}\n\n{"text": "b"}\n', "d.jsonl") == ["a", "b"]
    assert texts_from_upload(b"first\n\nsecond\n", "d.txt") == ["first", "second"]


def test_a_broken_upload_names_file_and_line():
    with pytest.raises(SourceError, match=r"d\.jsonl:3: not valid JSON"):
        texts_from_upload(b'{"text": "a"}\n\n{oops\n', "d.jsonl")


def test_an_uploaded_draft_is_not_split_at_a_unicode_line_separator():
    assert texts_from_upload("one\u2028still one\nTwo\r\n".encode(), "d.txt") == [
        "one\u2028still one",
        "Two",
    ]
