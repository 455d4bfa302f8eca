"""The operator's session in the browser: the session token of the sign-in use case kept in an HttpOnly, SameSite=Strict
cookie, and a token derived from it that every form of the session must carry (against cross-site request forgery).

The session token is the signed, self-contained one the API hands out (security/session_tokens.py): signing out
removes it from the browser; it stays valid until it expires (PARCELLOCKER_SESSION_TTL_HOURS), as the server keeps
no list of sessions to strike it from.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from parcellocker.dashboard import PREFIX
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import NotAuthenticated
from parcellocker.security.keys import ServerKeys

SESSION_COOKIE = "plk_dashboard"
SIGN_IN_COOKIE = "plk_sign_in"
"""Pairs the sign-in form with the browser it was given to, so another site cannot sign a browser in."""
CSRF_FIELD = "csrf_token"
SIGN_IN_PATH = PREFIX + "/sign-in"

PrincipalOf = Callable[[str], Awaitable[Principal]]
"""Who holds a bearer credential; raises NotAuthenticated for an unknown, forged or expired one."""


class SignInRequired(Exception):
    """No session, or one that expired, or one that is not an operator's."""


class ForgedRequest(Exception):
    """A form posted without the token of the session (or of the sign-in form) it claims to come from."""


@dataclass(frozen=True, slots=True)
class OperatorSession:
    principal: Principal
    csrf_token: str


class Sessions:
    def __init__(self, keys: ServerKeys, principal_of: PrincipalOf) -> None:
        self._csrf_key = keys.derive("dashboard-csrf")
        self._principal_of = principal_of

    async def of(self, request: Request) -> OperatorSession:
        """The operator signed in on this browser; SignInRequired if none is."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            raise SignInRequired("sign in first")
        try:
            principal = await self._principal_of(token)
        except NotAuthenticated:
            raise SignInRequired("the session has expired; sign in again") from None
        if principal.role is not Role.OPERATOR:
            raise SignInRequired("only operators sign in to the dashboard")
        return OperatorSession(principal, self.csrf_token(token))

    async def find(self, request: Request) -> OperatorSession | None:
        try:
            return await self.of(request)
        except SignInRequired:
            return None

    def csrf_token(self, session_token: str) -> str:
        digest = hmac.new(self._csrf_key, session_token.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    @staticmethod
    def check(expected: str, submitted: object) -> None:
        """Refuse a form whose token is missing or is not `expected` (compared in constant time)."""
        if not isinstance(submitted, str) or not hmac.compare_digest(submitted.encode(), expected.encode()):
            raise ForgedRequest("the form does not carry this session's token")

    @staticmethod
    def start(request: Request, response: Response, token: str, max_age: int) -> None:
        _set(request, response, SESSION_COOKIE, token, max_age, PREFIX)
        response.delete_cookie(SIGN_IN_COOKIE, path=SIGN_IN_PATH)

    @staticmethod
    def end(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict")

    @staticmethod
    def pair_sign_in_form(request: Request, response: Response, form_token: str) -> None:
        _set(request, response, SIGN_IN_COOKIE, form_token, 3600, SIGN_IN_PATH)


def _set(request: Request, response: Response, name: str, value: str, max_age: int, path: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
