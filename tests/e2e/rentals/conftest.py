"""The server process of tests/e2e, on SQLite and on PostgreSQL, taking hosted-checkout payments at the stand-in
provider of checkout_stand_in.py (which tells it the outcome by its signed webhook)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from checkout_stand_in import CheckoutStandIn

from e2e.conftest import DATABASE_KINDS, RunningServer, start_server
from parcellocker.server_process import free_port

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases

MERCHANT = "e2e-merchant"
SECRET = "e2e-shared-secret-with-the-provider"


@pytest.fixture(scope="module")
def provider() -> Iterator[CheckoutStandIn]:
    stand_in = CheckoutStandIn(MERCHANT, SECRET.encode())
    stand_in.start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
    provider: CheckoutStandIn,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp(f"e2e-rentals-{request.param}")
    port = free_port()
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("PARCELLOCKER_CHECKOUT_URL", provider.url)
        environment.setenv("PARCELLOCKER_CHECKOUT_MERCHANT", MERCHANT)
        environment.setenv("PARCELLOCKER_CHECKOUT_SECRET", SECRET)
        environment.setenv("PARCELLOCKER_PUBLIC_URL", f"http://127.0.0.1:{port}")
        environment.setenv("PARCELLOCKER_RENTAL_SWEEP_SECONDS", "0.5")
        running = start_server(request.param, folder, sqlite_databases, postgres_databases, port=port)
        started = next(running)
    yield started
    running.close()
