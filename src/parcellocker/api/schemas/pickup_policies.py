"""Pickup policies of lockers and carriers, in hours."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from parcellocker.domain.pickup_policy import PickupPolicy, PickupTerms, PolicySubject
from parcellocker.service.pickup_policies import SubjectPolicy

_INHERITED = (
    " Null: the policy below decides (a carrier's overrides a locker's, setting by setting; the server's is last)."
)


class PickupPolicyUpdate(BaseModel):
    pickup_window_hours: float | None = Field(
        default=None, gt=0, le=24 * 60, description="From storing to the pickup deadline." + _INHERITED, examples=[72]
    )
    extension_hours: float | None = Field(
        default=None, gt=0, le=24 * 30, description="What the one extension adds." + _INHERITED, examples=[48]
    )
    reminder_hours_before: float | None = Field(
        default=None, gt=0, le=24 * 60, description="The reminder, this long before the deadline." + _INHERITED
    )

    def to_domain(self) -> PickupPolicy:
        return PickupPolicy(
            _duration(self.pickup_window_hours), _duration(self.extension_hours), _duration(self.reminder_hours_before)
        )


class PickupTermsPublic(BaseModel):
    pickup_window_hours: float
    extension_hours: float
    reminder_hours_before: float

    @classmethod
    def from_domain(cls, terms: PickupTerms) -> PickupTermsPublic:
        return cls(
            pickup_window_hours=_hours(terms.pickup_window),
            extension_hours=_hours(terms.extension),
            reminder_hours_before=_hours(terms.reminder_before),
        )


class PickupPolicyPublic(BaseModel):
    subject: PolicySubject
    subject_id: str
    pickup_window_hours: float | None
    extension_hours: float | None
    reminder_hours_before: float | None
    server_defaults: PickupTermsPublic = Field(description="What holds where neither policy sets a value.")

    @classmethod
    def from_domain(cls, found: SubjectPolicy) -> PickupPolicyPublic:
        policy = found.policy
        return cls(
            subject=found.subject,
            subject_id=found.subject_id,
            pickup_window_hours=None if policy.pickup_window is None else _hours(policy.pickup_window),
            extension_hours=None if policy.extension is None else _hours(policy.extension),
            reminder_hours_before=None if policy.reminder_before is None else _hours(policy.reminder_before),
            server_defaults=PickupTermsPublic.from_domain(found.defaults),
        )


def _duration(hours: float | None) -> timedelta | None:
    return None if hours is None else timedelta(seconds=round(hours * 3600))


def _hours(value: timedelta) -> float:
    return round(value.total_seconds() / 3600, 6)
