"""Savings analytics for callers: who may see which figures, the facts loaded in a fixed number of queries, and the
figures rolled up per group and currency (app/analytics/savings.py). Rows never leave: Structs and dataclasses do.

A buyer sees its own companies' figures (those it may see: its own, and a group admin's subsidiaries); an operator
sees the marketplace summed over every buyer; a vendor sees none (404, like a page that is not there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from app.accounts.roles import CompanyKind
from app.analytics import competitiveness, facts, marketplace
from app.analytics.facts import Cell, Scope
from app.analytics.savings import Baseline, Comparison, Figures, roll_up
from app.analytics.schemas import (
    ConsumedOut,
    GroupBy,
    LineSpreadOut,
    MarketplaceActivityOut,
    MarketplaceOut,
    RfqSavingsOut,
    SavingsComparisonOut,
    SavingsGroupOut,
    SavingsOut,
)
from app.analytics.spread import LineOffers, line_offers, spread_of
from app.auth import Principal
from app.errors import InvalidInput, NotFound
from app.rfq.access import NO_SUCH_RFQ, RfqHead, rfq_for_buyer
from app.rfq.states import prices_revealed

NO_ANALYTICS = "No such page: savings analytics are a buyer company's own."


def day(text: str, name: str) -> date | None:
    """A period bound typed in a page's form: empty is no bound; anything but an ISO day is a 400 saying so."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"`{name}` must be a day written 2026-05-31, not {text[:40]!r}.") from None


def scope_of(principal: Principal, start: date | None, end: date | None) -> Scope:
    """The facts the caller may read; 404 for vendors; 400 for a period that ends before it starts."""
    if principal.company_kind is CompanyKind.VENDOR:
        raise NotFound(NO_ANALYTICS)
    if start and end and end < start:
        raise InvalidInput(f"The period ends ({end}) before it starts ({start}): swap `from` and `to`.")
    buyers = None if principal.is_operator else sorted(principal.visible_company_ids)
    return Scope(buyers, start, end)


# --- the groups -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """A row of a table: a group's figures in one currency."""

    key: str
    label: str
    figures: Figures


def _keyed(cells: Iterable[Cell], key: Callable[[Cell], tuple[str, str]]) -> list[Group]:
    labels: dict[str, str] = {}
    rows = []
    for cell in cells:
        group, label = key(cell)
        labels[group] = label
        rows.append((group, cell.figures))
    return [Group(group, labels[group], figures) for (group, _), figures in roll_up(rows).items()]


KEYS: dict[GroupBy, Callable[[Cell], tuple[str, str]]] = {
    GroupBy.MONTH: lambda c: (c.month, c.month),
    GroupBy.CATEGORY: lambda c: (str(c.category_id) if c.category_id else "none", c.category),
    GroupBy.VENDOR: lambda c: (str(c.vendor_id), c.vendor),
    GroupBy.COST_CENTER: lambda c: (str(c.cost_center_id) if c.cost_center_id else "none", c.cost_center),
}


def groups(cells: list[Cell], group_by: GroupBy) -> list[Group]:
    """The cells rolled up by month (in order), or by category, vendor or cost center (largest awarded value
    first)."""
    rolled = _keyed(cells, KEYS[group_by])
    if group_by is GroupBy.MONTH:
        return sorted(rolled, key=lambda g: (g.key, g.figures.currency))
    return sorted(rolled, key=lambda g: (g.figures.currency, -g.figures.awarded, g.label))


def totals(cells: list[Cell]) -> list[Group]:
    return sorted(_keyed(cells, lambda c: ("total", "Total")), key=lambda g: g.figures.currency)


# --- API ------------------------------------------------------------------------------------------


def _comparison(c: Comparison) -> SavingsComparisonOut | None:
    if not c.lines:
        return None
    return SavingsComparisonOut(c.baseline, c.awarded, c.saving, c.percent, c.lines)


def group_out(group: Group) -> SavingsGroupOut:
    f = group.figures
    return SavingsGroupOut(
        key=group.key, label=group.label, currency=f.currency, lines=f.lines, awarded_value=f.awarded,
        consumed_value=f.consumed, consumed_percent=f.consumed_percent,
        against_target=_comparison(f.against(Baseline.TARGET)),
        against_last_contract=_comparison(f.against(Baseline.LAST_CONTRACT)),
        against_median_first_offer=_comparison(f.against(Baseline.MEDIAN_FIRST_OFFER)),
        negotiation_gain=_comparison(f.against(Baseline.FIRST_OFFER)),
    )


async def savings(principal: Principal, group_by: GroupBy, start: date | None, end: date | None) -> SavingsOut:
    """The caller's savings grouped by category, vendor, month or cost center, per currency, with the totals. Two
    queries when every awarded RFQ has its facts (the refresh reads an empty index)."""
    scope = scope_of(principal, start, end)
    await facts.refresh()
    cells, total = await facts.grouped(scope, [(group_by.value,), ()])
    consumed = await facts.consumed_by_order_cost_center(scope) if group_by is GroupBy.COST_CENTER else []
    return SavingsOut(group_by, start, end, [group_out(g) for g in groups(cells, group_by)],
                      [group_out(g) for g in totals(total)], [consumed_out(c) for c in consumed])


def consumed_out(consumed: facts.Consumed) -> ConsumedOut:
    return ConsumedOut(str(consumed.cost_center_id) if consumed.cost_center_id else "none", consumed.cost_center,
                       consumed.currency, consumed.value)


# --- the savings page -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavingsPage:
    """Everything the buyer's savings page shows: tables per currency; the charts draw `currency` only."""

    start: date | None
    end: date | None
    currency: str | None
    currencies: list[str]
    totals: list[Group]
    by_month: list[Group]
    by_category: list[Group]
    by_vendor: list[Group]
    vendor_id: int | None
    by_cost_center: list[Group]
    vendors: list[tuple[int, str]] = field(default_factory=list)
    competitiveness: list[competitiveness.Month] = field(default_factory=list)


async def savings_page(principal: Principal, start: date | None, end: date | None, currency: str | None,
                       vendor_id: int | None) -> SavingsPage:
    """The page's figures in three queries: the facts written, summed (in total, by month, category, vendor and the
    RFQs' cost center, in one query), and the chosen vendor's competitiveness."""
    scope = scope_of(principal, start, end)
    await facts.refresh()
    total, by_month, by_category, by_vendor_cells, by_cost_center = await facts.grouped(
        scope, [(), ("month",), ("category",), ("vendor",), ("cost_center",)])
    currencies = sorted({c.figures.currency for c in total})
    if currency not in currencies:
        currency = principal.currency if principal.currency in currencies else (currencies[0] if currencies else None)
    by_vendor = groups(by_vendor_cells, GroupBy.VENDOR)
    vendors = sorted({(int(g.key), g.label) for g in by_vendor}, key=lambda v: v[1])
    if vendor_id not in {v for v, _ in vendors}:
        # the vendor awarded the most in the chosen currency; a vendor the buyer never awarded is not offered
        vendor_id = next((int(g.key) for g in by_vendor if g.figures.currency == currency), None)
    months = await competitiveness.months(scope, vendor_id) if vendor_id is not None else []
    return SavingsPage(start, end, currency, currencies, totals(total), groups(by_month, GroupBy.MONTH),
                       groups(by_category, GroupBy.CATEGORY), by_vendor, vendor_id,
                       groups(by_cost_center, GroupBy.COST_CENTER), vendors, months)


# --- one RFQ --------------------------------------------------------------------------------------


async def analytics_rfq(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if the caller may see its figures: its buyer company (and operators) once its prices are revealed."""
    head = await rfq_for_buyer(principal, rfq_id)
    if not prices_revealed(head.status):
        raise NotFound(NO_SUCH_RFQ)
    return head


@dataclass(frozen=True, slots=True)
class RfqFigures:
    head: RfqHead
    by_vendor: list[Group]
    totals: list[Group]
    lines: list[LineOffers]


async def rfq_figures(principal: Principal, rfq_id: int) -> RfqFigures:
    head = await analytics_rfq(principal, rfq_id)
    await facts.refresh()
    by_vendor, total = await facts.grouped(Scope(None, rfq_id=rfq_id), [("vendor",), ()])
    return RfqFigures(head, groups(by_vendor, GroupBy.VENDOR), totals(total), await line_offers(rfq_id))


def line_out(line: LineOffers) -> LineSpreadOut:
    s = spread_of(line.prices)
    return LineSpreadOut(line.rfq_line_id, line.position, line.description, line.quantity, len(line.prices),
                         s.lowest, s.median, s.highest, s.percent, line.target_price, line.awarded_price)


async def rfq_savings(principal: Principal, rfq_id: int) -> RfqSavingsOut:
    figures = await rfq_figures(principal, rfq_id)
    return RfqSavingsOut(rfq_id, figures.head.currency, [group_out(g) for g in figures.by_vendor],
                         [group_out(g) for g in figures.totals], [line_out(line) for line in figures.lines])


# --- operators ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarketplacePage:
    start: date | None
    end: date | None
    activity: marketplace.Activity
    totals: list[Group]
    by_month: list[Group]
    by_category: list[Group]


async def marketplace_page(principal: Principal, start: date | None, end: date | None) -> MarketplacePage:
    """The marketplace summed over every buyer (operators only: the guard says so)."""
    scope = scope_of(principal, start, end)
    await facts.refresh()
    total, by_month, by_category = await facts.grouped(Scope(None, scope.start, scope.end),
                                                       [(), ("month",), ("category",)])
    return MarketplacePage(start, end, await marketplace.activity(start, end), totals(total),
                           groups(by_month, GroupBy.MONTH), groups(by_category, GroupBy.CATEGORY))


async def marketplace_figures(principal: Principal, start: date | None, end: date | None) -> MarketplaceOut:
    """The marketplace page's figures over the API (operators only: the guard says so)."""
    page = await marketplace_page(principal, start, end)
    a = page.activity
    return MarketplaceOut(
        start, end,
        MarketplaceActivityOut(a.rfqs_published, a.rfqs_awarded, a.invitations, a.invitations_answered,
                               a.response_percent, a.active_vendors, a.active_buyers),
        [group_out(g) for g in page.totals], [group_out(g) for g in page.by_month],
        [group_out(g) for g in page.by_category])
