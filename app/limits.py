"""The per-client rate limit: a token bucket for each API key (or client address).

Each bucket holds up to ``burst`` tokens and refills at ``per_minute / 60`` tokens a second; a
request takes one token (a batch of articles, against its own limiter, one per article) or is
refused, taking none, with the time until enough are there.

``RateLimiter`` keeps the buckets in the worker process. ``SharedRateLimiter`` keeps them in a
small SQLite file that every worker process of an instance opens, so that with ``crosscheck
serve --workers N`` a client gets the documented rate, not N times it: ``app.server`` makes
that file for a multi-worker server (``CROSSCHECK_RATE_LIMIT_STORE``). Replicas on other hosts
still count apart; see docs/operations.md.

Each admission is told to the client in the IETF RateLimit fields
(draft-ietf-httpapi-ratelimit-headers, structured-field form; ``Quota.fields``): the policy,
``"requests";q=<burst>;w=<seconds to refill it>`` (the bucket's size and its sustained rate, in
the draft's quota-per-window terms), and the client's state, ``"requests";r=<tokens
left>;t=<seconds until the bucket is full again>``.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BUCKETS = 10_000
"""Buckets kept before the idle ones (full again, so indistinguishable from new) are dropped."""


@dataclass(frozen=True, slots=True)
class Quota:
    """One admission's answer: ``wait`` (0: admitted, else whole seconds until ``cost`` fits)
    and the bucket after it, as the RateLimit fields tell it."""

    name: str
    burst: int
    window: int  # seconds to refill an empty bucket: the policy's w
    remaining: int  # whole tokens left: r
    reset: int  # seconds until the bucket is full again: t
    wait: int

    def policy_item(self) -> str:
        """This limit's member of RateLimit-Policy (a structured-field list item)."""
        return f'"{self.name}";q={self.burst};w={self.window}'

    def state_item(self) -> str:
        """This limit's member of RateLimit."""
        return f'"{self.name}";r={self.remaining};t={self.reset}'


def quota(name: str, tokens: float, rate: float, burst: float, wait: int) -> Quota:
    """The Quota of a bucket holding ``tokens`` after an admission."""
    return Quota(
        name=name,
        burst=int(burst),
        window=max(1, math.ceil(round(burst / rate, 6))),
        remaining=max(0, math.floor(tokens + 1e-9)),
        reset=max(0, math.ceil(round((burst - tokens) / rate, 6))),
        wait=wait,
    )


class RateLimiter:
    """Token buckets keyed by client; thread-safe (sync endpoints run in a thread pool)."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        name: str = "requests",
    ):
        self.name = name
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, as of)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, client: str, cost: int = 1) -> int:
        """Take ``cost`` tokens for ``client``: 0 when admitted, else whole seconds until there
        are enough (none are taken then). ``cost`` above ``burst`` is never admitted."""
        admitted = self.admit(client, cost)
        return 0 if admitted is None else admitted.wait

    def admit(self, client: str, cost: int = 1) -> Quota | None:
        """As ``acquire``, with the bucket's state after it; ``None`` when there is no limit."""
        if not self.enabled:
            return None
        _check_cost(cost, self.burst)
        with self._lock:
            now = self._clock()
            tokens, as_of = self._buckets.get(client, (self.burst, now))
            tokens, wait = take(tokens, now - as_of, self.rate, self.burst, cost)
            self._buckets[client] = (tokens, now)
            if not wait and len(self._buckets) > MAX_BUCKETS:
                self._forget_idle(now)
            return quota(self.name, tokens, self.rate, self.burst, wait)

    def close(self) -> None:
        """Nothing to release (the shared limiter closes its file)."""

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        idle = [c for c, (_, as_of) in self._buckets.items() if now - as_of >= full_after]
        for client in idle:
            del self._buckets[client]


def _check_cost(cost: int, burst: float) -> None:
    if cost > burst:
        raise ValueError(f"a cost of {cost} can never fit a burst of {burst:g}")


def take(tokens: float, elapsed: float, rate: float, burst: float, cost: int) -> tuple[float, int]:
    """One bucket's step: its tokens after ``elapsed`` seconds of refill and, when ``cost``
    fits, the taking; and 0, or the whole seconds until it would fit."""
    tokens = min(burst, tokens + max(0.0, elapsed) * rate)
    if tokens >= cost:
        return tokens - cost, 0
    return tokens, max(1, math.ceil(round((cost - tokens) / rate, 6)))


class SharedRateLimiter:
    """``RateLimiter``'s buckets in a SQLite file shared by the worker processes of one
    instance: each ``acquire`` is one short write transaction (the file's lock makes the
    processes take turns). ``name`` tells apart the limiters that share a file (requests,
    batched articles). The clock is the wall clock, which every process reads alike."""

    def __init__(
        self,
        path: Path,
        name: str,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.time,
    ):
        self.path = path
        self.name = name
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._calls = 0

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # buckets need not outlive a crash
            connection.execute(
                "CREATE TABLE IF NOT EXISTS buckets (name TEXT, client TEXT, tokens REAL, "
                "as_of REAL, PRIMARY KEY (name, client))"
            )
            self._connection = connection
        return self._connection

    def acquire(self, client: str, cost: int = 1) -> int:
        """As ``RateLimiter.acquire``, against the buckets every worker shares."""
        admitted = self.admit(client, cost)
        return 0 if admitted is None else admitted.wait

    def admit(self, client: str, cost: int = 1) -> Quota | None:
        """As ``RateLimiter.admit``, against the buckets every worker shares."""
        if not self.enabled:
            return None
        _check_cost(cost, self.burst)
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                now = self._clock()
                row = db.execute(
                    "SELECT tokens, as_of FROM buckets WHERE name = ? AND client = ?",
                    (self.name, client),
                ).fetchone()
                tokens, as_of = row if row is not None else (self.burst, now)
                tokens, wait = take(tokens, now - as_of, self.rate, self.burst, cost)
                db.execute(
                    "INSERT INTO buckets VALUES (?, ?, ?, ?) ON CONFLICT (name, client) "
                    "DO UPDATE SET tokens = excluded.tokens, as_of = excluded.as_of",
                    (self.name, client, tokens, now),
                )
                self._calls += 1
                if self._calls % MAX_BUCKETS == 0:
                    # Buckets idle long enough to be full again are the same as none.
                    db.execute(
                        "DELETE FROM buckets WHERE name = ? AND as_of < ?",
                        (self.name, now - self.burst / self.rate),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return quota(self.name, tokens, self.rate, self.burst, wait)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


Limiter = RateLimiter | SharedRateLimiter


def create_limiter(store: Path | None, name: str, per_minute: int, burst: int) -> Limiter:
    """The limiter for ``name``: shared through ``store`` when there is one, else in-process."""
    if store is None:
        return RateLimiter(per_minute, burst, name=name)
    return SharedRateLimiter(store, name, per_minute, burst)


STATE_KEY = "rate_limit_quotas"
"""Where a request's admissions are kept (``request.state``, which is ``scope["state"]``)."""


def remember(state: Any, admitted: Quota | None) -> None:
    """Keep an admission on the request's state, for ``RateLimitFields`` to tell."""
    if admitted is None:
        return
    quotas: list[Quota] = getattr(state, STATE_KEY, None) or []
    setattr(state, STATE_KEY, [*[q for q in quotas if q.name != admitted.name], admitted])


def fields(quotas: list[Quota]) -> list[tuple[bytes, bytes]]:
    """RateLimit-Policy and RateLimit for these admissions, one list member each."""
    if not quotas:
        return []
    return [
        (b"ratelimit-policy", ", ".join(q.policy_item() for q in quotas).encode()),
        (b"ratelimit", ", ".join(q.state_item() for q in quotas).encode()),
    ]


class RateLimitFields:
    """ASGI middleware: every response of a rate-limited request (a 429, a 204 or a problem
    included) carries the IETF RateLimit fields of the limits it was admitted by."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                quotas = state.get(STATE_KEY) if isinstance(state, dict) else None
                if quotas:
                    headers = [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"ratelimit-policy", b"ratelimit")
                    ]
                    message = {**message, "headers": headers + fields(quotas)}
            await send(message)

        await self.app(scope, receive, send_with_fields)
