"""``copilot ui``: starts ``streamlit run ui/streamlit_app.py`` for a workspace.

Kept apart from the page so the CLI can build and check the command without importing
Streamlit. Two choices are enforced here rather than documented only: usage statistics are
off (no data leaves the company, not even Streamlit's telemetry), and the user picker, which
lets whoever opens the page pick any user, is served on loopback only: listening on another
address needs ``COPILOT_UI_TRUSTED_USER_HEADER`` (an authenticating proxy in front).
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

from copilot.config import Settings
from copilot.errors import ConfigError
from copilot.llm_check import ensure_llm_served

APP = Path(__file__).resolve().with_name("streamlit_app.py")


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, address: str) -> None:
    """Refuse to serve the picker beyond this machine (fail closed)."""
    if is_loopback(address) or (settings.ui_trusted_user_header or "").strip():
        return
    raise ConfigError(
        f"refusing to listen on {address} without COPILOT_UI_TRUSTED_USER_HEADER: the user "
        "picker would let anyone who reaches the page ask as anyone. Put the page behind an "
        "authenticating proxy and set the header it sends (docs/deployment.md), or listen on "
        "127.0.0.1"
    )


def streamlit_command(
    settings: Settings, workspace: Path, *, address: str | None = None, port: int | None = None
) -> list[str]:
    address = address or settings.ui_address
    check_exposure(settings, address)
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        address,
        "--server.port",
        str(port or settings.ui_port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # readers get no developer menu or deploy button
        "--",
        "--workspace",
        str(workspace.resolve()),
    ]


def run(settings: Settings, workspace: Path, *, address: str | None, port: int | None) -> int:
    """Serve the page until stopped; the exit code is Streamlit's."""
    try:
        import streamlit  # noqa: F401  (only to fail early with the right advice)
    except ImportError as exc:
        raise ConfigError(
            "the chat page needs the ui extra (streamlit is missing): pip install -e '.[ui]'"
        ) from exc
    command = streamlit_command(settings, workspace, address=address, port=port)
    ensure_llm_served(settings)  # a misconfigured server fails here, not on a first question
    return subprocess.call(command)
