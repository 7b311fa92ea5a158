"""An API app on the session's engine, for the framework's test client (no socket, no reload)."""

from __future__ import annotations

import warnings

from fastapi import FastAPI

from assistant.api.app import create_app
from assistant.api.engines import EngineHolder
from assistant.api.origins import AllowedOrigins, allowed_origins
from assistant.api.token import Token
from assistant.engine import Engine

TOKEN = "test-token-" + "k" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}

with warnings.catch_warnings():
    # Starlette's test client warns that it will move to httpx2; the behaviour tested is the same.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def api_app(
    engine: Engine,
    *,
    origins: AllowedOrigins | None = None,
    block_on: str = "error",
    body_limit: int | None = None,
) -> FastAPI:
    holder = EngineHolder(
        engine.rules_dir, engine.templates_dir, check_interval=3600, build=lambda *_: engine
    )
    extra = {} if body_limit is None else {"body_limit": body_limit}
    return create_app(
        holder,
        Token(TOKEN, "test"),
        origins=origins or allowed_origins((), environ={}),
        block_on=block_on,
        **extra,
    )


def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)
