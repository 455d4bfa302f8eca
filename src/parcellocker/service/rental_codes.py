"""A rental's code: 8 digits from `secrets`, unique among the live rental codes of its locker, kept only as
HMAC-SHA256 with the locker's code key (as pickup codes are, so that the terminal could check it too); told to the
renter on the screen or in the response that booked it, and by e-mail or SMS through the notification outbox."""

from __future__ import annotations

import uuid

from parcellocker.domain.codes import hash_pickup_code, locker_code_key_purpose
from parcellocker.domain.errors import Conflict
from parcellocker.domain.events import Actor
from parcellocker.domain.rental import Rental, generate_rental_code
from parcellocker.security.sealing import seal
from parcellocker.service.context import Env
from parcellocker.service.ports import Notification, UnitOfWork

NOTIFICATION_SEAL = "notification-seal"
CODE_TEMPLATE = "rental_code"
TO_COLLECT_TEMPLATE = "rental_to_collect"


def rental_code_hash(env: Env, locker_id: str, code: str) -> str:
    return hash_pickup_code(env.keys.derive(locker_code_key_purpose(locker_id)), code)


async def issue_code(uow: UnitOfWork, env: Env, rental: Rental, actor: Actor) -> str:
    """Mark the rental paid with a new code, tell the renter, and give the code (shown once)."""
    for _ in range(50):
        code = generate_rental_code()
        code_hash = rental_code_hash(env, rental.locker_id, code)
        if await uow.rentals.by_code(rental.locker_id, code_hash) is None:
            rental.paid(code_hash, env.clock.now(), actor)
            await tell_renter(uow, env, rental, CODE_TEMPLATE, {"code": code})
            return code
    raise Conflict(f"locker {rental.locker_id} has too many live rental codes")


async def tell_renter(uow: UnitOfWork, env: Env, rental: Rental, template: str, secrets: dict[str, str]) -> None:
    """Queue the message for each address the renter gave (none: nothing is sent)."""
    renter = rental.renter
    sealed = seal(env.keys.derive(NOTIFICATION_SEAL), secrets)
    for channel, address in (("email", renter.email), ("sms", renter.phone)):
        if address:
            await uow.outbox.add(
                Notification(
                    str(uuid.uuid4()),
                    None,
                    channel,
                    address,
                    template,
                    renter.language,
                    sealed,
                    env.clock.now(),
                    rental_id=rental.id,
                )
            )
