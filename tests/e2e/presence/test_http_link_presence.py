"""A locker whose terminal uses the HTTP link, end to end: `parcellocker terminal` as its own process against the
server, the locker online on GET /api/v1/lockers and on the dashboard while the terminal runs (even when its only
requests are long polls that outlast the server's window), offline with one alarm once the terminal is killed, and
online again when it comes back."""

from __future__ import annotations

import asyncio
from datetime import datetime

from presence_rigs import WINDOW_SECONDS, dashboard_row, locker, offline_alarms, presence_audit, status
from terminal_rigs import TerminalRig, eventually

COMMAND_WAIT = 3 * WINDOW_SECONDS
"""The terminal's long poll outlasts the window: while it waits, the open poll is all that tells it is there."""


async def test_a_locker_on_the_http_link_is_online_while_its_terminal_runs_and_offline_when_it_is_killed(
    rig: TerminalRig,
) -> None:
    toml = rig.folder / "locker.toml"
    toml.write_text(toml.read_text().replace("command_wait = 1.0", f"command_wait = {COMMAND_WAIT}"))
    assert (await locker(rig))["status"] == "offline"  # set up, never heard from
    assert (await locker(rig))["last_seen_at"] is None
    assert await dashboard_row(rig) == ("offline", "not seen on the HTTP link")

    await rig.start()
    assert await eventually(lambda: status(rig), "online") == "online"
    status_now, seen_text = await dashboard_row(rig)
    assert status_now == "online" and seen_text.startswith("seen 20"), seen_text

    await asyncio.sleep(2 * WINDOW_SECONDS + 1)  # idle: only its long polls reach the server
    idle = await locker(rig)
    assert idle["status"] == "online" and await offline_alarms(rig) == []
    age = datetime.now().astimezone() - datetime.fromisoformat(idle["last_seen_at"])
    assert age.total_seconds() < 2, age  # kept fresh while the poll stays open

    await rig.kill()
    assert await eventually(lambda: status(rig), "offline") == "offline"
    (alarm,) = await offline_alarms(rig)
    assert "last seen" in alarm["message"]
    assert (await dashboard_row(rig))[0] == "offline"

    await rig.start()
    assert await eventually(lambda: status(rig), "online") == "online"
    assert len(await offline_alarms(rig)) == 1
    terminal = f"terminal:terminal-{rig.locker_id}"
    assert presence_audit(rig) == [
        ("locker.online", terminal),
        ("locker.offline", "system:parcellocker"),
        ("locker.online", terminal),
    ]
