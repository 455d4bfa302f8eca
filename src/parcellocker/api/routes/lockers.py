"""Lockers and their compartments with live states."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerCreate, LockerCreated, LockerIdPath, LockerPublic
from parcellocker.domain.locker import Locker
from parcellocker.service.lockers import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
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
async def create_locker(locker_in: LockerCreate, call: CallDep) -> Any:
    """Creates the locker with its compartments, numbered in layout order, and its terminal's key."""
    shown_once: list[str] = []

    def render(added: LockerAdded) -> dict[str, Any]:
        shown_once.append(added.terminal_key)
        return {**LockerPublic.from_domain(added.locker).model_dump(mode="json"), "terminal_key": None}

    command = AddLocker(
        by=call.principal,
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
    body = await call.run(add_locker, command, render)
    return {**body, "terminal_key": shown_once[0] if shown_once else None}


_NEXT_PAGE = {
    "Link": {
        "description": 'The next page, when there is one: `</api/v1/lockers?after=<id>&limit=<n>>; rel="next"`. '
        "Without it this page is the last.",
        "schema": {"type": "string"},
    }
}


@router.get(
    "",
    response_model=list[LockerPublic],
    responses={200: {"headers": _NEXT_PAGE}, **error_responses(401, 422)},
    summary="List lockers, a page at a time",
)
async def read_lockers(
    request: Request,
    response: Response,
    services: ServicesDep,
    principal: PrincipalDep,
    after: Annotated[
        str,
        Query(
            max_length=64,
            pattern=r"^[A-Za-z0-9._-]*$",
            description="The page of lockers whose id sorts after this one; leave out for the first page.",
            examples=["DEMO-1"],
        ),
    ] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Lockers at most on this page.")] = PAGE_SIZE,
) -> Any:
    """The lockers by id, each with its compartments (a terminal sees only its own). The `Link` header leads to
    the next page (`rel="next"`); the last page has none."""
    page = await services.read(list_lockers, ListLockers(principal, after, limit))
    if page.next_after is not None:
        query = urlencode({"after": page.next_after, "limit": limit})
        response.headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return [_public(locker) for locker in page.lockers]


@router.get(
    "/{locker_id}", response_model=LockerPublic, responses=error_responses(401, 404), summary="Look at one locker"
)
async def read_locker(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    """The locker with each compartment's size, state, door, board and channel."""
    return _public(await services.read(get_locker, GetLocker(principal, locker_id)))


def _public(locker: Locker) -> dict[str, Any]:
    return LockerPublic.from_domain(locker).model_dump(mode="json")
