"""A real `reply-assistant serve` on loopback, for the fault tests and the load benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    token_file: Path
    log: Path

    @property
    def token(self) -> str:
        return self.token_file.read_text("utf-8").strip()

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.log.read_text("utf-8", "replace")


def start_server(
    tmp: Path,
    *,
    global_args: Sequence[str] = (),
    serve_args: Sequence[str] = (),
    startup_timeout: float = 120.0,
) -> Server:
    """Starts the console entry point's `serve` and waits until /v1/health answers."""
    port = free_port()
    token_file = tmp / "config" / "token"
    log = tmp / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "REPLY_ASSISTANT_TOKEN"}
    command = [
        sys.executable, "-m", "assistant", *global_args, "serve",
        "--port", str(port), "--token-file", str(token_file), *serve_args,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Server(process, f"http://127.0.0.1:{port}", token_file, log)
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}:\n{server.stop()}")
        try:
            if httpx.get(f"{server.url}/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    output = server.stop()
    raise RuntimeError(f"serve did not answer within {startup_timeout} s:\n{output}")
