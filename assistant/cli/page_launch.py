"""The Streamlit command line and environment of `reply-assistant page`, built without running it.

Every setting of the page's shipped .streamlit/config.toml is passed again as a flag: Streamlit
reads that file beside the script, but a STREAMLIT_* variable in someone's environment would win
over a file, and a flag wins over both. The address and port come from the command line; only
`--team` may serve other machines, and then curators must sign in before any library edit.

Streamlit asks the outside world for the machine's IP address (checkip.amazonaws.com) in two
places: the start banner when bound to every interface, which a set browser.serverAddress
avoids, and the check of a WebSocket from a foreign web page, which no setting avoids. For that
one, and for anything else in the page's process that would reach out over HTTP, the process's
proxy settings point at a closed port on this machine: such a request fails here at once.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

from assistant.core import resources
from assistant.curation.curators import (
    CURATOR_TOKEN_ENV,
    CURATORS_FILE_ENV,
    TEAM_ENV,
    Curators,
    CuratorsError,
)

LOOPBACK_ADDRESS = "127.0.0.1"
# Every interface: a team page serves other machines by design.
TEAM_ADDRESS = "0.0.0.0"
DEFAULT_PORT = 8501
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
# Port 9 (discard) is closed on almost every machine; where it is not, a request still stays here.
NO_EGRESS_PROXY = f"http://{LOOPBACK_ADDRESS}:9"
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
_NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")


class PageUsageError(ValueError):
    """A `page` command line that must not start (the message says which option and why)."""


@dataclass(frozen=True)
class PageLaunch:
    command: list[str]
    env: dict[str, str]
    settings: dict[str, Any]  # every Streamlit setting the command passes, by dotted name

    @property
    def url(self) -> str:
        host = str(self.settings["browser.serverAddress"]).strip("[]")
        shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL takes brackets
        return f"http://{shown}:{self.settings['server.port']}"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def shipped_settings(config_file: Path | None = None) -> dict[str, Any]:
    """The shipped config.toml as {"section.option": value}."""
    path = config_file or resources.page_config()
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    return {
        f"{section}.{option}": value
        for section, options in document.items()
        for option, value in options.items()
    }


def streamlit_flags(settings: Mapping[str, Any]) -> list[str]:
    """`--section.option value` for each setting; a list is the flag repeated, as Streamlit's
    multi-value options take it."""
    flags: list[str] = []
    for name, value in settings.items():
        for item in value if isinstance(value, list) else [value]:
            flags += [f"--{name}", _flag_value(item)]
    return flags


def build_page_launch(
    *,
    port: int = DEFAULT_PORT,
    host: str | None = None,
    team: bool = False,
    curators_file: str | Path | None = None,
    rules_dir: str | Path | None = None,
    templates_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    script: Path | None = None,
    config_file: Path | None = None,
) -> PageLaunch:
    """The command and environment that start the page; PageUsageError for a command line that
    would serve other machines without --team, or a team page anyone could edit."""
    environ = dict(os.environ if environ is None else environ)
    if not 0 < port < 65536:
        raise PageUsageError(f"--port {port}: a port is a number from 1 to 65535")
    settings = shipped_settings(config_file)
    if team:
        address = TEAM_ADDRESS if host is None else host
        _check_credentials(curators_file, environ)
        display = _display_name(address)
        settings["browser.serverAddress"] = display
        # Colleagues reach the page by whatever name the network gives this machine.
        settings["server.allowedHosts"] = ["*"]
    else:
        if host is not None and not is_loopback(host):
            raise PageUsageError(
                f"--host {host} would serve the page to other machines, where anyone could edit "
                "the library: add --team, and curators sign in before any edit"
            )
        if curators_file is not None:
            raise PageUsageError("--curators applies to a team page only: add --team")
        address = LOOPBACK_ADDRESS if host is None else host
        settings["browser.serverAddress"] = address
        allowed = list(settings.get("server.allowedHosts", []))
        if allowed and address.strip("[]") not in allowed:
            allowed.append(address.strip("[]"))
            settings["server.allowedHosts"] = allowed
    settings["server.address"] = address
    settings["server.port"] = port

    env = _page_environment(environ, team, curators_file, rules_dir, templates_dir)
    page = script or resources.page_script()
    command = [sys.executable, "-m", "streamlit", "run", str(page), *streamlit_flags(settings)]
    return PageLaunch(command, env, settings)


def _check_credentials(curators_file: str | Path | None, environ: Mapping[str, str]) -> None:
    file = curators_file or environ.get(CURATORS_FILE_ENV) or None
    token = environ.get(CURATOR_TOKEN_ENV) or None
    if file is None and token is None:
        raise PageUsageError(
            "--team needs curator credentials, or anyone on the network could edit the library: "
            f"give --curators FILE (or set {CURATORS_FILE_ENV}), made with "
            f"`reply-assistant curators add NAME --file FILE`, or set {CURATOR_TOKEN_ENV}"
        )
    try:
        Curators.load(Path(file) if file else None, token)
    except CuratorsError as exc:
        raise PageUsageError(str(exc)) from exc


def _page_environment(
    environ: dict[str, str],
    team: bool,
    curators_file: str | Path | None,
    rules_dir: str | Path | None,
    templates_dir: str | Path | None,
) -> dict[str, str]:
    env = dict(environ)
    for variable, directory in (
        (resources.RULES_DIR_ENV, rules_dir),
        (resources.TEMPLATES_DIR_ENV, templates_dir),
    ):
        if directory:
            env[variable] = str(Path(directory).resolve())
    # The flag decides, not a variable left over in the shell.
    env.pop(TEAM_ENV, None)
    if team:
        env[TEAM_ENV] = "1"
        if curators_file is not None:
            # Absolute: the page may run from another folder than this command.
            env[CURATORS_FILE_ENV] = str(Path(curators_file).resolve())
    for variable in _PROXY_VARIABLES:
        env[variable] = env[variable.upper()] = NO_EGRESS_PROXY
    for variable in _NO_PROXY_VARIABLES:
        # A "*" here would exempt every address from the proxy above.
        env[variable] = ""
    return env


def _display_name(address: str) -> str:
    """The name the start banner shows colleagues: this machine's name for a wildcard address."""
    if address not in WILDCARD_ADDRESSES:
        return address
    # The plain host name: a fully qualified one would take a DNS query.
    return socket.gethostname()


def _flag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
