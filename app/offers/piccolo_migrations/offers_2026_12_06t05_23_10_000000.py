from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:23:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "revisions written before offers had their own currency and payment terms: their RFQ's"

FORWARDS = [
    "UPDATE offer_revision SET currency = (SELECT r.currency FROM offer o JOIN rfq r ON r.id = o.rfq"
    " WHERE o.id = offer_revision.offer) WHERE currency = ''",
    "UPDATE offer_revision SET payment_terms_days = (SELECT CASE r.payment_terms WHEN 'net_30' THEN 30"
    " WHEN 'net_60' THEN 60 WHEN 'net_90' THEN 90 ELSE 0 END FROM offer o JOIN rfq r ON r.id = o.rfq"
    " WHERE o.id = offer_revision.offer) WHERE payment_terms_days = 0",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="offers", description=DESCRIPTION)

    async def backfill():
        engine = engine_finder()
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(backfill)
    return manager
