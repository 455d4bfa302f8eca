"""What a terminal asks the server over MQTT and needs an answer to: each `op` runs the same use case as its HTTP
route and answers the same JSON body, or the same error (`status`, `code`, `message` and the error's details).

The terminal acting is the terminal of the locker the topic names: the broker is trusted to let a terminal publish
on its own locker's topics only. A courier's deposit or collection is still authenticated by the courier's own token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from parcellocker.api.authentication import Authenticator
from parcellocker.api.errors import status_of
from parcellocker.api.schemas.accounts import CourierSessionCreate, SessionPublic
from parcellocker.api.schemas.doors import (
    CollectionCreate,
    CompartmentReopenedPublic,
    CompartmentToOpen,
    DepositCreate,
    DepositProblemCreate,
    LockerDropoffCreate,
    LockerDropoffProblemCreate,
    PickupCreate,
    PickupReopenCreate,
)
from parcellocker.api.schemas.parcels_to_collect import ParcelToCollectPublic
from parcellocker.api.schemas.terminal_link import (
    CodeSheetPublic,
    CommandAcknowledgementCreate,
    LinkGreetingPublic,
    TerminalCommandPublic,
    TerminalEventCreate,
    TerminalEventPublic,
)
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import DomainError, LockedOut
from parcellocker.service.accounts import SignedIn, SignIn, sign_in
from parcellocker.service.collecting import CollectParcel, collect_parcel
from parcellocker.service.context import Services
from parcellocker.service.deposits import (
    CompartmentOpened,
    DepositParcel,
    ReportDepositProblem,
    deposit_parcel,
    report_deposit_problem,
)
from parcellocker.service.dropoffs import DropOffParcel, ReportDropoffProblem, drop_off_parcel, report_dropoff_problem
from parcellocker.service.parcels_to_collect import ListParcelsToCollect, list_parcels_to_collect
from parcellocker.service.pickups import (
    PickUpParcel,
    ReopenAfterPickup,
    WrongPickupCode,
    pick_up_parcel,
    reopen_after_pickup,
)
from parcellocker.service.terminal_commands import (
    AcknowledgeCommand,
    ReadPendingCommands,
    acknowledge_command,
    read_pending_commands,
)
from parcellocker.service.terminal_sync import (
    ApplyTerminalEvent,
    GreetTerminal,
    ReadCodeSheet,
    apply_terminal_event,
    greet_terminal,
    read_code_sheet,
)

log = logging.getLogger(__name__)

Body = dict[str, Any]


class Refused(Exception):
    """The request cannot be answered; `error` is what the terminal is told, as the HTTP API would say it."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.error: Body = {"status": status, "code": code, "message": message, **details}


def terminal_of(locker_id: str) -> Principal:
    """The principal a locker's terminal has over HTTP, for what arrives on the locker's own topics."""
    return Principal(Role.TERMINAL, f"terminal-{locker_id}", locker_id=locker_id)


def refusal(error: DomainError) -> Refused:
    details: Body = {}
    if isinstance(error, WrongPickupCode):
        details["remaining_tries"] = error.remaining_tries
    if isinstance(error, LockedOut):
        details["retry_after_seconds"] = error.retry_after_seconds
    return Refused(status_of(error), error.code, error.message, **details)


class CommandsAfter(BaseModel):
    after: int = Field(default=0, ge=0)


class CommandAck(CommandAcknowledgementCreate):
    command_id: int = Field(ge=1)


class CourierDeposit(DepositCreate):
    courier_token: str = Field(min_length=1, max_length=1024)


class CourierDepositProblem(DepositProblemCreate):
    courier_token: str = Field(min_length=1, max_length=1024)


class CourierOnly(BaseModel):
    courier_token: str = Field(min_length=1, max_length=1024)


class CourierCollection(CollectionCreate):
    courier_token: str = Field(min_length=1, max_length=1024)


class TerminalRequests:
    """Answers the requests and applies the events of lockers' terminals."""

    def __init__(self, services: Services, authenticator: Authenticator) -> None:
        self._services = services
        self._authenticator = authenticator
        self._ops: dict[str, Callable[[str, Body], Awaitable[Any]]] = {
            "hello": self._hello,
            "code_sheet": self._code_sheet,
            "commands": self._commands,
            "command_ack": self._command_ack,
            "pickup": self._pickup,
            "courier_sign_in": self._courier_sign_in,
            "deposit": self._deposit,
            "deposit_problem": self._deposit_problem,
            "pickup_reopen": self._pickup_reopen,
            "collections": self._collections,
            "collect": self._collect,
            "dropoff": self._dropoff,
            "dropoff_problem": self._dropoff_problem,
        }

    async def answer(self, locker_id: str, op: str, body: Body) -> Any:
        """The JSON answer to `op`; raises Refused."""
        handler = self._ops.get(op)
        if handler is None:
            raise Refused(400, "unknown_request", f"the server does not know the request {op!r}")
        try:
            return await handler(locker_id, body)
        except DomainError as error:
            raise refusal(error) from None
        except ValidationError as error:
            fields = ", ".join(".".join(str(part) for part in problem["loc"]) for problem in error.errors())
            raise Refused(422, "invalid_input", f"check {fields or 'the request'}") from None

    async def apply_event(self, locker_id: str, event: Body) -> Body:
        """The receipt of one event of the terminal's outbox (applied once by its seq); raises Refused."""
        try:
            event_in = TerminalEventCreate.model_validate(event)
            command = ApplyTerminalEvent(
                terminal_of(locker_id), locker_id, event_in.seq, event_in.kind, event_in.at, event_in.body()
            )
            return await self._services.run(apply_terminal_event, command, _event_public)  # type: ignore[no-any-return]
        except DomainError as error:
            raise refusal(error) from None
        except ValidationError as error:
            fields = ", ".join(".".join(str(part) for part in problem["loc"]) for problem in error.errors())
            raise Refused(422, "invalid_input", f"check {fields or 'the event'}") from None

    async def pending_commands(self, locker_id: str) -> list[Body]:
        return await self._commands(locker_id, {})

    async def _hello(self, locker_id: str, body: Body) -> Body:
        greeting = await self._services.read(greet_terminal, GreetTerminal(terminal_of(locker_id), locker_id))
        return LinkGreetingPublic.from_domain(greeting).model_dump(mode="json")

    async def _code_sheet(self, locker_id: str, body: Body) -> Body:
        sheet = await self._services.read(read_code_sheet, ReadCodeSheet(terminal_of(locker_id), locker_id))
        return CodeSheetPublic.from_domain(sheet).model_dump(mode="json")

    async def _commands(self, locker_id: str, body: Body) -> list[Body]:
        after = CommandsAfter.model_validate(body).after
        query = ReadPendingCommands(terminal_of(locker_id), locker_id, after)
        commands = await self._services.read(read_pending_commands, query)
        return [TerminalCommandPublic.from_domain(command).model_dump(mode="json") for command in commands]

    async def _command_ack(self, locker_id: str, body: Body) -> Any:
        ack = CommandAck.model_validate(body)
        command = AcknowledgeCommand(terminal_of(locker_id), locker_id, ack.command_id, ack.outcome, ack.detail)
        return await self._services.run(
            acknowledge_command, command, lambda done: TerminalCommandPublic.from_domain(done).model_dump(mode="json")
        )

    async def _pickup(self, locker_id: str, body: Body) -> Any:
        pickup = PickupCreate.model_validate(body)
        command = PickUpParcel(terminal_of(locker_id), locker_id, code=pickup.code, qr_token=pickup.qr_token)
        return await self._services.run(pick_up_parcel, command, _to_open)

    async def _courier_sign_in(self, locker_id: str, body: Body) -> Any:
        sign_in_in = CourierSessionCreate.model_validate(body)
        command = SignIn(Role.COURIER, sign_in_in.courier_id, sign_in_in.pin)
        return await self._services.run(sign_in, command, _session_public)

    async def _deposit(self, locker_id: str, body: Body) -> Any:
        deposit = CourierDeposit.model_validate(body)
        courier = await self._authenticator.principal(deposit.courier_token)
        return await self._services.run(
            deposit_parcel, DepositParcel(courier, locker_id, deposit.tracking_number, deposit.reachable), _to_open
        )

    async def _deposit_problem(self, locker_id: str, body: Body) -> Any:
        problem = CourierDepositProblem.model_validate(body)
        courier = await self._authenticator.principal(problem.courier_token)
        command = ReportDepositProblem(courier, locker_id, problem.tracking_number, problem.problem)
        return await self._services.run(report_deposit_problem, command, _to_open)

    async def _pickup_reopen(self, locker_id: str, body: Body) -> Any:
        reopen = PickupReopenCreate.model_validate(body)
        command = ReopenAfterPickup(terminal_of(locker_id), locker_id, reopen.shipment_id, reopen.compartment)

        def render(compartment: Compartment) -> Body:
            reopened = CompartmentReopenedPublic(compartment=compartment.number, shipment_id=reopen.shipment_id)
            return reopened.model_dump(mode="json")

        return await self._services.run(reopen_after_pickup, command, render)

    async def _collections(self, locker_id: str, body: Body) -> Any:
        courier = await self._authenticator.principal(CourierOnly.model_validate(body).courier_token)
        parcels = await self._services.read(list_parcels_to_collect, ListParcelsToCollect(courier, locker_id))
        return [ParcelToCollectPublic.from_domain(parcel).model_dump(mode="json") for parcel in parcels]

    async def _collect(self, locker_id: str, body: Body) -> Any:
        collection = CourierCollection.model_validate(body)
        courier = await self._authenticator.principal(collection.courier_token)
        command = CollectParcel(courier, locker_id, collection.tracking_number)
        return await self._services.run(collect_parcel, command, _to_open)

    async def _dropoff(self, locker_id: str, body: Body) -> Any:
        dropoff = LockerDropoffCreate.model_validate(body)
        command = DropOffParcel(terminal_of(locker_id), locker_id, dropoff.code, dropoff.reachable)
        return await self._services.run(drop_off_parcel, command, _to_open)

    async def _dropoff_problem(self, locker_id: str, body: Body) -> Any:
        problem = LockerDropoffProblemCreate.model_validate(body)
        command = ReportDropoffProblem(terminal_of(locker_id), locker_id, problem.code, problem.problem)
        return await self._services.run(report_dropoff_problem, command, _to_open)


def _event_public(applied: Body) -> Body:
    return TerminalEventPublic.model_validate(applied).model_dump(mode="json")


def _to_open(opened: CompartmentOpened) -> Body:
    return CompartmentToOpen.from_domain(opened).model_dump(mode="json")


def _session_public(signed_in: SignedIn) -> Body:
    return SessionPublic.from_domain(signed_in).model_dump(mode="json")
