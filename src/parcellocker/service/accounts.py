"""Use cases about who is who: carriers, couriers and operators, their keys, PINs and sign-ins."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from parcellocker.domain.accounts import Carrier, Courier, Operator, Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import Conflict, InvalidInput, LockedOut, NotAuthenticated, NotFound
from parcellocker.security.api_keys import hash_api_key, new_api_key
from parcellocker.security.passwords import hash_secret, verify_secret
from parcellocker.security.session_tokens import issue_session_token, read_session_token
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# A dummy hash to verify against when the courier does not exist, so timing does not tell.
_DUMMY_HASH = hash_secret("not-a-real-pin")


def _check_id(kind: str, value: str) -> str:
    if not _ID.match(value):
        raise InvalidInput(f"a {kind} id is 1-64 letters, digits, dots, dashes, @ or underscores")
    return value


@dataclass(frozen=True, slots=True)
class AddCarrier:
    by: Principal
    name: str
    carrier_id: str | None = None


@dataclass(frozen=True, slots=True)
class CarrierAdded:
    carrier: Carrier
    api_key: str  # shown once; only its hash is kept


async def add_carrier(cmd: AddCarrier, uow: UnitOfWork, env: Env) -> CarrierAdded:
    require_role(cmd.by, Role.OPERATOR)
    carrier_id = _check_id("carrier", cmd.carrier_id or f"carrier-{uuid.uuid4().hex[:8]}")
    if not cmd.name.strip():
        raise InvalidInput("a carrier needs a name")
    if await uow.accounts.get_carrier(carrier_id) is not None:
        raise Conflict(f"carrier {carrier_id} already exists")
    carrier = Carrier(carrier_id, cmd.name.strip())
    await uow.accounts.add_carrier(carrier)
    api_key = new_api_key("plk")
    now = env.clock.now()
    await uow.accounts.add_api_key(hash_api_key(api_key), Principal(Role.CARRIER, carrier_id, carrier_id), now)
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "carrier.added", carrier_id, {}))
    return CarrierAdded(carrier, api_key)


@dataclass(frozen=True, slots=True)
class AddCourier:
    by: Principal
    courier_id: str
    carrier_id: str
    name: str
    pin: str


async def add_courier(cmd: AddCourier, uow: UnitOfWork, env: Env) -> Courier:
    require_role(cmd.by, Role.OPERATOR)
    _check_id("courier", cmd.courier_id)
    if not (cmd.pin.isascii() and cmd.pin.isdigit()) or not 4 <= len(cmd.pin) <= 12:
        raise InvalidInput("a courier PIN is 4 to 12 digits")
    if await uow.accounts.get_carrier(cmd.carrier_id) is None:
        raise NotFound(f"there is no carrier {cmd.carrier_id}")
    if await uow.accounts.courier_with_pin_hash(cmd.courier_id) is not None:
        raise Conflict(f"courier {cmd.courier_id} already exists")
    courier = Courier(cmd.courier_id, cmd.carrier_id, cmd.name.strip() or cmd.courier_id)
    await uow.accounts.add_courier(courier, hash_secret(cmd.pin))
    now = env.clock.now()
    await uow.audit.append(
        AuditRecord(now, str(cmd.by.actor), "courier.added", courier.id, {"carrier": cmd.carrier_id})
    )
    return courier


@dataclass(frozen=True, slots=True)
class AddOperator:
    operator_id: str
    name: str
    password: str


async def add_operator(cmd: AddOperator, uow: UnitOfWork, env: Env) -> Operator:
    """Only the CLI on the server's own machine calls this: it is how the first operator comes to be."""
    _check_id("operator", cmd.operator_id)
    if len(cmd.password) < 8:
        raise InvalidInput("an operator password has at least 8 characters")
    if await uow.accounts.operator_with_password_hash(cmd.operator_id) is not None:
        raise Conflict(f"operator {cmd.operator_id} already exists")
    operator = Operator(cmd.operator_id, cmd.name.strip() or cmd.operator_id)
    await uow.accounts.add_operator(operator, hash_secret(cmd.password))
    await uow.audit.append(AuditRecord(env.clock.now(), "system:cli", "operator.added", operator.id, {}))
    return operator


@dataclass(frozen=True, slots=True)
class SignIn:
    role: Role  # COURIER (id + PIN) or OPERATOR (id + password)
    account_id: str
    secret: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    principal: Principal
    token: str
    expires_in: int


async def sign_in(cmd: SignIn, uow: UnitOfWork, env: Env) -> SignedIn:
    """Check a PIN or password; wrong ones count towards a lockout of that account."""
    if cmd.role not in (Role.COURIER, Role.OPERATOR):
        raise InvalidInput("only a courier or an operator signs in; carriers and terminals use their API key")
    now = env.clock.now()
    lockout = await uow.lockouts.get(f"sign-in:{cmd.role.value}:{cmd.account_id}")
    if (wait := lockout.retry_after(now)) is not None:
        raise LockedOut(f"too many wrong tries for this account; try again in {wait} seconds", wait)
    principal, secret_hash = await _account(uow, cmd)
    if not verify_secret(secret_hash or _DUMMY_HASH, cmd.secret) or principal is None:
        lockout.record_failure(now, env.policy.pin_lockout)
        await uow.lockouts.save(lockout)
        await uow.commit()
        raise NotAuthenticated("unknown account or wrong PIN/password")
    if lockout.failures:
        lockout.record_success()
        await uow.lockouts.save(lockout)
    ttl = env.policy.session_ttl
    token = issue_session_token(env.keys.derive("session-token"), principal, now, ttl)
    return SignedIn(principal, token, int(ttl.total_seconds()))


async def _account(uow: UnitOfWork, cmd: SignIn) -> tuple[Principal | None, str | None]:
    if cmd.role is Role.COURIER:
        found = await uow.accounts.courier_with_pin_hash(cmd.account_id)
        if found is None or not found[0].active:
            return None, None
        courier, pin_hash = found
        return Principal(Role.COURIER, courier.id, courier.carrier_id), pin_hash
    operator_found = await uow.accounts.operator_with_password_hash(cmd.account_id)
    if operator_found is None:
        return None, None
    return Principal(Role.OPERATOR, operator_found[0].id), operator_found[1]


@dataclass(frozen=True, slots=True)
class Authenticate:
    bearer: str


async def authenticate(cmd: Authenticate, uow: UnitOfWork, env: Env) -> Principal:
    """Who holds this bearer credential: an API key (carrier, terminal) or a session token."""
    token = cmd.bearer.strip()
    if token.startswith("pls."):
        principal = read_session_token(env.keys.derive("session-token"), token, env.clock.now())
    else:
        principal = await uow.accounts.principal_by_key_hash(hash_api_key(token))
    if principal is None:
        raise NotAuthenticated("the credential is unknown, revoked or expired")
    return principal
