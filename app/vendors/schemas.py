"""What the vendor API takes and returns: listings and feed imports. Prices travel as decimal strings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar.datastructures import UploadFile

Price = Annotated[str, msgspec.Meta(examples=["12.50"], description="Decimal string, at most 4 decimals")]


class TierIn(msgspec.Struct, forbid_unknown_fields=True):
    min_qty: Annotated[int, msgspec.Meta(ge=2, examples=[10])]
    unit_price: Price


class ListingIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: Annotated[str, msgspec.Meta(examples=["AB-1001"])]
    title: str
    base_price: Price
    currency: Annotated[str, msgspec.Meta(examples=["EUR"])]
    brand: str = ""
    mpn: str = ""
    gtin: Annotated[str, msgspec.Meta(examples=["4006381333931"])] = ""
    category_id: int | None = None
    description: str = ""
    unit: str = "pcs"
    pack_size: int = 1
    min_order_qty: int = 1
    stock: int = 0
    lead_time_days: int = 0
    tiers: list[TierIn] = []

    def fields(self) -> dict[str, Any]:
        return msgspec.structs.asdict(self)


class ListingPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; `tiers`, when sent, replaces every tier."""

    sku: str | msgspec.UnsetType = msgspec.UNSET
    title: str | msgspec.UnsetType = msgspec.UNSET
    base_price: Price | msgspec.UnsetType = msgspec.UNSET
    currency: str | msgspec.UnsetType = msgspec.UNSET
    brand: str | msgspec.UnsetType = msgspec.UNSET
    mpn: str | msgspec.UnsetType = msgspec.UNSET
    gtin: str | msgspec.UnsetType = msgspec.UNSET
    category_id: int | msgspec.UnsetType | None = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    unit: str | msgspec.UnsetType = msgspec.UNSET
    pack_size: int | msgspec.UnsetType = msgspec.UNSET
    min_order_qty: int | msgspec.UnsetType = msgspec.UNSET
    stock: int | msgspec.UnsetType = msgspec.UNSET
    lead_time_days: int | msgspec.UnsetType = msgspec.UNSET
    tiers: list[TierIn] | msgspec.UnsetType = msgspec.UNSET

    def fields(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if getattr(self, name) is not msgspec.UNSET
        }


class TierOut(msgspec.Struct):
    min_qty: int
    unit_price: Decimal


class ListingOut(msgspec.Struct):
    id: int
    sku: str
    title: str
    brand: str
    mpn: str
    gtin: str
    category_id: int | None
    product_id: int | None
    description: str
    unit: str
    pack_size: int
    min_order_qty: int
    stock: int
    lead_time_days: int
    base_price: Decimal
    currency: str
    tiers: list[TierOut]
    status: str
    rejection_reason: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


class ListingPage(msgspec.Struct):
    items: list[ListingOut]
    total: int
    limit: int
    offset: int


@dataclass
class ImportUpload:
    """The multipart form of `POST /api/v1/listings/import`: the file, and whether one bad row stops all."""

    file: UploadFile
    all_or_nothing: bool = True


class ImportRowError(msgspec.Struct):
    row: int
    column: str
    reason: str


class ImportOut(msgspec.Struct):
    id: int
    filename: str
    file_format: str
    all_or_nothing: bool
    status: str
    phase: str
    rows_total: int
    rows_done: int
    rows_imported: int
    rows_rejected: int
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    errors: list[ImportRowError] = []
    # Every rejected row is stored; `errors` shows the first ERRORS_SHOWN of `errors_total`.
    errors_total: int = 0

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed"}

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
