"""A local HTTP server on 127.0.0.1 that records webhook requests (and can fail the first few)."""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    fail_first: int = 0  # answer 500 to this many requests before accepting
    host: str = "127.0.0.1"  # any of 127.0.0.0/8 (two receivers can share a port on different addresses)
    port: int = 0  # 0: any free port
    tls: ssl.SSLContext | None = None  # a server context: answer https
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(Received(body, {k.lower(): v for k, v in self.headers.items()}))
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        if self.tls is not None:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if self.tls else 'http'}://{self.host}:{self.port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, f"received {len(self.requests)} of {count} webhook requests"
        return self.requests

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
