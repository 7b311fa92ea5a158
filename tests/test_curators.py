"""Curator sign-in for a team page: salted scrypt hashes, a shared token, clear file errors, and
`reply-assistant curators add` writing an owner-only file."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from cli_runner import run_cli

from assistant.cli import commands
from assistant.curation import curators as curators_module
from assistant.curation.curators import (
    CURATOR_TOKEN_ENV,
    CURATORS_FILE_ENV,
    TEAM_ENV,
    Curators,
    CuratorsError,
    TeamSettings,
    add_curator,
    check_password,
    hash_password,
    team_settings_from_environment,
)

PASSWORD = "lantern-orchard-42"
TOKEN = "shared-token-for-the-desk-0123"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def curators_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "curators",
        f"# the support desk's curators\n\nmina: {hash_password(PASSWORD)}\n"
        f"olu: {hash_password('another-secret-99')}\n",
    )


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_hash_is_salted_and_checks_only_its_own_password():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second  # a new salt each time: equal passwords do not show as equal hashes
    assert first.startswith("scrypt$") and PASSWORD not in first
    assert check_password(PASSWORD, first) and check_password(PASSWORD, second)
    assert not check_password(PASSWORD + "!", first)
    assert not check_password("", first)


def test_verify_accepts_each_curator_with_their_own_password_only(curators_file):
    curators = Curators.load(curators_file, None)
    assert curators.names == ("mina", "olu")
    assert curators.verify("mina", PASSWORD)
    assert curators.verify("olu", "another-secret-99")
    assert not curators.verify("olu", PASSWORD)  # someone else's password
    assert not curators.verify("mina", "lantern-orchard-43")
    assert not curators.verify("nobody", PASSWORD)
    assert not curators.verify("mina", "")


def test_an_unknown_name_costs_a_full_hash_check(curators_file, monkeypatch):
    # Timing must not tell which names exist: an unknown name is checked against a stand-in hash.
    curators = Curators.load(curators_file, None)
    checked: list[str] = []
    real = curators_module.check_password

    def spy(secret: str, encoded: str) -> bool:
        checked.append(encoded)
        return real(secret, encoded)

    monkeypatch.setattr(curators_module, "check_password", spy)
    assert not curators.verify("nobody", PASSWORD)
    assert len(checked) == 1 and checked[0].startswith("scrypt$")


def test_the_shared_token_signs_in_any_well_formed_name():
    curators = Curators.load(None, TOKEN)
    assert curators.verify("desk-lead", TOKEN)
    assert curators.verify("sam", TOKEN)
    assert not curators.verify("sam", TOKEN[:-1])
    assert not curators.verify("sam", TOKEN + "x")
    # The name goes into the save log: a name with a line break or a colon is refused.
    assert not curators.verify("sam\nmina", TOKEN)
    assert not curators.verify("sam: x", TOKEN)
    assert not curators.verify("", TOKEN)


def test_file_and_token_together_accept_either(curators_file):
    curators = Curators.load(curators_file, TOKEN)
    assert TOKEN not in repr(curators) and "scrypt$" not in repr(curators)
    assert curators.verify("mina", PASSWORD)
    assert curators.verify("someone", TOKEN)
    assert not curators.verify("someone", PASSWORD)


def test_a_short_token_is_refused_naming_the_variable():
    with pytest.raises(CuratorsError, match=f"{CURATOR_TOKEN_ENV} is 6 characters long"):
        Curators.load(None, "secret")


def test_no_credentials_at_all_is_an_error_naming_both_sources():
    with pytest.raises(CuratorsError) as caught:
        Curators.load(None, None)
    assert CURATORS_FILE_ENV in str(caught.value) and CURATOR_TOKEN_ENV in str(caught.value)
    with pytest.raises(CuratorsError):
        Curators.load(None, "")  # an empty variable counts as unset


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("mina scrypt$1$2$3$4$5\n", 1, "expected `name: hash`"),
        ("# ok\nmina: {good}\nmina: {good}\n", 3, "mina is listed twice"),
        ("\n\nsam lee: {good}\n", 3, "is not a curator name"),
        ("mina: {good}\nolu: plaintext-password\n", 2, "the hash of olu is not of the form"),
        ("olu: scrypt$16384$8$1$***$AAAA\n", 1, "not a number or not base64"),
        ("olu: scrypt$1048576$64$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5\n", 1, "out of range"),
        ("olu: scrypt$16384$8$1$c2FsdA==$a2V5\n", 1, "too short"),
    ],
)
def test_a_bad_curators_file_names_file_and_line(tmp_path, text, line, problem):
    path = write(tmp_path / "team-curators", text.format(good=hash_password(PASSWORD)))
    with pytest.raises(CuratorsError) as caught:
        Curators.load(path, None)
    message = str(caught.value)
    assert f"team-curators:{line}: " in message
    assert problem in message


def test_a_missing_empty_or_binary_file_says_what_to_do(tmp_path):
    with pytest.raises(CuratorsError, match="does not exist: create it with `reply-assistant"):
        Curators.load(tmp_path / "absent", None)
    empty = write(tmp_path / "empty", "# nobody yet\n")
    with pytest.raises(CuratorsError, match="holds no curators"):
        Curators.load(empty, None)
    assert Curators.load(empty, TOKEN).verify("sam", TOKEN)  # the token alone is enough
    binary = tmp_path / "binary"
    binary.write_bytes(b"mina: x\n\xff\xfe\n")
    with pytest.raises(CuratorsError, match=r"binary:2: not UTF-8"):
        Curators.load(binary, None)


def test_team_settings_follow_the_environment(curators_file):
    assert team_settings_from_environment({}) is None
    assert team_settings_from_environment({TEAM_ENV: "0", CURATOR_TOKEN_ENV: TOKEN}) is None
    settings = team_settings_from_environment(
        {TEAM_ENV: "1", CURATORS_FILE_ENV: str(curators_file)}
    )
    assert isinstance(settings, TeamSettings)
    assert settings.curators.verify("mina", PASSWORD)
    by_token = team_settings_from_environment({TEAM_ENV: "1", CURATOR_TOKEN_ENV: TOKEN})
    assert by_token is not None and by_token.curators.verify("lee", TOKEN)


def test_team_mode_without_credentials_is_an_error_not_an_open_page():
    with pytest.raises(CuratorsError, match="no curator credentials"):
        team_settings_from_environment({TEAM_ENV: "1"})
    with pytest.raises(CuratorsError, match=TEAM_ENV):
        team_settings_from_environment({TEAM_ENV: "maybe", CURATOR_TOKEN_ENV: TOKEN})


def test_add_curator_creates_an_owner_only_file_and_replaces_a_password(tmp_path):
    path = tmp_path / "secrets" / "curators"
    assert add_curator(path, "mina", PASSWORD) is False
    assert mode_of(path) == 0o600
    assert add_curator(path, "olu", "another-secret-99") is False
    assert add_curator(path, "mina", "a-new-password-7") is True
    curators = Curators.load(path, None)
    assert curators.names == ("mina", "olu")
    assert curators.verify("mina", "a-new-password-7")
    assert not curators.verify("mina", PASSWORD)
    assert mode_of(path) == 0o600
    assert PASSWORD not in path.read_text(encoding="utf-8")


def test_add_curator_tightens_a_readable_file_and_keeps_its_comments(tmp_path):
    path = write(tmp_path / "curators", "# kept\n")
    path.chmod(0o644)
    add_curator(path, "mina", PASSWORD)
    assert mode_of(path) == 0o600
    assert path.read_text(encoding="utf-8").startswith("# kept\nmina: scrypt$")


def test_add_curator_refuses_bad_names_short_passwords_and_broken_files(tmp_path):
    with pytest.raises(CuratorsError, match="is not a curator name"):
        add_curator(tmp_path / "c", "two words", PASSWORD)
    with pytest.raises(CuratorsError, match="at least 8 characters"):
        add_curator(tmp_path / "c", "mina", "short")
    broken = write(tmp_path / "broken", "this line has no colon\n")
    with pytest.raises(CuratorsError, match="broken:1: expected"):
        add_curator(broken, "mina", PASSWORD)
    assert broken.read_text(encoding="utf-8") == "this line has no colon\n"


def test_cli_curators_add_reads_the_password_from_stdin(tmp_path):
    path = tmp_path / "curators"
    result = run_cli(
        "curators", "add", "mina", "--file", str(path), "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert "added curator mina" in result.stdout
    assert mode_of(path) == 0o600
    assert Curators.load(path, None).verify("mina", PASSWORD)  # the line break is not part of it
    again = run_cli(
        "curators", "add", "mina", "--file", str(path), "--password-stdin", stdin="a-new-password-7"
    )
    assert again.returncode == 0 and "replaced the password of curator mina" in again.stdout
    assert Curators.load(path, None).verify("mina", "a-new-password-7")


def test_cli_curators_add_takes_the_file_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "from-env"
    monkeypatch.setenv(CURATORS_FILE_ENV, str(path))
    result = run_cli("curators", "add", "olu", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert Curators.load(path, None).verify("olu", PASSWORD)


def test_cli_curators_add_usage_errors(tmp_path, monkeypatch):
    monkeypatch.delenv(CURATORS_FILE_ENV, raising=False)
    no_file = run_cli("curators", "add", "mina", "--password-stdin", stdin=PASSWORD)
    assert no_file.returncode == 2 and "--file FILE" in no_file.stderr
    path = tmp_path / "curators"
    # Without --password-stdin the password is asked on a terminal; a pipe is refused, not echoed.
    no_terminal = run_cli("curators", "add", "mina", "--file", str(path), stdin=PASSWORD)
    assert no_terminal.returncode == 2 and "--password-stdin" in no_terminal.stderr
    empty = run_cli("curators", "add", "mina", "--file", str(path), "--password-stdin", stdin="\n")
    assert empty.returncode == 2 and "no password" in empty.stderr
    bad_name = run_cli(
        "curators", "add", "a:b", "--file", str(path), "--password-stdin", stdin=PASSWORD
    )
    assert bad_name.returncode == 2 and "not a curator name" in bad_name.stderr
    assert not path.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("second", "expected"), [(PASSWORD, PASSWORD), (PASSWORD + "-typo", None)])
def test_on_a_terminal_the_password_is_asked_twice_without_echo(monkeypatch, second, expected):
    answers = iter([PASSWORD, second])
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(commands.getpass, "getpass", getpass)
    monkeypatch.setattr(commands.sys, "stdin", _Terminal())
    if expected is None:
        with pytest.raises(commands.PasswordInputError, match="differ"):
            commands._read_password(from_stdin=False)
    else:
        assert commands._read_password(from_stdin=False) == expected
    assert len(prompts) == 2
