"""Reply Assistant: offline tone check, threat scan and reply composer for customer-service agents."""

__version__ = "0.1.0"
