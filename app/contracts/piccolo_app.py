"""The contracts area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.contracts.tables import (
    Contract,
    ContractLine,
    ContractLineMark,
    ContractLineTier,
    ContractNumberCounter,
    ContractPrice,
    ContractRating,
    ContractVersion,
)

APP_CONFIG = AppConfig(
    app_name="contracts",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[
        ContractNumberCounter, Contract, ContractLine, ContractLineMark, ContractLineTier, ContractVersion,
        ContractPrice, ContractRating,
    ],
    migration_dependencies=["app.catalog.piccolo_app", "app.rfq.piccolo_app", "app.offers.piccolo_app"],
    commands=[],
)
