"""Rendering the dashboard's pages: the Jinja2 templates of this package, the one-off notice that follows an action
(a cookie read once, after the redirect), and times shown in the locker's time zone."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from parcellocker import __version__
from parcellocker.dashboard import PREFIX
from parcellocker.dashboard.session import OperatorSession

NOTICE_COOKIE = "plk_notice"


@dataclass(frozen=True, slots=True)
class Notice:
    """What the operator is told after an action: that it was done, or why it was not."""

    kind: Literal["done", "error"]
    text: str


def local_time(moment: datetime | None, timezone: str = "UTC", with_seconds: bool = False) -> str:
    """`moment` as a person at the locker reads it, e.g. "2025-03-03 09:05 CET"."""
    if moment is None:
        return "—"
    shown = moment.astimezone(ZoneInfo(timezone))
    return shown.strftime("%Y-%m-%d %H:%M:%S %Z" if with_seconds else "%Y-%m-%d %H:%M %Z")


def words(value: object) -> str:
    """An enum value for people: `out_of_order` → "out of order"."""
    return str(value).replace("_", " ")


class Pages:
    def __init__(self) -> None:
        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("parcellocker.dashboard", "templates"),
            autoescape=jinja2.select_autoescape(("html", "svg")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.globals.update(prefix=PREFIX, version=__version__)
        environment.filters.update(local_time=local_time, words=words)
        self.environment = environment

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        *,
        session: OperatorSession | None,
        status: int = 200,
    ) -> HTMLResponse:
        notice = read_notice(request)
        page = self.environment.get_template(template).render(
            {"session": session, "notice": notice, "path": request.url.path, **context}
        )
        response = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
        if NOTICE_COOKIE in request.cookies:
            response.delete_cookie(NOTICE_COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response


def redirect(url: str, notice: Notice | None = None) -> RedirectResponse:
    """See Other to `url` (after a form post), with `notice` shown once on the page there."""
    response = RedirectResponse(url, status_code=303)
    if notice is not None:
        value = base64.urlsafe_b64encode(json.dumps({"kind": notice.kind, "text": notice.text}).encode()).decode()
        response.set_cookie(NOTICE_COOKIE, value, max_age=120, path=PREFIX, httponly=True, samesite="strict")
    return response


def read_notice(request: Request) -> Notice | None:
    raw = request.cookies.get(NOTICE_COOKIE)
    if not raw:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(raw.encode()))
        kind, text = found["kind"], found["text"]
    except (ValueError, KeyError, TypeError):
        return None
    if kind not in ("done", "error") or not isinstance(text, str):
        return None
    return Notice(kind, text[:500])
