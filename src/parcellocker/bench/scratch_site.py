"""A throw-away site for a benchmark: a fresh database, migrated and seeded with sample lockers, and the settings a
server process needs to serve it; all of it removed afterwards."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from parcellocker.adapters.db import migrate
from parcellocker.bench.databases import scratch_database
from parcellocker.bench.recipients_mailbox import recipients_mailbox
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import SampleSite, seed_sample_site


@dataclass(frozen=True, slots=True)
class ScratchSite:
    site: SampleSite
    server_env: dict[str, str]  # the environment of a ServerProcess that serves it
    mailbox: Path  # where the recipients' messages arrive (recipients_mailbox.py)


@asynccontextmanager
async def scratch_site(
    db: str,
    postgres_admin_url: str,
    *,
    lockers: int,
    layout: str,
    progress: Callable[[str], None],
    operator_password: str | None = None,
) -> AsyncIterator[ScratchSite]:
    """A site of `lockers` sample lockers of `layout` on a new `db` (sqlite or postgres) database."""
    with tempfile.TemporaryDirectory(prefix="parcellocker-bench-") as folder:
        var_dir = Path(folder)
        with recipients_mailbox(var_dir / "mailbox") as mailbox:
            async with scratch_database(db, var_dir, postgres_admin_url) as url:
                server_key = secrets.token_urlsafe(32)
                progress(f"migrating a fresh {db} database")
                await asyncio.to_thread(migrate.upgrade, url)
                progress(f"seeding {lockers} locker(s) of {layout}")
                settings = Settings(var_dir=var_dir, database_url=url, server_key=server_key, mailbox_dir=mailbox)
                seeded = bootstrap(settings)
                extra = {} if operator_password is None else {"operator_password": operator_password}
                try:
                    site = await seed_sample_site(seeded.services, lockers=lockers, layout=layout, **extra)
                finally:
                    await seeded.close()
                env = {
                    "PARCELLOCKER_DATABASE_URL": url,
                    "PARCELLOCKER_VAR_DIR": str(var_dir),
                    "PARCELLOCKER_MAILBOX_DIR": str(mailbox),
                    "PARCELLOCKER_SERVER_KEY": server_key,
                    "PARCELLOCKER_LOG_LEVEL": "WARNING",
                }
                yield ScratchSite(site, env, mailbox)
