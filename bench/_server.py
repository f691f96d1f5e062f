"""Starting the app for a benchmark: the database migrated, and `market serve` on a free port until the run ends.

Imports nothing of `app` at module level: a benchmark may set the environment before the settings are read.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

READY_PATH = "/login"  # answers without a login
READY_ATTEMPTS = 100


async def migrate(*, quiet: bool = False) -> None:
    """Bring the benchmark's database up to the latest migration; stop the benchmark if that fails."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise SystemExit(result.message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int  # the app process, parent of its workers: for CPU figures


@contextlib.contextmanager
def serving(*, workers: int = 1) -> Iterator[Server]:
    """`market serve` with `workers` app processes on a free port, ready for requests; stopped on leaving.

    Production settings when MARKET_SECRET_KEY is set (as a deployment has), development ones otherwise.
    """
    port = free_port()
    env = {**os.environ, "MARKET_ENV": "production" if os.environ.get("MARKET_SECRET_KEY") else "development"}
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port),
                                "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server = Server(base_url=f"http://127.0.0.1:{port}", pid=process.pid)
        _wait_until_ready(server, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_ready(server: Server, process: subprocess.Popen) -> None:
    for _ in range(READY_ATTEMPTS):
        if process.poll() is not None:
            raise SystemExit(f"the app stopped before serving (exit status {process.returncode}); "
                             f"try `python -m app.cli serve` to see why")
        try:
            httpx.get(f"{server.base_url}{READY_PATH}", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"the app did not answer on {server.base_url} after {READY_ATTEMPTS} attempts")
