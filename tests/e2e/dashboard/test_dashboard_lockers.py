"""The list of lockers: each with its terminal's link status (and when it was last seen) and its fill per size."""

from __future__ import annotations

from dashboard_rigs import parse, signed_in_dashboard

from e2e.conftest import Site


def test_the_list_shows_each_lockers_fill_level_per_size(site: Site) -> None:
    locker = site.new_locker("S:2,M:2,L:1")
    quiet = site.new_locker("S:1")  # its terminal never calls
    site.store(locker, "S")  # its terminal reports the door closed over the HTTP link: it is seen
    site.announce(locker.id, "M")  # announced only: nothing in the locker yet
    with signed_in_dashboard(site) as browser:
        page = parse(browser.get("/lockers").text)
    row = page.by_testid(f"locker-{locker.id}")
    fills = {li.attrs["data-testid"]: (li.attrs["data-in-use"], li.attrs["data-total"]) for li in row.find_all("li")}
    assert fills == {"fill-S": ("1", "2"), "fill-M": ("0", "2"), "fill-L": ("0", "1")}
    assert row.attrs["data-status"] == "online"
    assert row.by_testid("last-seen").attrs["data-last-seen"] and row.by_testid("last-seen").text.startswith("seen ")
    assert "E2E locker" in row.text and locker.id in row.text
    quiet_row = page.by_testid(f"locker-{quiet.id}")
    assert quiet_row.attrs["data-status"] == "offline"
    assert quiet_row.by_testid("last-seen").text == "not seen on the HTTP link"


def test_a_deposit_under_way_counts_as_in_use(site: Site) -> None:
    locker = site.new_locker("M:2")
    shipment = site.announce(locker.id, "M")
    tracking_number = shipment["tracking_number"]
    opened = site.courier().post(f"/lockers/{locker.id}/deposits", json={"tracking_number": tracking_number})
    assert opened.status_code == 200
    with signed_in_dashboard(site) as browser:
        row = parse(browser.get("/lockers").text).by_testid(f"locker-{locker.id}")
    assert row.by_testid("fill-M").attrs["data-in-use"] == "1"


def test_the_list_comes_a_page_at_a_time_from_the_locker_after_the_last_one(site: Site) -> None:
    first, second = sorted((site.new_locker("S:1"), site.new_locker("M:1")), key=lambda locker: locker.id)
    with signed_in_dashboard(site) as browser:
        whole = parse(browser.get("/lockers").text)
        after_first = parse(browser.get("/lockers", params={"after": first.id}).text)
    ids = [row.attrs["data-testid"] for row in whole.find_all("tr") if row.attrs.get("data-testid")]
    assert ids == sorted(ids) and f"locker-{first.id}" in ids and f"locker-{second.id}" in ids
    assert not whole.find_all(data_testid="first-page") and not whole.find_all(data_testid="next-page")
    later = [row.attrs["data-testid"] for row in after_first.find_all("tr") if row.attrs.get("data-testid")]
    assert later == [locker for locker in ids if locker > f"locker-{first.id}"] and f"locker-{second.id}" in later
    assert after_first.by_testid("first-page").attrs["href"].endswith("/lockers")
