"""A feed import as one run holds it: the job the run claimed, and the file's rows as checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.vendors.feed import FileFormat
from app.vendors.listing_rules import FieldError, ListingValues


@dataclass(frozen=True, slots=True)
class ImportJob:
    id: int
    vendor_id: int
    path: Path
    file_format: FileFormat
    all_or_nothing: bool
    claimed_at: datetime  # this run's `started_at`: the import is this run's while it is unchanged


@dataclass(slots=True)
class CheckedRow:
    number: int
    values: ListingValues | None
    errors: list[FieldError] = field(default_factory=list)
