"""The one place where errors become HTTP: every error is `{"error": {"code": ..., "message": ..., ...}}`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcellocker.adapters.db.outages import database_unreachable
from parcellocker.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    LockedOut,
    LockerBusy,
    NotAuthenticated,
    NotFound,
)
from parcellocker.service.pickups import WrongPickupCode

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of gives its status.
DOMAIN_STATUS: Sequence[tuple[type[DomainError], int]] = (
    (LockedOut, 429),
    (LockerBusy, 429),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidInput, 422),
    (Conflict, 409),
)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers)


def status_of(error: DomainError) -> int:
    return next((status for kind, status in DOMAIN_STATUS if isinstance(error, kind)), 400)


async def domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, WrongPickupCode):
        extra["remaining_tries"] = error.remaining_tries
    extra.update(getattr(error, "details", None) or {})  # what a refusal tells besides its message (rentals)
    if isinstance(error, LockedOut | LockerBusy):
        extra["retry_after_seconds"] = error.retry_after_seconds
        headers["Retry-After"] = str(error.retry_after_seconds)
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="parcellocker"'
    return error_response(status_of(error), error.code, error.message, headers, **extra)


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    """422 naming the fields at fault; 400 for a body that is not valid JSON, 415 for one not sent as JSON.
    Never echoes what was sent: it may hold a PIN or a code."""
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    if _body_not_sent_as_json(request, problems):
        return error_response(
            415, "unsupported_media_type", "send the request body as JSON, with Content-Type: application/json"
        )
    fields = [{"field": _field_name(problem.get("loc", ())), "problem": _problem(problem)} for problem in problems]
    if fields and fields[0]["field"] == "body" and problems[0].get("type") == "missing":
        message = "the request needs a JSON body"
    else:
        message = "; ".join(f"{item['field']}: {item['problem']}" for item in fields[:3])
        if len(fields) > 3:
            message += f" (and {len(fields) - 3} more)"
    return error_response(422, "invalid_input", message or "the request is not valid", fields=fields)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own errors (unknown route, wrong method, ...) in the same shape as the others."""
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    headers = dict(error.headers or {})
    if status == 404 and error.detail == HTTPStatus.NOT_FOUND.phrase:
        message = f"there is no endpoint {request.method} {request.url.path}; the API is described at /docs"
    elif status == 405:
        allowed = headers.get("allow", headers.get("Allow", ""))
        message = f"{request.url.path} does not accept {request.method}" + (f"; use {allowed}" if allowed else "")
    else:
        message = str(error.detail)
    code = _HTTP_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    return error_response(status, code, message, headers)


DATABASE_RETRY_AFTER_SECONDS = 1


class UnexpectedErrors:
    """ASGI middleware: anything no handler knows becomes a logged 500 in the same shape, logged once; a database
    that cannot be reached (restarting, recovering from a crash) becomes a 503 with Retry-After, logged in one line:
    the request did nothing, or did it all (then its Idempotency-Key replays the answer), so it may be sent again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as error:
            unreachable = database_unreachable(error)
            if unreachable:
                log.warning("the database could not be reached in %s %s: %s", scope.get("method"), scope.get("path"),
                            f"{type(error).__name__}: {error}")  # fmt: skip
            else:
                log.error("unexpected error in %s %s", scope.get("method"), scope.get("path"), exc_info=error)
            if started:
                raise
            if unreachable:
                message = "the server cannot reach its database just now; send the request again shortly"
                retry = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
                response = error_response(503, "database_unavailable", message, retry)
            else:
                response = error_response(
                    500, "internal_error", "something went wrong on the server; it has been logged"
                )
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_middleware(UnexpectedErrors)


def _body_not_sent_as_json(request: Request, problems: Sequence[Any]) -> bool:
    """FastAPI reads a body as JSON only when its Content-Type says so; otherwise the whole body fails."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = content_type == "application/json" or content_type.endswith("+json")
    whole_body_failed = any(
        tuple(problem.get("loc", ())) == ("body",) and problem.get("type") != "missing" for problem in problems
    )
    return whole_body_failed and not is_json


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        return ".".join(parts[1:]) or "body"
    if len(parts) >= 2 and parts[0] in ("query", "path", "header"):
        return f"{parts[0]} parameter {'.'.join(parts[1:])}"
    return ".".join(parts) or "request"


def _problem(problem: Any) -> str:
    message = str(problem.get("msg", "is not valid"))
    if problem.get("type") == "missing":
        return "is required"
    return message.removeprefix("Value error, ")
