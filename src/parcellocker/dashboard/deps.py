"""What the dashboard's routes are given: the wired dashboard, the operator's session, and a posted form whose
token has been checked against that session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse

from parcellocker.dashboard.pages import Pages
from parcellocker.dashboard.session import CSRF_FIELD, OperatorSession, Sessions
from parcellocker.service.context import Services


@dataclass(frozen=True, slots=True)
class Dashboard:
    services: Services
    sessions: Sessions
    pages: Pages
    command_queued: Callable[[str], None]
    """Told the locker id of each terminal command queued, so that the terminal hears of it at once."""

    def page(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        session: OperatorSession | None,
        status: int = 200,
    ) -> HTMLResponse:
        return self.pages.render(request, template, context, session=session, status=status)


async def get_dashboard(request: Request) -> Dashboard:
    dashboard: Dashboard = request.app.state.dashboard
    return dashboard


DashboardDep = Annotated[Dashboard, Depends(get_dashboard)]


async def get_session(request: Request, dashboard: DashboardDep) -> OperatorSession:
    return await dashboard.sessions.of(request)


SessionDep = Annotated[OperatorSession, Depends(get_session)]


async def get_posted_form(request: Request, dashboard: DashboardDep, session: SessionDep) -> FormData:
    """The form, refused (ForgedRequest) unless it carries the session's token."""
    form = await request.form()
    dashboard.sessions.check(session.csrf_token, form.get(CSRF_FIELD))
    return form


PostedFormDep = Annotated[FormData, Depends(get_posted_form)]
LockerId = Annotated[str, Path(min_length=1, max_length=64, description="The locker's id.")]


def text_field(form: FormData, name: str) -> str:
    """A text field of the form, stripped; "" when it is missing or is a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
