"""PARCELLOCKER_NOTIFIER and the SMTP and SMS gateway settings: what each choice wires, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from parcellocker.adapters.notifications.channels import ChannelNotifier
from parcellocker.adapters.notifications.library import TemplateProblem
from parcellocker.adapters.notifications.mailbox import MailboxNotifier
from parcellocker.adapters.notifications.port import Message, NotificationFailed, Notifier
from parcellocker.adapters.notifications.sms_gateway import SmsBodyTemplate, SmsGatewayNotifier
from parcellocker.adapters.notifications.smtp import SmtpNotifier, SmtpTls
from parcellocker.bootstrap import notifier_from, template_library_from
from parcellocker.config import Settings

SMTP = {"notifier": "smtp", "smtp_host": "mail.example.com", "smtp_sender": "Lockers <lockers@example.com>"}


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, **values)  # type: ignore[call-arg]


def _channels(notifier: Notifier | None) -> dict[str, Notifier]:
    assert isinstance(notifier, ChannelNotifier)
    return notifier.by_channel


def test_by_default_the_mailbox_takes_email_and_sms(tmp_path: Path) -> None:
    channels = _channels(notifier_from(_settings(tmp_path)))
    assert isinstance(channels["email"], MailboxNotifier) and channels["sms"] is channels["email"]
    assert channels["email"].mailbox_dir == tmp_path / "mailbox"  # type: ignore[attr-defined]


async def test_smtp_takes_email_and_the_gateway_sms_when_its_url_is_set(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        **SMTP,
        smtp_tls="tls",
        smtp_user="lockers",
        smtp_password="pw",
        sms_gateway_url="https://sms.example/v1",
    )
    channels = _channels(notifier_from(settings))
    smtp, sms = channels["email"], channels["sms"]
    assert isinstance(smtp, SmtpNotifier)
    assert (smtp.server.tls, smtp.server.where, smtp.server.password) == (SmtpTls.TLS, "mail.example.com:465", "pw")
    assert isinstance(sms, SmsGatewayNotifier) and sms.gateway.where == "https://sms.example"
    await sms.close()


async def test_with_smtp_and_no_gateway_an_sms_waits_saying_what_to_set(tmp_path: Path) -> None:
    notifier = notifier_from(_settings(tmp_path, **SMTP))
    sms = Message("n-1", "sms", "+48600100200", "", "text", "S-1", "TN-1", "L-1", "1", "q", datetime.now(UTC))
    assert notifier is not None
    with pytest.raises(NotificationFailed, match="no notifier sends sms messages: set PARCELLOCKER_SMS_GATEWAY_URL"):
        await notifier.send(sms)


def test_none_sends_nothing_from_this_process(tmp_path: Path) -> None:
    assert notifier_from(_settings(tmp_path, notifier="none", sms_gateway_url="https://sms.example/v1")) is None


def test_the_smtp_port_follows_the_tls_mode_unless_given() -> None:
    assert [mode.default_port for mode in SmtpTls] == [25, 587, 465]


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"notifier": "smtp"}, "PARCELLOCKER_NOTIFIER=smtp needs PARCELLOCKER_SMTP_HOST and PARCELLOCKER_SMTP_SENDER"),
        ({**SMTP, "smtp_user": "lockers"}, "set both PARCELLOCKER_SMTP_USER and PARCELLOCKER_SMTP_PASSWORD"),
        ({**SMTP, "smtp_tls": "ssl"}, "Input should be 'none', 'starttls' or 'tls'"),
        ({"notifier": "pigeon"}, "Input should be 'mailbox', 'smtp' or 'none'"),
        ({"sms_gateway_url": "sms.example/v1"}, "use the gateway's http:// or https:// URL"),
        ({"sms_gateway_auth_header": "Bad Header:"}, "an HTTP header name is letters, digits and -"),
        ({"sms_gateway_auth_value": "Bearer x\r\nX-Evil: 1"}, "cannot hold a line break"),
        ({"sms_gateway_body": '{"to": "$phone"'}, "body template is not JSON"),
        ({"sms_gateway_body": '{"to": "$phone", "text": "$txt"}'}, r"unknown placeholders: \$txt"),
        ({"sms_gateway_body": '{"to": "$phone"}'}, r"needs \$text"),
        ({"sms_gateway_body": '{"to": "$phone", "text": "$text", "fee": "5$"}'}, r"lone '\$'"),
    ],
)
def test_bad_notification_settings_are_refused_saying_what_is_wrong(
    tmp_path: Path, values: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValidationError, match=says):
        _settings(tmp_path, **values)


def test_the_sms_body_template_fills_strings_anywhere_in_the_json_and_keeps_the_rest() -> None:
    template = SmsBodyTemplate(
        '{"messages": [{"to": ["$phone"], "body": "$text", "ref": "n:$notification_id", "price": "$$0"}],'
        ' "flash": false}'
    )
    filled = template.fill(phone="+48600100200", text='Kod "1" \\ 2\nok', notification_id="n-1")
    assert filled == {
        "messages": [{"to": ["+48600100200"], "body": 'Kod "1" \\ 2\nok', "ref": "n:n-1", "price": "$0"}],
        "flash": False,
    }


def test_a_templates_folder_is_checked_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    (folder / "parcel_stored" / "en").mkdir(parents=True)
    (folder / "parcel_stored" / "en" / "body.txt").write_text("{% if %}")
    with pytest.raises(TemplateProblem, match=r"parcel_stored/en/body\.txt line 1"):
        template_library_from(_settings(tmp_path, templates_dir=folder))
    with pytest.raises(TemplateProblem, match="does not exist"):
        template_library_from(_settings(tmp_path, templates_dir=tmp_path / "nowhere"))
