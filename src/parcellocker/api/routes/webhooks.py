"""A carrier's webhook: where the changes of its shipments are POSTed, signed (see docs/webhooks.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.webhooks import WebhookPublic, WebhookPut, WebhookRemoved, WebhookStatus
from parcellocker.service.webhooks import (
    GetWebhook,
    RemoveWebhook,
    SetWebhook,
    WebhookSet,
    WebhookShown,
    get_webhook,
    remove_webhook,
    set_webhook,
)

router = APIRouter(prefix="/carriers/{carrier_id}/webhook", tags=["webhooks"])

CarrierId = Annotated[str, Path(min_length=1, max_length=64, description="The carrier's id.", examples=["acme"])]


@router.put(
    "",
    response_model=WebhookPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Register or change the carrier's webhook (carrier, operator): its secret, shown once",
)
async def put_webhook(carrier_id: CarrierId, webhook_in: WebhookPut, call: CallDep) -> Any:
    """Every change of the carrier's shipments from now on is POSTed to `url` as JSON, signed with the secret in
    the reply (HMAC-SHA256 over `<timestamp>.<body>`; headers `Parcellocker-Timestamp`, `Parcellocker-Signature`,
    `Parcellocker-Event-Id`), retried with growing pauses until the receiver answers 2xx, in order per shipment."""
    shown_once: list[str] = []

    def render(webhook_set: WebhookSet) -> dict[str, Any]:
        # The secret is not part of the reply kept for Idempotency-Key replays: it is kept nowhere in clear.
        if webhook_set.secret is not None:
            shown_once.append(webhook_set.secret)
        return WebhookPublic.from_domain(webhook_set, with_secret=False).model_dump(mode="json")

    command = SetWebhook(call.principal, carrier_id, webhook_in.url, webhook_in.new_secret)
    body = await call.run(set_webhook, command, render)
    return {**body, "secret": shown_once[0] if shown_once else None}


@router.get(
    "",
    response_model=WebhookStatus,
    responses=error_responses(401, 403, 404),
    summary="The carrier's webhook and its deliveries still waiting (carrier, operator)",
)
async def read_webhook(carrier_id: CarrierId, services: ServicesDep, principal: PrincipalDep) -> Any:
    shown: WebhookShown = await services.read(get_webhook, GetWebhook(principal, carrier_id))
    return WebhookStatus.from_domain(shown).model_dump(mode="json")


@router.delete(
    "",
    response_model=WebhookRemoved,
    responses=error_responses(401, 403, 404, 409),
    summary="Remove the carrier's webhook (carrier, operator)",
)
async def delete_webhook(carrier_id: CarrierId, call: CallDep) -> Any:
    """No more webhooks are sent; the changes still waiting to be delivered are given up (the event feed still
    lists every change)."""

    def render(given_up: int) -> dict[str, Any]:
        return WebhookRemoved(carrier_id=carrier_id, deliveries_given_up=given_up).model_dump(mode="json")

    return await call.run(remove_webhook, RemoveWebhook(call.principal, carrier_id), render)
