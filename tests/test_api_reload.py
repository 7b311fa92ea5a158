"""The API picks up a saved library without a restart, and a broken save keeps the old one serving."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from api_client import AUTH, TOKEN, client

from assistant.api.app import create_app
from assistant.api.engines import EngineHolder, library_digest
from assistant.api.origins import AllowedOrigins
from assistant.api.token import Token
from assistant.library.loader import library_signature

RULE = """\
family: demo
category: blame_shifting
rules:
  - id: demo.blame
    severity: warning
    message: "“{{match}}” blames the customer."
    patterns: ["{pattern}"]
    examples:
      flag: [{{text: "{example}", match: "{match}"}}]
      pass: ["We will call you."]
"""


def _rule(pattern: str, example: str, match: str) -> str:
    return RULE.format(pattern=pattern, example=example, match=match)


def _save(path: Path, text: str) -> None:
    # A different size or a later mtime: what a curator's save gives (stat granularity aside).
    path.write_text(text, encoding="utf-8")
    later = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(later, later))


def _rules(api, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    body = api.post("/v1/check", json={"text": text}, headers=AUTH).json()
    return [f["rule"] for f in body["findings"]]


def test_a_saved_library_is_served_without_a_restart(
    rules_dir: Callable[[dict[str, str | None]], Path],
) -> None:
    root = rules_dir(
        {"draft/demo.yml": _rule("you should have", "You should have called.", "You should have")}
    )
    holder = EngineHolder(root, check_interval=0)
    api = client(create_app(holder, Token(TOKEN, "test"), origins=AllowedOrigins()))
    assert _rules(api, "You should have called.") == ["demo.blame"]
    before = api.get("/v1/library", headers=AUTH).json()
    old_engine = holder.loaded.engine

    _save(
        root / "draft" / "demo.yml", _rule("you forgot to", "You forgot to call.", "You forgot to")
    )
    holder.wait_for_reload()
    assert _rules(api, "You forgot to call.") == ["demo.blame"]
    assert _rules(api, "You should have called.") == []
    after = api.get("/v1/library", headers=AUTH).json()
    assert after["digest"] != before["digest"] and after["reloads"] == 1
    # A request that took the old engine before the swap finishes on it, unchanged.
    assert [f.rule for f in old_engine.review("You should have called.").findings] == ["demo.blame"]


def test_a_broken_save_keeps_the_previous_library_and_says_why(
    rules_dir: Callable[[dict[str, str | None]], Path],
) -> None:
    root = rules_dir(
        {"draft/demo.yml": _rule("you should have", "You should have called.", "You should have")}
    )
    holder = EngineHolder(root, check_interval=0)
    api = client(create_app(holder, Token(TOKEN, "test"), origins=AllowedOrigins()))
    digest = api.get("/v1/library", headers=AUTH).json()["digest"]

    _save(root / "draft" / "demo.yml", "family: demo\nrules: [{id: demo.blame, colour: red}]\n")
    holder.wait_for_reload()
    info = api.get("/v1/library", headers=AUTH).json()
    assert "problem" in info["reload_error"] and "demo.yml" in info["reload_error"]
    assert info["digest"] == digest and info["reloads"] == 0
    assert _rules(api, "You should have called.") == ["demo.blame"]

    _save(
        root / "draft" / "demo.yml", _rule("you forgot to", "You forgot to call.", "You forgot to")
    )
    holder.wait_for_reload()
    info = api.get("/v1/library", headers=AUTH).json()
    assert info["reload_error"] is None and info["reloads"] == 1
    assert _rules(api, "You forgot to call.") == ["demo.blame"]


def test_the_digest_depends_on_content_not_location(
    rules_dir: Callable[[dict[str, str | None]], Path], tmp_path: Path
) -> None:
    text = _rule("you should have", "You should have called.", "You should have")
    first = rules_dir({"draft/demo.yml": text})
    second = tmp_path / "elsewhere"
    for path in first.rglob("*.yml"):
        target = second / path.relative_to(first)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    digest = library_digest(library_signature(first), first)
    assert digest == library_digest(library_signature(second), second)
    (second / "draft" / "demo.yml").write_text(text + "\n", "utf-8")
    assert digest != library_digest(library_signature(second), second)


def test_the_library_is_looked_at_no_more_often_than_the_interval(
    rules_dir: Callable[[dict[str, str | None]], Path], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    root = rules_dir(
        {"draft/demo.yml": _rule("you should have", "You should have called.", "You should have")}
    )
    holder = EngineHolder(root, check_interval=3600)
    looks: list[int] = []
    monkeypatch.setattr(holder, "_maybe_reload", lambda: looks.append(1))
    for _ in range(50):
        holder.current()
    assert looks == []


def test_a_worn_pipeline_is_rebuilt_beside_the_one_serving(
    rules_dir: Callable[[dict[str, str]], Path], monkeypatch
) -> None:
    from assistant import engine as engine_module

    library = rules_dir(
        {"draft/demo.yml": _rule("you should have", "You should have.", "You should have")}
    )
    holder = EngineHolder(library, check_interval=0.0)
    serving = holder.current().engine
    monkeypatch.setattr(engine_module, "RENEW_PIPELINE_AFTER", serving.checks + 2)
    serving.review("You should have.")
    assert not serving.worn
    serving.review("You should have.")
    assert serving.worn
    holder.wait_for_reload()
    renewed = holder.current().engine
    assert renewed is not serving and not renewed.worn
    assert [f.rule for f in renewed.review("You should have.").findings] == ["demo.blame"]


def test_a_worn_pipeline_is_not_rebuilt_from_a_library_already_refused(
    rules_dir: Callable[[dict[str, str]], Path], monkeypatch
) -> None:
    from assistant import engine as engine_module
    from assistant.engine import Engine

    library = rules_dir(
        {"draft/demo.yml": _rule("you should have", "You should have.", "You should have")}
    )
    builds: list[Path] = []

    def counted(rules: Path, templates: Path) -> Engine:
        builds.append(rules)
        return Engine.load(rules, templates)

    holder = EngineHolder(library, check_interval=0.0, build=counted)
    _save(library / "draft" / "demo.yml", "rules: [oops")
    holder.wait_for_reload()
    assert holder.reload_error and len(builds) == 2
    monkeypatch.setattr(engine_module, "RENEW_PIPELINE_AFTER", 0)
    assert holder.current().engine.worn
    for _ in range(3):
        holder.wait_for_reload()
    assert len(builds) == 2  # the broken save is not tried again on every interval
    assert holder.reload_error
