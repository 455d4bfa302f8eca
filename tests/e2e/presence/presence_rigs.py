"""What the presence tests share: the server's short window, and the locker as the API, the dashboard and the
audit log show it."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parents[2] / "integration" / "terminal"))

from terminal_rigs import TerminalRig

WINDOW_SECONDS = 2.0
"""PARCELLOCKER_LINK_SILENCE_SECONDS of the server: a sighting is kept every 0.5 s, the check runs every 0.5 s."""


async def locker(rig: TerminalRig) -> dict[str, Any]:
    async with rig.lms.api(rig.lms.operator_token) as operator:
        reply = await operator.get(f"/lockers/{rig.locker_id}")  # the one locker, not a page of the list
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


async def status(rig: TerminalRig) -> str:
    return str((await locker(rig))["status"])


async def dashboard_row(rig: TerminalRig) -> tuple[str, str]:
    """The lockers page's row of the locker: its status and what it says of when it was last seen."""
    cookies = {"plk_dashboard": rig.lms.operator_token}
    async with httpx.AsyncClient(base_url=rig.lms.base_url, cookies=cookies, timeout=10) as browser:
        page = await browser.get("/dashboard/lockers")
    assert page.status_code == 200, page.text
    row = re.search(rf'<tr data-testid="locker-{re.escape(rig.locker_id)}" data-status="(\w+)">(.*?)</tr>', page.text,
                    re.S)  # fmt: skip
    assert row is not None, page.text
    seen = re.search(r'data-testid="last-seen"[^>]*>(.*?)</span>', row.group(2), re.S)
    assert seen is not None, row.group(2)
    return row.group(1), html.unescape(seen.group(1)).strip()


async def offline_alarms(rig: TerminalRig) -> list[dict[str, Any]]:
    return [alarm for alarm in await rig.alarms() if alarm["kind"] == "locker_offline"]


def presence_audit(rig: TerminalRig) -> list[tuple[str, str]]:
    rows = rig.lms.query(
        "SELECT action, actor FROM audit_log WHERE subject = ? AND action LIKE 'locker.%line' ORDER BY seq",
        rig.locker_id,
    )
    return [(action, actor) for action, actor in rows]
