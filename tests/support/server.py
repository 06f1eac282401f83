"""A real ``crosscheck serve`` process on 127.0.0.1, for the end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.db.migrate import migrate_database
from tests.support.receiver import free_port, wait_until

API_KEY = "e2e-key-0123456789abcdef"


@dataclass
class Server:
    """A ``crosscheck serve`` process on 127.0.0.1 over a SQLite file."""

    directory: Path
    settings: dict[str, object] = field(default_factory=dict)
    port: int = 0
    workers: int = 1
    process: subprocess.Popen[bytes] | None = None

    @property
    def database(self) -> Path:
        return self.directory / "crosscheck.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def start(self, timeout: float = 180) -> Server:
        if not self.database.exists():
            migrate_database(f"sqlite:///{self.database}")
        self.port = self.port or free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("CROSSCHECK_")}
        env["CROSSCHECK_DATABASE_URL"] = f"sqlite:///{self.database}"
        env["CROSSCHECK_API_KEYS"] = json.dumps([API_KEY])
        for name, value in self.settings.items():
            env[f"CROSSCHECK_{name.upper()}"] = (
                value if isinstance(value, str) else json.dumps(value)
            )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
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
                cwd=self.directory,  # no stray .env from the working tree
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._ready, timeout=timeout, what=f"the server to be ready (see {self.log})")
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited: {self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash or an OOM kill would."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
