"""Use cases of a carrier's webhook: register it (its signing secret shown once), look at it, remove it."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import Forbidden, NotFound
from parcellocker.domain.webhooks import WebhookEndpoint, check_webhook_url
from parcellocker.security.sealing import seal, unseal
from parcellocker.security.webhook_signatures import new_webhook_secret
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork, WebhookBacklog

SECRET_SEAL_PURPOSE = "webhook-secret-seal"


def seal_secret(env: Env, secret: str) -> str:
    return seal(env.keys.derive(SECRET_SEAL_PURPOSE), {"secret": secret})


def unseal_secret(env: Env, sealed: str) -> str:
    secret: str = unseal(env.keys.derive(SECRET_SEAL_PURPOSE), sealed)["secret"]
    return secret


@dataclass(frozen=True, slots=True)
class SetWebhook:
    by: Principal
    carrier_id: str
    url: str
    new_secret: bool = False
    """Replace the signing secret too (a new webhook always gets one)."""


@dataclass(frozen=True, slots=True)
class WebhookSet:
    endpoint: WebhookEndpoint
    secret: str | None  # shown once: when the webhook is new, or its secret was replaced; kept only sealed


async def set_webhook(cmd: SetWebhook, uow: UnitOfWork, env: Env) -> WebhookSet:
    """Add the carrier's webhook, or change its URL (keeping its secret unless asked for a new one)."""
    await _check_may_manage(uow, cmd.by, cmd.carrier_id)
    url = check_webhook_url(cmd.url, private_addresses=env.policy.webhooks_to_private_addresses)
    now = env.clock.now()
    existing = await uow.webhook_endpoints.get(cmd.carrier_id)
    secret: str | None
    if existing is None or cmd.new_secret:
        fresh = new_webhook_secret()
        secret, sealed = fresh, seal_secret(env, fresh)
    else:
        secret, sealed = None, existing[1]
    created_at = existing[0].created_at if existing is not None else now
    endpoint = WebhookEndpoint(cmd.carrier_id, url, created_at, now)
    await uow.webhook_endpoints.put(endpoint, sealed)
    details = {"url": url, "new_secret": "yes" if secret is not None else "no"}
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "webhook.set", cmd.carrier_id, details))
    return WebhookSet(endpoint, secret)


@dataclass(frozen=True, slots=True)
class GetWebhook:
    by: Principal
    carrier_id: str


@dataclass(frozen=True, slots=True)
class WebhookShown:
    endpoint: WebhookEndpoint
    backlog: WebhookBacklog


async def get_webhook(cmd: GetWebhook, uow: UnitOfWork, env: Env) -> WebhookShown:
    """The carrier's webhook (never its secret) and the deliveries still waiting for it."""
    await _check_may_manage(uow, cmd.by, cmd.carrier_id)
    found = await uow.webhook_endpoints.get(cmd.carrier_id)
    if found is None:
        raise NotFound(f"carrier {cmd.carrier_id} has no webhook")
    return WebhookShown(found[0], await uow.webhook_deliveries.backlog(cmd.carrier_id))


@dataclass(frozen=True, slots=True)
class RemoveWebhook:
    by: Principal
    carrier_id: str


async def remove_webhook(cmd: RemoveWebhook, uow: UnitOfWork, env: Env) -> int:
    """Stop the carrier's webhooks; the deliveries still waiting are given up. Returns how many."""
    await _check_may_manage(uow, cmd.by, cmd.carrier_id)
    if await uow.webhook_endpoints.get(cmd.carrier_id) is None:
        raise NotFound(f"carrier {cmd.carrier_id} has no webhook")
    now = env.clock.now()
    given_up = await uow.webhook_endpoints.remove(cmd.carrier_id, now)
    details = {"deliveries_given_up": str(given_up)}
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "webhook.removed", cmd.carrier_id, details))
    return given_up


async def _check_may_manage(uow: UnitOfWork, by: Principal, carrier_id: str) -> None:
    """A carrier manages its own webhook; an operator any carrier's."""
    require_role(by, Role.CARRIER, Role.OPERATOR)
    if by.role is Role.CARRIER and by.carrier_id != carrier_id:
        raise Forbidden(f"a carrier manages only its own webhook; you are carrier {by.carrier_id}")
    if await uow.accounts.get_carrier(carrier_id) is None:
        raise NotFound(f"there is no carrier {carrier_id}")
