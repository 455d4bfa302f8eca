"""`parcellocker bench codes`: random pickup codes against one locker of a real server process, as fast as the
client can send them, while another locker serves legitimate pickups of stored parcels at the same time.

Both lockers hold parcels, so a guess could be right: without the lockout, 100,000 random six-digit codes against
`parcels` stored parcels would open about `codes × parcels / 10⁶` compartments. The run counts how the attacked
locker answered (opened, "not found", locked out with Retry-After), the lockout alarms the operator got, and each
legitimate pickup at the other locker with its latency, and the CPU the server process spent during the attack.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from parcellocker.aiohttp_transport import AiohttpTransport
from parcellocker.api_client import LockerApiClient
from parcellocker.bench.databases import DEFAULT_POSTGRES_ADMIN
from parcellocker.bench.process_footprint import sample_process
from parcellocker.bench.scratch_site import scratch_site
from parcellocker.domain.codes import generate_pickup_code
from parcellocker.sample_site import SampleLocker, SampleSite
from parcellocker.server_process import ServerProcess
from parcellocker.walkthrough import wait_for_pickup_code

LOCKER_LAYOUT = "S:60,M:30,L:10"
OPERATOR_PASSWORD = "bench-codes-operator"
BASELINE_PICKUPS = 3


@dataclass(frozen=True, slots=True)
class GuessingPlan:
    codes: int = 100_000
    concurrency: int = 50
    parcels: int = 40  # stored at each of the two lockers (at the other one, BASELINE_PICKUPS more)
    db: str = "sqlite"
    postgres_admin_url: str = DEFAULT_POSTGRES_ADMIN


@dataclass(slots=True)
class GuessingOutcome:
    plan: GuessingPlan
    seconds: float = 0.0
    answers: Counter[int] = field(default_factory=Counter)
    """How the attacked locker answered, by HTTP status."""
    retry_after_missing: int = 0
    """429 answers without a Retry-After header."""
    lockout_alarms: int = 0
    legitimate_opened: int = 0
    legitimate_failed: list[str] = field(default_factory=list)
    legitimate_latencies: list[float] = field(default_factory=list)
    baseline_latencies: list[float] = field(default_factory=list)
    """The same legitimate pickups before the attack began."""
    legitimate_during_attack: int = 0
    """Legitimate pickups that started while the attack was still running."""
    during_attack_latencies: list[float] = field(default_factory=list)
    """The latencies of those (a fast server may end the attack before the last recipients come)."""
    server_cpu_seconds: float = 0.0
    """User and system CPU of the server process from the attack's first code to its last answer."""

    @property
    def successes(self) -> int:
        return self.answers[200]

    @property
    def codes_per_second(self) -> float:
        return sum(self.answers.values()) / self.seconds if self.seconds else 0.0

    @property
    def server_cpu_ms_per_code(self) -> float:
        """The server's CPU during the attack over the codes it answered (the few legitimate pickups included)."""
        answered = sum(self.answers.values())
        return 1000 * self.server_cpu_seconds / answered if answered else 0.0


async def run_code_guessing(plan: GuessingPlan, progress: Callable[[str], None]) -> GuessingOutcome:
    site_at = scratch_site(
        plan.db, plan.postgres_admin_url, lockers=2, layout=LOCKER_LAYOUT, progress=progress,
        operator_password=OPERATOR_PASSWORD,
    )  # fmt: skip
    async with (
        site_at as scratch,
        ServerProcess(scratch.server_env) as server,
    ):  # 1 worker: uvicorn serves in this one process
        assert server.process is not None
        return await _attack_and_serve(
            plan, server.base_url, server.process.pid, scratch.site, scratch.mailbox, progress
        )


async def _attack_and_serve(
    plan: GuessingPlan,
    base_url: str,
    server_pid: int,
    site: SampleSite,
    mailbox: Path,
    progress: Callable[[str], None],
) -> GuessingOutcome:
    attacked, other = site.lockers
    connector = aiohttp.TCPConnector(limit=plan.concurrency + 10)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        anonymous = LockerApiClient(AiohttpTransport(http))
        parties = _Parties.of(anonymous, await anonymous.sign_in_courier(site.courier_id, site.courier_pin), site)
        progress(f"storing {plan.parcels} parcels at each of the two lockers")
        sequences = {locker.id: itertools.count(1) for locker in site.lockers}
        await _store_parcels(parties, attacked, plan.parcels, mailbox, sequences[attacked.id], "A")
        stored = await _store_parcels(
            parties, other, plan.parcels + BASELINE_PICKUPS, mailbox, sequences[other.id], "B"
        )
        outcome = GuessingOutcome(plan)
        before, stored = stored[:BASELINE_PICKUPS], stored[BASELINE_PICKUPS:]
        for parcel in before:  # the same pickups with no attack going on, to compare with
            latency = await _pick_up(parties.terminals[other.id], other.id, parcel, sequences[other.id])
            outcome.baseline_latencies.append(latency)
        progress(f"sending {plan.codes} random codes to {attacked.id} ({plan.concurrency} at a time)")
        started, cpu_before = time.monotonic(), sample_process(server_pid).cpu_seconds
        attack = asyncio.create_task(_guess(http, attacked, plan, outcome))
        await _pick_up_legitimately(parties, other, stored, sequences[other.id], attack, outcome)
        await attack
        outcome.seconds = time.monotonic() - started
        outcome.server_cpu_seconds = sample_process(server_pid).cpu_seconds - cpu_before
        outcome.lockout_alarms = await _lockout_alarms(anonymous, site, attacked.id)
        return outcome


async def _lockout_alarms(anonymous: LockerApiClient, site: SampleSite, locker_id: str) -> int:
    """How many lockout alarms the operator has of `locker_id`."""
    signed_in = await anonymous.post(
        "/api/v1/sessions/operator", {"operator_id": site.operator_id, "password": OPERATOR_PASSWORD}
    )
    operator = anonymous.as_party(signed_in["token"])
    alarms = await operator.get(f"/api/v1/alarms?{urlencode({'locker_id': locker_id})}")
    return sum(1 for alarm in alarms if alarm["kind"] == "lockout")


@dataclass(frozen=True, slots=True)
class _Parties:
    carrier: LockerApiClient
    courier: LockerApiClient
    terminals: dict[str, LockerApiClient]

    @classmethod
    def of(cls, anonymous: LockerApiClient, courier_token: str, site: SampleSite) -> _Parties:
        terminals = {locker.id: anonymous.as_party(locker.terminal_key) for locker in site.lockers}
        return cls(anonymous.as_party(site.carrier_key), anonymous.as_party(courier_token), terminals)


@dataclass(frozen=True, slots=True)
class _Stored:
    code: str
    compartment: int


async def _store_parcels(
    parties: _Parties,
    locker: SampleLocker,
    count: int,
    mailbox: Path,
    sequence: itertools.count[int],
    tag: str,
) -> list[_Stored]:
    """Announce, deposit and close the door on `count` parcels, then wait for their codes (all at once)."""
    terminal = parties.terminals[locker.id]
    addresses = []
    compartments = []
    for number in range(count):
        tracking_number = f"GUESS{tag}{number:05d}{secrets.token_hex(3).upper()}"
        address = f"{tracking_number.lower()}@bench.invalid"
        await parties.carrier.announce(tracking_number, locker.id, "S", address)
        opened = await parties.courier.deposit(locker.id, tracking_number)
        compartment = int(opened["compartment"]["number"])
        await terminal.door_event(locker.id, compartment, "closed", next(sequence))
        addresses.append(address)
        compartments.append(compartment)
    codes = await asyncio.gather(*(wait_for_pickup_code(mailbox, address, within=60) for address in addresses))
    return [_Stored(code, compartment) for code, compartment in zip(codes, compartments, strict=True)]


async def _guess(
    http: aiohttp.ClientSession, locker: SampleLocker, plan: GuessingPlan, outcome: GuessingOutcome
) -> None:
    """`plan.codes` random codes of the real codes' format, `plan.concurrency` in flight at a time."""
    remaining = itertools.count()
    headers = {"Authorization": f"Bearer {locker.terminal_key}"}
    path = f"/api/v1/lockers/{locker.id}/pickups"

    async def guesser() -> None:
        while next(remaining) < plan.codes:
            async with http.post(path, json={"code": generate_pickup_code()}, headers=headers) as reply:
                await reply.read()
                outcome.answers[reply.status] += 1
                if reply.status == 429 and not reply.headers.get("Retry-After", "").isdigit():
                    outcome.retry_after_missing += 1

    await asyncio.gather(*(guesser() for _ in range(plan.concurrency)))


async def _pick_up_legitimately(
    parties: _Parties,
    locker: SampleLocker,
    stored: list[_Stored],
    sequence: itertools.count[int],
    attack: asyncio.Task[None],
    outcome: GuessingOutcome,
) -> None:
    """One parcel after another, each code then its door closed, spread evenly over the attack: the i-th recipient
    comes once the attack has sent i/(n+1) of its codes."""
    terminal = parties.terminals[locker.id]
    for number, parcel in enumerate(stored, start=1):
        due = outcome.plan.codes * number // (len(stored) + 1)
        await _attack_has_sent(due, outcome, attack)
        during_attack = not attack.done()
        try:
            latency = await _pick_up(terminal, locker.id, parcel, sequence)
        except Exception as error:  # any failure is counted, and the run goes on to the next recipient
            outcome.legitimate_failed.append(f"{type(error).__name__}: {error}")
            continue
        outcome.legitimate_latencies.append(latency)
        outcome.legitimate_opened += 1
        if during_attack:
            outcome.legitimate_during_attack += 1
            outcome.during_attack_latencies.append(latency)


async def _pick_up(terminal: LockerApiClient, locker_id: str, parcel: _Stored, sequence: itertools.count[int]) -> float:
    """A recipient's pickup: the code (its latency, returned), then the door closed on the emptied compartment."""
    began = time.monotonic()
    await terminal.pick_up(locker_id, parcel.code)
    latency = time.monotonic() - began
    await terminal.door_event(locker_id, parcel.compartment, "closed", next(sequence))
    return latency


async def _attack_has_sent(codes: int, outcome: GuessingOutcome, attack: asyncio.Task[None]) -> None:
    """Return once the attack has had `codes` answers, or has ended."""
    while not attack.done():
        if sum(outcome.answers.values()) >= codes:
            return
        await asyncio.sleep(0.01)
