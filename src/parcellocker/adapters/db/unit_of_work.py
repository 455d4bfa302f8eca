"""The unit of work on SQL: one connection, one transaction, every repository on it."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.accounts import SqlAccountRepository
from parcellocker.adapters.db.alarms import SqlAlarmRepository
from parcellocker.adapters.db.audit import SqlAuditLog, audit_chainer
from parcellocker.adapters.db.calendar import SqlShipmentCalendar
from parcellocker.adapters.db.compartments import SqlCompartmentRepository
from parcellocker.adapters.db.driver_statements import DriverConnection, lost_with
from parcellocker.adapters.db.engine import (
    SQLITE_BEGIN,
    SQLITE_BUSY_TIMEOUT_MS,
    is_sqlite,
    plain_sqlite_engine,
    unit_of_work_gate,
)
from parcellocker.adapters.db.idempotency import SqlIdempotencyStore
from parcellocker.adapters.db.lockers import SqlLockerRepository
from parcellocker.adapters.db.lockouts import SqlLockoutRepository
from parcellocker.adapters.db.outbox import SqlNotificationOutbox
from parcellocker.adapters.db.payments import SqlPaymentLedger, SqlRentalTermsRepository
from parcellocker.adapters.db.pickup_policies import SqlPickupPolicyRepository
from parcellocker.adapters.db.preloaded import PreloadedRows
from parcellocker.adapters.db.rentals import SqlRentalRepository
from parcellocker.adapters.db.shipment_events import SqlShipmentEventLog
from parcellocker.adapters.db.shipments import SqlShipmentRepository
from parcellocker.adapters.db.terminal_events import SqlTerminalEventLog
from parcellocker.adapters.db.transaction import Transaction, lost_race
from parcellocker.adapters.db.transitions import SqlTransitionHistory, TransitionLog
from parcellocker.adapters.db.webhook_deliveries import SqlWebhookDeliveries, WebhookDeliveryWriter
from parcellocker.adapters.db.webhook_endpoints import SqlWebhookEndpoints
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.service.ports import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """`async with SqlUnitOfWork(engine) as uow:` begins a transaction; nothing is kept unless `commit()`.

    On SQLite the transaction takes the write lock when it begins (BEGIN IMMEDIATE), after queueing behind the
    other writers of this process. `read_only=True` skips both: the transaction reads a snapshot and never
    waits for a writer (a write inside it may then fail with ConcurrencyConflict). Transitions and audit records
    are written at commit; on PostgreSQL audit records are chained just after it (see audit.py).

    A shipment's transitions queue webhook deliveries for its carrier, written with them at commit (see
    webhook_deliveries.py); `webhook_subscribers` tells which carriers have a webhook, so that no delivery is
    even offered for the others (without it, one is offered for every carrier and written only for those).
    """

    audit: SqlAuditLog
    webhook_endpoints: SqlWebhookEndpoints
    _transitions: TransitionLog
    _tx: Transaction

    def __init__(
        self, engine: AsyncEngine, *, read_only: bool = False, webhook_subscribers: WebhookSubscribers | None = None
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._webhook_subscribers = webhook_subscribers
        self._connection: DriverConnection | Connection | None = None
        self._gate: asyncio.Semaphore | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        gate = unit_of_work_gate(self._engine, read_only=self._read_only)
        if gate is not None:
            await gate.acquire()
            self._gate = gate
        try:
            self._connection = await self._begin()
        except BaseException:
            self._release_gate()
            raise
        tx = self._tx = Transaction(self._connection)
        self._transitions = TransitionLog(tx, WebhookDeliveryWriter(tx, self._webhook_subscribers))
        preloaded = PreloadedRows()
        self.lockers = SqlLockerRepository(tx, self._transitions, preloaded)
        self.compartments = SqlCompartmentRepository(tx, self._transitions, preloaded)
        self.shipments = SqlShipmentRepository(tx, self._transitions, preloaded)
        self.accounts = SqlAccountRepository(tx)
        self.lockouts = SqlLockoutRepository(tx, preloaded)
        self.alarms = SqlAlarmRepository(tx)
        self.audit = SqlAuditLog(tx, audit_chainer(self._engine))
        self.idempotency = SqlIdempotencyStore(tx)
        self.terminal_events = SqlTerminalEventLog(tx)
        self.outbox = SqlNotificationOutbox(tx, preloaded)
        self.pickup_policies = SqlPickupPolicyRepository(tx, preloaded)
        self.calendar = SqlShipmentCalendar(tx)
        self.history = SqlTransitionHistory(tx)
        self.rentals = SqlRentalRepository(tx, self._transitions)
        self.rental_terms = SqlRentalTermsRepository(tx)
        self.payments = SqlPaymentLedger(tx)
        self.webhook_endpoints = SqlWebhookEndpoints(tx)
        self.webhook_deliveries = SqlWebhookDeliveries(tx)
        self.shipment_events = SqlShipmentEventLog(tx)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        connection = self._connection
        error = exc_info[1] if len(exc_info) > 1 and isinstance(exc_info[1], BaseException) else None
        lost = isinstance(connection, DriverConnection) and lost_with(error)
        try:
            if lost:  # nothing to roll back on it: it is discarded below, and the database rolls back
                self._transitions.discard_queued()
                self.audit.discard_queued()
            else:
                await self.rollback()
        finally:
            self._connection = None
            try:
                if isinstance(connection, DriverConnection):
                    await connection.give_back(discard=lost)
                elif connection is not None:
                    connection.close()
            finally:
                self._release_gate()

    async def commit(self) -> None:
        self._open()
        deliveries = await self._transitions.write_queued()
        queued_audit = await self.audit.write_queued()
        await self._tx.commit()
        if queued_audit and self.audit.chainer is not None:
            self.audit.chainer.nudge()  # chain what was just committed (PostgreSQL; see audit.py)
        if self._webhook_subscribers is not None and (deliveries or self.webhook_endpoints.changed):
            self._webhook_subscribers.committed(self.webhook_endpoints.changed, deliveries)
            self.webhook_endpoints.changed = {}

    async def rollback(self) -> None:
        """Undo everything not committed; does nothing after a commit."""
        connection = self._connection
        if connection is None:
            return
        self._transitions.discard_queued()
        self.audit.discard_queued()
        await self._tx.rollback()

    async def _begin(self) -> DriverConnection | Connection:
        """SQLite: a connection in its transaction. PostgreSQL: a connection whose transaction begins when a
        statement needs one (see Transaction)."""
        if is_sqlite(self._engine):
            return await self._begin_sqlite()
        return await DriverConnection.take(self._engine)

    async def _begin_sqlite(self) -> Connection:
        """A plain connection (see engine.py) that has taken the write lock unless read-only. While another
        process holds the write lock, waits for it without blocking the event loop."""
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + SQLITE_BUSY_TIMEOUT_MS / 1000, 0.002
        while True:
            connection = plain_sqlite_engine(self._engine).connect()
            try:
                if not self._read_only:
                    connection = connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
                connection.begin()
                return connection
            except DBAPIError as error:
                connection.close()
                conflict = lost_race(error)  # the write lock is taken ("database is locked")
                if conflict is None:
                    raise
                if loop.time() + pause > deadline:
                    raise conflict from error
            except BaseException:
                connection.close()
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _open(self) -> DriverConnection | Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._connection

    def _release_gate(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate.release()
