#!/usr/bin/env python3
"""A tiny round-robin HTTP reverse proxy for the multi-node demo (scripts/demo-postgres); standard library only.

    python3 scripts/round-robin.py --listen 127.0.0.1:8080 127.0.0.1:8081 127.0.0.1:8082

Each request goes to the next backend in turn; a backend that refuses the connection is skipped. Responses carry
`X-Served-By: <backend>`, so you can see which node answered. Bodies are buffered (Content-Length only): a demo, not
a production load balancer.
"""
import argparse
import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers about one connection, not the message: never forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive towards the client
    backends = []  # "host:port", set in main()
    turns = itertools.count()
    lock = threading.Lock()

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            first = next(self.turns)
        for i in range(len(self.backends)):
            backend = self.backends[(first + i) % len(self.backends)]
            connection = http.client.HTTPConnection(backend, timeout=120)
            try:
                connection.connect()
            except OSError:
                continue  # refused (node down): try the next one
            try:
                connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP | {"x-forwarded-for"}:
                        connection.putheader(name, value)
                # The client's address, after any the client's own proxies added.
                forwarded = [self.headers.get("X-Forwarded-For"), self.client_address[0]]
                connection.putheader("X-Forwarded-For", ", ".join(filter(None, forwarded)))
                connection.endheaders(body or None)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.send_error(502, f"{backend}: {error}")
                return
            finally:
                connection.close()
            self.send_response_only(response.status, response.reason)
            self.log_request(response.status)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            if response.getheader("Content-Length") is None and response.status not in (204, 304):
                self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Served-By", backend)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            return
        self.send_error(502, "No backend accepted the connection")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = forward


def main():
    parser = argparse.ArgumentParser(description="A round-robin HTTP reverse proxy (for demos).")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="host:port to listen on")
    parser.add_argument("backends", nargs="+", help="host:port of each backend")
    arguments = parser.parse_args()
    Proxy.backends = arguments.backends
    host, port = arguments.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Proxy)
    print(f"round-robin proxy on http://{arguments.listen} -> {', '.join(Proxy.backends)}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
