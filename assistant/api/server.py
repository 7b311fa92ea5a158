"""Start the API with uvicorn: one process, or `--workers N` processes sharing the token file."""

from __future__ import annotations

import logging
import os
import sys

from fastapi import FastAPI

from assistant.api.app import create_app
from assistant.api.engines import EngineHolder
from assistant.api.origins import allowed_origins
from assistant.api.settings import SETTINGS_ENV, ApiSettings
from assistant.api.token import TOKEN_ENV, resolve_token

# uvicorn imports this in each worker process and calls it (factory=True).
FACTORY = "assistant.api.server:app_from_environment"


def build_app(settings: ApiSettings) -> FastAPI:
    """Raises TokenError, OriginError, LibraryError or ResourceError naming what is wrong."""
    token = resolve_token(settings.token_file)
    origins = allowed_origins(settings.allow_origins)
    holder = EngineHolder(
        settings.rules_dir, settings.templates_dir, check_interval=settings.reload_interval
    )
    return create_app(holder, token, origins=origins, block_on=settings.block_on)


def app_from_environment() -> FastAPI:
    # A spawned worker starts with no logging set up: reloads would go unreported.
    _configure_logging()
    return build_app(ApiSettings.from_env())


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


def announce(settings: ApiSettings) -> None:
    """The one place the token's location is told: on the start that created it."""
    token = resolve_token(settings.token_file)
    if token.created:
        print(
            f"reply-assistant: created the API token in {token.source} (owner-only); help-desk "
            "apps send it as 'Authorization: Bearer <token>'",
            file=sys.stderr,
            flush=True,
        )
    elif token.source == TOKEN_ENV:
        print(f"reply-assistant: using the token in ${TOKEN_ENV}", file=sys.stderr, flush=True)
    origins = allowed_origins(settings.allow_origins)
    shown = ", ".join(origins.all()) or "none (browser pages cannot call it; see --allow-origin)"
    print(
        f"reply-assistant: API on http://{settings.host}:{settings.port}/v1 "
        f"(block on {settings.block_on}; browser origins: {shown})",
        file=sys.stderr,
        flush=True,
    )


def run(settings: ApiSettings) -> None:
    import uvicorn

    _configure_logging()
    common = dict(
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        # A proxy's X-Forwarded-For is not trusted: the service is for this machine.
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )
    if settings.workers <= 1:
        # Built here, before binding, so a broken library fails the start with its problems.
        uvicorn.run(build_app(settings), **common)
        return
    os.environ[SETTINGS_ENV] = settings.to_env()
    uvicorn.run(FACTORY, factory=True, workers=settings.workers, **common)
