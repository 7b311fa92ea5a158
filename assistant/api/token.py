"""The per-install bearer token: created once, owner-only, read by every worker process."""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TOKEN_ENV = "REPLY_ASSISTANT_TOKEN"
APP_DIR_NAME = "reply-assistant"
TOKEN_FILE_NAME = "token"
# 32 random bytes: far beyond guessing, and short enough to paste into a help-desk app's settings.
TOKEN_BYTES = 32
# Fewer characters than token_urlsafe(16) gives would be a password, not a token.
MIN_TOKEN_CHARS = 22


class TokenError(ValueError):
    """A token that cannot be used (the message names the file or variable and why)."""


@dataclass(frozen=True)
class Token:
    value: str
    source: str  # where it came from, for messages: the file, or the environment variable
    created: bool = False  # made on this start: the one time its location is announced

    def matches(self, presented: str) -> bool:
        # Constant time: how much of a guess was right must not show in the answer's timing.
        return hmac.compare_digest(self.value.encode(), presented.encode())


def default_token_file(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR_NAME / TOKEN_FILE_NAME


def resolve_token(
    token_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Token:
    """REPLY_ASSISTANT_TOKEN when set, else the token file, created on first use."""
    environ = os.environ if environ is None else environ
    from_env = environ.get(TOKEN_ENV, "").strip()
    if from_env:
        _check_strength(from_env, TOKEN_ENV)
        return Token(from_env, TOKEN_ENV)
    path = Path(token_file) if token_file else default_token_file(environ)
    try:
        return Token(_read(path), str(path))
    except FileNotFoundError:
        pass
    return _create(path)


def _read(path: Path) -> str:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise TokenError(f"{path}: the token file is not a regular file")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Like ssh with a private key: a token others can read is no secret, so it is not used.
        raise TokenError(
            f"{path}: the token file can be read by other users (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); run `chmod 600 {path}`"
        )
    value = path.read_text(encoding="utf-8").strip()
    _check_strength(value, str(path))
    return value


def _create(path: Path) -> Token:
    value = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_EXCL: two workers starting at once cannot both write; the loser reads the winner's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Token(_read(path), str(path))
    except OSError as exc:
        raise TokenError(f"{path}: cannot create the token file: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return Token(value, str(path), created=True)


def _check_strength(value: str, source: str) -> None:
    if len(value) < MIN_TOKEN_CHARS:
        raise TokenError(
            f"{source}: the token has {len(value)} characters; use at least {MIN_TOKEN_CHARS} "
            "(delete the file and a new one is made on the next start)"
        )
    if not value.isascii() or any(ch.isspace() for ch in value):
        raise TokenError(f"{source}: the token must be printable ASCII without spaces")
