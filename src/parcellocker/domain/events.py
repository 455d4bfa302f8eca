"""Facts the domain records: every state transition, with time, actor and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ActorKind(StrEnum):
    CARRIER = "carrier"
    COURIER = "courier"
    OPERATOR = "operator"
    TERMINAL = "terminal"
    RECIPIENT = "recipient"
    SYSTEM = "system"
    COMPANY = "company"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Actor:
        kind, _, ident = text.partition(":")
        return cls(ActorKind(kind), ident)


SYSTEM = Actor(ActorKind.SYSTEM, "parcellocker")


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of state of a shipment or a compartment."""

    subject: str  # "shipment" or "compartment"
    subject_id: str
    from_state: str | None
    to_state: str
    at: datetime
    actor: Actor
    reason: str
    details: dict[str, str] = field(default_factory=dict)
