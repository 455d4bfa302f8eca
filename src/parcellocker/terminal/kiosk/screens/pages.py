"""Rendering the kiosk's pages: one Jinja2 environment per language, each with that language's catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from parcellocker.terminal.kiosk.screens.catalogues import LANGUAGES, translations


@dataclass(frozen=True, slots=True)
class Visitor:
    """What the person in front of the screen chose: language and accessibility mode (kept in cookies)."""

    language: str
    accessible: bool


class Pages:
    def __init__(self) -> None:
        self._environments = {language: _environment(language) for language in LANGUAGES}

    def render(self, template: str, visitor: Visitor, **context: Any) -> str:
        environment = self._environments[visitor.language]
        return environment.get_template(template).render(
            lang=visitor.language, languages=LANGUAGES, a11y=visitor.accessible, **context
        )


def _environment(language: str) -> Environment:
    environment = Environment(
        loader=PackageLoader("parcellocker.terminal.kiosk.screens", "templates"),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(translations(language), newstyle=False)  # type: ignore[attr-defined]
    return environment
