"""The delivery worker: a thread that drains the webhook outbox, apart from every request.

Started in the app's lifespan, the thread runs an event loop. Every
``CROSSCHECK_WEBHOOK_POLL_SECONDS`` (or as soon as an attempt ends) it queues new conflicts and
events for each webhook subscribed to them, leases the deliveries that are due, at most one per
webhook, and starts one task per delivery, up to ``CROSSCHECK_WEBHOOK_CONCURRENCY`` at once.
Each task is independent: a receiver that is slow, dripping or hanging holds only its own
webhook's next delivery, never another's. An attempt

- checks the url again (``targets``: every address of the name must be public, or opted in)
  and connects to the address it checked;
- has one deadline in all, ``CROSSCHECK_WEBHOOK_TIMEOUT_SECONDS`` (not per read: a receiver
  dripping a byte a second cannot stretch it);
- reads at most ``MAX_ANSWER_BYTES`` of the answer's body and drops the connection: the status
  is the answer, and a receiver sending gigabytes costs one small buffer;
- is recorded as a category (``service.DELIVERY_ERRORS``), never the socket's message.

The database work runs in threads (``asyncio.to_thread``), so a slow write never stalls an
attempt's deadline. The outbox is in the database, so deliveries survive restarts, and a lease
outlives a killed worker by at most the timeout plus ``LEASE_MARGIN_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
import threading
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.config import WebhookSettings
from app.db.session import session_scope
from app.observability import Metrics
from app.webhooks import service, targets
from app.webhooks.service import Attempt

logger = logging.getLogger("crosscheck.webhooks")

LEASE_MARGIN_SECONDS = 30
USER_AGENT = "crosscheck-webhooks/0.1"
MAX_ANSWER_BYTES = 64 * 1024


class DeliveryWorker:
    def __init__(
        self, sessions: sessionmaker[Session], settings: WebhookSettings, metrics: Metrics
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.metrics = metrics
        self.policy = targets.TargetPolicy.of(settings)
        self._thread = threading.Thread(target=self._main, name="webhook-delivery", daemon=True)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # webhook id -> its attempt

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=10)

    def wake(self) -> None:
        """Look for work now instead of at the next poll."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self) -> None:
        """Finish the attempts under way (each bounded by the timeout), then stop."""
        if self._loop is not None and self._stop is not None:
            stop, wake = self._stop, self._wake
            assert wake is not None

            def _signal() -> None:
                stop.set()
                wake.set()

            with contextlib.suppress(RuntimeError):  # the loop has already ended
                self._loop.call_soon_threadsafe(_signal)
        self._thread.join(timeout=self.settings.timeout_seconds + 10)

    # --- the loop -----------------------------------------------------------------------------

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._ready.set()
        timeout = self.settings.timeout_seconds
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),  # per operation; the attempt's deadline is total
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: receivers are called directly
            headers={"User-Agent": USER_AGENT},
            # No connection outlives its attempt: two webhooks on one address never share one
            # (each has its own Host and TLS name), and nothing is left half-read.
            limits=httpx.Limits(
                max_connections=self.settings.concurrency, max_keepalive_connections=0
            ),
        )
        try:
            while not self._stop.is_set():
                busy = False
                try:
                    busy = await self._round(client)
                except Exception:  # the database may be away; try again at the next poll
                    logger.exception("webhook delivery round failed")
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
                    self._wake.clear()
            if self._in_flight:
                await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        finally:
            await client.aclose()

    async def _round(self, client: httpx.AsyncClient) -> bool:
        """Queue new conflicts, start an attempt for each webhook with a due delivery and none
        under way; whether any was started."""
        await asyncio.to_thread(self._dispatch)
        free = self.settings.concurrency - len(self._in_flight)
        if free <= 0:
            return False
        attempts = await asyncio.to_thread(self._lease, free, list(self._in_flight))
        for attempt in attempts:
            task = asyncio.create_task(self._deliver(client, attempt))
            self._in_flight[attempt.webhook_id] = task
            task.add_done_callback(functools.partial(self._done, attempt.webhook_id))
        return bool(attempts)

    def _done(self, webhook_id: int, _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(webhook_id, None)
        if self._wake is not None:
            self._wake.set()  # its next delivery may be due

    def _dispatch(self) -> None:
        with session_scope(self.sessions) as session:
            service.dispatch_new_events(session)

    def _lease(self, limit: int, busy: list[int]) -> list[Attempt]:
        lease = self.settings.timeout_seconds + LEASE_MARGIN_SECONDS
        with session_scope(self.sessions) as session:
            return service.lease_due(session, limit, lease, busy)

    def _record(self, attempt: Attempt, status_code: int | None, error: str | None) -> str:
        with session_scope(self.sessions) as session:
            return service.record_outcome(session, self.settings, attempt, status_code, error)

    # --- one attempt --------------------------------------------------------------------------

    async def _deliver(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        started = time.perf_counter()
        try:
            status_code, error = await self._send(client, attempt)
        except Exception:  # a bug, not the receiver: recorded as a failed connection
            logger.exception("webhook delivery %d failed unexpectedly", attempt.delivery_id)
            status_code, error = None, "connection_failed"
        self.metrics.webhook_seconds.observe(time.perf_counter() - started)
        try:
            outcome = await asyncio.to_thread(self._record, attempt, status_code, error)
        except Exception:  # the lease runs out and the attempt is made again
            logger.exception("could not record webhook delivery %d", attempt.delivery_id)
            return
        self.metrics.webhook_attempts.labels(outcome).inc()
        if outcome != "delivered":
            reason = error or service.error_category(status_code)
            logger.warning(
                "webhook delivery %d to %s failed (attempt %d): %s",
                attempt.delivery_id,
                targets.redact(attempt.url),
                attempt.attempt,
                reason,
                extra={
                    "webhook": {
                        "id": attempt.webhook_id,
                        "delivery_id": attempt.delivery_id,
                        "attempt": attempt.attempt,
                        "outcome": outcome,
                        "status": status_code,
                        "error": reason,
                    }
                },
            )

    async def _send(
        self, client: httpx.AsyncClient, attempt: Attempt
    ) -> tuple[int | None, str | None]:
        """POST one delivery within one deadline: (status, None) or (status?, category)."""
        deadline = asyncio.get_running_loop().time() + self.settings.timeout_seconds
        try:
            async with asyncio.timeout_at(deadline):
                target = await targets.resolve_async(attempt.url, self.policy)
                response = await client.send(self._request(client, attempt, target), stream=True)
        except targets.RefusedTarget:
            return None, "refused_address"
        except (TimeoutError, httpx.TimeoutException):
            return None, "timeout"
        except httpx.ConnectError as error:
            tls = isinstance(error.__context__, ssl.SSLError)
            return None, "tls_error" if tls else "connection_failed"
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError):
            return None, "protocol_error"
        except httpx.HTTPError:
            return None, "connection_failed"
        try:
            async with asyncio.timeout_at(deadline):
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= MAX_ANSWER_BYTES:
                        break  # the rest is dropped with the connection
        except (TimeoutError, httpx.HTTPError):
            pass  # the status line is the answer; the body is not needed
        finally:
            await response.aclose()
        status = response.status_code
        return status, None if 200 <= status < 300 else service.error_category(status)

    @staticmethod
    def _request(
        client: httpx.AsyncClient, attempt: Attempt, target: targets.Target
    ) -> httpx.Request:
        now = datetime.now(UTC)
        timestamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": attempt.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": service.standard_signatures(
                attempt.secrets, attempt.event_id, now, attempt.body
            ),
            "Host": target.host_header,
        }
        if attempt.legacy:
            headers |= {
                "X-Crosscheck-Event": attempt.event,
                "X-Crosscheck-Delivery": str(attempt.delivery_id),
                service.TIMESTAMP_HEADER: str(timestamp),
                service.SIGNATURE_HEADER: service.signature(
                    attempt.secrets[0], timestamp, attempt.body
                ),
            }
        extensions = {"sni_hostname": target.host} if target.is_name else {}
        return client.build_request(
            "POST",
            target.pinned_url(target.addresses[0]),
            content=attempt.body,
            headers=headers,
            extensions=extensions,
        )
