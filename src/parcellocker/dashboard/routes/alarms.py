"""The alarms of every locker, newest first, and acknowledging one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from parcellocker.dashboard import PREFIX
from parcellocker.dashboard.actions import carried_out
from parcellocker.dashboard.deps import DashboardDep, PostedFormDep, SessionDep, text_field
from parcellocker.service.alarms import AcknowledgeAlarm, AlarmFeed, ReadAlarmFeed, acknowledge_alarm, read_alarm_feed

router = APIRouter()

SHOWN = 200
FEED = PREFIX + "/alarms"


@router.get("/alarms")
async def read_alarms(
    request: Request,
    dashboard: DashboardDep,
    session: SessionDep,
    show: Annotated[Literal["all", "open"], Query()] = "all",
) -> Response:
    query = ReadAlarmFeed(session.principal, limit=SHOWN, open_only=show == "open")
    feed: AlarmFeed = await dashboard.services.read(read_alarm_feed, query)
    context = {"feed": feed, "show": show, "shown": SHOWN, "section": "alarms"}
    return dashboard.page(request, "alarms.html", context, session)


@router.post("/alarms/{alarm_id}/acknowledge")
async def create_acknowledgement(
    alarm_id: Annotated[str, Path(min_length=1, max_length=64)],
    form: PostedFormDep,
    dashboard: DashboardDep,
    session: SessionDep,
) -> Response:
    back = FEED + ("?show=open" if text_field(form, "show") == "open" else "")
    return await carried_out(
        back,
        dashboard.services.run(acknowledge_alarm, AcknowledgeAlarm(session.principal, alarm_id), lambda done: done),
        lambda alarm: f"Alarm acknowledged: {alarm.message}.",
    )
