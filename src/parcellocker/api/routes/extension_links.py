"""The page behind the link in a recipient's message that extends the pickup deadline: `GET` shows what the
extension would do and a button, `POST` (the button) extends. A GET never changes anything, since mail scanners
and link previews open links on their own. The words are in templates/recipient/extension.html."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from parcellocker.adapters.notifications.messages import babel_locale, long_local_time
from parcellocker.api.deps import ServicesDep
from parcellocker.api.errors import status_of
from parcellocker.api.routes.terminal_link import CommandBellDep
from parcellocker.domain.errors import DomainError
from parcellocker.security.extension_links import MAX_TOKEN_LENGTH
from parcellocker.service.extensions import ExtendByLink, ExtensionOffer, extend_by_link, read_extension_offer

router = APIRouter(prefix="/extend", tags=["recipients"])

_pages = Environment(
    loader=FileSystemLoader(FilePath(__file__).parent.parent / "templates" / "recipient"),
    autoescape=select_autoescape(default=True),
)
REFUSED_PAGES: dict[int | str, dict[str, Any]] = {
    404: {"description": "The link is not (or no longer) valid: the page says why.", "content": {"text/html": {}}},
    409: {"description": "Extended already, or past the deadline: the page says so.", "content": {"text/html": {}}},
}
Token = Annotated[str, Path(min_length=1, max_length=MAX_TOKEN_LENGTH, description="The token from the link.")]


@router.get(
    "/{token}",
    response_class=HTMLResponse,
    responses=REFUSED_PAGES,
    summary="The extension link's page (recipient)",
)
async def read_extension_page(token: Token, request: Request, services: ServicesDep) -> HTMLResponse:
    try:
        offer: ExtensionOffer = await services.read(read_extension_offer, ExtendByLink(token))
    except DomainError as error:
        return _refused(request, error)
    return _page("offer", offer)


@router.post(
    "/{token}",
    response_class=HTMLResponse,
    responses=REFUSED_PAGES,
    summary="Extend the pickup deadline with the link (recipient)",
)
async def create_extension_by_link(
    token: Token, request: Request, services: ServicesDep, bell: CommandBellDep
) -> HTMLResponse:
    try:
        offer: ExtensionOffer = await services.run(extend_by_link, ExtendByLink(token), _same)
    except DomainError as error:
        return _refused(request, error)
    bell.ring(offer.shipment.locker_id)  # its terminal fetches the new deadline
    return _page("done", offer)


def _page(view: str, offer: ExtensionOffer) -> HTMLResponse:
    timezone, lang = offer.locker.timezone, offer.shipment.recipient.language
    html = _pages.get_template("extension.html").render(
        view=view,
        lang=lang,
        tracking_number=offer.shipment.tracking_number,
        locker_name=offer.locker.name,
        locker_address=offer.locker.address,
        deadline=_local_time(offer.deadline, timezone, lang),
        extended_deadline=_local_time(offer.extended_deadline, timezone, lang),
    )
    return HTMLResponse(html)


def _local_time(moment: datetime, timezone: str, language: str) -> str:
    """As the recipient's messages give it: in the locker's time zone, written the way of `language`."""
    return long_local_time(moment.astimezone(ZoneInfo(timezone)), babel_locale(language))


def _refused(request: Request, error: DomainError) -> HTMLResponse:
    """The reason on the page, in the reader's language (the link may name no shipment to take it from)."""
    lang = "pl" if request.headers.get("accept-language", "").lower().startswith("pl") else "en"
    html = _pages.get_template("extension.html").render(
        view="refused", lang=lang, error_code=error.code, message=error.message
    )
    return HTMLResponse(html, status_code=status_of(error))


def _same(offer: ExtensionOffer) -> ExtensionOffer:
    return offer
