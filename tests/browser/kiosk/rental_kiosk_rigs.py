"""What the kiosk's rental tests share: the operator setting the test's locker up for rentals over the API, a
company's account, prepaid vouchers, reading a rental back, and time passing for a rental."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk_rigs import ready
from terminal_rigs import TerminalRig

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork

PRICES = {
    "S": {"per_hour": 200, "per_day": 1500, "max_minutes": 7 * 24 * 60},
    "M": {"per_hour": 300, "per_day": 2000, "max_minutes": 3 * 24 * 60},
}
RENTED = [1, 2, 11, 12]
"""Compartments kept for rentals: 1, 2 (S) and 11, 12 (M) of the rigs' S:10,M:6,L:2."""


async def set_up_rentals(rig: TerminalRig, overdue: str) -> None:
    async with rig.lms.api(rig.lms.operator_token) as operator:
        terms = {"currency": "EUR", "prices": PRICES, "overdue": overdue, "walk_up_methods": ["prepaid"]}
        reply = await operator.put(f"/lockers/{rig.locker_id}/rental-terms", json=terms)
        assert reply.status_code == 200, reply.text
        reply = await operator.post(
            f"/lockers/{rig.locker_id}/compartment-use", json={"use": "rental", "numbers": RENTED}
        )
        assert reply.status_code == 200, reply.text


async def voucher(rig: TerminalRig, value: int) -> str:
    """A prepaid voucher's code (12 digits)."""
    async with rig.lms.api(rig.lms.operator_token) as operator:
        reply = await operator.post("/rental-vouchers", json={"value": value, "currency": "EUR"})
    assert reply.status_code == 201, reply.text
    code: str = reply.json()[0]["code"].replace("-", "")
    return code


async def company(rig: TerminalRig) -> str:
    """A hotel's account renting at the test's locker: its app's API key."""
    async with rig.lms.api(rig.lms.operator_token) as operator:
        reply = await operator.post("/rental-accounts", json={"name": "Hotel Kaiser", "locker_ids": [rig.locker_id]})
    assert reply.status_code == 201, reply.text
    key: str = reply.json()["api_key"]
    return key


async def rental(rig: TerminalRig, rental_id: str) -> dict[str, Any]:
    async with rig.lms.api(rig.lms.operator_token) as operator:
        reply = await operator.get(f"/rentals/{rental_id}")
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


async def rental_in(rig: TerminalRig, number: int) -> dict[str, Any]:
    """The newest rental of the test's locker in compartment `number`."""
    async with rig.lms.api(rig.lms.operator_token) as operator:
        reply = await operator.get("/rentals", params={"locker_id": rig.locker_id})
    found: dict[str, Any] = next(r for r in reply.json() if r["compartment"] == number)
    return found


async def time_passes(rig: TerminalRig, rental_id: str, past_its_end: timedelta) -> None:
    """As if the rental's window had passed: it is moved back so that it ended `past_its_end` ago (the server's
    clock cannot be moved; the rental's times can)."""
    engine = make_engine(f"sqlite+aiosqlite:///{rig.lms.database}")
    try:
        async with SqlUnitOfWork(engine) as uow:
            found = await uow.rentals.get(rental_id)
            assert found is not None
            shift = found.ends_at - datetime.now(UTC) + past_its_end
            found.starts_at -= shift
            found.ends_at -= shift
            await uow.rentals.save(found)
            await uow.commit()
    finally:
        await engine.dispose()


async def type_on_keypad(page: Any, digits: str) -> None:
    for digit in digits:
        await page.get_by_test_id(f"key-{digit}").click()


async def open_rent_screen(page: Any, url: str) -> None:
    await page.goto(url)
    await ready(page, "home")
    await page.get_by_test_id("home-rent").click()
    await ready(page, "rent")
