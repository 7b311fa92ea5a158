"""The request-size limit: the CLI's text limit, with room for any JSON encoding of such a text.

The text itself is held to MAX_TEXT_CHARS by the route, with the CLI's own message; this bound on
bytes stops a body that cannot hold a valid request before it is read into memory whole.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_response
from assistant.core.text import MAX_TEXT_CHARS

# "\ud83d\ude42" is 12 bytes for one character: the worst case of ensure_ascii JSON. Plus room
# for the other fields and a compose context.
MAX_BODY_BYTES = 12 * MAX_TEXT_CHARS + 64 * 1024


class BodyLimit:
    """Reads the body up to `limit` bytes (413 beyond, before the app sees it), then hands it on."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client is gone: there is no one to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = error_response(
            413,
            f"the request body is over {self.limit:,} bytes; a text holds at most "
            f"{MAX_TEXT_CHARS:,} characters",
            headers={"connection": "close"},
        )
        await refusal(scope, receive, send)
