"""A webhook receiver on 127.0.0.1 for the tests: records what it gets, answers as told."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_by(self, secret: str) -> bool:
        """Whether ``standardwebhooks`` (the spec's own verifier) accepts it under ``secret``."""
        try:
            Webhook(secret).verify(self.body, self.headers)
        except WebhookVerificationError:
            return False
        return True

    def legacy_signed_by(self, secret: str) -> bool:
        """Whether the X-Crosscheck-Signature (of webhooks from before 0004) is ``secret``'s,
        checked as the old receivers did: the secret's bytes as the key."""
        timestamp = self.headers["x-crosscheck-timestamp"]
        expected = hmac.new(
            secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.headers["x-crosscheck-signature"], "sha256=" + expected)


@dataclass
class Receiver:
    """Start with ``start()``; ``status`` is the answer, ``gate`` (when set) holds each request
    until it is opened."""

    port: int = 0
    host: str = "127.0.0.1"
    status: int = 200
    gate: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                receiver.arrived.set()
                if receiver.gate is not None:
                    receiver.gate.wait(timeout=60)
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def free_port() -> int:
    """A port nothing listens on (for a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds (a generous bound,
    not a measurement)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


# The receivers above run on 127.0.0.1, a private address: the service calls them only when the
# test opts that one address in (nothing else of the loopback network: see RogueReceiver).
LOOPBACK_RECEIVERS = {"webhook_private_networks": ["127.0.0.1/32"]}


@dataclass
class RogueReceiver:
    """A receiver on ``host`` that misbehaves after reading the request: ``behaviour`` is

    - ``huge``: 200 with a body of ``huge_bytes`` (zeros, written as fast as they are taken);
    - ``drip``: a status line dripped one byte every ``drip_seconds``, never finished;
    - ``hang``: nothing at all until ``release`` is set;
    - ``redirect``: 302 to ``location``.

    ``arrived`` counts the requests that reached it; ``sent`` the body bytes it managed to write.
    """

    behaviour: str
    host: str = "127.0.0.1"
    location: str = ""
    huge_bytes: int = 256 * 1024 * 1024
    drip_seconds: float = 0.2
    port: int = 0
    arrived: int = 0
    sent: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    def start(self) -> RogueReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.arrived += 1
                with contextlib.suppress(OSError):  # the service hung up: as these tests expect
                    getattr(receiver, f"_{receiver.behaviour}")(self.wfile)
                self.close_connection = True

            def log_message(self, *_: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        ThreadingHTTPServer.daemon_threads = True
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _huge(self, out: Any) -> None:
        out.write(f"HTTP/1.1 200 OK\r\ncontent-length: {self.huge_bytes}\r\n\r\n".encode())
        chunk = bytes(1024 * 1024)
        while self.sent < self.huge_bytes and not self.release.is_set():
            out.write(chunk)
            self.sent += len(chunk)

    def _drip(self, out: Any) -> None:
        line = b"HTTP/1.1 200 OK\r\nx-padding: " + b"a" * 1000
        for byte in line:
            if self.release.wait(self.drip_seconds):
                return
            out.write(bytes([byte]))
            out.flush()

    def _hang(self, _out: Any) -> None:
        self.release.wait(timeout=120)

    def _redirect(self, out: Any) -> None:
        out.write(
            f"HTTP/1.1 302 Found\r\nlocation: {self.location}\r\ncontent-length: 0\r\n\r\n".encode()
        )
