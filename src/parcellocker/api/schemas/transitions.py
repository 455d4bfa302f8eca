"""Transitions: every change of state of a shipment or compartment, with time, actor and reason."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from parcellocker.domain.events import Transition


class TransitionPublic(BaseModel):
    at: datetime
    from_state: str | None = Field(description="None for the first one (announced).", examples=["announced"])
    to_state: str = Field(examples=["stored"])
    actor: str = Field(description="Who: `role:id`.", examples=["terminal:terminal-WAW-CENTRAL-01"])
    reason: str = Field(examples=["door closed on the parcel"])
    details: dict[str, str]

    @classmethod
    def from_domain(cls, transition: Transition) -> TransitionPublic:
        return cls(
            at=transition.at,
            from_state=None if transition.from_state is None else str(transition.from_state),
            to_state=str(transition.to_state),
            actor=str(transition.actor),
            reason=transition.reason,
            details=dict(transition.details),
        )
