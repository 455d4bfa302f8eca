"""Dependency aliases of the routes: the services, the caller, and the caller's Idempotency-Key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPBearer

from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.api.authentication import Authenticator
from parcellocker.api.terminal_sightings import TerminalSightings
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import NotAuthenticated
from parcellocker.service.context import Replay, Services, UseCase

MAX_IDEMPOTENCY_KEY_LENGTH = 255

_bearer = HTTPBearer(auto_error=False, description="An API key (carrier, terminal) or a session token.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (carrier, terminal).")
CREDENTIAL_SCHEMES = (_bearer, _api_key)
"""How a caller sends its credential, in the order `credential_of` reads them. `get_principal` reads them itself
rather than taking them as dependencies: FastAPI solves each dependency of a route anew on every request, a cost
paid on every authenticated call for two header reads. api/openapi.py declares them as the security of every
operation that depends on `get_principal`, as FastAPI would have."""


# The dependencies are `async def` although they never wait: FastAPI runs a plain `def` dependency in a thread of
# its pool, a hand-off per request that cost ~10% of a worker's CPU under load.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.server.services
    return services


async def get_outbox_worker(request: Request) -> OutboxWorker | None:
    worker: OutboxWorker | None = request.app.state.outbox_worker
    return worker


async def get_principal(request: Request) -> Principal:
    credential = await credential_of(request)
    return await signed_in(credential, request.app.state.authenticator, get_terminal_sightings(request))


async def credential_of(request: Request) -> str | None:
    """The caller's credential as the routes take it (`get_principal`): a bearer token, else the X-API-Key header."""
    bearer = await _bearer(request)
    return bearer.credentials if bearer is not None else await _api_key(request)


async def signed_in(credential: str | None, authenticator: Authenticator, sightings: TerminalSightings) -> Principal:
    """Who `credential` is; NotAuthenticated without one, or for one unknown, revoked or expired."""
    if not credential:
        raise NotAuthenticated("sign in first: send `Authorization: Bearer <API key or session token>`")
    principal = await authenticator.principal(credential)
    if principal.role is Role.TERMINAL:  # every request of a terminal is a sighting of it (its HTTP link)
        await sightings.seen(principal)
    return principal


def get_terminal_sightings(request: Request) -> TerminalSightings:
    sightings: TerminalSightings = request.app.state.terminal_sightings
    return sightings


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
OutboxWorkerDep = Annotated[OutboxWorker | None, Depends(get_outbox_worker)]
TerminalSightingsDep = Annotated[TerminalSightings, Depends(get_terminal_sightings)]


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        description="Send the same key again to get the first answer again, with nothing done twice.",
    ),
]


async def _replay_of(request: Request, principal: Principal, idempotency_key: str | None) -> Replay | None:
    """The caller's Idempotency-Key, scoped to the caller and fingerprinted over method, path and body."""
    if idempotency_key is None:
        return None
    body = await request.body()
    scope = f"{principal.role.value}:{principal.id}"
    return Replay.of(scope, idempotency_key, request.method, request.url.path, body)


C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Call:
    """A call that changes something, as its route needs it: the caller, the services, and the caller's
    Idempotency-Key. Two dependencies (this and the caller) in place of four: FastAPI solves each dependency of a
    route anew on every request, at ~7-10 µs apiece here."""

    principal: Principal
    services: Services
    replay: Replay | None

    async def run(self, use_case: UseCase[C, R], command: C, render: Callable[[R], Any]) -> Any:
        """Services.run with the caller's Idempotency-Key: `render(result)`, the same again for the same key."""
        return await self.services.run(use_case, command, render, self.replay)


async def get_call(request: Request, principal: PrincipalDep, idempotency_key: IdempotencyKeyHeader = None) -> Call:
    # The caller is a dependency of its own, solved before the header is checked: no credential answers 401 first.
    services: Services = request.app.state.server.services
    return Call(principal, services, await _replay_of(request, principal, idempotency_key))


CallDep = Annotated[Call, Depends(get_call)]
