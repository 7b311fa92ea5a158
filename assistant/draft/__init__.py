"""Checking an agent draft: review(), readability and required elements."""
