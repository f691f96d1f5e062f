"""The offers area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.offers.tables import (
    Award,
    CounterProposal,
    CounterProposalLine,
    Offer,
    OfferAttachment,
    OfferLine,
    OfferRevision,
)

APP_CONFIG = AppConfig(
    app_name="offers",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[Offer, OfferRevision, OfferLine, Award, CounterProposal, CounterProposalLine, OfferAttachment],
    migration_dependencies=["app.rfq.piccolo_app"],
    commands=[],
)
