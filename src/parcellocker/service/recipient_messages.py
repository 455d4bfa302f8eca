"""What is queued for a recipient: the secrets a message about a waiting parcel carries, sealed, one notification
per channel, in the same unit of work as the change it tells about (the transactional outbox)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from parcellocker.domain.notices import Notice
from parcellocker.domain.pickup_policy import PickupTerms
from parcellocker.domain.shipment import MAX_EXTENSIONS, Shipment
from parcellocker.security.extension_links import KEY_PURPOSE, issue_extension_token
from parcellocker.security.qr_tokens import QrClaim, issue_qr_token
from parcellocker.security.sealing import seal
from parcellocker.service.context import Env
from parcellocker.service.ports import Notification, UnitOfWork

SEAL_PURPOSE = "notification-seal"


def waiting_parcel_secrets(env: Env, shipment: Shipment, code: str, terms: PickupTerms) -> dict[str, str]:
    """The code; a QR token good until the latest the deadline can become (the pickup itself checks the actual
    deadline, on the server and in the terminal's code sheet, so a QR token from the first message still works
    after an extension); and, while the deadline can still be extended, the link that extends it."""
    assert shipment.pickup_deadline is not None
    can_extend = shipment.extensions < MAX_EXTENSIONS
    qr_until = shipment.pickup_deadline + (terms.extension if can_extend else timedelta(0))
    secrets = {
        "code": code,
        "qr": issue_qr_token(env.keys.signing_key, QrClaim(shipment.id, shipment.locker_id, int(qr_until.timestamp()))),
    }
    if can_extend:
        secrets["extend_url"] = extension_url(env, shipment)
    return secrets


def extension_url(env: Env, shipment: Shipment) -> str:
    """The recipient's link that extends the current deadline (security/extension_links.py)."""
    assert shipment.pickup_deadline is not None
    token = issue_extension_token(env.keys.derive(KEY_PURPOSE), shipment.id, shipment.pickup_deadline)
    return f"{env.policy.public_url.rstrip('/')}/extend/{token}"


async def tell_recipient(
    uow: UnitOfWork, env: Env, shipment: Shipment, notice: Notice, secrets: dict[str, Any] | None = None
) -> None:
    """Queue `notice` to each address of the recipient, its secrets sealed with the server's notification key."""
    now = env.clock.now()
    sealed = seal(env.keys.derive(SEAL_PURPOSE), secrets or {})
    recipient = shipment.recipient
    for channel, address in (("email", recipient.email), ("sms", recipient.phone)):
        if address:
            await uow.outbox.add(
                Notification(
                    str(uuid.uuid4()), shipment.id, channel, address, notice.value, recipient.language, sealed, now
                )
            )
