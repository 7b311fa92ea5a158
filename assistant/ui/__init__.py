"""Helpers for the Streamlit page, tested on plain values (the page itself is app.py)."""
