"""The catalog area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.catalog.tables import (
    Category,
    CurationEvent,
    Listing,
    ListingTier,
    PriceList,
    PriceListEntry,
    Product,
    Segment,
    SegmentMember,
    SegmentRule,
)

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[
        Category, Product, Listing, ListingTier, Segment, SegmentMember, SegmentRule, PriceList, PriceListEntry,
        CurationEvent,
    ],
    migration_dependencies=["app.accounts.piccolo_app"],
    commands=[],
)
