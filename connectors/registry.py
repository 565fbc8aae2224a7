"""Build the connectors a workspace's ``copilot.yaml`` lists, by source type."""

from __future__ import annotations

from connectors.base import Connector
from connectors.database import DatabaseConnector
from connectors.documents import DocumentsConnector
from connectors.slack import SlackExportConnector
from copilot.config import (
    DatabaseSource,
    DocumentsSource,
    SlackExportSource,
    SourceConfig,
    WorkspaceConfig,
)
from copilot.directory import UserDirectory


def build_connector(
    source: SourceConfig, workspace: WorkspaceConfig, directory: UserDirectory
) -> Connector:
    if isinstance(source, SlackExportSource):
        return SlackExportConnector(source, workspace.resolve(source.path), directory)
    if isinstance(source, DocumentsSource):
        return DocumentsConnector(source, workspace.resolve(source.path))
    if isinstance(source, DatabaseSource):
        descriptions = workspace.resolve(source.descriptions) if source.descriptions else None
        return DatabaseConnector(source, descriptions)
    raise TypeError(f"no connector for source type {type(source).__name__}")


def build_connectors(workspace: WorkspaceConfig, directory: UserDirectory) -> list[Connector]:
    return [build_connector(s, workspace, directory) for s in workspace.sources]
