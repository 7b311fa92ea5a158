"""The per-install token file and the allowed-origin list of `reply-assistant serve`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from assistant.api.origins import OriginError, allowed_origins
from assistant.api.token import TOKEN_ENV, TokenError, default_token_file, resolve_token


def test_first_start_creates_an_owner_only_token_and_later_starts_reuse_it(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "reply-assistant" / "token"
    first = resolve_token(path, environ={})
    assert first.created and first.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first.value) >= 40
    again = resolve_token(path, environ={})
    assert not again.created and again.value == first.value


def test_default_location_follows_xdg_config_home(tmp_path: Path) -> None:
    assert default_token_file({"XDG_CONFIG_HOME": str(tmp_path)}) == (
        tmp_path / "reply-assistant" / "token"
    )
    token = resolve_token(None, environ={"XDG_CONFIG_HOME": str(tmp_path)})
    assert (tmp_path / "reply-assistant" / "token").read_text().strip() == token.value


def test_two_installs_get_different_tokens(tmp_path: Path) -> None:
    assert (
        resolve_token(tmp_path / "a", environ={}).value
        != resolve_token(tmp_path / "b", environ={}).value
    )


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    token = resolve_token(path, environ={TOKEN_ENV: "from-the-environment-0123456789"})
    assert token.value == "from-the-environment-0123456789" and token.source == TOKEN_ENV
    assert not path.exists()


def test_a_token_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("a-token-long-enough-to-be-one-00000\n")
    path.chmod(0o644)
    with pytest.raises(TokenError, match=r"other users .*chmod 600"):
        resolve_token(path, environ={})


@pytest.mark.parametrize("value", ["short", "has a space inside it 0123456789"])
def test_weak_or_malformed_tokens_are_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(TokenError, match=TOKEN_ENV):
        resolve_token(tmp_path / "token", environ={TOKEN_ENV: value})


def test_token_comparison(tmp_path: Path) -> None:
    token = resolve_token(tmp_path / "token", environ={})
    assert token.matches(token.value)
    assert not token.matches(token.value[:-1])
    assert not token.matches(token.value + "x")
    assert not token.matches("")


def test_origins_from_flags_and_environment() -> None:
    origins = allowed_origins(
        ["https://Acme.Zendesk.com/", "chrome-extension://abcdefghijklmnop"],
        environ={
            "REPLY_ASSISTANT_ALLOWED_ORIGINS": "https://*.freshdesk.com, http://localhost:3000"
        },
    )
    assert origins.exact == (
        "https://acme.zendesk.com",
        "chrome-extension://abcdefghijklmnop",
        "http://localhost:3000",
    )
    assert origins.wildcard == ("https://*.freshdesk.com",)
    assert origins.allows("https://team.freshdesk.com")
    assert not origins.allows("https://freshdesk.com")
    assert not origins.allows("https://team.freshdesk.com.evil.example")
    assert not origins.allows("http://team.freshdesk.com")


def test_no_origins_by_default() -> None:
    origins = allowed_origins([], environ={})
    assert origins.all() == () and origins.regex is None
    assert not origins.allows("https://acme.zendesk.com")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("*", "every web site"),
        ("acme.zendesk.com", "expected scheme://host"),
        ("ftp://acme.example", "scheme must be one of"),
        ("https://acme.zendesk.com/agent", "no path"),
        ("https://user@acme.example", "no path"),
        ("https://acme.*.com", "not a host name"),
        ("https://*.com", "a wildcard needs a domain"),
        ("https://acme.example:99999", "port"),
    ],
)
def test_origins_that_cannot_be_allowed_are_named(raw: str, words: str) -> None:
    with pytest.raises(OriginError, match=words) as caught:
        allowed_origins([raw], environ={})
    assert repr(raw) in str(caught.value) or raw == "*"
