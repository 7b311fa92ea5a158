"""What `reply-assistant serve` was started with, passed whole to every worker process."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from assistant.api.engines import DEFAULT_CHECK_INTERVAL
from assistant.api.verdict import DEFAULT_BLOCK_ON

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# The token itself never goes here: workers read the token file (or REPLY_ASSISTANT_TOKEN).
SETTINGS_ENV = "REPLY_ASSISTANT_API_SETTINGS"


@dataclass(frozen=True)
class ApiSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    rules_dir: str | None = None
    templates_dir: str | None = None
    block_on: str = DEFAULT_BLOCK_ON
    allow_origins: tuple[str, ...] = ()
    token_file: str | None = None
    reload_interval: float = DEFAULT_CHECK_INTERVAL
    workers: int = 1
    access_log: bool = False

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        environ = os.environ if environ is None else environ
        raw = environ.get(SETTINGS_ENV)
        if not raw:
            return cls()
        values = json.loads(raw)
        values["allow_origins"] = tuple(values.get("allow_origins", ()))
        return cls(**values)
