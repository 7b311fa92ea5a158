"""The HTTP API through the framework's test client: every route, error, and the token and CORS
rules. Drafts here are written for these tests."""

from __future__ import annotations

import json

import pytest
from api_client import AUTH, TOKEN, api_app, client

from assistant.api.origins import allowed_origins
from assistant.core.text import MAX_TEXT_CHARS
from assistant.engine import Engine

BLAMING = (
    "Hi Lee, you should have read the delivery notes before ordering. Sorry for any inconvenience."
)
CALM = "Thanks for your patience, Lee. I've refunded the full amount to your card today."
THREATENING = "If this invoice stays unpaid, our legal team will take legal action against you."
CUSTOMER = "The parcel never came and I'll dispute the charge with my bank unless you refund me."


@pytest.fixture(scope="module")
def api(engine: Engine):  # type: ignore[no-untyped-def]
    return client(api_app(engine))


def test_check_returns_the_engine_result_plus_a_verdict(api, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/v1/check", json={"text": BLAMING, "id": "T-1"}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body.pop("verdict") == "warn"
    assert body == engine.review(BLAMING).to_dict("T-1")
    assert {"blame_shifting", "hollow_apology"} <= set(body["labels"])


@pytest.mark.parametrize(
    ("text", "block_on", "expected"),
    [
        (CALM, "error", "pass"),
        (BLAMING, "error", "warn"),
        (THREATENING, "error", "block"),
        (BLAMING, "warning", "block"),
        (THREATENING, "never", "warn"),
    ],
)
def test_verdict_follows_block_on(engine: Engine, text: str, block_on: str, expected: str) -> None:
    api = client(api_app(engine, block_on=block_on))
    assert api.post("/v1/check", json={"text": text}, headers=AUTH).json()["verdict"] == expected


def test_readability_suggestions_alone_pass(api) -> None:  # type: ignore[no-untyped-def]
    # One sentence far over the 35-word target: a suggestion, which never turns a reply amber.
    long = " ".join(["we checked the parcel and the label and the route"] * 6) + "."
    body = api.post("/v1/check", json={"text": long}, headers=AUTH).json()
    assert body["findings"] and {f["severity"] for f in body["findings"]} == {"suggestion"}
    assert body["verdict"] == "pass"


def test_check_with_case_type_and_fault(api, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    text = "Hi Max, a new mug is on its way today and I'll email you the tracking number by Friday."
    body = api.post(
        "/v1/check",
        json={"text": text, "case_type": "lost_or_delayed", "fault": "company"},
        headers=AUTH,
    ).json()
    expected = engine.review(text, "lost_or_delayed", fault="company").to_dict(None)
    assert {k: v for k, v in body.items() if k != "verdict"} == expected
    assert "missing_ownership" in body["labels"]


def test_scan_returns_the_engine_result_plus_a_verdict(api, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    body = api.post("/v1/scan", json={"text": CUSTOMER, "id": 7}, headers=AUTH).json()
    assert body.pop("verdict") == "warn"
    assert body == engine.scan(CUSTOMER).to_dict(7)
    assert "chargeback_threat" in body["labels"]


def test_compose_matches_the_engine_and_is_checked(api, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    context = {
        "agent_name": "Ravi",
        "company_name": "Kettle & Co",
        "customer_name": "Jo",
        "item": "teapot",
    }
    response = api.post(
        "/v1/compose", json={"case_type": "lost_or_delayed", "context": context}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    body = response.json()
    composed = engine.compose("lost_or_delayed", context)
    assert body["text"] == composed.text and "Jo" in body["text"]
    assert body["notes"] == list(composed.notes)
    checked = engine.review(composed.text, "lost_or_delayed", fault=composed.context["fault"])
    assert body["findings"] == [f.to_dict() for f in checked.findings]
    assert body["verdict"] in ("pass", "warn")


def test_compose_errors_name_the_context_key(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/v1/compose", json={"case_type": "lost_or_delayed", "context": {}}, headers=AUTH
    )
    assert response.status_code == 422
    assert response.json()["field"].startswith("context.")
    unknown = api.post("/v1/compose", json={"case_type": "nope", "context": {}}, headers=AUTH)
    assert unknown.status_code == 422 and unknown.json()["field"] == "case_type"
    bad = api.post("/v1/compose", json={"case_type": "other", "context": [1]}, headers=AUTH)
    assert bad.status_code == 422 and bad.json()["field"] == "context"


def test_health_needs_no_token(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_library_reports_version_and_digest(api, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/v1/library", headers=AUTH).json()
    assert body["version"]
    assert body["digest"].startswith("sha256:") and len(body["digest"]) == 71
    assert body["rules"] == len(engine.library.rules)
    assert body["case_types"] == engine.case_types()
    assert body["reload_error"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/v1/check"),
        ("post", "/v1/scan"),
        ("post", "/v1/compose"),
        ("get", "/v1/library"),
        ("get", "/v1/openapi.json"),
    ],
)
@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token-of-enough-length-000", f"Basic {TOKEN}", "Bearer", TOKEN],
)
def test_every_route_but_health_needs_the_token(api, method: str, path: str, header) -> None:  # type: ignore[no-untyped-def]
    headers = {} if header is None else {"Authorization": header}
    response = getattr(api, method)(
        path, headers=headers, **({"json": {"text": "hi"}} if method == "post" else {})
    )
    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in response.text


def test_token_scheme_is_case_insensitive(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/v1/check", json={"text": CALM}, headers={"Authorization": f"bearer {TOKEN}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        (b'{"text": ', 400, None, "not valid JSON"),
        (b"[1, 2]", 422, None, "expected a JSON object"),
        (b'"just a string"', 422, None, "expected a JSON object"),
        (b'{"draft": "hi"}', 422, "text", "missing field 'text'"),
        (b'{"text": "hi", "case-type": "other"}', 422, "case-type", "unknown field 'case-type'"),
        (b'{"text": 5}', 422, "text", "must be a string, got int"),
        (b'{"text": "hi", "case_type": 3}', 422, "case_type", "must be a string or null"),
        (b'{"text": "hi", "fault": "weather"}', 422, "fault", "must be one of"),
        (
            b'{"text": "hi", "case_type": "no_such"}',
            422,
            "case_type",
            "unknown case type 'no_such'",
        ),
        (b'{"text": "a\\u0000b"}', 422, "text", "NUL"),
        (b'{"text": "\\ud83d alone"}', 422, "text", "lone surrogate"),
    ],
)
def test_malformed_bodies_get_a_named_error(
    api, body: bytes, status: int, field, words: str
) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/v1/check", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "field"}
    assert response.json()["field"] == field
    assert words in response.json()["error"]
    assert "Traceback" not in response.text


def test_errors_never_echo_the_text(api) -> None:  # type: ignore[no-untyped-def]
    secret = "my card number is 4111 and my address is 9 Elm Row"
    response = api.post("/v1/check", json={"text": secret, "fault": "nobody"}, headers=AUTH)
    assert response.status_code == 422
    assert "4111" not in response.text and "Elm Row" not in response.text


def test_a_body_that_is_not_json_says_so(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/v1/check", content=b"text=hi", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["error"]


def test_text_over_the_cli_limit_is_refused_with_the_cli_message(api) -> None:  # type: ignore[no-untyped-def]
    at_limit = api.post("/v1/scan", json={"text": "a " * (MAX_TEXT_CHARS // 2)}, headers=AUTH)
    assert at_limit.status_code == 200
    over = api.post("/v1/check", json={"text": "a" * (MAX_TEXT_CHARS + 1)}, headers=AUTH)
    assert over.status_code == 413
    assert over.json() == {
        "error": f"text is {MAX_TEXT_CHARS + 1:,} characters; the limit is {MAX_TEXT_CHARS:,} "
        "(a draft or message, not a whole file)",
        "field": "text",
    }


def test_a_text_at_the_limit_fits_the_body_limit_in_any_encoding(api) -> None:  # type: ignore[no-untyped-def]
    # Astral characters escaped by an ASCII-only encoder: the largest JSON a valid text makes.
    body = json.dumps({"text": "🙂" * MAX_TEXT_CHARS}).encode()
    response = api.post(
        "/v1/scan", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 200


def test_oversize_body_is_refused_before_it_is_read(engine: Engine) -> None:
    api = client(api_app(engine, body_limit=1_000))
    response = api.post("/v1/check", json={"text": "word " * 400}, headers=AUTH)
    assert response.status_code == 413
    assert response.json()["field"] is None
    # Chunked, with no Content-Length: counted as it arrives.
    chunks = (b'{"text": "' + b"x" * 300, b"x" * 400, b"x" * 400 + b'"}')
    streamed = api.post(
        "/v1/check", content=iter(chunks), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_unknown_route_and_method_are_json_errors(api) -> None:  # type: ignore[no-untyped-def]
    missing = api.get("/v1/nothing-here", headers=AUTH)
    assert missing.status_code == 404 and set(missing.json()) == {"error", "field"}
    wrong = api.get("/v1/check", headers=AUTH)
    assert wrong.status_code == 405 and set(wrong.json()) == {"error", "field"}


def test_a_bug_is_a_500_json_error_without_traceback(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    api = client(api_app(engine))

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret text inside the failure")

    monkeypatch.setattr(engine, "scan", broken)
    response = api.post("/v1/scan", json={"text": CUSTOMER}, headers=AUTH)
    assert response.status_code == 500
    assert response.json()["error"].startswith("internal error: RuntimeError")
    assert "secret text" not in response.text and "Traceback" not in response.text


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
    "Access-Control-Request-Private-Network": "true",
}


@pytest.fixture(scope="module")
def cors_api(engine: Engine):  # type: ignore[no-untyped-def]
    origins = allowed_origins(
        [
            "https://acme.zendesk.com",
            "https://*.freshdesk.com",
            "chrome-extension://abcdefghijklmnop",
        ],
        environ={},
    )
    return client(api_app(engine, origins=origins))


@pytest.mark.parametrize(
    "origin",
    [
        "https://acme.zendesk.com",
        "https://support.freshdesk.com",
        "https://a.b.freshdesk.com",
        "chrome-extension://abcdefghijklmnop",
    ],
)
def test_preflight_from_an_allowed_origin_includes_private_network(cors_api, origin: str) -> None:  # type: ignore[no-untyped-def]
    response = cors_api.options("/v1/check", headers={"Origin": origin, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-private-network"] == "true"
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://acme.zendesk.com.evil.example",
        "http://acme.zendesk.com",
        "https://freshdesk.com",
        "https://evilfreshdesk.com",
        "chrome-extension://someotherextension",
    ],
)
def test_preflight_from_another_origin_is_refused(cors_api, origin: str) -> None:  # type: ignore[no-untyped-def]
    response = cors_api.options("/v1/check", headers={"Origin": origin, **PREFLIGHT})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    assert response.json()["field"] == "Origin"


def test_no_origin_is_allowed_by_default(api) -> None:  # type: ignore[no-untyped-def]
    response = api.options("/v1/check", headers={"Origin": "https://acme.zendesk.com", **PREFLIGHT})
    assert response.status_code == 400
    simple = api.post(
        "/v1/check", json={"text": CALM}, headers={**AUTH, "Origin": "https://acme.zendesk.com"}
    )
    assert "access-control-allow-origin" not in simple.headers


def test_allowed_origin_can_read_answers_and_errors(cors_api) -> None:  # type: ignore[no-untyped-def]
    origin = "https://acme.zendesk.com"
    ok = cors_api.post("/v1/check", json={"text": CALM}, headers={**AUTH, "Origin": origin})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == origin
    # A help-desk app must be able to read why it was refused.
    refused = cors_api.post("/v1/check", json={"text": CALM}, headers={"Origin": origin})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == origin


def test_openapi_schema_is_served_with_the_routes_and_bearer_security(api) -> None:  # type: ignore[no-untyped-def]
    schema = api.get("/v1/openapi.json", headers=AUTH).json()
    assert {"/v1/check", "/v1/scan", "/v1/compose", "/v1/health", "/v1/library"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert schema["paths"]["/v1/health"]["get"]["security"] == []
    check_ok = schema["paths"]["/v1/check"]["post"]["responses"]["200"]
    assert check_ok["content"]["application/json"]["schema"]["$ref"].endswith("/CheckResult")
    # No page that would fetch scripts from the internet.
    assert api.get("/docs", headers=AUTH).status_code == 404
