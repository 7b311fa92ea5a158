"""Property tests for the other ways in: compose contexts (`--set`, context files) and the JSONL
readers. Invariants: nothing is raised but the documented errors, every line of a batch gets one
answer, what comes out is strict JSON, and the same input gives the same output.

Bounded and derandomized by the profiles in conftest.py (HYPOTHESIS_PROFILE=deep searches longer).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.cli.context_input import parse_setting, read_context
from assistant.compose.render import ComposeError
from assistant.core.inputs import (
    BatchError,
    BatchItem,
    SourceError,
    lines_of,
    read_batch,
    read_text_records,
)
from assistant.library.templates import list_case_types

CONTEXT_KEYS = [
    "customer_name",
    "company_name",
    "agent_name",
    "order_number",
    "item",
    "quantity",
    "amount",
    "currency",
    "order_value",
    "fault",
    "high_value_customer",
    "deadline",
    "repeat_contact",
    "prior_claims",
    "threat_present",
    "next_update",
    "variant",
]
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    ANY_TEXT,
    st.sampled_from(["2026-02-30", "2026-12-24", "tomorrow", "1e999", "company", "GBP", "-5"]),
    st.dates().map(dt.date.isoformat),
    st.dates(),
    st.datetimes(),
)
VALUES = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(ANY_TEXT, SCALARS, max_size=2)
)
CONTEXTS = st.dictionaries(
    st.one_of(st.sampled_from(CONTEXT_KEYS), ANY_TEXT), VALUES, max_size=10
).map(lambda context: {"agent_name": "Jo", "company_name": "Acme", **context})


@pytest.fixture(scope="module")
def case_types(engine) -> list[str]:
    return list_case_types(engine.templates_dir)


def _composed_or_named_error(engine, case_type: str, context: dict) -> str:
    try:
        composed = engine.compose(case_type, context, today=dt.date(2026, 12, 1))
    except ComposeError as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        return "error: " + message
    # Money and counts the customer reads are real numbers, never "nan" or "inf"
    for word in ("£nan", "$nan", "€nan", "£inf", "$inf", "€inf", "£-"):
        assert word not in composed.text
    composed.text.encode("utf-8")
    return composed.text


@given(context=CONTEXTS, pick=st.integers(min_value=0))
def test_compose_gives_a_reply_or_a_named_error_for_any_context(engine, case_types, context, pick):
    case_type = case_types[pick % len(case_types)]
    first = _composed_or_named_error(engine, case_type, context)
    assert _composed_or_named_error(engine, case_type, context) == first


@given(item=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_a_set_option_is_a_value_or_a_named_error(engine, case_types, item):
    try:
        key, value = parse_setting(item)
    except SourceError as exc:
        assert "--set" in str(exc)
        return
    context = {"agent_name": "Jo", "company_name": "Acme", key: value}
    _composed_or_named_error(engine, case_types[0], context)


@given(body=st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=120))
def test_a_context_file_is_a_mapping_or_a_named_error(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("ctx") / "context.yml"
    path.write_bytes(body.encode("utf-8", "surrogatepass"))
    try:
        context = read_context(str(path))
    except SourceError as exc:
        assert str(exc).startswith(str(path))
        return
    assert isinstance(context, dict) and all(isinstance(key, str) for key in context)


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
RECORD_LINES = st.one_of(
    # Records with the contract's fields, of any type
    st.fixed_dictionaries(
        {}, optional={"id": JSON_VALUES, "text": JSON_VALUES, "case_type": JSON_VALUES}
    ).map(lambda record: json.dumps(record).encode()),
    # Raw bytes: broken JSON, invalid UTF-8, line separators, escapes of lone surrogates
    st.binary(max_size=40).map(lambda raw: raw.replace(b"\n", b" ")),
    st.sampled_from(
        [b'{"text": "\\ud83d"}', b'{"text": NaN}', b'{"id": 1e999, "text": "a"}', b"   ", b""]
    ),
)


@given(lines=st.lists(RECORD_LINES, max_size=8))
def test_every_non_blank_batch_line_gets_exactly_one_answer(lines):
    import io

    stream = io.BytesIO(b"\n".join(lines) + b"\n")
    answers = list(read_batch(lines_of(stream, "<stdin>"), "<stdin>"))
    expected = [number for number, line in enumerate(lines, start=1) if line.strip()]
    # A first line that is only a byte-order mark plus blanks is blank too
    if lines and lines[0].startswith(b"\xef\xbb\xbf") and not lines[0][3:].strip():
        expected = expected[1:]
    assert [answer.line for answer in answers] == expected
    for answer in answers:
        if isinstance(answer, BatchItem):
            assert isinstance(answer.text, str)
            answer.text.encode("utf-8")
        else:
            assert isinstance(answer, BatchError) and answer.error
        # Each answer can be written as strict JSON in UTF-8
        shown = answer.to_dict() if isinstance(answer, BatchError) else {"id": answer.id}
        json.dumps(shown, ensure_ascii=False, allow_nan=False).encode("utf-8")


@given(lines=st.lists(RECORD_LINES, max_size=6))
def test_whole_file_readers_give_records_or_one_named_error(lines):
    data = b"\n".join(lines)
    try:
        records = read_text_records(data, "set.jsonl")
    except SourceError as exc:
        assert str(exc).startswith("set.jsonl")
        return
    for record in records:
        assert isinstance(record["text"], str)
        json.dumps(record, ensure_ascii=False, allow_nan=False).encode("utf-8")
        assert all(not isinstance(v, float) or math.isfinite(v) for v in record.values())
