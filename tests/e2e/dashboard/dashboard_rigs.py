"""An operator's browser without the browser: an HTTP client carrying the dashboard's cookie, the forms' tokens read
from the pages, and the pages parsed into their elements (found by `data-testid`)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx

from e2e.conftest import RunningServer, Site
from patience import SOON

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, with runs of white space made one space."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> list[str]:
        texts = list(self.parts)
        for child in self.children:
            texts.extend(child._texts())
        return texts

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in wanted.items()):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def by_testid(self, testid: str) -> Element:
        found = self.find_all(data_testid=testid)
        assert len(found) == 1, f"{len(found)} elements with data-testid={testid!r}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].parts.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with the session's token"
    return found.group(1)


def dashboard_client(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url + "/dashboard", timeout=30, follow_redirects=False)


def signed_in_dashboard(site: Site) -> httpx.Client:
    """A browser where the seeded operator is signed in. The dashboard keeps the operator's session token in its
    cookie; the token of the API's sign-in is the same (argon2 makes signing in slow, so it is done once)."""
    token = site.operator().headers["Authorization"].removeprefix("Bearer ")
    client = dashboard_client(site.server)
    client.cookies.set("plk_dashboard", token, domain="127.0.0.1", path="/dashboard")
    return client


def post_form(client: httpx.Client, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Load `page`, then post `data` to `action` with the token of the page's forms, as a browser would."""
    loaded = client.get(page)
    assert loaded.status_code == 200, loaded.text
    return client.post(action, data={"csrf_token": csrf_token(loaded.text), **data})


class EventStream:
    """The events of a server-sent event stream, read one at a time (comments and bare `retry:` skipped)."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.iter_lines()
        self.cells: dict[int, dict[str, Any]] = {}

    def next_event(self) -> tuple[str, dict[str, Any]]:
        name, data = "message", []
        for line in self._lines:
            if not line:
                if data:
                    return name, json.loads("\n".join(data))
                name = "message"
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        raise AssertionError("the stream ended")

    def until(self, wanted: Callable[[dict[int, dict[str, Any]]], bool], within: float = SOON) -> dict[int, Any]:
        """Read `cells` events until the cells seen so far (by number) satisfy `wanted`; the cells then."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            name, data = self.next_event()
            if name == "cells":
                self.cells.update({cell["number"]: cell for cell in data["cells"]})
                if wanted(self.cells):
                    return self.cells
        raise AssertionError(f"the stream did not show the change within {within} s; it shows {self.cells}")
