"""`GET /api/v1/lockers` a page at a time over HTTP: `?limit=` and `?after=`, the body still a list of lockers, the
next page in a `Link: <...>; rel="next"` header, and each role seeing what it saw before."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from .conftest import Site


def ids(lockers: list[dict[str, Any]]) -> list[str]:
    return [locker["id"] for locker in lockers]


def own_lockers(site: Site, count: int) -> tuple[str, list[str]]:
    """`count` lockers under a prefix of this test's own: (prefix, their ids)."""
    prefix = f"PG{uuid.uuid4().hex[:8].upper()}"
    made = [site.new_locker("S:1,M:1", f"{prefix}-{number}").id for number in range(1, count + 1)]
    return prefix, made


def test_the_pages_follow_each_other_in_id_order_and_the_last_has_no_link(site: Site) -> None:
    own_lockers(site, 5)
    operator = site.operator()
    pages = site.every_locker(operator, limit=2)
    whole = operator.get("/lockers", params={"limit": 500})
    assert whole.status_code == 200 and "link" not in whole.headers, whole.headers
    assert [locker for page in pages for locker in page] == whole.json()  # the same lockers, in the same order
    assert len(ids(whole.json())) == len(set(ids(whole.json()))) >= 6  # ours and the seeded one
    assert all(len(page) == 2 for page in pages[:-1]) and 1 <= len(pages[-1]) <= 2
    assert all(locker["compartments"] for locker in whole.json())


def test_the_link_names_the_next_page_after_the_last_locker_shown(site: Site) -> None:
    prefix, made = own_lockers(site, 3)
    operator = site.operator()
    first = operator.get("/lockers", params={"after": f"{prefix}-", "limit": 2})
    assert first.status_code == 200, first.text
    assert ids(first.json()) == made[:2]
    assert first.headers["link"] == f'</api/v1/lockers?after={made[1]}&limit=2>; rel="next"'
    second = operator.get(first.links["next"]["url"].removeprefix("/api/v1"))
    assert ids(second.json())[0] == made[2]
    assert [len(locker["compartments"]) for locker in first.json()] == [2, 2]


def test_after_an_id_no_locker_has_the_page_starts_at_the_next_locker(site: Site) -> None:
    prefix, made = own_lockers(site, 2)  # -1 and -2; none is -15
    operator = site.operator()
    between = operator.get("/lockers", params={"after": f"{prefix}-15", "limit": 1})
    assert between.status_code == 200, between.text
    assert ids(between.json()) == [made[1]]
    beyond = operator.get("/lockers", params={"after": "zzzz-no-locker-sorts-after-this"})
    assert (beyond.status_code, beyond.json(), "link" in beyond.headers) == (200, [], False)


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"limit": 0}, "limit", "greater than or equal to 1"),
        ({"limit": -3}, "limit", "greater than or equal to 1"),
        ({"limit": 501}, "limit", "less than or equal to 500"),
        ({"limit": "ten"}, "limit", "valid integer"),
        ({"after": "a locker?"}, "after", "match pattern"),
        ({"after": "L" * 65}, "after", "at most 64 characters"),
    ],
)
def test_a_bad_limit_or_after_is_a_422_saying_what_is_wrong(
    site: Site, params: dict[str, Any], field: str, says: str
) -> None:
    reply = site.operator().get("/lockers", params=params)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "invalid_input"
    assert [problem["field"] for problem in error["fields"]] == [f"query parameter {field}"]
    assert error["message"].startswith(f"query parameter {field}: ") and says in error["message"], error["message"]


def test_the_bounds_of_limit_are_allowed(site: Site) -> None:
    operator = site.operator()
    one, most = operator.get("/lockers", params={"limit": 1}), operator.get("/lockers", params={"limit": 500})
    assert (one.status_code, most.status_code) == (200, 200)
    assert len(one.json()) == 1 and ids(one.json()) == ids(most.json())[:1]
    assert one.links["next"]["url"] == f"/api/v1/lockers?after={ids(one.json())[0]}&limit=1"


def test_a_terminal_pages_through_its_own_locker_only(site: Site) -> None:
    prefix, made = own_lockers(site, 2)
    mine = site.new_locker("S:1", f"{prefix}-0")
    reply = mine.terminal.get("/lockers", params={"limit": 1})
    assert (ids(reply.json()), "link" in reply.headers) == ([mine.id], False)
    assert mine.terminal.get("/lockers", params={"after": mine.id}).json() == []
    assert ids(site.operator().get("/lockers", params={"after": f"{prefix}-", "limit": 3}).json()) == [
        mine.id,
        *made,
    ]


@pytest.mark.parametrize("party", ["carrier", "courier"])
def test_carriers_and_couriers_page_through_every_locker_as_operators_do(site: Site, party: str) -> None:
    own_lockers(site, 3)
    clients: dict[str, httpx.Client] = {"carrier": site.carrier(), "courier": site.courier()}
    seen = [locker for page in site.every_locker(clients[party], limit=2) for locker in page]
    everything = [locker for page in site.every_locker(site.operator(), limit=500) for locker in page]
    assert ids(seen) == ids(everything)


def test_without_a_credential_no_page_is_shown(site: Site) -> None:
    reply = site.anonymous.get("/lockers", params={"limit": 1})
    assert reply.status_code == 401 and "link" not in reply.headers
