"""Webhooks on the wire: registrations, their delivery state, and what a receiver gets."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from app.conflicts.schemas import ConflictOut

MAX_URL_CHARS = 2048

DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookIn(BaseModel):
    """A receiver for new conflicts."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(
        description="Where each new conflict is POSTed (http or https).",
        examples=["https://factcheck.example.org/hooks/crosscheck"],
    )
    description: str | None = Field(default=None, max_length=500)

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
    deliveries: DeliveryCounts = Field(description="Deliveries by state.")


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The HMAC-SHA256 key of the X-Crosscheck-Signature header. Shown only in "
        "this response: store it."
    )


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    """One conflict sent (or to send) to one webhook."""

    id: int
    webhook_id: int
    conflict_id: int
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


class ConflictEvent(BaseModel):
    """The JSON body a receiver gets, signed in X-Crosscheck-Signature."""

    delivery_id: int
    event: Literal["conflict.created"]
    conflict: ConflictOut
