"""While PostgreSQL is down (killed, restarting, recovering) the server answers 503 `database_unavailable` with
Retry-After, not a 500 "internal error"; the same request sent again with its Idempotency-Key once the database is
back does the work once. (Found by the kill -9 run: every request during an outage was a logged 500 with a
traceback.)"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from pathlib import Path

import httpx
from chaos_rigs import PrivatePostgres

from parcellocker.adapters.db import migrate
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import seed_sample_site
from parcellocker.server_process import ServerProcess


async def test_a_killed_database_gets_503_and_the_retried_request_is_done_once_when_it_is_back(tmp_path: Path) -> None:
    postgres = PrivatePostgres(tmp_path)
    try:
        await asyncio.to_thread(postgres.init)
        await postgres.start()
        await postgres.create_database()
        url = postgres.url()
        await asyncio.to_thread(migrate.upgrade, url)
        settings = Settings(var_dir=tmp_path / "var", database_url=url, server_key=secrets.token_urlsafe(32))
        seeded = bootstrap(settings)
        try:
            site = await seed_sample_site(seeded.services, lockers=1, layout="S:2")
        finally:
            await seeded.close()
        env = {"PARCELLOCKER_DATABASE_URL": url, "PARCELLOCKER_VAR_DIR": str(settings.var_dir),
               "PARCELLOCKER_SERVER_KEY": settings.server_key}  # fmt: skip
        async with ServerProcess(env, log_path=tmp_path / "server.log") as server:
            tracking = f"DB503{uuid.uuid4().hex[:8].upper()}"
            body = {"tracking_number": tracking, "locker_id": site.lockers[0].id, "size": "S",
                    "recipient": {"email": "down@example.org"}}  # fmt: skip
            headers = {"Authorization": f"Bearer {site.carrier_key}", "Idempotency-Key": str(uuid.uuid4())}
            async with httpx.AsyncClient(base_url=server.base_url + "/api/v1", timeout=30) as api:
                assert (await api.post("/shipments", json=body, headers=headers)).status_code == 201
                headers["Idempotency-Key"] = str(uuid.uuid4())
                body["tracking_number"] = tracking = tracking + "B"

                await postgres.kill9()
                down = await api.post("/shipments", json=body, headers=headers)

                assert down.status_code == 503, down.text
                assert down.json()["error"]["code"] == "database_unavailable"
                assert down.headers["Retry-After"] == "1"
                await postgres.start()
                statuses = []
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and (not statuses or statuses[-1] == 503):
                    statuses.append((await api.post("/shipments", json=body, headers=headers)).status_code)
                again = await api.post("/shipments", json=body, headers=headers)  # a late duplicate: replayed
                found = await api.get("/shipments", params={"tracking_number": tracking}, headers=headers)
            assert set(statuses[:-1]) <= {503} and statuses[-1] == 201, statuses
            assert again.status_code == 201
            assert [s["tracking_number"] for s in found.json()] == [tracking], found.text
            assert "unexpected error" not in server.log_tail(400)
    finally:
        postgres.remove()
