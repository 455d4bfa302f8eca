"""Alarms for operators: forced doors, lockouts, compartments out of order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from parcellocker.api.deps import PrincipalDep, ServicesDep
from parcellocker.api.schemas.alarms import AlarmPublic
from parcellocker.api.schemas.errors import error_responses
from parcellocker.service.alarms import ListAlarms, list_alarms

router = APIRouter(prefix="/alarms", tags=["alarms"])


@router.get("", response_model=list[AlarmPublic], responses=error_responses(401, 403), summary="List alarms (operator)")
async def read_alarms(
    services: ServicesDep,
    principal: PrincipalDep,
    locker_id: Annotated[str | None, Query(min_length=1, max_length=64, description="Only this locker's.")] = None,
) -> Any:
    alarms = await services.read(list_alarms, ListAlarms(principal, locker_id))
    return [AlarmPublic.from_domain(alarm).model_dump(mode="json") for alarm in alarms]
