"""Webhooks: registering receivers, and the outbox the delivery worker drains.

Nothing here runs in the ingestion path. The worker (``app.webhooks.worker``) finds new
conflicts by a cursor per webhook over conflict ids: writers take turns (``begin_write``), so
ids grow in commit order and a cursor never skips one, whichever process or command stored it.
Each conflict becomes one delivery row per webhook, which survives restarts; each attempt takes
a lease on its row, so several worker processes never send the same delivery at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app.config import WebhookSettings
from app.conflicts.repository import ConflictRepository
from app.conflicts.schemas import ConflictOut
from app.db.base import utcnow
from app.db.models import Webhook, WebhookDelivery
from app.db.session import begin_write
from app.exceptions import AlreadyExists, InvalidInput, NotFound
from app.pagination import Paging
from app.webhooks import targets
from app.webhooks.repository import WebhookRepository
from app.webhooks.schemas import (
    DeliveryCounts,
    DeliveryOut,
    DeliveryPage,
    Redelivered,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
)

EVENT = "conflict.created"
# Why an attempt failed, as a category: never the socket's message, which would tell a key
# holder which ports of the receiver's host are open.
DELIVERY_ERRORS = (
    "timeout",  # no complete answer within CROSSCHECK_WEBHOOK_TIMEOUT_SECONDS
    "connection_failed",  # nothing accepted the connection
    "tls_error",  # the TLS handshake or the certificate failed
    "protocol_error",  # what came back was not HTTP
    "refused_address",  # the url's host is (now) a private address
    "redirect",  # a 3xx: redirects are not followed
    "http_status",  # any other answer but 2xx
)
DISPATCH_BATCH = 500
SIGNATURE_HEADER = "X-Crosscheck-Signature"
TIMESTAMP_HEADER = "X-Crosscheck-Timestamp"


# --- registrations ----------------------------------------------------------------------------


def _out(webhook: Webhook, counts: dict[str, int]) -> WebhookOut:
    return WebhookOut(
        id=webhook.id,
        url=targets.redact(webhook.url),  # rows stored before credentials were refused
        description=webhook.description,
        created_at=webhook.created_at,
        deliveries=DeliveryCounts(
            pending=counts.get("pending", 0),
            delivered=counts.get("delivered", 0),
            failed=counts.get("failed", 0),
        ),
    )


def register(
    session: Session, settings: WebhookSettings, data: WebhookIn, caller: str
) -> WebhookCreated:
    """Register a receiver for the conflicts found from now on; its secret is returned once."""
    try:
        targets.resolve(str(data.url), targets.TargetPolicy.of(settings))
    except targets.RefusedTarget as refused:
        raise InvalidInput(f"url: refused, {refused.reason}.") from None
    begin_write(session)
    webhooks = WebhookRepository(session)
    if webhooks.count() >= settings.max_webhooks:
        raise AlreadyExists(
            f"There are already {settings.max_webhooks} webhooks, the limit (setting "
            "CROSSCHECK_MAX_WEBHOOKS): delete one first."
        )
    webhook = webhooks.add(
        Webhook(
            url=str(data.url),
            description=data.description,
            secret=secrets.token_urlsafe(32),
            created_by=caller,
            after_conflict_id=ConflictRepository(session).last_id(),
        )
    )
    return WebhookCreated(**_out(webhook, {}).model_dump(), secret=webhook.secret)


def _get(webhooks: WebhookRepository, webhook_id: int) -> Webhook:
    webhook = webhooks.get(webhook_id)
    if webhook is None:
        raise NotFound(f"There is no webhook {webhook_id}.")
    return webhook


def list_webhooks(session: Session) -> WebhookList:
    webhooks = WebhookRepository(session)
    rows = webhooks.all()
    counts = webhooks.delivery_counts([w.id for w in rows])
    return WebhookList(items=[_out(w, counts[w.id]) for w in rows])


def get_webhook(session: Session, webhook_id: int) -> WebhookOut:
    webhooks = WebhookRepository(session)
    webhook = _get(webhooks, webhook_id)
    return _out(webhook, webhooks.delivery_counts([webhook.id])[webhook.id])


def delete_webhook(session: Session, webhook_id: int) -> None:
    """Unregister a receiver; its pending deliveries go with it."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    webhooks.delete(_get(webhooks, webhook_id))


def delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        webhook_id=delivery.webhook_id,
        conflict_id=delivery.conflict_id,
        event=delivery.event,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=_category(delivery),
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
    )


def error_category(status_code: int | None) -> str:
    """The category of an attempt that got an answer, not a 2xx."""
    if status_code is None:
        return "connection_failed"
    return "redirect" if 300 <= status_code < 400 else "http_status"


def _category(delivery: WebhookDelivery) -> str | None:
    """The stored error, as a category (rows from before categories held the message)."""
    if delivery.last_error is None or delivery.last_error in DELIVERY_ERRORS:
        return delivery.last_error
    return error_category(delivery.last_status_code)


def list_deliveries(
    session: Session, webhook_id: int, paging: Paging, status: str | None
) -> DeliveryPage:
    webhooks = WebhookRepository(session)
    _get(webhooks, webhook_id)
    after = paging.after({"id"})
    before = after["id"] if after else None
    rows = webhooks.deliveries_page(webhook_id, paging.size + 1, before, status)
    items = [delivery_out(row) for row in rows[: paging.size]]
    more = len(rows) > paging.size
    next_token = paging.token_for({"id": items[-1].id}) if more else None
    return DeliveryPage(items=items, next_page_token=next_token)


def redeliver(session: Session, webhook_id: int) -> Redelivered:
    """Queue a webhook's failed deliveries again, with fresh attempts."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    _get(webhooks, webhook_id)
    return Redelivered(requeued=webhooks.requeue_failed(webhook_id, utcnow()))


# --- the worker's side ------------------------------------------------------------------------


def dispatch_new_conflicts(session: Session) -> int:
    """Queue one delivery per webhook for each conflict past its cursor; how many were queued."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    registered = webhooks.all()
    if not registered:
        return 0
    low = min(w.after_conflict_id for w in registered)
    conflicts = ConflictRepository(session).after(low, DISPATCH_BATCH)
    if not conflicts:
        return 0
    payloads = {c.id: ConflictOut.of_stored(c).model_dump(mode="json") for c in conflicts}
    now = utcnow()
    queued = 0
    for webhook in registered:
        newer = [c for c in conflicts if c.id > webhook.after_conflict_id]
        for conflict in newer:
            webhooks.add_delivery_unless_stored(
                {
                    "webhook_id": webhook.id,
                    "conflict_id": conflict.id,
                    "event": EVENT,
                    "payload": payloads[conflict.id],
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
        if newer:
            webhooks.advance_cursor(webhook.id, newer[-1].id)
            queued += len(newer)
    session.flush()
    return queued


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery to send now: where, what, and with which key to sign it."""

    delivery_id: int
    webhook_id: int
    url: str
    secret: str
    attempt: int
    body: bytes


def lease_due(
    session: Session, limit: int, lease_seconds: float, busy: Sequence[int] = ()
) -> list[Attempt]:
    """Take up to ``limit`` due deliveries for one attempt each, at most one per webhook and
    none for the webhooks in ``busy`` (those with an attempt under way)."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    now = utcnow()
    until = now + timedelta(seconds=lease_seconds)
    taken = [i for i in webhooks.due_ids(now, limit, busy) if webhooks.lease(i, now, until)]
    session.flush()
    attempts = []
    for delivery, webhook in webhooks.with_webhooks(taken):
        body = {"delivery_id": delivery.id, "event": delivery.event, "conflict": delivery.payload}
        attempts.append(
            Attempt(
                delivery_id=delivery.id,
                webhook_id=webhook.id,
                url=webhook.url,
                secret=webhook.secret,
                attempt=delivery.attempts,
                body=json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(),
            )
        )
    return attempts


def backoff(settings: WebhookSettings, attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones (doubling, capped,
    with 10% jitter so that receivers coming back are not hit by every retry at once)."""
    base: float = settings.backoff_seconds * 2.0 ** min(attempts - 1, 40)
    return min(settings.backoff_max_seconds, base) * random.uniform(0.9, 1.1)


def record_outcome(
    session: Session,
    settings: WebhookSettings,
    attempt: Attempt,
    status_code: int | None,
    error: str | None,
) -> str:
    """Store how an attempt went: ``delivered``, ``retry`` or ``failed`` (out of attempts)."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    now = utcnow()
    if error is None and status_code is not None and 200 <= status_code < 300:
        outcome = "delivered"
        values: dict[str, object] = {
            "status": "delivered",
            "delivered_at": now,
            "last_status_code": status_code,
            "last_error": None,
        }
    else:
        outcome = "failed" if attempt.attempt >= settings.max_attempts else "retry"
        values = {
            "status": "failed" if outcome == "failed" else "pending",
            "last_status_code": status_code,
            "last_error": error or error_category(status_code),
            "next_attempt_at": now + timedelta(seconds=backoff(settings, attempt.attempt)),
        }
    webhooks.finish_attempt(attempt.delivery_id, values)
    session.flush()
    return outcome


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``"{timestamp}." + body`` under the webhook's secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
