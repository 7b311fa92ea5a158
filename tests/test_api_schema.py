"""The API and the CLI agree: the same result objects on the whole development set, and both fit
the OpenAPI schema the service publishes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from api_client import AUTH, api_app, client
from cli_runner import run_cli
from conftest import BUNDLED_RULES_DIR

from assistant.core.resources import bundled
from assistant.engine import Engine

DATA = Path(__file__).parent / "data"
LIBRARY = ("--rules-dir", str(BUNDLED_RULES_DIR), "--templates-dir", str(bundled("templates")))


@pytest.fixture(scope="module")
def api(engine: Engine):  # type: ignore[no-untyped-def]
    return client(api_app(engine))


@pytest.fixture(scope="module")
def openapi(api) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return api.get("/v1/openapi.json", headers=AUTH).json()


def validator(
    openapi: dict[str, Any], name: str, *, with_verdict: bool = True
) -> jsonschema.Validator:
    """A validator for one component of the published schema (its $refs resolved in place)."""
    components = json.loads(json.dumps(openapi["components"]))
    if not with_verdict:
        # The CLI's objects are the API's without `verdict`.
        target = components["schemas"][name]
        target["required"] = [key for key in target["required"] if key != "verdict"]
        del target["properties"]["verdict"]
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    return jsonschema.Draft202012Validator(schema)


def _records(name: str, case_types: list[str] | None = None) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate((DATA / name).read_text("utf-8").splitlines()):
        item = json.loads(line)
        record = {"id": item["id"], "text": item["text"]}
        if case_types and number % 7 == 0:
            # Every seventh draft also runs the required-element checks, through both doors.
            record["case_type"] = case_types[number % len(case_types)]
        records.append(record)
    return records


def _cli_lines(command: str, records: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    batch = tmp_path / f"{command}.jsonl"
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    result = run_cli(*LIBRARY, command, "--jsonl", "--fail-on", "never", str(batch))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("command", "data", "schema_name"),
    [("check", "dev_replies.jsonl", "CheckResult"), ("scan", "dev_messages.jsonl", "ScanResult")],
)
def test_api_and_cli_give_identical_results_on_the_development_set(
    api, openapi, engine: Engine, tmp_path: Path, command: str, data: str, schema_name: str
) -> None:  # type: ignore[no-untyped-def]
    records = _records(data, engine.case_types() if command == "check" else None)
    cli_lines = _cli_lines(command, records, tmp_path)
    assert len(cli_lines) == len(records) > 600
    api_schema = validator(openapi, schema_name)
    cli_schema = validator(openapi, schema_name, with_verdict=False)
    verdicts = set()
    for record, cli_line in zip(records, cli_lines, strict=True):
        response = api.post(f"/v1/{command}", json=record, headers=AUTH)
        assert response.status_code == 200, (record["id"], response.text)
        answer = response.json()
        api_schema.validate(answer)
        cli_schema.validate(cli_line)
        verdicts.add(answer.pop("verdict"))
        assert answer == cli_line, record["id"]
    # The set exercises more than one outcome, so the comparison covers findings, not just blanks.
    assert len(verdicts) >= 2


def test_compose_matches_the_cli_for_every_case_type(api, openapi, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    schema = validator(openapi, "ComposeResult")
    cli_schema = validator(openapi, "ComposeResult", with_verdict=False)
    context = {
        "agent_name": "Ines",
        "company_name": "Lantern Goods",
        "customer_name": "Ola",
        "item": "desk lamp",
        "order_number": "LG-2207",
    }
    composed = 0
    for case_type in engine.case_types():
        settings = [f"--set={key}={value}" for key, value in context.items()]
        cli = run_cli(*LIBRARY, "compose", "--case-type", case_type, "--format", "json", *settings)
        response = api.post(
            "/v1/compose", json={"case_type": case_type, "context": context}, headers=AUTH
        )
        if cli.returncode != 0:
            # A case type that needs more keys: both doors refuse, naming the same key.
            assert response.status_code == 422
            assert response.json()["error"] in cli.stderr
            continue
        composed += 1
        answer = response.json()
        schema.validate(answer)
        cli_line = json.loads(cli.stdout)
        cli_schema.validate(cli_line)
        answer.pop("verdict")
        assert answer == cli_line, case_type
    assert composed >= 3


def test_the_schema_refuses_what_the_contract_does_not_have(openapi) -> None:  # type: ignore[no-untyped-def]
    # Held to the contract in both directions: an undocumented key or a wrong type fails.
    schema = validator(openapi, "CheckResult")
    good = {
        "id": None,
        "labels": [],
        "findings": [],
        "readability": {"flesch_reading_ease": 80.0, "grade": 3.0, "words": 4, "sentences": 1},
        "verdict": "pass",
    }
    schema.validate(good)
    for bad in (
        {**good, "extra": 1},
        {**good, "verdict": "maybe"},
        {k: v for k, v in good.items() if k != "labels"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            schema.validate(bad)
