"""Webhooks: registering receivers, and the outbox the delivery worker drains.

Nothing here runs in the ingestion path. The worker (``app.webhooks.worker``) finds new
conflicts by a cursor per webhook over conflict ids, and the other events (reviews, deletions,
published by their features through ``app.events``) by a second cursor over
``webhook_events``: writers take turns (``begin_write``), so ids grow in commit order and a
cursor never skips one, whichever process or command stored it. Each event becomes one delivery
row per webhook subscribed to its type, which survives restarts; each attempt takes a lease on
its row, so several worker processes never send the same delivery at once.

Deliveries follow the Standard Webhooks spec (https://www.standardwebhooks.com), signed by the
``standardwebhooks`` library: ``webhook-id`` is the event's id (the same on every retry and for
every webhook, so receivers dedupe by it), ``webhook-timestamp`` the attempt's time,
``webhook-signature`` ``v1,<base64 HMAC-SHA256>`` under each secret in force (two during a
rotation's overlap). Webhooks registered before revision 0004 also get the old body and the
X-Crosscheck-Signature header, for one release, until their secret is rotated: their receivers
keep working unchanged while they move to the spec's headers, which they already get.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from standardwebhooks import Webhook as Signer

from app.config import WebhookSettings
from app.conflicts.repository import ConflictRepository
from app.conflicts.schemas import ConflictOut
from app.db.base import utcnow
from app.db.models import Webhook, WebhookDelivery
from app.db.session import begin_write
from app.events import EVENT_TYPES
from app.exceptions import AlreadyExists, InvalidInput, NotFound
from app.pagination import Paging
from app.webhooks import targets
from app.webhooks.repository import WebhookRepository
from app.webhooks.schemas import (
    DeliveryCounts,
    DeliveryOut,
    DeliveryPage,
    Redelivered,
    SecretRotated,
    SecretRotationIn,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
)

CONFLICT_CREATED = "conflict.created"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
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
# The headers of webhooks registered before Standard Webhooks (legacy_signature), kept one
# release: their receivers verify these, and must not break on the upgrade.
SIGNATURE_HEADER = "X-Crosscheck-Signature"
TIMESTAMP_HEADER = "X-Crosscheck-Timestamp"


# --- registrations ----------------------------------------------------------------------------


def _out(webhook: Webhook, counts: dict[str, int]) -> WebhookOut:
    return WebhookOut(
        id=webhook.id,
        url=targets.redact(webhook.url),  # rows stored before credentials were refused
        description=webhook.description,
        created_at=webhook.created_at,
        events=list(webhook.events),
        previous_secret_expires_at=_overlap_end(webhook, utcnow()),
        deliveries=DeliveryCounts(
            pending=counts.get("pending", 0),
            delivered=counts.get("delivered", 0),
            failed=counts.get("failed", 0),
        ),
    )


def register(
    session: Session, settings: WebhookSettings, data: WebhookIn, caller: str
) -> WebhookCreated:
    """Register a receiver for the events from now on; its secret is returned once."""
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
            secret=new_secret(),
            events=list(data.events or EVENT_TYPES),
            legacy_signature=False,
            created_by=caller,
            after_conflict_id=ConflictRepository(session).last_id(),
            after_event_id=webhooks.last_event_id(),
        )
    )
    return WebhookCreated(**_out(webhook, {}).model_dump(), secret=webhook.secret)


def new_secret() -> str:
    """A random key in the spec's form: ``whsec_`` + base64 of its bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _overlap_end(webhook: Webhook, now: datetime) -> datetime | None:
    """When the previous secret stops signing, if it still does."""
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret is None or expires is None or expires <= now:
        return None
    return expires


def rotate_secret(
    session: Session, settings: WebhookSettings, webhook_id: int, data: SecretRotationIn
) -> SecretRotated:
    """Give a webhook a new secret; the current one keeps signing beside it for the overlap
    (a second rotation within it ends the oldest). Ends the legacy X-Crosscheck-Signature: a
    receiver given a whsec_ secret verifies the spec's headers."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    webhook = _get(webhooks, webhook_id)
    overlap = (
        settings.secret_overlap_seconds if data.overlap_seconds is None else data.overlap_seconds
    )
    now = utcnow()
    webhook.previous_secret = webhook.secret if overlap > 0 else None
    webhook.previous_secret_expires_at = now + timedelta(seconds=overlap) if overlap > 0 else None
    webhook.secret = new_secret()
    webhook.legacy_signature = False
    session.flush()
    return SecretRotated(
        id=webhook.id,
        secret=webhook.secret,
        previous_secret_expires_at=_overlap_end(webhook, now),
    )


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
        event_id=delivery.event_id,
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


def conflict_created_id(conflict_id: int) -> str:
    """The webhook-id of the event of a new conflict."""
    return f"conflict-created-{conflict_id}"


def event_id(stored_event_id: int) -> str:
    """The webhook-id of an event of ``webhook_events``."""
    return f"event-{stored_event_id}"


def dispatch_new_events(session: Session) -> int:
    """Queue one delivery per subscribed webhook for each new conflict and each event past
    its cursors; how many were queued."""
    begin_write(session)
    webhooks = WebhookRepository(session)
    registered = webhooks.all()
    queued = _dispatch_conflicts(session, webhooks, registered)
    queued += _dispatch_events(webhooks, registered)
    session.flush()
    return queued


def _delivery(
    webhook: Webhook,
    key: str,
    event: str,
    data: dict[str, object],
    occurred: datetime,
    now: datetime,
) -> dict[str, object]:
    return {
        "webhook_id": webhook.id,
        "event_id": key,
        "event": event,
        "payload": data,
        "occurred_at": occurred,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _dispatch_conflicts(
    session: Session, webhooks: WebhookRepository, registered: list[Webhook]
) -> int:
    subscribed = [w for w in registered if CONFLICT_CREATED in w.events]
    if not subscribed:
        return 0
    low = min(w.after_conflict_id for w in subscribed)
    conflicts = ConflictRepository(session).after(low, DISPATCH_BATCH)
    if not conflicts:
        return 0
    payloads = {c.id: ConflictOut.of_stored(c).model_dump(mode="json") for c in conflicts}
    now = utcnow()
    queued = 0
    for webhook in subscribed:
        newer = [c for c in conflicts if c.id > webhook.after_conflict_id]
        for conflict in newer:
            values = _delivery(
                webhook,
                conflict_created_id(conflict.id),
                CONFLICT_CREATED,
                payloads[conflict.id],
                conflict.created_at,
                now,
            )
            webhooks.add_delivery_unless_stored({**values, "conflict_id": conflict.id})
        if newer:
            webhooks.advance_cursor(webhook.id, newer[-1].id)
            queued += len(newer)
    return queued


def _dispatch_events(webhooks: WebhookRepository, registered: list[Webhook]) -> int:
    if not registered:
        webhooks.drop_events_up_to(None)  # published just before the last webhook went
        return 0
    low = min(w.after_event_id for w in registered)
    events = webhooks.events_after(low, DISPATCH_BATCH)
    now = utcnow()
    queued = 0
    for webhook in registered:
        newer = [e for e in events if e.id > webhook.after_event_id]
        for event in newer:
            if event.type not in webhook.events:
                continue
            conflict = event.payload.get("id") if event.type.startswith("conflict.") else None
            values = _delivery(
                webhook, event_id(event.id), event.type, event.payload, event.created_at, now
            )
            webhooks.add_delivery_unless_stored({**values, "conflict_id": conflict})
            queued += 1
        if newer:
            webhooks.advance_event_cursor(webhook.id, newer[-1].id)
    # Every webhook has queued the events up to the lowest cursor: they are no longer needed.
    webhooks.drop_events_up_to(min(webhooks.event_cursors()))
    return queued


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery to send now: where, what, and with which keys to sign it."""

    delivery_id: int
    webhook_id: int
    url: str
    event: str
    event_id: str
    secrets: tuple[str, ...]  # whsec_ form; the current one first, then the one rotated out
    legacy: bool  # also the old body's shape and the X-Crosscheck-Signature header
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
        keys = [webhook.secret]
        if _overlap_end(webhook, now) is not None and webhook.previous_secret is not None:
            keys.append(webhook.previous_secret)
        attempts.append(
            Attempt(
                delivery_id=delivery.id,
                webhook_id=webhook.id,
                url=webhook.url,
                event=delivery.event,
                event_id=delivery.event_id,
                secrets=tuple(keys),
                legacy=webhook.legacy_signature,
                attempt=delivery.attempts,
                body=_body(delivery, legacy=webhook.legacy_signature),
            )
        )
    return attempts


def _body(delivery: WebhookDelivery, *, legacy: bool) -> bytes:
    """The JSON a receiver gets: the spec's ``{type, timestamp, data}``, or for a webhook from
    before it the old ``{delivery_id, event, conflict}``."""
    if legacy and delivery.event == CONFLICT_CREATED:
        body: dict[str, object] = {
            "delivery_id": delivery.id,
            "event": delivery.event,
            "conflict": delivery.payload,
        }
    else:
        occurred = delivery.occurred_at or delivery.created_at
        body = {
            "type": delivery.event,
            "timestamp": occurred.isoformat().replace("+00:00", "Z"),
            "data": delivery.payload,
        }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


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


def key_bytes(secret: str) -> bytes:
    """The key of a secret in whsec_ form."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def standard_signatures(secrets_: Sequence[str], msg_id: str, at: datetime, body: bytes) -> str:
    """The webhook-signature header: ``v1,<base64>`` under each secret, space-separated."""
    text = body.decode()
    return " ".join(Signer(secret).sign(msg_id, at, text) for secret in secrets_)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The legacy X-Crosscheck-Signature: ``sha256=`` + hex HMAC-SHA256 of
    ``"{timestamp}." + body`` under the secret's key (for a webhook from before revision 0004,
    exactly the bytes of the secret it was given)."""
    mac = hmac.new(key_bytes(secret), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
