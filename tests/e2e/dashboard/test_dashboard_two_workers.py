"""The live grid with the server in two worker processes on PostgreSQL, as it is deployed: whichever worker applies
a door event and whichever one holds the browser's stream, the change reaches the page (the stream reads the
database, not the events of its own process)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from dashboard_rigs import EventStream, signed_in_dashboard

from e2e.conftest import Locker, RunningServer, Site, start_server

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("e2e-two-workers")
    yield from start_server("postgres", folder, sqlite_databases, postgres_databases, workers=2)


def door_over_a_new_connection(site: Site, locker: Locker, number: int, state: str) -> None:
    """The terminal's door event over a connection of its own: the kernel hands it to one worker or the other."""
    with httpx.Client(base_url=site.server.base_url + "/api/v1", headers=locker.terminal.headers) as terminal:
        reply = terminal.post(
            f"/lockers/{locker.id}/door-events", json={"compartment": number, "state": state, "seq": site.next_seq()}
        )
    assert reply.status_code == 200, reply.text


def test_door_events_reach_every_stream_whichever_worker_applies_them(site: Site) -> None:
    locker = site.new_locker("S:4")
    browsers = [signed_in_dashboard(site) for _ in range(4)]  # four streams, each on one worker or the other
    timeout = httpx.Timeout(10, read=3)
    replies = [browser.stream("GET", f"/lockers/{locker.id}/live", timeout=timeout) for browser in browsers]
    try:
        streams = [EventStream(reply.__enter__()) for reply in replies]
        for stream in streams:
            stream.until(lambda cells: len(cells) == 4)
        for number in (1, 2, 3, 4):
            sent = time.monotonic()
            door_over_a_new_connection(site, locker, number, "open")
            for stream in streams:
                stream.until(lambda cells, n=number: cells[n]["door"] == "open")
            assert time.monotonic() - sent < 1.5
    finally:
        for reply in replies:
            reply.__exit__(None, None, None)
        for browser in browsers:
            browser.close()
