"""The `market` command: migrate, serve, run workers, create operators, load demo data."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading

import click

import app  # noqa: F401 - sets PICCOLO_CONF before Piccolo looks for it
from app.errors import DomainError
from app.settings import get_settings

# Each command imports what it runs in its own body, marked `# lazy:`: `market --help` and `market migrate` stay
# fast and build no app, and `market serve --workers N` leaves importing the app to uvicorn's processes.


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


@click.group()
def main() -> None:
    """B2B procurement marketplace."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
def migrate() -> None:
    """Apply every pending database migration."""
    from piccolo.apps.migrations.commands.forwards import run_forwards  # lazy: only this command needs it

    result = _run(run_forwards(app_name="all"))
    if not result.success:
        raise click.ClickException(f"migrations failed: {result.message}")
    click.echo("Database is up to date.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="App processes (needs Redis and PostgreSQL).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app and API."""
    import uvicorn  # lazy: only this command needs it


    settings = get_settings()
    if workers > 1 and (settings.redis_url is None or settings.database_is_sqlite):
        raise click.ClickException("several app processes need MARKET_REDIS_URL and a PostgreSQL database")
    click.echo(f"Marketplace at http://{host}:{port}/  (API docs: http://{host}:{port}/api/schema/swagger)")
    uvicorn.run("app.asgi:create_served_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, log_level="info")


@main.command()
@click.option("--threads", default=None, type=int, help="Worker threads (default MARKET_WORKER_THREADS).")
def worker(threads: int | None) -> None:
    """Run background jobs from Redis, plus the sweeper that finds overdue work."""
    from dramatiq import Worker  # lazy: only this command needs it

    from app.worker import Sweeper, broker, load_actors  # lazy: importing it makes the broker (Redis)

    settings = get_settings()
    if settings.redis_url is None:
        raise click.ClickException("set MARKET_REDIS_URL: without Redis, jobs run inside `market serve`")
    load_actors()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    worker = Worker(broker, worker_threads=threads or settings.worker_threads, worker_timeout=1000)
    sweeper = Sweeper(settings.sweep_interval_seconds)
    worker.start()
    sweeper.start()
    sweeper.sweep_once()
    click.echo(f"worker running ({worker.worker_threads} threads); Ctrl-C to stop")
    stop.wait()
    sweeper.stop()
    worker.stop()
    click.echo("worker stopped")


@main.command("create-operator")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
def create_operator(email: str, password: str, name: str) -> None:
    """Create an operator login (for the portal and the back office)."""
    from app.demo import create_operator as create  # lazy: only this command needs it

    try:
        created = _run(create(email, password, name))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"operator {email} created" if created else f"{email} already exists; nothing changed")


@main.command("demo-data")
def demo_data() -> None:
    """Load the demo companies and users (idempotent) and print their logins."""
    from app.demo import DEMO_PASSWORD, load_demo_data  # lazy: only this command needs it

    logins = _run(load_demo_data())
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for company, email, role in logins:
        click.echo(f"  {role:<13} {email:<30} {company}")


@main.command("import-feed")
@click.option("--vendor", "vendor", required=True, help="Vendor company id or exact name.")
@click.option("--all-or-nothing/--best-effort", default=True, show_default=True,
              help="Import nothing when a row is rejected, or import the good rows.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
def import_feed(vendor: str, all_or_nothing: bool, path: str) -> None:
    """Import a CSV or XLSX feed of listings for a vendor, in this process, and print the row report."""
    from app.vendors.cli import import_feed_file  # lazy: only this command needs it

    sys.exit(_run(import_feed_file(vendor, path, all_or_nothing)))


if __name__ == "__main__":
    sys.exit(main())
