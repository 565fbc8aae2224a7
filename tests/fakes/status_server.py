"""A local HTTP service for the tool tests: health endpoints and a small tickets API.

Tools reach it over real HTTP. Every request is logged (method, path, body) so a test can
assert that a refused tool never called out and that a refused write was never made.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

HEALTH: dict[str, tuple[int, dict[str, Any]]] = {
    "api": (200, {"status": "ok", "version": "4.2.0"}),
    "ledger": (503, {"status": "degraded", "reason": "replica lag 42s"}),
}
TICKETS: dict[str, dict[str, Any]] = {
    "INC-7": {"id": "INC-7", "title": "Webhook retries stuck", "status": "open"},
    "a/b": {"id": "a/b", "title": "Slash in id", "status": "closed"},
}


class StatusServer:
    def __init__(self, slow_s: float = 2.0) -> None:
        self.slow_s = slow_s
        self.requests: list[tuple[str, str, Any]] = []
        self.writes: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path, None))
                url = urlsplit(self.path)
                if url.path.startswith("/health/"):
                    self._health(url.path.removeprefix("/health/"))
                elif url.path.startswith("/api/tickets/"):
                    self._ticket(url.path.removeprefix("/api/tickets/"), parse_qs(url.query))
                elif url.path == "/api/big":
                    self._send(200, {"items": ["x" * 100] * 100})
                elif url.path == "/api/text":
                    self._send_raw(200, b"plain text reply", "text/plain")
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(("POST", self.path, body))
                server.writes.append(body)
                self._send(201, {"created": True, **body})

            def _health(self, service: str) -> None:
                if service == "slow":
                    time.sleep(server.slow_s)
                    self._send(200, {"status": "ok"})
                    return
                status, body = HEALTH.get(service, (404, {"error": "unknown"}))
                self._send(status, body)

            def _ticket(self, raw_id: str, query: dict[str, list[str]]) -> None:
                from urllib.parse import unquote

                ticket = TICKETS.get(unquote(raw_id))
                if ticket is None:
                    self._send(404, {"error": f"no ticket {unquote(raw_id)}"})
                    return
                self._send(200, {**ticket, "query": {k: v[0] for k, v in query.items()}})

            def _send(self, status: int, payload: Any) -> None:
                self._send_raw(status, json.dumps(payload).encode(), "application/json")

            def _send_raw(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # A client that timed out has hung up; that is what the slow endpoint tests.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def health_url(self, service: str) -> str:
        return f"{self.base_url}/health/{service}"

    def __enter__(self) -> StatusServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
