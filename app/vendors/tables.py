"""Feed imports: a vendor's file of listings, processed by a job with progress and a row report."""

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, ForeignKey, Integer, Numeric, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.accounts.tables import Company
from app.money import money_column


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportPhase(StrEnum):
    """What a running import is doing: checking (and, all or nothing, staging) every row, or writing."""

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


class FeedImportRow(Table, tablename="feed_import_row"):
    """A checked row of an all-or-nothing import, staged until the import's one writing transaction.

    One per SKU of the file: a later row of the same SKU replaces the staged one ((feed_import, sku) is
    unique: an index made by a migration, as SQLite cannot add a constraint to a table). The columns
    named like the listing's hold the values to write, status and submission time included (decided
    when staged, from the listing as it was then: `seen_status`, `seen_changed`; re-decided when the
    listing changed before the write). Deleted when the import is written, fails, or runs again.
    """

    # No index of its own: the unique (feed_import, sku) index serves look-ups by import.
    feed_import = ForeignKey(FeedImport, null=False, on_delete=OnDelete.cascade, index=False)
    position = Integer(null=False, help_text="The row number of the SKU's first row: listings keep the file's order")
    row_number = Integer(null=False, help_text="The SKU's last row, whose values and tiers win")
    sku = Varchar(length=100, null=False)
    title = Varchar(length=300, null=False)
    brand = Varchar(length=200, default="")
    mpn = Varchar(length=100, default="")
    gtin = Varchar(length=14, default="")
    category = Integer(null=True, default=None)
    description = Text(default="")
    unit = Varchar(length=20, default="pcs")
    pack_size = Integer(default=1)
    min_order_qty = Integer(default=1)
    stock = Integer(default=0)
    lead_time_days = Integer(default=0)
    base_price = money_column(null=False)
    currency = Varchar(length=3, null=False)
    tax_rate = Numeric(digits=(5, 2), null=True, default=None, help_text="Percent; null: the marketplace default")
    status = Varchar(length=20, null=False)
    submitted_at = Timestamptz(null=True, default=None, help_text="Set when the row sends the listing to curation")
    seen_status = Varchar(length=20, null=True, default=None, help_text="The listing's status when staged; null: none")
    seen_changed = Boolean(default=False, help_text="Whether the row changed the listing's product facts then")


class FeedImportTier(Table, tablename="feed_import_tier"):
    """A volume price of a staged row (`FeedImportRow`): the tiers of the SKU's last row are written."""

    feed_import = ForeignKey(FeedImport, null=False, on_delete=OnDelete.cascade, index=True)
    sku = Varchar(length=100, null=False)
    row_number = Integer(null=False)
    min_qty = Integer(null=False)
    unit_price = money_column(null=False)
