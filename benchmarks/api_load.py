"""Load benchmark of `reply-assistant serve` on loopback: concurrent clients posting ~40-word
drafts to /v1/check, reporting requests/s, p50/p99 latency, errors and the server's memory.

    .venv/bin/python benchmarks/api_load.py [--workers 2] [--clients 16] [--seconds 60]
    .venv/bin/python benchmarks/api_load.py --workers 2 --requests 100000   # memory over a long run

The server is started as a user starts it (the console entry point, its own token file), so the
figures include HTTP parsing, the token check, JSON and the verdict. The client is a few lines of
asyncio over keep-alive connections: it runs on the same 2 cores as the server, and a heavier
HTTP library would take CPU the server needs. Bounded: it stops after --seconds or --requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
REPLIES = ROOT / "tests" / "data" / "dev_replies.jsonl"

from api_server import start_server  # noqa: E402


def drafts(low: int = 30, high: int = 50) -> list[str]:
    texts = [
        json.loads(line)["text"] for line in REPLIES.read_text("utf-8").splitlines() if line.strip()
    ]
    return [t for t in texts if low <= len(t.split()) <= high]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _request(body: bytes, token: str) -> bytes:
    return (
        b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + b"Authorization: Bearer " + token.encode() + b"\r\n"
        + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def client(
    number: int,
    port: int,
    token: str,
    bodies: list[bytes],
    tally: Tally,
    until: float,
    budget: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = number
    try:
        while time.monotonic() < until and budget[0] > 0:
            budget[0] -= 1
            payload = _request(bodies[index % len(bodies)], token)
            index += 7
            started = time.perf_counter()
            try:
                writer.write(payload)
                status, body = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                tally.error(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            tally.sent += 1
            if status != 200 or b'"verdict"' not in body:
                tally.error(f"HTTP {status}")
                continue
            tally.latencies.append((time.perf_counter() - started) * 1000)
    finally:
        writer.close()


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its worker processes (Linux /proc), in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
        for child in list(pids[1:]):
            grandchildren = Path(f"/proc/{child}/task/{child}/children")
            if grandchildren.exists():
                pids += [int(p) for p in grandchildren.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


async def run_load(
    port: int,
    token: str,
    bodies: list[bytes],
    clients: int,
    seconds: float,
    requests: int,
    pid: int,
) -> tuple[Tally, float, list[tuple[int, float]]]:
    tally = Tally()
    budget = [requests]
    samples: list[tuple[int, float]] = [(0, rss_mb(pid))]
    until = time.monotonic() + seconds
    started = time.perf_counter()

    async def sample() -> None:
        step = max(requests // 10, 1) if requests < 10**12 else 5_000
        mark = step
        while time.monotonic() < until and budget[0] > 0:
            await asyncio.sleep(0.5)
            if tally.sent >= mark:
                samples.append((tally.sent, rss_mb(pid)))
                mark += step

    sampler = asyncio.create_task(sample())
    await asyncio.gather(
        *(client(n, port, token, bodies, tally, until, budget) for n in range(clients))
    )
    elapsed = time.perf_counter() - started
    sampler.cancel()
    samples.append((tally.sent, rss_mb(pid)))
    return tally, elapsed, samples


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--requests", type=int, default=None, help="stop after this many requests")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of load before measuring"
    )
    args = parser.parse_args()
    texts = drafts()
    bodies = [json.dumps({"text": t}).encode() for t in texts]
    words = statistics.mean(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), serve_args=("--workers", str(args.workers)))
        port = int(server.url.rsplit(":", 1)[1])
        try:
            asyncio.run(
                run_load(
                    port,
                    server.token,
                    bodies,
                    args.clients,
                    args.warmup,
                    10**12,
                    server.process.pid,
                )
            )
            seconds = args.seconds if args.requests is None else 24 * 3600.0
            tally, elapsed, samples = asyncio.run(
                run_load(
                    port,
                    server.token,
                    bodies,
                    args.clients,
                    seconds,
                    args.requests or 10**12,
                    server.process.pid,
                )
            )
        finally:
            log = server.stop()
    ok = len(tally.latencies)
    load = os.getloadavg()
    print(f"POST /v1/check, {len(texts)} drafts of 30-50 words (mean {words:.0f}), {args.clients} clients, "
          f"{args.workers} worker(s), {elapsed:.1f} s, load average {load[0]:.1f} at the end")  # fmt: skip
    print(f"  {tally.sent:,} requests, {ok:,} answered 200, errors: {tally.errors or 0}")
    print(f"  {ok / elapsed:,.0f} requests/s, p50 {percentile(tally.latencies, 0.5):.1f} ms, "
          f"p99 {percentile(tally.latencies, 0.99):.1f} ms, max {max(tally.latencies, default=0):.1f} ms")  # fmt: skip
    print("  server memory (all processes, RSS MB) by requests served: "
          + ", ".join(f"{count:,}: {mb:.0f}" for count, mb in samples))  # fmt: skip
    if "Traceback" in log:
        print("  the server log holds a traceback:\n" + log[-2000:])
        return 1
    return 0 if not tally.errors else 1


if __name__ == "__main__":
    sys.exit(main())
