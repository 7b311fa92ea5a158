"""Who may edit the library on a team server: curators sign in with a password or a shared token.

A team page (`reply-assistant page --team`) keeps checking and composing open to everyone and asks
for a curator's sign-in before any library edit. Credentials come from a curators file, one
`name: hash` line per curator (the hash made by `reply-assistant curators add`, salted scrypt from
the standard library), from one shared token in REPLY_ASSISTANT_CURATOR_TOKEN, or from both.
Passwords are never stored, only their hashes; every comparison is constant-time, and an unknown
name costs as much time as a wrong password, so timing tells nobody which names exist.

The file format is also plain YAML (a mapping of names to strings); it is read line by line so
that every problem names its line:

    # curators of the Acme team page
    priya: scrypt$16384$8$1$<salt>$<key>
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.problems import display_path
from assistant.curation.saves import SaveError, update

TEAM_ENV = "REPLY_ASSISTANT_TEAM"
CURATORS_FILE_ENV = "REPLY_ASSISTANT_CURATORS"
CURATOR_TOKEN_ENV = "REPLY_ASSISTANT_CURATOR_TOKEN"
# A shared token is typed by no one and guessed by anyone who may reach the page: make it long.
MIN_TOKEN_LENGTH = 16
MIN_PASSWORD_LENGTH = 8
# Names go into the save log and the page: letters, digits and a few marks, no spaces or colons.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
FILE_MODE = 0o600

_SCHEME = "scrypt"
# scrypt cost for an interactive sign-in: 16 MiB and some tens of milliseconds per attempt.
_COST, _BLOCK_SIZE, _PARALLEL = 2**14, 8, 1
_SALT_BYTES, _KEY_BYTES = 16, 32
# A hash that asks for more than this is refused when the file is read, rather than letting one
# line of a file make every sign-in exhaust memory.
_MAX_COST, _MAX_BLOCK_SIZE, _MAX_PARALLEL = 2**17, 16, 4
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class CuratorsError(ValueError):
    """Curator credentials that cannot be used; the message names the file and line, or the
    environment variable, and what to do."""


@dataclass(frozen=True)
class _Scrypt:
    cost: int
    block_size: int
    parallel: int
    salt: bytes
    key: bytes

    def derive(self, secret: str) -> bytes:
        return hashlib.scrypt(
            secret.encode("utf-8"),
            salt=self.salt,
            n=self.cost,
            r=self.block_size,
            p=self.parallel,
            maxmem=128 * self.block_size * (self.cost + self.parallel) + 2**20,
            dklen=len(self.key),
        )


def hash_password(secret: str) -> str:
    """`scrypt$N$r$p$salt$key` (salt and key in base64), a new random salt each time."""
    if not secret:
        raise CuratorsError("the password is empty")
    salt = secrets.token_bytes(_SALT_BYTES)
    params = _Scrypt(_COST, _BLOCK_SIZE, _PARALLEL, salt, bytes(_KEY_BYTES))
    key = params.derive(secret)
    return "$".join((_SCHEME, str(_COST), str(_BLOCK_SIZE), str(_PARALLEL), _b64(salt), _b64(key)))


def check_password(secret: str, encoded: str) -> bool:
    """Whether secret is the password `encoded` was made from (ValueError for a malformed hash)."""
    params = _parse_hash(encoded)
    return hmac.compare_digest(params.derive(secret), params.key)


def is_valid_name(name: str) -> bool:
    return NAME_PATTERN.fullmatch(name) is not None


@dataclass(frozen=True)
class Curators:
    """The credentials a team page checks sign-ins against."""

    # Out of repr: a page that shows its settings must not show the token or the hashes.
    hashes: Mapping[str, str] = field(default_factory=dict, repr=False)
    token: str | None = field(default=None, repr=False)
    source: Path | None = None

    @classmethod
    def load(cls, path: Path | None, token: str | None) -> Curators:
        """The curators of `path` and/or the shared token; CuratorsError when neither gives a
        way to sign in, or when either is unusable."""
        token = token or None  # an empty variable is an unset one
        if token is not None and len(token) < MIN_TOKEN_LENGTH:
            raise CuratorsError(
                f"{CURATOR_TOKEN_ENV} is {len(token)} characters long; a shared curator token "
                f"needs at least {MIN_TOKEN_LENGTH} (for example: python3 -c "
                "'import secrets; print(secrets.token_urlsafe(24))')"
            )
        hashes: dict[str, str] = {}
        if path is not None:
            path = Path(path)
            hashes = parse_curators(_read(path), path)
            if not hashes and token is None:
                raise CuratorsError(
                    f"{display_path(path)} holds no curators: add one with "
                    f"`reply-assistant curators add NAME --file {display_path(path)}`"
                )
        elif token is None:
            raise CuratorsError(
                "no curator credentials: give a curators file (--curators FILE or "
                f"{CURATORS_FILE_ENV}) or a shared token ({CURATOR_TOKEN_ENV})"
            )
        return cls(hashes, token, path)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.hashes))

    def verify(self, name: str, secret: str) -> bool:
        """Whether `name` may sign in with `secret`: the curator's own password, or the shared
        token (which any well-formed name may use, for the save log)."""
        if not is_valid_name(name) or not secret:
            return False
        by_token = self.token is not None and hmac.compare_digest(
            secret.encode("utf-8"), self.token.encode("utf-8")
        )
        encoded = self.hashes.get(name)
        # An unknown name is checked against a stand-in hash: the same work as a wrong password.
        by_password = check_password(secret, encoded or _stand_in_hash()) and encoded is not None
        return by_token or by_password


@dataclass(frozen=True)
class TeamSettings:
    """What a team page needs: sign-in before library edits, checked against these curators."""

    curators: Curators


def team_settings_from_environment(environ: Mapping[str, str] | None = None) -> TeamSettings | None:
    """None for a page on this machine only; the team settings when REPLY_ASSISTANT_TEAM is on.
    CuratorsError when team mode is on but its credentials are missing or broken: the page must
    then refuse every library edit, never allow them unsigned."""
    env = os.environ if environ is None else environ
    value = env.get(TEAM_ENV, "").strip().lower()
    if value in _FALSE:
        return None
    if value not in _TRUE:
        raise CuratorsError(f"{TEAM_ENV}={env.get(TEAM_ENV)!r}: expected 1 (team page) or 0")
    file = env.get(CURATORS_FILE_ENV) or None
    return TeamSettings(Curators.load(Path(file) if file else None, env.get(CURATOR_TOKEN_ENV)))


def parse_curators(text: str, path: Path) -> dict[str, str]:
    """{name: hash} from a curators file's text; CuratorsError naming the file and line."""
    hashes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _entry(line)
        if entry is None:
            continue
        where = f"{display_path(path)}:{number}"
        if ":" not in line:
            raise CuratorsError(f"{where}: expected `name: hash`, found no colon")
        name, encoded = entry
        if not is_valid_name(name):
            raise CuratorsError(
                f"{where}: {name[:40]!r} is not a curator name (letters, digits and . _ @ + -, "
                "at most 64, starting with a letter or digit)"
            )
        if name in hashes:
            raise CuratorsError(f"{where}: {name} is listed twice")
        try:
            _parse_hash(encoded)
        except ValueError as exc:
            raise CuratorsError(
                f"{where}: the hash of {name} {exc}; make it with `reply-assistant curators add`"
            ) from None
        hashes[name] = encoded
    return hashes


def add_curator(path: Path, name: str, secret: str) -> bool:
    """Add `name` with the hash of `secret` to the curators file (created if missing, always left
    readable by its owner only); True when an existing curator's password was replaced."""
    if not is_valid_name(name):
        raise CuratorsError(
            f"{name[:40]!r} is not a curator name (letters, digits and . _ @ + -, at most 64, "
            "starting with a letter or digit)"
        )
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise CuratorsError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    path = Path(path)
    encoded = hash_password(secret)
    replaced = False

    def change(current: str) -> str:
        nonlocal replaced
        parse_curators(current, path)  # a broken file is reported, never rewritten half-read
        lines = current.splitlines()
        for index, line in enumerate(lines):
            entry = _entry(line)
            if entry is not None and entry[0] == name:
                lines[index] = f"{name}: {encoded}"
                replaced = True
        if not replaced:
            lines.append(f"{name}: {encoded}")
        return "\n".join(lines) + "\n"

    try:
        _restrict(path)
        # A save keeps the file's mode, so the replacement is owner-only from its first byte.
        update(path, change)
    except SaveError as exc:
        raise CuratorsError(str(exc)) from exc
    return replaced


def _restrict(path: Path) -> None:
    """Create the file owner-only, or take group and others' access away from an existing one."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        os.chmod(path, FILE_MODE)
    except OSError as exc:
        raise CuratorsError(
            f"{display_path(path)} cannot be created ({exc.strerror or exc})"
        ) from exc
    else:
        os.close(handle)


def _entry(line: str) -> tuple[str, str] | None:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    name, _, encoded = stripped.partition(":")
    return name.strip(), encoded.strip()


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CuratorsError(
            f"{display_path(path)} does not exist: create it with "
            f"`reply-assistant curators add NAME --file {display_path(path)}`"
        ) from None
    except OSError as exc:
        raise CuratorsError(f"{display_path(path)} cannot be read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CuratorsError(f"{display_path(path)}:{line}: not UTF-8 text") from None


def _parse_hash(encoded: str) -> _Scrypt:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        raise ValueError("is not of the form scrypt$N$r$p$salt$key")
    try:
        cost, block_size, parallel = (int(part) for part in parts[1:4])
        salt, key = (
            base64.b64decode(parts[4], validate=True),
            base64.b64decode(parts[5], validate=True),
        )
    except (ValueError, binascii.Error):
        raise ValueError("has a part that is not a number or not base64") from None
    if not (
        1 < cost <= _MAX_COST
        and cost & (cost - 1) == 0
        and 0 < block_size <= _MAX_BLOCK_SIZE
        and 0 < parallel <= _MAX_PARALLEL
    ):
        raise ValueError(
            f"asks for scrypt parameters out of range (N={cost}, r={block_size}, p={parallel})"
        )
    if len(salt) < 8 or len(key) < 16:
        raise ValueError("has a salt or key too short to be one made here")
    return _Scrypt(cost, block_size, parallel, salt, key)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@functools.cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
