"""Code tries at a locker this process knows to be locked out, refused at the door of the app.

A flood of guessed codes at one locker (docs/reliability/random-codes.md) is refused from the process's lockout
memory (service/wrong_codes.py) without a unit of work, but each refusal still went through routing, FastAPI's
dependencies and the request body's validation: ~0.35 ms of CPU, with 50 guesses in flight enough to keep one
worker's event loop busy and to make every other locker's requests wait their turn behind them. This ASGI
middleware gives the same refusal before all that: a POST to a code-try route (an endpoint marked with
`code_try`) by the locker's own terminal, while the memory says the locker is locked out, is answered 429 with the
very response the route would give (`api.errors.domain_error` of the same LockedOut), counted in the metrics under
its route.

Everything else goes the normal way, so the answers do not change: no lockout known (the cost is then one
dictionary look-up per POST), a request with an Idempotency-Key (its first reply is replayed before any check), no
credential or an unknown one (401), a caller who is not that locker's terminal (403). One difference is on
purpose: the door does not read the body, so a malformed try at a locked-out locker is refused with 429 where the
route would have answered 400 or 422.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from parcellocker.api.authentication import Authenticator
from parcellocker.api.deps import credential_of, signed_in
from parcellocker.api.errors import domain_error
from parcellocker.api.terminal_sightings import TerminalSightings
from parcellocker.domain.errors import DomainError, LockedOut
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.wrong_codes import refuse_known_lockout

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

_CODE_TRY = "__parcellocker_code_try__"


def code_try(endpoint: Endpoint) -> Endpoint:
    """Mark a route's endpoint as a code try at the locker of its `{locker_id}` (its command is a CodeTry)."""
    setattr(endpoint, _CODE_TRY, True)
    return endpoint


class LockedOutDoor:
    """ASGI middleware. `routes`: (prefix, route) of the routes the app serves under that prefix; those whose
    endpoint is marked `code_try` are watched."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Iterable[tuple[str, BaseRoute]],
        env: Env,
        authenticator: Authenticator,
        sightings: TerminalSightings,
    ) -> None:
        self.app = app
        self._env = env
        self._authenticator = authenticator
        self._sightings = sightings
        self._code_tries = [
            (compile_path(prefix + route.path)[0], route)
            for prefix, route in routes
            if isinstance(route, APIRoute) and getattr(route.endpoint, _CODE_TRY, False)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            refusal = await self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _refusal(self, scope: Scope) -> Response | None:
        memory = self._env.lockout_memory
        if memory is None or not len(memory):
            return None
        matched = self._code_try_at(_route_path(scope))
        if matched is None:
            return None
        route, locker_id = matched
        request = Request(scope)
        if "idempotency-key" in request.headers:
            return None
        try:
            refuse_known_lockout(self._env, locker_id)
        except LockedOut as locked_out:
            try:  # as the route's dependencies would, the sighting of the terminal included
                principal = await signed_in(await credential_of(request), self._authenticator, self._sightings)
                require_terminal_of(principal, locker_id)
            except DomainError:  # 401 or 403: the route says it
                return None
            scope["route"] = route  # the metrics' label
            return await domain_error(request, locked_out)
        return None

    def _code_try_at(self, path: str) -> tuple[BaseRoute, str] | None:
        for pattern, route in self._code_tries:
            if (found := pattern.match(path)) is not None:
                return route, found["locker_id"]
        return None


def _route_path(scope: Scope) -> str:
    """The path as the app's routes see it: without the `root_path` the app is mounted under, if any."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path + "/"):
        return path[len(root_path) :]
    return path
