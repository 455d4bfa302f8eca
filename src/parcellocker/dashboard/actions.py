"""A form's action: run one use case, then send the browser back to the page with what came of it (Post/Redirect/
Get), so that reloading the page never repeats the action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.responses import RedirectResponse

from parcellocker.dashboard.pages import Notice, redirect
from parcellocker.domain.errors import DomainError

T = TypeVar("T")


async def carried_out(
    back_to: str, action: Awaitable[T], told: Callable[[T], str], then: Callable[[T], str] | None = None
) -> RedirectResponse:
    """To `then(result)` (or back to `back_to`) telling `told(result)`; when the use case refuses, back to
    `back_to` telling why, with nothing done."""
    try:
        result = await action
    except DomainError as refused:
        return redirect(back_to, Notice("error", f"Nothing was done: {refused.message}."))
    return redirect(back_to if then is None else then(result), Notice("done", told(result)))
