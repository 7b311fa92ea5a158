"""Composing a reply from sandboxed Jinja templates for a case type."""
