"""Checking the audit log: every entry must hold the hash of the one before."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.audit import AuditEntry, ChainBreak, verify_chain
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class VerifyAudit:
    pass


@dataclass(frozen=True, slots=True)
class AuditVerdict:
    entries: int
    broken: ChainBreak | None


async def verify_audit(cmd: VerifyAudit, uow: UnitOfWork, env: Env) -> AuditVerdict:
    entries: list[AuditEntry] = [entry async for entry in uow.audit.entries()]
    return AuditVerdict(len(entries), verify_chain(entries))
