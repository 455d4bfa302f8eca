"""The server killed (SIGKILL) after a parcel was stored, and its message committed to the outbox, but before the
message was sent: after a restart the message is sent, once. The mailbox notifier's file for the recipient is
blocked by a folder in its place, so the first delivery fails and the message waits in the outbox when the server
dies."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.tables import notifications
from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.config import Settings
from parcellocker.server_process import ServerProcess
from patience import START_WITHIN

from .conftest import DATABASE_KINDS, RunningServer, Site, _seed


def _site(server: ServerProcess, var_dir: Path, seeded: Any, kind: str) -> Site:
    assert server.process is not None
    return Site(RunningServer(kind, server.base_url, var_dir, server.log_path, seeded, server.process))


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_a_message_committed_but_not_sent_when_the_server_is_killed_is_sent_once_after_restart(
    kind: str, fresh_database: Any, tmp_path: Path
) -> None:
    url = await fresh_database(kind)
    var_dir = tmp_path / "var"
    seeded = await _seed(Settings(database_url=url, var_dir=var_dir))
    env = {
        "PARCELLOCKER_DATABASE_URL": url,
        "PARCELLOCKER_VAR_DIR": str(var_dir),
        "PARCELLOCKER_LOG_LEVEL": "INFO",
        "PARCELLOCKER_LOG_FORMAT": "text",
    }
    email = f"{uuid.uuid4().hex[:10]}@e2e.example"
    blocked = mailbox_file(var_dir / "mailbox", email)

    async with ServerProcess(env, log_path=tmp_path / "first.log", startup_timeout=START_WITHIN) as first:
        site = _site(first, var_dir, seeded, kind)
        locker = site.new_locker("S:1")
        terminal_key = str(locker.terminal.headers["Authorization"]).removeprefix("Bearer ")
        blocked.mkdir(parents=True)  # the recipient's mailbox file cannot be written
        shipment = site.announce(locker.id, "S", recipient={"email": email})
        opened = site.courier().post(
            f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]}
        )
        number = opened.json()["compartment"]["number"]
        assert site.door(locker, number, "closed")["outcome"] == "parcel_stored"  # committed with its message
        _wait_for_log(first, "could not be sent (attempt 1")
        # The worker logs a failed attempt before it records it; a kill between the two would leave the message
        # claimed until its claim lapses (minutes), so the kill waits until the attempt is on record.
        await _wait_for_recorded_attempt(url, shipment["id"])
        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)
        assert first.process.wait(timeout=10) == -signal.SIGKILL
        site.close()

    blocked.rmdir()
    assert not blocked.exists()  # nothing was delivered before the kill

    async with ServerProcess(env, log_path=tmp_path / "second.log", startup_timeout=START_WITHIN) as second:
        site = _site(second, var_dir, seeded, kind)
        try:
            message = site.message_to(email, within=30)  # its retry was due 5 s after the failed attempt
            assert message["tracking_number"] == shipment["tracking_number"]
            await asyncio.sleep(2)  # several more rounds of the outbox worker
            assert len(site.messages_to(email)) == 1
            picked = site.client(terminal_key).post(f"/lockers/{locker.id}/pickups", json={"code": message["code"]})
            assert picked.status_code == 200, picked.text
        finally:
            site.close()


async def _wait_for_recorded_attempt(url: str, shipment_id: str, within: float = 15) -> None:
    engine = make_engine(url)
    try:
        deadline = time.monotonic() + within
        while True:
            async with engine.connect() as connection:
                attempts = (
                    await connection.execute(
                        sa.select(notifications.c.attempts).where(notifications.c.shipment_id == shipment_id)
                    )
                ).scalar()
            if attempts:
                return
            assert time.monotonic() < deadline, "the failed attempt was never recorded"
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


def _wait_for_log(server: ServerProcess, text: str, within: float = 15) -> None:
    deadline = time.monotonic() + within
    while text not in server.log_tail(200):
        assert time.monotonic() < deadline, f"{text!r} not in the server's log:\n{server.log_tail()}"
        time.sleep(0.05)
