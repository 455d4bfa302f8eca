"""What schemathesis needs to reach past a 401: a credential for each role, and real objects for path parameters.

`SchemaSample.build(site)` sets up, over the API of a running server, a second locker, an announced and a stored
parcel, a terminal command and a rental account; `credentials` holds a working credential of each role, and
`path_values` the ids of real objects by path parameter name, so that a fuzzed request can hit one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx

from e2e.conftest import Site

ROLES = ("operator", "carrier", "courier", "terminal", "company", "anonymous")

# The role a summary names in brackets first, e.g. "Announce a shipment (carrier)"; "company" is a rental account.
_SUMMARY_ROLE = re.compile(r"\((operator|carrier|courier|terminal|company)\b")


def role_of(summary: str | None) -> str:
    """The role an operation is meant for, by its summary; an operator where it names none (operators may do most)."""
    found = _SUMMARY_ROLE.search(summary or "")
    return found.group(1) if found else "operator"


@dataclass(slots=True)
class SchemaSample:
    credentials: dict[str, str] = field(default_factory=dict)
    path_values: dict[str, list[str | int]] = field(default_factory=dict)

    def headers_of(self, role: str) -> dict[str, str]:
        credential = self.credentials.get(role)
        return {"Authorization": f"Bearer {credential}"} if credential else {}

    @classmethod
    def build(cls, site: Site) -> SchemaSample:
        seeded = site.server.seeded
        operator = site.operator()
        locker = site.new_locker("S:3,M:2,L:1")
        announced = site.announce(locker.id)
        stored, number = site.store(locker)
        command = operator.post(f"/lockers/{locker.id}/commands", json={"kind": "open_compartment", "compartment": 1})
        assert command.status_code == 201, command.text
        account = operator.post("/rental-accounts", json={"name": "Hotel Fuzz", "locker_ids": [locker.id]})
        assert account.status_code == 201, account.text
        sample = cls()
        sample.credentials = {
            "operator": _bearer_of(operator),
            "carrier": seeded.carrier_key,
            "courier": _bearer_of(site.courier()),
            "terminal": _bearer_of(locker.terminal),
            "company": account.json()["api_key"],
        }
        sample.path_values = {
            "locker_id": [locker.id, seeded.lockers[0].id],
            "shipment_id": [announced["id"], stored["id"]],
            "carrier_id": [seeded.carrier_id],
            "command_id": [command.json()["id"]],
            "account_id": [account.json()["id"]],
            "number": [number, 1, 2],
        }
        return sample


def _bearer_of(client: httpx.Client) -> str:
    return client.headers["Authorization"].removeprefix("Bearer ")
