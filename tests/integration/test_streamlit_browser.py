"""The chat page end to end in a real browser: ``streamlit run`` (the command ``copilot ui``
builds) on a free port over the tiny workspace, the chat model scripted through its real HTTP
interface, and headless Debian Chromium asking as a user its sign-in proxy names.

Skips when Chromium or Playwright is missing, unless ``COPILOT_REQUIRE_SERVICES=1`` (CI, whose
``.ci/run`` installs Chromium). ``COPILOT_TEST_SCREENSHOT=path`` also saves the screenshot
there (it is always saved in the test's temporary folder).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.copilot import Workspace
from indexes.embeddings import SentenceTransformerEmbedder
from tests.conftest import require_service
from tests.fakes.faithful_model import faithful_reply
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.streamlit_browser import ask_in_browser, chromium_path, streamlit_server
from tests.fakes.tiny_workspace import make_tiny_workspace

pytestmark = pytest.mark.integration

MOVING_THREAD = "https://tiny.slack.com/archives/G1/p1767600000000500"  # private: Bob only


def _require_browser() -> None:
    if chromium_path() is None:
        require_service("chromium", "install Debian's package: apt-get install -y chromium")
    if importlib.util.find_spec("playwright") is None:
        require_service("playwright", "install the dev extra: pip install -e '.[dev]'")


def test_a_question_is_answered_with_a_source_link_in_chromium(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    _require_browser()
    root = make_tiny_workspace(tmp_path / "ws")
    workspace = Workspace(Settings.load(root))
    workspace.embedder = embedder
    workspace.ingest()
    screenshots = [tmp_path / "streamlit_answer.png"]
    if os.environ.get("COPILOT_TEST_SCREENSHOT"):
        screenshots.append(Path(os.environ["COPILOT_TEST_SCREENSHOT"]))

    with FakeOpenAIServer([faithful_reply] * 100) as model:
        env = {
            "COPILOT_LLM_BASE_URL": model.base_url,
            "COPILOT_UI_TRUSTED_USER_HEADER": "X-Forwarded-Email",  # as behind oauth2-proxy
            "COPILOT_UI_STREAM_DELAY_S": "0.01",
        }
        with streamlit_server(root, env, tmp_path / "streamlit.log") as url:
            shown = ask_in_browser(
                url,
                "When is the office move to Pier 39 planned?",
                headers={"X-Forwarded-Email": "bob@tiny.example"},
                screenshots=screenshots,
            )

    assert "March 3" in shown.answer
    assert MOVING_THREAD in shown.links  # the [1] marker and the sources panel link to it
    assert all(path.stat().st_size > 10_000 for path in screenshots)
    entry = AuditLog.from_catalog(workspace.catalog).entries()[-1]
    assert entry.surface == "streamlit" and entry.asker == "bob@tiny.example"
