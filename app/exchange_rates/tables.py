"""Exchange rates as stored: one rate per pair of currencies and day, kept by operators."""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import BigInt, Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["ExchangeRate"]


class ExchangeRate(Table, tablename="exchange_rate"):
    """1 `base` = `rate` / 10**8 `quote` from `valid_on` until the pair's next rate (unique per pair and day, made
    in the migration). Rates are never edited: a correction is a rate for the same pair on a later day."""

    base = Varchar(length=3, null=False, help_text="The currency converted from (ISO 4217)")
    quote = Varchar(length=3, null=False, help_text="The currency converted into (ISO 4217)")
    rate = BigInt(null=False, help_text="Units of the quote currency for one of the base, in 1/100,000,000")
    valid_on = Date(null=False, index=True)
    source = Varchar(length=200, default="", help_text="Where the rate comes from (a central bank, a file)")
    created_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(null=False)
