"""Who may do what: roles and scopes, checked at the start of each use case."""

from __future__ import annotations

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import Forbidden


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = " or ".join(role.value for role in roles)
        raise Forbidden(f"only a {allowed} may do this; you are signed in as a {principal.role.value}")


def require_terminal_of(principal: Principal, locker_id: str) -> None:
    require_role(principal, Role.TERMINAL)
    if principal.locker_id != locker_id:
        raise Forbidden(f"this terminal belongs to locker {principal.locker_id}, not {locker_id}")
