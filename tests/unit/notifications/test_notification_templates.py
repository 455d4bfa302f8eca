"""The words of the notifications (a stored parcel, its reminder, its expiry): shipped templates in four languages,
English for the rest, operator's files first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from notification_samples import SECRETS, a_locker, a_notification, a_stored_parcel

from parcellocker.adapters.notifications.library import (
    SHIPPED_TEMPLATES,
    TemplateLibrary,
    TemplateProblem,
    language_candidates,
)
from parcellocker.adapters.notifications.messages import compose
from parcellocker.adapters.notifications.port import Message, NotificationFailed

SHIPPED = TemplateLibrary()
TEMPLATES = ("parcel_stored", "reminder", "expired", "dropoff_code", "rental_code", "rental_to_collect")
EXTEND_URL = "http://127.0.0.1:8000/extend/plx.eyJzIjoiUy0xIn0.bGluaw"
WITH_LINK = {**SECRETS, "extend_url": EXTEND_URL}
# What each language says before the code, and the deadline (14:30 in Warsaw) as it writes it.
LANGUAGES = {
    "en": ("Pickup code: 804213", "Sat, Nov 28, 2026, 2:30 PM CET", "Nov 28, 2:30 PM"),
    "pl": ("Kod odbioru: 804213", "sob., 28 lis 2026, 14:30 CET", "28 lis, 14:30"),
    "de": ("Abholcode: 804213", "Sa., 28. Nov. 2026, 14:30 CET", "28. Nov., 14:30"),
    "zh": ("取件码：804213", "2026年11月28日周六 14:30 CET", "11月28日 14:30"),
}


def _message(
    channel: str,
    language: str,
    library: TemplateLibrary = SHIPPED,
    *,
    template: str = "parcel_stored",
    secrets: dict[str, str] = SECRETS,
    **locker: str,
) -> Message:
    notification = a_notification(channel, language, template)
    return compose(library, notification, secrets, a_stored_parcel(), a_locker(**locker))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_email_tells_the_code_locker_opening_hours_and_local_deadline_in_each_language(language: str) -> None:
    code_line, deadline, _ = LANGUAGES[language]
    message = _message("email", language)
    assert message.html is not None and message.qr_image_cid is not None
    for part in (message.text, message.html):
        assert SECRETS["code"] in part
        assert "Dworzec Centralny" in part
        assert "Aleje Jerozolimskie 54, Warszawa" in part
        assert "Mon-Sat 6:00-22:00" in part
        assert deadline in part
    assert code_line in message.text
    assert SECRETS["qr"] in message.text  # for a mail program that shows no pictures
    assert f'src="cid:{message.qr_image_cid}"' in message.html
    assert f'<html lang="{language}">' in message.html
    assert "Dworzec Centralny" in message.subject and "\n" not in message.subject
    assert (message.code, message.qr_token, message.language) == (SECRETS["code"], SECRETS["qr"], language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sms_is_one_short_line_with_the_code_and_deadline(language: str) -> None:
    _, _, deadline_short = LANGUAGES[language]
    message = _message("sms", language)
    assert SECRETS["code"] in message.text and deadline_short in message.text
    assert "\n" not in message.text and SECRETS["qr"] not in message.text
    assert len(message.text) <= 120
    assert message.html is None and message.qr_image_cid is None


def test_the_shipped_templates_have_every_part_in_every_language_and_all_compile() -> None:
    for template in TEMPLATES:
        for language in LANGUAGES:
            parts = {path.name for path in (SHIPPED_TEMPLATES / template / language).iterdir()}
            assert parts == {"subject.txt", "body.txt", "body.html", "sms.txt"}, (template, language)
    shipped = {path.name for path in SHIPPED_TEMPLATES.iterdir() if not path.name.startswith("_")}
    assert shipped == set(TEMPLATES)
    parts = {
        path.relative_to(SHIPPED_TEMPLATES / "_parts").as_posix()
        for path in (SHIPPED_TEMPLATES / "_parts").rglob("*.*")
    }
    assert parts == {f"{language}/pickup_details.html" for language in LANGUAGES}
    assert SHIPPED.check() == len(TEMPLATES) * 4 * 4 + 1 + len(LANGUAGES)  # the e-mail layout, the shared parts


@pytest.mark.parametrize("template", ["parcel_stored", "reminder"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_waiting_parcels_email_offers_the_extension_link_while_its_payload_has_one(
    template: str, language: str
) -> None:
    code_line, deadline, _ = LANGUAGES[language]
    offered = _message("email", language, template=template, secrets=WITH_LINK)
    assert offered.html is not None and offered.qr_image_cid is not None
    assert EXTEND_URL in offered.text and f'href="{EXTEND_URL}"' in offered.html
    assert code_line in offered.text and deadline in offered.text and deadline in offered.html
    assert SECRETS["qr"] in offered.text and f'src="cid:{offered.qr_image_cid}"' in offered.html
    assert f'<html lang="{language}">' in offered.html and "\n" not in offered.subject
    used = _message("email", language, template=template)  # extended already: no link
    assert "/extend/" not in used.text and "/extend/" not in (used.html or "") and "href=" not in (used.html or "")
    assert code_line in used.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reminder_names_the_locker_and_the_deadline_and_its_sms_is_short(language: str) -> None:
    _, _, deadline_short = LANGUAGES[language]
    email = _message("email", language, template="reminder", secrets=WITH_LINK)
    assert "PL123456789" in email.subject and deadline_short in email.subject
    assert "Dworzec Centralny" in email.text and "Mon-Sat 6:00-22:00" in email.text
    sms = _message("sms", language, template="reminder", secrets=WITH_LINK)
    assert SECRETS["code"] in sms.text and deadline_short in sms.text and "Dworzec Centralny" in sms.text
    assert "\n" not in sms.text and EXTEND_URL not in sms.text and len(sms.text) <= 120


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_expiry_notice_carries_no_code_and_no_picture(language: str) -> None:
    _, deadline, deadline_short = LANGUAGES[language]
    email = _message("email", language, template="expired", secrets={})
    assert email.html is not None and email.qr_image_cid is None and "<img" not in email.html
    assert (email.code, email.qr_token) == ("", "")
    for part in (email.text, email.html):
        assert "PL123456789" in part and "Dworzec Centralny" in part and deadline in part
    assert "PL123456789" in email.subject and "\n" not in email.subject
    sms = _message("sms", language, template="expired", secrets={})
    assert "PL123456789" in sms.text and deadline_short in sms.text and "\n" not in sms.text and len(sms.text) <= 120


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pl", ["pl", "en"]),
        ("pl-PL", ["pl-pl", "pl", "en"]),
        ("zh_Hans_CN", ["zh-hans-cn", "zh-hans", "zh", "en"]),
        ("EN", ["en"]),
        ("../etc", ["en"]),
        ("", ["en"]),
    ],
)
def test_a_language_tag_is_tried_from_most_to_least_specific_then_english(tag: str, expected: list[str]) -> None:
    assert language_candidates(tag) == expected


@pytest.mark.parametrize(("tag", "says"), [("pl-PL", "Kod odbioru"), ("zh-Hans", "取件码"), ("fr", "Pickup code")])
def test_a_regional_tag_gets_its_language_and_an_unknown_language_gets_english(tag: str, says: str) -> None:
    assert says in _message("email", tag).text
    assert says.split()[0] in _message("email", tag).html  # type: ignore[operator]


def test_html_escapes_what_the_text_part_shows_as_it_is() -> None:
    message = _message("email", "en", name="Tom & Jerry <Hall B>")
    assert "Tom & Jerry <Hall B>" in message.text
    assert message.html is not None and "Tom &amp; Jerry &lt;Hall B&gt;" in message.html
    assert "<Hall B>" not in message.html


def test_the_operators_folder_overrides_one_file_and_the_rest_stays_as_shipped(tmp_path: Path) -> None:
    _write(tmp_path / "parcel_stored/en/sms.txt", "ACME: code {{ code }} at {{ locker.name }}\n")
    _write(tmp_path / "parcel_stored/pl/subject.txt", "Paczka od ACME: {{ tracking_number }}\n")
    library = TemplateLibrary(tmp_path)

    assert _message("sms", "en", library).text == "ACME: code 804213 at Dworzec Centralny"
    assert _message("email", "pl", library).subject == "Paczka od ACME: PL123456789"
    assert _message("email", "pl", library).text == _message("email", "pl").text  # not overridden
    assert _message("sms", "pl", library).text == _message("sms", "pl").text  # Polish is still shipped
    assert _message("sms", "fr", library).text == "ACME: code 804213 at Dworzec Centralny"  # via English


def test_the_operators_folder_can_bring_a_language_and_restyle_every_email(tmp_path: Path) -> None:
    _write(tmp_path / "parcel_stored/fr/subject.txt", "Votre colis {{ tracking_number }}")
    _write(tmp_path / "parcel_stored/fr/body.txt", "Code de retrait : {{ code }}")
    layout = (SHIPPED_TEMPLATES / "_layouts/email.html").read_text()
    _write(tmp_path / "_layouts/email.html", layout.replace("<body", "<!-- ACME --><body"))
    library = TemplateLibrary(tmp_path)

    french = _message("email", "fr", library)
    assert (french.subject, french.text) == ("Votre colis PL123456789", "Code de retrait : 804213")
    assert french.html is not None and "Pickup code" in french.html  # no French body.html: the English one
    assert "<!-- ACME -->" in french.html
    assert "<!-- ACME -->" in (_message("email", "de", library).html or "")


def test_an_edited_file_is_used_without_a_restart(tmp_path: Path) -> None:
    sms = tmp_path / "parcel_stored/en/sms.txt"
    _write(sms, "first {{ code }}")
    library = TemplateLibrary(tmp_path)
    assert _message("sms", "en", library).text == "first 804213"
    _write(sms, "second {{ code }}")
    later = os.stat(sms).st_mtime + 2
    os.utime(sms, (later, later))
    assert _message("sms", "en", library).text == "second 804213"


def test_a_broken_file_is_named_by_the_check_and_fails_the_message_without_its_values(tmp_path: Path) -> None:
    _write(tmp_path / "parcel_stored/en/sms.txt", "code {{ code }\n")
    library = TemplateLibrary(tmp_path)
    with pytest.raises(TemplateProblem, match=r"parcel_stored/en/sms\.txt line 1: unexpected '}'"):
        library.check()
    with pytest.raises(NotificationFailed, match=r"parcel_stored/en/sms\.txt") as failed:
        _message("sms", "en", library)
    assert SECRETS["code"] not in str(failed.value)


def test_a_misspelt_name_fails_the_message_rather_than_leaving_a_gap(tmp_path: Path) -> None:
    _write(tmp_path / "parcel_stored/en/sms.txt", "Your code is {{ cod }}")
    with pytest.raises(TemplateProblem, match=r"parcel_stored/en/sms\.txt: 'cod' is undefined"):
        _message("sms", "en", TemplateLibrary(tmp_path))


def test_a_templates_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match="does not exist"):
        TemplateLibrary(tmp_path / "missing")


def test_a_template_nobody_wrote_is_a_clear_failure() -> None:
    with pytest.raises(TemplateProblem, match=r"no template reminder_of_nothing/en/subject\.txt"):
        compose(SHIPPED, a_notification(template="reminder_of_nothing"), SECRETS, a_stored_parcel(), a_locker())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
