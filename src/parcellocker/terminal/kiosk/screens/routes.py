"""The kiosk's pages on the kiosk app, next to its JSON API (which the pages' scripts call with fetch()).

GET  /                 home (`?idle=1`: back after inactivity, in the kiosk's own language, accessibility off)
GET  /pickup           the code keypad (a scanned QR token is taken on any page)
GET  /courier          courier sign-in, deposits, parcels to collect (one scan each), summary (`?courier_id=` from a
                       card scan)
GET  /send             "Send a parcel": a drop-off code opens a compartment (sending and returns)
GET  /rent             "coming soon": its feature has not landed yet
GET  /lang/{language}  switch language, back to `?next=`
GET  /demo/doors, POST /demo/doors/{compartment}/{action}   demo only: the emulator's doors (emulator_control.py)
GET  /static/…         the stylesheet and scripts, all local
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from parcellocker.domain.shipment import REOPEN_WINDOW
from parcellocker.domain.sizes import Size
from parcellocker.terminal.config import TerminalConfig
from parcellocker.terminal.kiosk.screens.cabinet_picture import cabinet_picture
from parcellocker.terminal.kiosk.screens.catalogues import LANGUAGES
from parcellocker.terminal.kiosk.screens.emulator_control import ACTIONS, EmulatorControl
from parcellocker.terminal.kiosk.screens.pages import Pages, Visitor

STATIC = Path(__file__).parent / "static"
LANGUAGE_COOKIE = "kiosk_lang"
ACCESSIBLE_COOKIE = "kiosk_a11y"
COMING_SOON = ("rent",)


@dataclass(frozen=True, slots=True)
class ScreenSettings:
    locker_id: str
    compartment_sizes: Mapping[int, Size]
    language: str = "en"
    idle_seconds: float = 60.0
    courier_idle_seconds: float = 120.0
    screensaver_seconds: float = 180.0
    help_phone: str | None = None
    emulator_url: str | None = None
    reopen_seconds: float = field(default=REOPEN_WINDOW.total_seconds())

    @classmethod
    def from_config(cls, config: TerminalConfig) -> ScreenSettings:
        kiosk = config.kiosk
        return cls(
            config.locker_id,
            config.wiring.compartment_sizes(),
            kiosk.language,
            kiosk.idle_seconds,
            kiosk.courier_idle_seconds,
            kiosk.screensaver_seconds,
            kiosk.help_phone,
            kiosk.emulator_url,
        )


def install_screens(app: FastAPI, settings: ScreenSettings, emulator: EmulatorControl | None = None) -> None:
    """Add the pages, their static files and (when `settings.emulator_url` is set) the emulator's panel to `app`.
    `emulator` replaces the control built from `emulator_url` (tests)."""
    pages = Pages()
    picture = cabinet_picture(settings.compartment_sizes)
    if emulator is None and settings.emulator_url is not None:
        emulator = EmulatorControl(settings.emulator_url)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def show(request: Request, template: str, page: str, chosen: Visitor | None = None, **context: Any) -> HTMLResponse:
        visitor = chosen or _visitor(request, settings)
        html = pages.render(
            template,
            visitor,
            page=page,
            here=_here(request),
            picture=picture,
            emulator=emulator is not None,
            help_phone=settings.help_phone,
            locker_id=settings.locker_id,
            settings=_page_settings(settings, page, visitor),
            **context,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def read_home(request: Request, idle: bool = False) -> Response:
        if not idle:
            return show(request, "home.html", "home")
        response = show(request, "home.html", "home", Visitor(settings.language, accessible=False))
        response.delete_cookie(LANGUAGE_COOKIE)
        response.delete_cookie(ACCESSIBLE_COOKIE)
        return response

    @app.get("/pickup", response_class=HTMLResponse, include_in_schema=False)
    async def read_pickup(request: Request) -> Response:
        return show(request, "pickup.html", "pickup")

    @app.get("/courier", response_class=HTMLResponse, include_in_schema=False)
    async def read_courier(request: Request, courier_id: Annotated[str, Query(max_length=64)] = "") -> Response:
        return show(request, "courier.html", "courier", courier_id=courier_id)

    @app.get("/send", response_class=HTMLResponse, include_in_schema=False)
    async def read_send(request: Request) -> Response:
        return show(request, "send.html", "send")

    @app.get("/rent", response_class=HTMLResponse, include_in_schema=False)
    async def read_rent(request: Request) -> Response:
        return show(request, "coming_soon.html", "rent", feature="rent")

    @app.get("/lang/{language}", include_in_schema=False)
    async def switch_language(language: str, next: str = "/") -> Response:
        if language not in LANGUAGES:
            message = f"the kiosk speaks {', '.join(LANGUAGES)}, not {language!r}"
            return JSONResponse({"error": {"code": "unknown_language", "message": message}}, status_code=404)
        response = RedirectResponse(_local(next), status_code=303)
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="strict", httponly=True)
        return response

    @app.get("/demo/doors", include_in_schema=False)
    async def read_emulated_doors() -> Response:
        if emulator is None:
            return _not_demo()
        answer = await emulator.doors()
        return JSONResponse(answer.body, status_code=answer.status)

    @app.post("/demo/doors/{compartment}/{action}", include_in_schema=False)
    async def act_on_emulated_door(compartment: int, action: str) -> Response:
        if emulator is None:
            return _not_demo()
        if action not in ACTIONS:
            message = f"unknown action {action!r}; one of {', '.join(ACTIONS)}"
            return JSONResponse({"error": {"code": "unknown_action", "message": message}}, status_code=400)
        answer = await emulator.act(compartment, action)
        return JSONResponse(answer.body, status_code=answer.status)


def _visitor(request: Request, settings: ScreenSettings) -> Visitor:
    language = request.cookies.get(LANGUAGE_COOKIE, settings.language)
    accessible = request.cookies.get(ACCESSIBLE_COOKIE) == "1"
    return Visitor(language if language in LANGUAGES else settings.language, accessible)


def _page_settings(settings: ScreenSettings, page: str, visitor: Visitor) -> dict[str, Any]:
    """What the page's scripts need to know, rendered into the page as JSON."""
    return {
        "page": page,
        "language": visitor.language,
        "accessible": visitor.accessible,
        "idle_seconds": settings.courier_idle_seconds if page == "courier" else settings.idle_seconds,
        "screensaver_seconds": settings.screensaver_seconds,
        "reopen_seconds": settings.reopen_seconds,
        "help_phone": settings.help_phone,
    }


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


def _local(path: str) -> str:
    """A path on this kiosk, never an address elsewhere."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def _not_demo() -> JSONResponse:
    message = "this kiosk has no emulator: it is not a demo (kiosk.emulator_url is not set)"
    return JSONResponse({"error": {"code": "not_a_demo", "message": message}}, status_code=404)
