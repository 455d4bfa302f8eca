"""SMS through an HTTP gateway: a JSON body made from the operator's template, POSTed with their auth header."""

from __future__ import annotations

import json
from dataclasses import dataclass
from string import Template
from typing import Any
from urllib.parse import urlsplit

import httpx

from parcellocker.adapters.notifications.port import Message, NotificationFailed, Notifier

DEFAULT_BODY = '{"to": "$phone", "text": "$text"}'
PLACEHOLDERS = frozenset({"phone", "text", "notification_id"})


class SmsBodyTemplate:
    """JSON whose strings may hold `$phone`, `$text` and `$notification_id` (`$$` for a dollar sign). The values
    go in after the JSON is parsed, so that a quote or a line break in a text cannot break the body."""

    def __init__(self, text: str) -> None:
        try:
            self._shape: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"the SMS gateway's body template is not JSON: {error.msg} at column {error.colno}"
            ) from None
        templates = list(_strings(self._shape))
        if not all(template.is_valid() for template in templates):
            raise ValueError("the SMS gateway's body template has a lone '$' (write $$ for a dollar sign)")
        used = {name for template in templates for name in template.get_identifiers()}
        if unknown := used - PLACEHOLDERS:
            raise ValueError(
                f"the SMS gateway's body template names unknown placeholders: ${', $'.join(sorted(unknown))}"
            )
        if missing := {"phone", "text"} - used:
            raise ValueError(f"the SMS gateway's body template needs ${' and $'.join(sorted(missing))}")

    def fill(self, **values: str) -> Any:
        return _filled(self._shape, values)


@dataclass(frozen=True, slots=True)
class SmsGateway:
    url: str  # may hold a key in its query: it is never logged, only its scheme, host and port
    body: SmsBodyTemplate
    auth_header: str | None = None  # e.g. "Authorization"
    auth_value: str | None = None  # e.g. "Bearer …"; never logged
    timeout: float = 10.0

    @property
    def where(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


class SmsGatewayNotifier(Notifier):
    """Sends SMS notifications; a timeout, an unreachable gateway or any answer but 2xx is NotificationFailed."""

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway
        headers = {gateway.auth_header: gateway.auth_value or ""} if gateway.auth_header else {}
        self._client = httpx.AsyncClient(headers=headers, timeout=gateway.timeout, follow_redirects=False)

    async def send(self, message: Message) -> None:
        if message.channel != "sms":
            raise NotificationFailed(f"the SMS gateway sends SMS, not {message.channel}")
        gateway = self.gateway
        body = gateway.body.fill(phone=message.to, text=message.text, notification_id=message.notification_id)
        try:
            response = await self._client.post(gateway.url, json=body)
        except httpx.TimeoutException:
            raise NotificationFailed(
                f"the SMS gateway {gateway.where} did not answer within {gateway.timeout:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise NotificationFailed(f"cannot reach the SMS gateway {gateway.where} ({type(error).__name__})") from None
        if not response.is_success:
            raise NotificationFailed(f"the SMS gateway {gateway.where} answered {response.status_code}")

    async def close(self) -> None:
        await self._client.aclose()


def _strings(shape: Any) -> list[Template]:
    if isinstance(shape, str):
        return [Template(shape)]
    if isinstance(shape, dict):
        shape = list(shape.values())
    if isinstance(shape, list):
        return [template for item in shape for template in _strings(item)]
    return []


def _filled(shape: Any, values: dict[str, str]) -> Any:
    if isinstance(shape, str):
        return Template(shape).substitute(values)
    if isinstance(shape, dict):
        return {key: _filled(item, values) for key, item in shape.items()}
    if isinstance(shape, list):
        return [_filled(item, values) for item in shape]
    return shape
