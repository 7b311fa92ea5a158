"""The development sets are data other tools read: keep them well-formed and as composed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.core.categories import DRAFT_CATEGORIES, MESSAGE_CATEGORIES

DATA = Path(__file__).parent / "data"


def records(name: str) -> list[dict]:
    return [
        json.loads(line)
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("dev_replies.jsonl", DRAFT_CATEGORIES),
        ("holdout_replies.jsonl", DRAFT_CATEGORIES),
        ("dev_messages.jsonl", MESSAGE_CATEGORIES),
        ("holdout_messages.jsonl", MESSAGE_CATEGORIES),
    ],
)
def test_records_are_consistent(name, labels):
    rows = records(name)
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert row["labels"] == sorted(set(row["labels"])), row["id"]
        assert set(row["labels"]) <= set(labels), row["id"]
        assert {span["label"] for span in row["spans"]} == set(row["labels"]), row["id"]
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["text"], row["id"]


def test_reply_set_composition():
    rows = records("dev_replies.jsonl")
    assert len(rows) >= 250
    assert sum(not row["labels"] for row in rows) / len(rows) >= 0.40
    counts = Counter(label for row in rows for label in row["labels"])
    for label in DRAFT_CATEGORIES:
        assert counts[label] >= (10 if label in ("threat", "youre_lucky") else 15), label


def test_holdout_texts_are_not_in_the_development_set():
    dev = {row["text"] for row in records("dev_replies.jsonl")}
    assert not dev & {row["text"] for row in records("holdout_replies.jsonl")}
