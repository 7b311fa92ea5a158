"""Every error as `{"error", "field"}` JSON with a 4xx code (500 only for a bug), never a
traceback and never the request's text: a help desk's logs may keep responses."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("assistant.api")


class ApiError(Exception):
    def __init__(self, status: int, error: str, field: str | None = None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field


def error_response(
    status: int, error: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error body; also an ASGI app, so middleware below the routes answers with it too."""
    return JSONResponse({"error": error, "field": field}, status_code=status, headers=headers)


def _field_name(loc: Sequence[Any]) -> str | None:
    # ("body", "context", "x") -> "context.x"; the body as a whole has no field.
    parts = [str(part) for part in loc[1:]] if loc and loc[0] == "body" else [str(p) for p in loc]
    return ".".join(parts) or None


def describe_validation(errors: Sequence[dict[str, Any]], allowed: Sequence[str]) -> ApiError:
    """The first problem of a body, worded like the CLI's batch-line errors."""
    first = errors[0]
    kind = first.get("type", "")
    field = _field_name(first.get("loc", ()))
    if kind == "json_invalid":
        detail = first.get("ctx", {}).get("error", "malformed")
        return ApiError(400, f"not valid JSON: {detail}")
    if field is None or kind == "model_attributes_type":
        return ApiError(422, "expected a JSON object as the request body")
    if kind == "missing":
        return ApiError(422, f"missing field '{field}'", field)
    if kind == "extra_forbidden":
        return ApiError(422, f"unknown field '{field}'; allowed: {', '.join(allowed)}", field)
    if kind == "string_type":
        # The CLI's batch-line wording; the value itself is never echoed, only its type.
        nullable = " or null" if field in ("case_type", "id") else ""
        got = type(first.get("input")).__name__
        return ApiError(422, f"field '{field}' must be a string{nullable}, got {got}", field)
    if kind == "dict_type":
        return ApiError(422, f"field '{field}' must be a JSON object of keys to values", field)
    if kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        return ApiError(422, f"field '{field}' must be one of {expected}", field)
    # pydantic's own message says what was expected; `input` (the client's value) is left out.
    return ApiError(422, f"field '{field}': {first.get('msg', 'invalid value')}", field)


def install(app: FastAPI, allowed_fields: dict[str, Sequence[str]]) -> None:
    async def on_api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.error, exc.field)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        content_type = request.headers.get("content-type", "")
        if "json" not in content_type.lower():
            return error_response(
                415, "the body must be JSON: send 'Content-Type: application/json'"
            )
        if not errors:
            return error_response(422, "invalid request")
        problem = describe_validation(errors, allowed_fields.get(request.url.path, ()))
        return error_response(problem.status, problem.error, problem.field)

    async def on_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        words = {404: "no such route; see /v1/openapi.json", 405: "method not allowed here"}
        return JSONResponse(
            {"error": words.get(exc.status_code, str(exc.detail)), "field": None},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


_QUOTED = re.compile(r"'([^']+)'")


def internal_error(exc: BaseException) -> ApiError:
    """A bug: one log line naming the exception's type and where (its message may quote the
    text, so it is left out), and a 500 that says the same."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    log.error("internal error: %s%s", type(exc).__name__, where)
    return ApiError(500, f"internal error: {type(exc).__name__}{where}")


def quoted_name(message: str) -> str | None:
    found = _QUOTED.search(message)
    return found.group(1) if found else None
