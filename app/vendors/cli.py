"""`market import-feed`: a feed import run in the command's own process, with a progress bar."""

from __future__ import annotations

from pathlib import Path

import click

from app import db
from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.errors import DomainError
from app.vendors.import_reports import import_report
from app.vendors.import_run import run_import
from app.vendors.import_start import start_import


async def _vendor_id(vendor: str) -> int:
    where = Company.kind == CompanyKind.VENDOR.value
    where &= (Company.id == int(vendor)) if vendor.isdigit() else (Company.name == vendor)
    row = await Company.select(Company.id).where(where).first()
    if row is None:
        raise click.ClickException(f"no vendor company with id or name {vendor!r}")
    return row["id"]


async def import_feed_file(vendor: str, path: str, all_or_nothing: bool) -> int:
    """Run the import and print its report; the exit status is 1 when rows were rejected in all-or-nothing mode."""
    await db.start_pool(max_size=2)
    try:
        vendor_id = await _vendor_id(vendor)
        source = Path(path)
        try:
            with source.open("rb") as stream:  # noqa: ASYNC230 - start_import copies it in a thread
                import_id = await start_import(
                    vendor_id, None, source.name, stream, all_or_nothing=all_or_nothing, enqueue=False
                )
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        with click.progressbar(length=1, label="checking", show_pos=True) as bar:

            def progress(phase: str, done: int, total: int) -> None:
                bar.label = phase
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            await run_import(import_id, progress)
        report = await import_report(import_id, vendor_id=vendor_id, errors_shown=1_000_000)
    finally:
        await db.close_pool()
    click.echo(
        f"import {report.id}: {report.status}; {report.rows_imported} imported, "
        f"{report.rows_rejected} rejected of {report.rows_total} rows"
    )
    for error in report.errors:
        click.echo(f"  row {error.row}, {error.column or '(row)'}: {error.reason}")
    if report.error:
        click.echo(report.error)
    if report.status == "failed" or (report.rows_rejected and all_or_nothing):
        return 1
    return 0
