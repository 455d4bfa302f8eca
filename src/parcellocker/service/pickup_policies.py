"""Pickup policies: operators set a locker's or a carrier's (a carrier may set its own), and the terms that follow
for one parcel (domain/pickup_policy.py says which policy wins)."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import Forbidden, NotFound
from parcellocker.domain.pickup_policy import PickupPolicy, PickupTerms, PolicySubject, pickup_terms
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


async def terms_for(uow: UnitOfWork, env: Env, locker_id: str, carrier_id: str) -> PickupTerms:
    """The terms for a parcel of `carrier_id` at `locker_id`: the carrier's policy over the locker's over the
    server's."""
    locker, carrier = await uow.pickup_policies.for_parcel(locker_id, carrier_id)
    return pickup_terms(env.policy.pickup_terms, locker=locker, carrier=carrier)


@dataclass(frozen=True, slots=True)
class SubjectPolicy:
    subject: PolicySubject
    subject_id: str
    policy: PickupPolicy
    """What this locker or carrier sets (None: left to the next policy down)."""
    defaults: PickupTerms
    """The server's own terms."""


@dataclass(frozen=True, slots=True)
class SetPickupPolicy:
    by: Principal
    subject: PolicySubject
    subject_id: str
    policy: PickupPolicy


async def set_pickup_policy(cmd: SetPickupPolicy, uow: UnitOfWork, env: Env) -> SubjectPolicy:
    """A locker's policy is the operator's; a carrier's, the operator's or the carrier's own. It holds for parcels
    stored (and deadlines extended) from now on."""
    if cmd.subject is PolicySubject.LOCKER:
        require_role(cmd.by, Role.OPERATOR)
    else:
        _require_operator_or_carrier(cmd.by, cmd.subject_id)
    await _require_subject(uow, cmd.subject, cmd.subject_id)
    now = env.clock.now()
    await uow.pickup_policies.save(cmd.subject, cmd.subject_id, cmd.policy, now)
    details = {
        name: "" if value is None else str(int(value.total_seconds()))
        for name, value in (
            ("pickup_window_seconds", cmd.policy.pickup_window),
            ("extension_seconds", cmd.policy.extension),
            ("reminder_before_seconds", cmd.policy.reminder_before),
        )
    }
    await uow.audit.append(
        AuditRecord(now, str(cmd.by.actor), f"pickup_policy.{cmd.subject.value}", cmd.subject_id, details)
    )
    return SubjectPolicy(cmd.subject, cmd.subject_id, cmd.policy, env.policy.pickup_terms)


@dataclass(frozen=True, slots=True)
class GetPickupPolicy:
    by: Principal
    subject: PolicySubject
    subject_id: str


async def get_pickup_policy(cmd: GetPickupPolicy, uow: UnitOfWork, env: Env) -> SubjectPolicy:
    """Operators and carriers read lockers' policies; a carrier reads only its own carrier policy."""
    if cmd.subject is PolicySubject.LOCKER:
        require_role(cmd.by, Role.OPERATOR, Role.CARRIER)
    else:
        _require_operator_or_carrier(cmd.by, cmd.subject_id)
    await _require_subject(uow, cmd.subject, cmd.subject_id)
    policy = await uow.pickup_policies.get(cmd.subject, cmd.subject_id) or PickupPolicy()
    return SubjectPolicy(cmd.subject, cmd.subject_id, policy, env.policy.pickup_terms)


def _require_operator_or_carrier(by: Principal, carrier_id: str) -> None:
    require_role(by, Role.OPERATOR, Role.CARRIER)
    if by.role is Role.CARRIER and by.carrier_id != carrier_id:
        raise Forbidden(f"a carrier may see and set only its own policy, not that of {carrier_id}")


async def _require_subject(uow: UnitOfWork, subject: PolicySubject, subject_id: str) -> None:
    if subject is PolicySubject.LOCKER:
        if not await uow.lockers.exists(subject_id):
            raise NotFound(f"there is no locker {subject_id}")
    elif await uow.accounts.get_carrier(subject_id) is None:
        raise NotFound(f"there is no carrier {subject_id}")
