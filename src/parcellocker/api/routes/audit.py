"""The audit log's hash chain, checked on request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import PrincipalDep, ServicesDep
from parcellocker.api.schemas.audit import AuditVerdictPublic
from parcellocker.api.schemas.errors import error_responses
from parcellocker.domain.accounts import Role
from parcellocker.service.audit import VerifyAudit, verify_audit
from parcellocker.service.permissions import require_role

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "/verify",
    response_model=AuditVerdictPublic,
    responses=error_responses(401, 403),
    summary="Check that no audit entry was changed or removed (operator)",
)
async def read_audit_verdict(services: ServicesDep, principal: PrincipalDep) -> Any:
    require_role(principal, Role.OPERATOR)  # verify_audit itself is also run by the CLI, with no principal
    verdict = await services.read(verify_audit, VerifyAudit())
    return AuditVerdictPublic.from_domain(verdict).model_dump(mode="json")
