"""Screenshot a real answer on the Streamlit chat page, as the README shows it.

    .venv/bin/python scripts/screenshot_streamlit.py --workspace examples/acme \
        --user marcus.chen@acme.example --out docs/streamlit_answer.png \
        "My test data in staging keeps vanishing. When does staging get refreshed?"

Serves the page with ``copilot ui``'s own command on a free loopback port, answered by the
configured model (the embedded one unless ``COPILOT_LLM_BASE_URL`` is set), and asks in
headless Debian Chromium (``apt-get install -y chromium fonts-noto-color-emoji``). The user is
named by the trusted header, exactly as an authenticating proxy would name them; the answer is
recorded in the workspace's audit log like any other. The workspace must be ingested.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fakes

from tests.fakes.streamlit_browser import ask_in_browser, streamlit_server

HEADER = "X-Forwarded-Email"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--user", required=True, help="the asker's email (their access)")
    parser.add_argument("--out", type=Path, required=True, help="where the PNG goes")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the answer")
    parser.add_argument("question")
    args = parser.parse_args()
    env = {"COPILOT_UI_TRUSTED_USER_HEADER": HEADER}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "streamlit.log"
        with streamlit_server(args.workspace, env, log) as url:
            shown = ask_in_browser(
                url,
                args.question,
                screenshots=[args.out],
                headers={HEADER: args.user},
                timeout_s=args.timeout,
                size=(1100, 950),
            )
    print(shown.answer)
    print("links:", *shown.links, sep="\n  ")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
