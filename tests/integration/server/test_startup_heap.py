"""A server worker keeps what its start-up built out of the garbage collector's full collections and collects its
young objects less often; an app built inside another process (a test's) leaves that process's collector as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from parcellocker.api.app import YOUNG_OBJECTS_BEFORE_A_COLLECTION, create_app
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings

if TYPE_CHECKING:
    from tests.conftest import FreshDatabase


@pytest.fixture
def unfrozen_collector() -> Iterator[None]:
    """The test starts and ends with no object frozen and the collector's usual thresholds, so that it neither sees
    nor leaves another's."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("unfrozen_collector")
@pytest.mark.parametrize("own_process", [True, False])
async def test_a_worker_freezes_its_start_up_objects_and_a_test_app_does_not(
    own_process: bool, fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    settings = Settings(database_url=await fresh_database("sqlite"), var_dir=tmp_path, notifier="none")
    server = bootstrap(settings)
    app = create_app(server, own_process=own_process)
    frozen_before, thresholds_before = gc.get_freeze_count(), gc.get_threshold()
    async with app.router.lifespan_context(app):
        frozen_while_serving, thresholds_while_serving = gc.get_freeze_count(), gc.get_threshold()
        routes = {id(route) for route in app.routes}
        still_tracked = {id(tracked) for tracked in gc.get_objects()}

    assert frozen_before == 0
    if own_process:
        # Everything alive at start-up, the app's routes among them, is in the permanent generation: no
        # collection scans it again.
        assert frozen_while_serving > 10_000
        assert not routes & still_tracked
        assert thresholds_while_serving[0] == YOUNG_OBJECTS_BEFORE_A_COLLECTION > thresholds_before[0]
    else:
        assert frozen_while_serving == 0
        assert routes <= still_tracked
        assert thresholds_while_serving == thresholds_before
