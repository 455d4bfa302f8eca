"""The management server started as its own process on loopback, for the demo, benchmarks and tests."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import httpx

from parcellocker.api.inherited_listener import SERVER_APP

# Requests still running at a stop (a terminal's long poll for commands) get this long, then are cut.
GRACEFUL_SHUTDOWN_SECONDS = 3


def free_port() -> int:
    """A port free at this moment. Another process may take it before its user binds it: a server started here
    binds its port itself instead (`listening_socket`)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listening_socket(port: int = 0) -> socket.socket:
    """A TCP socket listening on 127.0.0.1: on `port`, or on a free one the system picks (0), held from now on."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart on the port of a stopped server
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(2048)
    except OSError:
        listener.close()
        raise
    return listener


def server_command(
    listener: socket.socket, workers: int = 1, log_level: str = "warning", app: str = SERVER_APP
) -> list[str]:
    """The command that runs the server (or another `app` factory) on `listener` (given to the process with
    `pass_fds`)."""
    return [
        sys.executable, "-m", "parcellocker.api.inherited_listener", "--fd", str(listener.fileno()),
        "--workers", str(workers), "--log-level", log_level, "--app", app,
    ]  # fmt: skip


class ServerProcess:
    """`async with ServerProcess(env) as server:` runs uvicorn on 127.0.0.1 until the block ends.

    Its port (given, or a free one) is bound here at once and the socket handed to the server process, so that no
    other process can take it in between; the server is told it (PARCELLOCKER_PORT) unless `env` says otherwise."""

    def __init__(
        self,
        env: dict[str, str],
        port: int | None = None,
        workers: int = 1,
        startup_timeout: float = 60,
        log_path: Path | None = None,
        app: str = SERVER_APP,
    ):
        """`log_path` keeps the server output; without it a temporary file is used, removed at a clean stop. `app`:
        the factory of the app to serve, which must answer GET /healthz."""
        self.app = app
        self._listener: socket.socket | None = listening_socket(port or 0)
        self.port: int = self._listener.getsockname()[1]
        self.env = {**os.environ, "PARCELLOCKER_PORT": str(self.port), **env}
        self.workers = workers
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._keep_log = log_path is not None
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="parcellocker-server-", suffix=".log")
            os.close(handle)
            log_path = Path(name)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self._log: BinaryIO = log_path.open("wb")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ServerProcess:
        self.start()
        await self._wait_until_ready()
        return self

    def start(self) -> None:
        """Start the server process; after a stop, again on the same port."""
        listener = self._listener or listening_socket(self.port)
        self._listener = None
        with listener:  # the server process holds the port from now on; a stopped server frees it
            command = [
                *server_command(listener, self.workers, app=self.app), "--no-access-log",
                "--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_SECONDS),
            ]  # fmt: skip
            self.process = subprocess.Popen(
                command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),)
            )

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._log.close()
        if exc_type is None and not self._keep_log:
            self.log_path.unlink(missing_ok=True)

    def stop(self) -> None:
        if self._listener is not None:  # never started
            self._listener.close()
            self._listener = None
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}")
