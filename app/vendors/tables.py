"""Feed imports: a vendor's file of listings, processed by a job with progress and a row report."""

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.accounts.tables import Company


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportPhase(StrEnum):
    """What a running import is doing: checking every row first (all or nothing), or writing."""

    CHECKING = "checking"
    WRITING = "writing"


class FeedImport(Table, tablename="feed_import"):
    """One uploaded feed file of a vendor; the file itself lives under var/imports, not here."""

    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    uploaded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    filename = Varchar(length=255, null=False)
    stored_path = Varchar(length=500, null=False)
    file_format = Varchar(length=10, null=False)
    all_or_nothing = Boolean(default=True)
    status = Varchar(length=20, choices=ImportStatus, default=ImportStatus.QUEUED.value, index=True)
    rows_total = Integer(default=0)
    rows_done = Integer(default=0)
    rows_imported = Integer(default=0)
    rows_rejected = Integer(default=0)
    error = Text(default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    phase = Varchar(length=20, choices=ImportPhase, default=ImportPhase.CHECKING.value)
    # Touched after every batch: a `running` import whose heartbeat is old was left by a crashed worker.
    heartbeat_at = Timestamptz(null=True, default=None)


class FeedImportError(Table, tablename="feed_import_error"):
    """One rejected row of an import: where, and what to fix."""

    feed_import = ForeignKey(FeedImport, null=False, on_delete=OnDelete.cascade, index=True)
    row_number = Integer(null=False)
    column = Varchar(length=100, default="")
    reason = Text(null=False)
