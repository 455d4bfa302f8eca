"""The shape of every error reply, for the OpenAPI description."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="A stable machine-readable name, e.g. `locker_full`.", examples=["locker_full"])
    message: str = Field(
        description="What went wrong, for a person.",
        examples=["this locker has no free compartment the parcel fits in (tried sizes M, L, XL)"],
    )


class ErrorPublic(BaseModel):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: which error statuses it may answer, all in the shape of ErrorPublic."""
    descriptions = {
        400: "The body is not valid JSON.",
        401: "No credential, or an unknown, revoked or expired one.",
        403: "The credential may not do this.",
        404: "Not found (or not visible to this credential).",
        409: "The request conflicts with the current state.",
        422: "The request is not valid; `fields` names what is wrong.",
        429: "Too many wrong tries; wait `Retry-After` seconds.",
    }
    return {status: {"model": ErrorPublic, "description": descriptions[status]} for status in statuses}
