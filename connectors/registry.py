"""Build the connectors a workspace's ``copilot.yaml`` lists, by source type."""

from __future__ import annotations

import os

from connectors.base import Connector
from connectors.database import DatabaseConnector
from connectors.documents import DocumentsConnector
from connectors.slack import SlackExportConnector
from connectors.slack_api import SlackApiConnector
from copilot.config import (
    DatabaseSource,
    DocumentsSource,
    SlackApiSource,
    SlackExportSource,
    SourceConfig,
    WorkspaceConfig,
)
from copilot.directory import UserDirectory
from copilot.errors import ConfigError


def build_connector(
    source: SourceConfig, workspace: WorkspaceConfig, directory: UserDirectory
) -> Connector:
    if isinstance(source, SlackExportSource):
        return SlackExportConnector(source, workspace.resolve(source.path), directory)
    if isinstance(source, SlackApiSource):
        return SlackApiConnector(source, _slack_token(source), directory)
    if isinstance(source, DocumentsSource):
        return DocumentsConnector(source, workspace.resolve(source.path))
    if isinstance(source, DatabaseSource):
        descriptions = workspace.resolve(source.descriptions) if source.descriptions else None
        return DatabaseConnector(source, descriptions)
    raise TypeError(f"no connector for source type {type(source).__name__}")


def _slack_token(source: SlackApiSource) -> str:
    """The bot token lives in the environment, never in ``copilot.yaml``; errors name the
    variable only, so the token cannot leak into a message or a log."""
    token = os.environ.get(source.token_env, "").strip()
    if not token:
        raise ConfigError(
            f"source {source.name!r} reads Slack with the bot token in the environment variable "
            f"{source.token_env}, which is not set: export {source.token_env}=xoxb-... "
            "(the Slack app's Bot User OAuth Token)"
        )
    return token


def build_connectors(workspace: WorkspaceConfig, directory: UserDirectory) -> list[Connector]:
    return [build_connector(s, workspace, directory) for s in workspace.sources]
