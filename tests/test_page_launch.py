"""`reply-assistant page`: loopback by default, other machines only with --team and credentials,
and nothing asked of the outside world. The command line is checked as built; real pages are
started as .ci/wheel starts them and probed with sockets, on loopback and this machine's own
addresses only."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import tomllib
from cli_runner import run_cli

from assistant.cli import commands
from assistant.cli.page_launch import (
    NO_EGRESS_PROXY,
    PageLaunch,
    PageUsageError,
    build_page_launch,
    is_loopback,
    shipped_settings,
)
from assistant.core import resources
from assistant.curation.curators import (
    CURATOR_TOKEN_ENV,
    CURATORS_FILE_ENV,
    TEAM_ENV,
    hash_password,
)

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "a-long-shared-token-for-tests-0042"
CLEAN_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
START_TIMEOUT = 90.0


def flags_of(command: Sequence[str]) -> dict[str, list[str]]:
    """`--name value` pairs after `streamlit run SCRIPT`, a repeated flag as several values."""
    assert list(command[1:4]) == ["-m", "streamlit", "run"]
    rest = list(command[5:])
    assert len(rest) % 2 == 0, rest
    flags: dict[str, list[str]] = {}
    for name, value in zip(rest[::2], rest[1::2], strict=True):
        assert name.startswith("--"), name
        flags.setdefault(name[2:], []).append(value)
    return flags


def launch(*, environ: dict[str, str] | None = None, **options: object) -> PageLaunch:
    return build_page_launch(environ=CLEAN_ENV if environ is None else environ, **options)


# --- the shipped configuration -------------------------------------------------------------


def test_the_shipped_config_keeps_the_page_on_this_machine_and_quiet():
    settings = shipped_settings()
    assert settings["server.address"] == "127.0.0.1"
    assert settings["server.headless"] is True
    assert settings["server.showEmailPrompt"] is False
    assert settings["browser.gatherUsageStats"] is False
    assert settings["client.showErrorLinks"] == "false"
    assert settings["client.toolbarMode"] == "viewer"
    assert set(settings["server.allowedHosts"]) == {"localhost", "127.0.0.1"}


def test_the_checkout_config_is_the_shipped_one():
    # `streamlit run app.py` in the checkout reads ./.streamlit/config.toml: the same settings.
    checkout = ROOT / ".streamlit" / "config.toml"
    if not checkout.exists():
        pytest.skip("not a checkout: no .streamlit/config.toml beside app.py")
    with checkout.open("rb") as handle:
        assert tomllib.load(handle) == tomllib.load(resources.page_config().open("rb"))


def test_the_shipped_config_is_listed_in_package_data():
    # Without it an installed wheel has no page settings and `page` refuses to start.
    with (ROOT / "pyproject.toml").open("rb") as handle:
        patterns = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["assistant"]
    assert "data/.streamlit/config.toml" in patterns, (
        'add "data/.streamlit/config.toml" to [tool.setuptools.package-data] assistant'
    )


# --- the command line as built ---------------------------------------------------------------


def test_by_default_every_shipped_setting_is_a_flag_and_the_page_binds_loopback():
    built = launch(port=8642)
    flags = flags_of(built.command)
    assert built.command[0] == sys.executable
    assert built.command[4] == str(resources.page_script())
    for name in shipped_settings():
        assert name in flags, name
    assert flags["server.address"] == ["127.0.0.1"]
    assert flags["server.port"] == ["8642"]
    assert flags["server.headless"] == ["true"]
    assert flags["browser.gatherUsageStats"] == ["false"]
    assert flags["server.showEmailPrompt"] == ["false"]
    # A set browser.serverAddress is what keeps Streamlit's start banner from its IP lookup.
    assert flags["browser.serverAddress"] == ["127.0.0.1"]
    assert sorted(flags["server.allowedHosts"]) == ["127.0.0.1", "localhost"]
    assert built.url == "http://127.0.0.1:8642"
    assert TEAM_ENV not in built.env


def test_the_page_process_sends_any_http_request_to_a_closed_local_port():
    built = launch(environ={**CLEAN_ENV, "NO_PROXY": "*", "no_proxy": "*", "HTTPS_PROXY": ""})
    for variable in ("http_proxy", "HTTPS_PROXY", "all_proxy"):
        assert built.env[variable] == NO_EGRESS_PROXY
    assert built.env["NO_PROXY"] == built.env["no_proxy"] == ""
    # What the page's own libraries make of that environment, asked in a process that has it.
    probe = (
        "import json, urllib.request, requests.utils;"
        "url = 'https://checkip.amazonaws.com';"
        "print(json.dumps([requests.utils.get_environ_proxies(url), urllib.request.getproxies(),"
        " bool(urllib.request.proxy_bypass('checkip.amazonaws.com'))]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=built.env, capture_output=True, text=True, check=True
    ).stdout
    by_requests, by_urllib, bypassed = json.loads(out)
    assert by_requests["https"] == NO_EGRESS_PROXY and by_requests["http"] == NO_EGRESS_PROXY
    assert by_urllib["https"] == NO_EGRESS_PROXY
    assert not bypassed
    assert ipaddress.ip_address(NO_EGRESS_PROXY.split("//")[1].split(":")[0]).is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_a_loopback_host_needs_no_team(host):
    built = launch(host=host)
    flags = flags_of(built.command)
    assert flags["server.address"] == [host]
    assert host.strip("[]") in flags["server.allowedHosts"]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "desk-server.example"])
def test_a_host_other_machines_reach_is_refused_without_team(host):
    with pytest.raises(PageUsageError, match="add --team"):
        launch(host=host)
    result = run_cli("page", "--host", host)
    assert result.returncode == 2
    assert f"--host {host} would serve the page to other machines" in result.stderr
    assert "--team" in result.stderr


def test_team_without_credentials_is_a_usage_error_naming_what_is_missing(monkeypatch):
    for variable in (CURATORS_FILE_ENV, CURATOR_TOKEN_ENV):
        monkeypatch.delenv(variable, raising=False)
    result = run_cli("page", "--team")
    assert result.returncode == 2
    for missing in ("--curators FILE", CURATORS_FILE_ENV, CURATOR_TOKEN_ENV):
        assert missing in result.stderr


def test_team_with_a_broken_curators_file_names_the_file_and_line(tmp_path):
    broken = tmp_path / "curators"
    broken.write_text(f"mina: {hash_password('lantern-orchard-42')}\nolu: not-a-hash\n", "utf-8")
    result = run_cli("page", "--team", "--curators", str(broken))
    assert result.returncode == 2
    assert "curators:2: the hash of olu" in result.stderr


def test_team_with_a_short_token_is_refused(monkeypatch):
    monkeypatch.setenv(CURATOR_TOKEN_ENV, "short")
    result = run_cli("page", "--team")
    assert result.returncode == 2 and CURATOR_TOKEN_ENV in result.stderr


def test_curators_without_team_is_refused(tmp_path):
    result = run_cli("page", "--curators", str(tmp_path / "curators"))
    assert result.returncode == 2 and "add --team" in result.stderr


def test_a_port_out_of_range_is_refused():
    result = run_cli("page", "--port", "70000")
    assert result.returncode == 2 and "--port 70000" in result.stderr


def test_team_binds_every_interface_and_tells_the_page(tmp_path):
    curators = tmp_path / "curators"
    curators.write_text(f"mina: {hash_password('lantern-orchard-42')}\n", "utf-8")
    built = launch(team=True, curators_file=curators, port=9001)
    flags = flags_of(built.command)
    assert flags["server.address"] == ["0.0.0.0"]
    assert flags["server.allowedHosts"] == ["*"]
    shown = flags["browser.serverAddress"][0]
    assert shown not in ("0.0.0.0", "::", "") and shown == socket.gethostname()
    assert built.env[TEAM_ENV] == "1"
    assert built.env[CURATORS_FILE_ENV] == str(curators.resolve())
    assert built.env["https_proxy"] == NO_EGRESS_PROXY  # team or not, nothing leaves


def test_team_with_a_token_and_an_explicit_host(monkeypatch):
    built = launch(team=True, host="192.0.2.7", environ={**CLEAN_ENV, CURATOR_TOKEN_ENV: TOKEN})
    flags = flags_of(built.command)
    assert flags["server.address"] == ["192.0.2.7"]
    assert flags["browser.serverAddress"] == ["192.0.2.7"]
    assert built.env[TEAM_ENV] == "1" and built.env[CURATOR_TOKEN_ENV] == TOKEN


def test_team_mode_follows_the_flag_not_a_leftover_variable():
    built = launch(environ={**CLEAN_ENV, TEAM_ENV: "1", CURATOR_TOKEN_ENV: TOKEN})
    assert TEAM_ENV not in built.env
    assert flags_of(built.command)["server.address"] == ["127.0.0.1"]


def test_the_command_runs_what_was_built(monkeypatch, tmp_path):
    # page() becomes Streamlit with execve: caught here, so the test process stays itself.
    seen: list[tuple[str, list[str], dict[str, str]]] = []

    def fake_execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        seen.append((path, argv, env))
        raise SystemExit(0)

    monkeypatch.setattr(commands.os, "execve", fake_execve)
    monkeypatch.setenv(CURATOR_TOKEN_ENV, TOKEN)
    rules = tmp_path / "rules"
    result = run_cli("--rules-dir", str(rules), "page", "--team", "--port", "9123")
    assert result.returncode == 0, result.stderr
    [(path, argv, env)] = seen
    assert path == sys.executable
    flags = flags_of(argv)
    assert flags["server.port"] == ["9123"] and flags["server.address"] == ["0.0.0.0"]
    assert env[TEAM_ENV] == "1"
    assert env[resources.RULES_DIR_ENV] == str(rules.resolve())
    assert "library edits need a curator's sign-in" in result.stderr


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
     ("LOCALHOST", True), ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("vm", False)],
)  # fmt: skip
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


# --- real pages ------------------------------------------------------------------------------


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def own_addresses() -> list[str]:
    """This machine's own IPv4 addresses other than loopback, from its name, `hostname -I` and
    `ip -4 addr`; none are looked up anywhere."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        found.update(str(info[4][0]) for info in infos)
    for command, pattern in (
        (["hostname", "-I"], r"(\S+)"),
        (["ip", "-4", "-o", "addr", "show"], r"\binet (\d+\.\d+\.\d+\.\d+)"),  # not its brd
    ):
        if shutil.which(command[0]) is None:
            continue
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found.update(re.findall(pattern, out))
    addresses = []
    for text in sorted(found):
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            continue  # an IPv6 address from `hostname -I`: a team page binds IPv4 only
        if not (address.is_loopback or address.is_unspecified or address.is_multicast):
            addresses.append(str(address))
    return addresses


def health(address: str, port: int, timeout: float = 2.0) -> str | None:
    """The page's health answer, or None when nothing answers there. http.client takes no proxy
    from the environment: the probe goes straight to the address."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request("GET", "/_stcore/health")
        response = connection.getresponse()
        return response.read().decode() if response.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def reachable(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=2):
            return True
    except OSError:
        return False


@contextmanager
def running(
    command: Sequence[str], env: dict[str, str], port: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while health("127.0.0.1", port) != "ok":
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the page did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield process
    finally:
        # Only this process group: the page and whatever it started, nothing else.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def cli_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("reply-assistant")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "assistant", *args]


def page_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (TEAM_ENV, CURATORS_FILE_ENV, CURATOR_TOKEN_ENV)
    }
    return {**env, **extra}


def websocket_from(origin: str, port: int) -> str:
    """The status line the page answers to a WebSocket opened by a web page at `origin`."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            (
                "GET /_stcore/stream HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        return sock.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


def test_the_page_answers_on_loopback_only(tmp_path):
    addresses = own_addresses()
    if not addresses:
        pytest.skip("this machine has no address but loopback: nothing to probe from outside")
    port = free_port("0.0.0.0")
    with running(cli_command("page", "--port", str(port)), page_env(), port, tmp_path / "page.log"):
        assert health("127.0.0.1", port) == "ok"
        for address in addresses:
            assert not reachable(address, port), f"the page answers on {address}:{port}"
    banner = (tmp_path / "page.log").read_text(errors="replace")
    assert f"URL: http://127.0.0.1:{port}" in banner and "External URL" not in banner

    # The probe can see a page on those addresses: a team page, bound to them all, answers there.
    port = free_port("0.0.0.0")
    team = cli_command("page", "--team", "--port", str(port))
    with running(team, page_env(**{CURATOR_TOKEN_ENV: TOKEN}), port, tmp_path / "team.log"):
        for address in addresses:
            assert health(address, port) == "ok", f"the team page does not answer on {address}"
    banner = (tmp_path / "team.log").read_text(errors="replace")
    assert "External URL" not in banner and "Network URL" not in banner


def test_the_ip_lookup_of_a_foreign_websocket_goes_to_the_local_proxy(tmp_path):
    # A web page elsewhere opening the page's WebSocket makes Streamlit ask checkip.amazonaws.com
    # for this machine's address; the launch environment sends that request to a proxy on this
    # machine. Here the proxy is a listener of the test's own, to see the request arrive.
    received: list[bytes] = []
    with socket.socket() as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen(8)
        trap.settimeout(30)
        trap_url = f"http://127.0.0.1:{trap.getsockname()[1]}"

        def accept() -> None:
            try:
                while True:
                    connection, _ = trap.accept()
                    with connection:
                        connection.settimeout(5)
                        received.append(connection.recv(4096))
            except OSError:
                pass

        listener = threading.Thread(target=accept, daemon=True)
        listener.start()
        port = free_port()
        built = build_page_launch(port=port, environ=page_env())
        env = {k: (trap_url if v == NO_EGRESS_PROXY else v) for k, v in built.env.items()}
        with running(built.command, env, port, tmp_path / "page.log"):
            assert websocket_from("http://elsewhere.example", port).split(" ")[1] == "403"
            assert websocket_from(f"http://127.0.0.1:{port}", port).split(" ")[1] == "101"
            deadline = time.monotonic() + 10
            while (
                not any(b"checkip.amazonaws.com" in r for r in received)
                and time.monotonic() < deadline
            ):
                time.sleep(0.2)
    assert any(b"checkip.amazonaws.com" in request for request in received), received


STRACE = shutil.which("strace")


@pytest.mark.skipif(STRACE is None, reason="strace is not installed: connections cannot be traced")
def test_a_team_page_connects_to_nothing_outside_this_machine(tmp_path):
    """Every connection the page's processes open, traced from start to a loaded page and a
    refused foreign WebSocket: TCP only to this machine, and a UDP socket pointed elsewhere
    (Streamlit's way to learn its own address) never sends."""
    trace = tmp_path / "trace.log"
    port = free_port("0.0.0.0")
    command = [STRACE, "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg,sendmmsg,write,writev,close", "-o", str(trace),
               *cli_command("page", "--team", "--port", str(port))]  # fmt: skip
    env = page_env(**{CURATOR_TOKEN_ENV: TOKEN})
    try:
        with running(command, env, port, tmp_path / "page.log"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/")
            assert connection.getresponse().status == 200
            connection.close()
            assert websocket_from("http://elsewhere.example", port).split(" ")[1] == "403"
            time.sleep(3)  # the lookup's attempts happen after the refusal is sent
    except pytest.fail.Exception:
        if "ptrace" in (tmp_path / "page.log").read_text(errors="replace").lower():
            pytest.skip("this machine does not allow tracing (ptrace)")
        raise
    problems = outward_connections(trace.read_text(errors="replace"))
    assert problems == [], "\n".join(problems)


_SOCKET = re.compile(r"^(\d+)\s+socket\((AF_INET6?), (SOCK_\w+)")
_RESULT = re.compile(r"\)\s+=\s+(\d+)$")
_SOCKET_RESUMED = re.compile(r"^(\d+)\s+<\.\.\. socket resumed>.*\)\s+=\s+(\d+)$")
_CONNECT = re.compile(
    r"^(\d+)\s+connect\((\d+), \{sa_family=(AF_INET6?), sin6?_port=htons\((\d+)\)"
    r'.*?inet_(?:addr|pton)\((?:AF_INET6, )?"([^"]+)"'
)
_SEND = re.compile(r"^(\d+)\s+(?:sendto|sendmsg|sendmmsg|write|writev)\((\d+),")
_ADDRESS = re.compile(r'inet_(?:addr|pton)\((?:AF_INET6, )?"([^"]+)"')
_CLOSE = re.compile(r"^(\d+)\s+close\((\d+)")


def outward_connections(trace: str) -> list[str]:
    """Trace lines that reach beyond this machine: a TCP connect to another address, or data sent
    on a UDP socket connected to one. Descriptors are shared by a process's threads, so they are
    followed across traced tasks; a closed one is forgotten. A socket whose kind was not seen
    counts as TCP: the doubt goes against the page."""
    kinds: dict[str, str] = {}
    pending: dict[str, str] = {}  # task -> kind of a socket() call still unfinished
    pointed_outside: set[str] = set()
    problems: list[str] = []
    for line in trace.splitlines():
        if match := _SOCKET.match(line):
            if result := _RESULT.search(line):
                kinds[result.group(1)] = match.group(3)
            else:
                pending[match.group(1)] = match.group(3)
        elif match := _SOCKET_RESUMED.match(line):
            if match.group(1) in pending:
                kinds[match.group(2)] = pending.pop(match.group(1))
        elif match := _CONNECT.match(line):
            fd, address = match.group(2), match.group(5)
            if ipaddress.ip_address(address).is_loopback:
                continue
            if kinds.get(fd, "SOCK_STREAM") == "SOCK_DGRAM":
                pointed_outside.add(fd)
            else:
                problems.append(line)
        elif match := _SEND.match(line):
            # Sent on a socket pointed elsewhere, or to an address given with the data.
            to = _ADDRESS.search(line)
            if match.group(2) in pointed_outside or (
                to is not None and not ipaddress.ip_address(to.group(1)).is_loopback
            ):
                problems.append(line)
        elif match := _CLOSE.match(line):
            kinds.pop(match.group(2), None)
            pointed_outside.discard(match.group(2))
    return problems


def test_the_trace_reader_flags_what_leaves_and_only_that():
    trace = "\n".join(
        [
            "10 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 5",
            '10 connect(5, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            "10 close(5) = 0",
            "11 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP <unfinished ...>",
            "11 <... socket resumed>) = 6",
            '11 connect(6, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("8.8.8.8")}, 16) = 0',
            "11 close(6) = 0",
            "12 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 7",
            '12 connect(7, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("203.0.113.9")}, 16) = -1 EINPROGRESS',
            "13 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 8",
            '13 connect(8, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
            '13 sendto(8, "query", 5, 0, NULL, 0) = 5',
            "14 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 9",
            '14 sendto(9, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 1',
            '14 sendto(9, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("198.51.100.4")}, 16) = 1',
            '15 write(2, "log line", 8) = 8',
        ]
    )
    problems = outward_connections(trace)
    assert len(problems) == 3
    assert "203.0.113.9" in problems[0] and problems[1].startswith("13 sendto(8")
    assert "198.51.100.4" in problems[2]
