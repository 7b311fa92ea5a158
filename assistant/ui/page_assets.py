"""The page's own HTML, CSS and JavaScript (assistant/data/page/), read once per process."""

from __future__ import annotations

from functools import cache

from assistant.core import resources

PAGE_ASSETS = "page"


@cache
def asset(name: str) -> str:
    """The text of assistant/data/page/<name>; a missing file is a broken install, said so."""
    path = resources.bundled(PAGE_ASSETS) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise resources.ResourceError(
            f"the installed package cannot read data/{PAGE_ASSETS}/{name} ({exc.strerror}): "
            "reinstall reply-assistant"
        ) from exc
