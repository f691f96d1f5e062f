"""The analytics pages as rendered: the figures from app/analytics/services.py, the charts drawn off the event loop
(pygal is CPU work), and the tables beside them; and the CSV/XLSX of each table."""

from __future__ import annotations

import asyncio
from datetime import date

from litestar import Response
from litestar.response import Template

from app.analytics import charts, services
from app.analytics import tables_out as out
from app.auth import Principal
from app.errors import NotFound
from app.files import XLSX, bytes_response
from app.spreadsheets import Cell

CSV = "text/csv"  # Litestar adds "; charset=utf-8" itself
NO_SUCH_TABLE = "No such table: month, category, vendor, cost_center, competitiveness or total."


def _savings_charts(page: services.SavingsPage) -> dict[str, str]:
    if page.currency is None:
        return {}
    drawn = {
        "month": charts.savings_by_month(page.by_month, page.currency),
        "category": charts.savings_by_category(page.by_category, page.currency),
        "cost_center": charts.savings_by_cost_center(page.by_cost_center, page.currency),
    }
    vendor = dict(page.vendors).get(page.vendor_id or 0)
    if vendor is not None:
        drawn["competitiveness"] = charts.competitiveness(page.competitiveness, page.currency, vendor)
    return drawn


async def savings_page(principal: Principal, start_text: str, end_text: str, currency: str | None,
                       vendor_id: int | None) -> Template:
    start, end = services.day(start_text, "from"), services.day(end_text, "to")
    page = await services.savings_page(principal, start, end, currency, vendor_id)
    drawn = await asyncio.to_thread(_savings_charts, page)
    return Template(template_name="analytics/savings.html", context={
        "page": page, "charts": drawn, "tables": _savings_tables(page),
        "query": _query(start, end, page.currency, page.vendor_id),
    })


def _query(start: date | None, end: date | None, currency: str | None = None, vendor_id: int | None = None) -> str:
    parts = [f"from={start}" if start else "", f"to={end}" if end else "", f"currency={currency}" if currency else "",
             f"vendor={vendor_id}" if vendor_id else ""]
    return "&".join(part for part in parts if part)


def _savings_tables(page: services.SavingsPage) -> dict[str, list[list[Cell]]]:
    return {
        "total": out.savings_table(page.totals, "Period"),
        "month": out.savings_table(page.by_month, "Month"),
        "category": out.savings_table(page.by_category, "Category"),
        "vendor": out.savings_table(page.by_vendor, "Vendor"),
        "cost_center": out.savings_table(page.by_cost_center, "Cost center"),
        "competitiveness": out.competitiveness_table(page.competitiveness),
    }


TITLES = {
    "total": "Savings in total", "month": "Savings by month", "category": "Savings by category",
    "vendor": "Savings by vendor", "cost_center": "Savings by cost center", "competitiveness": "Vendor competitiveness",
    "spread": "Offer spread per line", "activity": "Marketplace activity",
}


def _download(table: list[list[Cell]], name: str, kind: str, filename: str) -> Response[bytes]:
    if kind == "csv":
        return bytes_response(out.as_csv(TITLES[name], table), CSV, f"{filename}.csv")
    return bytes_response(out.as_xlsx(TITLES[name], table), XLSX, f"{filename}.xlsx")


async def savings_export(principal: Principal, name: str, kind: str, start_text: str, end_text: str,
                         currency: str | None, vendor_id: int | None) -> Response[bytes]:
    start, end = services.day(start_text, "from"), services.day(end_text, "to")
    page = await services.savings_page(principal, start, end, currency, vendor_id)
    tables = _savings_tables(page)
    if name not in tables:
        raise NotFound(NO_SUCH_TABLE)
    return _download(tables[name], name, kind, f"savings-{name}")


async def rfq_page(principal: Principal, rfq_id: int) -> Template:
    figures = await services.rfq_figures(principal, rfq_id)
    chart = await asyncio.to_thread(charts.offer_spread, figures.lines, figures.head.currency)
    return Template(template_name="analytics/rfq.html", context={
        "rfq": figures.head, "chart": chart, "tables": _rfq_tables(figures),
    })


async def rfq_export(principal: Principal, rfq_id: int, name: str, kind: str) -> Response[bytes]:
    figures = await services.rfq_figures(principal, rfq_id)
    tables = _rfq_tables(figures)
    if name not in tables:
        raise NotFound("No such table: spread, vendor or total.")
    return _download(tables[name], name, kind, f"rfq-{rfq_id}-{name}")


def _rfq_tables(figures: services.RfqFigures) -> dict[str, list[list[Cell]]]:
    return {
        "spread": out.spread_table(figures.lines),
        "vendor": out.savings_table(figures.by_vendor, "Vendor"),
        "total": out.savings_table(figures.totals, "RFQ"),
    }


def _marketplace_tables(page: services.MarketplacePage) -> dict[str, list[list[Cell]]]:
    return {
        "activity": out.activity_table(page.activity),
        "total": out.savings_table(page.totals, "Period"),
        "month": out.savings_table(page.by_month, "Month"),
        "category": out.savings_table(page.by_category, "Category"),
    }


def _marketplace_charts(page: services.MarketplacePage) -> dict[str, str]:
    currencies = sorted({g.figures.currency for g in page.by_month})
    return {currency: charts.volume_by_month(page.by_month, currency) for currency in currencies}


async def marketplace_page(principal: Principal, start_text: str, end_text: str) -> Template:
    start, end = services.day(start_text, "from"), services.day(end_text, "to")
    page = await services.marketplace_page(principal, start, end)
    drawn = await asyncio.to_thread(_marketplace_charts, page)
    return Template(template_name="analytics/marketplace.html", context={
        "page": page, "charts": drawn, "tables": _marketplace_tables(page), "query": _query(start, end),
    })


async def marketplace_export(principal: Principal, name: str, kind: str, start_text: str,
                             end_text: str) -> Response[bytes]:
    start, end = services.day(start_text, "from"), services.day(end_text, "to")
    page = await services.marketplace_page(principal, start, end)
    tables = _marketplace_tables(page)
    if name not in tables:
        raise NotFound("No such table: activity, month, category or total.")
    return _download(tables[name], name, kind, f"marketplace-{name}")
