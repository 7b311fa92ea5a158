"""The extension's and the Zendesk app's JavaScript, run with node's own test runner.

Skipped, saying why, when node is not installed; nothing is fetched (there are no npm dependencies).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")
JS_TESTS = [ROOT / "extension" / "tests", ROOT / "zendesk" / "tests"]

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (node 20 runs these)")


def run_node(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize("folder", JS_TESTS, ids=lambda p: p.parent.name)
def test_node_test_runner_passes(folder: Path) -> None:
    files = sorted(str(p.relative_to(ROOT)) for p in folder.glob("*.test.js"))
    assert files, f"no *.test.js in {folder}"
    result = run_node("--test", *files)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_engine_offsets_fit_javascript_strings(tmp_path: Path) -> None:
    """Real findings from the engine (code point offsets) land on their words in JavaScript."""
    from assistant.engine import shared_engine

    text = "🙂 Hi Sam 👋🏽, you should have read our email. We're sorry for any inconvenience 🎉."
    result = shared_engine().review(text).to_dict()
    assert len(result["findings"]) >= 2
    payload = tmp_path / "result.json"
    payload.write_text(json.dumps({"text": text, "result": result}), encoding="utf-8")
    script = (
        "const logic = require(process.argv[1]);"
        "const {text, result} = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));"
        "const found = logic.findingsToUtf16(text, result.findings);"
        "process.stdout.write(JSON.stringify(found.map(f => text.slice(f.start, f.end))));"
    )
    out = run_node("-e", script, str(ROOT / "extension" / "lib" / "reply-logic.js"), str(payload))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [f["text"] for f in result["findings"]]
