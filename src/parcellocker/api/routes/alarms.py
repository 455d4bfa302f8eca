"""Alarms for operators: forced doors, doors left open, lockouts, compartments out of order, lockers offline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.schemas.alarms import AlarmPublic
from parcellocker.api.schemas.errors import error_responses
from parcellocker.domain.alarms import Alarm
from parcellocker.service.alarms import AcknowledgeAlarm, ListAlarms, acknowledge_alarm, list_alarms

router = APIRouter(prefix="/alarms", tags=["alarms"])


@router.get("", response_model=list[AlarmPublic], responses=error_responses(401, 403), summary="List alarms (operator)")
async def read_alarms(
    services: ServicesDep,
    principal: PrincipalDep,
    locker_id: Annotated[str | None, Query(min_length=1, max_length=64, description="Only this locker's.")] = None,
) -> Any:
    alarms = await services.read(list_alarms, ListAlarms(principal, locker_id))
    return [_public(alarm) for alarm in alarms]


@router.post(
    "/{alarm_id}/acknowledge",
    response_model=AlarmPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Acknowledge an alarm (operator)",
)
async def create_acknowledgement(
    alarm_id: Annotated[str, Path(min_length=1, max_length=64, description="The alarm's id.")],
    call: CallDep,
) -> Any:
    """The operator has seen to it (audited). 409 if it was acknowledged already, saying by whom and when."""
    return await call.run(acknowledge_alarm, AcknowledgeAlarm(call.principal, alarm_id), _public)


def _public(alarm: Alarm) -> dict[str, Any]:
    return AlarmPublic.from_domain(alarm).model_dump(mode="json")
