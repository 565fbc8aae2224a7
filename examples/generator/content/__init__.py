"""Hand-written content for the Acme Cloud sample workspace."""
