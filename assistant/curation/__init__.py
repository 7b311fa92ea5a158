"""Curators edit the library: validated edits, atomic saves, reported false positives."""
