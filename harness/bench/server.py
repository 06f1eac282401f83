"""The API in a child process on the loopback interface, as a deployment runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx
import psutil

# A first start over a large store without a saved graph builds it before listening: 5 min at
# a million claims on this machine.
_START_TIMEOUT_S = 3600


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ApiServer:
    """``crosscheck serve`` (one or ``workers`` processes) with ``CROSSCHECK_*`` settings."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1):
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, **env}
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None
        self.start_s = 0.0  # from launch to answering, once started

    def __enter__(self) -> ApiServer:
        log = self._log.open("ab")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                "--no-migrate",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        began = time.monotonic()
        deadline = began + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the API exited with {self._process.returncode}; see {self._log}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    self.start_s = time.monotonic() - began
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the API did not start within {_START_TIMEOUT_S} s; see {self._log}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=30)
        self._process = None

    def cpu_s(self) -> float:
        """CPU seconds (user and system) the API's processes have used so far."""
        assert self._process is not None
        process = psutil.Process(self._process.pid)
        times = [p.cpu_times() for p in (process, *process.children(recursive=True))]
        return float(sum(t.user + t.system for t in times))

    def rss_mb_each(self) -> list[float]:
        """Resident memory of each worker process of the API, in MB."""
        assert self._process is not None
        process = psutil.Process(self._process.pid)
        workers = process.children() if self.workers > 1 else [process]
        return [float(p.memory_info().rss) / 2**20 for p in workers]
