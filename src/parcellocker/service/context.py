"""What every use case gets besides its unit of work, and the one place that runs a use case."""

from __future__ import annotations

import abc
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from parcellocker.domain.codes import DEFAULT_CODE_LENGTH
from parcellocker.domain.errors import ConcurrencyConflict, Conflict
from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.domain.pickup_policy import PickupTerms
from parcellocker.security.keys import ServerKeys
from parcellocker.service.ports import Clock, CodeTryTurns, LockoutMemory, StoredReply, UnitOfWork
from parcellocker.service.rental_ports import PaymentGateways


@dataclass(frozen=True, slots=True)
class Policy:
    code_length: int = DEFAULT_CODE_LENGTH
    pickup_window: timedelta = timedelta(hours=72)
    pickup_lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    pin_lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    session_ttl: timedelta = timedelta(hours=12)
    webhooks_to_private_addresses: bool = True  # a carrier's webhook may be on loopback or a private network
    link_silence: timedelta = timedelta(seconds=60)
    """A locker on the HTTP link whose terminal was not seen for longer goes offline (3 long polls of 20 s)."""
    extension: timedelta = timedelta(hours=48)
    reminder_before: timedelta = timedelta(hours=24)
    personal_data_retention: timedelta = timedelta(days=30)
    """How long after a shipment ended its recipient's e-mail, phone and name are kept."""
    dropoff_code_validity: timedelta = timedelta(days=14)
    """How long a drop-off code works unless its carrier says otherwise."""
    public_url: str = "http://127.0.0.1:8000"
    """Where recipients reach the server: the links in messages start with it."""

    @property
    def pickup_terms(self) -> PickupTerms:
        """The server's own terms, which locker and carrier policies override."""
        return PickupTerms(self.pickup_window, self.extension, self.reminder_before)


@dataclass(frozen=True, slots=True)
class Env:
    clock: Clock
    keys: ServerKeys
    policy: Policy
    payments: PaymentGateways = field(default_factory=PaymentGateways)
    """The gateways rentals are paid with (none: rentals can be free only)."""
    lockout_memory: LockoutMemory | None = None
    """The lockouts this process knows of (service/wrong_codes.py); None: it keeps none, every try asks the
    database."""
    code_try_turns: CodeTryTurns | None = None
    """How many code tries of one locker this process handles at once (Prechecked.turn_of); None: no limit."""


@dataclass(frozen=True, slots=True)
class Replay:
    """An Idempotency-Key: `scope` says whose it is, `fingerprint` what was asked with it."""

    scope: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, scope: str, key: str, method: str, path: str, body: bytes) -> Replay:
        digest = hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()
        return cls(scope, key, digest)


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class Prechecked(abc.ABC):
    """A command some of whose refusals need no database: Services.run makes them before the unit of work opens."""

    __slots__ = ()

    @abc.abstractmethod
    def precheck(self, env: Env) -> None:
        """Raise now what the use case would raise first, when that is known without the database."""

    def turn_of(self) -> str | None:
        """The locker among whose code tries this command waits its turn (Env.code_try_turns), if any: the turn
        is taken before the precheck, and held until the answer."""
        return None


C = TypeVar("C")
R = TypeVar("R")
UseCase = Callable[[C, UnitOfWork, Env], Awaitable[R]]


@dataclass(slots=True)
class Services:
    """Runs use cases: opens the unit of work, replays idempotent requests, retries lost races."""

    uow_factory: Callable[[], UnitOfWork]
    env: Env
    attempts: int = 5

    async def run(
        self,
        use_case: UseCase[C, R],
        command: C,
        render: Callable[[R], Any],
        replay: Replay | None = None,
    ) -> Any:
        """Run `use_case` and return `render(result)`; the same Replay gets the first reply again."""
        turns = self.env.code_try_turns
        if turns is not None and isinstance(command, Prechecked) and (locker_id := command.turn_of()) is not None:
            async with turns.turn(locker_id):  # LockerBusy when too many wait: no check, no unit of work
                return await self._run(use_case, command, render, replay)
        return await self._run(use_case, command, render, replay)

    async def _run(
        self,
        use_case: UseCase[C, R],
        command: C,
        render: Callable[[R], Any],
        replay: Replay | None,
    ) -> Any:
        if replay is None and isinstance(command, Prechecked):  # a replay's first reply comes before any check
            command.precheck(self.env)
        for attempt in range(1, self.attempts + 1):
            async with self.uow_factory() as uow:
                if replay is not None:
                    prior = await uow.idempotency.get(replay.scope, replay.key)
                    if prior is not None:
                        return _replayed(prior, replay)
                try:
                    result = await use_case(command, uow, self.env)
                    body = render(result)
                    if replay is not None:
                        stored = StoredReply(replay.fingerprint, json.loads(json.dumps(body, default=str)))
                        await uow.idempotency.add(replay.scope, replay.key, stored, self.env.clock.now())
                    await uow.commit()
                except ConcurrencyConflict:
                    if attempt == self.attempts:
                        raise
                    continue
                return body
        raise AssertionError("unreachable")

    async def read(self, query: UseCase[C, R], command: C) -> R:
        """Run a use case that only reads."""
        async with self.uow_factory() as uow:
            return await query(command, uow, self.env)


def _replayed(prior: StoredReply, replay: Replay) -> Any:
    if prior.fingerprint != replay.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key for a new request"
        )
    return prior.body
