"""Build the zip Zendesk accepts for a private app: manifest.json, assets/ and translations/.

    python zendesk/package.py [--output PATH]

The logic and the panel are the browser extension's own files (zendesk/assets holds links to them so
`zcli apps:server zendesk` also works); the zip gets their contents, since Zendesk does not follow links.
Entries are sorted and dated 1980-01-01 so the same sources always give the same zip.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUTPUT = HERE / "dist" / "reply-assistant-zendesk.zip"
# ZAF refuses an upload without these; checked here so the error names the field before Zendesk does.
REQUIRED_FIELDS = ("name", "author", "defaultLocale", "private", "location", "frameworkVersion")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(Exception):
    """A problem in the app's sources, naming the file and the field."""


def check_manifest(path: Path) -> dict[str, object]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PackageError(f"{path}: line {error.lineno}: not valid JSON ({error.msg})") from error
    missing = [field for field in REQUIRED_FIELDS if field not in manifest]
    if missing:
        raise PackageError(f"{path}: missing field(s): {', '.join(missing)}")
    if manifest["private"] is not True:
        raise PackageError(
            f"{path}: private: must be true (this app is installed as a private app)"
        )
    if manifest["frameworkVersion"] != "2.0":
        raise PackageError(f'{path}: frameworkVersion: must be "2.0"')
    sidebar = manifest["location"].get("support", {}).get("ticket_sidebar")  # type: ignore[union-attr]
    if not sidebar:
        raise PackageError(f"{path}: location.support.ticket_sidebar: missing")
    url = sidebar["url"] if isinstance(sidebar, dict) else sidebar
    if not (path.parent / url).is_file():
        raise PackageError(f"{path}: location.support.ticket_sidebar.url: {url} does not exist")
    locale = path.parent / "translations" / f"{manifest['defaultLocale']}.json"
    if not locale.is_file():
        raise PackageError(f"{path}: defaultLocale: translations/{locale.name} does not exist")
    return manifest


def app_files() -> list[Path]:
    files = [HERE / "manifest.json"]
    for folder in ("assets", "translations"):
        files.extend(
            p for p in sorted((HERE / folder).rglob("*")) if p.is_file() and p.name != ".DS_Store"
        )
    return files


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    check_manifest(HERE / "manifest.json")
    for path in (HERE / "translations").glob("*.json"):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise PackageError(
                f"{path}: line {error.lineno}: not valid JSON ({error.msg})"
            ) from error
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in app_files():
            # resolve(): the shared files are links into extension/; the zip needs their contents.
            data = path.resolve().read_bytes()
            info = zipfile.ZipInfo(path.relative_to(HERE).as_posix(), date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Zendesk private-app zip.")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the zip"
    )
    args = parser.parse_args(argv)
    try:
        path = build(args.output)
    except PackageError as error:
        print(f"package.py: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
