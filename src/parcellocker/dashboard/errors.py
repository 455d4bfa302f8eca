"""What the dashboard answers when a request is refused: the sign-in page when no operator is signed in, and
otherwise a page in the dashboard's look saying what went wrong (JSON for the script's own requests)."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from parcellocker.dashboard.deps import Dashboard
from parcellocker.dashboard.pages import Notice, redirect
from parcellocker.dashboard.session import SIGN_IN_PATH, ForgedRequest, SignInRequired
from parcellocker.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    LockedOut,
    NotAuthenticated,
    NotFound,
)

_STATUS: Sequence[tuple[type[DomainError], int]] = (
    (LockedOut, 429),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidInput, 422),
    (Conflict, 409),
)


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(ForgedRequest, forged_request)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)


def wants_page(request: Request) -> bool:
    """A browser navigating (or posting a form), rather than the page's script asking for data (JSON, events)."""
    accept = request.headers.get("accept", "")
    return request.method == "POST" or not ("application/json" in accept or "text/event-stream" in accept)


async def sign_in_required(request: Request, error: Exception) -> Response:
    if not wants_page(request):
        return JSONResponse({"error": {"code": "not_authenticated", "message": str(error)}}, status_code=401)
    if request.method == "POST":
        return redirect(SIGN_IN_PATH, Notice("error", f"Nothing was done: {error}."))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{SIGN_IN_PATH}?{urlencode({'next': target})}", status_code=303)


async def forged_request(request: Request, error: Exception) -> Response:
    message = (
        "This form did not come from your dashboard session (or the session changed since the page was loaded), "
        "so nothing was done. Reload the page and try again."
    )
    return await error_page(request, 403, "Request refused", message)


async def domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    status = next((status for kind, status in _STATUS if isinstance(error, kind)), 400)
    return await error_page(request, status, HTTPStatus(status).phrase, _sentence(error.message))


async def invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [f"{_where(found.get('loc', ()))}: {found.get('msg', 'not valid')}" for found in error.errors()[:3]]
    message = _sentence("; ".join(problems) or "the request is not valid")
    return await error_page(request, 422, "Not understood", message)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    if status == 404:
        message = f"There is no dashboard page {request.url.path}."
    elif status == 405:
        message = f"{request.url.path} does not take {request.method} requests."
    else:
        message = _sentence(str(error.detail))
    return await error_page(request, status, HTTPStatus(status).phrase, message, dict(error.headers or {}))


async def error_page(
    request: Request, status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    if not wants_page(request):
        code = HTTPStatus(status).phrase.lower().replace(" ", "_")
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)
    dashboard: Dashboard = request.app.state.dashboard
    session = await dashboard.sessions.find(request)
    response = dashboard.page(request, "error.html", {"title": title, "message": message}, session, status)
    response.headers.update(headers or {})
    return response


def _where(loc: Sequence[object]) -> str:
    parts = [str(part) for part in loc]
    if len(parts) >= 2 and parts[0] in ("query", "path"):
        return f"the {parts[0]} parameter {'.'.join(parts[1:])}"
    return ".".join(parts[1:]) or "the request"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
