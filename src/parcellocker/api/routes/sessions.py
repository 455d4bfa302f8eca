"""Signing in: couriers with id and PIN, operators with id and password, for a bearer token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import ServicesDep
from parcellocker.api.schemas.accounts import CourierSessionCreate, OperatorSessionCreate, SessionPublic
from parcellocker.api.schemas.errors import error_responses
from parcellocker.domain.accounts import Role
from parcellocker.service.accounts import SignedIn, SignIn, sign_in

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post(
    "/courier",
    response_model=SessionPublic,
    responses=error_responses(400, 401, 422, 429),
    summary="Sign a courier in with id and PIN",
)
async def create_courier_session(session_in: CourierSessionCreate, services: ServicesDep) -> Any:
    """Wrong PINs count towards a lockout of the courier's account (429 with Retry-After)."""
    return await services.run(sign_in, SignIn(Role.COURIER, session_in.courier_id, session_in.pin), _public)


@router.post(
    "/operator",
    response_model=SessionPublic,
    responses=error_responses(400, 401, 422, 429),
    summary="Sign an operator in with id and password",
)
async def create_operator_session(session_in: OperatorSessionCreate, services: ServicesDep) -> Any:
    return await services.run(sign_in, SignIn(Role.OPERATOR, session_in.operator_id, session_in.password), _public)


def _public(signed_in: SignedIn) -> dict[str, Any]:
    return SessionPublic.from_domain(signed_in).model_dump(mode="json")
