"""An HTTP/1.1 echo server for HTTPClientTests (Python's http.server, stdlib only).

    python3 echo_server.py PORT_FILE

It listens on 127.0.0.1 on a free port, writes the port to PORT_FILE once it accepts
connections, keeps connections open between requests (HTTP/1.1 with Content-Length), and
answers any method with a JSON body: the method, path, request headers (names lowercased),
request body (UTF-8 text) and the client's port, which stays the same while one connection is
reused. The answer's status is ?status=N (default 200), it carries the header X-Repeated twice
(values "a" and "b"), and ?delay=S makes it wait S seconds first.
"""

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _echo(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = parse_qs(urlsplit(self.path).query)
        time.sleep(float(query.get("delay", ["0"])[0]))
        answer = json.dumps({
            "method": self.command,
            "path": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body.decode("utf-8"),
            "clientPort": self.client_address[1],
        }).encode("utf-8")
        self.send_response(int(query.get("status", ["200"])[0]))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("X-Repeated", "a")
        self.send_header("X-Repeated", "b")
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _echo

    def log_message(self, format, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    server.daemon_threads = True
    port_file = sys.argv[1]
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
