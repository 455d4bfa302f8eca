"""The kiosk's languages: every catalogue has every text of the templates, translated (English is the source),
with the same placeholders, and compiled in memory by Babel."""

from __future__ import annotations

import re

import pytest

from parcellocker.terminal.kiosk.screens.catalogues import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    read_catalogue,
    template_messages,
    translations,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TEMPLATE_IDS = {message.id for message in template_messages() if message.id}


def test_the_templates_have_texts_to_translate() -> None:
    assert {"Pick up a parcel", "Compartment %(number)s is open", "Tries left before a wait: %(tries)s"} <= TEMPLATE_IDS


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_catalogue_has_every_message_id_of_the_templates(language: str) -> None:
    catalogue = read_catalogue(language)
    missing = TEMPLATE_IDS - {message.id for message in catalogue if message.id}
    assert not missing, f"{language}/kiosk.po lacks {sorted(missing)} (run `make catalogues`, then translate)"


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != SOURCE_LANGUAGE])
def test_every_text_is_translated_with_the_same_placeholders(language: str) -> None:
    catalogue = read_catalogue(language)
    for message in catalogue:
        if not message.id or message.id not in TEMPLATE_IDS:
            continue
        assert isinstance(message.string, str) and message.string.strip(), f"{language}: {message.id!r} untranslated"
        assert not message.fuzzy, f"{language}: {message.id!r} is fuzzy"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(str(message.id))), (
            f"{language}: {message.id!r} → {message.string!r} changes the placeholders"
        )
    assert list(catalogue.check()) == []


def test_the_compiled_catalogues_translate_and_english_gives_the_ids_back() -> None:
    assert translations("pl").gettext("Pick up a parcel") == "Odbierz paczkę"
    assert translations("de").gettext("Compartment %(number)s is open") % {"number": 12} == "Fach 12 ist offen"
    assert translations("zh").gettext("Pick up a parcel") == "取件"
    assert translations("en").gettext("Pick up a parcel") == "Pick up a parcel"
    with pytest.raises(KeyError, match="does not speak"):
        translations("fr")
