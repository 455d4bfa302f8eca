"""Two `parcellocker serve` processes behind an HTTP balancer (a small round-robin reverse proxy, round_robin_proxy.py)
as a deployment would run them: a retried request with its Idempotency-Key, sent several times at once, lands on
both processes and is done once (one shipment, one compartment); the processes believe X-Forwarded-Proto from the
balancer they are told to trust (PARCELLOCKER_FORWARDED_ALLOW_IPS) and from no one else."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from round_robin_proxy import RoundRobinProxy
from scaleout_rigs import COURIER_PIN, Database, ServeProcesses, StartFleet
from sqlalchemy import select

from parcellocker.adapters.db.tables import shipments
from parcellocker.sample_site import SampleSite

pytestmark = pytest.mark.postgres

BALANCER = "127.0.0.2"
"""The proxy's own address on loopback, which the servers trust; the test itself talks from 127.0.0.1."""
AT_ONCE = 4


@pytest.fixture
async def behind_proxy(start_fleet: StartFleet) -> AsyncIterator[tuple[ServeProcesses, SampleSite, RoundRobinProxy]]:
    servers, site = await start_fleet(lockers=1, layout="S:4", env={"PARCELLOCKER_FORWARDED_ALLOW_IPS": BALANCER})
    async with RoundRobinProxy(servers.base_urls, source=BALANCER, proto="https") as proxy:
        yield servers, site, proxy


async def test_behind_a_balancer_a_request_retried_at_once_is_done_once_and_only_the_balancer_is_believed(
    behind_proxy: tuple[ServeProcesses, SampleSite, RoundRobinProxy],
) -> None:
    servers, site, proxy = behind_proxy
    locker_id = site.lockers[0].id
    headers = {"Authorization": f"Bearer {site.carrier_key}"}
    async with httpx.AsyncClient(base_url=proxy.url + "/api/v1", headers=headers, timeout=30) as carrier:
        tracking_number = f"PX{uuid.uuid4().hex[:10].upper()}"
        body = {"tracking_number": tracking_number, "locker_id": locker_id, "size": "S",
                "recipient": {"email": f"{uuid.uuid4().hex[:12]}@proxy.example"}}  # fmt: skip
        key = {"Idempotency-Key": uuid.uuid4().hex}
        announced = await asyncio.gather(*(carrier.post("/shipments", json=body, headers=key) for _ in range(AT_ONCE)))
        assert [reply.status_code for reply in announced] == [201] * AT_ONCE, [reply.text for reply in announced]
        assert len({reply.json()["id"] for reply in announced}) == 1
        reused = await carrier.post("/shipments", json={**body, "size": "M"}, headers=key)
        assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused", reused.text

        signed_in = await carrier.post("/sessions/courier", json={"courier_id": site.courier_id, "pin": COURIER_PIN})
        assert signed_in.status_code == 200, signed_in.text
        courier = {"Authorization": f"Bearer {signed_in.json()['token']}", "Idempotency-Key": uuid.uuid4().hex}
        deposit = {"tracking_number": tracking_number}
        deposited = await asyncio.gather(
            *(carrier.post(f"/lockers/{locker_id}/deposits", json=deposit, headers=courier) for _ in range(AT_ONCE))
        )
        assert [reply.status_code for reply in deposited] == [200] * AT_ONCE, [reply.text for reply in deposited]
        assert len({reply.json()["compartment"]["number"] for reply in deposited}) == 1

    assert set(proxy.served) == set(servers.base_urls), proxy.served
    database = Database(servers.env["PARCELLOCKER_DATABASE_URL"])
    try:
        kept = await database.rows(select(shipments.c.id).where(shipments.c.tracking_number == tracking_number))
    finally:
        await database.close()
    assert len(kept) == 1
    async with httpx.AsyncClient(base_url=proxy.url + "/api/v1", timeout=30) as anonymous:
        operator = await anonymous.post("/sessions/operator", json={"operator_id": site.operator_id,
                                                                   "password": site.operator_password})  # fmt: skip
        assert operator.status_code == 200, operator.text
        found = await anonymous.get(
            f"/lockers/{locker_id}", headers={"Authorization": f"Bearer {operator.json()['token']}"}
        )
    states = sorted(compartment["state"] for compartment in found.json()["compartments"])
    assert states == ["free", "free", "free", "reserved"], found.text

    # The processes believe X-Forwarded-Proto from the balancer they are told to trust, and from no one else.
    async with httpx.AsyncClient(timeout=30) as browser:
        through_balancer = [await browser.get(proxy.url + "/dashboard/sign-in") for _ in servers.base_urls]
        forged = [
            await browser.get(url + "/dashboard/sign-in", headers={"X-Forwarded-Proto": "https"})
            for url in servers.base_urls
        ]
    for reply in through_balancer + forged:
        assert reply.status_code == 200, reply.text
    # The sign-in form's cookie: Secure when the balancer says the browser came over HTTPS, on either process ...
    assert all("; secure" in reply.headers["set-cookie"].lower() for reply in through_balancer), through_balancer
    # ... and not when a peer the processes do not trust (the test, on 127.0.0.1) says so.
    assert not any("; secure" in reply.headers["set-cookie"].lower() for reply in forged)
    assert "Traceback" not in servers.logs(tail=10**9)
