"""create_app(): the one place that wires controllers, middleware, templates, the back office and jobs."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from litestar import Litestar, asgi
from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Receive, Scope, Send

from app import db, openapi
from app.accounts.controllers import (
    AddressApi,
    AuthApi,
    CompanyApi,
    CompanyPages,
    LoginPages,
    MeApi,
    SettingsPages,
    TeamPages,
    UserApi,
)
from app.admin import create_back_office
from app.analytics.controllers import ROUTES as analytics_routes
from app.auth import AuthenticationMiddleware, place_of
from app.billing.controllers import ROUTES as billing_routes
from app.catalog.controllers import ROUTES as catalog_routes
from app.clock import format_day, format_moment, utc_to_local_input
from app.contracts.controllers import ROUTES as contract_routes
from app.curation.controllers import ROUTES as curation_routes
from app.dashboard.controllers import DashboardPages, TaskApi
from app.errors import EXCEPTION_HANDLERS, BodyCheckMiddleware
from app.exchange_rates.controllers import ROUTES as exchange_rate_routes
from app.invoicing.controllers import ROUTES as invoice_routes
from app.invoicing.pages import ROUTES as invoice_pages
from app.locales import ANYWHERE, Place
from app.money import shown
from app.notifications.controllers import NotificationApi, NotificationPages, OutboxPages
from app.notifications.unread import UnreadCountMiddleware
from app.offers.controllers import ROUTES as offer_routes
from app.offers.pages import add_comparison_section
from app.onbehalf.controllers import ROUTES as on_behalf_routes
from app.orders.controllers import ROUTES as order_routes
from app.rfq.controllers import ROUTES as rfq_routes
from app.rfq.forms import MAX_FORM_PARTS
from app.settings import PROJECT_ROOT, Settings, get_settings
from app.sourcing import highs_process
from app.sourcing.controllers import ROUTES as sourcing_routes
from app.sourcing.pages import scores_section
from app.spending.controllers import ROUTES as spending_routes
from app.vendors.controllers import ROUTES as vendor_routes
from app.worker import InProcessWorker, load_actors

ROUTE_HANDLERS = [
    AuthApi, MeApi, CompanyApi, UserApi, AddressApi, LoginPages, TeamPages, SettingsPages, CompanyPages,
    DashboardPages, OutboxPages, TaskApi, NotificationApi, NotificationPages, *catalog_routes, *curation_routes,
    *vendor_routes, *rfq_routes, *offer_routes, *contract_routes, *order_routes, *sourcing_routes, *analytics_routes,
    *spending_routes,
    *billing_routes, *invoice_routes, *invoice_pages,
    *on_behalf_routes,
    *exchange_rate_routes,
]


def _place(context: Mapping[str, Any]) -> Place:
    request = context.get("request")
    return place_of(request) if request is not None else ANYWHERE


def _money(context: Mapping[str, Any], amount: Decimal | None, currency: str | None, unit_price: bool = False) -> str:
    return shown(amount, currency, _place(context).locale, unit_price)


def _when(context: Mapping[str, Any], moment: datetime | None, seconds: bool = False) -> str:
    place = _place(context)
    return "—" if moment is None else format_moment(moment, place.time_zone, place.locale, seconds=seconds)


def _day(context: Mapping[str, Any], value: date | datetime | None) -> str:
    place = _place(context)
    return "—" if value is None else format_day(value, place.time_zone, place.locale)


def _local_input(context: Mapping[str, Any], moment: datetime | None) -> str:
    return utc_to_local_input(moment, _place(context).time_zone)


def _zone(context: Mapping[str, Any]) -> str:
    return _place(context).time_zone


def _template_globals(engine: JinjaTemplateEngine) -> None:
    # One formatter each for every page, in the signed-in user's locale and zone (English and UTC for anyone else):
    # `money(amount, currency, unit_price=False)`, `when(moment)`, `day(date_or_moment)`, and for datetime-local
    # fields `local_input(moment)` and `zone()`, the zone the typed time is read in.
    for name, function in (("money", _money), ("when", _when), ("day", _day), ("local_input", _local_input),
                           ("zone", _zone)):
        engine.register_template_callable(name, function)


def create_served_app() -> Litestar:
    """The app as `market serve` runs it (uvicorn's factory)."""
    return create_app(long_lived=True)


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None,
               long_lived: bool = False) -> Litestar:
    """The web app. `run_worker` defaults to an in-process worker when no Redis is configured.

    `long_lived` is for a served process: once started, everything that exists then (modules, routes, the
    OpenAPI schema, the pool) is moved out of the collector's sight with `gc.freeze()`, so a full collection
    no longer walks it — unfrozen, that walk stalled every request in flight for ~170 ms during a bidding burst.
    """
    settings = settings or get_settings()
    load_actors()
    # The comparison page (offers) shows sourcing's weighted scores: sourcing sits above offers, so it plugs in.
    add_comparison_section(scores_section)
    in_process_worker = (settings.redis_url is None) if run_worker is None else run_worker
    back_office = create_back_office(settings)

    @asgi("/admin", is_mount=True, copy_scope=True)
    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        await back_office(scope, receive, send)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await db.start_pool(settings.db_pool_size, open_all=True)
        worker = InProcessWorker(settings) if in_process_worker else None
        if worker:
            worker.start()
        if long_lived:
            highs_process.start_worker()  # the first scenario solved does not wait for HiGHS's process to start
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if worker:
                worker.stop()
            await db.close_pool()

    template_config = TemplateConfig(directory=PROJECT_ROOT / "templates", engine=JinjaTemplateEngine,
                                     engine_callback=_template_globals)
    # Flash messages only ride in this signed, encrypted cookie; who is logged in lives in the
    # database session table, shared by every app process and the back office.
    flash_cookie = CookieBackendConfig(
        secret=hashlib.sha256(f"flash:{settings.secret_key}".encode()).digest(),
        key="market_flash",
        httponly=True,
        secure=settings.production,
        samesite="lax",
        exclude=["^/api/", "^/admin"],
    )
    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            admin,
            create_static_files_router(path="/static", directories=[PROJECT_ROOT / "static"]),
            openapi.swagger_ui_assets(),
        ],
        lifespan=[lifespan],
        # First: a body no decoder should be given is a 400 before anything reads it.
        # After authentication: the header's unread count is the signed-in user's.
        middleware=[BodyCheckMiddleware(), flash_cookie.middleware, AuthenticationMiddleware(),
                    UnreadCountMiddleware()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            # piccolo-admin has its own "csrftoken" cookie and checks: keep out of its way.
            cookie_name="market_csrf",
            header_name="x-market-csrf",
            cookie_secure=settings.production,
            cookie_samesite="lax",
            exclude=["^/api/", "^/admin"],
        ),
        template_config=template_config,
        # The RFQ page's form is multipart (it uploads a sheet of lines) with six fields a line and a chosen vendor
        # each: Litestar's default of 1,000 parts would refuse a full draft.
        multipart_form_part_limit=MAX_FORM_PARTS,
        plugins=[FlashPlugin(config=FlashConfig(template_config=template_config))],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Marketplace API",
            version="1",
            path="/api/schema",
            render_plugins=[openapi.docs_page()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
    openapi.describe(app)
    return app
