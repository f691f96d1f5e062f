"""A real `market worker` process against the real Redis and the test database: the way
jobs run in production. Only with MARKET_REDIS_URL (CI's PostgreSQL + Redis pass)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from app import db
from app.clock import utcnow
from app.notifications import delivery, services
from app.notifications.tables import OutboxEmail, OutboxStatus
from app.settings import PROJECT_ROOT, get_settings

pytestmark = pytest.mark.skipif(
    not os.environ.get("MARKET_REDIS_URL"),
    reason="needs MARKET_REDIS_URL: `market worker` takes its jobs from Redis "
    "(without Redis, jobs run inside the app process and the other outbox tests cover them)",
)

DEADLINE_SECONDS = 30


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path, log_file: IO[bytes]) -> None:
        self.process = process
        self.log_path = log_path
        self.log_file = log_file

    def log(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    async def stop(self) -> int:
        """SIGTERM, as systemd or a container runtime stops it, and its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.process.wait, DEADLINE_SECONDS)


def worker_command() -> list[str]:
    script = Path(sys.executable).with_name("market")
    if script.exists():
        return [str(script), "worker", "--threads", "2"]
    return [sys.executable, "-m", "app.cli", "worker", "--threads", "2"]


@pytest.fixture
def market_worker(tmp_path: Path) -> Iterator[Callable[[], WorkerProcess]]:
    """`market_worker()` starts `market worker` with the tests' environment (database, Redis, var dir)."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        log_path = tmp_path / f"worker-{len(started)}.log"
        log_file = log_path.open("wb")
        process = subprocess.Popen(
            worker_command(),
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        worker = WorkerProcess(process, log_path, log_file)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:  # the test failed before stopping it
            worker.process.kill()
            worker.process.wait(DEADLINE_SECONDS)
        worker.log_file.close()


async def wait_until_sent(email_id: int, worker: WorkerProcess) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    row: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        row = await OutboxEmail.select().where(OutboxEmail.id == email_id).first()
        if row is not None and row["status"] == OutboxStatus.SENT.value:
            return row
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.log()}")
        await asyncio.sleep(0.2)
    pytest.fail(f"e-mail {email_id} not sent within {DEADLINE_SECONDS} s (row: {row}); worker log:\n{worker.log()}")


def eml_file(row: dict[str, Any]) -> Path:
    return get_settings().mail_dir / f"{row['message_id']}.eml"


async def test_a_real_worker_sends_a_committed_email_and_stops_cleanly(market_worker):
    # given a running `market worker`
    worker = market_worker()
    # when business code queues an e-mail and commits
    async with db.transaction():
        email_id = await services.queue_email(
            to="ana@acme.example", subject="Your offer was accepted", body="Congratulations.\n", link="/contracts/1"
        )
    # then the worker sends it: the row is sent after one attempt and the .eml file is written
    row = await wait_until_sent(email_id, worker)
    assert row["attempts"] == 1
    assert row["sent_at"] is not None
    assert eml_file(row).exists()
    assert b"Subject: Your offer was accepted" in eml_file(row).read_bytes()
    # when it is stopped the way a service manager stops it
    status = await worker.stop()
    # then it shuts down cleanly
    assert status == 0, worker.log()
    assert "worker stopped" in worker.log()


async def test_a_real_worker_sweeps_up_an_email_whose_message_was_lost(market_worker):
    # given an e-mail committed long ago whose message never reached Redis
    email = OutboxEmail(
        message_id=uuid.uuid4(),
        to_address="lost@acme.example",
        subject="Your RFQ closes tomorrow",
        body_text="Reminder.\n",
        status=OutboxStatus.PENDING.value,
        created_at=utcnow() - delivery.LOST_AFTER - timedelta(minutes=5),
    )
    await email.save()
    # when a worker starts (its sweeper runs once at start, then every MARKET_SWEEP_INTERVAL)
    worker = market_worker()
    # then the sweeper finds the e-mail in the database and the worker sends it
    row = await wait_until_sent(email.id, worker)
    assert row["attempts"] == 1
    assert eml_file(row).exists()
    assert await worker.stop() == 0, worker.log()
