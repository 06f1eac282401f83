"""``crosscheck serve``: several workers must not bring back Nagle's delay, and share their rate
limits' store and their metrics' directory."""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from app import server
from app.config import get_settings
from app.server import APP, TcpConfig, share_cores


async def _accepted_nodelay(listening: socket.socket) -> int:
    """TCP_NODELAY of a connection accepted by asyncio on ``listening`` (as uvicorn does)."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=listening)
    port = listening.getsockname()[1]
    async with server:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(accepted, timeout=10)
        writer.close()
    return value


def test_a_socket_made_without_its_protocol_loses_nodelay() -> None:
    """Why ``TcpConfig`` exists: asyncio leaves Nagle on when the protocol number is 0, as in
    the socket uvicorn binds for several workers."""
    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    assert sock.proto == 0
    assert asyncio.run(_accepted_nodelay(sock)) == 0


def test_serve_socket_gives_connections_nodelay() -> None:
    sock = TcpConfig(APP, host="127.0.0.1", port=0).bind_socket()
    assert sock.proto == socket.IPPROTO_TCP
    assert asyncio.run(_accepted_nodelay(sock)) != 0


def test_workers_share_the_cores_unless_threads_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "usable_cores", lambda: 8)
    monkeypatch.delenv("CROSSCHECK_EMBEDDING_THREADS", raising=False)
    get_settings.cache_clear()
    share_cores(1)
    assert "CROSSCHECK_EMBEDDING_THREADS" not in os.environ
    share_cores(4)
    assert os.environ["CROSSCHECK_EMBEDDING_THREADS"] == "2"
    monkeypatch.setenv("CROSSCHECK_EMBEDDING_THREADS", "3")
    get_settings.cache_clear()
    share_cores(4)
    assert os.environ["CROSSCHECK_EMBEDDING_THREADS"] == "3"
    get_settings.cache_clear()


def test_several_workers_get_a_fresh_metrics_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with server.multiprocess_metrics(1) as none:
        assert none is None
        assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    with server.multiprocess_metrics(2) as directory:
        assert directory is not None
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)
        assert list(directory.iterdir()) == []
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    assert not directory.exists()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/srv/metrics")
    with server.multiprocess_metrics(2) as kept:
        assert kept is None  # the operator's own is used as it is
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == "/srv/metrics"
