"""copilot: answers engineers' questions from their company's own Slack, documents and databases."""

__version__ = "0.1.0"
