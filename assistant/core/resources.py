"""Where a run reads its library from: the one place that knows the bundled library's location.

The bundled phrase rules and templates ship inside the package (assistant/data/) and are found
with importlib.resources, so an installed wheel works from any folder. A checkout's top-level
phrase_rules/ and templates/ are links to the same folders. An explicit directory (--rules-dir,
--templates-dir) wins, then the environment, then the bundled library.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

RULES_DIR_ENV = "REPLY_ASSISTANT_RULES_DIR"
TEMPLATES_DIR_ENV = "REPLY_ASSISTANT_TEMPLATES_DIR"
RULES_DIR_NAME = "phrase_rules"
TEMPLATES_DIR_NAME = "templates"
PAGE_SCRIPT = "app.py"
# Streamlit reads a .streamlit/config.toml beside the script it runs, so the page's settings ship
# next to it.
PAGE_CONFIG = ".streamlit/config.toml"


class ResourceError(RuntimeError):
    """The installed package lacks a file it ships with (a broken or partial install)."""


def bundled(name: str) -> Path:
    """A file or folder of the bundled library, as a path on disk.

    The library is edited in place and globbed, so it must be real files: a zipped install is
    refused with the name of what is missing rather than read half-way.
    """
    resource = files("assistant").joinpath("data", name)
    path = Path(str(resource))
    if not path.exists():
        raise ResourceError(f"the installed package has no data/{name}: reinstall reply-assistant")
    return path


def rules_dir(explicit: str | Path | None = None) -> Path:
    return _resolve(explicit, RULES_DIR_ENV, RULES_DIR_NAME)


def templates_dir(explicit: str | Path | None = None) -> Path:
    return _resolve(explicit, TEMPLATES_DIR_ENV, TEMPLATES_DIR_NAME)


def page_script() -> Path:
    return bundled(PAGE_SCRIPT)


def page_config() -> Path:
    return bundled(PAGE_CONFIG)


def _resolve(explicit: str | Path | None, env: str, name: str) -> Path:
    chosen = explicit or os.environ.get(env)
    return Path(chosen).resolve() if chosen else bundled(name).resolve()
