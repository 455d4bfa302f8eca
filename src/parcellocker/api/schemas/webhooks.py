"""Carriers' webhooks: what a carrier registers, and what it is shown of it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from parcellocker.domain.webhooks import MAX_URL_LENGTH
from parcellocker.service.webhooks import WebhookSet, WebhookShown


class WebhookPut(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="Where every change of the carrier's shipments is POSTed: https:// (or http://).",
        examples=["https://hooks.example.com/parcellocker"],
    )
    new_secret: bool = Field(
        default=False,
        description="Replace the signing secret too. A new webhook always gets one; changing only the URL keeps it.",
    )


class WebhookPublic(BaseModel):
    carrier_id: str
    url: str
    created_at: datetime
    updated_at: datetime
    secret: str | None = Field(
        description="The secret the webhooks are signed with (HMAC-SHA256, see docs/webhooks.md). Shown only in the "
        "reply that created it and kept only sealed: null when the secret did not change, and in a replayed "
        "request (same Idempotency-Key).",
        examples=["whsec_Jx2V…"],
    )

    @classmethod
    def from_domain(cls, webhook_set: WebhookSet, *, with_secret: bool) -> WebhookPublic:
        endpoint = webhook_set.endpoint
        return cls(
            carrier_id=endpoint.carrier_id,
            url=endpoint.url,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            secret=webhook_set.secret if with_secret else None,
        )


class WebhookStatus(BaseModel):
    carrier_id: str
    url: str
    created_at: datetime
    updated_at: datetime
    waiting_deliveries: int = Field(description="Changes not yet delivered (being tried, or waiting to be again).")
    oldest_waiting_at: datetime | None = Field(description="When the oldest of them happened.")
    last_error: str | None = Field(
        description="Why the latest failed attempt of a waiting delivery failed.",
        examples=["the receiver answered HTTP 503"],
    )

    @classmethod
    def from_domain(cls, shown: WebhookShown) -> WebhookStatus:
        endpoint, backlog = shown.endpoint, shown.backlog
        return cls(
            carrier_id=endpoint.carrier_id,
            url=endpoint.url,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            waiting_deliveries=backlog.waiting,
            oldest_waiting_at=backlog.oldest_at,
            last_error=backlog.last_error,
        )


class WebhookRemoved(BaseModel):
    carrier_id: str
    deliveries_given_up: int = Field(description="Changes that were still waiting to be delivered, now never will.")
