"""Starting a feed import: keep the uploaded file, check what can be checked at once, and queue the job."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from app import db
from app.clock import utcnow
from app.errors import InvalidInput
from app.settings import get_settings
from app.vendors.feed import HEAD_BYTES, FeedError, FeedLimits, FileFormat, detect_format, read_header
from app.vendors.tables import FeedImport, ImportStatus
from app.vendors.tasks import run_feed_import


def imports_dir() -> Path:
    return get_settings().var_dir / "imports"


def inspect_file(path: Path, filename: str) -> FileFormat:
    """The file's format, once its type, first bytes, size (a workbook's zip directory) and header are right.

    Else `FeedError`. Reads the header only, in bounded time and memory: call it in a worker thread.
    """
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    if not head:
        raise FeedError("the file is empty: the first row must be the header with the column names")
    file_format = detect_format(filename, head)
    read_header(path, file_format, FeedLimits.of(get_settings()))
    return file_format


def _store(source: BinaryIO, filename: str) -> tuple[Path, FileFormat]:
    directory = imports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    try:
        return path, inspect_file(path, filename)
    except FeedError:
        path.unlink(missing_ok=True)
        raise


async def start_import(
    vendor_id: int,
    user_id: int | None,
    filename: str,
    source: BinaryIO,
    *,
    all_or_nothing: bool = True,
    enqueue: bool = True,
) -> int:
    """Store the file under var/imports, check what can be checked at once, and queue the job.

    Raises `InvalidInput` with the reason for a file that is not a CSV/XLSX, not UTF-8, or
    lacks required columns; nothing is kept then.
    """
    filename = Path(filename or "feed").name[:255]
    try:
        path, file_format = await asyncio.to_thread(_store, source, filename)
    except FeedError as exc:
        raise InvalidInput(f"{filename}: {exc}") from None
    async with db.transaction():
        inserted = await FeedImport.insert(
            FeedImport(
                vendor=vendor_id,
                uploaded_by=user_id,
                filename=filename,
                stored_path=str(path),
                file_format=file_format.value,
                all_or_nothing=all_or_nothing,
                status=ImportStatus.QUEUED.value,
                created_at=utcnow(),
            )
        ).returning(FeedImport.id)
        import_id: int = inserted[0]["id"]
        if enqueue:
            db.after_commit(lambda: run_feed_import.send(import_id))
    return import_id
