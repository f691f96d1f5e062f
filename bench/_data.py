"""Builds a marketplace-sized catalog straight into the database, fast: bulk inserts, no ORM.

Used by bench/catalog.py. The schema comes from the migrations (run `market migrate` first).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from app.settings import Settings

WORDS = [
    "nitrile", "glove", "sterile", "gauze", "syringe", "catheter", "mask", "gown", "scalpel", "suture",
    "bandage", "tape", "swab", "thermometer", "cuff", "stethoscope", "lancet", "vial", "pipette", "beaker",
    "flask", "tube", "rack", "centrifuge", "microscope", "slide", "cover", "pump", "valve", "hose", "bolt",
    "nut", "screw", "washer", "bracket", "hinge", "cable", "connector", "relay", "fuse", "switch", "sensor",
    "motor", "bearing", "belt", "filter", "paper", "toner", "pen", "marker", "folder", "binder", "stapler",
    "chair", "desk", "lamp", "monitor", "keyboard", "mouse", "headset", "battery",
]
BRANDS = [f"Brand{n:03d}" for n in range(300)]
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Size:
    products: int = 100_000
    vendors: int = 200
    listings_per_product: int = 5
    segments: int = 20
    buyers: int = 2_000
    contracts: int = 50_000
    categories: int = 200


def _batches(rows: Iterable[tuple], size: int = 5_000) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Writer:
    """Bulk inserts into SQLite (sqlite3, one transaction) or PostgreSQL (COPY)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sqlite: sqlite3.Connection | None = None
        self.pg: asyncpg.Connection | None = None

    async def __aenter__(self) -> Writer:
        if self.settings.database_is_sqlite:
            self.sqlite = sqlite3.connect(self.settings.sqlite_path, timeout=60)
            self.sqlite.execute("PRAGMA foreign_keys = OFF")
        else:
            self.pg = await asyncpg.connect(**self.settings.postgres_config)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.sqlite:
            self.sqlite.commit()
            self.sqlite.close()
        if self.pg:
            await self.pg.close()

    async def insert(self, table: str, columns: list[str], rows: Iterable[tuple], on_batch: Callable[[int], None]):
        for batch in _batches(rows):
            if self.sqlite:
                marks = ", ".join("?" for _ in columns)
                names = ", ".join(f'"{c}"' for c in columns)
                self.sqlite.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)
            else:
                await self.pg.copy_records_to_table(table, records=batch, columns=columns)
            on_batch(len(batch))

    async def scalar(self, sql: str):
        if self.sqlite:
            return self.sqlite.execute(sql).fetchone()[0]
        return await self.pg.fetchval(sql)

    async def execute(self, sql: str) -> None:
        if self.sqlite:
            self.sqlite.execute(sql)
        else:
            await self.pg.execute(sql)

    def ts(self, moment: datetime):
        # The SQLite adapter stores aware times as str(datetime) in UTC; COPY wants the datetime.
        return str(moment) if self.sqlite else moment


async def build(settings: Settings, size: Size, progress: Callable[[str, int, int], None], seed: int = 7) -> dict:
    """Fill an empty catalog; returns the ids the benchmark needs. Deterministic for a seed."""
    rng = random.Random(seed)
    async with Writer(settings) as w:
        if await w.scalar("SELECT count(*) FROM product"):
            raise SystemExit("the catalog is not empty: use a fresh database for the benchmark")
        company0 = (await w.scalar("SELECT coalesce(max(id), 0) FROM company")) + 1
        ts = w.ts(NOW)

        def step(name: str, total: int) -> Callable[[int], None]:
            done = [0]

            def advance(n: int) -> None:
                done[0] += n
                progress(name, done[0], total)

            return advance

        vendor_ids = list(range(company0, company0 + size.vendors))
        buyer_ids = list(range(company0 + size.vendors, company0 + size.vendors + size.buyers))
        await w.insert(
            "company", ["id", "name", "kind", "tax_id", "country", "currency", "status", "created_at"],
            [(cid, f"Bench vendor {cid}", "vendor", "", "DE", "EUR", "active", ts) for cid in vendor_ids]
            + [(cid, f"Bench buyer {cid}", "buyer", "", "DE", "EUR", "active", ts) for cid in buyer_ids],
            step("companies", size.vendors + size.buyers),
        )
        # A two-level category tree.
        top = max(1, size.categories // 10)
        categories = []
        for number in range(1, size.categories + 1):
            parent = None if number <= top else rng.randint(1, top)
            path = f"/{number}/" if parent is None else f"/{parent}/{number}/"
            categories.append((number, f"Category {number}", parent, path))
        await w.insert("category", ["id", "name", "parent", "path"], categories, step("categories", len(categories)))
        leaf_ids = [c[0] for c in categories if c[2] is not None] or [c[0] for c in categories]

        def products() -> Iterator[tuple]:
            for pid in range(1, size.products + 1):
                name = " ".join(rng.sample(WORDS, 3)).title() + f" {pid}"
                yield (pid, name, rng.choice(BRANDS), f"MPN{pid:07d}", f"{4000000000000 + pid:013d}",
                       rng.choice(leaf_ids), "{}", "pcs", f"{name} for professional use", "[]", "active",
                       pid % 500 == 0, ts, ts)

        await w.insert(
            "product",
            ["id", "name", "brand", "mpn", "gtin", "category", "attributes", "unit", "description", "image_urls",
             "status", "featured", "created_at", "updated_at"],
            products(), step("products", size.products),
        )
        listing_count = size.products * size.listings_per_product

        def listings() -> Iterator[tuple]:
            lid = 0
            for pid in range(1, size.products + 1):
                for vendor in rng.sample(vendor_ids, size.listings_per_product):
                    lid += 1
                    price = rng.randint(1_000, 5_000_000)  # 0.10 .. 500.00 EUR in 1/10,000
                    yield (lid, vendor, f"SKU-{lid}", pid, f"Offer {lid}", "", "", "", "", "pcs", 1, 1,
                           rng.randint(0, 500), rng.randint(1, 30), price, "EUR", "approved", "", ts, ts)

        await w.insert(
            "listing",
            ["id", "vendor", "sku", "product", "title", "brand", "mpn", "gtin", "description", "unit", "pack_size",
             "min_order_qty", "stock", "lead_time_days", "base_price", "currency", "status", "rejection_reason",
             "created_at", "updated_at"],
            listings(), step("listings", listing_count),
        )
        await w.insert(
            "listing_tier", ["listing", "min_qty", "unit_price"],
            ((lid, 10, rng.randint(900, 4_500_000)) for lid in range(1, listing_count + 1, 3)),
            step("volume tiers", listing_count // 3 + 1),
        )
        segment_ids = list(range(1, size.segments + 1))
        await w.insert("segment", ["id", "name", "description"],
                       [(sid, f"Segment {sid}", "") for sid in segment_ids], step("segments", size.segments))
        await w.insert("segment_member", ["company", "segment"],
                       [(cid, segment_ids[i % len(segment_ids)]) for i, cid in enumerate(buyer_ids)],
                       step("segment members", len(buyer_ids)))
        rules = []
        for sid in segment_ids:
            for target_id in rng.sample(range(1, top + 1), min(2, top)):
                rules.append((sid, "deny", "category", target_id, ts))
            rules.append((sid, "deny", "vendor", rng.choice(vendor_ids), ts))
        await w.insert("segment_rule", ["segment", "effect", "target", "target_id", "created_at"], rules,
                       step("visibility rules", len(rules)))
        await w.insert(
            "price_list", ["id", "name", "segment", "currency", "created_at"],
            [(sid, f"Segment {sid} prices", sid, "EUR", ts) for sid in segment_ids],
            step("price lists", len(segment_ids)),
        )
        await w.insert(
            "price_list_entry", ["price_list", "listing", "min_qty", "unit_price"],
            ((sid, lid, 1, rng.randint(900, 4_500_000)) for sid in segment_ids
             for lid in rng.sample(range(1, listing_count + 1), min(5_000, listing_count))),
            step("price list entries", len(segment_ids) * min(5_000, listing_count)),
        )
        start = w.ts(NOW - timedelta(days=30))
        await w.insert(
            "contract_price", ["company", "listing", "min_qty", "unit_price", "currency", "valid_from", "reference"],
            ((rng.choice(buyer_ids), lid, 1, rng.randint(800, 4_000_000), "EUR", start, f"C-{n:06d}")
             for n, lid in enumerate(rng.sample(range(1, listing_count + 1), min(size.contracts, listing_count)))),
            step("contract prices", min(size.contracts, listing_count)),
        )
        if w.pg:  # the COPY above bypassed the sequences
            for table in ("company", "category", "product", "listing", "segment", "price_list"):
                await w.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            # The load rewrote each product's summary row once per listing in one transaction: five versions
            # that nothing could prune before the commit, the table ~6x its live size with about one row per
            # page (189 MB for 33 MB). Rewrite it compact, as after any bulk load (a live catalog's rows are
            # rewritten one at a time with room on their page: migration catalog_2026_11_29t19_00_00_000000),
            # then VACUUM as autovacuum would soon after a load: it also empties the GIN indexes' pending
            # lists, which every full-text search would otherwise scan (they fill up with a bulk load).
            await w.execute("VACUUM FULL product_search")
            await w.execute("VACUUM ANALYZE")
        else:
            w.sqlite.commit()
            w.sqlite.execute("ANALYZE")
    return {"buyer_ids": buyer_ids, "vendor_ids": vendor_ids, "words": WORDS, "brands": BRANDS}
