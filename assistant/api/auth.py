"""Bearer-token check on every route but /v1/health, before the body is read."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.token import Token

OPEN_PATHS = frozenset({"/v1/health"})


def _unauthorised(message: str) -> bytes:
    return json.dumps({"error": message, "field": "Authorization"}).encode()


class BearerAuth:
    def __init__(self, app: ASGIApp, token: Token):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Preflights carry no credentials by the CORS rules; the CORS layer above answers them.
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization")
        if header is None:
            problem = "missing 'Authorization: Bearer <token>' header (see docs/api.md)"
        else:
            scheme, _, presented = header.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and self.token.matches(presented.strip()):
                await self.app(scope, receive, send)
                return
            problem = "wrong token: send 'Authorization: Bearer <token>' with this install's token"
        payload = _unauthorised(problem)
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"www-authenticate", b'Bearer realm="reply-assistant"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
