"""Connectors turn a source (Slack, a documents folder, a database) into ``Document`` records."""
