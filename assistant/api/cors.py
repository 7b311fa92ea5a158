"""CORS for the named help-desk origins, and Private Network Access preflights.

Chrome asks a public page (a help desk at https://acme.zendesk.com) for permission before it
lets the page reach this machine: the preflight carries `Access-Control-Request-Private-Network`
and must be answered `Access-Control-Allow-Private-Network: true`. Starlette does both; this
only makes a refused preflight say why in the API's error shape.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from assistant.api.origins import AllowedOrigins


class HelpDeskCors(CORSMiddleware):
    def __init__(self, app, origins: AllowedOrigins):  # type: ignore[no-untyped-def]
        super().__init__(
            app,
            allow_origins=list(origins.exact),
            allow_origin_regex=origins.regex,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            allow_private_network=True,
            max_age=600,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        # Starlette's plain text names what failed ("Disallowed CORS origin"): kept, as JSON.
        reason = bytes(response.body).decode("utf-8", "replace")
        body = json.dumps(
            {
                "error": f"{reason}: start the service with --allow-origin for this page's origin",
                "field": "Origin",
            }
        ).encode()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        headers["content-type"] = "application/json"
        return Response(body, status_code=response.status_code, headers=headers)
