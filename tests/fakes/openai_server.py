"""A local HTTP server that speaks the OpenAI chat API, for scripting the model in unit tests.

It goes in through the real door: the copilot's real client talks HTTP to it, exactly as it
would to vLLM or llama.cpp. Replies come from a script (a list, or a function of the request);
every request is recorded so tests can assert what the model was (or was not) asked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Message = str | dict[str, Any]  # plain text, or an assistant message (e.g. with tool_calls)
Reply = Message | Callable[[dict[str, Any]], Message]


class FakeOpenAIServer:
    def __init__(self, replies: list[Reply] | None = None, delay_s: float = 0.0) -> None:
        self.replies: list[Reply] = list(replies or [])
        self.requests: list[dict[str, Any]] = []
        self.delay_s = delay_s
        self.status = 200
        self.models = ["fake"]  # what GET /models lists
        # Given a request, an error message to refuse it with (HTTP 400), as vLLM refuses a
        # feature it was not started for; None lets it through.
        self.refuse: Callable[[dict[str, Any]], str | None] = lambda request: None
        self.authorizations: list[str | None] = []  # the Authorization header of each request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.authorizations.append(self.headers.get("Authorization"))
                if self.path.rstrip("/").endswith("/models"):
                    data = [{"id": name, "object": "model"} for name in server.models]
                    self._send(200, {"object": "list", "data": data})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.authorizations.append(self.headers.get("Authorization"))
                time.sleep(server.delay_s)
                refusal = server.refuse(body)
                if refusal is not None:
                    self._send(400, {"object": "error", "message": refusal, "code": 400})
                    return
                if server.status != 200:
                    self._send(server.status, {"error": {"message": "scripted failure"}})
                    return
                self._send(200, _completion(server.next_reply(body)))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def next_reply(self, request: dict[str, Any]) -> Message:
        if not self.replies:
            raise AssertionError("the model was called more often than the test scripted")
        reply = self.replies.pop(0)
        return reply(request) if callable(reply) else reply

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()


def tool_call(name: str, arguments: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    """An assistant message that calls one tool, as vLLM's OpenAI server sends it."""
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ],
    }


def _completion(reply: Message) -> dict[str, Any]:
    message = {"role": "assistant", "content": reply} if isinstance(reply, str) else reply
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
