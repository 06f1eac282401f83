"""Running the API under uvicorn, with one or several worker processes.

``uvicorn.run`` with ``workers > 1`` binds the listening socket itself as
``socket.socket(family)``, whose protocol number is 0. asyncio only sets ``TCP_NODELAY`` on
accepted connections whose protocol is ``IPPROTO_TCP``, so every connection of a multi-worker
server kept Nagle's algorithm: uvicorn writes a response's head and body in two sends, the body
waited for the client's delayed ACK, and each response took about 40 ms more (measured: p50 of
``POST /v1/check`` 56 ms with two workers against 15 ms with one). The socket is re-made here
with its real protocol, which the worker processes inherit.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.config import get_settings
from app.embeddings.base import usable_cores

APP = "app.main:app"


class TcpConfig(uvicorn.Config):
    """``uvicorn.Config`` whose TCP listening socket says it is TCP."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def share_cores(workers: int) -> None:
    """Unless ``embedding_threads`` is set, give each worker's model its share of the cores:
    several workers each running the model on every core only fight over them."""
    if workers > 1 and get_settings().embedding.threads is None:
        threads = max(1, usable_cores() // workers)
        os.environ["CROSSCHECK_EMBEDDING_THREADS"] = str(threads)  # the workers inherit it


@contextmanager
def shared_rate_limits(workers: int) -> Iterator[Path | None]:
    """With several workers and no CROSSCHECK_RATE_LIMIT_STORE, a fresh file for the workers'
    shared rate limits (``app.limits.SharedRateLimiter``), removed when the server stops."""
    if workers <= 1 or get_settings().limits.rate_limit_store is not None:
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="crosscheck-limits-"))
    store = directory / "rate-limits.db"
    os.environ["CROSSCHECK_RATE_LIMIT_STORE"] = str(store)  # the workers inherit it
    try:
        yield store
    finally:
        os.environ.pop("CROSSCHECK_RATE_LIMIT_STORE", None)
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def multiprocess_metrics(workers: int) -> Iterator[Path | None]:
    """With several workers, a fresh PROMETHEUS_MULTIPROC_DIR for their metrics' files, so
    that a scrape of any worker adds up all of them; removed when the server stops. One the
    operator set is used as it is (empty it before each start: old files would be counted)."""
    if workers <= 1 or "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="crosscheck-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)  # the workers inherit it
    try:
        yield directory
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(directory, ignore_errors=True)


def run(host: str, port: int, workers: int) -> None:
    """Serve the API until interrupted (what ``uvicorn.run`` does, with ``TcpConfig``)."""
    share_cores(workers)
    config = TcpConfig(APP, host=host, port=port, workers=workers, proxy_headers=False)
    if config.workers > 1:
        with shared_rate_limits(config.workers), multiprocess_metrics(config.workers):
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
