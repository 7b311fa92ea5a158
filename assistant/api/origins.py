"""Which web pages may call the API from a browser: the help desks' agent origins the user names.

None by default: a page on any site could otherwise ask this machine to check text, and the token
is what a browser extension or help-desk app holds, not every tab. `https://*.zendesk.com` names
every subdomain of a help desk, since each customer of a help desk has its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

ORIGINS_ENV = "REPLY_ASSISTANT_ALLOWED_ORIGINS"
_SCHEMES = ("https", "http", "chrome-extension", "moz-extension", "safari-web-extension")
_HOST = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)


class OriginError(ValueError):
    """An origin that cannot be allowed (the message names it and what is wrong)."""


@dataclass(frozen=True)
class AllowedOrigins:
    exact: tuple[str, ...] = ()
    wildcard: tuple[str, ...] = ()  # as given, e.g. https://*.zendesk.com

    @property
    def regex(self) -> str | None:
        """One anchored pattern for the wildcard origins (Starlette matches it in full)."""
        if not self.wildcard:
            return None
        parts = []
        for origin in self.wildcard:
            scheme, rest = origin.split("://", 1)
            host_port = rest[2:]  # after "*."
            parts.append(
                re.escape(scheme)
                + "://"
                + r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\."
                + re.escape(host_port)
            )
        return "(?:" + "|".join(parts) + ")"

    def allows(self, origin: str) -> bool:
        pattern = self.regex
        return origin in self.exact or bool(pattern and re.fullmatch(pattern, origin))

    def all(self) -> tuple[str, ...]:
        return (*self.exact, *self.wildcard)


def allowed_origins(
    given: Iterable[str] = (), environ: Mapping[str, str] | None = None
) -> AllowedOrigins:
    """--allow-origin values plus REPLY_ASSISTANT_ALLOWED_ORIGINS (comma or space separated)."""
    environ = os.environ if environ is None else environ
    from_env = re.split(r"[\s,]+", environ.get(ORIGINS_ENV, "").strip())
    exact: list[str] = []
    wildcard: list[str] = []
    for raw in [*given, *from_env]:
        if not raw:
            continue
        origin = normalise_origin(raw)
        target = wildcard if "://*." in origin else exact
        if origin not in target:
            target.append(origin)
    return AllowedOrigins(tuple(exact), tuple(wildcard))


def normalise_origin(raw: str) -> str:
    """`scheme://host[:port]` in lower case, as browsers send it in the Origin header."""
    origin = raw.strip().rstrip("/")
    if origin == "*":
        raise OriginError(
            "origin '*': every web site could call the API; name the help desk's origin "
            "(https://acme.zendesk.com, https://*.zendesk.com or chrome-extension://ID)"
        )
    if "://" not in origin:
        raise OriginError(
            f"origin {raw!r}: expected scheme://host[:port], e.g. https://acme.zendesk.com"
        )
    scheme, rest = origin.split("://", 1)
    scheme = scheme.lower()
    if scheme not in _SCHEMES:
        raise OriginError(f"origin {raw!r}: scheme must be one of {', '.join(_SCHEMES)}")
    if any(ch in rest for ch in "/?#@"):
        raise OriginError(
            f"origin {raw!r}: an origin has no path, query or user; just scheme://host[:port]"
        )
    host = rest[2:] if rest.startswith("*.") else rest
    try:
        parsed = urlsplit(f"{scheme}://{host}")
        port = parsed.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise OriginError(f"origin {raw!r}: the port must be a number from 1 to 65535") from None
    hostname = parsed.hostname or ""
    if not _HOST.match(hostname) or "*" in host:
        raise OriginError(
            f"origin {raw!r}: {host!r} is not a host name (a wildcard may only open it: https://*.example.com)"
        )
    if rest.startswith("*.") and "." not in hostname:
        raise OriginError(
            f"origin {raw!r}: a wildcard needs a domain under it (https://*.example.com)"
        )
    shown = hostname + (f":{port}" if port is not None else "")
    return f"{scheme}://{'*.' if rest.startswith('*.') else ''}{shown}"
