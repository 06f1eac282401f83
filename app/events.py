"""Events for webhook subscribers, written by the features that make them.

A review or a deletion is published in the transaction that makes it (``publish``), so an
event is stored exactly when its change is committed: the webhooks' outbox pattern. The
delivery worker (``app.webhooks``) queues each one for the webhooks subscribed to its type and
signs it. New conflicts are not published here: the conflicts table is their log, read by a
cursor. This module sits beside the slices, not in ``app.webhooks``, so that the slices can
publish without importing the webhooks slice (which reads theirs).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.db.models import Webhook, WebhookEvent

EventType = Literal["conflict.created", "conflict.reviewed", "article.deleted"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


def publish(session: Session, event_type: EventType, data: dict[str, Any]) -> None:
    """Store an event for the webhooks, in the caller's transaction (which must have begun
    writing, ``begin_write``, so that event ids grow in commit order). Nothing is stored when no
    webhook is registered: one registered later starts from the events after it."""
    if not session.scalar(select(exists().where(Webhook.id.is_not(None)))):
        return
    session.add(WebhookEvent(type=event_type, payload=data))
    session.flush()
