from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import CliResult, run_cli

from assistant import __version__
from assistant.core.categories import ALL_CATEGORIES, SEVERITIES


def run(*args: str, stdin: str | bytes = "", cwd: Path | None = None) -> CliResult:
    return run_cli(*args, stdin=stdin, cwd=cwd)


def out(result: CliResult) -> str:
    return result.stdout


def err(result: CliResult) -> str:
    return result.stderr


def assert_result_schema(obj: dict, text: str) -> None:
    assert set(obj) == {"id", "labels", "findings", "readability"}
    for finding in obj["findings"]:
        assert finding["category"] in ALL_CATEGORIES
        assert finding["severity"] in SEVERITIES
        assert text[finding["start"] : finding["end"]] == finding["text"]
        assert isinstance(finding["message"], str) and finding["message"]
        assert isinstance(finding["suggestions"], list)
        assert finding["suggestions"] == finding["replacements"] + finding["advice"]
    expected = sorted(
        {f["category"] for f in obj["findings"] if f["severity"] in ("warning", "error")}
    )
    assert obj["labels"] == expected
    assert set(obj["readability"]) == {"flesch_reading_ease", "grade", "words", "sentences"}


def test_check_text_output_marks_the_span_for_a_person():
    result = run("check", stdin="Thanks.\nYou should have read our email.\n")
    text = out(result)
    assert result.returncode == 0  # warnings do not reach the default --fail-on error
    assert "line 2: You should have read our email." in text
    assert "^^^^^^^^^^^^^^^^^^^^" in text
    assert "warning · blame_shifting · blame.you-should-have" in text
    assert "try:" in text
    assert "readability:" in text


def test_check_text_output_tells_replacements_deletions_and_advice_apart():
    draft = "Sorry for the hassle. You're lucky, I've refunded it."
    text = out(run("check", stdin=draft))
    assert "    replace with: Sorry about this\n" in text
    assert "    delete: “You're lucky”\n" in text
    assert "    try: I've …\n" in text  # advice keeps its ellipsis: it is never pasted
    assert "replace with: \n" not in text


def test_check_json_single_draft(tmp_path):
    draft = tmp_path / "draft.txt"
    body = "We're sorry for any inconvenience. We will take legal action."
    draft.write_text(body, encoding="utf-8")
    result = run("check", str(draft), "--format", "json")
    assert result.returncode == 1  # a threat is an error
    obj = json.loads(out(result))
    assert_result_schema(obj, body)
    assert obj["labels"] == ["hollow_apology", "threat"]


@pytest.mark.parametrize(
    ("fail_on", "code"), [("never", 0), ("error", 0), ("warning", 1), ("suggestion", 1)]
)
def test_fail_on_levels(fail_on, code):
    assert (
        run("check", "--fail-on", fail_on, stdin="Sorry for any inconvenience.").returncode == code
    )


def test_jsonl_batch_schema_order_and_broken_lines():
    good = [
        {"id": "R1", "text": "Sorry for any inconvenience, you should have read the email."},
        {"id": 7, "text": "I've refunded the £42 today; it'll show within 3-5 working days."},
        {"id": "R3", "text": "Our decision is final.", "case_type": None},
    ]
    lines = [
        json.dumps(good[0]),
        "{not json",
        json.dumps(good[1]),
        json.dumps({"id": "R-missing"}),
        "",
        json.dumps(good[2]),
        json.dumps({"id": "R-bad", "text": 5}),
    ]
    result = run("check", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 2  # broken lines, reported after every other line was processed
    objs = [json.loads(line) for line in out(result).splitlines()]
    assert [o.get("id") for o in objs] == ["R1", None, 7, "R-missing", "R3", "R-bad"]
    assert objs[1] == {"id": None, "line": 2, "error": objs[1]["error"]}
    assert "not valid JSON" in objs[1]["error"]
    assert objs[3] == {"id": "R-missing", "line": 4, "error": "missing field 'text'"}
    assert objs[5]["line"] == 7 and "must be a string" in objs[5]["error"]
    for obj, record in zip([objs[0], objs[2], objs[4]], good, strict=True):
        assert_result_schema(obj, record["text"])
    assert objs[0]["labels"] == ["blame_shifting", "hollow_apology"]
    assert objs[2]["labels"] == []
    assert objs[4]["labels"] == ["stonewalling"]


def test_jsonl_invalid_utf8_line_is_reported_and_the_rest_processed():
    data = b'{"id": "a", "text": "fine"}\n{"id": "b", "text": "\xff\xfe"}\n{"id": "c", "text": "also fine"}\n'
    result = run("check", "--jsonl", stdin=data)
    objs = [json.loads(line) for line in out(result).splitlines()]
    assert [o.get("id") for o in objs] == ["a", None, "c"]
    assert "UTF-8" in objs[1]["error"]
    assert result.returncode == 2


def test_jsonl_clean_batch_exits_by_fail_on():
    batch = json.dumps({"id": 1, "text": "Thanks, I've sent it."}) + "\n"
    assert run("check", "--jsonl", stdin=batch).returncode == 0
    threat = json.dumps({"id": 2, "text": "We will take legal action."}) + "\n"
    assert run("check", "--jsonl", stdin=batch + threat).returncode == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x00\x01\x02binary", "binary"), (b"caf\xe9 latte", "not valid UTF-8")],
)
def test_unreadable_files_exit_2_with_a_message(tmp_path, content, message):
    path = tmp_path / "draft.txt"
    path.write_bytes(content)
    result = run("check", str(path))
    assert result.returncode == 2
    assert message in err(result)
    assert "Traceback" not in err(result)


def test_missing_file_and_usage_errors_exit_2(tmp_path):
    missing = run("check", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "no such file" in err(missing)
    assert run("check", "--format", "yaml").returncode == 2
    assert run().returncode == 2


def test_huge_draft_is_refused_clearly():
    result = run("check", stdin="word " * 300_000)
    assert result.returncode == 2
    assert "limit" in err(result)


def test_empty_draft_says_so():
    result = run("check", stdin="")
    assert result.returncode == 0
    assert "empty" in out(result)


def test_rules_list_validate_and_test_on_the_shipped_library():
    listed = run("rules", "list")
    assert listed.returncode == 0 and "blame.you-should-have" in out(listed)
    assert run("rules", "validate").returncode == 0
    tested = run("rules", "test")
    assert tested.returncode == 0
    assert out(tested).strip().endswith("0 failed")


def test_rules_test_names_a_failing_example(rules_dir, valid_rule_text):
    root = rules_dir(
        {
            "a.yml": valid_rule_text.replace(
                'pass: ["We should have called."]', 'pass: ["You should have called."]'
            )
        }
    )
    result = run("--rules-dir", str(root), "rules", "test")
    assert result.returncode == 1
    assert "FAIL demo.you-should-have [pass] 'You should have called.'" in out(result)


def test_entry_points_run_as_real_processes(tmp_path):
    """The console script and `python -m assistant` start the same CLI, from any folder."""
    draft = tmp_path / "draft.txt"
    draft.write_text("You should have read our email.", encoding="utf-8")
    script = shutil.which("reply-assistant") or str(Path(sys.executable).parent / "reply-assistant")
    for command in ([script], [sys.executable, "-m", "assistant"]):
        checked = subprocess.run(
            [*command, "check", str(draft), "--format", "json", "--fail-on", "warning"],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert checked.returncode == 1, checked.stderr
        assert json.loads(checked.stdout)["labels"] == ["blame_shifting"]
    version = subprocess.run(
        [script, "--version"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert version.stdout.strip() == f"reply-assistant {__version__}"


def test_version_and_help_need_no_library():
    assert run("--version").stdout.strip() == f"reply-assistant {__version__}"
    assert "page" in run("--help").stdout


def test_a_bug_in_any_command_exits_70_with_one_line(monkeypatch):
    import assistant.library.loader as loader

    def broken(*args, **kwargs):
        raise RuntimeError("the loader broke")

    monkeypatch.setattr(loader, "collect", broken)
    result = run("rules", "validate")
    assert result.returncode == 70
    assert "internal error: RuntimeError: the loader broke" in result.stderr
    assert "Traceback" not in result.stderr
