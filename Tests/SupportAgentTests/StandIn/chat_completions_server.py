"""A stand-in for an OpenAI-compatible chat-completions API, for tests (stdlib only).

    python3 chat_completions_server.py --port-file PATH --key KEY [--mode MODE] [--delay S] [--log PATH]

It listens on 127.0.0.1 on a free port, writes the port to --port-file once it accepts
connections, and answers POST /v1/chat/completions:

- a request without "Authorization: Bearer KEY": 401 with OpenAI's error body, whose message
  repeats the key it was given (as some providers do), so tests can check the client keeps it
  out of what it prints;
- MODE ok (default): 200, a chat completion whose content repeats the last user message, the
  model asked for plus "-2024-07-18" (as OpenAI names the snapshot that answered) and token
  usage counted in words;
- MODE server-error: 500; MODE rate-limit: 429 with Retry-After: 7; MODE not-json: 200 with an
  HTML page; MODE slow: waits --delay seconds, then answers as ok.

Each request is appended to --log as one JSON line: path, authorization accepted or not, body.
"""

import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_counter = 0
_counter_lock = threading.Lock()


def _next_id():
    global _counter
    with _counter_lock:
        _counter += 1
        return _counter


def _words(text):
    return len((text or "").split())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    options = None

    def log_message(self, format, *args):  # quiet: tests read --log instead
        pass

    def _send(self, status, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, message, kind, code=None, headers=None):
        self._send(status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, headers=headers)

    def do_GET(self):
        self._error(404, f"Unknown path {self.path}", "invalid_request_error")

    def do_POST(self):
        options = self.options
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        authorization = self.headers.get("Authorization") or ""
        accepted = authorization == "Bearer " + options.key
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if options.log:
            with open(options.log, "a") as log:
                log.write(json.dumps({"path": self.path, "authorized": accepted, "body": body}) + "\n")

        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"Unknown path {self.path}", "invalid_request_error")
        if not accepted:
            given = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else authorization
            return self._error(
                401, f"Incorrect API key provided: {given}. You can find your API key in your account settings.",
                "invalid_request_error", "invalid_api_key")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body.get("model"):
            return self._error(400, "The request needs 'model' and 'messages'.", "invalid_request_error")

        mode = options.mode
        if mode == "server-error":
            return self._error(500, "The server had an error while processing your request.", "server_error")
        if mode == "rate-limit":
            return self._error(429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded",
                               headers={"Retry-After": "7"})
        if mode == "not-json":
            return self._send(200, b"<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html")
        if mode == "slow":
            time.sleep(options.delay)

        question = next((m.get("content") for m in reversed(body["messages"]) if m.get("role") == "user"), "")
        answer = f"Stand-in answer: to '{question}', go to Settings and follow the steps."
        prompt_tokens = sum(_words(m.get("content")) for m in body["messages"])
        completion_tokens = _words(answer)
        self._send(200, {
            "id": f"chatcmpl-standin-{_next_id()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"] + "-2024-07-18",
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": answer, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "system_fingerprint": "fp_standin",
        })


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--mode", default="ok", choices=["ok", "server-error", "rate-limit", "not-json", "slow"])
    parser.add_argument("--delay", type=float, default=5.0)
    parser.add_argument("--log")
    options = parser.parse_args()
    Handler.options = options
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    temporary = options.port_file + ".tmp"
    with open(temporary, "w") as port_file:
        port_file.write(str(server.server_address[1]))
    os.replace(temporary, options.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
