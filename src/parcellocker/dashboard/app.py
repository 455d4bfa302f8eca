"""The dashboard as an ASGI app of its own, which the server's app mounts under PREFIX."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcellocker.dashboard.deps import Dashboard
from parcellocker.dashboard.errors import install_error_pages
from parcellocker.dashboard.pages import Pages
from parcellocker.dashboard.routes import alarms, compartments, live, lockers, shipments, sign_in, utilisation
from parcellocker.dashboard.session import PrincipalOf, Sessions
from parcellocker.service.context import Services

# Every asset is served from here: no other site is ever asked for anything. Inline styles are allowed for the
# positions of the compartments in the cabinet's picture; scripts only from the dashboard's own files.
PARTS = (sign_in, lockers, live, compartments, alarms, shipments, utilisation)

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_dashboard(
    services: Services, principal_of: PrincipalOf, command_queued: Callable[[str], None] = lambda locker_id: None
) -> FastAPI:
    """`principal_of` tells who holds a session token; `command_queued` hears of each terminal command queued."""
    app = FastAPI(title="parcellocker dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.dashboard = Dashboard(services, Sessions(services.env.keys, principal_of), Pages(), command_queued)
    install_error_pages(app)
    app.add_middleware(PageHeaders)
    app.mount("/static", StaticFiles(packages=[("parcellocker.dashboard", "static")]), name="static")
    for module in PARTS:
        app.include_router(module.router)
    return app


def dashboard_routes() -> list[BaseRoute]:
    """The routes of every page and action, paths relative to PREFIX: what the server's metrics label their
    requests with (the static files count as unmatched)."""
    return [route for module in PARTS for route in module.router.routes]


class PageHeaders:
    """ASGI middleware: the security headers above on every answer of the dashboard."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
