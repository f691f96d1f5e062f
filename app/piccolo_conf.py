"""Piccolo's configuration: the engine for MARKET_DATABASE_URL and every app with tables."""

from piccolo.conf.apps import AppRegistry

from app.engine import make_engine
from app.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "app.accounts.piccolo_app",
        "app.notifications.piccolo_app",
        "app.exchange_rates.piccolo_app",
        "app.catalog.piccolo_app",
        "app.contracts.piccolo_app",
        "app.vendors.piccolo_app",
        "app.rfq.piccolo_app",
        "app.offers.piccolo_app",
        "app.onbehalf.piccolo_app",
        "app.orders.piccolo_app",
        "app.billing.piccolo_app",
        "app.sourcing.piccolo_app",
        "app.spending.piccolo_app",
        "app.analytics.piccolo_app",
    ]
)
