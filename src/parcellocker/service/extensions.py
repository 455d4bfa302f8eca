"""Extending a parcel's pickup deadline, once: by its carrier (or an operator) over the API, or by its recipient
with the signed link from their message."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import NotFound
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.locker import Locker
from parcellocker.domain.shipment import MAX_EXTENSIONS, Shipment, ShipmentState
from parcellocker.security.extension_links import KEY_PURPOSE, ExtensionClaim, read_extension_token
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.pickup_policies import terms_for
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.shipments import visible_shipment
from parcellocker.service.terminal_commands import ask_terminal_to_sync_codes

RECIPIENT_BY_LINK = Actor(ActorKind.RECIPIENT, "extension-link")
BAD_LINK = "this link is not valid: open the link from your message exactly as it was sent"


@dataclass(frozen=True, slots=True)
class ExtendDeadline:
    by: Principal
    shipment_id: str


async def extend_deadline(cmd: ExtendDeadline, uow: UnitOfWork, env: Env) -> Shipment:
    """The carrier's (or an operator's) extension, by the carrier's or locker's policy (48 hours by default)."""
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    await _extend(uow, env, shipment, cmd.by.actor)
    return shipment


@dataclass(frozen=True, slots=True)
class ExtendByLink:
    token: str


@dataclass(frozen=True, slots=True)
class ExtensionOffer:
    """What the recipient's link offers: the parcel, where it waits, its deadline now and after the extension."""

    shipment: Shipment
    locker: Locker
    deadline: datetime
    extended_deadline: datetime


async def read_extension_offer(cmd: ExtendByLink, uow: UnitOfWork, env: Env) -> ExtensionOffer:
    """What following the link would do, checked as the extension itself is checked (so the page can say why not
    before the recipient asks), and changing nothing."""
    shipment, claim = await _shipment_of_link(uow, env, cmd.token)
    _check_link_is_current(shipment, claim)
    trial = copy.deepcopy(shipment)
    terms = await terms_for(uow, env, shipment.locker_id, shipment.carrier_id)
    trial.extend_deadline(terms.extension, env.clock.now(), RECIPIENT_BY_LINK)  # raises what the extension would
    assert shipment.pickup_deadline is not None and trial.pickup_deadline is not None
    return ExtensionOffer(shipment, await _locker(uow, shipment), shipment.pickup_deadline, trial.pickup_deadline)


async def extend_by_link(cmd: ExtendByLink, uow: UnitOfWork, env: Env) -> ExtensionOffer:
    """The recipient's extension: the link names the shipment and the deadline it extends, signed by the server."""
    shipment, claim = await _shipment_of_link(uow, env, cmd.token)
    _check_link_is_current(shipment, claim)
    before = shipment.pickup_deadline
    await _extend(uow, env, shipment, RECIPIENT_BY_LINK)
    assert before is not None and shipment.pickup_deadline is not None
    return ExtensionOffer(shipment, await _locker(uow, shipment), before, shipment.pickup_deadline)


async def _extend(uow: UnitOfWork, env: Env, shipment: Shipment, actor: Actor) -> None:
    terms = await terms_for(uow, env, shipment.locker_id, shipment.carrier_id)
    now = env.clock.now()
    shipment.extend_deadline(terms.extension, now, actor, reminder_before=terms.reminder_before)
    await uow.shipments.save(shipment)
    assert shipment.pickup_deadline is not None
    details = {"pickup_deadline": shipment.pickup_deadline.isoformat()}
    await uow.audit.append(AuditRecord(now, str(actor), "shipment.deadline_extended", shipment.id, details))
    await ask_terminal_to_sync_codes(uow, env, shipment.locker_id, str(actor))  # its code sheet holds the deadline


async def _shipment_of_link(uow: UnitOfWork, env: Env, token: str) -> tuple[Shipment, ExtensionClaim]:
    claim = read_extension_token(env.keys.derive(KEY_PURPOSE), token)
    shipment = None if claim is None else await uow.shipments.get(claim.shipment_id)
    if claim is None or shipment is None:
        raise NotFound(BAD_LINK)
    return shipment, claim


def _check_link_is_current(shipment: Shipment, claim: ExtensionClaim) -> None:
    """A link extends the deadline it was sent with. Once that moved by the extension, the domain refuses a second
    one; a link from before a redirect (another stay, another deadline) is not valid."""
    extendable = shipment.state is ShipmentState.STORED and shipment.extensions < MAX_EXTENSIONS
    if extendable and not claim.is_for(shipment.pickup_deadline):
        raise NotFound("this link belongs to an earlier delivery of the parcel; use the link in your latest message")


async def _locker(uow: UnitOfWork, shipment: Shipment) -> Locker:
    locker = await uow.lockers.get(shipment.locker_id, with_compartments=False)
    assert locker is not None
    return locker
