"""Who acts on the system: carriers, their couriers, operators and locker terminals."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from parcellocker.domain.events import Actor, ActorKind


class Role(StrEnum):
    CARRIER = "carrier"
    COURIER = "courier"
    OPERATOR = "operator"
    TERMINAL = "terminal"
    COMPANY = "company"
    """A company or hotel with a rental account: books and assigns compartments at its lockers (domain/payment.py)."""


@dataclass(frozen=True, slots=True)
class Carrier:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Courier:
    id: str
    carrier_id: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Operator:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a use case: who, in which role, scoped to what."""

    role: Role
    id: str
    carrier_id: str | None = None  # carriers and couriers
    locker_id: str | None = None  # terminals

    @property
    def actor(self) -> Actor:
        return Actor(ActorKind(self.role.value), self.id)
