"""A locker's utilisation over the last days: a chart per size, and the same series as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from parcellocker.dashboard.charts import UtilisationChart
from parcellocker.dashboard.deps import Dashboard, DashboardDep, LockerId, SessionDep
from parcellocker.dashboard.pages import local_time
from parcellocker.dashboard.session import OperatorSession
from parcellocker.service.utilisation import MAX_DAYS, ReadUtilisation, Utilisation, read_utilisation

router = APIRouter()

Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="How many days back.")]
CSV_COLUMNS = (
    "locker_id",
    "size",
    "compartments",
    "hour_start_utc",
    "hour_end_utc",
    "hour_start_local",
    "average_in_use",
    "peak_in_use",
    "utilisation_percent",
)


@router.get("/lockers/{locker_id}/utilisation")
async def read_utilisation_page(
    request: Request, locker_id: LockerId, dashboard: DashboardDep, session: SessionDep, days: Days = 7
) -> Response:
    read = await _read(dashboard, session, locker_id, days)
    timezone = read.locker.timezone
    charts = [UtilisationChart.of(use, read.start, read.end, timezone) for use in read.sizes]
    context = {"read": read, "locker": read.locker, "charts": charts, "days": days, "section": "lockers"}
    return dashboard.page(request, "utilisation.html", context, session)


@router.get("/lockers/{locker_id}/utilisation.csv")
async def read_utilisation_csv(
    locker_id: LockerId, dashboard: DashboardDep, session: SessionDep, days: Days = 7
) -> Response:
    read = await _read(dashboard, session, locker_id, days)
    filename = f"utilisation-{read.locker.id}-{read.end:%Y%m%d}-{days}d.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(utilisation_csv(read), media_type="text/csv; charset=utf-8", headers=headers)


async def _read(dashboard: Dashboard, session: OperatorSession, locker_id: str, days: int) -> Utilisation:
    query = ReadUtilisation(session.principal, locker_id, days)
    read: Utilisation = await dashboard.services.read(read_utilisation, query)
    return read


def utilisation_csv(read: Utilisation) -> str:
    """One row per size and hour, oldest hour first; times in UTC (ISO 8601) and in the locker's time zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for use in read.sizes:
        for hour in use.hours:
            writer.writerow(
                (
                    read.locker.id,
                    use.size.value,
                    use.compartments,
                    hour.start.isoformat(),
                    hour.end.isoformat(),
                    local_time(hour.start, read.locker.timezone),
                    f"{hour.average_in_use:.3f}",
                    hour.peak_in_use,
                    f"{100 * use.utilisation(hour):.1f}",
                )
            )
    return out.getvalue()
