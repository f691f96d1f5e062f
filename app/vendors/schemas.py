"""What the vendor API takes and returns: listings and feed imports. Prices travel as decimal strings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar.datastructures import UploadFile

from app.vendors.listing_rules import MAX_TIERS, TEXT_LIMITS

Price = Annotated[str, msgspec.Meta(max_length=40, examples=["12.50"],
                                    description="Decimal string, at most 4 decimals")]
# The bounds of listing_rules.TEXT_LIMITS, so the schema shows them and a megabyte never reaches the rules.
Sku = Annotated[str, msgspec.Meta(max_length=TEXT_LIMITS["sku"], examples=["AB-1001"])]
ListingTitle = Annotated[str, msgspec.Meta(max_length=TEXT_LIMITS["title"])]
Brand = Annotated[str, msgspec.Meta(max_length=TEXT_LIMITS["brand"])]
Mpn = Annotated[str, msgspec.Meta(max_length=TEXT_LIMITS["mpn"])]
Description = Annotated[str, msgspec.Meta(max_length=TEXT_LIMITS["description"])]
Unit = Annotated[str, msgspec.Meta(max_length=TEXT_LIMITS["unit"], examples=["pcs"])]
# A GTIN has at most 14 digits; room for the spaces people type in it.
Gtin = Annotated[str, msgspec.Meta(max_length=32, examples=["4006381333931"])]
Currency = Annotated[str, msgspec.Meta(max_length=50, examples=["EUR"])]
TaxRate = Annotated[Decimal, msgspec.Meta(examples=["19.00"],
                                          description="Percent; empty: the marketplace's default rate")]


class ListingTierIn(msgspec.Struct, forbid_unknown_fields=True):
    min_qty: Annotated[int, msgspec.Meta(ge=2, examples=[10])]
    unit_price: Price


class ListingIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    title: ListingTitle
    base_price: Price
    currency: Currency
    brand: Brand = ""
    mpn: Mpn = ""
    gtin: Gtin = ""
    category_id: int | None = None
    description: Description = ""
    unit: Unit = "pcs"
    pack_size: int = 1
    min_order_qty: int = 1
    stock: int = 0
    lead_time_days: int = 0
    tax_rate: TaxRate | None = None
    tiers: Annotated[list[ListingTierIn], msgspec.Meta(max_length=MAX_TIERS)] = []

    def fields(self) -> dict[str, Any]:
        return msgspec.structs.asdict(self)


class ListingPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; `tiers`, when sent, replaces every tier; `tax_rate: null` clears the rate."""

    sku: Sku | msgspec.UnsetType = msgspec.UNSET
    title: ListingTitle | msgspec.UnsetType = msgspec.UNSET
    base_price: Price | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    brand: Brand | msgspec.UnsetType = msgspec.UNSET
    mpn: Mpn | msgspec.UnsetType = msgspec.UNSET
    gtin: Gtin | msgspec.UnsetType = msgspec.UNSET
    category_id: int | msgspec.UnsetType | None = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    unit: Unit | msgspec.UnsetType = msgspec.UNSET
    pack_size: int | msgspec.UnsetType = msgspec.UNSET
    min_order_qty: int | msgspec.UnsetType = msgspec.UNSET
    stock: int | msgspec.UnsetType = msgspec.UNSET
    lead_time_days: int | msgspec.UnsetType = msgspec.UNSET
    tax_rate: TaxRate | msgspec.UnsetType | None = msgspec.UNSET
    tiers: Annotated[list[ListingTierIn], msgspec.Meta(max_length=MAX_TIERS)] | msgspec.UnsetType = msgspec.UNSET

    def fields(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if getattr(self, name) is not msgspec.UNSET
        }


class ListingTierOut(msgspec.Struct):
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
    tax_rate: Annotated[Decimal | None, msgspec.Meta(description="Percent; null: the marketplace's default rate")]
    tiers: list[ListingTierOut]
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
