"""All SQL about webhooks and their deliveries (the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import Webhook, WebhookDelivery, WebhookEvent
from app.db.upsert import insert_unless_exists


class WebhookRepository:
    def __init__(self, session: Session):
        self.session = session

    # --- registrations ---

    def count(self) -> int:
        return self.session.scalar(select(func.count(Webhook.id))) or 0

    def add(self, webhook: Webhook) -> Webhook:
        self.session.add(webhook)
        self.session.flush()
        return webhook

    def get(self, webhook_id: int) -> Webhook | None:
        return self.session.get(Webhook, webhook_id)

    def all(self) -> list[Webhook]:
        return list(self.session.scalars(select(Webhook).order_by(Webhook.id)))

    def delete(self, webhook: Webhook) -> None:
        self.session.delete(webhook)
        self.session.flush()

    def delivery_counts(self, webhook_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Deliveries by status for each webhook."""
        counts: dict[int, dict[str, int]] = {i: {} for i in webhook_ids}
        if not webhook_ids:
            return counts
        rows = self.session.execute(
            select(WebhookDelivery.webhook_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.webhook_id.in_(webhook_ids))
            .group_by(WebhookDelivery.webhook_id, WebhookDelivery.status)
        )
        for webhook_id, status, count in rows:
            counts[webhook_id][status] = count
        return counts

    def deliveries_page(
        self, webhook_id: int, limit: int, before_id: int | None, status: str | None
    ) -> list[WebhookDelivery]:
        """A webhook's deliveries, newest first."""
        statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if before_id is not None:
            statement = statement.where(WebhookDelivery.id < before_id)
        if status is not None:
            statement = statement.where(WebhookDelivery.status == status)
        return list(
            self.session.scalars(statement.order_by(WebhookDelivery.id.desc()).limit(limit))
        )

    def requeue_failed(self, webhook_id: int, now: datetime) -> int:
        result = self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "failed")
            .values(status="pending", attempts=0, next_attempt_at=now, lease_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # --- the dispatcher: new conflicts and events into the outbox ---

    def add_delivery_unless_stored(self, values: dict[str, Any]) -> None:
        self.session.execute(
            insert_unless_exists(self.session, WebhookDelivery, ["webhook_id", "event_id"]).values(
                **values
            )
        )

    def last_event_id(self) -> int:
        return self.session.scalar(select(func.max(WebhookEvent.id))) or 0

    def events_after(self, after_id: int, limit: int) -> list[WebhookEvent]:
        return list(
            self.session.scalars(
                select(WebhookEvent)
                .where(WebhookEvent.id > after_id)
                .order_by(WebhookEvent.id)
                .limit(limit)
            )
        )

    def advance_event_cursor(self, webhook_id: int, to_event_id: int) -> None:
        self.session.execute(
            update(Webhook)
            .where(Webhook.id == webhook_id, Webhook.after_event_id < to_event_id)
            .values(after_event_id=to_event_id)
        )

    def event_cursors(self) -> list[int]:
        return list(self.session.scalars(select(Webhook.after_event_id)))

    def drop_events_up_to(self, event_id: int | None) -> None:
        """Delete the events every webhook has queued (``None``: all of them)."""
        statement = delete(WebhookEvent)
        if event_id is not None:
            statement = statement.where(WebhookEvent.id <= event_id)
        self.session.execute(statement)

    def advance_cursor(self, webhook_id: int, to_conflict_id: int) -> None:
        """Move the webhook's dispatch cursor forward (never back)."""
        self.session.execute(
            update(Webhook)
            .where(Webhook.id == webhook_id, Webhook.after_conflict_id < to_conflict_id)
            .values(after_conflict_id=to_conflict_id)
        )

    # --- the sender: leases and outcomes ---

    def due_ids(self, now: datetime, limit: int, busy: Sequence[int] = ()) -> list[int]:
        """The oldest due delivery of each webhook not in ``busy``, for up to ``limit``
        webhooks, longest waiting first: one receiver's backlog never fills the batch."""
        statement = (
            select(func.min(WebhookDelivery.id))
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
            )
            .group_by(WebhookDelivery.webhook_id)
            .order_by(func.min(WebhookDelivery.next_attempt_at), WebhookDelivery.webhook_id)
            .limit(limit)
        )
        if busy:
            statement = statement.where(WebhookDelivery.webhook_id.not_in(list(busy)))
        return [i for i in self.session.scalars(statement) if i is not None]

    def lease(self, delivery_id: int, now: datetime, until: datetime) -> bool:
        """Take a due delivery for one attempt; ``False`` if another worker was first."""
        result = self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
            )
            .values(
                lease_until=until,
                attempts=WebhookDelivery.attempts + 1,
                last_attempt_at=now,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def with_webhooks(self, delivery_ids: Sequence[int]) -> list[tuple[WebhookDelivery, Webhook]]:
        if not delivery_ids:
            return []
        rows = self.session.execute(
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id.in_(delivery_ids))
            .order_by(WebhookDelivery.id)
        )
        return [(delivery, webhook) for delivery, webhook in rows]

    def finish_attempt(self, delivery_id: int, values: dict[str, Any]) -> None:
        self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(lease_until=None, **values)
        )
