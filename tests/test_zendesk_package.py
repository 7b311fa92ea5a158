"""The Zendesk private-app zip built by zendesk/package.py: its files and its manifest."""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZENDESK = ROOT / "zendesk"


def load_package() -> ModuleType:
    spec = importlib.util.spec_from_file_location("zendesk_package", ZENDESK / "package.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


package = load_package()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[zipfile.ZipFile]:
    path = tmp_path_factory.mktemp("zip") / "reply-assistant-zendesk.zip"
    assert package.main(["--output", str(path)]) == 0
    with zipfile.ZipFile(path) as archive:
        yield archive


def test_zip_holds_manifest_assets_and_translations(built: zipfile.ZipFile) -> None:
    names = set(built.namelist())
    assert {
        "manifest.json",
        "translations/en.json",
        "assets/iframe.html",
        "assets/main.js",
        "assets/reply-app.js",
        "assets/reply-logic.js",
        "assets/panel.js",
        "assets/logo.png",
        "assets/logo-small.png",
    } <= names
    assert all(name.split("/")[0] in {"manifest.json", "assets", "translations"} for name in names)
    assert not any(name.startswith(("tests/", "dist/")) or name.endswith(".py") for name in names)


def test_shared_files_are_the_extensions_contents_not_links(built: zipfile.ZipFile) -> None:
    for name, source in (
        ("assets/reply-logic.js", ROOT / "extension" / "lib" / "reply-logic.js"),
        ("assets/panel.js", ROOT / "extension" / "content" / "panel.js"),
    ):
        assert built.read(name) == source.read_bytes()
        assert not built.getinfo(name).is_dir()


def test_manifest_has_the_fields_zaf_requires(built: zipfile.ZipFile) -> None:
    manifest = json.loads(built.read("manifest.json"))
    assert manifest["name"] == "Reply Assistant"
    assert manifest["author"]["name"] and "@" in manifest["author"]["email"]
    assert manifest["defaultLocale"] == "en"
    assert manifest["private"] is True
    assert manifest["frameworkVersion"] == "2.0"
    sidebar = manifest["location"]["support"]["ticket_sidebar"]
    assert sidebar["url"] == "assets/iframe.html" and sidebar["url"] in built.namelist()
    parameters = {p["name"]: p for p in manifest["parameters"]}
    assert parameters["service_url"]["default"] == "http://127.0.0.1:8765"
    translations = json.loads(built.read("translations/en.json"))
    assert set(translations["app"]["parameters"]) == set(parameters)
    assert translations["app"]["name"] == manifest["name"]


def test_iframe_loads_every_script_it_needs_from_the_zip(built: zipfile.ZipFile) -> None:
    html = built.read("assets/iframe.html").decode()
    for script in ("reply-logic.js", "panel.js", "reply-app.js", "main.js"):
        assert f'src="{script}"' in html
    assert html.index("reply-logic.js") < html.index("reply-app.js") < html.index("main.js")


def test_the_same_sources_give_the_same_zip(tmp_path: Path) -> None:
    first = package.build(tmp_path / "a.zip").read_bytes()
    second = package.build(tmp_path / "b.zip").read_bytes()
    assert first == second


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m.pop("author"), "missing field(s): author"),
        (lambda m: m.update(private=False), "private: must be true"),
        (lambda m: m.update(frameworkVersion="1.0"), 'frameworkVersion: must be "2.0"'),
        (lambda m: m.update(location={"support": {}}), "location.support.ticket_sidebar: missing"),
        (
            lambda m: m.update(defaultLocale="de"),
            "defaultLocale: translations/de.json does not exist",
        ),
    ],
)
def test_a_broken_manifest_is_named(tmp_path: Path, change, problem: str) -> None:
    shutil.copytree(ZENDESK / "assets", tmp_path / "assets")
    shutil.copytree(ZENDESK / "translations", tmp_path / "translations")
    manifest = json.loads((ZENDESK / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        package.PackageError,
        match="manifest.json: " + problem.replace("(", r"\(").replace(")", r"\)"),
    ):
        package.check_manifest(tmp_path / "manifest.json")


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{\n  "name": "x",\n  oops\n}', encoding="utf-8")
    with pytest.raises(package.PackageError, match="line 3: not valid JSON"):
        package.check_manifest(tmp_path / "manifest.json")
