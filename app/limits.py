"""The per-client rate limit: a token bucket for each API key (or client address).

Each bucket holds up to ``burst`` tokens and refills at ``per_minute / 60`` tokens a second; a
request takes one token (a batch of articles, against its own limiter, one per article) or is
refused, taking none, with the time until enough are there. Buckets live in the
worker process: with several workers (or replicas) the limit applies per process, which is the
price of needing no shared store; see docs/operations.md.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_BUCKETS = 10_000
"""Buckets kept before the idle ones (full again, so indistinguishable from new) are dropped."""


class RateLimiter:
    """Token buckets keyed by client; thread-safe (sync endpoints run in a thread pool)."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ):
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
        if not self.enabled:
            return 0
        if cost > self.burst:
            raise ValueError(f"a cost of {cost} can never fit a burst of {self.burst:g}")
        with self._lock:
            now = self._clock()
            tokens, as_of = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - as_of) * self.rate)
            if tokens >= cost:
                self._buckets[client] = (tokens - cost, now)
                if len(self._buckets) > MAX_BUCKETS:
                    self._forget_idle(now)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil(round((cost - tokens) / self.rate, 6)))

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        idle = [c for c, (_, as_of) in self._buckets.items() if now - as_of >= full_after]
        for client in idle:
            del self._buckets[client]
