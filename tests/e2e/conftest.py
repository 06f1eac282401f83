"""End-to-end: the real service in its own process (uvicorn), on 127.0.0.1 only.

These tests send traffic to nothing but the loopback address, are bounded in requests and
time, and stop the servers they start (by their process ids).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import Server


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[type[Server]]:
    started: list[Server] = []

    class Tracked(Server):
        def start(self, timeout: float = 180) -> Server:
            started.append(self)
            return super().start(timeout)

    yield Tracked
    for server in started:
        server.stop()
