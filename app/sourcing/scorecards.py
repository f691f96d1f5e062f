"""Vendor scorecards: who sees which vendor's scorecard and which of its figures, in which scope.

- Operators see every vendor's full figures across all buyers.
- A vendor sees its own scorecard across all its buyers, except price competitiveness (it is made of its
  competitors' offers, which a vendor never sees); a competitor's scorecard is the 404 of a missing vendor.
- A buyer sees the scorecard of any vendor its segment lets it see (another is the 404 of a missing vendor) in two
  scopes, each labelled: across all buyers (aggregates, never another buyer's name, RFQ or price; a group of
  figures that fewer than two other buyer companies contributed to is withheld, see scorecard_rules) and its own
  company's history with the vendor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from app import db, grids
from app.accounts.roles import CompanyKind, CompanyStatus
from app.accounts.tables import Company
from app.auth import Principal
from app.errors import NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor
from app.rfq.access import vendors_hidden_from
from app.sourcing import scorecard_rules as rules
from app.sourcing import scorecard_store as store
from app.sourcing.scorecard_schemas import ScorecardAmountOut, ScorecardFiguresOut, ScorecardOut, ScorecardScope

NO_SUCH_VENDOR = "No such vendor."
LABELS = {
    "operator": "Across all buyers: full figures",
    "vendor": "Your figures across all your buyers",
    ScorecardScope.ALL_BUYERS: "Across all buyers: aggregates, never another buyer's name, RFQ or prices",
    ScorecardScope.YOUR_COMPANY: "Your company's own history with this vendor",
}
VENDOR_WITHHELD = (rules.Group.PRICE,)
VENDOR_REASON = ("Price competitiveness is left out: it is computed from competitors' offers, which a vendor never "
                 "sees.")


@dataclass(frozen=True, slots=True)
class VendorHead:
    id: int
    name: str
    country: str
    status: str


async def _vendors(vendor_ids: list[int]) -> dict[int, VendorHead]:
    rows = await Company.select(Company.id, Company.name, Company.country, Company.status).where(
        Company.id.is_in(vendor_ids or [-1]) & (Company.kind == CompanyKind.VENDOR.value))
    return {row["id"]: VendorHead(**row) for row in rows}


async def visible_vendors(principal: Principal, vendor_ids: Iterable[int]) -> dict[int, VendorHead]:
    """The vendors among `vendor_ids` whose scorecard the caller may see (two queries at most)."""
    found = await _vendors(sorted(set(vendor_ids)))
    if principal.is_operator:
        return found
    if principal.company_kind is CompanyKind.VENDOR:
        return {vid: head for vid, head in found.items() if vid in principal.visible_company_ids}
    if principal.company_kind is CompanyKind.BUYER:
        hidden = set(await vendors_hidden_from(principal.company_id, list(found)))
        return {vid: head for vid, head in found.items() if vid not in hidden}
    return {}


async def vendor_for(principal: Principal, vendor_id: int) -> VendorHead:
    """The vendor if the caller may see its scorecard; else the 404 of a missing vendor."""
    head = (await visible_vendors(principal, [vendor_id])).get(vendor_id)
    if head is None:
        raise NotFound(NO_SUCH_VENDOR)
    return head


def _out(scope: ScorecardScope, label: str, figures: rules.Figures, reason: str | None) -> ScorecardFiguresOut:
    values = {f.name: getattr(figures, f.name) for f in fields(figures) if f.name not in ("buyers", "withheld")}
    awarded = values.pop("awarded_value")
    return ScorecardFiguresOut(
        scope=scope, label=label, **values,
        awarded_value=None if awarded is None else [ScorecardAmountOut(currency, from_minor(amount))
                                                    for currency, amount in awarded.items()],
        withheld=[rules.GROUP_WORDS[group] for group in figures.withheld],
        withheld_reason=reason if figures.withheld else None,
    )


def scopes_for(principal: Principal, histories: list[rules.History]) -> list[ScorecardFiguresOut]:
    """The scopes the caller sees of one vendor's histories, each labelled, with what is withheld and why."""
    if principal.is_operator:
        return [_out(ScorecardScope.ALL_BUYERS, LABELS["operator"], rules.figures(histories), None)]
    if principal.company_kind is CompanyKind.VENDOR:
        return [_out(ScorecardScope.ALL_BUYERS, LABELS["vendor"], rules.figures(histories, VENDOR_WITHHELD),
                     VENDOR_REASON)]
    own_ids = frozenset(principal.visible_company_ids)
    withheld = rules.withheld_groups(histories, own_ids)
    reason = (f"Left out because fewer than {rules.MIN_OTHER_BUYERS} other buyer companies contributed to them: "
              "the figure would be one other buyer's own.")
    return [
        _out(ScorecardScope.ALL_BUYERS, LABELS[ScorecardScope.ALL_BUYERS], rules.figures(histories, withheld), reason),
        _out(ScorecardScope.YOUR_COMPANY, LABELS[ScorecardScope.YOUR_COMPANY],
             rules.figures(h for h in histories if h.buyer_id in own_ids), None),
    ]


async def scorecard(principal: Principal, vendor_id: int) -> ScorecardOut:
    """A vendor's scorecard as the caller may see it (404 for a vendor it may not see); nine queries."""
    head = await vendor_for(principal, vendor_id)
    now = await db.db_now()
    histories = (await store.histories([vendor_id], now)).get(vendor_id, [])
    return ScorecardOut(vendor_id=head.id, vendor_name=head.name, country=head.country, as_of=now,
                        scopes=scopes_for(principal, histories))


async def summaries(principal: Principal, vendor_ids: Iterable[int]) -> dict[int, ScorecardFiguresOut]:
    """Each visible vendor's figures across all buyers as the caller may see them (the comparison's short
    scorecards): ten queries for any number of vendors."""
    heads = await visible_vendors(principal, vendor_ids)
    histories = await store.histories(sorted(heads), await db.db_now())
    return {vid: scopes_for(principal, histories.get(vid, []))[0] for vid in heads}


# --- the operators' grid of every vendor's scorecard --------------------------------------------------------

SCORECARD_GRID = GridSpec(
    path="/operator/scorecards",
    columns=(GridColumn("name", "Vendor"), GridColumn("country", "Country"), GridColumn("status", "Status"),
             GridColumn("invited", "Invited", sortable=False), GridColumn("answered", "Answered", sortable=False),
             GridColumn("won", "Won", sortable=False), GridColumn("hours", "Hours to answer", sortable=False),
             GridColumn("gap", "Price gap (median %)", sortable=False),
             GridColumn("movement", "Negotiation (median %)", sortable=False),
             GridColumn("contracts", "Contracts (active)", sortable=False),
             GridColumn("orders", "Orders", sortable=False),
             GridColumn("on_time", "On time: confirmed / shipped %", sortable=False),
             GridColumn("rejected", "Rejected", sortable=False), GridColumn("rating", "Rating", sortable=False)),
    default_sort="name", search_label="Vendor name",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in CompanyStatus)),),
    per_page=50, export_name="vendor-scorecards", sheet_title="Scorecards",
)
EXPORT_HEADER = ("Vendor", "Country", "Status", "RFQs invited", "RFQs answered", "RFQs won", "Response rate %",
                 "Win rate %", "Hours to answer", "Price gap median %", "Lines compared", "Negotiation median %",
                 "Offers negotiated", "Contracts", "Active contracts", "Awarded value", "Orders",
                 "Confirmed on time %", "Shipped on time %", "Orders rejected", "Rating", "Ratings")
_ORDER = {"name": (Company.name,), "country": (Company.country,), "status": (Company.status,)}


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    vendor: VendorHead
    figures: ScorecardFiguresOut


async def scorecard_grid(state: GridState) -> GridPage:
    """Every vendor company the grid's state selects, in its order, each with its full scorecard (operators):
    two queries for the page of vendors, nine for their figures."""
    query = Company.select(Company.id, Company.name, Company.country, Company.status)
    count = Company.count()
    conditions = [Company.kind == CompanyKind.VENDOR.value, grids.search((Company.name,), state.q)]
    if state.filter("status"):
        conditions.append(Company.status == state.filter("status"))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, Company.id), state)
    histories = await store.histories([row["id"] for row in rows], await db.db_now())
    items = [ScorecardRow(VendorHead(**row), _out(ScorecardScope.ALL_BUYERS, LABELS["operator"],
                                                  rules.figures(histories.get(row["id"], [])), None))
             for row in rows]
    return state.page_of(items, await count)


def export_row(row: ScorecardRow) -> tuple[object, ...]:
    f = row.figures
    awarded = "; ".join(f"{a.amount} {a.currency}" for a in f.awarded_value or [])
    return (row.vendor.name, row.vendor.country, row.vendor.status, f.rfqs_invited, f.rfqs_answered, f.rfqs_won,
            f.response_rate, f.win_rate, f.hours_to_answer, f.price_gap_median, f.price_gap_lines,
            f.negotiation_median, f.negotiated_offers, f.contracts, f.contracts_active, awarded, f.orders,
            f.confirmed_on_time, f.shipped_on_time, f.orders_rejected, f.rating_average, f.rating_count)


