"""What an operator does to a compartment from the dashboard: out of order and back, and opening it from afar,
each a form carrying the session's token (a forged one changes nothing)."""

from __future__ import annotations

from typing import Any

from dashboard_rigs import parse, post_form, signed_in_dashboard

from e2e.conftest import Locker, Site


def compartment(site: Site, locker: Locker, number: int) -> dict[str, Any]:
    reply = site.operator().get(f"/lockers/{locker.id}")
    found: dict[str, Any] = next(c for c in reply.json()["compartments"] if c["number"] == number)
    return found


def test_an_operator_puts_a_compartment_out_of_order_and_back(site: Site) -> None:
    locker = site.new_locker("S:2")
    page = f"/lockers/{locker.id}/compartments/2"
    with signed_in_dashboard(site) as browser:
        taken = post_form(browser, page, f"{page}/out-of-order", {"reason": "door hinge broken"})
        assert (taken.status_code, taken.headers["location"]) == (303, f"/dashboard{page}")
        after = parse(browser.get(page).text)
        grid = parse(browser.get(f"/lockers/{locker.id}").text)
        assert after.by_testid("notice").text == "Compartment 2 is out of order: no parcel will be put in it."
        assert after.by_testid("compartment-card").attrs["data-state"] == "out_of_order"
        assert grid.by_testid("compartment-2").attrs["data-state"] == "out_of_order"
        assert "door hinge broken" in grid.by_testid("compartment-2").text
        assert compartment(site, locker, 2)["out_of_order_reason"] == "door hinge broken"

        back = post_form(browser, page, f"{page}/return-to-service", {})
        assert back.status_code == 303
        assert parse(browser.get(page).text).by_testid("notice").text == "Compartment 2 is back in service."
    assert compartment(site, locker, 2)["state"] == "free"


def test_a_compartment_holding_a_parcel_is_refused_and_told_why(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, number = site.store(locker)
    page = f"/lockers/{locker.id}/compartments/{number}"
    with signed_in_dashboard(site) as browser:
        refused = post_form(browser, page, f"{page}/out-of-order", {"reason": "dirty"})
        assert (refused.status_code, refused.headers["location"]) == (303, f"/dashboard{page}")
        notice = parse(browser.get(page).text).by_testid("notice").text
    assert notice.startswith(f"Nothing was done: compartment {number} holds parcel {shipment['tracking_number']}")
    assert compartment(site, locker, number)["state"] == "occupied"


def test_a_form_without_the_sessions_token_is_refused_and_changes_nothing(site: Site) -> None:
    locker = site.new_locker("S:1")
    action = f"/lockers/{locker.id}/compartments/1/out-of-order"
    with signed_in_dashboard(site) as browser:
        missing = browser.post(action, data={"reason": "dirty"})
        forged = browser.post(action, data={"reason": "dirty", "csrf_token": "x" * 43})
        opened = browser.post(f"/lockers/{locker.id}/compartments/1/open", data={"csrf_token": ""})
    assert (missing.status_code, forged.status_code, opened.status_code) == (403, 403, 403)
    assert "did not come from your dashboard session" in parse(forged.text).by_testid("error-message").text
    assert compartment(site, locker, 1)["state"] == "free"
    assert locker.terminal.get(f"/lockers/{locker.id}/commands").json() == []


def test_opening_from_afar_queues_the_terminals_command_and_shows_its_outcome(site: Site) -> None:
    locker = site.new_locker("S:1,M:1")
    page = f"/lockers/{locker.id}/compartments/2"
    with signed_in_dashboard(site) as browser:
        asked = post_form(browser, page, f"{page}/open", {})
        assert asked.status_code == 303
        location = asked.headers["location"]
        assert location.startswith(f"/dashboard{page}?command=")
        command_id = int(location.rpartition("=")[2])
        waiting = parse(browser.get(location.removeprefix("/dashboard")).text)
        assert waiting.by_testid("opening").attrs["data-status"] == "waiting"
        assert waiting.by_testid("notice").text == "The terminal was asked to open compartment 2."

        (command,) = locker.terminal.get(f"/lockers/{locker.id}/commands").json()
        assert (command["id"], command["kind"], command["body"]) == (command_id, "open_compartment", {"compartment": 2})
        assert site.door(locker, 2, "open")["outcome"] == "recorded"  # expected: no forced-door alarm
        acknowledged = locker.terminal.post(f"/lockers/{locker.id}/commands/{command_id}/ack", json={"outcome": "done"})
        assert acknowledged.status_code == 200

        progress = browser.get(f"/lockers/{locker.id}/openings/{command_id}", headers={"Accept": "application/json"})
        done = parse(browser.get(location.removeprefix("/dashboard")).text)
    assert progress.json()["status"] == "done" and progress.json()["finished"] is True
    assert progress.json()["text"].startswith("The terminal opened the door at ")
    assert done.by_testid("opening").attrs["data-status"] == "done"
    assert site.operator().get("/alarms", params={"locker_id": locker.id}).json() == []


def test_a_failed_opening_says_what_the_terminal_reported(site: Site) -> None:
    locker = site.new_locker("S:1")
    page = f"/lockers/{locker.id}/compartments/1"
    with signed_in_dashboard(site) as browser:
        location = post_form(browser, page, f"{page}/open", {}).headers["location"]
        command_id = int(location.rpartition("=")[2])
        locker.terminal.post(
            f"/lockers/{locker.id}/commands/{command_id}/ack", json={"outcome": "failed", "detail": "lock jammed"}
        )
        progress = browser.get(f"/lockers/{locker.id}/openings/{command_id}", headers={"Accept": "application/json"})
    assert progress.json()["status"] == "failed"
    assert progress.json()["text"].startswith("The door did not open: lock jammed")
