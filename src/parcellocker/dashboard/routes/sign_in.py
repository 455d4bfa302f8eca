"""Signing an operator in (id and password, the same use case as the API's) and out."""

from __future__ import annotations

import re
import secrets

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcellocker.dashboard import PREFIX
from parcellocker.dashboard.deps import DashboardDep, PostedFormDep, text_field
from parcellocker.dashboard.pages import Notice, redirect
from parcellocker.dashboard.session import SIGN_IN_COOKIE, SIGN_IN_PATH, ForgedRequest, Sessions
from parcellocker.domain.accounts import Role
from parcellocker.domain.errors import InvalidInput, LockedOut, NotAuthenticated
from parcellocker.service.accounts import SignedIn, SignIn, sign_in

router = APIRouter()

HOME = PREFIX + "/lockers"
_NEXT = re.compile(r"^/dashboard/[A-Za-z0-9._~/%?&=+-]*$")


def landing(next_page: str) -> str:
    """Where to go after signing in: the dashboard page asked for, never another site."""
    return next_page if _NEXT.match(next_page) and "//" not in next_page else HOME


@router.get("/", include_in_schema=False)
async def read_home() -> Response:
    return redirect(HOME)


@router.get("/sign-in")
async def read_sign_in(request: Request, dashboard: DashboardDep, next: str = "") -> Response:
    if await dashboard.sessions.find(request) is not None:
        return redirect(landing(next))
    return _sign_in_page(request, dashboard, next)


@router.post("/sign-in")
async def create_session(request: Request, dashboard: DashboardDep) -> Response:
    form = await request.form()
    next_page = text_field(form, "next")
    try:
        Sessions.check(request.cookies.get(SIGN_IN_COOKIE, ""), form.get("form_token"))
    except ForgedRequest:
        message = "This sign-in form had expired or came from elsewhere. Please sign in again."
        return _sign_in_page(request, dashboard, next_page, message, 403)
    operator_id, password = text_field(form, "operator_id"), form.get("password")
    if not operator_id or not isinstance(password, str) or not password:
        return _sign_in_page(request, dashboard, next_page, "Enter your operator id and your password.", 422)
    try:
        signed_in: SignedIn = await dashboard.services.run(
            sign_in, SignIn(Role.OPERATOR, operator_id, password), lambda done: done
        )
    except LockedOut as error:
        message = f"Too many wrong passwords for this account: try again in {error.retry_after_seconds} seconds."
        return _sign_in_page(request, dashboard, next_page, message, 429, operator_id)
    except (NotAuthenticated, InvalidInput):
        message = "Unknown operator or wrong password."
        return _sign_in_page(request, dashboard, next_page, message, 401, operator_id)
    response = redirect(landing(next_page))
    Sessions.start(request, response, signed_in.token, signed_in.expires_in)
    return response


@router.post("/sign-out")
async def delete_session(form: PostedFormDep) -> Response:
    response = redirect(SIGN_IN_PATH, Notice("done", "You are signed out."))
    Sessions.end(response)
    return response


def _sign_in_page(
    request: Request,
    dashboard: DashboardDep,
    next_page: str,
    message: str | None = None,
    status: int = 200,
    operator_id: str = "",
) -> Response:
    form_token = secrets.token_urlsafe(24)
    context = {"form_token": form_token, "next": next_page, "message": message, "operator_id": operator_id}
    response = dashboard.page(request, "sign_in.html", context, None, status)
    Sessions.pair_sign_in_form(request, response, form_token)
    return response
