"""How much of a locker was in use, per size and hour, over the last days."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from parcellocker.api.deps import PrincipalDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.api.schemas.utilisation import UtilisationPublic
from parcellocker.service.utilisation import MAX_DAYS, ReadUtilisation, Utilisation, read_utilisation

router = APIRouter(prefix="/lockers/{locker_id}/utilisation", tags=["lockers"])


@router.get(
    "",
    response_model=UtilisationPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="A locker's utilisation per size and hour (operator)",
)
async def read_locker_utilisation(
    locker_id: LockerIdPath,
    services: ServicesDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="How many days back.")] = 7,
) -> Any:
    """Hour by hour, per size, the compartments in use (reserved or holding a parcel): on average over the hour
    and at its busiest moment. The dashboard draws it and exports it as CSV."""
    read: Utilisation = await services.read(read_utilisation, ReadUtilisation(principal, locker_id, days))
    return UtilisationPublic.from_domain(read).model_dump(mode="json")
