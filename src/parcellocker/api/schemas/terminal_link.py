"""The HTTP link between a locker's terminal and the server: greeting, code sheet, events and commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from parcellocker.domain.compartment import DoorState
from parcellocker.service.terminal_commands import CommandKind, CommandOutcome
from parcellocker.service.terminal_sync import (
    CodeSheet,
    LinkGreeting,
    TerminalAlarm,
    TerminalCommand,
    TerminalEventKind,
)


class LinkGreetingPublic(BaseModel):
    locker_id: str
    last_seq: int | None = Field(description="The highest event seq applied for this terminal (null: none yet).")
    qr_public_key: str = Field(description="Raw Ed25519 public key checking QR tokens, base64url.")
    server_time: datetime

    @classmethod
    def from_domain(cls, greeting: LinkGreeting) -> LinkGreetingPublic:
        return cls(
            locker_id=greeting.locker_id,
            last_seq=greeting.last_seq,
            qr_public_key=greeting.qr_public_key,
            server_time=greeting.server_time,
        )


class LiveCodePublic(BaseModel):
    compartment: int
    code_hash: str = Field(description="HMAC-SHA256(locker key, code), hex.")
    deadline: datetime | None
    shipment_id: str


class CodeSheetPublic(BaseModel):
    """Everything a terminal needs to check its own locker's pickup codes and QR tokens offline."""

    locker_id: str
    locker_key: str = Field(description="The locker's code key, base64url. Keep it secret.")
    qr_public_key: str = Field(description="Raw Ed25519 public key checking QR tokens, base64url.")
    codes: list[LiveCodePublic]
    generated_at: datetime
    version: str

    @classmethod
    def from_domain(cls, sheet: CodeSheet) -> CodeSheetPublic:
        return cls(
            locker_id=sheet.locker_id,
            locker_key=sheet.locker_key,
            qr_public_key=sheet.qr_public_key,
            codes=[
                LiveCodePublic(
                    compartment=code.compartment_number,
                    code_hash=code.code_hash,
                    deadline=code.deadline,
                    shipment_id=code.shipment_id,
                )
                for code in sheet.codes
            ],
            generated_at=sheet.generated_at,
            version=sheet.version,
        )


class TerminalEventCreate(BaseModel):
    """One event of the terminal's outbox; the fields used depend on `kind`."""

    seq: int = Field(ge=0, lt=2**62, description="Counted up by the terminal for each event; applied once.")
    kind: TerminalEventKind
    at: AwareDatetime = Field(description="When it happened, by the terminal's clock.")
    compartment: int | None = Field(default=None, ge=1, le=100_000)
    state: DoorState | None = Field(default=None, description="door: open or closed.")
    shipment_id: str | None = Field(default=None, max_length=64, description="pickup_offline: the parcel.")
    via: Literal["code", "qr"] | None = Field(default=None, description="pickup_offline: what was checked.")
    alarm: TerminalAlarm | None = Field(default=None, description="alarm: which one.")
    message: str | None = Field(default=None, max_length=500, description="alarm: what the terminal saw.")
    door_seq: int | None = Field(default=None, ge=0, description="forced_door: the seq of the door opening.")
    board: int | None = Field(default=None, ge=0, le=255, description="board_faulted/board_recovered: its address.")

    def body(self) -> dict[str, Any]:
        fields = ("compartment", "state", "shipment_id", "via", "alarm", "message", "door_seq", "board")
        return {name: value for name in fields if (value := getattr(self, name)) is not None}


class TerminalEventPublic(BaseModel):
    kind: TerminalEventKind
    seq: int
    outcome: str = Field(
        description="door: recorded | parcel_stored | parcel_dropped_off | parcel_picked_up | parcel_collected | "
        "forced_door; "
        "pickup_offline: pickup_opened | not_waiting_here; alarm: alarm_raised | already_alarmed."
    )
    replayed: bool = Field(description="True when this seq had been applied before: nothing changed now.")


class TerminalCommandCreate(BaseModel):
    kind: CommandKind
    compartment: int | None = Field(default=None, ge=1, le=100_000, description="open_compartment: which one.")
    settings: dict[str, float] | None = Field(
        default=None,
        description="set_config: some of poll_interval, left_open_after, opening_grace, code_sync_interval (seconds).",
        examples=[{"left_open_after": 90}],
    )
    expires_in_seconds: float | None = Field(
        default=None, gt=0, le=30 * 86400, description="Default: 120 s for open_compartment, never for the others."
    )

    def body(self) -> dict[str, Any]:
        if self.kind is CommandKind.OPEN_COMPARTMENT:
            return {"compartment": self.compartment}
        if self.kind is CommandKind.SET_CONFIG:
            return {"settings": self.settings}
        return {}


class CommandAcknowledgementCreate(BaseModel):
    outcome: CommandOutcome
    detail: str | None = Field(default=None, max_length=500)


class TerminalCommandPublic(BaseModel):
    id: int
    locker_id: str
    kind: str
    body: dict[str, Any]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    acknowledged_at: datetime | None
    outcome: str | None
    detail: str | None

    @classmethod
    def from_domain(cls, command: TerminalCommand) -> TerminalCommandPublic:
        return cls(
            id=command.id,
            locker_id=command.locker_id,
            kind=command.kind,
            body=command.body,
            created_at=command.created_at,
            created_by=command.created_by,
            expires_at=command.expires_at,
            acknowledged_at=command.acknowledged_at,
            outcome=command.outcome,
            detail=command.detail,
        )
