"""`reply-assistant serve`: the engine as a local HTTP JSON API for help-desk integrations.

The same result objects as the command line (docs/contract.md) plus a `verdict`, behind a
per-install bearer token, with CORS for the help-desk origins the user names (docs/api.md).
"""
