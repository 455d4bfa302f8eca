"""A locker's grid on the dashboard: the cabinet's doors with their hooks, and the live stream that carries each
door event the terminal sends through the API to the page within a second."""

from __future__ import annotations

import time

import httpx
from dashboard_rigs import EventStream, parse, signed_in_dashboard

from e2e.conftest import Site

STREAM_TIMEOUT = httpx.Timeout(10, read=3)  # the stream sends something at least every 15 s; a change at once


def test_the_grid_shows_every_compartment_with_its_state_and_door(site: Site) -> None:
    locker = site.new_locker("S:2,M:2,L:1")
    shipment, number = site.store(locker, "M")
    site.door(locker, 1, "open")  # forced: nothing was asked
    with signed_in_dashboard(site) as browser:
        page = parse(browser.get(f"/lockers/{locker.id}").text)
    cells = {n: page.by_testid(f"compartment-{n}") for n in range(1, 6)}
    assert {n: (cell.attrs["data-state"], cell.attrs["data-door"]) for n, cell in cells.items()} == {
        1: ("free", "open"),
        2: ("free", "closed"),
        number: ("occupied", "closed"),
        4: ("free", "closed"),
        5: ("free", "closed"),
    }
    assert shipment["tracking_number"] in cells[number].text
    assert page.by_testid("cabinet").attrs["data-live-url"] == f"/dashboard/lockers/{locker.id}/live"
    assert page.by_testid("grid-fill-M").attrs["data-in-use"] == "1"


def test_a_locker_that_does_not_exist_is_a_clear_404(site: Site) -> None:
    with signed_in_dashboard(site) as browser:
        page = browser.get("/lockers/NO-SUCH-LOCKER")
        stream = browser.get("/lockers/NO-SUCH-LOCKER/live", headers={"Accept": "text/event-stream"})
    assert page.status_code == 404
    assert parse(page.text).by_testid("error-message").text == "There is no locker NO-SUCH-LOCKER."
    assert (stream.status_code, stream.json()["error"]["code"]) == (404, "not_found")


def test_the_stream_carries_a_deposit_and_its_door_events_within_a_second(site: Site) -> None:
    locker = site.new_locker("S:2,M:1")
    with (
        signed_in_dashboard(site) as browser,
        browser.stream("GET", f"/lockers/{locker.id}/live", timeout=STREAM_TIMEOUT) as reply,
    ):
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        events = EventStream(reply)
        first = events.until(lambda cells: len(cells) == 3)
        assert {cell["state"] for cell in first.values()} == {"free"}

        shipment = site.announce(locker.id, "S")
        opened = site.courier().post(
            f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]}
        )
        number = opened.json()["compartment"]["number"]
        events.until(lambda cells: cells[number]["state"] == "reserved")

        sent = time.monotonic()
        site.door(locker, number, "open")
        events.until(lambda cells: cells[number]["door"] == "open")
        assert time.monotonic() - sent < 1.0

        sent = time.monotonic()
        site.door(locker, number, "closed")
        cells = events.until(lambda cells: cells[number]["door"] == "closed")
        assert time.monotonic() - sent < 1.0
    assert cells[number]["state"] == "occupied"
    assert cells[number]["tracking_number"] == shipment["tracking_number"]


def test_the_stream_sends_only_what_changed(site: Site) -> None:
    locker = site.new_locker("S:3")
    with (
        signed_in_dashboard(site) as browser,
        browser.stream("GET", f"/lockers/{locker.id}/live", timeout=STREAM_TIMEOUT) as reply,
    ):
        events = EventStream(reply)
        name, first = events.next_event()
        site.door(locker, 2, "open")
        name, change = events.next_event()
    assert name == "cells" and [cell["number"] for cell in first["cells"]] == [1, 2, 3]
    assert [(cell["number"], cell["door"]) for cell in change["cells"]] == [(2, "open")]
    assert change["fill"] == [{"size": "S", "in_use": 0, "total": 3}]
