"""The catalog's full-text search index, kept right by database triggers.

One document per listing of a curated product: the product's name, brand, MPN, GTIN and
description plus the listing's own SKU. PostgreSQL: a `listing_search` table with a
`tsvector` and a GIN index; SQLite: an FTS5 table `listing_search` whose rowid is the
listing id. Triggers on `listing` (insert, update of sku/product, delete) and `product`
(update of the searched fields, delete) rewrite the affected documents in the same
transaction, so curation, vendor edits and feed imports need not know the index exists.

Both sides index the same words: lower-case runs of letters and digits ("A-100/5" is
"a", "100", "5"), no stemming, no stop words; app/catalog/search.py splits queries the same way.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "full-text search index of listings and products, maintained by triggers"

POSTGRES = [
    """CREATE OR REPLACE FUNCTION catalog_search_text(value text) RETURNS text
       LANGUAGE sql IMMUTABLE AS $$ SELECT regexp_replace(lower(coalesce(value, '')), '[^[:alnum:]]+', ' ', 'g') $$""",
    """CREATE TABLE listing_search (
         listing_id integer PRIMARY KEY REFERENCES listing (id) ON DELETE CASCADE,
         document tsvector NOT NULL
       )""",
    "CREATE INDEX listing_search_document ON listing_search USING GIN (document)",
    """CREATE OR REPLACE FUNCTION catalog_search_document(p product, sku text) RETURNS tsvector
       LANGUAGE sql STABLE AS $$
         SELECT setweight(to_tsvector('simple', catalog_search_text(p.name)), 'A')
             || setweight(to_tsvector('simple', catalog_search_text(
                    concat_ws(' ', p.brand, p.mpn, p.gtin, sku))), 'B')
             || setweight(to_tsvector('simple', catalog_search_text(p.description)), 'D')
       $$""",
    """CREATE OR REPLACE FUNCTION catalog_listing_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.product IS NULL THEN
           DELETE FROM listing_search WHERE listing_id = NEW.id;
         ELSE
           INSERT INTO listing_search (listing_id, document)
             SELECT NEW.id, catalog_search_document(p, NEW.sku) FROM product p WHERE p.id = NEW.product
           ON CONFLICT (listing_id) DO UPDATE SET document = EXCLUDED.document;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER listing_search_write AFTER INSERT OR UPDATE OF sku, product ON listing
       FOR EACH ROW EXECUTE FUNCTION catalog_listing_search_trigger()""",
    """CREATE OR REPLACE FUNCTION catalog_product_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           DELETE FROM listing_search WHERE listing_id IN (SELECT id FROM listing WHERE product = OLD.id);
           RETURN NULL;
         END IF;
         UPDATE listing_search s SET document = catalog_search_document(NEW, l.sku)
           FROM listing l WHERE l.id = s.listing_id AND l.product = NEW.id;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER product_search_write AFTER UPDATE OF name, description, brand, mpn, gtin OR DELETE
       ON product FOR EACH ROW EXECUTE FUNCTION catalog_product_search_trigger()""",
    """INSERT INTO listing_search (listing_id, document)
         SELECT l.id, catalog_search_document(p, l.sku) FROM listing l JOIN product p ON p.id = l.product""",
]

POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS product_search_write ON product",
    "DROP TRIGGER IF EXISTS listing_search_write ON listing",
    "DROP FUNCTION IF EXISTS catalog_product_search_trigger()",
    "DROP FUNCTION IF EXISTS catalog_listing_search_trigger()",
    "DROP TABLE IF EXISTS listing_search",
    "DROP FUNCTION IF EXISTS catalog_search_document(product, text)",
    "DROP FUNCTION IF EXISTS catalog_search_text(text)",
]

_SQLITE_FILL = """INSERT INTO listing_search (rowid, name, codes, description)
    SELECT l.id, p.name, p.brand || ' ' || p.mpn || ' ' || p.gtin || ' ' || l.sku, p.description
    FROM listing l JOIN product p ON p.id = l.product"""

SQLITE = [
    """CREATE VIRTUAL TABLE listing_search USING fts5(
         name, codes, description, tokenize = 'unicode61 remove_diacritics 0'
       )""",
    f"""CREATE TRIGGER listing_search_insert AFTER INSERT ON listing WHEN NEW.product IS NOT NULL BEGIN
         {_SQLITE_FILL.replace("FROM listing l JOIN", "FROM (SELECT NEW.id AS id, NEW.sku AS sku, NEW.product AS product) l JOIN")};
       END""",
    f"""CREATE TRIGGER listing_search_update AFTER UPDATE OF sku, product ON listing BEGIN
         DELETE FROM listing_search WHERE rowid = OLD.id;
         {_SQLITE_FILL.replace("FROM listing l JOIN", "FROM (SELECT NEW.id AS id, NEW.sku AS sku, NEW.product AS product) l JOIN")};
       END""",
    """CREATE TRIGGER listing_search_delete AFTER DELETE ON listing BEGIN
         DELETE FROM listing_search WHERE rowid = OLD.id;
       END""",
    f"""CREATE TRIGGER product_search_update AFTER UPDATE OF name, description, brand, mpn, gtin ON product BEGIN
         DELETE FROM listing_search WHERE rowid IN (SELECT id FROM listing WHERE product = NEW.id);
         {_SQLITE_FILL} WHERE l.product = NEW.id;
       END""",
    """CREATE TRIGGER product_search_delete AFTER DELETE ON product BEGIN
         DELETE FROM listing_search WHERE rowid IN (SELECT id FROM listing WHERE product = OLD.id);
       END""",
    _SQLITE_FILL,
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS product_search_delete",
    "DROP TRIGGER IF EXISTS product_search_update",
    "DROP TRIGGER IF EXISTS listing_search_delete",
    "DROP TRIGGER IF EXISTS listing_search_update",
    "DROP TRIGGER IF EXISTS listing_search_insert",
    "DROP TABLE IF EXISTS listing_search",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    async def drop_index():
        engine = engine_finder()
        for statement in SQLITE_BACKWARDS if isinstance(engine, SQLiteEngine) else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
