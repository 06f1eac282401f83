"""HTTP routes for webhooks: register receivers and watch their deliveries.

Every route needs an API key (when keys are configured), reads included: registrations name
other services' addresses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from app.dependencies import PageTokensDep, SessionDep, SettingsDep
from app.pagination import PageScope, Paging
from app.problems import responses
from app.schemas import ResourceId
from app.security import WRITE_RESPONSES, WriteAccess
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryPage,
    DeliveryStatus,
    Redelivered,
    SecretRotated,
    SecretRotationIn,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    responses={**responses(400, 409, 413, 422, 503), **WRITE_RESPONSES},
)
def register_webhook(
    data: WebhookIn,
    caller: WriteAccess,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookCreated:
    """Subscribe a URL to the events from now on (`events`; absent: all of them).

    Each event is POSTed to it by the Standard Webhooks spec: the JSON body `{type, timestamp,
    data}` (`data` is the conflict for `conflict.created` and `conflict.reviewed`, the deleted
    article for `article.deleted`), with the headers `webhook-id` (the event's id, the same on
    every retry: dedupe by it), `webhook-timestamp` and `webhook-signature` (`v1,<base64>`),
    which `standardwebhooks.Webhook(secret).verify(body, headers)` checks under the `secret`
    returned here (only here). Any 2xx answer is a delivery; anything else (or no answer within
    the timeout) is retried with exponential backoff. 409 when the limit of webhooks is reached.
    """
    created = service.register(session, settings.webhooks, data, caller.principal)
    response.headers["Location"] = f"/v1/webhooks/{created.id}"
    return created


@router.get("", response_model=WebhookList, responses={**responses(503), **WRITE_RESPONSES})
def list_webhooks(_caller: WriteAccess, session: SessionDep) -> WebhookList:
    """The registered webhooks with their deliveries counted by state (no secrets)."""
    return service.list_webhooks(session)


@router.get(
    "/{webhook_id}",
    response_model=WebhookOut,
    responses={**responses(404, 422, 503), **WRITE_RESPONSES},
)
def get_webhook(webhook_id: ResourceId, _caller: WriteAccess, session: SessionDep) -> WebhookOut:
    """One webhook with its deliveries counted by state."""
    return service.get_webhook(session, webhook_id)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**responses(404, 422, 503), **WRITE_RESPONSES},
)
def delete_webhook(webhook_id: ResourceId, _caller: WriteAccess, session: SessionDep) -> Response:
    """Unsubscribe; deliveries not yet made are dropped."""
    service.delete_webhook(session, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    responses={**responses(400, 404, 422, 503), **WRITE_RESPONSES},
)
def list_deliveries(
    webhook_id: ResourceId,
    _caller: WriteAccess,
    session: SessionDep,
    settings: SettingsDep,
    tokens: PageTokensDep,
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state.")
    ] = None,
    page_size: Annotated[int | None, Query(ge=1, description="Items per page (capped).")] = None,
    page_token: Annotated[
        str | None,
        Query(description="next_page_token of a page, with the same status (else 400)."),
    ] = None,
) -> DeliveryPage:
    """A webhook's deliveries, newest first: state, attempts, the receiver's last answer, the
    next attempt's time."""
    size = min(page_size or settings.limits.default_page_size, settings.limits.max_page_size)
    scope = PageScope(
        f"GET /v1/webhooks/{webhook_id}/deliveries", filters={"status": delivery_status}
    )
    paging = Paging(tokens, scope, size, page_token)
    return service.list_deliveries(session, webhook_id, paging, delivery_status)


@router.post(
    "/{webhook_id}/redeliver",
    response_model=Redelivered,
    responses={**responses(404, 422, 503), **WRITE_RESPONSES},
)
def redeliver(webhook_id: ResourceId, _caller: WriteAccess, session: SessionDep) -> Redelivered:
    """Queue the deliveries that ran out of attempts again, with fresh attempts."""
    return service.redeliver(session, webhook_id)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=SecretRotated,
    responses={**responses(400, 404, 422, 503), **WRITE_RESPONSES},
)
def rotate_secret(
    webhook_id: ResourceId,
    _caller: WriteAccess,
    session: SessionDep,
    settings: SettingsDep,
    data: Annotated[SecretRotationIn | None, Body()] = None,
) -> SecretRotated:
    """Give the webhook a new secret, returned only here. For the overlap (`overlap_seconds`,
    default CROSSCHECK_WEBHOOK_SECRET_OVERLAP_SECONDS) every delivery is signed under both,
    two `v1,` signatures in `webhook-signature`, so the receiver can switch at any moment in
    it; 0 stops the old secret now. A webhook registered before Standard Webhooks stops
    getting the X-Crosscheck-Signature header."""
    return service.rotate_secret(session, settings.webhooks, webhook_id, data or SecretRotationIn())
