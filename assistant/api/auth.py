"""Bearer-token check on every route but /v1/health, before the body is read."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.errors import error_response
from assistant.api.token import Token

OPEN_PATHS = frozenset({"/v1/health"})


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
        refusal = error_response(
            401, problem, "Authorization", {"www-authenticate": 'Bearer realm="reply-assistant"'}
        )
        await refusal(scope, receive, send)
