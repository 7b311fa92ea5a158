"""A real server on loopback under a bounded load, with the faults a help desk meets: a client
that hangs up mid-request, a malformed body, a wrong token, an oversize body and a library file
saved mid-load. Each gets its answer; no good request is lost; the server does not crash."""

from __future__ import annotations

import shutil
import socket
import stat
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from api_server import Server, start_server
from conftest import BUNDLED_RULES_DIR

from assistant.api.limits import MAX_BODY_BYTES

DRAFTS = [
    "Hi Dana, you should have checked the tracking page before writing in. Sorry for any inconvenience.",
    "Thanks for waiting, Dana. I've sent a new kettle by express today and you'll have it by Friday.",
    "We can't do anything about courier delays, that's just how it is with parcels this time of year.",
    "You're lucky we're refunding you at all, but this once the full amount is back on your card.",
]
# Words of the texts sent that must never reach the server's log.
PRIVATE_WORDS = ("tracking page", "new kettle", "courier delays", "refunding you")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve")
    library = tmp / "rules"
    shutil.copytree(BUNDLED_RULES_DIR, library)
    running = start_server(
        tmp,
        global_args=("--rules-dir", str(library)),
        serve_args=("--reload-interval", "0.1", "--access-log"),
    )
    running.library = library  # type: ignore[attr-defined]
    yield running
    running.stop()


def _raw(server: Server, payload: bytes, *, read: bool = True) -> bytes:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(payload)
        if not read:
            return b""
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def _request(
    server: Server, body: bytes, *, length: int | None = None, token: str | None = None
) -> bytes:
    headers = [
        b"POST /v1/check HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Content-Type: application/json",
        b"Authorization: Bearer " + (token or server.token).encode(),
        b"Content-Length: " + str(len(body) if length is None else length).encode(),
        b"Connection: close",
    ]
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


def test_first_start_created_an_owner_only_token_and_said_where(server: Server) -> None:
    assert stat.S_IMODE(server.token_file.stat().st_mode) == 0o600
    log = server.log.read_text("utf-8")
    assert f"created the API token in {server.token_file}" in log
    assert server.token not in log


def test_faults_during_a_load_get_their_answers_and_lose_nothing(server: Server) -> None:
    auth = {"Authorization": f"Bearer {server.token}"}
    answers: list[int] = []
    failures: list[str] = []
    per_client = 60

    def load() -> None:
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
            for number in range(per_client):
                text = DRAFTS[number % len(DRAFTS)]
                try:
                    response = http.post("/v1/check", json={"text": text, "id": number})
                except httpx.HTTPError as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                body = response.json()
                if response.status_code != 200 or body.get("id") != number:
                    failures.append(f"{response.status_code} {body}")
                answers.append(response.status_code)

    clients = [threading.Thread(target=load) for _ in range(4)]
    for thread in clients:
        thread.start()

    # A client that hangs up half-way through its body, and one that hangs up before the answer.
    _raw(server, _request(server, b'{"text": "half a dr', length=400), read=False)
    _raw(server, _request(server, b'{"text": "' + DRAFTS[0].encode() + b'"}'), read=False)
    malformed = _raw(server, _request(server, b'{"text": "no closing brace'))
    wrong_token = _raw(
        server, _request(server, b'{"text": "hi"}', token="not-the-token-0123456789")
    )
    declared_too_big = _raw(server, _request(server, b'{"text": "', length=MAX_BODY_BYTES + 1))
    assert malformed.startswith(b"HTTP/1.1 400") and b'"field"' in malformed
    assert wrong_token.startswith(b"HTTP/1.1 401")
    assert declared_too_big.startswith(b"HTTP/1.1 413")
    with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
        streamed = http.post(
            "/v1/check",
            content=iter([b'{"text": "'] + [b"x" * 65536] * (MAX_BODY_BYTES // 65536 + 2)),
            headers={"Content-Type": "application/json"},
        )
        assert streamed.status_code == 413

        # A curator saves a rule file while the load runs.
        family = server.library / "draft" / "favour.yml"  # type: ignore[attr-defined]
        family.write_text(family.read_text("utf-8") + "\n# saved during the load test\n", "utf-8")
        deadline = time.monotonic() + 90
        while http.get("/v1/library").json()["reloads"] < 1:
            assert time.monotonic() < deadline, "the saved library was not picked up"
            time.sleep(0.2)

    for thread in clients:
        thread.join(120)
    assert failures == []
    assert answers == [200] * (4 * per_client)

    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
        after = http.post("/v1/check", json={"text": DRAFTS[3]})
        assert after.status_code == 200 and "youre_lucky" in after.json()["labels"]
        assert http.get("/v1/library").json()["reload_error"] is None
    assert server.process.poll() is None
    log = server.log.read_text("utf-8", "replace")
    assert "Traceback" not in log
    assert not [word for word in PRIVATE_WORDS if word in log]
    # The access log names each request without its body.
    assert '"POST /v1/check HTTP/1.1" 200' in log
