"""Fixtures of the browser tests: Debian's Chromium driven by Playwright for Python, and the screenshots they write.

- `browser`: a headless Chromium (`/usr/bin/chromium`, never a browser of Playwright's own download), closed after
  the test. Missing Chromium skips the test, and fails it when CI=true (`make test` installs it with apt-get).
- `new_page`: `await new_page()` gives a new page in its own context (its own cookies and storage), 1280×800 unless
  a `viewport` is given; a kiosk is a portrait touch screen, so kiosk tests ask for `KIOSK_VIEWPORT`.
- `screenshot(page, name)`: writes `docs/screenshots/<name>.png`, the pictures the README shows (atomically).
- `server`, `site`: for the dashboard's tests, the management server as its own process on SQLite (one per module,
  seeded as tests/e2e seeds it) and the `Site` of tests/e2e that speaks to it.

Only loopback addresses are ever opened: every page the tests visit is served on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from e2e.conftest import RunningServer, Site, start_server
from patience import PAGE_WITHIN

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases

CHROMIUM = Path(os.environ.get("PARCELLOCKER_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
KIOSK_VIEWPORT = {"width": 1080, "height": 1920}
"""The touch screen of a typical locker: 21.5", portrait, full HD."""
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}

# What the probe of this machine found Chromium needs here: no first-run work and no background connections (the
# network is closed, and each refused connection costs time), no GPU, no sandbox when run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class NewPage(Protocol):
    def __call__(self, viewport: dict[str, int] | None = None) -> Awaitable[Any]: ...


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (a stat, once per test)
        message = f"{CHROMIUM} is missing (apt-get install -y chromium; `make test` does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=PAGE_WITHIN * 1000)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def new_page(browser: Any) -> AsyncIterator[NewPage]:
    contexts: list[Any] = []

    async def make(viewport: dict[str, int] | None = None) -> Any:
        context = await browser.new_context(viewport=viewport or DESKTOP_VIEWPORT, locale="en-GB")
        context.set_default_timeout(PAGE_WITHIN * 1000)
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Any, str], Awaitable[Path]]:
    """Each picture is taken into the test's own folder, then moved into place in one step: a test run in parallel
    with another (`pytest -n`, or a second run in the same tree) never leaves a half-written file."""

    async def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        taken = tmp_path / f"{name}.png"
        await page.screenshot(path=str(taken))
        path = SCREENSHOTS / f"{name}.png"
        staged = SCREENSHOTS / f".{name}.{uuid.uuid4().hex[:8]}.png"
        shutil.copyfile(taken, staged)  # onto the screenshots' own file system, so that the rename is atomic
        staged.replace(path)
        return path

    return take


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("browser-server")
    yield from start_server("sqlite", folder, sqlite_databases, postgres_databases)


@pytest.fixture
def site(server: RunningServer) -> Iterator[Site]:
    with closing(Site(server)) as site:
        yield site
