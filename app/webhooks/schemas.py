"""Webhooks on the wire: registrations, their delivery state, and what a receiver gets."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from app.articles.schemas import ArticleSummary
from app.conflicts.schemas import ConflictOut
from app.events import EVENT_TYPES, EventType

MAX_URL_CHARS = 2048
MAX_OVERLAP_SECONDS = 7 * 86400

DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookIn(BaseModel):
    """A receiver for the events it chooses."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(
        description="Where each new conflict is POSTed (http or https).",
        examples=["https://factcheck.example.org/hooks/crosscheck"],
    )
    description: str | None = Field(default=None, max_length=500)
    events: list[EventType] | None = Field(
        default=None,
        min_length=1,
        description=f"The event types to send; absent: all of them ({', '.join(EVENT_TYPES)}).",
        examples=[["conflict.created", "conflict.reviewed"]],
    )

    @field_validator("events")
    @classmethod
    def _no_repeats(cls, value: list[EventType] | None) -> list[EventType] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("events names an event type twice")
        return value

    @field_validator("url")
    @classmethod
    def _url_fits(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if len(str(value)) > MAX_URL_CHARS:
            raise ValueError(f"url is longer than {MAX_URL_CHARS} characters")
        return value


class DeliveryCounts(BaseModel):
    pending: int
    delivered: int
    failed: int


class WebhookOut(BaseModel):
    id: int
    url: str
    description: str | None
    created_at: datetime
    events: list[EventType] = Field(description="The event types sent to it.")
    previous_secret_expires_at: datetime | None = Field(
        description="After a secret rotation, until when the previous secret still signs "
        "beside the new one; null when only one secret signs."
    )
    deliveries: DeliveryCounts = Field(description="Deliveries by state.")


SECRET_DESCRIPTION = (
    "The signing secret, in the Standard Webhooks form whsec_<base64 key>: pass it as it is "
    "to standardwebhooks.Webhook(secret).verify(body, headers). Shown only in this response: "
    "store it."
)


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description=SECRET_DESCRIPTION, examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
    )


class SecretRotationIn(BaseModel):
    """How long the old secret keeps signing beside the new one."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"overlap_seconds": 3600}]}
    )

    overlap_seconds: int | None = Field(
        default=None,
        ge=0,
        le=MAX_OVERLAP_SECONDS,
        description="Seconds both secrets sign (both signatures in webhook-signature); 0 ends "
        "the old secret now (it leaked). Absent: CROSSCHECK_WEBHOOK_SECRET_OVERLAP_SECONDS.",
        examples=[3600],
    )


class SecretRotated(BaseModel):
    id: int
    secret: str = Field(description=SECRET_DESCRIPTION)
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the previous secret also signs; null: it no longer does."
    )


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    """One event sent (or to send) to one webhook."""

    id: int
    webhook_id: int
    event_id: str = Field(
        description="The event's webhook-id header: the same in every attempt, and for every "
        "webhook it is sent to.",
        examples=["conflict-created-17"],
    )
    conflict_id: int | None = Field(description="The conflict it is about; null for articles.")
    event: str = Field(examples=["conflict.created"])
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="Null unless pending.")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None = Field(
        description="Why the last attempt failed, as a category: timeout, connection_failed, "
        "tls_error, protocol_error, refused_address (the host is, or now resolves to, a "
        "private address), redirect (3xx: not followed) or http_status (any other answer "
        "but 2xx; see last_status_code).",
        examples=["timeout"],
    )
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_page_token: str | None = Field(description="Pass as page_token for the next page.")


class Redelivered(BaseModel):
    requeued: int = Field(description="Failed deliveries queued again.")


class DeletedArticle(ArticleSummary):
    """An article as it was when deleted, with the conflicts that went with it."""

    conflict_ids: list[int] = Field(description="Its conflicts, deleted with it.")


class WebhookEventBody(BaseModel):
    """The JSON body a receiver gets (Standard Webhooks), signed in webhook-signature.

    ``data`` is a conflict (ConflictOut) for conflict.created and conflict.reviewed (with its
    review: status, note, reviewed_at), the article (DeletedArticle) for article.deleted. The
    webhook-id header names the event, the same on every retry: receivers dedupe by it.
    """

    type: EventType
    timestamp: datetime = Field(description="When the event happened.")
    data: ConflictOut | DeletedArticle
