"""The real management server as its own process, on SQLite and on PostgreSQL, talked to over HTTP.

`server` (one per test module and database) migrates a fresh database, seeds an operator, a carrier, a courier
and a locker through `bootstrap(...).services`, and runs `uvicorn parcellocker.api.main:app_from_env --factory`
on a free port. `site` gives each test the parties (operator, carrier, courier, terminals) as HTTP clients and
makes its own lockers, so that tests never share a compartment or a lockout.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin

import httpx
import pytest

from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import SampleSite, seed_sample_site
from parcellocker.server_process import listening_socket, server_command
from patience import SOON, START_WITHIN

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases

COURIER_PIN = "73019528"  # long and unusual, so that finding it in a log means it was logged
OPERATOR_PASSWORD = "e2e-operator-password-5531"
T = TypeVar("T")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a thread of its own, away from any event loop of the test run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@dataclass(slots=True)
class RunningServer:
    kind: str
    base_url: str
    var_dir: Path
    log_path: Path
    seeded: SampleSite
    process: subprocess.Popen[bytes]
    session_tokens: dict[str, str] = field(default_factory=dict)  # sign-ins are slow on purpose (argon2)

    @property
    def mailbox(self) -> Path:
        return self.var_dir / "mailbox"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(
    kind: str,
    folder: Path,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
    log_level: str = "INFO",
    workers: int = 1,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[RunningServer]:
    """Create and seed a database of `kind`, run the server on it (in `workers` processes, on `port` or a free one)
    until the generator is closed; `extra_env` adds or overrides PARCELLOCKER_* settings."""
    if kind == "postgres":
        postgres_databases.require()
        database = _run(postgres_databases.create(migrated=True))
        url = postgres_databases.url_of(database)
    else:
        url = sqlite_databases.create(migrated=True)
    var_dir = folder / "var"
    seeded = _run(_seed(Settings(database_url=url, var_dir=var_dir)))
    listener = listening_socket(port or 0)  # held until the server process has it: no other can take the port
    port = listener.getsockname()[1]
    log_path = folder / "server.log"
    process_env = {
        **os.environ,
        "PARCELLOCKER_DATABASE_URL": url,
        "PARCELLOCKER_VAR_DIR": str(var_dir),
        "PARCELLOCKER_LOG_LEVEL": log_level,
        "PARCELLOCKER_LOG_FORMAT": "text",
        "PARCELLOCKER_PORT": str(port),  # so the links in messages name this server
        **(extra_env or {}),
    }
    command = server_command(listener, workers, log_level.lower())
    with listener, log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=process_env, stdout=log, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),)
        )
    server = RunningServer(kind, f"http://127.0.0.1:{port}", var_dir, log_path, seeded, process)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if kind == "postgres":
            _run(postgres_databases.drop(database))


async def _seed(settings: Settings) -> SampleSite:
    server = bootstrap(settings)
    try:
        return await seed_sample_site(
            server.services, lockers=1, courier_pin=COURIER_PIN, operator_password=OPERATOR_PASSWORD
        )
    finally:
        await server.close()


def _wait_until_ready(server: RunningServer, within: float = START_WITHIN) -> None:
    deadline = time.monotonic() + within
    with httpx.Client(base_url=server.base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{server.log_text()[-3000:]}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"the server did not answer within {within} s:\n{server.log_text()[-3000:]}")


DATABASE_KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp(f"e2e-{request.param}")
    yield from start_server(request.param, folder, sqlite_databases, postgres_databases)


@dataclass(frozen=True, slots=True)
class Locker:
    id: str
    terminal: httpx.Client
    compartments: list[dict[str, Any]]


@dataclass(slots=True)
class Site:
    """The parties of one test, each an HTTP client carrying its own credential."""

    server: RunningServer
    _clients: list[httpx.Client] = field(default_factory=list)
    _seq: int = 0

    def client(self, credential: str | None = None, **headers: str) -> httpx.Client:
        if credential is not None:
            headers["Authorization"] = f"Bearer {credential}"
        client = httpx.Client(base_url=self.server.base_url + "/api/v1", headers=headers, timeout=30)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()

    @property
    def anonymous(self) -> httpx.Client:
        return self.client()

    def operator(self) -> httpx.Client:
        seeded = self.server.seeded
        return self._signed_in("operator", {"operator_id": seeded.operator_id, "password": seeded.operator_password})

    def carrier(self) -> httpx.Client:
        return self.client(self.server.seeded.carrier_key)

    def courier(self, courier_id: str | None = None, pin: str = COURIER_PIN) -> httpx.Client:
        return self._signed_in("courier", {"courier_id": courier_id or self.server.seeded.courier_id, "pin": pin})

    def _signed_in(self, role: str, credentials: dict[str, str]) -> httpx.Client:
        remembered = f"{role}:{json.dumps(credentials, sort_keys=True)}"
        if remembered not in self.server.session_tokens:
            reply = self.anonymous.post(f"/sessions/{role}", json=credentials)
            assert reply.status_code == 200, reply.text
            self.server.session_tokens[remembered] = reply.json()["token"]
        return self.client(self.server.session_tokens[remembered])

    def new_locker(self, layout: str = "S:2,M:2,L:1", locker_id: str | None = None) -> Locker:
        """A locker of this test's own, set up by the operator over the API (its id given by the server if None)."""
        body = {"name": "E2E locker", "address": "1 Test Street", "layout": layout, "locker_id": locker_id}
        reply = self.operator().post("/lockers", json={key: value for key, value in body.items() if value is not None})
        assert reply.status_code == 201, reply.text
        body = reply.json()
        return Locker(body["id"], self.client(body["terminal_key"]), body["compartments"])

    def every_locker(self, client: httpx.Client, limit: int | None = None) -> list[list[dict[str, Any]]]:
        """The locker list's pages as `client` sees them, from the first, following each `Link: rel="next"`."""
        pages = []
        reply = client.get("/lockers", params={} if limit is None else {"limit": limit})
        while True:
            assert reply.status_code == 200, reply.text
            pages.append(reply.json())
            following = reply.links.get("next")
            if following is None:
                return pages
            reply = client.get(urljoin(str(reply.url), following["url"]))

    def new_carrier(self) -> tuple[str, httpx.Client]:
        """Another carrier with a courier of its own: (carrier id, that courier's client)."""
        operator = self.operator()
        added = operator.post("/carriers", json={"name": "Other Carrier"})
        assert added.status_code == 201, added.text
        carrier_id = added.json()["id"]
        courier_id = f"courier-{uuid.uuid4().hex[:8]}"
        reply = operator.post(
            "/couriers", json={"courier_id": courier_id, "carrier_id": carrier_id, "name": "Bo", "pin": "5150"}
        )
        assert reply.status_code == 201, reply.text
        return carrier_id, self.courier(courier_id, "5150")

    def announce(
        self, locker_id: str, size: str = "S", carrier: httpx.Client | None = None, **overrides: Any
    ) -> dict[str, Any]:
        body = {
            "tracking_number": f"E2E{uuid.uuid4().hex[:10].upper()}",
            "locker_id": locker_id,
            "size": size,
            "recipient": {"email": f"{uuid.uuid4().hex[:12]}@e2e.example", "name": "Ola", "language": "en"},
            **overrides,
        }
        reply = (carrier or self.carrier()).post("/shipments", json=body)
        assert reply.status_code == 201, reply.text
        shipment: dict[str, Any] = reply.json()
        return shipment

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def door(self, locker: Locker, compartment: int, state: str, seq: int | None = None) -> dict[str, Any]:
        reply = locker.terminal.post(
            f"/lockers/{locker.id}/door-events",
            json={"compartment": compartment, "state": state, "seq": self.next_seq() if seq is None else seq},
        )
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    def store(self, locker: Locker, size: str = "S") -> tuple[dict[str, Any], int]:
        """Announce a parcel, deposit it and close the door on it: (the shipment, its compartment number)."""
        shipment = self.announce(locker.id, size)
        opened = self.courier().post(
            f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]}
        )
        assert opened.status_code == 200, opened.text
        number: int = opened.json()["compartment"]["number"]
        self.door(locker, number, "open")
        assert self.door(locker, number, "closed")["outcome"] == "parcel_stored"
        return shipment, number

    def message_to(self, address: str, within: float = SOON) -> dict[str, Any]:
        """The newest message the mailbox notifier delivered to `address`, waiting for it to arrive."""
        path = mailbox_file(self.server.mailbox, address)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if path.exists() and (lines := path.read_text().splitlines()):
                message: dict[str, Any] = json.loads(lines[-1])
                return message
            time.sleep(0.02)
        raise AssertionError(f"no message reached {address} within {within} s")

    def messages_to(self, address: str) -> list[dict[str, Any]]:
        path = mailbox_file(self.server.mailbox, address)
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def site(server: RunningServer) -> Iterator[Site]:
    site = Site(server)
    yield site
    site.close()
