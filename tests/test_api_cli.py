"""`reply-assistant serve` refuses a start it cannot make safely, by name, before binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--allow-origin", "*"], "every web site"),
        (["--allow-origin", "https://acme.zendesk.com/agent"], "no path"),
        (["--port", "0"], "a port is a number from 1 to 65535"),
        (["--workers", "0"], "at least 1"),
    ],
)
def test_unsafe_or_impossible_starts_are_usage_errors(
    tmp_path: Path, args: list[str], words: str
) -> None:
    result = run_cli("serve", "--token-file", str(tmp_path / "token"), *args)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_a_token_file_others_can_read_stops_the_start(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REPLY_ASSISTANT_TOKEN", raising=False)
    token = tmp_path / "token"
    token.write_text("a-token-that-is-long-enough-000000\n")
    token.chmod(0o640)
    result = run_cli("serve", "--token-file", str(token))
    assert result.returncode == 2
    assert "chmod 600" in result.stderr
    assert "a-token-that-is-long-enough" not in result.stderr


def test_block_on_takes_the_severities() -> None:
    result = run_cli("serve", "--block-on", "severe")
    assert result.returncode == 2 and "--block-on" in result.stderr


def test_help_names_the_defaults_and_the_token() -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    assert "127.0.0.1" in result.stdout and "8765" in result.stdout
    assert "REPLY_ASSISTANT_TOKEN" in result.stdout and "--allow-origin" in result.stdout
