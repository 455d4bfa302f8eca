"""Carriers, couriers, and signing in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcellocker.domain.accounts import Courier, Role
from parcellocker.service.accounts import CarrierAdded, SignedIn

ACCOUNT_ID = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"


class CourierSessionCreate(BaseModel):
    courier_id: str = Field(min_length=1, max_length=64, examples=["courier-1"])
    pin: str = Field(min_length=1, max_length=64, description="The courier's PIN.", examples=["2468"])


class OperatorSessionCreate(BaseModel):
    operator_id: str = Field(min_length=1, max_length=64, examples=["ops"])
    password: str = Field(min_length=1, max_length=256)


class SessionPublic(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the token stays valid.", examples=[43200])
    role: Role
    account_id: str
    carrier_id: str | None

    @classmethod
    def from_domain(cls, signed_in: SignedIn) -> SessionPublic:
        principal = signed_in.principal
        return cls(
            token=signed_in.token,
            expires_in=signed_in.expires_in,
            role=principal.role,
            account_id=principal.id,
            carrier_id=principal.carrier_id,
        )


class CarrierCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Demo Express"])
    carrier_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=ACCOUNT_ID, examples=["demo-express"]
    )


class CarrierCreated(BaseModel):
    id: str
    name: str
    api_key: str | None = Field(
        description="The carrier's API key. Shown only in the first reply and kept only as a hash; "
        "a replayed request (same Idempotency-Key) answers null here."
    )

    @classmethod
    def from_domain(cls, added: CarrierAdded, *, with_key: bool) -> CarrierCreated:
        return cls(id=added.carrier.id, name=added.carrier.name, api_key=added.api_key if with_key else None)


class CourierCreate(BaseModel):
    courier_id: str = Field(min_length=1, max_length=64, pattern=ACCOUNT_ID, examples=["courier-7"])
    carrier_id: str = Field(min_length=1, max_length=64, examples=["demo-express"])
    name: str = Field(default="", max_length=200, examples=["Ada Courier"])
    pin: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$", description="4 to 12 digits.")


class CourierPublic(BaseModel):
    id: str
    carrier_id: str
    name: str
    active: bool

    @classmethod
    def from_domain(cls, courier: Courier) -> CourierPublic:
        return cls(id=courier.id, carrier_id=courier.carrier_id, name=courier.name, active=courier.active)
