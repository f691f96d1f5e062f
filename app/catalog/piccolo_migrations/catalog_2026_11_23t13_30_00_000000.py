"""Indexes for catalog search at marketplace size (100,000 products, 500,000 listings).

PostgreSQL: a product-level search index next to the listing-level one of migration
catalog_2026_11_23t13_00_00_000000. A listing's document is its product's words plus its own
SKU, so a query whose every word is in the product's own text matches all of the product's
listings: the search finds those products in `product_search` (one row per product, five times
fewer than listings, kept right by a trigger) and reads only listings whose SKU holds one of
the words (a GIN index on the SKU's words) from `listing_search`. Same words, same matches.

Both backends: the approved listings of a product (the page's offers, a product page, the
offers of the matched products) and the brand filter, which ignores case.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog search at scale: product-level search index, SKU words, approved offers, brand"

POSTGRES = [
    """CREATE OR REPLACE FUNCTION catalog_product_document(name text, brand text, mpn text, gtin text,
                                                            description text)
       RETURNS tsvector LANGUAGE sql STABLE AS $$
         SELECT setweight(to_tsvector('simple', catalog_search_text(name)), 'A')
             || setweight(to_tsvector('simple', catalog_search_text(
                    concat_ws(' ', brand, mpn, gtin))), 'B')
             || setweight(to_tsvector('simple', catalog_search_text(description)), 'D')
       $$""",
    # The SKU's words, as catalog_search_document indexes them (IMMUTABLE: usable in an index). PARALLEL
    # UNSAFE on purpose: a search with words reads a few thousand rows, and starting parallel workers for it
    # cost more (20-35 ms on the benchmark machine) than the rows themselves; this keeps such plans serial.
    """CREATE OR REPLACE FUNCTION catalog_sku_words(sku text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL UNSAFE AS $$ SELECT to_tsvector('simple', catalog_search_text(sku)) $$""",
    """CREATE TABLE product_search (
         product_id integer PRIMARY KEY REFERENCES product (id) ON DELETE CASCADE,
         document tsvector NOT NULL
       )""",
    "CREATE INDEX product_search_document ON product_search USING GIN (document)",
    """CREATE OR REPLACE FUNCTION catalog_product_search_row_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO product_search (product_id, document)
           VALUES (NEW.id, catalog_product_document(NEW.name, NEW.brand, NEW.mpn, NEW.gtin, NEW.description))
         ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER product_search_row AFTER INSERT OR UPDATE OF name, description, brand, mpn, gtin
       ON product FOR EACH ROW EXECUTE FUNCTION catalog_product_search_row_trigger()""",
    """INSERT INTO product_search (product_id, document)
         SELECT id, catalog_product_document(name, brand, mpn, gtin, description) FROM product""",
    "CREATE INDEX listing_sku_words ON listing USING GIN (catalog_sku_words(sku))",
    """CREATE INDEX listing_approved_product ON listing (product, vendor) INCLUDE (stock, base_price, currency)
       WHERE status = 'approved'""",
    "CREATE INDEX product_brand_lower ON product (lower(brand))",
    "ANALYZE product_search",
    "ANALYZE listing",
    "ANALYZE product",
]

POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS product_brand_lower",
    "DROP INDEX IF EXISTS listing_approved_product",
    "DROP INDEX IF EXISTS listing_sku_words",
    "DROP TRIGGER IF EXISTS product_search_row ON product",
    "DROP FUNCTION IF EXISTS catalog_product_search_row_trigger()",
    "DROP TABLE IF EXISTS product_search",
    "DROP FUNCTION IF EXISTS catalog_sku_words(text)",
    "DROP FUNCTION IF EXISTS catalog_product_document(text, text, text, text, text)",
]

SQLITE = [
    "CREATE INDEX listing_approved_product ON listing (product, vendor, stock) WHERE status = 'approved'",
    "CREATE INDEX product_brand_lower ON product (lower(brand))",
]

SQLITE_BACKWARDS = [
    "DROP INDEX IF EXISTS product_brand_lower",
    "DROP INDEX IF EXISTS listing_approved_product",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in SQLITE_BACKWARDS if isinstance(engine, SQLiteEngine) else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
