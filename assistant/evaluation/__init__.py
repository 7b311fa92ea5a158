"""Quality on labelled JSONL, and the rule examples that run as tests."""
