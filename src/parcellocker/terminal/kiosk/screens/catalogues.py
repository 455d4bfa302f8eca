"""The kiosk's texts in each language: gettext catalogues, `src/parcellocker/locales/<lang>/LC_MESSAGES/kiosk.po`,
compiled in memory with Babel when first needed (no .mo files to build or ship).

The message ids are the English texts of the templates (`_("…")`); placeholders are `%(name)s`, filled by the
template (`|format`) or, for the few texts the page's JavaScript shows, by the script itself.

After changing the templates, bring every catalogue up to date (new ids added empty, old ones marked obsolete):

    make catalogues

then translate the new entries; a test fails while any catalogue lacks one of the templates' ids.
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

DOMAIN = "kiosk"
LANGUAGES: dict[str, str] = {"en": "English", "pl": "Polski", "de": "Deutsch", "zh": "中文"}
"""Each language the kiosk speaks, with its name in itself (as its button shows it)."""
SOURCE_LANGUAGE = "en"
"""The language of the message ids: its catalogue may leave them untranslated."""


def locales() -> Traversable:
    return files("parcellocker") / "locales"


def templates() -> Traversable:
    return files("parcellocker.terminal.kiosk.screens") / "templates"


def read_catalogue(language: str) -> Catalog:
    """The catalogue of `language` as its .po file says it."""
    with (locales() / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


@functools.cache
def translations(language: str) -> Translations:
    """`language`'s catalogue, compiled; raises KeyError for a language the kiosk does not speak."""
    if language not in LANGUAGES:
        raise KeyError(f"the kiosk does not speak {language!r}; it speaks {', '.join(LANGUAGES)}")
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(language))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def template_messages() -> Catalog:
    """Every message id of the templates, with where it is used."""
    catalogue = Catalog(domain=DOMAIN, project="parcellocker kiosk", charset="utf-8")
    for template in _template_files(templates()):
        with template.open("rb") as source:
            found = extract(
                "jinja2.ext:babel_extract", source, options={"extensions": "jinja2.ext.i18n", "trimmed": "true"}
            )
            for line, message, comments, context in found:
                catalogue.add(message, locations=[(template.name, line)], auto_comments=comments, context=context)
    return catalogue


def update_catalogues(folder: Path) -> list[Path]:
    """Merge the templates' ids into each language's .po under `folder` (the source tree's locales/)."""
    template = template_messages()
    written = []
    for language in LANGUAGES:
        path = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.exists():
            with path.open("rb") as po:
                catalogue = read_po(po, locale=language, domain=DOMAIN)
        else:
            catalogue = Catalog(
                locale=language,
                domain=DOMAIN,
                project="parcellocker kiosk",
                header_comment=f"# {LANGUAGES[language]}: the texts of the parcellocker kiosk (make catalogues).\n#",
                msgid_bugs_address="the parcellocker issue tracker",
                last_translator="the parcellocker authors",
                language_team=f"{LANGUAGES[language]} <parcellocker>",
                fuzzy=False,
            )
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalogue, width=120, omit_header=False, ignore_obsolete=True, sort_output=False)
        written.append(path)
    return written


def _template_files(folder: Traversable) -> Iterator[Traversable]:
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.is_dir():
            yield from _template_files(entry)
        elif entry.name.endswith(".html"):
            yield entry


def main() -> None:
    """`make catalogues`: update the catalogues of the source tree this module is in."""
    source_tree = Path(__file__).resolve().parents[3] / "locales"
    for path in update_catalogues(source_tree):
        sys.stdout.write(f"updated {path}\n")
