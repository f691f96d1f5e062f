"""The dramatiq broker, configured once from the settings before any actor is declared.

Every `tasks.py` imports `broker` from here, so no actor can bind to dramatiq's default
broker by accident. With `MARKET_REDIS_URL` set, messages go through Redis and `market worker`
processes run them; without it, an in-memory broker and a worker inside the app process do.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterator

import dramatiq
from dramatiq import Actor, Broker, Middleware, Worker
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from app import db
from app.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Every actor module, imported by `load_actors()` once the broker is set.
TASK_MODULES = ("app.accounts.tasks", "app.notifications.tasks", "app.vendors.tasks", "app.rfq.tasks",
                "app.contracts.tasks", "app.catalog.tasks", "app.orders.tasks", "app.invoicing.tasks")


class DatabasePool(Middleware):
    """Opens the worker's PostgreSQL pool on dramatiq's event-loop thread, where actors run."""

    # Before the worker threads start: a worker that boots with messages waiting would otherwise run the first of
    # them while the pool is being made, open a transaction on a new connection and hand it back to the pool that
    # meanwhile appeared ("not a member of this pool"). AsyncIO, added first, has started the loop by now.
    def before_worker_boot(self, broker: Broker, worker: Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(db.start_pool(max_size=max(2, worker.worker_threads)))

    def before_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(db.close_pool())


def make_broker(settings: Settings) -> Broker:
    broker: Broker = RedisBroker(url=settings.redis_url, namespace="market") if settings.redis_url else StubBroker()
    broker.add_middleware(AsyncIO())
    broker.add_middleware(DatabasePool())
    return broker


broker = make_broker(get_settings())
dramatiq.set_broker(broker)

# Actors that re-derive overdue work from the database; the sweeper sends each periodically.
_periodic: list[Actor] = []  # type: ignore[type-arg]


def periodic(actor: Actor) -> Actor:  # type: ignore[type-arg]
    """Mark an actor (taking no arguments, idempotent) to be run by the sweeper."""
    _periodic.append(actor)
    return actor


def periodic_actors() -> Iterator[Actor]:  # type: ignore[type-arg]
    return iter(tuple(_periodic))


def load_actors() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


class Sweeper(threading.Thread):
    """Sends every periodic actor once per interval, so work that a lost message or a crash
    left behind is found again in the database. Sweeps are idempotent: several sweepers
    (one per worker process) only repeat a no-op."""

    def __init__(self, interval_seconds: float) -> None:
        super().__init__(name="market-sweeper", daemon=True)
        self.interval_seconds = interval_seconds
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.interval_seconds):
            self.sweep_once()

    def sweep_once(self) -> None:
        for actor in periodic_actors():
            try:
                actor.send()
            except Exception:  # a broker hiccup must not end the sweeper
                log.exception("could not enqueue %s", actor.actor_name)

    def stop(self) -> None:
        self._stopped.set()


class InProcessWorker:
    """The embedded default: a dramatiq worker and the sweeper inside the app process."""

    def __init__(self, settings: Settings) -> None:
        load_actors()
        self.worker = Worker(broker, worker_threads=settings.worker_threads, worker_timeout=200)
        self.sweeper = Sweeper(settings.sweep_interval_seconds)

    def start(self) -> None:
        self.worker.start()
        self.sweeper.start()
        self.sweeper.sweep_once()  # pick up what the last run left behind right away

    def stop(self) -> None:
        self.sweeper.stop()
        self.worker.stop()
