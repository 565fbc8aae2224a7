"""Sub-chains that turn a question into a ``Draft``: retrieval (SQL and tools come later)."""
