"""Strip the run-specific fields (timings, paths) from `reply-assistant eval --format json`, so two
installs can be compared figure for figure."""

import json
import sys

VOLATILE = {"seconds", "path", "per_second", "records_per_second"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


json.dump(strip(json.load(sys.stdin)), sys.stdout, indent=1, sort_keys=True)
