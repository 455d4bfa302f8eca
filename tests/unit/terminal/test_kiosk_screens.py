"""The kiosk's pages as served: the language a person chose (and back to the kiosk's own after inactivity),
accessibility mode, "coming soon" for what has not landed, the drop-off code's screen, the picture of the locker,
and the demo's emulator panel passed on to the emulator's control."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from parcellocker.domain.cabinet import arrange
from parcellocker.domain.locker import parse_layout, plan_compartments
from parcellocker.domain.sizes import Size
from parcellocker.terminal.config import parse_config
from parcellocker.terminal.kiosk.screens import ScreenSettings, install_screens
from parcellocker.terminal.kiosk.screens.cabinet_picture import cabinet_picture
from parcellocker.terminal.kiosk.screens.emulator_control import EmulatorControl

LAYOUT = "S:10,M:6,L:2"
SIZES = {planned.number: planned.size for planned in plan_compartments(parse_layout(LAYOUT))}


def settings(**changes: Any) -> ScreenSettings:
    return ScreenSettings(**{"locker_id": "L-1", "compartment_sizes": SIZES, **changes})


def kiosk(screens: ScreenSettings, emulator: EmulatorControl | None = None) -> httpx.AsyncClient:
    app = FastAPI()
    install_screens(app, screens, emulator)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kiosk")


def page_settings(html: str) -> dict[str, Any]:
    start = html.index('<script type="application/json" id="kiosk-settings">') + len(
        '<script type="application/json" id="kiosk-settings">'
    )
    found: dict[str, Any] = json.loads(html[start : html.index("</script>", start)])
    return found


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with kiosk(settings(language="de", help_phone="+48 22 100 20 30")) as client:
        yield client


async def test_every_screen_starts_in_the_kiosks_language(client: httpx.AsyncClient) -> None:
    for path, text in (("/", "Paket abholen"), ("/pickup", "Fach öffnen"), ("/courier", "Zusteller-ID")):
        reply = await client.get(path)
        assert reply.status_code == 200
        assert '<html lang="de">' in reply.text and text in reply.text
        assert 'data-testid="lang-pl"' in reply.text and 'href="/lang/pl?next=' in reply.text


async def test_a_language_chosen_stays_until_the_kiosk_goes_home_after_inactivity(client: httpx.AsyncClient) -> None:
    switched = await client.get("/lang/pl", params={"next": "/courier?courier_id=c-1"})
    assert (switched.status_code, switched.headers["location"]) == (303, "/courier?courier_id=c-1")
    assert "Identyfikator kuriera" in (await client.get("/courier")).text
    assert "Odbierz paczkę" in (await client.get("/")).text

    idle = await client.get("/", params={"idle": "1"})
    assert '<html lang="de">' in idle.text
    assert "kiosk_lang=" in idle.headers["set-cookie"] and "Max-Age=0" in idle.headers["set-cookie"]
    assert '<html lang="de">' in (await client.get("/pickup")).text


async def test_a_language_the_kiosk_does_not_speak_or_an_address_elsewhere_is_refused(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.get("/lang/fr")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_language"
    for elsewhere in ("//evil.example/", "https://evil.example/", "\\\\evil"):
        reply = await client.get("/lang/en", params={"next": elsewhere})
        assert reply.headers["location"] == "/"


async def test_the_scripts_get_their_texts_and_settings_from_the_page(client: httpx.AsyncClient) -> None:
    html = (await client.get("/courier")).text
    strings_start = html.index('id="kiosk-strings">') + len('id="kiosk-strings">')
    strings = json.loads(html[strings_start : html.index("</script>", strings_start)])
    assert strings["compartment_open"] == "Fach %(number)s ist offen"
    assert strings["tries_left"] == "Verbleibende Versuche bis zur Wartezeit: %(tries)s"
    found = page_settings(html)
    assert (found["page"], found["language"], found["idle_seconds"]) == ("courier", "de", 120.0)
    assert found["help_phone"] == "+48 22 100 20 30" and found["reopen_seconds"] == 30.0
    assert page_settings((await client.get("/pickup")).text)["idle_seconds"] == 60.0


async def test_accessibility_mode_enlarges_the_page_and_asks_for_reachable_compartments(
    client: httpx.AsyncClient,
) -> None:
    client.cookies.set("kiosk_a11y", "1")
    html = (await client.get("/courier")).text
    assert 'class="page-courier a11y"' in html and 'aria-pressed="true"' in html
    assert 'data-testid="reachable-toggle" checked' in html
    client.cookies.delete("kiosk_a11y")
    assert 'data-testid="reachable-toggle">' in (await client.get("/courier")).text


async def test_renting_says_it_is_coming_soon(client: httpx.AsyncClient) -> None:
    html = (await client.get("/rent")).text
    assert 'data-testid="coming-soon">Demnächst verfügbar<' in html


async def test_sending_asks_for_the_drop_off_code_in_the_kiosks_language(client: httpx.AsyncClient) -> None:
    html = (await client.get("/send")).text
    assert 'data-testid="page-send"' in html and "coming-soon" not in html
    assert "Einlieferungscode" in html and 'data-testid="dropoff-submit"' in html
    assert 'data-testid="dropoff-does-not-fit">Das Paket passt nicht<' in html
    assert '<script src="/static/send.js"></script>' in html
    assert (await client.get("/static/send.js")).status_code == 200


async def test_the_courier_screen_offers_to_collect_the_listed_parcels(client: httpx.AsyncClient) -> None:
    html = (await client.get("/courier")).text
    assert 'data-collect-label="Abholen"' in html and 'data-testid="summary-collected"' in html
    assert "nicht verfügbar" not in html  # collecting here is no longer "not available yet"


async def test_the_stylesheet_and_scripts_are_served_by_the_kiosk_itself(client: httpx.AsyncClient) -> None:
    for page in ("/", "/pickup", "/courier"):
        assert "://" not in (await client.get(page)).text, f"{page} names an address elsewhere"
    for asset in ("/static/kiosk.css", "/static/kiosk.js", "/static/pickup.js", "/static/courier.js"):
        reply = await client.get(asset)
        assert reply.status_code == 200
        assert "://" not in reply.text, f"{asset} names an address elsewhere"


def test_the_picture_has_the_columns_of_the_cabinet() -> None:
    picture = cabinet_picture(SIZES)
    placements = {p.number: p for p in arrange(SIZES.items())}
    assert picture.columns == max(p.column for p in placements.values()) + 1 == 2
    doors = {door.number: door for door in picture.doors}
    assert sorted(doors) == list(range(1, 19))
    assert doors[1].y < doors[2].y and doors[1].x == doors[2].x  # number order, top down
    assert doors[17].x > doors[1].x  # the L doors stand in the next column
    assert all(door.y + door.height <= picture.ground_y for door in picture.doors)
    assert {door.number for door in picture.doors if door.reachable} == {
        number for number, p in placements.items() if p.reachable
    }


def test_the_kiosk_knows_its_compartments_sizes_from_the_layout_or_the_wiring_table() -> None:
    base: dict[str, Any] = {
        "locker_id": "L-1",
        "store": "t.db",
        "server": {"url": "http://127.0.0.1:8000", "terminal_key": "k"},
        "bus": {"url": "/dev/ttyUSB0", "protocol": "kerong"},
    }
    by_layout = parse_config({**base, "wiring": {"layout": "S:2,L:1"}})
    assert by_layout.wiring.compartment_sizes() == {1: Size.S, 2: Size.S, 3: Size.L}
    table = {"compartments": {"1": [0, 1], "2": [0, 2]}, "sizes": {"2": "XL"}}
    assert parse_config({**base, "wiring": table}).wiring.compartment_sizes() == {1: Size.M, 2: Size.XL}
    with pytest.raises(ValueError, match="sizes names compartments"):
        parse_config({**base, "wiring": {**table, "sizes": {"9": "S"}}})
    screens = ScreenSettings.from_config(
        parse_config({**base, "wiring": {"layout": "S:2"}, "kiosk": {"language": "zh"}})
    )
    assert (screens.language, screens.idle_seconds, screens.emulator_url) == ("zh", 60.0, None)


def emulator_answering(answer: Callable[[httpx.Request], httpx.Response]) -> tuple[EmulatorControl, list[str]]:
    asked: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        return answer(request)

    return EmulatorControl("http://127.0.0.1:8700", transport=httpx.MockTransport(handle)), asked


async def test_without_an_emulator_there_is_no_panel_and_no_demo_route(client: httpx.AsyncClient) -> None:
    assert 'data-testid="emulator-panel"' not in (await client.get("/")).text
    reply = await client.get("/demo/doors")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_a_demo"


async def test_the_demo_panel_lists_every_door_and_passes_the_emulators_answers_on() -> None:
    door = {"compartment": 3, "size": "S", "board": 0, "lock": 3, "door": "open", "locked": False}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/doors":
            return httpx.Response(200, json={"doors": [door]})
        if request.url.path == "/doors/99/open":
            return httpx.Response(404, json={"error": {"code": "unknown_compartment", "message": "no 99"}})
        return httpx.Response(200, json=door)

    control, asked = emulator_answering(answer)
    async with kiosk(settings(emulator_url="http://127.0.0.1:8700"), control) as client:
        html = (await client.get("/pickup")).text
        assert "Emulator – demo only" in html
        assert all(f'data-testid="emulator-door-{number}"' in html for number in range(1, 19))
        assert (await client.get("/demo/doors")).json() == {"doors": [door]}
        assert (await client.post("/demo/doors/3/close")).json() == door
        missing = await client.post("/demo/doors/99/open")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_compartment"
        wrong = await client.post("/demo/doors/3/explode")
        assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "unknown_action"
    assert asked == ["GET /doors", "POST /doors/3/close", "POST /doors/99/open"]


async def test_an_emulator_that_does_not_answer_is_a_502() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    control, _ = emulator_answering(refuse)
    async with kiosk(settings(emulator_url="http://127.0.0.1:8700"), control) as client:
        reply = await client.get("/demo/doors")
    assert reply.status_code == 502 and reply.json()["error"]["code"] == "emulator_unreachable"
