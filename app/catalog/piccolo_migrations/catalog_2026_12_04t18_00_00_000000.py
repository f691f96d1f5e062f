"""Drop `listing_vendor`, the index on `listing.vendor` alone: the unique (vendor, sku) index serves every lookup by
vendor, and this one lured the planner into the worst plan of a big feed import.

Writing an import's volume tiers looks each listing up by `vendor = $1 AND sku = …`. PostgreSQL planned that from
statistics taken before the import's transaction wrote the vendor's listings ("1 row" for a vendor that now has
100,000) and chose the narrower vendor-only index with `sku` as a filter: every tier scanned all of the vendor's
listings, rows x tiers (a second vendor's 100,000-row import took minutes instead of seconds). With only the unique
index left, the lookup is one probe of (vendor, sku) whatever the statistics say; and each listing write keeps one
index less up to date.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "listing.vendor loses its own index: the unique (vendor, sku) index serves vendor lookups"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    manager.alter_column(
        table_class_name="Listing",
        tablename="listing",
        column_name="vendor",
        db_column_name="vendor",
        params={"index": False},
        old_params={"index": True},
        column_class=None,
        old_column_class=None,
        schema=None,
    )
    return manager
