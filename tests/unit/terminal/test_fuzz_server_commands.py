"""Commands from the server with any body (as the link reads them: checked id, kind, body object and expiry): the
runner carries each out or says why it failed, and never raises; a raise would end the terminal's command loop."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from terminal_fakes import open_store
from test_command_runner import rig_on

from parcellocker.terminal.link import bodies
from parcellocker.terminal.link.port import Command, LinkDown

pytestmark = pytest.mark.chaos

FULL = os.environ.get("PARCELLOCKER_CHAOS", "short") == "full"
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
bodies_ = st.fixed_dictionaries(
    {},
    optional={
        "compartment": st.integers(-3, 20) | values,
        "settings": st.dictionaries(st.sampled_from(["poll_interval", "left_open_after", "opening_grace", "x"]), values)
        | values,
    },
)
commands = st.builds(
    lambda command_id, kind, body: {"id": command_id, "kind": kind, "body": body, "expires_at": None},
    st.integers(1, 2**63 - 1),
    st.sampled_from(["open_compartment", "set_config", "sync_codes", "reboot"]) | st.text(max_size=8),
    bodies_,
)


async def handled(items: list[dict[str, Any]]) -> list[tuple[int, str, str | None]]:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        try:
            rig = await rig_on(store)
            for item in items:
                try:
                    command = bodies.read(bodies.command, json.loads(json.dumps(item)))
                except LinkDown:
                    continue
                await rig.runner.handle(command)
            return rig.link.acknowledged
        finally:
            store.close()


@settings(max_examples=2000 if FULL else 60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(commands, max_size=4, unique_by=lambda item: item["id"]))
async def test_any_command_is_carried_out_or_failed_and_acknowledged(items: list[dict[str, Any]]) -> None:
    acknowledged = await handled(items)
    assert len(acknowledged) <= len(items)
    assert all(outcome in ("done", "failed", "expired") for _, outcome, _ in acknowledged)


# Crashes the fuzzing found, each kept as a regression test.


@pytest.mark.parametrize(
    "body",
    [{"compartment": math.inf}, {"settings": {"poll_interval": 10**400}}],
    ids=["infinite compartment", "setting past a float"],
)
async def test_number_past_what_python_converts_fails_the_command_instead_of_the_runner(
    body: dict[str, Any], tmp_path: Path
) -> None:
    store = open_store(tmp_path)
    try:
        rig = await rig_on(store)
        kind = "open_compartment" if "compartment" in body else "set_config"
        await rig.runner.handle(Command(9, kind, body))  # OverflowError escaped the runner
        assert rig.link.acknowledged == [(9, "failed", rig.link.acknowledged[0][2])]
        assert "OverflowError" in str(rig.link.acknowledged[0][2])
    finally:
        store.close()


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0, 0.0])
async def test_set_config_with_a_time_that_would_stop_a_loop_fails_and_changes_nothing(
    value: float, tmp_path: Path
) -> None:
    store = open_store(tmp_path)
    try:
        rig = await rig_on(store)
        before = rig.coordinator.settings
        await rig.runner.handle(Command(10, "set_config", {"settings": {"poll_interval": value}}))
        assert rig.link.acknowledged[0][:2] == (10, "failed")  # NaN was taken: `NaN <= 0` is false
        assert rig.coordinator.settings == before and rig.code_sync.interval == 300
    finally:
        store.close()
