"""Signing in to the dashboard and out of it, against the server as its own process (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import httpx
import pytest
from dashboard_rigs import dashboard_client, parse, post_form, signed_in_dashboard

from e2e.conftest import Site

PAGES = ["/lockers", "/lockers/DEMO-1", "/lockers/DEMO-1/compartments/1", "/alarms", "/shipments?tracking_number=X"]


def sign_in_form(client_page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', client_page)
    assert found, "the sign-in page has no form token"
    return found.group(1)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_sends_a_browser_without_a_session_to_sign_in_first(site: Site, page: str) -> None:
    with dashboard_client(site.server) as browser:
        reply = browser.get(page, headers={"Accept": "text/html"})
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/dashboard/sign-in?next=%2Fdashboard%2F")


def test_the_live_stream_and_the_actions_need_a_session_too(site: Site) -> None:
    with dashboard_client(site.server) as browser:
        stream = browser.get("/lockers/DEMO-1/live", headers={"Accept": "text/event-stream"})
        action = browser.post("/lockers/DEMO-1/compartments/1/out-of-order", data={"reason": "dirty"})
        acknowledge = browser.post("/alarms/some-alarm/acknowledge", data={})
    assert stream.status_code == 401
    assert stream.json()["error"]["code"] == "not_authenticated"
    assert (action.status_code, action.headers["location"]) == (303, "/dashboard/sign-in")
    assert (acknowledge.status_code, acknowledge.headers["location"]) == (303, "/dashboard/sign-in")


def test_an_operator_signs_in_with_the_form_and_gets_a_strict_http_only_cookie(site: Site) -> None:
    seeded = site.server.seeded
    with dashboard_client(site.server) as browser:
        form = browser.get("/sign-in", params={"next": "/dashboard/lockers"})
        assert form.status_code == 200
        reply = browser.post(
            "/sign-in",
            data={
                "form_token": sign_in_form(form.text),
                "next": "/dashboard/lockers",
                "operator_id": seeded.operator_id,
                "password": seeded.operator_password,
            },
        )
        assert (reply.status_code, reply.headers["location"]) == (303, "/dashboard/lockers")
        cookie = next(c for c in reply.headers.get_list("set-cookie") if c.startswith("plk_dashboard="))
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert {"httponly", "samesite=strict", "path=/dashboard"} <= attributes
        lockers = browser.get("/lockers")
    assert lockers.status_code == 200
    page = parse(lockers.text)
    assert page.by_testid("locker-DEMO-1").attrs["data-status"] == "offline"
    assert f"Signed in as {seeded.operator_id}" in page.text


def test_a_wrong_password_is_refused_with_a_clear_message_and_no_cookie(site: Site) -> None:
    with dashboard_client(site.server) as browser:
        form = browser.get("/sign-in")
        data = {"form_token": sign_in_form(form.text), "operator_id": site.server.seeded.operator_id, "password": "x"}
        reply = browser.post("/sign-in", data=data)
    assert reply.status_code == 401
    assert parse(reply.text).by_testid("sign-in-error").text == "Unknown operator or wrong password."
    assert not any(c.startswith("plk_dashboard=") for c in reply.headers.get_list("set-cookie"))


def test_a_sign_in_form_posted_from_another_site_is_refused(site: Site) -> None:
    seeded = site.server.seeded
    with dashboard_client(site.server) as browser:  # never loaded the form: no paired cookie
        reply = browser.post(
            "/sign-in",
            data={"form_token": "made-up", "operator_id": seeded.operator_id, "password": seeded.operator_password},
        )
    assert reply.status_code == 403
    assert "expired or came from elsewhere" in parse(reply.text).by_testid("sign-in-error").text


def test_the_dashboard_is_for_operators_only(site: Site) -> None:
    courier_token = site.courier().headers["Authorization"].removeprefix("Bearer ")
    with dashboard_client(site.server) as browser:
        browser.cookies.set("plk_dashboard", courier_token, domain="127.0.0.1", path="/dashboard")
        reply = browser.get("/lockers", headers={"Accept": "text/html"})
    assert reply.status_code == 303 and reply.headers["location"].startswith("/dashboard/sign-in")


def test_signing_out_takes_the_session_token_of_the_page_and_removes_the_cookie(site: Site) -> None:
    with signed_in_dashboard(site) as browser:
        forged = browser.post("/sign-out", data={"csrf_token": "guessed"})
        assert forged.status_code == 403
        assert browser.get("/lockers").status_code == 200  # still signed in
        reply = post_form(browser, "/lockers", "/sign-out", {})
        assert (reply.status_code, reply.headers["location"]) == (303, "/dashboard/sign-in")
        assert any(c.startswith('plk_dashboard=""') for c in reply.headers.get_list("set-cookie"))
        after = browser.get("/lockers", headers={"Accept": "text/html"})
    assert after.status_code == 303


def test_pages_are_sent_with_a_strict_content_security_policy(site: Site) -> None:
    with signed_in_dashboard(site) as browser:
        reply = browser.get("/lockers")
        script = browser.get("/static/dashboard.js")
    policy = reply.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert reply.headers["cache-control"] == "no-store"
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_the_servers_metrics_count_dashboard_requests_by_route_template(site: Site) -> None:
    with signed_in_dashboard(site) as browser:
        browser.get("/lockers/DEMO-1")
    metrics = httpx.get(site.server.base_url + "/metrics").text
    assert 'route="/dashboard/lockers/{locker_id}",status="200"' in metrics
    assert "DEMO-1" not in metrics
