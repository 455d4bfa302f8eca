"""The REST locker list a page at a time, on SQLite and PostgreSQL: each page's lockers by id with all their
compartments, and plans that read the page's lockers and compartments only, however many lockers lie beyond."""

from __future__ import annotations

import re

from db_samples import a_locker
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.lockers import _COMPARTMENTS_IN_RANGE, _PAGE
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.bench.query_plans import explain
from parcellocker.domain.locker import Locker

LAYOUT = "S:2,M:2,L:1"  # 5 compartments
PAGE = 3


async def add_lockers(engine: AsyncEngine, ids: list[str], layout: str = LAYOUT) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for locker_id in ids:
            await uow.lockers.add(a_locker(locker_id, layout))
        await uow.commit()


async def every_page(engine: AsyncEngine, limit: int) -> list[list[Locker]]:
    pages, after = [], ""
    async with SqlUnitOfWork(engine) as uow:
        while page := await uow.lockers.page(after, limit):
            pages.append(page)
            after = page[-1].id
    return pages


async def test_pages_follow_each_other_by_id_each_locker_with_all_its_compartments(engine: AsyncEngine) -> None:
    await add_lockers(engine, ["L-5", "L-1", "L-4", "L-2", "L-3", "L-6", "L-7"])
    async with SqlUnitOfWork(engine) as uow:
        await uow.lockers.add(Locker(id="L-0", name="Empty", address="Nowhere"))
        await uow.commit()
    pages = await every_page(engine, PAGE)
    assert [[locker.id for locker in page] for page in pages] == [
        ["L-0", "L-1", "L-2"],
        ["L-3", "L-4", "L-5"],
        ["L-6", "L-7"],
    ]
    async with SqlUnitOfWork(engine) as uow:
        for locker in (locker for page in pages for locker in page):
            assert locker == await uow.lockers.get(locker.id), locker.id  # as the locker's own read gives it
    assert [c.number for c in pages[1][0].compartments] == [1, 2, 3, 4, 5]
    assert pages[0][0].compartments == []


async def test_a_page_after_an_id_no_locker_has_starts_at_the_next_locker(engine: AsyncEngine) -> None:
    await add_lockers(engine, ["L-1", "L-3", "L-5"])
    async with SqlUnitOfWork(engine) as uow:
        between = await uow.lockers.page("L-2", PAGE)
        beyond = await uow.lockers.page("L-9", PAGE)
    assert [locker.id for locker in between] == ["L-3", "L-5"]
    assert [len(locker.compartments) for locker in between] == [5, 5]
    assert beyond == []


async def test_the_plans_read_the_page_not_the_lockers_beyond_it(engine: AsyncEngine) -> None:
    """Lockers by primary key from `after` on; the page's compartments by a range of an index that starts with
    locker_id, never all compartments (on PostgreSQL, with 400 lockers analysed, the scan returns the page's 15)."""
    ids = [f"P-{number:04d}" for number in range(1, 401)]
    await add_lockers(engine, ids)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE lockers")
            await connection.exec_driver_sql("ANALYZE compartments")
    lockers = await explain(engine, _PAGE, {"after": "", "limit": PAGE + 1})
    compartments = await explain(engine, _COMPARTMENTS_IN_RANGE, {"after": "", "last": ids[PAGE - 1]})
    if engine.dialect.name == "sqlite":
        assert re.search(r"SEARCH lockers USING (INDEX|PRIMARY KEY).*\(id>\?\)", lockers), lockers
        assert re.search(r"SEARCH compartments USING INDEX .*\(locker_id>\? AND locker_id<\?\)", compartments), (
            compartments
        )
    else:
        assert "Index Scan using pk_lockers" in lockers and "Seq Scan" not in lockers, lockers
        assert "Seq Scan" not in compartments, compartments
        assert re.search(r"Index Cond: \(+locker_id\)::text > ''::text\) AND", compartments), compartments
        scanned = re.search(r"Scan (?:using \S+ )?on compartments .*actual time=\S+ rows=(\d+)", compartments)
        assert scanned is not None and int(scanned.group(1)) == PAGE * 5, compartments
