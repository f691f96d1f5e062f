"""Product-level offer summary for catalog search on PostgreSQL, kept right by triggers.

`product_search` (migration catalog_2026_11_23t13_30_00_000000, one row per product) gains what
a search without prices needs to know about a product, so that it reads one row per matching
product instead of five listing rows and a product row:

- `vendors`: the vendors of the product's approved listings, `stocked`: those of its approved
  listings in stock (sorted, distinct). Whether such a vendor is active and what a segment's
  vendor rules say is decided by each search from the company and segment_rule tables (two small
  reads per statement), so a rule or a vendor's status change never needs this summary rewritten;
- `active`, `category`, `brand`, `featured`, `name_key`: copies of the product's status, category,
  brand, featured flag and lower-case name, for the product half of the visibility rule, the
  filters, the facets and the relevance order.

Triggers on `listing` (insert, update of status/product/vendor or of stock across zero, delete)
and on `product` rewrite the affected rows in the same transaction: the summary is never stale.
New listings of a feed import have no product yet, so the import pays nothing for it.
SQLite keeps searching the listings directly (nothing to do there).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog search on PostgreSQL: each product's offering vendors and own fields in product_search"

POSTGRES = [
    """ALTER TABLE product_search
         ADD COLUMN vendors integer[] NOT NULL DEFAULT '{}',
         ADD COLUMN stocked integer[] NOT NULL DEFAULT '{}',
         ADD COLUMN active boolean NOT NULL DEFAULT false,
         ADD COLUMN category integer,
         ADD COLUMN brand text NOT NULL DEFAULT '',
         ADD COLUMN featured boolean NOT NULL DEFAULT false,
         ADD COLUMN name_key text NOT NULL DEFAULT ''""",
    # The product's own fields: the row trigger of 13:30 now writes them too, on every change that matters.
    """CREATE OR REPLACE FUNCTION catalog_product_search_row_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO product_search (product_id, document, active, category, brand, featured, name_key)
           VALUES (NEW.id, catalog_product_document(NEW.name, NEW.brand, NEW.mpn, NEW.gtin, NEW.description),
                   NEW.status = 'active', NEW.category, COALESCE(NEW.brand, ''), COALESCE(NEW.featured, false),
                   lower(NEW.name))
         ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document, active = EXCLUDED.active,
           category = EXCLUDED.category, brand = EXCLUDED.brand, featured = EXCLUDED.featured,
           name_key = EXCLUDED.name_key;
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS product_search_row ON product",
    """CREATE TRIGGER product_search_row
       AFTER INSERT OR UPDATE OF name, description, brand, mpn, gtin, status, category, featured
       ON product FOR EACH ROW EXECUTE FUNCTION catalog_product_search_row_trigger()""",
    """CREATE OR REPLACE FUNCTION catalog_product_offers(product_id integer) RETURNS void
       LANGUAGE sql AS $$
         UPDATE product_search ps
            SET vendors = COALESCE(a.vendors, '{}'), stocked = COALESCE(a.stocked, '{}')
           FROM (SELECT array_agg(DISTINCT l.vendor ORDER BY l.vendor) AS vendors,
                        array_agg(DISTINCT l.vendor ORDER BY l.vendor) FILTER (WHERE l.stock > 0) AS stocked
                   FROM listing l WHERE l.product = $1 AND l.status = 'approved') a
          WHERE ps.product_id = $1
       $$""",
    """CREATE OR REPLACE FUNCTION catalog_listing_offers_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'INSERT' AND OLD.product IS NOT NULL THEN
           PERFORM catalog_product_offers(OLD.product);
         END IF;
         IF TG_OP <> 'DELETE' AND NEW.product IS NOT NULL
            AND (TG_OP = 'INSERT' OR NEW.product IS DISTINCT FROM OLD.product) THEN
           PERFORM catalog_product_offers(NEW.product);
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER listing_offers_insert AFTER INSERT ON listing FOR EACH ROW
       WHEN (NEW.product IS NOT NULL AND NEW.status = 'approved')
       EXECUTE FUNCTION catalog_listing_offers_trigger()""",
    """CREATE TRIGGER listing_offers_update AFTER UPDATE OF status, product, vendor, stock ON listing FOR EACH ROW
       WHEN ((OLD.status = 'approved' OR NEW.status = 'approved')
             AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.product IS DISTINCT FROM NEW.product
                  OR OLD.vendor IS DISTINCT FROM NEW.vendor OR (OLD.stock > 0) IS DISTINCT FROM (NEW.stock > 0)))
       EXECUTE FUNCTION catalog_listing_offers_trigger()""",
    """CREATE TRIGGER listing_offers_delete AFTER DELETE ON listing FOR EACH ROW
       WHEN (OLD.product IS NOT NULL AND OLD.status = 'approved')
       EXECUTE FUNCTION catalog_listing_offers_trigger()""",
    """UPDATE product_search ps
          SET active = p.status = 'active', category = p.category, brand = COALESCE(p.brand, ''),
              featured = COALESCE(p.featured, false), name_key = lower(p.name),
              vendors = COALESCE(a.vendors, '{}'), stocked = COALESCE(a.stocked, '{}')
         FROM product p
         LEFT JOIN (SELECT l.product, array_agg(DISTINCT l.vendor ORDER BY l.vendor) AS vendors,
                           array_agg(DISTINCT l.vendor ORDER BY l.vendor) FILTER (WHERE l.stock > 0) AS stocked
                      FROM listing l WHERE l.status = 'approved' AND l.product IS NOT NULL GROUP BY l.product) a
           ON a.product = p.id
        WHERE p.id = ps.product_id""",
    "CREATE INDEX product_search_brand ON product_search (lower(brand))",
    "CREATE INDEX product_search_category ON product_search (category)",
    "ANALYZE product_search",
]

POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS product_search_category",
    "DROP INDEX IF EXISTS product_search_brand",
    "DROP TRIGGER IF EXISTS listing_offers_delete ON listing",
    "DROP TRIGGER IF EXISTS listing_offers_update ON listing",
    "DROP TRIGGER IF EXISTS listing_offers_insert ON listing",
    "DROP FUNCTION IF EXISTS catalog_listing_offers_trigger()",
    "DROP FUNCTION IF EXISTS catalog_product_offers(integer)",
    "DROP TRIGGER IF EXISTS product_search_row ON product",
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
    """ALTER TABLE product_search DROP COLUMN vendors, DROP COLUMN stocked, DROP COLUMN active,
         DROP COLUMN category, DROP COLUMN brand, DROP COLUMN featured, DROP COLUMN name_key""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_summary():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            return
        for statement in POSTGRES:
            await engine.run_ddl(statement)

    async def drop_summary():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            return
        for statement in POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_summary)
    manager.add_raw_backwards(drop_summary)
    return manager
