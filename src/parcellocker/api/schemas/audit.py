"""The verdict on the audit log's hash chain."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcellocker.service.audit import AuditVerdict


class AuditVerdictPublic(BaseModel):
    ok: bool = Field(description="True when every entry holds the hash of the one before it.")
    entries: int
    broken_at: int | None = Field(description="The sequence number of the first entry that does not hold.")
    problem: str | None

    @classmethod
    def from_domain(cls, verdict: AuditVerdict) -> AuditVerdictPublic:
        broken = verdict.broken
        return cls(
            ok=broken is None,
            entries=verdict.entries,
            broken_at=broken.seq if broken else None,
            problem=broken.problem if broken else None,
        )
