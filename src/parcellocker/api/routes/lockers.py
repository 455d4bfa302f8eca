"""Lockers and their compartments with live states."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import PrincipalDep, ReplayDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerCreate, LockerCreated, LockerIdPath, LockerPublic
from parcellocker.domain.locker import Locker
from parcellocker.service.lockers import (
    AddLocker,
    GetLocker,
    ListLockers,
    LockerAdded,
    add_locker,
    get_locker,
    list_lockers,
)

router = APIRouter(prefix="/lockers", tags=["lockers"])


@router.post(
    "",
    status_code=201,
    response_model=LockerCreated,
    responses=error_responses(401, 403, 409, 422),
    summary="Set up a locker (operator)",
)
async def create_locker(
    locker_in: LockerCreate, services: ServicesDep, principal: PrincipalDep, replay: ReplayDep
) -> Any:
    """Creates the locker with its compartments, numbered in layout order, and its terminal's key."""
    shown_once: list[str] = []

    def render(added: LockerAdded) -> dict[str, Any]:
        shown_once.append(added.terminal_key)
        return {**LockerPublic.from_domain(added.locker).model_dump(mode="json"), "terminal_key": None}

    command = AddLocker(
        by=principal,
        name=locker_in.name,
        address=locker_in.address,
        layout=locker_in.layout,
        locker_id=locker_in.locker_id,
        timezone=locker_in.timezone,
        latitude=locker_in.latitude,
        longitude=locker_in.longitude,
        locks_per_board=locker_in.locks_per_board,
        first_board=locker_in.first_board,
        opening_hours=locker_in.opening_hours,
    )
    body = await services.run(add_locker, command, render, replay)
    return {**body, "terminal_key": shown_once[0] if shown_once else None}


@router.get("", response_model=list[LockerPublic], responses=error_responses(401), summary="List lockers")
async def read_lockers(services: ServicesDep, principal: PrincipalDep) -> Any:
    """Every locker with its compartments (a terminal sees only its own)."""
    lockers = await services.read(list_lockers, ListLockers(principal))
    return [_public(locker) for locker in lockers]


@router.get(
    "/{locker_id}", response_model=LockerPublic, responses=error_responses(401, 404), summary="Look at one locker"
)
async def read_locker(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    """The locker with each compartment's size, state, door, board and channel."""
    return _public(await services.read(get_locker, GetLocker(principal, locker_id)))


def _public(locker: Locker) -> dict[str, Any]:
    return LockerPublic.from_domain(locker).model_dump(mode="json")
