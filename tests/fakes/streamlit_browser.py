"""Serve the Streamlit page for real and drive it in headless Chromium (Debian's ``chromium``,
through Playwright with ``executable_path``: no browser is downloaded).

Used by the browser test and by ``scripts/screenshot_streamlit.py``, so the screenshot in the
README is taken the way the test checks the page: type a question, wait for the finished
answer (its feedback buttons), read the links, capture the window.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from copilot.config import Settings
from ui.streamlit_launch import streamlit_command


def chromium_path() -> str | None:
    """Debian's ``chromium`` (or a ``chromium-browser``) on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit was not healthy after {timeout_s:.0f}s:\n{log.read_text()}")


@contextmanager
def streamlit_server(
    workspace: Path, env: Mapping[str, str], log: Path, timeout_s: float = 180
) -> Iterator[str]:
    """``copilot ui``'s own command on a free loopback port; yields the page's URL."""
    port = _free_port()
    command = streamlit_command(
        Settings(_env_file=None),  # type: ignore[call-arg]
        workspace,
        address="127.0.0.1",
        port=port,
    )
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log, timeout_s)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Shown:
    """What the browser showed for the answer: its text and every link in the chat."""

    answer: str
    links: list[str]


def ask_in_browser(
    url: str,
    question: str,
    *,
    screenshots: Sequence[Path] = (),
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 300,
    size: tuple[int, int] = (1100, 1000),
) -> Shown:
    """Ask ``question`` on the page and wait until the answer is complete."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium)")
    timeout_ms = timeout_s * 1000
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            context = browser.new_context(
                viewport={"width": size[0], "height": size[1]},
                extra_http_headers=dict(headers or {}),
            )
            page = context.new_page()
            page.goto(url, timeout=timeout_ms)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=timeout_ms)
            box.fill(question)
            box.press("Enter")
            # The feedback buttons come last: the answer has finished streaming by then.
            page.get_by_role("button", name="👍").wait_for(timeout=timeout_ms)
            messages = page.get_by_test_id("stChatMessage")
            answer = messages.last.inner_text()
            links = [
                href for link in messages.locator("a").all() if (href := link.get_attribute("href"))
            ]
            for path in screenshots:
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path))
            return Shown(answer, links)
        finally:
            browser.close()
