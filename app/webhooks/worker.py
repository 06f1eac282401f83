"""The delivery worker: a thread that drains the webhook outbox, apart from every request.

Started in the app's lifespan, it polls every ``CROSSCHECK_WEBHOOK_POLL_SECONDS``: it queues
new conflicts for each webhook, leases the deliveries that are due, POSTs them (signed, with
``httpx``, up to ``CROSSCHECK_WEBHOOK_CONCURRENCY`` at once, each bounded by
``CROSSCHECK_WEBHOOK_TIMEOUT_SECONDS``) and records each outcome with its backoff. A receiver
that is down or slow only delays its own deliveries; ingestion never waits for it. The outbox
is in the database, so deliveries survive restarts, and a lease outlives a killed worker by at
most the timeout plus ``LEASE_MARGIN_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.config import WebhookSettings
from app.db.session import session_scope
from app.observability import Metrics
from app.webhooks import service
from app.webhooks.service import Attempt

logger = logging.getLogger("crosscheck.webhooks")

LEASE_MARGIN_SECONDS = 30
USER_AGENT = "crosscheck-webhooks/0.1"


class DeliveryWorker:
    def __init__(
        self, sessions: sessionmaker[Session], settings: WebhookSettings, metrics: Metrics
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.metrics = metrics
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
        self._client = httpx.Client(
            timeout=settings.timeout_seconds,
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: receivers are called directly
            headers={"User-Agent": USER_AGENT},
        )
        self._pool = ThreadPoolExecutor(
            max_workers=settings.concurrency, thread_name_prefix="webhook-send"
        )

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Look for work now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the attempts under way (each bounded by the timeout), then stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=self.settings.timeout_seconds + 10)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.run_once()
            except Exception:  # the database may be away; try again at the next poll
                logger.exception("webhook delivery round failed")
            if not busy:
                self._wake.wait(self.settings.poll_seconds)
                self._wake.clear()

    def run_once(self) -> bool:
        """One round: queue new conflicts, send what is due; whether anything was sent."""
        with session_scope(self.sessions) as session:
            service.dispatch_new_conflicts(session)
        lease = self.settings.timeout_seconds + LEASE_MARGIN_SECONDS
        with session_scope(self.sessions) as session:
            attempts = service.lease_due(session, self.settings.concurrency, lease)
        if not attempts:
            return False
        results = list(self._pool.map(self._send, attempts))
        for attempt, (status_code, error) in zip(attempts, results, strict=True):
            with session_scope(self.sessions) as session:
                outcome = service.record_outcome(
                    session, self.settings, attempt, status_code, error
                )
            self.metrics.webhook_attempts.labels(outcome).inc()
            if outcome != "delivered":
                logger.warning(
                    "webhook delivery %d to %s failed (attempt %d): %s",
                    attempt.delivery_id,
                    attempt.url,
                    attempt.attempt,
                    error or status_code,
                    extra={
                        "webhook": {
                            "id": attempt.webhook_id,
                            "delivery_id": attempt.delivery_id,
                            "attempt": attempt.attempt,
                            "outcome": outcome,
                            "status": status_code,
                        }
                    },
                )
        return True

    def _send(self, attempt: Attempt) -> tuple[int | None, str | None]:
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Crosscheck-Event": service.EVENT,
            "X-Crosscheck-Delivery": str(attempt.delivery_id),
            service.TIMESTAMP_HEADER: str(timestamp),
            service.SIGNATURE_HEADER: service.signature(attempt.secret, timestamp, attempt.body),
        }
        started = time.perf_counter()
        try:
            response = self._client.post(attempt.url, content=attempt.body, headers=headers)
        except Exception as error:  # refused, timed out, bad address: all retried later
            return None, f"{type(error).__name__}: {error}"[:1000]
        finally:
            self.metrics.webhook_seconds.observe(time.perf_counter() - started)
        return response.status_code, None
