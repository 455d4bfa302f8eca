"""A throw-away Mosquitto for a benchmark run, on a free loopback port, set for latency (`set_tcp_nodelay true`:
without it the broker holds a small message back until the peer acknowledges the one before, ~40 ms on Linux)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from parcellocker.server_process import free_port

CONFIG = "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n"


@asynccontextmanager
async def scratch_broker(folder: Path) -> AsyncIterator[str]:
    """Yield the mqtt:// URL of a Mosquitto started for the run, stopped after it."""
    program = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(CONFIG.format(port=port))
    process = await asyncio.create_subprocess_exec(
        program, "-c", str(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        await _until_listening(port, process)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def _until_listening(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        if process.returncode is not None:
            break
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        return
    raise RuntimeError(f"mosquitto did not start on port {port} (try `mosquitto -c <that config> -v`)")
