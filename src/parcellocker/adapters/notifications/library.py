"""The words of every notification: Jinja2 templates shipped in the package, which an operator's folder overrides.

A template is a folder `<template>/<language>/` holding the parts `subject.txt`, `body.txt`, `body.html` (e-mail)
and `sms.txt` (SMS). Each part is looked for, in this order: in the operator's folder for the recipient's language,
in the shipped templates for it, then the same two places for English. So an operator changes one file of one
language by putting just that file in their folder; everything else stays as shipped. Files are read again when
they change, so an edit takes effect without a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplatesNotFound,
    TemplateSyntaxError,
    select_autoescape,
)

from parcellocker.adapters.notifications.port import NotificationFailed

SHIPPED_TEMPLATES = Path(__file__).parent / "templates"
FALLBACK_LANGUAGE = "en"
EMAIL_PARTS = ("subject.txt", "body.txt", "body.html")
SMS_PART = "sms.txt"

_TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")


class TemplateProblem(NotificationFailed):
    """A template is missing or does not render. Its text names the file and the fault, never the values; the
    outbox tries the message again later, when the operator may have mended the file."""


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None  # None when no language of the template has a body.html


def language_candidates(language: str) -> list[str]:
    """The template languages to try for a recipient's language tag, best first: "pt-BR" → pt-br, pt, en."""
    tag = language.strip().lower().replace("_", "-")
    candidates = []
    if _LANGUAGE_TAG.match(tag):
        parts = tag.split("-")
        candidates = ["-".join(parts[:end]) for end in range(len(parts), 0, -1)]
    return [*dict.fromkeys([*candidates, FALLBACK_LANGUAGE])]


class TemplateLibrary:
    """Renders a template's parts for a language; `override_dir` (the operator's folder) wins file by file."""

    def __init__(self, override_dir: Path | None = None) -> None:
        if override_dir is not None and not override_dir.is_dir():
            raise TemplateProblem(f"the templates folder {override_dir} does not exist (PARCELLOCKER_TEMPLATES_DIR)")
        folders = [override_dir] if override_dir is not None else []
        self.folders: list[Path] = [*folders, SHIPPED_TEMPLATES]
        self._env = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder) for folder in self.folders]),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            undefined=StrictUndefined,  # a misspelt name fails the message rather than leaving a gap in it
            keep_trailing_newline=True,
            auto_reload=True,
        )

    def render_email(self, template: str, language: str, context: dict[str, Any]) -> RenderedEmail:
        subject = _render(self._need(template, language, "subject.txt"), context)
        text = _render(self._need(template, language, "body.txt"), context)
        html_template = self._find(template, language, "body.html")
        html = None if html_template is None else _render(html_template, context)
        return RenderedEmail(" ".join(subject.split()), text, html)

    def render_sms(self, template: str, language: str, context: dict[str, Any]) -> str:
        text = _render(self._need(template, language, SMS_PART), context)
        return " ".join(text.split())  # one line: a line break costs a character of a short message

    def check(self) -> int:
        """Compile every template file the library can see; returns how many. Raises TemplateProblem naming the
        first file that does not compile, so that a broken file stops the server at start rather than a message."""
        names = self._env.list_templates(filter_func=lambda name: not name.startswith("."))
        for name in names:
            try:
                self._env.get_template(name)
            except TemplateError as error:
                raise _problem(name, error) from None
        return len(names)

    def _find(self, template: str, language: str, part: str) -> Template | None:
        """The part in the best language that has it, or None if none has."""
        if not _TEMPLATE_NAME.match(template):
            raise TemplateProblem(f"{template!r} is not a template name (lower-case letters, digits, underscores)")
        names = [f"{template}/{candidate}/{part}" for candidate in language_candidates(language)]
        try:
            return self._env.select_template(names)
        except (TemplatesNotFound, TemplateNotFound):
            return None
        except TemplateError as error:
            raise _problem(getattr(error, "name", None) or names[0], error) from None

    def _need(self, template: str, language: str, part: str) -> Template:
        found = self._find(template, language, part)
        if found is None:
            raise TemplateProblem(f"no template {template}/{FALLBACK_LANGUAGE}/{part} in {self._where()}")
        return found

    def _where(self) -> str:
        return " nor ".join(str(folder) for folder in self.folders)


def _render(template: Template, context: dict[str, Any]) -> str:
    try:
        return template.render(context)
    except TemplateError as error:
        raise _problem(template.name or "?", error) from None


def _problem(name: str, error: TemplateError) -> TemplateProblem:
    # Jinja's own message names the fault ("'cod' is undefined", "unexpected '}'"), never a value of the context.
    line = f" line {error.lineno}" if isinstance(error, TemplateSyntaxError) else ""
    return TemplateProblem(f"template {name}{line}: {error.message or type(error).__name__}")
