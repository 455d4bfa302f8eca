"""A locker of the test's own set up for rentals over the API by the operator, and a company's app with its key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from e2e.conftest import Locker, Site

PRICES = {
    "S": {"per_hour": 200, "per_day": 1500, "max_minutes": 7 * 24 * 60},
    "M": {"per_hour": 300, "per_day": 2000, "max_minutes": 3 * 24 * 60},
}


@dataclass
class RentalLocker:
    site: Site
    locker: Locker
    company: httpx.Client
    account_id: str

    @property
    def id(self) -> str:
        return self.locker.id

    @property
    def terminal(self) -> httpx.Client:
        return self.locker.terminal

    def book(
        self, size: str = "M", starts_in: timedelta = timedelta(0), lasts: timedelta = timedelta(hours=2), **fields: Any
    ) -> httpx.Response:
        starts = datetime.now(UTC) + starts_in
        body = {
            "locker_id": self.id,
            "size": size,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + lasts).isoformat(),
            "renter": {"name": "Guest in 12", "email": f"{uuid.uuid4().hex[:12]}@guest.example", "language": "en"},
            **fields,
        }
        return self.company.post("/rentals", json=body)

    def door(self, number: int, state: str) -> str:
        outcome: str = self.site.door(self.locker, number, state)["outcome"]
        return outcome

    def open(self, code: str) -> httpx.Response:
        return self.terminal.post(f"/lockers/{self.id}/rental-openings", json={"code": code})


def rental_locker(site: Site, *, walk_up_methods: tuple[str, ...] = ("prepaid", "hosted_checkout")) -> RentalLocker:
    """`S:2,M:2,L:1`: compartments 1 (S) and 3, 4 (M) rented, at PRICES, overstays charged; a hotel's account."""
    locker = site.new_locker()
    operator = site.operator()
    terms = {"currency": "EUR", "prices": PRICES, "walk_up_methods": list(walk_up_methods)}
    reply = operator.put(f"/lockers/{locker.id}/rental-terms", json=terms)
    assert reply.status_code == 200, reply.text
    reply = operator.post(f"/lockers/{locker.id}/compartment-use", json={"use": "rental", "numbers": [1, 3, 4]})
    assert reply.status_code == 200, reply.text
    reply = operator.post("/rental-accounts", json={"name": "Hotel Kaiser", "locker_ids": [locker.id]})
    assert reply.status_code == 201, reply.text
    account = reply.json()
    return RentalLocker(site, locker, site.client(account["api_key"]), account["id"])
