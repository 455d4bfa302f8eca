"""Renting at the terminal: the server decides, the terminal opens the door it names for the renter (its opening
expected, its events on disk before the answer), and the kiosk API passes on what the server said."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from terminal_fakes import LOCKER, NOW, FakeBoard, FakeLink, coordinator_on

from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.terminal.doors import DoorCoordinator, OpeningPurpose
from parcellocker.terminal.kiosk.api import create_kiosk_app
from parcellocker.terminal.kiosk.desk import Kiosk
from parcellocker.terminal.kiosk.errors import DoorDidNotOpen, RefusedByServer, ServerUnreachable
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.kiosk.rental_desk import RentalDesk, Renter
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import EventKind, LinkDown, LinkError, LinkRefused
from parcellocker.terminal.link.rental_port import (
    OfferedDuration,
    OfferedSize,
    PendingPayment,
    RentalDoor,
    RentalLink,
    RentalOffer,
    WalkUpRental,
)
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore

CHECKOUT = PendingPayment("pay-1", 600, "EUR", "https://pay.example/checkout?payment_id=pay-1&signature=abc")


@dataclass
class FakeRentalLink(RentalLink):
    """Answers what a test put in `answers` (by call), or raises it; `asked` records each call."""

    answers: dict[str, object] = field(default_factory=dict)
    asked: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def _answer(self, call: str, *args: object) -> object:
        self.asked.append((call, args))
        answer = self.answers[call]
        if isinstance(answer, LinkError):
            raise answer
        return answer

    async def rental_offer(self) -> RentalOffer:
        answer = self._answer("offer")
        assert isinstance(answer, RentalOffer)
        return answer

    async def rent(
        self,
        size: str,
        duration_minutes: int,
        payment_method: str,
        *,
        voucher_code: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        language: str = "en",
    ) -> WalkUpRental:
        answer = self._answer("rent", size, duration_minutes, payment_method, voucher_code, email, phone, language)
        assert isinstance(answer, WalkUpRental)
        return answer

    async def complete_walk_up(self, rental_id: str) -> WalkUpRental:
        answer = self._answer("complete", rental_id)
        assert isinstance(answer, WalkUpRental)
        return answer

    async def open_rental(self, code: str) -> RentalDoor:
        answer = self._answer("open", code)
        assert isinstance(answer, RentalDoor)
        return answer

    async def open_rental_last(
        self, code: str, payment_method: str | None = None, voucher_code: str | None = None
    ) -> RentalDoor:
        answer = self._answer("last", code, payment_method, voucher_code)
        assert isinstance(answer, RentalDoor)
        return answer


@dataclass
class Rig:
    desk: RentalDesk
    link: FakeRentalLink
    board: FakeBoard
    coordinator: DoorCoordinator
    reporter: DoorReporter
    health: LinkHealth
    store: TerminalStore


@pytest.fixture
async def rig(store: TerminalStore) -> AsyncIterator[Rig]:
    link, board, health = FakeRentalLink(), FakeBoard(), LinkHealth()
    coordinator = coordinator_on(board)
    await coordinator.reconcile()
    reporter = DoorReporter(store, coordinator)
    desk = RentalDesk(LOCKER, link, coordinator, reporter, health)
    yield Rig(desk, link, board, coordinator, reporter, health, store)


def paid(number: int = 3, code: str | None = "12345678", payment: PendingPayment | None = None) -> WalkUpRental:
    return WalkUpRental("rent-1", number, NOW + timedelta(hours=2), 600, "EUR", code, payment)


async def test_a_paid_walk_up_rental_opens_its_compartment_for_the_renter(rig: Rig) -> None:
    rig.link.answers["rent"] = paid()
    rented = await rig.desk.rent("M", 120, "prepaid", "1234-5678-9012", Renter(phone="+48600100200", language="pl"))
    assert rented.code == "12345678"
    assert rig.link.asked == [("rent", ("M", 120, "prepaid", "1234-5678-9012", None, "+48600100200", "pl"))]
    assert rig.board.unlocks == [3]
    assert rig.coordinator.snapshot.door(3).opened_for is OpeningPurpose.RENTAL
    doors = [(e.body["compartment"], e.body["state"]) for e in rig.store.outbox.pending() if e.kind is EventKind.DOOR]
    assert doors == [(3, "open")]  # on disk before the answer


async def test_paying_at_the_providers_page_opens_nothing_until_the_server_says_it_was_paid(rig: Rig) -> None:
    rig.link.answers["rent"] = paid(code=None, payment=CHECKOUT)
    rented = await rig.desk.rent("M", 120, "hosted_checkout", None, Renter())
    assert rented.payment == CHECKOUT and rig.board.unlocks == []
    rig.link.answers["complete"] = LinkRefused(
        409, "payment_pending", "not yet", {"checkout_url": CHECKOUT.checkout_url}
    )
    with pytest.raises(RefusedByServer) as pending:
        await rig.desk.complete("rent-1")
    assert (pending.value.code, pending.value.details["checkout_url"]) == ("payment_pending", CHECKOUT.checkout_url)
    rig.link.answers["complete"] = paid()
    assert (await rig.desk.complete("rent-1")).code == "12345678"
    assert rig.board.unlocks == [3]


async def test_the_renters_code_opens_again_and_a_last_time_or_the_server_says_why_not(rig: Rig) -> None:
    rig.link.answers["open"] = RentalDoor("rent-1", 3, NOW, False, None)
    await rig.desk.open("12345678")
    rig.board.closed[3] = True
    rig.link.answers["last"] = RentalDoor("rent-1", None, NOW, True, CHECKOUT)  # the overdue time waits at the page
    waiting = await rig.desk.finish("12345678", "hosted_checkout", None)
    assert waiting.compartment is None and rig.board.unlocks == [3]
    details = {"amount": 400, "currency": "EUR", "overdue_minutes": 90}
    rig.link.answers["open"] = LinkRefused(409, "payment_required", "pay first", details)
    with pytest.raises(RefusedByServer) as refused:
        await rig.desk.open("12345678")
    assert (refused.value.status, refused.value.details) == (409, details)


async def test_renting_needs_the_server_and_a_door_that_opens(rig: Rig) -> None:
    rig.link.answers["offer"] = LinkDown("no route")
    with pytest.raises(ServerUnreachable, match="renting must wait"):
        await rig.desk.offer()
    assert rig.health.up is False
    rig.board.jammed.add(3)
    rig.link.answers["open"] = RentalDoor("rent-1", 3, NOW, False, None)
    with pytest.raises(DoorDidNotOpen) as stuck:
        await rig.desk.open("12345678")
    assert stuck.value.details == {"compartment": 3}


async def test_the_kiosk_api_passes_the_servers_word_on_and_draws_the_payment_page_as_a_qr_code(rig: Rig) -> None:
    offline = OfflinePickupDesk(rig.store, LOCKER, LockoutPolicy())
    kiosk = Kiosk(LOCKER, rig.store, rig.coordinator, rig.reporter, FakeLink(), rig.health, offline, rentals=rig.desk)
    app = create_kiosk_app(kiosk)
    rig.link.answers["offer"] = RentalOffer(
        "EUR", ["prepaid"], "charge", [OfferedSize("S", 2, 80, 380, 640, [OfferedDuration(60, 200)])]
    )
    rig.link.answers["rent"] = paid(code=None, payment=CHECKOUT)
    rig.link.answers["open"] = LinkRefused(404, "rental_code_not_found", "not found", {"remaining_tries": 3})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kiosk") as kiosk:
        offer = (await kiosk.get("/rental/offer")).json()
        rented = await kiosk.post("/rental", json={"size": "M", "duration_minutes": 120, "payment_method": "x"})
        wrong = await kiosk.post("/rental/open", json={"code": "00000000"})
        bad = await kiosk.post("/rental/open", json={})
    assert offer["sizes"][0]["durations"] == [{"minutes": 60, "price": 200}]
    assert rented.json()["checkout_url"] == CHECKOUT.checkout_url
    assert rented.json()["checkout_qr"].startswith("<svg") and rented.json()["code"] is None
    assert (wrong.status_code, wrong.json()["error"]["remaining_tries"]) == (404, 3)
    assert bad.status_code == 422
