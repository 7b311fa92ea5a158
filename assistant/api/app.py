"""The FastAPI application: routes, middleware order, and the engine's one thread per process.

Checks are CPU-bound Python under the GIL, and spaCy's memory zones are per vocabulary, not per
thread: each process runs one check at a time (one lock), and more cores mean more processes
(`serve --workers N`), not more threads. A draft-sized text is checked on the event loop itself:
handing it to a thread cost 0.3-0.8 ms a request on the busy 2-core machine, a fifth to a half of
the check. A long text (up to the 3 s deadline) goes to a worker thread, so the loop stays free
to read requests, answer /v1/health and notice disconnects meanwhile.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response

from assistant import __version__
from assistant.api import errors, schemas
from assistant.api.auth import OPEN_PATHS, BearerAuth
from assistant.api.cors import HelpDeskCors
from assistant.api.engines import EngineHolder
from assistant.api.errors import ApiError, internal_error, quoted_name
from assistant.api.limits import MAX_BODY_BYTES, BodyLimit
from assistant.api.origins import AllowedOrigins
from assistant.api.token import Token
from assistant.api.verdict import DEFAULT_BLOCK_ON, verdict
from assistant.core.text import MAX_TEXT_CHARS, InputError, validate_text

T = TypeVar("T")
OPENAPI_PATH = "/v1/openapi.json"
# About 400 words: a few milliseconds of checking, not worth a thread hand-off.
INLINE_CHARS = 2_000
_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorBody, "description": words}
    for code, words in (
        (400, "the body is not valid JSON"),
        (401, "missing or wrong bearer token"),
        (413, "the text is over the CLI's limit, or the body too large"),
        (422, "a field is missing, unknown or invalid (its name is in `field`)"),
    )
}


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        # The CLI's output rules: UTF-8 as is, and never NaN or Infinity.
        return json.dumps(content, ensure_ascii=False, allow_nan=False).encode("utf-8")


def create_app(
    holder: EngineHolder,
    token: Token,
    *,
    origins: AllowedOrigins | None = None,
    block_on: str = DEFAULT_BLOCK_ON,
    body_limit: int = MAX_BODY_BYTES,
) -> FastAPI:
    origins = origins or AllowedOrigins()
    app = FastAPI(
        title="Reply Assistant API",
        version=__version__,
        description="Tone check, threat scan and compose on this machine (docs/api.md).",
        openapi_url=OPENAPI_PATH,
        # The interactive pages load their scripts from a CDN; nothing here reaches out.
        docs_url=None,
        redoc_url=None,
    )
    limiter: list[anyio.CapacityLimiter] = []
    engine_lock = threading.Lock()

    def locked(work: Callable[[], T]) -> T:
        with engine_lock:
            return work()

    async def on_engine(work: Callable[[], T], size: int) -> T:
        try:
            if size <= INLINE_CHARS and engine_lock.acquire(blocking=False):
                try:
                    return work()
                finally:
                    engine_lock.release()
            if not limiter:  # made inside the event loop, on first use
                limiter.append(anyio.CapacityLimiter(1))
            return await anyio.to_thread.run_sync(locked, work, limiter=limiter[0])
        except (ApiError, InputError):
            raise
        except Exception as exc:
            raise internal_error(exc) from None

    def checked_text(text: str) -> str:
        if len(text) > MAX_TEXT_CHARS:
            try:
                validate_text(text)
            except InputError as exc:
                raise ApiError(413, str(exc), "text") from None
        try:
            return validate_text(text)
        except InputError as exc:
            raise ApiError(422, str(exc), "text") from None

    @app.get("/v1/health", response_model=schemas.Health, tags=["service"])
    async def health() -> dict[str, str]:
        """Answers without a token, so a help-desk app can tell "not running" from "no token"."""
        return {"status": "ok", "version": __version__}

    @app.get("/v1/library", response_model=schemas.LibraryInfo, tags=["service"])
    async def library() -> dict[str, Any]:
        loaded = holder.current()
        return {
            "version": __version__,
            "digest": loaded.digest,
            "rules": len(loaded.engine.library.rules),
            "case_types": loaded.engine.case_types(),
            "loaded_at": loaded.loaded_at.isoformat(timespec="seconds"),
            "reloads": holder.reloads,
            "reload_error": holder.reload_error,
        }

    @app.post(
        "/v1/check",
        response_class=JsonResponse,
        responses={200: {"model": schemas.CheckResult}, **_ERROR_RESPONSES},
        tags=["check"],
    )
    async def check(body: schemas.CheckRequest) -> JsonResponse:
        """`reply-assistant check --format json` of one draft, plus `verdict`."""
        text = checked_text(body.text)
        engine = holder.current().engine

        def work() -> dict[str, Any]:
            try:
                result = engine.review(text, body.case_type, fault=body.fault)
            except InputError as exc:
                # The text passed checked_text: what is left is the case type (unknown, or a
                # library without required elements). The fault was checked by the schema.
                raise ApiError(422, str(exc), "case_type") from None
            return {**result.to_dict(body.id), "verdict": verdict(result.findings, block_on)}

        return JsonResponse(await on_engine(work, len(text)))

    @app.post(
        "/v1/scan",
        response_class=JsonResponse,
        responses={200: {"model": schemas.ScanResult}, **_ERROR_RESPONSES},
        tags=["scan"],
    )
    async def scan(body: schemas.ScanRequest) -> JsonResponse:
        """`reply-assistant scan --format json` of one customer message, plus `verdict`."""
        text = checked_text(body.text)
        engine = holder.current().engine

        def work() -> dict[str, Any]:
            try:
                result = engine.scan(text)
            except InputError as exc:
                raise ApiError(422, str(exc), "text") from None
            return {**result.to_dict(body.id), "verdict": verdict(result.findings, block_on)}

        return JsonResponse(await on_engine(work, len(text)))

    @app.post(
        "/v1/compose",
        response_class=JsonResponse,
        responses={200: {"model": schemas.ComposeResult}, **_ERROR_RESPONSES},
        tags=["compose"],
    )
    async def compose(body: schemas.ComposeRequest) -> JsonResponse:
        """`reply-assistant compose --format json`, plus `verdict`: the reply and its check."""
        from assistant.compose.render import ComposeError

        engine = holder.current().engine

        def work() -> dict[str, Any]:
            try:
                composed = engine.compose(body.case_type, body.context)
            except ComposeError as exc:
                raise ApiError(422, str(exc), _compose_field(str(exc))) from None
            checked = engine.review(composed.text, body.case_type, fault=composed.context["fault"])
            return {
                "case_type": composed.case_type,
                "text": composed.text,
                "findings": [finding.to_dict() for finding in checked.findings],
                "notes": list(composed.notes),
                "verdict": verdict(checked.findings, block_on),
            }

        # A composed reply is draft-sized: the templates bound what a render may build.
        return JsonResponse(await on_engine(work, 0))

    errors.install(
        app,
        {
            "/v1/check": list(schemas.CheckRequest.model_fields),
            "/v1/scan": list(schemas.ScanRequest.model_fields),
            "/v1/compose": list(schemas.ComposeRequest.model_fields),
        },
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # Added innermost first: CORS sees every response (a 401 included, so a help-desk app can
    # read why), the token is checked before the body is read, the body is bounded before parsing.
    app.add_middleware(BodyLimit, limit=body_limit)
    app.add_middleware(BearerAuth, token=token)
    app.add_middleware(HelpDeskCors, origins=origins)
    app.state.holder = holder
    return app


def _compose_field(message: str) -> str | None:
    name = quoted_name(message)
    if message.startswith("unknown case type"):
        return "case_type"
    if message.startswith("unknown variant"):
        return "context.variant"
    if name and (
        message.startswith("missing required variable") or message.startswith("context key")
    ):
        return f"context.{name}"
    return "context"


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"}
        }
        schema["security"] = [{"bearer": []}]
        for path in OPEN_PATHS:
            for operation in schema["paths"].get(path, {}).values():
                operation["security"] = []
        app.openapi_schema = schema
    return app.openapi_schema
