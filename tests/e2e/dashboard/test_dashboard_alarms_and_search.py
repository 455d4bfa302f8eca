"""The alarm feed with its acknowledgements, and finding a shipment by its tracking number, on the dashboard."""

from __future__ import annotations

from dashboard_rigs import parse, post_form, signed_in_dashboard

from e2e.conftest import Site


def test_an_operator_acknowledges_a_forced_door_once(site: Site) -> None:
    locker = site.new_locker("S:1")
    site.door(locker, 1, "open")
    (alarm,) = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    with signed_in_dashboard(site) as browser:
        row = parse(browser.get("/alarms?show=open").text).by_testid(f"alarm-{alarm['id']}")
        assert (row.attrs["data-kind"], row.attrs["data-acknowledged"]) == ("forced_door", "no")
        assert "compartment 1 opened without a command" in row.text

        forged = browser.post(f"/alarms/{alarm['id']}/acknowledge", data={"csrf_token": "nope"})
        assert forged.status_code == 403
        reply = post_form(browser, "/alarms", f"/alarms/{alarm['id']}/acknowledge", {"show": "open"})
        assert (reply.status_code, reply.headers["location"]) == (303, "/dashboard/alarms?show=open")
        open_feed = parse(browser.get("/alarms?show=open").text)
        assert not open_feed.find_all(data_testid=f"alarm-{alarm['id']}")
        assert open_feed.by_testid("notice").text.startswith("Alarm acknowledged")
        row = parse(browser.get("/alarms").text).by_testid(f"alarm-{alarm['id']}")
        assert row.attrs["data-acknowledged"] == "yes"
        assert f"by operator:{site.server.seeded.operator_id}" in row.text

        again = post_form(browser, "/alarms", f"/alarms/{alarm['id']}/acknowledge", {})
        assert again.status_code == 303
        assert "already acknowledged" in parse(browser.get("/alarms").text).by_testid("notice").text
    (kept,) = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    assert kept["acknowledged_by"] == f"operator:{site.server.seeded.operator_id}"


def test_a_shipment_is_found_with_its_state_compartment_and_history(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, number = site.store(locker)
    with signed_in_dashboard(site) as browser:
        page = parse(browser.get("/shipments", params={"tracking_number": shipment["tracking_number"]}).text)
        missing = parse(browser.get("/shipments", params={"tracking_number": "NO-SUCH-PARCEL"}).text)
        empty = browser.get("/shipments")
    found = page.by_testid(f"shipment-{shipment['id']}")
    assert found.attrs["data-state"] == "stored"
    assert found.by_testid("compartment").text == str(number)
    steps = [row.text for row in found.find_all("tr")][1:]
    assert len(steps) == 2
    assert "— → announced" in steps[0] and "carrier:" in steps[0]
    assert "announced → stored" in steps[1] and "door closed on the parcel" in steps[1]
    assert missing.by_testid("no-shipment").text == "No shipment has the tracking number NO-SUCH-PARCEL."
    assert empty.status_code == 200
