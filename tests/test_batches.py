"""Batches and terminal output against hostile input: lines Python's JSON reader chokes on, lone
surrogates, streaming through a pipe, line separators inside strings, terminal escapes, crashes."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import time
from typing import Any

import pytest
from cli_runner import run_cli

from assistant.core.inputs import SourceError, read_text_records
from assistant.engine import Engine

EXIT_SOFTWARE = 70


def strict_json(line: str) -> Any:
    """Parses as a strict reader (another language's JSON library) would: no NaN or Infinity."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} written to the output: not JSON")

    return json.loads(line, parse_constant=refuse)


def output_lines(stdout: str) -> list[dict[str, Any]]:
    return [strict_json(line) for line in stdout.splitlines()]


GOOD_FIRST = {"id": "first", "text": "Thanks for your patience, I've sent the refund today."}
GOOD_LAST = {"id": "last", "text": "You should have read the email we sent."}

# Each line is valid enough to fool a first glance; each must become its own error object.
HOSTILE_LINES = {
    "lone surrogate in text": ('{"id": "s1", "text": "Sorry \\ud83d for the wait."}', "s1"),
    "lone surrogate in id": ('{"id": "s2\\udc00", "text": "Fine."}', None),
    "lone surrogate in case_type": (
        '{"id": "s3", "text": "Fine.", "case_type": "\\ud800"}',
        "s3",
    ),
    "5,000-digit number": ('{"id": ' + "9" * 5000 + ', "text": "Fine."}', None),
    "deep nesting": (
        '{"id": "n", "text": "Fine.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        None,
    ),
    "NaN": ('{"id": NaN, "text": "Fine."}', None),
    "Infinity": ('{"id": "i", "text": "Fine.", "score": Infinity}', None),
    "-Infinity": ('{"id": -Infinity, "text": "Fine."}', None),
    "number out of range": ('{"id": 1e999, "text": "Fine."}', None),
}


def test_hostile_lines_become_error_objects_and_the_batch_goes_on():
    lines = [json.dumps(GOOD_FIRST), *(line for line, _ in HOSTILE_LINES.values())]
    lines.append(json.dumps(GOOD_LAST))
    result = run_cli("check", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 2, result.stderr  # some lines could not be processed
    objs = output_lines(result.stdout)  # every output line is strict JSON, and UTF-8 (run_cli)
    assert [o["id"] for o in objs] == ["first", *(i for _, i in HOSTILE_LINES.values()), "last"]
    assert objs[0]["labels"] == [] and objs[-1]["labels"] == ["blame_shifting"]
    for number, (name, obj) in enumerate(zip(HOSTILE_LINES, objs[1:-1], strict=True), start=2):
        assert set(obj) == {"id", "line", "error"}, name
        assert obj["line"] == number, name
    errors = dict(zip(HOSTILE_LINES, (o["error"] for o in objs[1:-1]), strict=True))
    assert errors["lone surrogate in text"] == (
        "field 'text' is not valid Unicode: lone surrogate \\ud83d at offset 6 "
        "(half of a UTF-16 pair)"
    )
    assert errors["lone surrogate in id"].startswith("id is not valid Unicode: lone surrogate")
    assert errors["lone surrogate in case_type"].startswith("field 'case_type' is not valid")
    assert errors["5,000-digit number"] == "a number has 5,000 digits; the limit is 4,300"
    assert errors["deep nesting"] == "arrays or objects nested too deeply"
    assert errors["NaN"] == "not valid JSON: NaN is not a JSON value"
    assert errors["Infinity"] == "not valid JSON: Infinity is not a JSON value"
    assert errors["-Infinity"] == "not valid JSON: -Infinity is not a JSON value"
    assert errors["number out of range"] == "number 1e999 is out of range"
    assert "9 line(s) of <stdin> could not be processed" in result.stderr


def test_an_unexpected_error_in_one_line_is_that_lines_error(monkeypatch):
    review = Engine.review

    def flaky_review(self: Engine, text: str, *args: Any, **kwargs: Any) -> Any:
        if text == "boom":
            raise RuntimeError("tokenizer fell over")
        return review(self, text, *args, **kwargs)

    monkeypatch.setattr(Engine, "review", flaky_review)
    batch = "".join(
        json.dumps({"id": i, "text": text}) + "\n" for i, text in enumerate(["Hi.", "boom", "Bye."])
    )
    result = run_cli("check", "--jsonl", stdin=batch)
    assert result.returncode == 2
    objs = output_lines(result.stdout)
    assert [o["id"] for o in objs] == [0, 1, 2]
    assert objs[1] == {
        "id": 1,
        "line": 2,
        "error": "internal error on this line: RuntimeError: tokenizer fell over",
    }


def test_an_unexpected_error_while_reading_one_line_is_that_lines_error(monkeypatch):
    from assistant.core import inputs

    parse = inputs.parse_json_line

    def flaky_parse(line: str) -> Any:
        if "boom" in line:
            raise MemoryError
        return parse(line)

    monkeypatch.setattr(inputs, "parse_json_line", flaky_parse)
    batch = '{"id": 1, "text": "Hi."}\n{"id": 2, "text": "boom"}\n{"id": 3, "text": "Bye."}\n'
    result = run_cli("check", "--jsonl", stdin=batch)
    objs = output_lines(result.stdout)
    assert [o["id"] for o in objs] == [1, None, 3]
    assert objs[1] == {"id": None, "line": 2, "error": "internal error on this line: MemoryError"}
    assert result.returncode == 2


def test_a_result_that_would_need_nan_is_an_error_not_invalid_json(monkeypatch):
    review = Engine.review

    class NanResult:
        findings = ()

        def to_dict(self, record_id: Any = None) -> dict[str, Any]:
            return {"id": record_id, "score": float("nan")}

    def nan_review(self: Engine, text: str, *args: Any, **kwargs: Any) -> Any:
        return NanResult() if text == "nan" else review(self, text, *args, **kwargs)

    monkeypatch.setattr(Engine, "review", nan_review)
    batch = json.dumps({"id": "a", "text": "nan"}) + "\n" + json.dumps({"id": "b", "text": "Hi."})
    result = run_cli("check", "--jsonl", stdin=batch)
    objs = output_lines(result.stdout)
    assert [o["id"] for o in objs] == ["a", "b"]
    assert objs[0]["error"].startswith("internal error on this line: ValueError: Out of range")
    assert result.returncode == 2


def test_a_crash_outside_any_line_has_its_own_exit_code(monkeypatch):
    def broken_load(_args: Any) -> Engine:
        raise RuntimeError("the library cache is corrupt")

    monkeypatch.setattr("assistant.cli.commands._load_engine", broken_load)
    result = run_cli("check", "--jsonl", stdin=json.dumps(GOOD_FIRST) + "\n")
    assert result.returncode == EXIT_SOFTWARE  # never 1, which CI reads as "findings"
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        "reply-assistant: internal error: RuntimeError: the library cache is corrupt (at "
    )


def _read_line(stream: Any, deadline: float) -> bytes:
    """One output line, or AssertionError when it has not come by the deadline."""
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([stream], [], [], max(remaining, 0))
        assert ready, f"no answer within the deadline (got {data!r} so far)"
        chunk = os.read(stream.fileno(), 65536)
        assert chunk, f"output closed early (got {data!r})"
        data += chunk
    return data


@pytest.mark.skipif(os.name != "posix", reason="select() on a pipe")
def test_a_batch_answers_each_line_before_the_input_ends(tmp_path, rules_dir, valid_rule_text):
    # A small library: the process starts faster, and streaming does not depend on the rules.
    library = rules_dir({"draft/demo.yml": valid_rule_text})
    command = [sys.executable, "-m", "assistant", "--rules-dir", str(library), "check", "--jsonl"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        deadline = time.monotonic() + 60  # the start (spaCy) is slow on a loaded machine
        for number, text in enumerate(["You should have called.", "Thanks."], start=1):
            process.stdin.write(json.dumps({"id": number, "text": text}).encode() + b"\n")
            process.stdin.flush()
            answer = json.loads(_read_line(process.stdout, deadline))
            assert answer["id"] == number
            assert process.poll() is None  # still waiting for more input
        process.stdin.close()
        assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""


def test_line_separators_inside_a_string_do_not_split_a_record():
    text = "First part.\u2028Second part.\u0085Third, \u2029 you should have called."
    batch = json.dumps({"id": "sep", "text": text}, ensure_ascii=False) + "\r\n\r\n"
    batch += json.dumps({"id": "after", "text": "Thanks."}) + "\r\n"
    result = run_cli("check", "--jsonl", stdin=batch.encode("utf-8"))
    objs = output_lines(result.stdout)
    assert [o["id"] for o in objs] == ["sep", "after"]
    [finding] = objs[0]["findings"]
    assert text[finding["start"] : finding["end"]] == finding["text"] == "you should have called"
    assert result.returncode == 0


def test_blank_lines_are_skipped_but_counted():
    batch = '\n  \n{"id": "x"}\n\r\n{"oops\n'
    objs = output_lines(run_cli("check", "--jsonl", stdin=batch).stdout)
    assert [o["line"] for o in objs] == [3, 5]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": NaN}', "set.jsonl:1: not valid JSON: NaN is not a JSON value"),
        ('{"text": "a", "n": ' + "1" * 5000 + "}", "set.jsonl:1: a number has 5,000 digits"),
        ('{"text": "a", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "set.jsonl:1: arrays or"),
        ('{"text": "half \\udbff"}', "set.jsonl:1: field 'text' is not valid Unicode"),
        ('{"id": "\\udbff", "text": "a"}', "set.jsonl:1: not valid Unicode: lone surrogate"),
    ],
)
def test_whole_file_readers_name_the_line_python_cannot_read(line, message):
    with pytest.raises(SourceError) as raised:
        read_text_records(line.encode() + b"\n", "set.jsonl")
    assert str(raised.value).startswith(message)


def test_whole_file_readers_keep_line_separators_and_crlf():
    data = '{"text": "one\u2028two"}\r\n\r\n{"text": "three"}\r\n'.encode()
    assert [r["text"] for r in read_text_records(data, "set.jsonl")] == ["one\u2028two", "three"]


def test_terminal_controls_in_a_draft_are_shown_escaped_with_the_caret_aligned():
    draft = "Hi\x1b]0;pwned\x07 \u202eok\u202c\tthere.\x9b\x7f You should have called.\r\n"
    result = run_cli("check", stdin=draft)
    lines = result.stdout.splitlines()
    for control in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b", "\x7f", "\r"):
        assert control not in result.stdout
    shown = next(line for line in lines if line.startswith("  line 1: "))
    assert shown == (
        "  line 1: Hi\\x1b]0;pwned\\x07 \\u202eok\\u202c     there.\\x9b\\x7f You should have called."
    )
    caret = lines[lines.index(shown) + 1]
    assert caret.index("^") == shown.index("You should have")
    assert caret.strip() == "^" * len("You should have called")


def test_wide_and_combining_characters_keep_the_caret_aligned():
    result = run_cli("check", stdin="\uff20\uff20 cafe\u0301 you should have called.")
    lines = result.stdout.splitlines()
    shown = next(line for line in lines if line.startswith("  line 1: "))
    caret = lines[lines.index(shown) + 1]
    # Two full-width characters take four columns; the combining accent takes none.
    assert caret.index("^") == shown.index("you should have") + 2 - 1


def test_a_file_name_that_is_not_utf8_still_gives_valid_output(tmp_path):
    name = os.fsdecode(b"draft-\xff.txt")
    (tmp_path / name).write_text("You should have called.", encoding="utf-8")
    as_json = run_cli("check", name, "--format", "json", cwd=tmp_path)
    assert strict_json(as_json.stdout)["id"] == "draft-\\xff.txt"
    as_text = run_cli("check", name, cwd=tmp_path)
    assert as_text.stdout.startswith("draft-\\xff.txt: 1 finding")


def test_a_single_text_never_reaches_the_checker_with_a_surrogate(tmp_path):
    # UTF-8 forbids encoded surrogates (CESU-8 style); the strict decoder refuses them by name.
    draft = tmp_path / "draft.txt"
    draft.write_bytes(b"Sorry \xed\xa0\xbd for the wait.")
    result = run_cli("check", str(draft))
    assert result.returncode == 2
    assert "not valid UTF-8 (byte 0xed at offset 6)" in result.stderr


def test_read_batch_takes_lines_as_they_come():
    from assistant.core.inputs import BatchItem, read_batch

    arrived: list[str] = []

    def lines() -> Any:
        for raw in (b'\xef\xbb\xbf{"id": 1, "text": "a"}\n', b'{"id": 2, "text": "b"}\n'):
            arrived.append(raw.decode("utf-8-sig"))
            yield raw

    items = read_batch(lines(), "<stdin>")
    first = next(items)
    assert isinstance(first, BatchItem) and first.id == 1 and len(arrived) == 1
    assert [item.id for item in items] == [2]


def test_a_missing_batch_file_is_named():
    result = run_cli("check", "--jsonl", "no-such-batch.jsonl")
    assert result.returncode == 2
    assert result.stderr == "reply-assistant: no-such-batch.jsonl: no such file\n"


class _MeasuredStream(io.BytesIO):
    """Records the largest piece handed out, to show a line is never held whole."""

    largest = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        piece = super().readline(size)
        self.largest = max(self.largest, len(piece))
        return piece


def test_a_line_too_long_for_any_record_is_an_error_read_in_bounded_pieces():
    from assistant.core.inputs import MAX_LINE_BYTES, BatchError, lines_of, read_batch

    endless = b'{"id": "big", "text": "' + b"a" * (5 * MAX_LINE_BYTES) + b'"}\n'
    stream = _MeasuredStream(endless + b'{"id": "after", "text": "Thanks."}\n')
    items = list(read_batch(lines_of(stream, "<stdin>"), "<stdin>"))
    assert stream.largest <= MAX_LINE_BYTES + 1
    error, after = items
    assert isinstance(error, BatchError) and error.line == 1
    assert f"line is {len(endless):,} bytes" in error.error
    assert after.id == "after" and after.line == 2


def test_a_line_just_within_the_bound_is_read_as_a_record():
    from assistant.core.inputs import MAX_LINE_BYTES, BatchItem, lines_of, read_batch

    head, tail = b'{"id": "edge", "text": "', b'"}'
    line = head + b"a" * (MAX_LINE_BYTES - len(head) - len(tail)) + tail
    [item] = read_batch(lines_of(io.BytesIO(line + b"\n"), "<stdin>"), "<stdin>")
    assert isinstance(item, BatchItem) and item.id == "edge"
    # No line end at all: the last line of a file without a final newline
    [item] = read_batch(lines_of(io.BytesIO(line), "<stdin>"), "<stdin>")
    assert isinstance(item, BatchItem)


def test_an_overlong_line_in_a_cli_batch_is_that_lines_error():
    batch = '{"id": "big", "text": "' + "b" * 1_200_000 + '"}\n{"id": "ok", "text": "Fine."}\n'
    result = run_cli("check", "--jsonl", stdin=batch.encode())
    objs = output_lines(result.stdout)
    assert [o.get("id") for o in objs] == [None, "ok"]
    assert objs[0]["line"] == 1 and "a record line holds at most" in objs[0]["error"]
    assert result.returncode == 2
